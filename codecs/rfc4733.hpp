// codecs/rfc4733.hpp — RTP payload for DTMF digits and telephony events, RFC 4733 (telephone-event).
//
//  - The 4-byte event payload of RFC 4733 §2.3 (event, E, R, volume, duration), encode and decode.
//  - TelephoneEventSender: DTMF begin/end (digit, sample index) to event packets per §2.5.1 — the
//    first packet with the RTP marker bit, updates every packet interval carrying the duration so far,
//    the final packet (E bit) sent three times, every packet of an event stamped with the event's
//    start, durations in timestamp units, and events longer than 0xFFFF units split into segments.
//  - TelephoneEventReceiver: packets back to digit begin/end per §2.5.2 — duplicates (the repeated
//    end packets, or RFC 2198 redundancy unpacked by the caller) ignored, late and reordered packets
//    never restart or shorten an event, an event whose end packets were all lost ended by the next
//    event or by a timeout, segments of a long event joined into one.
// The RTP header itself (sequence numbers, SSRC, payload type) belongs to the caller's RTP stack:
// packets here carry only what RFC 4733 defines (timestamp, marker, payload). Everything is noexcept
// and allocation-free; events go to sinks (signals/event.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "signals/event.hpp"

namespace linedsp {

// RFC 4733 §2.3 payload fields.
struct TelephoneEvent {
  std::uint8_t event = 0;       // §3.2: 0-9, 10 '*', 11 '#', 12-15 'A'-'D', 16 flash
  bool end = false;             // E bit
  bool reserved = false;        // R bit: sent as 0, ignored on receipt (§2.3)
  std::uint8_t volume = 0;      // 0..63: the power level is -volume dBm0 (§2.3)
  std::uint16_t duration = 0;   // in RTP timestamp units (§2.3, §2.5.1.2)

  friend bool operator==(const TelephoneEvent&, const TelephoneEvent&) = default;
};

inline constexpr std::size_t kTelephoneEventPayloadBytes = 4;
inline constexpr std::uint8_t kTelephoneEventFlash = 16;

// Writes the 4 payload bytes (network order); returns 4, or 0 if out is shorter.
std::size_t encode_telephone_event(const TelephoneEvent& e, std::span<std::uint8_t> out) noexcept;
// Reads the first 4 bytes of in; false if in is shorter.
bool decode_telephone_event(std::span<const std::uint8_t> in, TelephoneEvent& e) noexcept;

// RFC 4733 §3.2 DTMF event codes: '0'-'9', '*', '#', 'A'-'D' (also 'a'-'d'); -1 for anything else.
int dtmf_event_code(char digit) noexcept;
// The digit of a DTMF event code 0-15, or 0 for any other code.
char dtmf_event_digit(std::uint8_t code) noexcept;

// One telephone-event RTP packet as far as RFC 4733 defines it.
struct TelephoneEventPacket {
  std::uint32_t timestamp = 0;  // the event's (segment's) start, RTP units
  bool marker = false;          // the RTP M bit: first packet of an event
  TelephoneEvent event{};
  std::array<std::uint8_t, kTelephoneEventPayloadBytes> payload{};  // event encoded per §2.3
};

struct TelephoneEventSenderConfig {
  int sample_rate_hz = 8000;       // the telephone-event RTP clock equals the audio rate
  int packet_interval_ms = 50;     // updates during an event (§2.5.1.2; 50 ms is our default, taken
                                   // from common practice, not a number checked against the RFC text)
  int end_packets = 3;             // §2.5.1.4: the final packet is sent three times
  int volume = 10;                 // reported power, -dBm0 (0..63)
  std::uint32_t timestamp_offset = 0;  // RTP timestamp of sample index 0 (random per RFC 3550)
};

// Turns DTMF begin/end events into telephone-event packets. Time is the sample index of the audio the
// events were detected in; the caller calls advance() as its clock runs (each audio block) so updates
// and repeated end packets go out on time.
class TelephoneEventSender {
 public:
  explicit TelephoneEventSender(const TelephoneEventSenderConfig& cfg = {});

  // A digit began at start_sample, reported at now_sample (>= start_sample: detectors confirm late).
  // Sends the first packet (marker set, duration so far). An unfinished previous event is ended at
  // start_sample first; pending repeated end packets of the previous event are flushed. A character
  // that is not a DTMF digit (dtmf_event_code < 0) is ignored.
  template <EventSink<TelephoneEventPacket> Sink>
  void begin(char digit, std::uint64_t start_sample, std::uint64_t now_sample, Sink& sink) noexcept;

