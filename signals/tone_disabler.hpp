// signals/tone_disabler.hpp — the network tone disabler's decision (ITU-T G.164 echo suppressors, G.165/G.168
// echo cancellers) as events and state an echo canceller follows (EchoCanceller::follow()).
//
//  - 2100 Hz with periodic phase reversals (V.25 /ANS, V.8 /ANSam): disable the canceller (G.165/G.168).
//  - plain 2100 Hz (ANS/CED, ANSam): disable only the non-linear processor (G.164 disables suppressors; a canceller
//    keeps cancelling but must not clip the data that follows).
//  - Holding and release: once disabled, stay so while the signal holds above hold_level_dbm0 (about -36 dBm0,
//    REFERENCES.md "check"), and re-enable after release_ms of signal below it (G.165: 250 +-150 ms; check).
// Detection is signals/modem_tone_detector.hpp's answer-tone path: band 2100 +-21 Hz (+1 Hz allowance), reversals
// 180 deg (>= 140 counted) every 450 +-25 ms. Operate time (REFERENCES.md: within about 1 s): /ANS about 455 ms
// after the tone's onset, plain ANS 500 ms; a plain tone that later shows reversals upgrades NLP-off to
// canceller-off.
//
// Run it on the far-end (Rin) signal — the tone comes from the far modem — then call EchoCanceller::follow(td).
// process() is noexcept, allocation-free, and independent of how the caller splits the input.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "signals/event.hpp"
#include "signals/modem_tone_detector.hpp"

namespace linedsp {

struct ToneDisablerConfig {
  int sample_rate_hz = 8000;       // 8000 or 16000
  double hold_level_dbm0 = -36.0;  // G.164/G.165 holding threshold (check)
  int release_ms = 250;            // G.165: 250 +-150 ms below the holding threshold re-enables (check)
  ModemToneDetectorConfig detector;  // its sample_rate_hz is taken from above
};

struct ToneDisablerEvent {
  enum class Action : std::uint8_t { disable_nlp, disable_canceller, enable };
  Action action = Action::enable;
  std::uint64_t sample = 0;      // where the decision takes effect (end of the block that decided it)
  std::uint64_t tone_onset = 0;  // disable events: onset of the 2100 Hz tone that caused it
};

class ToneDisabler {
 public:
  // Validates (std::invalid_argument naming the field).
  explicit ToneDisabler(const ToneDisablerConfig& cfg = {}, Isa isa = active_isa());

  template <EventSink<ToneDisablerEvent> Sink>
  void process(std::span<const std::int16_t> pcm, Sink& sink) noexcept {
    auto collect = [this](const ModemToneEvent& e) {
      if (e.begin && is_answer_tone(e.tone) && n_begun_ < begun_.size()) begun_[n_begun_++] = e;
    };
    while (!pcm.empty()) {
      std::size_t n = det_.block_samples() - det_.pending_samples();
      if (n > pcm.size()) n = pcm.size();
      det_.process(pcm.first(n), collect);
      pcm = pcm.subspan(n);
      if (det_.pending_samples() == 0) {
        block_done();
        for (std::size_t i = 0; i < n_out_; ++i) sink(out_[i]);
      }
    }
  }

  bool canceller_disabled() const noexcept { return canceller_; }
  bool nlp_disabled() const noexcept { return nlp_; }
  void reset() noexcept;
  std::size_t memory_bytes() const noexcept { return sizeof(*this); }

 private:
  void block_done() noexcept;
  ToneDisablerConfig cfg_;
  ModemToneDetector det_;
  float hold_power_;
  std::uint64_t release_samples_;
  bool canceller_ = false, nlp_ = false;
  std::uint64_t quiet_ = 0;  // samples below the holding level while disabled
  std::array<ModemToneEvent, 4> begun_{};
  std::size_t n_begun_ = 0;
  std::array<ToneDisablerEvent, 4> out_{};
  std::size_t n_out_ = 0;
};

}  // namespace linedsp
