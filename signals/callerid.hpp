// signals/callerid.hpp — caller ID messages and the FSK caller-ID receiver and sender.
//
// Data link (Telcordia GR-30 and ETSI EN 300 659-3, the same framing): message type byte, length byte (the
// number of data bytes that follow), data, checksum = two's complement of the modulo-256 sum of all previous
// bytes (so the sum of every byte including the checksum is 0 mod 256).
//   Bellcore SDMF (type 0x04): data = 8 ASCII digits MMDDHHMM, then the number (up to 10 digits) or one letter:
//     'O' out of area (unavailable), 'P' private.  SDMF message waiting (0x06): 0x42 x3 on, 0x6F x3 off.
//   Bellcore MDMF (0x80) and ETSI call set-up (0x80, EN 300 659-3): a list of parameters, each type, length, value.
//     0x01 date and time (MMDDHHMM), 0x02 calling number, 0x03 called number, 0x04 reason for absence of number
//     ('O' unavailable, 'P' private), 0x07 name, 0x08 reason for absence of name, 0x0B visual indicator (MWI),
//     0x11 call type, 0x1A redirecting number (ETSI; Bellcore lists 0x05 "redirect" too), others skipped.
//   MDMF message waiting (0x82) carries 0x0B.
// A message with a bad checksum, a framing error, a length that overruns, or a parameter that overruns its message
// is reported with that status and no fields, never as a number.
//
// Physical layer (signals/fsk.hpp): Bell 202 (GR-30) or V.23 (EN 300 659-1); channel seizure of alternating bits
// (300 bits), then marks (180 bits on-hook; 80 off-hook / call waiting), then the message.
//
// The receiver is real-time safe: fixed-size state (memory_bytes() is the per-channel cost, about 3.5 kB), no
// allocation after construction, results independent of block size.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "signals/event.hpp"
#include "signals/fsk.hpp"

namespace linedsp {

// Message types (GR-30; EN 300 659-3 clause 5.2 / table 1, check).
inline constexpr std::uint8_t kCidSdmfCallerId = 0x04;
inline constexpr std::uint8_t kCidSdmfMessageWaiting = 0x06;
inline constexpr std::uint8_t kCidMdmfCallerId = 0x80;  // = ETSI "call set-up"
inline constexpr std::uint8_t kCidMdmfMessageWaiting = 0x82;
inline constexpr std::uint8_t kCidEtsiAdviceOfCharge = 0x86;
inline constexpr std::uint8_t kCidEtsiShortMessage = 0x89;
// Parameter types.
inline constexpr std::uint8_t kCidParamDateTime = 0x01;
inline constexpr std::uint8_t kCidParamNumber = 0x02;
inline constexpr std::uint8_t kCidParamCalledNumber = 0x03;
inline constexpr std::uint8_t kCidParamNumberAbsent = 0x04;
inline constexpr std::uint8_t kCidParamBellRedirect = 0x05;
inline constexpr std::uint8_t kCidParamName = 0x07;
inline constexpr std::uint8_t kCidParamNameAbsent = 0x08;
inline constexpr std::uint8_t kCidParamVisualIndicator = 0x0B;
inline constexpr std::uint8_t kCidParamCallType = 0x11;
inline constexpr std::uint8_t kCidParamRedirecting = 0x1A;

// A string with fixed capacity (no allocation on the audio path).
template <std::size_t N>
class FixedString {
 public:
  FixedString() = default;
  FixedString(std::string_view s) noexcept { assign(s); }  // truncates beyond N
  FixedString& operator=(std::string_view s) noexcept {
    assign(s);
    return *this;
  }
  void assign(std::string_view s) noexcept {
    size_ = s.size() < N ? s.size() : N;
    for (std::size_t i = 0; i < size_; ++i) data_[i] = s[i];
  }
  std::string_view view() const noexcept { return {data_.data(), size_}; }
  std::string str() const { return std::string(view()); }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  static constexpr std::size_t capacity() noexcept { return N; }
  friend bool operator==(const FixedString& a, const FixedString& b) noexcept { return a.view() == b.view(); }

