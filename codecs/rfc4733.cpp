// codecs/rfc4733.cpp — RFC 4733 telephone-event payload and the sender/receiver constructors.
#include "codecs/rfc4733.hpp"

#include <stdexcept>
#include <string>

namespace linedsp {

// RFC 4733 §2.3, Figure 1:
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |     event     |E|R| volume    |          duration             |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
std::size_t encode_telephone_event(const TelephoneEvent& e, std::span<std::uint8_t> out) noexcept {
  if (out.size() < kTelephoneEventPayloadBytes) return 0;
  out[0] = e.event;
  out[1] = static_cast<std::uint8_t>((e.end ? 0x80 : 0) | (e.reserved ? 0x40 : 0) | (e.volume & 0x3F));
  out[2] = static_cast<std::uint8_t>(e.duration >> 8);
  out[3] = static_cast<std::uint8_t>(e.duration & 0xFF);
  return kTelephoneEventPayloadBytes;
}

bool decode_telephone_event(std::span<const std::uint8_t> in, TelephoneEvent& e) noexcept {
  if (in.size() < kTelephoneEventPayloadBytes) return false;
  e.event = in[0];
  e.end = (in[1] & 0x80) != 0;
  e.reserved = (in[1] & 0x40) != 0;
  e.volume = in[1] & 0x3F;
  e.duration = static_cast<std::uint16_t>((in[2] << 8) | in[3]);
  return true;
}

int dtmf_event_code(char d) noexcept {
  if (d >= '0' && d <= '9') return d - '0';
  if (d == '*') return 10;
  if (d == '#') return 11;
  if (d >= 'A' && d <= 'D') return 12 + (d - 'A');
  if (d >= 'a' && d <= 'd') return 12 + (d - 'a');
  return -1;
}

char dtmf_event_digit(std::uint8_t code) noexcept {
  static constexpr char kDigits[] = "0123456789*#ABCD";
  return code < 16 ? kDigits[code] : '\0';
}

namespace {
void require(bool ok, const char* field, const std::string& why) {
  if (!ok) throw std::invalid_argument(std::string(field) + ": " + why);
}
}  // namespace

TelephoneEventSender::TelephoneEventSender(const TelephoneEventSenderConfig& cfg) : cfg_(cfg) {
  require(cfg.sample_rate_hz >= 8000 && cfg.sample_rate_hz <= 48000, "sample_rate_hz", "must be 8000..48000");
  require(cfg.packet_interval_ms >= 5 && cfg.packet_interval_ms <= 1000, "packet_interval_ms", "must be 5..1000");
  require(cfg.end_packets >= 1 && cfg.end_packets <= 10, "end_packets", "must be 1..10 (RFC 4733 §2.5.1.4: 3)");
  require(cfg.volume >= 0 && cfg.volume <= 63, "volume", "must be 0..63 (-dBm0)");
  interval_samples_ =
      static_cast<std::uint64_t>(cfg.sample_rate_hz) * static_cast<std::uint64_t>(cfg.packet_interval_ms) / 1000;
}

void TelephoneEventSender::reset() noexcept {
  active_ = false;
  code_ = 0;
  segment_start_ = 0;
  last_sent_ = 0;
  end_repeats_left_ = 0;
  end_packet_ = {};
}

TelephoneEventPacket TelephoneEventSender::make(std::uint64_t duration, bool end, bool marker) const noexcept {
  TelephoneEventPacket p;
  p.timestamp = static_cast<std::uint32_t>(cfg_.timestamp_offset + segment_start_);  // wraps mod 2^32
  p.marker = marker;
  p.event.event = code_;
  p.event.end = end;
  p.event.volume = static_cast<std::uint8_t>(cfg_.volume);
  p.event.duration = static_cast<std::uint16_t>(duration);
  encode_telephone_event(p.event, p.payload);
  return p;
}

TelephoneEventReceiver::TelephoneEventReceiver(const TelephoneEventReceiverConfig& cfg) {
  require(cfg.sample_rate_hz >= 8000 && cfg.sample_rate_hz <= 48000, "sample_rate_hz", "must be 8000..48000");
  require(cfg.timeout_ms >= 50 && cfg.timeout_ms <= 10000, "timeout_ms", "must be 50..10000");
  timeout_units_ = static_cast<std::uint32_t>(cfg.sample_rate_hz / 1000 * cfg.timeout_ms);
}

void TelephoneEventReceiver::reset() noexcept {
  active_ = false;
  have_last_ = false;
  code_ = 0;
  volume_ = 0;
  start_ = segment_ = 0;
  done_ = 0;
  duration_ = 0;
}

TelephoneEventDigit TelephoneEventReceiver::digit_event(bool begin) const noexcept {
  TelephoneEventDigit d;
  d.digit = dtmf_event_digit(code_);
  d.event_code = code_;
  d.begin = begin;
  d.timestamp = start_;
  d.duration = begin ? 0 : done_ + duration_;
  d.volume = volume_;
  return d;
}

}  // namespace linedsp
