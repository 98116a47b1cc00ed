// signals/callerid_dtmf.hpp — caller ID sent as DTMF digits (ETSI EN 300 659-1 annex / national specifications:
// parts of Scandinavia, the Netherlands, Belgium, Brazil, India, Taiwan ...), usually after a polarity reversal and
// before the first ring.
//
// Digit-string variants (as documented with spandsp's adsi.h; check the national specifications):
//   a_c      A<number>C, with optional D<redirecting number> and B<special information> before the C;
//            special information "00" = number not available, "10" = presentation restricted (private).
//            Belgium, Brazil, Denmark, Finland, Iceland, India, Netherlands, Saudi Arabia, Sweden, Uruguay.
//   a_hash   A<number>#, or D1# private, D2# international (not available), D3# not available.
//   d_c      D<number>C (Taiwan, Kuwait).
//   hash     <number># with no start marker (Denmark, Netherlands variant).
// Absence reasons map onto CallerIdMessage::number_absent: 'P' private/restricted, 'O' unavailable.
//
// DtmfCallerIdReceiver assembles digits reported by a DTMF detector (any: it takes digit + time) into messages:
// a message starts at a start marker (or, for `hash`, any digit), ends at its terminator, and is reported
// truncated if the next digit does not come within max_gap_ms. Real-time safe, fixed size.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "signals/callerid.hpp"
#include "signals/event.hpp"

namespace linedsp {

enum class DtmfCallerIdFormat : std::uint8_t { a_c, a_hash, d_c, hash };
const char* dtmf_callerid_format_name(DtmfCallerIdFormat f) noexcept;
std::optional<DtmfCallerIdFormat> parse_dtmf_callerid_format(std::string_view name) noexcept;

// The digit string for a message (number, or absence reason, and for a_c the redirecting number). Throws
// std::invalid_argument naming the field when the number has characters DTMF cannot send or the format cannot
// carry the absence reason.
std::string encode_dtmf_callerid(const CallerIdMessage& msg, DtmfCallerIdFormat format);
// Parses one complete digit string (with its start marker and terminator). Status malformed when it does not
// follow the format. No allocation.
CallerIdParse parse_dtmf_callerid(std::string_view digits, DtmfCallerIdFormat format) noexcept;

struct DtmfCallerIdReceiverConfig {
  DtmfCallerIdFormat format = DtmfCallerIdFormat::a_c;
  int sample_rate_hz = 8000;
  int max_gap_ms = 500;  // between digit starts within one message (digits are typically 70 ms on, 70 ms off)
};

class DtmfCallerIdReceiver {
 public:
  explicit DtmfCallerIdReceiver(const DtmfCallerIdReceiverConfig& cfg);
  // One detected digit (its start sample). Emits a CallerIdEvent (begin=false) when a message completes or is
  // abandoned; begin=true when a start marker is seen.
  template <EventSink<CallerIdEvent> Sink>
  void digit(char d, std::uint64_t sample, Sink& sink) noexcept {
    CallerIdEvent ev;
    if (expire(sample, ev)) sink(ev);
    if (on_digit(d, sample, ev)) sink(ev);
  }
  // Time passes without digits (call with the current sample count, e.g. after each audio block).
  template <EventSink<CallerIdEvent> Sink>
  void advance(std::uint64_t now_sample, Sink& sink) noexcept {
    CallerIdEvent ev;
    if (expire(now_sample, ev)) sink(ev);
  }
  void reset() noexcept;

 private:
  bool on_digit(char d, std::uint64_t sample, CallerIdEvent& ev) noexcept;
  bool expire(std::uint64_t now, CallerIdEvent& ev) noexcept;
  bool finish(CallerIdStatus status, std::uint64_t end_sample, CallerIdEvent& ev) noexcept;
  DtmfCallerIdReceiverConfig cfg_;
  std::uint64_t max_gap_samples_;
  std::array<char, 64> buf_{};
  std::size_t len_ = 0;
  bool active_ = false;
  std::uint64_t start_ = 0, last_ = 0;
};

}  // namespace linedsp