  // The digit ended at end_sample: sends the first end packet now, the repeats on later advance()
  // calls, one per packet interval. Ignored if no event is active.
  template <EventSink<TelephoneEventPacket> Sink>
  void end(std::uint64_t end_sample, Sink& sink) noexcept;

  // The clock reached now_sample: sends the updates and repeated end packets that are due.
  template <EventSink<TelephoneEventPacket> Sink>
  void advance(std::uint64_t now_sample, Sink& sink) noexcept;

  bool active() const noexcept { return active_; }
  void reset() noexcept;

  // For the tests and callers that want it in samples.
  std::uint64_t packet_interval_samples() const noexcept { return interval_samples_; }

 private:
  TelephoneEventPacket make(std::uint64_t duration, bool end, bool marker) const noexcept;
  template <EventSink<TelephoneEventPacket> Sink>
  void send_until(std::uint64_t t, bool end, bool marker, Sink& sink) noexcept;

  TelephoneEventSenderConfig cfg_;
  std::uint64_t interval_samples_ = 400;
  bool active_ = false;
  std::uint8_t code_ = 0;
  std::uint64_t segment_start_ = 0;  // start of the current segment (sample index)
  std::uint64_t last_sent_ = 0;      // sample time of the last packet
  int end_repeats_left_ = 0;
  TelephoneEventPacket end_packet_{};
};

// A digit recovered from packets. begin: timestamp is the event's start; end: the same start and the
// whole duration (segments of a long event summed), in RTP units.
struct TelephoneEventDigit {
  char digit = 0;                 // 0 for non-DTMF events (see event_code)
  std::uint8_t event_code = 0;
  bool begin = false;
  std::uint32_t timestamp = 0;
  std::uint64_t duration = 0;     // end only
  std::uint8_t volume = 0;
};

struct TelephoneEventReceiverConfig {
  int sample_rate_hz = 8000;
  // An event with no packet for this long past its last reported duration is ended (all its end
  // packets lost and no next event). Our choice, not a number from the RFC: three 50 ms intervals + margin.
  int timeout_ms = 200;
};

class TelephoneEventReceiver {
 public:
  explicit TelephoneEventReceiver(const TelephoneEventReceiverConfig& cfg = {});

  // One received telephone-event packet (or one RFC 2198 redundant block, with its own timestamp).
  // Payloads shorter than 4 bytes are ignored.
  template <EventSink<TelephoneEventDigit> Sink>
  void receive(std::uint32_t timestamp, bool marker, std::span<const std::uint8_t> payload, Sink& sink) noexcept;

  // The receiver's clock (RTP units of the same stream) reached now: ends an event that timed out.
  template <EventSink<TelephoneEventDigit> Sink>
  void advance(std::uint32_t now, Sink& sink) noexcept;

  bool active() const noexcept { return active_; }
  void reset() noexcept;

 private:
  TelephoneEventDigit digit_event(bool begin) const noexcept;
  template <EventSink<TelephoneEventDigit> Sink>
  void finish(Sink& sink) noexcept;

