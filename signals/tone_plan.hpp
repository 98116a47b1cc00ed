// signals/tone_plan.hpp — call-progress tone plans: per country, the tones an exchange sends (dial, special dial,
// ringback, busy, congestion, call waiting, SIT ...) and its ring cadences, as data (data/tones/*.toml).
//
// File format (TOML, one country per file; see data/tones/README.md):
//
//   country = "us"                       # lower-case ISO 3166 alpha-2
//   name = "United States"
//   source = "..."                       # default citation for entries without their own
//   level_dbm0 = -13.0                   # default level per component
//
//   [tones.busy]                         # key: a kind name, or any name with kind = "..."
//   freqs = [480, 620]                   # Hz; a string "425x25" is a 425 Hz carrier amplitude-modulated at 25 Hz
//   level_dbm0 = -24.0                   # per component (the carrier for AM)
//   cadence = [500, 500]                 # on, off, on, off ... in ms; [] or absent = continuous;
//                                        # a final 0 means "then continuous" (stutter dial)
//   repeat = true                        # default true; false = played once
//   am_depth = 0.9                       # AM modulation depth, default 0.9
//   source = "ANSI T1.401 ..."           # citation
//
//   [tones.sit]                          # tones whose frequency changes along the cadence use segments;
//   segments = [ { freqs = [950], ms = 330 }, { freqs = [1400], ms = 330 }, { freqs = [1800], ms = 330 },
//                { ms = 1000 } ]         # a segment without freqs is silence
//
//   [rings.normal]                       # ring cadences: on/off ms, repeated; frequency of the ring voltage
//   cadence = [2000, 4000]
//   frequency_hz = 20
//
// Every error names the place: "FILE:LINE: field: what is wrong" (LINE from toml++'s source regions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace linedsp {

enum class ToneKind : std::uint8_t { dial, special_dial, ringback, busy, congestion, sit, call_waiting, other };
inline constexpr int kToneKindCount = 8;
// "dial", "special-dial", "ringback", "busy", "congestion", "sit", "call-waiting", "other".
const char* tone_kind_name(ToneKind kind) noexcept;
// Accepts the names above and '_' for '-'.
std::optional<ToneKind> parse_tone_kind(std::string_view name) noexcept;

struct ToneComponent {
  double freq_hz = 0.0;
  double level_dbm0 = -10.0;
  bool operator==(const ToneComponent&) const = default;
};

// One stretch of a tone: its components (empty = silence) for duration_ms (0 = for ever: continuous).
struct ToneSegment {
  std::vector<ToneComponent> components;
  std::uint32_t duration_ms = 0;
  bool silent() const noexcept { return components.empty(); }
  bool operator==(const ToneSegment&) const = default;
};

struct Tone {
  std::string name;       // key in the plan ("busy", "dial", "record" ...)
  ToneKind kind = ToneKind::other;
  std::vector<ToneSegment> segments;  // in order; the first is never silent
  bool repeat = true;     // the segment list repeats (ignored when a segment is continuous)
  bool am = false;        // components come from an AM carrier (sidebands 25 Hz or so apart)
  std::string source;
  int line = 0;           // where it was defined (0 when built in code)

  bool continuous() const noexcept;            // a single continuous segment
  std::uint32_t cycle_ms() const noexcept;     // sum of the finite segments
  std::vector<double> frequencies() const;     // distinct component frequencies, ascending
};

struct RingPattern {
  std::string name;  // "normal", "distinctive1" ...
  std::vector<std::uint32_t> cadence_ms;  // on, off, ... repeated
  double frequency_hz = 20.0;
  std::string source;
  int line = 0;
};

struct TonePlan {
  std::string country;  // "us"
  std::string name;
  std::string file;     // where it was loaded from (empty when built in code)
  std::vector<Tone> tones;
  std::vector<RingPattern> rings;

  const Tone* find(std::string_view tone_name) const noexcept;   // by key
  const Tone* find(ToneKind kind) const noexcept;                // first of that kind
  const RingPattern* find_ring(std::string_view ring_name) const noexcept;
};

// Parses TOML text; `file` is used in error messages. Throws std::runtime_error("FILE:LINE: field: what").
TonePlan parse_tone_plan(std::string_view toml_text, const std::string& file);
// Reads and parses a file (errors as above; an unreadable file: "FILE: cannot read").
TonePlan load_tone_plan(const std::string& path);
// data_dir/tones/<country>.toml. Throws std::runtime_error naming the country when absent.
TonePlan load_country_plan(const std::string& data_dir, std::string_view country);
// Every data_dir/tones/*.toml, sorted by country.
std::vector<TonePlan> load_all_plans(const std::string& data_dir);

// "auto": every plan's tones merged, duplicates (same kind, frequencies within 1 %, same cadence) removed. The
// detector built on it classifies by frequency and cadence with no country configured.
TonePlan merged_plan(const std::vector<TonePlan>& plans);

// Parses "425x25" (carrier x modulation) into its components: carrier at level, sidebands at level +
// 20 log10(depth / 2). Plain numbers give one component. Throws std::invalid_argument on bad text.
std::vector<ToneComponent> parse_frequency_spec(std::string_view spec, double level_dbm0, double am_depth);

}  // namespace linedsp
