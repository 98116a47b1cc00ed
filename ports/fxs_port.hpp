// ports/fxs_port.hpp — the FXS port: the exchange side of a loop facing a telephone (DESIGN.md "Ports").
//
//   idle --hook_off--> dial tone --first digit--> collecting --inter-digit timeout / max digits / '#'--> call
//   idle --ring()--> ringing (cadence; caller ID per cid_procedure) --hook_off (ring trip)--> call
//   call --on-hook--> (on-hook shorter than flash_max_ms: flash, still in call) | (longer: hang_up, released)
// Every timer is a Config field; for_country() takes the ring cadence from the country's tone plan and the caller
// ID modem and procedure from its practice (Bell 202 after the first ring in North America per Telcordia GR-30;
// V.23 before the first ring, line reversal + DT-AS, per ETSI EN 300 659-1 elsewhere).
//
// Caller ID procedures (cid_procedure; the delays are CallerIdTiming's, signals/callerid_procedure.hpp):
//   bellcore_on_hook, etsi_after_ring  ring at once; the spill starts cid_after_ring_ms after the first ring ends
//   etsi_dtas      line reversal; reversal_to_alert_ms; DT-AS (dtas: 2130 + 2750 Hz, duration_ms); alert_to_data_ms;
//                  the spill; data_to_ring_ms; ringing with the cadence
//   etsi_rpas      ring pulse (ring_pulse_ms); pulse_to_data_ms; the spill; data_to_ring_ms; ringing
//   etsi_polarity  line reversal; reversal_to_data_ms; the spill; data_to_ring_ms; ringing
// The line reversal is held until the port is idle again (released or stop_ringing()). Without caller ID data
// every procedure rings at once.
//
// Audio: process() takes the samples received from the line (rx: the phone's voice plus the hybrid echo of what
// the port sends) and the VoIP side's audio, and produces what the port sends to the line (tx: tones, caller ID,
// or the VoIP audio in a call) and the cleaned audio for the VoIP side (the echo canceller's output, far = tx,
// near = rx). A modem-tone detector on each direction drives the tone disabler (ports/port_event.hpp).
//
// Timing: sample-exact and independent of how the caller splits the stream. process() cuts its block at every
// timer's deadline and at every queued line event, so a timer fires (and its event is stamped) at exactly its
// sample. Line events (from the line's exchange end) are given with on_line_event(): an event whose frame lies
// ahead of the port's clock is queued (up to kMaxPendingLineEvents) and applied at that sample; one at or
// behind it is applied at once, stamped with its own frame.
// Echo canceller: bypassed (no adaptation) outside a call, so it never adapts on the port's own narrowband
// tones (dial tone, caller ID), and reset when a call starts (number complete or answered); see docs/ports.md.
// Real-time contract: process(), on_line_event() and the controls are noexcept and allocation-free.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "devices/line_device.hpp"
#include "ports/port_event.hpp"
#include "signals/callerid.hpp"
#include "signals/callerid_procedure.hpp"
#include "signals/cas.hpp"
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
  // On-hook caller ID procedure and its delays (see the header comment). Supported: bellcore_on_hook,
  // etsi_after_ring, etsi_dtas, etsi_rpas, etsi_polarity.
  CallerIdProcedure cid_procedure = CallerIdProcedure::bellcore_on_hook;
  CallerIdTiming cid_timing;
  CasGeneratorConfig dtas = CasGeneratorConfig::etsi_dtas();  // EN 300 659-1 DT-AS 2130 + 2750 Hz, 100 ms

  static FxsPortConfig for_country(const TonePlan& plan);
};

class FxsPort {
 public:
  enum class State : std::uint8_t { idle, dial_tone, collecting, call, ringing, reorder };
  static constexpr std::size_t kMaxEvents = 32;
  static constexpr std::size_t kMaxPendingLineEvents = 16;
  // Decisions taken from the audio (a digit stops dial tone, a tone is confirmed) act at the next multiple of this
  // many samples of the port's clock (10 ms), so transmit and events do not depend on the caller's block size.
  static constexpr std::uint64_t kDecisionGridSamples = 80;

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
  bool polarity_reversed() const noexcept { return reversed_; }
  std::uint64_t samples() const noexcept { return now_; }
  const EchoCanceller& echo_canceller() const noexcept { return ec_; }
  std::string_view number() const noexcept { return {digits_.data(), ndigits_}; }
  void reset() noexcept;

 private:
  void run(std::span<const std::int16_t> rx, std::span<std::int16_t> tx, std::span<const std::int16_t> voip_in,
           std::span<std::int16_t> voip_out) noexcept;
  void segment(std::span<const std::int16_t> rx, std::span<std::int16_t> tx, std::span<const std::int16_t> voip_in,
               std::span<std::int16_t> voip_out) noexcept;
  void fire_timers() noexcept;
  std::uint64_t next_deadline() const noexcept;
  void apply_line_event(const LineEvent& e) noexcept;
  void emit(PortEventKind k, std::uint64_t at, int value = 0) noexcept;
  void finish_number(int why, std::uint64_t at, bool at_once) noexcept;
  void release() noexcept;
  void start_call(bool at_once) noexcept;
  void grid_actions() noexcept;
  void end_alerting() noexcept;
  void start_spill() noexcept;
  void set_reversed(bool r) noexcept;
  void sync_canceller() noexcept;
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
  CasGenerator dtas_;
  FixedEventBuffer<PortEvent, kMaxEvents> events_;
  std::array<LineEvent, kMaxPendingLineEvents> pending_{};
  std::size_t npending_ = 0;

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
  bool cid_pending_ = false, cid_active_ = false, dtas_active_ = false, reversed_ = false, cadence_on_ = false;
  // pre-ring caller ID steps (ETSI): what happens at step_at_
  enum class Step : std::uint8_t { none, alert, data, pulse_end, first_ring } step_ = Step::none;
  std::uint64_t step_at_ = 0;
  // decisions taken from the audio, applied at the next kDecisionGridSamples boundary
  bool stop_tone_at_grid_ = false, call_audio_ = false, call_audio_at_grid_ = false, sync_at_grid_ = false;
  std::array<std::uint8_t, 160> cid_msg_{};
  std::size_t cid_len_ = 0;
  CallerIdMessage cid_info_{};
};

// Bellcore MDMF / ETSI call set-up message (date-time, number or absence reason, name or absence reason),
// written into `out` without allocating; returns the length (0 if it does not fit).
std::size_t encode_mdmf(const CallerIdMessage& msg, std::span<std::uint8_t> out) noexcept;

}  // namespace linedsp