  std::uint32_t timeout_units_ = 1600;
  bool active_ = false;
  bool have_last_ = false;         // an event has been seen (for late/duplicate detection)
  std::uint8_t code_ = 0;
  std::uint8_t volume_ = 0;
  std::uint32_t start_ = 0;        // event start (first segment's timestamp)
  std::uint32_t segment_ = 0;      // current segment's timestamp
  std::uint64_t done_ = 0;         // duration of the completed segments before segment_
  std::uint16_t duration_ = 0;     // latest duration in the current segment
};

// --- implementation ---------------------------------------------------------------------------------

template <EventSink<TelephoneEventPacket> Sink>
void TelephoneEventSender::send_until(std::uint64_t t, bool end, bool marker, Sink& sink) noexcept {
  // §2.5.1.3: a segment reaching the 16-bit maximum is reported with duration 0xFFFF and the event
  // continues as a new segment whose timestamp is the old one plus 0xFFFF (no marker bit).
  while (t - segment_start_ > 0xFFFF) {
    sink(make(0xFFFF, false, marker));
    marker = false;
    segment_start_ += 0xFFFF;
  }
  const TelephoneEventPacket p = make(t - segment_start_, end, marker);
  sink(p);
  if (end) end_packet_ = p;
}

template <EventSink<TelephoneEventPacket> Sink>
void TelephoneEventSender::begin(char digit, std::uint64_t start_sample, std::uint64_t now_sample,
                                 Sink& sink) noexcept {
  const int code = dtmf_event_code(digit);
  if (code < 0) return;
  if (active_) end(start_sample, sink);
  while (end_repeats_left_ > 0) {  // a new event: the old one's repeats go out now
    --end_repeats_left_;
    sink(end_packet_);
  }
  if (now_sample < start_sample) now_sample = start_sample;
  active_ = true;
  code_ = static_cast<std::uint8_t>(code);
  segment_start_ = start_sample;
  last_sent_ = now_sample;
  send_until(now_sample, false, true, sink);
}

template <EventSink<TelephoneEventPacket> Sink>
void TelephoneEventSender::end(std::uint64_t end_sample, Sink& sink) noexcept {
  if (!active_) return;
  if (end_sample < segment_start_) end_sample = segment_start_;
  active_ = false;
  send_until(end_sample, true, false, sink);
  end_repeats_left_ = cfg_.end_packets - 1;
  last_sent_ = end_sample > last_sent_ ? end_sample : last_sent_;
}

template <EventSink<TelephoneEventPacket> Sink>
void TelephoneEventSender::advance(std::uint64_t now_sample, Sink& sink) noexcept {
  while (now_sample >= last_sent_ + interval_samples_) {
    last_sent_ += interval_samples_;
    if (active_) {
      send_until(last_sent_, false, false, sink);
    } else if (end_repeats_left_ > 0) {
      --end_repeats_left_;
      sink(end_packet_);
    } else {
      last_sent_ = now_sample;
      break;
    }
  }
}

template <EventSink<TelephoneEventDigit> Sink>
void TelephoneEventReceiver::finish(Sink& sink) noexcept {
  active_ = false;
  sink(digit_event(false));
}

template <EventSink<TelephoneEventDigit> Sink>
void TelephoneEventReceiver::receive(std::uint32_t timestamp, bool /*marker*/, std::span<const std::uint8_t> payload,
                                     Sink& sink) noexcept {
  // The marker bit is not needed: §2.5.2 identifies an event by its timestamp (a lost first packet
  // must not lose the event), so the marker is accepted but not relied on.
  TelephoneEvent e;
  if (!decode_telephone_event(payload, e)) return;
  if (have_last_) {
    const auto ahead = static_cast<std::int32_t>(timestamp - segment_);  // RTP timestamps wrap
    const bool same_segment = timestamp == segment_ && e.event == code_;
    // §2.5.1.3: the next segment of a long event starts 0xFFFF after the previous one.
    const bool next_segment = active_ && e.event == code_ && timestamp == segment_ + 0xFFFF;
    if (same_segment) {
      if (!active_) return;                          // duplicate or late packet of an ended event
      if (!e.end && e.duration < duration_) return;  // reordered: an older update (an end packet is
                                                     // final even if shorter than an update was)
      duration_ = e.duration;
      volume_ = e.volume;
      if (e.end) finish(sink);
      return;
    }
    if (next_segment) {
      done_ += 0xFFFF;
      segment_ = timestamp;
      duration_ = e.duration;
      if (e.end) finish(sink);
      return;
    }
    if (ahead <= 0) return;  // an older event (late, reordered or redundant): already reported or past
    if (active_) {
      // A new event while the old one has not ended: its end packets were lost. End it at the
      // duration last heard (or where the new one starts, if that is earlier).
      const std::uint64_t gap = static_cast<std::uint32_t>(timestamp - start_);
      if (done_ + duration_ > gap) {
        done_ = 0;
        duration_ = static_cast<std::uint16_t>(gap > 0xFFFF ? 0xFFFF : gap);
      }
      finish(sink);
    }
  }
  have_last_ = true;
  active_ = true;
  code_ = e.event;
  volume_ = e.volume;
  start_ = segment_ = timestamp;
  done_ = 0;
  duration_ = e.duration;
  sink(digit_event(true));
  if (e.end) finish(sink);
}

template <EventSink<TelephoneEventDigit> Sink>
void TelephoneEventReceiver::advance(std::uint32_t now, Sink& sink) noexcept {
  if (!active_) return;
  const auto since = static_cast<std::int32_t>(now - (segment_ + duration_));
  if (since > static_cast<std::int32_t>(timeout_units_)) finish(sink);
}

}  // namespace linedsp
