// ports/fxo_port.hpp — the FXO port: the phone side of a loop facing an exchange (DESIGN.md "Ports").
//
// Incoming:  idle --ring bursts (cadence validated by RingDetector)--> ringing, caller ID decoded between rings
//            --answer_after_rings rings (or answer())--> connected. A ring cycle whose cadence matches none of the
//            plan's (ring_cadence value -1) stops the automatic answer for that call (answer() still works).
// Outgoing:  dial(number): seize (off-hook) --dial tone (ProgressDetector) within dial_tone_timeout_ms--> dial DTMF
//            --> waiting: ringback begin/end, busy/congestion, far answer (polarity reversal, or ringback ending)
//            --> connected
// Disconnect supervision in a call (each switchable): loop current interrupted for at least min_loop_drop_ms;
// a battery polarity reversal; busy or congestion tone (the progress detector's confirmation: about 2 cadence
// cycles); silence below silence_dbm0 for silence_timeout_ms (0 = off). Then on-hook and released.
// Every timer is a Config field; for_country() sets the caller ID modem by the country's practice.
//
// On-hook caller ID is decoded whenever the line is on-hook, so every EN 300 659-1 / GR-30 procedure is received:
// after the first ring (Bellcore, ETSI), before it after a line reversal (with or without DT-AS: the reversal
// is not a disconnect while idle; a message decoded while idle starts the incoming call, released if no ring
// follows within ring_timeout_ms), and after a ring pulse (RP-AS: a first burst shorter than rpas_max_ms is an
// alert, not a ring: it is neither counted nor judged as a cadence).
//
// Audio as FxsPort: rx from the line, tx to the line (DTMF when dialling, the VoIP audio in a call), voip_out =
// echo-cancelled rx; the tone disabler follows modem tones in both directions. The canceller is bypassed outside a
// call (no adaptation on the port's own DTMF) and reset when the call's audio starts (dialled, or answered).
// Timing as FxsPort: process() cuts its block at every timer's deadline and at queued line events (on_line_event()
// with a frame ahead of the port's clock), so timers fire at their exact sample whatever the block size.
// Real-time contract: process(), on_line_event() and the controls are noexcept and allocation-free.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "devices/line_device.hpp"
#include "ports/port_event.hpp"
#include "signals/callerid.hpp"
#include "signals/dtmf_generator.hpp"
#include "signals/echo_canceller.hpp"
#include "signals/event.hpp"
#include "signals/modem_tone_detector.hpp"
#include "signals/progress_detector.hpp"
#include "signals/ring.hpp"
#include "signals/tone_plan.hpp"

namespace linedsp {

struct FxoPortConfig {
  int answer_after_rings = 2;          // 0: never answer by itself (the gateway calls answer())
  int ring_timeout_ms = 8000;          // no ring for this long: the incoming call was abandoned (> any ring gap)
  int dial_tone_timeout_ms = 5000;     // seized without dial tone (E.180 dial tone; common ATA value, check)
  int dial_delay_ms = 200;             // after dial tone is confirmed, before the first digit
  int min_loop_drop_ms = 100;          // shorter interruptions are ignored (open switch interval >= 250 ms
                                       // for disconnect in GR-506 practice; check)
  bool disconnect_on_polarity = true;
  bool disconnect_on_busy = true;
  int silence_timeout_ms = 0;          // 0 = off
  double silence_dbm0 = -50.0;
  bool answer_on_ringback_end = true;  // no answer supervision on the line: ringback stopping means answered
  DtmfGeneratorConfig dtmf;
  ProgressDetectorConfig progress;
  RingDetectorConfig ring;
  CallerIdReceiverConfig cid;
  EchoCancellerConfig echo;
  ModemToneDetectorConfig modem;
  bool bypass_echo_on_cng = true;
  int rpas_max_ms = 400;               // EN 300 659-1 RP-AS is a 200-300 ms ring pulse (check); a first burst
                                       // shorter than this is an alert, not a ring. 0: off