 private:
  std::array<char, N> data_{};
  std::size_t size_ = 0;
};

struct CallerIdMessage {
  std::uint8_t type = kCidMdmfCallerId;
  FixedString<8> date_time;     // "MMDDHHMM" or empty
  FixedString<32> number;
  char number_absent = 0;       // 'O' unavailable / out of area, 'P' private; 0 = not given
  FixedString<64> name;
  char name_absent = 0;
  FixedString<32> redirecting;
  FixedString<32> called;
  int message_waiting = -1;     // visual indicator: 1 on, 0 off, -1 not present
  int call_type = -1;           // ETSI call type parameter value, -1 not present
};

enum class CallerIdStatus : std::uint8_t { ok, checksum, truncated, framing, malformed, unsupported };
const char* callerid_status_name(CallerIdStatus s) noexcept;  // "ok", "checksum", "truncated", ...

struct CallerIdParse {
  CallerIdStatus status = CallerIdStatus::malformed;
  CallerIdMessage message;
};

enum class CallerIdFormat : std::uint8_t { sdmf, mdmf };

// Builds type, length, data and checksum. Throws std::invalid_argument naming the field that does not fit
// (e.g. an SDMF number longer than 10 digits, a date that is not 8 digits). Not for the audio path.
std::vector<std::uint8_t> encode_callerid(const CallerIdMessage& msg, CallerIdFormat format);
// Two's complement of the modulo-256 sum.
std::uint8_t callerid_checksum(std::span<const std::uint8_t> bytes) noexcept;
// Parses one whole message (type, length, data, checksum). No allocation.
CallerIdParse parse_callerid(std::span<const std::uint8_t> bytes) noexcept;

// ---------------------------------------------------------------------------------------------------------
struct CallerIdReceiverConfig {
  FskModem modem = FskModem::bell202;
  int sample_rate_hz = 8000;
  double min_level_dbm0 = -45.0;
  // Steady marks before the message type byte. GR-30: 180 (80 off-hook); EN 300 659-1: 180 +-25 (80 +-25
  // off-hook, check), so 50 accepts every variant with margin and rejects noise-made characters.
  int min_mark_bits = 50;
  // Mark bit-times allowed between characters of one message before it counts as truncated.
  int max_gap_bits = 40;
  // On-hook spills (GR-30 Type I, EN 300 659-1 on-hook) start with a channel seizure; requiring it (3 characters
  // of alternating bits) keeps speech from ever starting a message. Set false when an off-hook (Type II) spill
  // is expected, i.e. after a CAS / DT-AS alert was acknowledged.
  bool require_seizure = true;
};

struct CallerIdEvent {
  bool begin = false;               // true: a message header (known type, length) started; false: it ended
  CallerIdStatus status = CallerIdStatus::ok;  // end events only
  FskModem modem = FskModem::bell202;
  std::uint64_t sample = 0;         // begin: start of the type byte; end: same start
  std::uint64_t duration_samples = 0;  // end events: type byte start to checksum byte end
  CallerIdMessage message;          // end events with status ok
};

class CallerIdReceiver {
 public:
  explicit CallerIdReceiver(const CallerIdReceiverConfig& cfg, Isa isa = active_isa());

  template <EventSink<CallerIdEvent> Sink>
  void process(std::span<const std::int16_t> pcm, Sink& sink) noexcept {
    auto on_fsk = [&](const FskEvent& e) {
      CallerIdEvent out;
      if (handle(e, out)) sink(out);
      if (pending_) {  // a byte that ended one message and may start another
        pending_ = false;
        if (handle(pending_event_, out)) sink(out);
      }
    };
    demod_.process(pcm, on_fsk);
  }
  // End of input: a message still being received is reported as truncated.
  template <EventSink<CallerIdEvent> Sink>
  void end_of_stream(Sink& sink) noexcept {
    CallerIdEvent out;
    if (state_ == State::data && finish(CallerIdStatus::truncated, out)) sink(out);
    state_ = State::hunt;
  }
  void reset() noexcept;
  const CallerIdReceiverConfig& config() const noexcept { return cfg_; }
  // Per-channel memory (object plus the demodulator's table).
  std::size_t memory_bytes() const noexcept { return sizeof(*this) - sizeof(demod_) + demod_.memory_bytes(); }

 private:
  bool handle(const FskEvent& e, CallerIdEvent& out) noexcept;
  bool finish(CallerIdStatus status, CallerIdEvent& out) noexcept;

  CallerIdReceiverConfig cfg_;
  FskDemodulator demod_;
  enum class State : std::uint8_t { hunt, length, data } state_ = State::hunt;
  std::array<std::uint8_t, 258> buf_{};
  std::size_t len_ = 0, need_ = 0;
  static constexpr int kSeizureBytes = 3;
  int seizure_run_ = 0;
  bool armed_ = false;
  std::uint64_t start_sample_ = 0;
  bool pending_ = false;
  FskEvent pending_event_{};
  double samples_per_bit_;
};

// ---------------------------------------------------------------------------------------------------------
struct CallerIdSenderConfig {
  FskModem modem = FskModem::bell202;
  int sample_rate_hz = 8000;
  double level_dbm0 = -13.5;   // GR-30: about -13.5 dBm
  int seizure_bits = 300;      // 0 for call waiting (Type II)
  int mark_bits = 180;         // 80 for call waiting
  int trailing_mark_bits = 2;  // GR-30: at least two stop bits after the checksum (check)
};

// Real-time FSK caller-ID spill: start() queues seizure, marks and the message; generate() writes it.
class CallerIdSender {
 public:
  explicit CallerIdSender(const CallerIdSenderConfig& cfg);
  // Queues one spill for an encoded message (encode_callerid). False if a spill is still running or it does not fit.
  bool start(std::span<const std::uint8_t> message) noexcept;
  std::size_t generate(std::span<std::int16_t> out) noexcept;  // samples written; fewer when the spill ends
  bool idle() const noexcept { return mod_.idle(); }
  void reset() noexcept { mod_.reset(); }
  // Length in samples of a spill of `message_bytes` bytes.
  std::size_t spill_samples(std::size_t message_bytes) const noexcept;

 private:
  CallerIdSenderConfig cfg_;
  FskModulator mod_;
};

// The whole spill in one buffer (tools and tests; allocates).
std::vector<std::int16_t> callerid_fsk_spill(std::span<const std::uint8_t> message, const CallerIdSenderConfig& cfg);

}  // namespace linedsp
