// ports/fxs_port.hpp — the FXS port: the exchange side of a loop facing a telephone (DESIGN.md "Ports").
//
//   idle --hook_off--> dial tone --first digit--> collecting --inter-digit timeout / max digits / '#'--> call
//   idle --ring()--> ringing (cadence; caller ID after the first ring) --hook_off (ring trip)--> call
//   call --on-hook--> (on-hook shorter than flash_max_ms: flash, still in call) | (longer: hang_up, released)
// Every timer is a Config field; for_country() takes the ring cadence from the country's tone plan and the caller
// ID modem from its practice (Bell 202 in North America per Telcordia GR-30, V.23 per ETSI EN 300 659 elsewhere).
//
// Audio: process() takes the samples received from the line (rx: the phone's voice plus the hybrid echo of what
// the port sends) and the VoIP side's audio, and produces what the port sends to the line (tx: tones, caller ID,
// or the VoIP audio in a call) and the cleaned audio for the VoIP side (the echo canceller's output, far = tx,
// near = rx). A modem-tone detector on each direction drives the tone disabler (ports/port_event.hpp).
//
// Timing: line events (from the line's exchange end) are given with on_line_event() before the block that follows
// them; timers are checked once per process() call, so they resolve to the caller's block (10 ms in `linedsp sim`).
// Real-time contract: process(), on_line_event() and the controls are noexcept and allocation-free.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "devices/line_device.hpp"
#include "ports/port_event.hpp"
#include "signals/callerid.hpp"
#include "signals/dtmf_detector.hpp"
#include "signals/echo_canceller.hpp"
#include "signals/event.hpp"
#include "signals/modem_tone_detector.hpp"
#include "signals/tone_generator.hpp"
#include "signals/tone_plan.hpp"

namespace linedsp {

struct FxsPortConfig {
  RingCadence ring{{2000, 4000}, 2};  // North America (GR-506 / the us plan); for_country() takes the plan's
  int first_digit_timeout_ms = 10000;  // dial tone without a digit: reorder (common practice, check)
  int inter_digit_timeout_ms = 4000;   // end of dialling (common ATA default, check)
  int max_digits = 20;
  bool hash_ends_number = true;
  int flash_min_ms = 80;               // shorter on-hook: ignored (contact bounce)
  int flash_max_ms = 1000;             // longer on-hook: hang-up (hook flash 300-1000 ms typical, check)
  int cid_after_ring_ms = 500;         // GR-30: spill about 0.5 s after the first ring
  bool send_cid = true;
  CallerIdSenderConfig cid;            // modem, level, seizure and mark bits
  DtmfDetectorConfig dtmf;
  EchoCancellerConfig echo;
  ModemToneDetectorConfig modem;
  bool bypass_echo_on_cng = true;
  double tone_gain_db = 0.0;

  static FxsPortConfig for_country(const TonePlan& plan);
};

class FxsPort {
 public:
  enum class State : std::uint8_t { idle, dial_tone, collecting, call, ringing, reorder };
  static constexpr std::size_t kMaxEvents = 32;

  // Validates (std::invalid_argument naming the field), builds the tone generators from the plan (dial, busy,
  // congestion: a plan without them fails), the detectors and the canceller. `line` receives the controls
  // (ring, ring_off); it must outlive the port.
  FxsPort(const TonePlan& plan, LineDevice& line, const FxsPortConfig& cfg);

  void on_line_event(const LineEvent& e) noexcept;
  // Gateway controls. ring(): false unless idle and on-hook. cid may be null.
  bool ring(const CallerIdMessage* cid) noexcept;
  void stop_ringing() noexcept;
  void play_tone(ToneKind kind) noexcept;  // busy / congestion / dial to the phone (replaces the VoIP audio)
  void stop_tone() noexcept;

  template <EventSink<PortEvent> Sink>
  void process(std::span<const std::int16_t> rx, std::span<std::int16_t> tx, std::span<const std::int16_t> voip_in,
               std::span<std::int16_t> voip_out, Sink& sink) noexcept {
    run(rx, tx, voip_in, voip_out);
    for (const auto& e : events_) sink(e);
    events_.clear();
  }

  State state() const noexcept { return state_; }
  bool off_hook() const noexcept { return off_hook_; }
  std::uint64_t samples() const noexcept { return now_; }
  const EchoCanceller& echo_canceller() const noexcept { return ec_; }
  std::string_view number() const noexcept { return {digits_.data(), ndigits_}; }
  void reset() noexcept;

 private:
  void run(std::span<const std::int16_t> rx, std::span<std::int16_t> tx, std::span<const std::int16_t> voip_in,
           std::span<std::int16_t> voip_out) noexcept;
  void emit(PortEventKind k, std::uint64_t at, int value = 0) noexcept;
  void finish_number(int why) noexcept;
  void release() noexcept;
  std::uint64_t ms(int v) const noexcept { return static_cast<std::uint64_t>(v) * 8u; }

  FxsPortConfig cfg_;
  LineDevice& line_;
  ToneGenerator dial_, busy_, congestion_;
  ToneGenerator* tone_ = nullptr;
  DtmfDetector dtmf_;
  ModemToneDetector modem_rx_, modem_tx_;
  EchoCanceller ec_;
  PortToneDisabler disabler_;
  CallerIdSender cid_tx_;
  FixedEventBuffer<PortEvent, kMaxEvents> events_;

  State state_ = State::idle;
  std::uint64_t now_ = 0;
  bool off_hook_ = false;
  std::uint64_t on_hook_at_ = 0;
  bool on_hook_pending_ = false;
  std::uint64_t deadline_ = 0;
  std::array<char, 32> digits_{};
  std::size_t ndigits_ = 0;
  // ringing
  std::uint64_t ring_start_ = 0, cid_at_ = 0;
  bool cid_pending_ = false, cid_active_ = false;
  std::array<std::uint8_t, 160> cid_msg_{};
  std::size_t cid_len_ = 0;
  CallerIdMessage cid_info_{};
};

// Bellcore MDMF / ETSI call set-up message (date-time, number or absence reason, name or absence reason),
// written into `out` without allocating; returns the length (0 if it does not fit).
std::size_t encode_mdmf(const CallerIdMessage& msg, std::span<std::uint8_t> out) noexcept;

}  // namespace linedsp
