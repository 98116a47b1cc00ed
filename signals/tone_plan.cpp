// signals/tone_plan.cpp — TOML tone plans (format in tone_plan.hpp).
#include "signals/tone_plan.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <toml++/toml.h>

namespace linedsp {

namespace {

constexpr const char* kKindNames[kToneKindCount] = {"dial",       "special-dial", "ringback", "busy",
                                                    "congestion", "sit",          "call-waiting", "other"};
constexpr double kDefaultLevelDbm0 = -10.0;
constexpr double kDefaultAmDepth = 0.9;  // Asterisk's implicit depth for f1*f2 tones (indications.conf)
constexpr double kMinFreqHz = 50.0;
constexpr double kMaxFreqHz = 3400.0;    // telephone band
constexpr std::uint32_t kMaxSegmentMs = 600000;

[[noreturn]] void fail(const std::string& file, int line, std::string_view field, std::string_view what) {
  std::ostringstream os;
  os << file << ':' << line << ": " << field << ": " << what;
  throw std::runtime_error(os.str());
}

int line_of(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

struct Ctx {
  const std::string& file;
  std::string prefix;  // "tones.busy"
  int line;
  [[noreturn]] void fail_at(const toml::node* n, std::string_view field, std::string_view what) const {
    fail(file, n ? line_of(*n) : line, prefix.empty() ? std::string(field) : prefix + "." + std::string(field), what);
  }
};

double get_number(const Ctx& c, const toml::node& n, std::string_view field) {
  if (auto v = n.value<double>()) return *v;
  c.fail_at(&n, field, "expected a number");
}

std::string get_string(const Ctx& c, const toml::node& n, std::string_view field) {
  if (auto v = n.value<std::string>()) return *v;
  c.fail_at(&n, field, "expected a string");
}

std::vector<ToneComponent> parse_freqs(const Ctx& c, const toml::node& n, std::string_view field, double level,
                                       double depth) {
  const toml::array* arr = n.as_array();
  if (!arr) c.fail_at(&n, field, "expected an array of frequencies (numbers in Hz or \"CARRIERxMOD\" strings)");
  if (arr->empty()) c.fail_at(&n, field, "empty: give at least one frequency");
  std::vector<ToneComponent> out;
  for (const toml::node& e : *arr) {
    std::vector<ToneComponent> comps;
    if (auto s = e.value<std::string>()) {
      try {
        comps = parse_frequency_spec(*s, level, depth);
      } catch (const std::invalid_argument& ex) {
        c.fail_at(&e, field, ex.what());
      }
    } else if (auto v = e.value<double>()) {
      comps.push_back({*v, level});
    } else {
      c.fail_at(&e, field, "expected a frequency in Hz or a \"CARRIERxMOD\" string");
    }
    for (const auto& comp : comps) {
      if (!(comp.freq_hz >= kMinFreqHz && comp.freq_hz <= kMaxFreqHz)) {
        std::ostringstream os;
        os << comp.freq_hz << " Hz is outside " << kMinFreqHz << ".." << kMaxFreqHz << " Hz";
        c.fail_at(&e, field, os.str());
      }
      out.push_back(comp);
    }
  }
  if (out.size() > 4) c.fail_at(&n, field, "more than 4 components");
  return out;
}

std::vector<std::uint32_t> parse_cadence(const Ctx& c, const toml::node& n, std::string_view field) {
  const toml::array* arr = n.as_array();
  if (!arr) c.fail_at(&n, field, "expected an array of durations in ms");
  std::vector<std::uint32_t> out;
  for (const toml::node& e : *arr) {
    auto v = e.value<double>();
    if (!v) c.fail_at(&e, field, "expected a duration in ms");
    if (!(*v >= 0.0 && *v <= kMaxSegmentMs) || std::floor(*v) != *v)
      c.fail_at(&e, field, "durations must be whole ms in 0..600000");
    out.push_back(static_cast<std::uint32_t>(*v));
  }
  return out;
}

void check_known_keys(const Ctx& c, const toml::table& t, std::initializer_list<std::string_view> known) {
  for (const auto& [k, v] : t) {
    if (std::find(known.begin(), known.end(), k.str()) == known.end()) c.fail_at(&v, k.str(), "unknown field");
  }
}

Tone parse_tone(const std::string& file, std::string_view key, const toml::table& t, double plan_level,
                const std::string& plan_source) {
  Ctx c{file, "tones." + std::string(key), line_of(t)};
  check_known_keys(c, t, {"kind", "freqs", "level_dbm0", "cadence", "repeat", "am_depth", "source", "segments"});
  Tone tone;
  tone.name = std::string(key);
  tone.line = c.line;
  if (const toml::node* k = t.get("kind")) {
    auto kind = parse_tone_kind(get_string(c, *k, "kind"));
    if (!kind) c.fail_at(k, "kind", "unknown kind (dial, special-dial, ringback, busy, congestion, sit, call-waiting, other)");
    tone.kind = *kind;
  } else if (auto kind = parse_tone_kind(key)) {
    tone.kind = *kind;
  } else {
    c.fail_at(&t, "kind", "missing: the key is not a kind name, so say which kind this tone is");
  }
  double level = plan_level;
  if (const toml::node* n = t.get("level_dbm0")) {
    level = get_number(c, *n, "level_dbm0");
    if (!(level <= 3.0 && level >= -60.0)) c.fail_at(n, "level_dbm0", "must be in -60..+3 dBm0");
  }
  double depth = kDefaultAmDepth;
  if (const toml::node* n = t.get("am_depth")) {
    depth = get_number(c, *n, "am_depth");
    if (!(depth > 0.0 && depth <= 1.0)) c.fail_at(n, "am_depth", "must be in (0, 1]");
  }
  tone.source = plan_source;
  if (const toml::node* n = t.get("source")) tone.source = get_string(c, *n, "source");
  if (const toml::node* n = t.get("repeat")) {
    auto b = n->value<bool>();
    if (!b) c.fail_at(n, "repeat", "expected true or false");
    tone.repeat = *b;
  }
  const toml::node* freqs = t.get("freqs");
  const toml::node* segs = t.get("segments");
  if (freqs && segs) c.fail_at(segs, "segments", "give either freqs (+ cadence) or segments, not both");
  if (!freqs && !segs) c.fail_at(&t, "freqs", "missing (or give segments)");
  if (freqs) {
    auto comps = parse_freqs(c, *freqs, "freqs", level, depth);
    for (const toml::node& e : *freqs->as_array())
      if (e.is_string()) tone.am = true;
    std::vector<std::uint32_t> cadence;
    const toml::node* cad = t.get("cadence");
    if (cad) cadence = parse_cadence(c, *cad, "cadence");
    if (cadence.empty()) {
      tone.segments.push_back({comps, 0});
    } else {
      for (std::size_t i = 0; i < cadence.size(); ++i) {
        const bool on = i % 2 == 0;
        if (cadence[i] == 0 && !(on && i + 1 == cadence.size()))
          c.fail_at(cad, "cadence", "0 (continuous) is allowed only as the last, tone-on element");
        if (on) {
          tone.segments.push_back({comps, cadence[i]});
        } else {
          tone.segments.push_back({{}, cadence[i]});
        }
      }
    }
  } else {
    const toml::array* arr = segs->as_array();
    if (!arr || arr->empty()) c.fail_at(segs, "segments", "expected a non-empty array of { freqs = [...], ms = N }");
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const toml::node& e = *arr->get(i);
      const toml::table* st = e.as_table();
      if (!st) c.fail_at(&e, "segments", "expected { freqs = [...], ms = N }");
      Ctx sc{file, c.prefix + ".segments[" + std::to_string(i) + "]", line_of(e)};
      check_known_keys(sc, *st, {"freqs", "ms", "level_dbm0"});
      double seg_level = level;
      if (const toml::node* n = st->get("level_dbm0")) seg_level = get_number(sc, *n, "level_dbm0");
      ToneSegment seg;
      if (const toml::node* f = st->get("freqs")) {
        seg.components = parse_freqs(sc, *f, "freqs", seg_level, depth);
        for (const toml::node& fe : *f->as_array())
          if (fe.is_string()) tone.am = true;
      }
      const toml::node* ms = st->get("ms");
      if (!ms) sc.fail_at(&e, "ms", "missing");
      const double d = get_number(sc, *ms, "ms");
      if (!(d >= 0.0 && d <= kMaxSegmentMs) || std::floor(d) != d) sc.fail_at(ms, "ms", "must be whole ms in 0..600000");
      seg.duration_ms = static_cast<std::uint32_t>(d);
      if (seg.duration_ms == 0 && (seg.silent() || i + 1 != arr->size()))
        sc.fail_at(ms, "ms", "0 (continuous) is allowed only for the last, tone-on segment");
      tone.segments.push_back(std::move(seg));
    }
    if (tone.segments.front().silent()) c.fail_at(segs, "segments", "the first segment must not be silence");
  }
  if (tone.segments.front().silent()) c.fail_at(&t, "cadence", "the first element must be tone-on");
  return tone;
}

RingPattern parse_ring(const std::string& file, std::string_view key, const toml::table& t,
                       const std::string& plan_source) {
  Ctx c{file, "rings." + std::string(key), line_of(t)};
  check_known_keys(c, t, {"cadence", "frequency_hz", "source"});
  RingPattern r;
  r.name = std::string(key);
  r.line = c.line;
  r.source = plan_source;
  if (const toml::node* n = t.get("source")) r.source = get_string(c, *n, "source");
  const toml::node* cad = t.get("cadence");
  if (!cad) c.fail_at(&t, "cadence", "missing");
  r.cadence_ms = parse_cadence(c, *cad, "cadence");
  if (r.cadence_ms.size() < 2 || r.cadence_ms.size() % 2 != 0)
    c.fail_at(cad, "cadence", "expected on/off pairs (an even number of durations, at least 2)");
  if (r.cadence_ms.size() > 8) c.fail_at(cad, "cadence", "more than 8 elements (RingCadence::kMaxSegments)");
  for (auto d : r.cadence_ms)
    if (d == 0) c.fail_at(cad, "cadence", "ring durations must be > 0 ms");
  if (const toml::node* n = t.get("frequency_hz")) {
    r.frequency_hz = get_number(c, *n, "frequency_hz");
    if (!(r.frequency_hz >= 15.0 && r.frequency_hz <= 70.0)) c.fail_at(n, "frequency_hz", "must be in 15..70 Hz");
  }
  return r;
}

}  // namespace

const char* tone_kind_name(ToneKind kind) noexcept {
  const auto i = static_cast<std::size_t>(kind);
  return i < kToneKindCount ? kKindNames[i] : "other";
}

std::optional<ToneKind> parse_tone_kind(std::string_view name) noexcept {
  std::string n(name);
  std::replace(n.begin(), n.end(), '_', '-');
  for (int i = 0; i < kToneKindCount; ++i)
    if (n == kKindNames[i]) return static_cast<ToneKind>(i);
  return std::nullopt;
}

bool Tone::continuous() const noexcept { return segments.size() == 1 && segments[0].duration_ms == 0; }

std::uint32_t Tone::cycle_ms() const noexcept {
  std::uint32_t s = 0;
  for (const auto& seg : segments) s += seg.duration_ms;
  return s;
}

std::vector<double> Tone::frequencies() const {
  std::vector<double> f;
  for (const auto& seg : segments)
    for (const auto& c : seg.components) f.push_back(c.freq_hz);
  std::sort(f.begin(), f.end());
  f.erase(std::unique(f.begin(), f.end()), f.end());
  return f;
}

const Tone* TonePlan::find(std::string_view tone_name) const noexcept {
  for (const auto& t : tones)
    if (t.name == tone_name) return &t;
  return nullptr;
}

const Tone* TonePlan::find(ToneKind kind) const noexcept {
  for (const auto& t : tones)
    if (t.kind == kind) return &t;
  return nullptr;
}

const RingPattern* TonePlan::find_ring(std::string_view ring_name) const noexcept {
  for (const auto& r : rings)
    if (r.name == ring_name) return &r;
  return nullptr;
}

std::vector<ToneComponent> parse_frequency_spec(std::string_view spec, double level_dbm0, double am_depth) {
  auto to_num = [&](std::string_view s) {
    std::string str(s);
    std::size_t used = 0;
    double v = 0.0;
    try {
      v = std::stod(str, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != str.size() || !std::isfinite(v))
      throw std::invalid_argument("\"" + std::string(spec) + "\": expected a number or CARRIERxMOD (e.g. \"425x25\")");
    return v;
  };
  const auto x = spec.find_first_of("x*");
  if (x == std::string_view::npos) return {{to_num(spec), level_dbm0}};
  const double carrier = to_num(spec.substr(0, x));
  const double mod = to_num(spec.substr(x + 1));
  if (!(mod > 0.0 && mod < carrier))
    throw std::invalid_argument("\"" + std::string(spec) + "\": modulation must be > 0 and below the carrier");
  const double side = level_dbm0 + 20.0 * std::log10(am_depth / 2.0);
  return {{carrier - mod, side}, {carrier, level_dbm0}, {carrier + mod, side}};
}

TonePlan parse_tone_plan(std::string_view toml_text, const std::string& file) {
  toml::table root;
  try {
    root = toml::parse(toml_text, file);
  } catch (const toml::parse_error& e) {
    fail(file, static_cast<int>(e.source().begin.line), "syntax", e.description());
  }
  Ctx c{file, "", 1};
  check_known_keys(c, root, {"country", "name", "source", "level_dbm0", "tones", "rings"});
  TonePlan plan;
  plan.file = file;
  const toml::node* country = root.get("country");
  if (!country) fail(file, 1, "country", "missing");
  plan.country = get_string(c, *country, "country");
  if (plan.country.empty()) c.fail_at(country, "country", "empty");
  for (char ch : plan.country)
    if (!((ch >= 'a' && ch <= 'z') || ch == '-' || ch == '_' || (ch >= '0' && ch <= '9')))
      c.fail_at(country, "country", "use lower-case letters (ISO 3166 alpha-2, or a name of your own: a-z 0-9 - _)");
  if (const toml::node* n = root.get("name")) plan.name = get_string(c, *n, "name");
  std::string source;
  if (const toml::node* n = root.get("source")) source = get_string(c, *n, "source");
  double level = kDefaultLevelDbm0;
  if (const toml::node* n = root.get("level_dbm0")) level = get_number(c, *n, "level_dbm0");
  if (const toml::node* n = root.get("tones")) {
    const toml::table* t = n->as_table();
    if (!t) c.fail_at(n, "tones", "expected a table of tones");
    for (const auto& [k, v] : *t) {
      const toml::table* tt = v.as_table();
      if (!tt) c.fail_at(&v, "tones." + std::string(k.str()), "expected a table");
      plan.tones.push_back(parse_tone(file, k.str(), *tt, level, source));
    }
  }
  if (const toml::node* n = root.get("rings")) {
    const toml::table* t = n->as_table();
    if (!t) c.fail_at(n, "rings", "expected a table of ring cadences");
    for (const auto& [k, v] : *t) {
      const toml::table* tt = v.as_table();
      if (!tt) c.fail_at(&v, "rings." + std::string(k.str()), "expected a table");
      plan.rings.push_back(parse_ring(file, k.str(), *tt, source));
    }
  }
  // Keep file order (toml++ tables are sorted by key): by line.
  std::stable_sort(plan.tones.begin(), plan.tones.end(), [](const Tone& a, const Tone& b) { return a.line < b.line; });
  std::stable_sort(plan.rings.begin(), plan.rings.end(),
                   [](const RingPattern& a, const RingPattern& b) { return a.line < b.line; });
  return plan;
}

TonePlan load_tone_plan(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_tone_plan(ss.str(), path);
}

TonePlan load_country_plan(const std::string& data_dir, std::string_view country_code) {
  // ISO 3166 codes in either case ("IN", "in"); letters only, so a code can never name a path outside data/tones.
  std::string country(country_code);
  for (auto& c : country) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (country == "uk") country = "gb";  // common usage; ISO 3166 says GB
  const bool letters = !country.empty() && std::all_of(country.begin(), country.end(), [](char c) {
    return c >= 'a' && c <= 'z';
  });
  if (!letters)
    throw std::runtime_error("no tone plan for country '" + std::string(country_code) +
                             "' (a country is an ISO 3166 letter code, e.g. us, gb, de)");
  const std::filesystem::path p = std::filesystem::path(data_dir) / "tones" / (country + ".toml");
  if (!std::filesystem::exists(p))
    throw std::runtime_error("no tone plan for country '" + country + "' (" + p.string() + ")");
  return load_tone_plan(p.string());
}

std::vector<TonePlan> load_all_plans(const std::string& data_dir) {
  std::vector<TonePlan> plans;
  const auto dir = std::filesystem::path(data_dir) / "tones";
  if (!std::filesystem::is_directory(dir)) throw std::runtime_error(dir.string() + ": no tone plans");
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".toml") plans.push_back(load_tone_plan(e.path().string()));
  std::sort(plans.begin(), plans.end(), [](const TonePlan& a, const TonePlan& b) { return a.country < b.country; });
  return plans;
}

TonePlan merged_plan(const std::vector<TonePlan>& plans) {
  TonePlan out;
  out.country = "auto";
  out.name = "all shipped plans";
  auto same_freqs = [](const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (std::abs(a[i] - b[i]) > 0.01 * a[i]) return false;
    return true;
  };
  for (const auto& p : plans) {
    for (const auto& t : p.tones) {
      if (t.kind == ToneKind::other) continue;
      bool dup = false;
      for (const auto& o : out.tones) {
        if (o.kind != t.kind || o.segments.size() != t.segments.size() || o.repeat != t.repeat) continue;
        bool same = true;
        for (std::size_t i = 0; i < t.segments.size() && same; ++i) {
          const auto& a = o.segments[i];
          const auto& b = t.segments[i];
          std::vector<double> fa, fb;
          for (auto& cc : a.components) fa.push_back(cc.freq_hz);
          for (auto& cc : b.components) fb.push_back(cc.freq_hz);
          std::sort(fa.begin(), fa.end());
          std::sort(fb.begin(), fb.end());
          same = a.duration_ms == b.duration_ms && same_freqs(fa, fb);
        }
        if (same) {
          dup = true;
          break;
        }
      }
      if (dup) continue;
      Tone c = t;
      c.name = p.country + "." + t.name;
      out.tones.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace linedsp
