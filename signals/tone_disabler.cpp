// signals/tone_disabler.cpp — see the header.
#include "signals/tone_disabler.hpp"

#include <stdexcept>
#include <string>

#include "dsp/level.hpp"

namespace linedsp {

namespace {
ModemToneDetectorConfig detector_config(const ToneDisablerConfig& cfg) {
  if (cfg.sample_rate_hz != 8000 && cfg.sample_rate_hz != 16000)
    throw std::invalid_argument("ToneDisablerConfig.sample_rate_hz: must be 8000 or 16000");
  if (!(cfg.hold_level_dbm0 < 0.0 && cfg.hold_level_dbm0 > -70.0))
    throw std::invalid_argument("ToneDisablerConfig.hold_level_dbm0: must be in (-70, 0) dBm0");
  if (cfg.release_ms < 10 || cfg.release_ms > 5000)
    throw std::invalid_argument("ToneDisablerConfig.release_ms: must be in [10, 5000] ms");
  ModemToneDetectorConfig d = cfg.detector;
  d.sample_rate_hz = cfg.sample_rate_hz;
  return d;
}
}  // namespace

ToneDisabler::ToneDisabler(const ToneDisablerConfig& cfg, Isa isa)
    : cfg_(cfg),
      det_(detector_config(cfg), isa),
      hold_power_(static_cast<float>(dbm0_to_power(cfg.hold_level_dbm0))),
      release_samples_(static_cast<std::uint64_t>(cfg.release_ms) * static_cast<std::uint64_t>(cfg.sample_rate_hz) /
                       1000) {}

void ToneDisabler::reset() noexcept {
  det_.reset();
  canceller_ = nlp_ = false;
  quiet_ = 0;
  n_begun_ = 0;
  n_out_ = 0;
}

void ToneDisabler::block_done() noexcept {
  n_out_ = 0;
  const std::uint64_t now = det_.blocks() * det_.block_samples();  // end of the block just completed
  for (std::size_t i = 0; i < n_begun_; ++i) {
    const ModemToneEvent& e = begun_[i];
    if (has_phase_reversals(e.tone)) {
      if (!canceller_) {
        canceller_ = nlp_ = true;
        out_[n_out_++] = {ToneDisablerEvent::Action::disable_canceller, now, e.sample};
      }
    } else if (!nlp_) {
      nlp_ = true;
      out_[n_out_++] = {ToneDisablerEvent::Action::disable_nlp, now, e.sample};
    }
    quiet_ = 0;
  }
  n_begun_ = 0;
  if (!nlp_ && !canceller_) return;
  if (det_.last_block_power() >= hold_power_) {
    quiet_ = 0;
    return;
  }
  quiet_ += det_.block_samples();
  if (quiet_ >= release_samples_) {
    canceller_ = nlp_ = false;
    quiet_ = 0;
    out_[n_out_++] = {ToneDisablerEvent::Action::enable, now, 0};
  }
}

}  // namespace linedsp