  static FxoPortConfig for_country(const TonePlan& plan);
};

class FxoPort {
 public:
  enum class State : std::uint8_t { idle, ringing, seizing, dialling, waiting, connected };
  static constexpr std::size_t kMaxEvents = 32;
  static constexpr std::size_t kMaxPendingLineEvents = 16;
  // Decisions taken from the audio (a digit stops dial tone, a tone is confirmed) act at the next multiple of this
  // many samples of the port's clock (10 ms), so transmit and events do not depend on the caller's block size.
  static constexpr std::uint64_t kDecisionGridSamples = 80;

  // Validates (std::invalid_argument naming the field); `line` receives off_hook / on_hook.
  FxoPort(const TonePlan& plan, LineDevice& line, const FxoPortConfig& cfg);

  void on_line_event(const LineEvent& e) noexcept;
  // Gateway controls.
  bool dial(std::string_view number) noexcept;  // seize, wait for dial tone, dial; false unless idle
  bool answer() noexcept;                       // answer a ringing line
  void hang_up() noexcept;                      // on-hook, released

  template <EventSink<PortEvent> Sink>
  void process(std::span<const std::int16_t> rx, std::span<std::int16_t> tx, std::span<const std::int16_t> voip_in,
               std::span<std::int16_t> voip_out, Sink& sink) noexcept {
    run(rx, tx, voip_in, voip_out);
    for (const auto& e : events_) sink(e);
    events_.clear();
  }

  State state() const noexcept { return state_; }
  int rings() const noexcept { return rings_; }
  std::uint64_t samples() const noexcept { return now_; }
  const EchoCanceller& echo_canceller() const noexcept { return ec_; }
  void reset() noexcept;

 private:
  void run(std::span<const std::int16_t> rx, std::span<std::int16_t> tx, std::span<const std::int16_t> voip_in,
           std::span<std::int16_t> voip_out) noexcept;
  void segment(std::span<const std::int16_t> rx, std::span<std::int16_t> tx, std::span<const std::int16_t> voip_in,
               std::span<std::int16_t> voip_out) noexcept;
  void fire_timers() noexcept;
  std::uint64_t next_deadline() const noexcept;
  void apply_line_event(const LineEvent& e) noexcept;
  void start_audio() noexcept;
  void grid_actions() noexcept;
  void sync_canceller() noexcept;
  void emit(PortEventKind k, std::uint64_t at, int value = 0) noexcept;
  void disconnect(DisconnectReason r, std::uint64_t at) noexcept;
  void to_idle() noexcept;
  void restart_progress() noexcept;
  std::uint64_t ms(int v) const noexcept { return static_cast<std::uint64_t>(v) * 8u; }

  FxoPortConfig cfg_;
  LineDevice& line_;
  DtmfGenerator dtmf_;
  ProgressDetector progress_;
  RingDetector ring_;
  CallerIdReceiver cid_;
  ModemToneDetector modem_rx_, modem_tx_;
  EchoCanceller ec_;
  PortToneDisabler disabler_;
  FixedEventBuffer<PortEvent, kMaxEvents> events_;
  std::array<LineEvent, kMaxPendingLineEvents> pending_{};
  std::size_t npending_ = 0;
  bool ring_reset_ = false;  // the ring detector restarts after an RP-AS pulse
  bool bad_cadence_ = false; // a ring cycle of this call matched none of the plan's cadences: not answered
  // decisions taken from the audio, applied at the next kDecisionGridSamples boundary
  bool dialled_at_grid_ = false, answer_at_grid_ = false, disconnect_at_grid_ = false, sync_at_grid_ = false;
  DisconnectReason grid_reason_ = DisconnectReason::busy_tone;
  std::uint64_t grid_disconnect_sample_ = 0;
  double cell_energy_ = 0.0;  // silence supervision over grid cells
  std::uint64_t cell_samples_ = 0;

  State state_ = State::idle;
  std::uint64_t now_ = 0, deadline_ = 0, last_ring_ = 0;
  int rings_ = 0;
  bool off_hook_ = false, dropped_ = false, ringback_ = false, digits_queued_ = false;
  std::uint64_t drop_at_ = 0, silent_since_ = 0;
  std::array<char, 32> number_{};
  std::size_t nnumber_ = 0;
  float silence_power_ = 0.0f;
  std::uint64_t progress_base_ = 0;  // the port's sample at the progress detector's last reset
};

}  // namespace linedsp
