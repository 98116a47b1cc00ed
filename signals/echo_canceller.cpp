#include "signals/echo_canceller.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "dsp/level.hpp"

namespace linedsp {

namespace {
constexpr std::size_t kBlock = 16;
// Error energy (int16 units squared, per smoothed block) below which the background is never rolled back.
constexpr float kRollbackFloor = 1000.0f;
// The background must beat the foreground's error energy by this ratio (for kCopyAfterBlocks blocks) to be copied.
constexpr float kCopyRatio = 0.9f;
  // Geigel far-end maxima are kept per block of this many samples

// Round to nearest (ties to even, as std::nearbyint in the default mode) without a libm call: after the
// clamp |v| < 2^22, where adding and subtracting 1.5 * 2^23 leaves exactly the rounded integer.
float clamp_to_int16(float v) noexcept {
  constexpr float kMagic = 12582912.0f;
  return (std::clamp(v, -32768.0f, 32767.0f) + kMagic) - kMagic;
}

// Active window (EchoCancellerConfig::active_window): granularity, margin either side, how often it is
// recomputed, how long after a reopening it stays whole, and how long a poorly cancelling window lasts.
constexpr std::size_t kWindowBlock = 16;
constexpr std::size_t kWindowMarginBlocks = 2;   // 4 ms either side at 8 kHz
constexpr std::uint64_t kWindowCheck = 256;      // samples between narrowing attempts
constexpr int kWindowSettleMs = 500;             // whole tail for at least this long after a reopening
constexpr int kWindowPoorMs = 10;                // reopen after this much far-end talk cancelled < 10 dB

const EchoCancellerConfig& validate(const EchoCancellerConfig& c) {
  if (c.sample_rate_hz != 8000 && c.sample_rate_hz != 16000)
    throw std::invalid_argument("sample_rate_hz: must be 8000 or 16000");
  if (c.tail_ms < kEchoMinTailMs || c.tail_ms > kEchoMaxTailMs)
    throw std::invalid_argument("tail_ms: must be between 16 and 128");
  if (!(c.step_size > 0.0f && c.step_size < 2.0f)) throw std::invalid_argument("step_size: must be in (0, 2)");
  if (!(c.proportionate_alpha >= -1.0f && c.proportionate_alpha < 1.0f))
    throw std::invalid_argument("proportionate_alpha: must be in [-1, 1)");
  if (!(c.window_floor_db >= -90.0f && c.window_floor_db <= -20.0f))
    throw std::invalid_argument("window_floor_db: must be in [-90, -20]");
  if (c.gain_update_samples < 1) throw std::invalid_argument("gain_update_samples: must be at least 1");
  if (!(c.geigel_erl_db >= 0.0f && c.geigel_erl_db <= 40.0f))
    throw std::invalid_argument("geigel_erl_db: must be in [0, 40]");
  if (c.double_talk_hangover_ms < 0 || c.double_talk_hangover_ms > 1000)
    throw std::invalid_argument("double_talk_hangover_ms: must be in [0, 1000]");
  if (!(c.far_active_dbm0 > -90.0f && c.far_active_dbm0 < 0.0f))
    throw std::invalid_argument("far_active_dbm0: must be in (-90, 0)");
  if (!(c.regularisation_dbm0 > -120.0f && c.regularisation_dbm0 < 0.0f))
    throw std::invalid_argument("regularisation_dbm0: must be in (-120, 0)");
  return c;
}
}  // namespace

EchoCanceller::EchoCanceller(const EchoCancellerConfig& cfg, Isa isa)
    : cfg_(validate(cfg)),
      k_(&nlms_kernels(isa)),
      taps_(static_cast<std::size_t>(cfg.tail_ms) * static_cast<std::size_t>(cfg.sample_rate_hz) / 1000u),
      hist_slack_(taps_),
      w_(taps_),
      wf_(taps_),
      g_(taps_),
      hist_(taps_ + 1 + hist_slack_),
      block_max_((taps_ + kBlock - 1) / kBlock),
      tap_energy_((taps_ + kWindowBlock - 1) / kWindowBlock) {
  const float fs = static_cast<float>(cfg.sample_rate_hz);
  geigel_ratio_ = std::pow(10.0f, -cfg.geigel_erl_db / 20.0f);
  far_active_power_ = static_cast<float>(dbm0_to_power(cfg.far_active_dbm0));
  delta_ = static_cast<float>(dbm0_to_power(cfg.regularisation_dbm0));
  alpha_short_ = 1.0f / (0.008f * fs);
  alpha_long_ = 1.0f / (0.25f * fs);
  hold_decay_ = std::pow(10.0f, -2.0f / static_cast<float>(taps_));
  dt_hangover_ = static_cast<int>(cfg.double_talk_hangover_ms * cfg.sample_rate_hz / 1000);
  nlp_hangover_ = static_cast<int>(taps_) + cfg.sample_rate_hz / 50;  // the tail plus 20 ms
  window_floor_ = std::pow(10.0f, cfg.window_floor_db / 10.0f);
  reset();
}

void EchoCanceller::reset() noexcept {
  std::fill(w_.begin(), w_.end(), 0.0f);
  std::fill(wf_.begin(), wf_.end(), 0.0f);
  std::fill(hist_.begin(), hist_.end(), 0.0f);
  std::fill(block_max_.begin(), block_max_.end(), 0.0f);
  std::fill(tap_energy_.begin(), tap_energy_.end(), 0.0f);
  lo_ = 0;
  hi_ = taps_;
  k_->gains(w_.data(), g_.data(), taps_, cfg_.proportionate_alpha);
  gain_countdown_ = poor_run_ = 0;
  last_reopen_ = 0;
  narrowings_ = reopenings_ = 0;
  pos_ = hist_slack_;
  n_ = 0;
  a_ = p_ = 0.0f;
  py_ = pbe_ = px_hold_ = 0.0f;
  energy_run_ = bg_count_ = 0;
  cur_block_max_ = far_max_ = 0.0f;
  px_ = pd_ = pe_ = 0.0f;
  see_ = sff_ = s_ee_ = s_ff_ = 0.0f;
  pd_long_ = pe_long_ = 0.0f;
  background_ = 0.0f;
  hp_x1_ = hp_y1_ = hp_fx1_ = hp_fy1_ = 0.0f;
  dt_hold_ = far_hold_ = 0;
  copies_ = rollbacks_ = 0;
  block_dt_ = false;
  rng_ = 0x12345678u;
  nlp_active_ = false;
  frozen_ = bypass_ = false;
  nlp_on_ = cfg_.nlp_enabled;
}

float EchoCanceller::erle_estimate_db() const noexcept {
  return 10.0f * std::log10((pd_long_ + 1e-3f) / (pe_long_ + 1e-3f));
}

std::size_t EchoCanceller::memory_bytes() const noexcept {
  return sizeof(*this) + (w_.capacity() + wf_.capacity() + g_.capacity() + hist_.capacity() + block_max_.capacity() +
                           tap_energy_.capacity()) *
                              sizeof(float);
}

// Line echo paths are a bulk delay plus a few ms of dispersion (G.168 Annex D: 64-128 taps); the rest of the
// tail only carries the filters' misadjustment noise. Once converged, both filters run over the 16-tap
// blocks from the first to the last whose energy (foreground + background) is within window_floor_db of the
// strongest, plus a margin; the taps outside are zeroed. Cutting blocks that weak costs nothing measurable
// (they sum to far less than the residual the linear filter leaves) and the zeroed noise taps no longer add
// misadjustment.
void EchoCanceller::try_narrow_window() noexcept {
  const std::size_t blocks = tap_energy_.size();
  float top = 0.0f;
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t end = std::min(taps_, (b + 1) * kWindowBlock);
    float e = 0.0f;
    for (std::size_t k = b * kWindowBlock; k < end; ++k) e += w_[k] * w_[k] + wf_[k] * wf_[k];
    tap_energy_[b] = e;
    top = std::max(top, e);
  }
  if (!(top > 0.0f)) return;
  const float floor = top * window_floor_;
  std::size_t first = 0, last = blocks - 1;
  while (tap_energy_[first] < floor) ++first;
  while (tap_energy_[last] < floor) --last;
  first = first > kWindowMarginBlocks ? first - kWindowMarginBlocks : 0;
  last = std::min(blocks - 1, last + kWindowMarginBlocks);
  const std::size_t lo = first * kWindowBlock, hi = std::min(taps_, (last + 1) * kWindowBlock);
  if (lo <= lo_ && hi >= hi_) return;  // only ever narrows; reopen_window() widens
  const std::size_t new_lo = std::max(lo, lo_), new_hi = std::min(hi, hi_);
  std::fill(w_.begin() + static_cast<std::ptrdiff_t>(lo_), w_.begin() + static_cast<std::ptrdiff_t>(new_lo), 0.0f);
  std::fill(wf_.begin() + static_cast<std::ptrdiff_t>(lo_), wf_.begin() + static_cast<std::ptrdiff_t>(new_lo), 0.0f);
  std::fill(w_.begin() + static_cast<std::ptrdiff_t>(new_hi), w_.begin() + static_cast<std::ptrdiff_t>(hi_), 0.0f);
  std::fill(wf_.begin() + static_cast<std::ptrdiff_t>(new_hi), wf_.begin() + static_cast<std::ptrdiff_t>(hi_), 0.0f);
  lo_ = new_lo;
  hi_ = new_hi;
  k_->gains(w_.data() + lo_, g_.data() + lo_, hi_ - lo_, cfg_.proportionate_alpha);
  a_ = 0.0f;  // the pending update was normalised over the old window
  ++narrowings_;
}

void EchoCanceller::reopen_window() noexcept {
  lo_ = 0;
  hi_ = taps_;
  k_->gains(w_.data(), g_.data(), taps_, cfg_.proportionate_alpha);
  a_ = 0.0f;
  poor_run_ = 0;
  last_reopen_ = n_;
  ++reopenings_;
}

float EchoCanceller::step(float x_raw, float d_raw) noexcept {
  // DC blocker (pole at 0.995: -3 dB near 6 Hz at 8 kHz) on the near input and, identically, on the far
  // reference: filtering both keeps the echo path the canceller sees equal to the line's (short), where
  // filtering only the near end would append the blocker's long tail to it.
  float d = d_raw, x = x_raw;
  if (cfg_.near_highpass) {
    d = d_raw - hp_x1_ + 0.995f * hp_y1_;
    hp_x1_ = d_raw;
    hp_y1_ = d;
    x = x_raw - hp_fx1_ + 0.995f * hp_fy1_;
    hp_fx1_ = x_raw;
    hp_fy1_ = x;
  }

  // Far-end history, newest first: xn = x(t-k), xo = x(t-1-k).
  if (pos_ == 0) {
    std::copy(hist_.begin(), hist_.begin() + static_cast<std::ptrdiff_t>(taps_ + 1),
              hist_.begin() + static_cast<std::ptrdiff_t>(hist_slack_));
    pos_ = hist_slack_;
  }
  hist_[--pos_] = x;
  const float* xn = hist_.data() + pos_;

  // Background filter: pending update (sample t-1) fused with its output for sample t. Foreground filter:
  // output only; it is what the caller hears.
  const bool gain_tick = gain_countdown_ == 0;
  gain_countdown_ = gain_tick ? cfg_.gain_update_samples - 1 : gain_countdown_ - 1;
  const std::size_t nw = hi_ - lo_;
  if (a_ != 0.0f && cfg_.proportionate_alpha > -1.0f && gain_tick)
    k_->gains(w_.data() + lo_, g_.data() + lo_, nw, cfg_.proportionate_alpha);
  // While the far end is quiet and no update is pending the background is neither adapted nor compared,
  // so only the foreground runs (speech has long pauses: this is most of the density win).
  // Variable step: full mu while the background's error is well above the near-end noise floor, less as it
  // approaches it (lower misadjustment in noise, G.168 test 2C). From the error power up to the previous
  // sample, so its division runs beside the filters instead of after them (the per-sample dependency chain
  // filter -> error -> step -> next update is what bounds the speed once the window is narrow).
  const float mu = cfg_.step_size * std::max(0.2f, 1.0f - 2.0f * background_ / (pbe_ + 1.0f));
  float y = 0.0f, yb = 0.0f;
  const bool run_background = a_ != 0.0f || px_ > far_active_power_;
  if (run_background) {
    yb = k_->adapt_filter_pair(w_.data() + lo_, wf_.data() + lo_, g_.data() + lo_, xn + 1 + lo_, xn + lo_, a_, nw,
                               &p_, &y);
  } else {
    y = k_->dot(wf_.data() + lo_, xn + lo_, nw);
  }
  const float eb = d - yb;
  const float e = d - y;

  // Short-term powers (8 ms), and the far power held over the tail (decays 20 dB per tail length) so the
  // echo still arriving after the far end stops is not mistaken for a near talker.
  px_ += alpha_short_ * (x * x - px_);
  pd_ += alpha_short_ * (d * d - pd_);
  pe_ += alpha_short_ * (e * e - pe_);
  py_ += alpha_short_ * (y * y - py_);
  pbe_ += alpha_short_ * (eb * eb - pbe_);
  px_hold_ = std::max(px_, px_hold_ * hold_decay_);

  // Far-end maximum over the tail (Geigel), in blocks of kBlock samples.
  cur_block_max_ = std::max(cur_block_max_, std::fabs(x));
  if (n_ % kBlock == kBlock - 1) {
    block_max_[(n_ / kBlock) % block_max_.size()] = cur_block_max_;
    cur_block_max_ = 0.0f;
    far_max_ = *std::max_element(block_max_.begin(), block_max_.end());
  }
  const float far_max = std::max(far_max_, cur_block_max_);

  const bool far_active = px_ > far_active_power_;
  if (far_active) {
    far_hold_ = nlp_hangover_;
  } else if (far_hold_ > 0) {
    --far_hold_;
  }

  // Double talk, first line: Geigel on samples, and its power form (with ERL >= 0 dB a near end louder
  // than the far end's recent power cannot be echo alone). Either stops the background's adaptation.
  const bool geigel_hit = std::fabs(d) > geigel_ratio_ * far_max || pd_ > px_hold_;
  // Energy check: once converged, the near input carries little more power than the foreground's echo
  // estimate; 3 dB more is a near talker (or a louder echo path: if it persists through 0.5 s of far-end
  // speech without a break it is taken as a path change and ignored until it stops).
  const bool converged = pd_long_ > 10.0f * pe_long_;
  bool energy_hit = converged && far_active && pd_ > 2.0f * py_ + far_active_power_;
  if (far_active) energy_run_ = energy_hit ? energy_run_ + 1 : 0;
  if (energy_run_ > cfg_.sample_rate_hz / 2) energy_hit = false;
  if (geigel_hit || energy_hit) {
    dt_hold_ = dt_hangover_;
  } else if (dt_hold_ > 0) {
    --dt_hold_;
  }
  const bool adapt = run_background && !frozen_ && !bypass_ && far_active && !geigel_hit &&
                     (dt_hold_ == 0 || energy_run_ > 0);

  a_ = adapt ? mu * eb / (p_ + delta_) : 0.0f;

  // Second line, the energy check between the two filters (over blocks of kCompareBlock samples, smoothed):
  // the foreground takes the background's taps when the background's error has been 3 dB lower for
  // kCopyAfterBlocks blocks without double talk (it found the path, or the path changed); the background
  // is rolled back to the foreground when its error is 3 dB higher (double talk the detectors missed
  // dragged it away).
  see_ += eb * eb;
  sff_ += e * e;
  block_dt_ = block_dt_ || dt_hold_ > 0 || !run_background;
  if (n_ % kCompareBlock == kCompareBlock - 1) {
    s_ee_ = 0.5f * s_ee_ + see_;
    s_ff_ = 0.5f * s_ff_ + sff_;
    see_ = sff_ = 0.0f;
    const bool quiet_block = !block_dt_;
    block_dt_ = false;
    better_run_ = quiet_block && s_ee_ < kCopyRatio * s_ff_ ? better_run_ + 1 : 0;
    if (!frozen_ && better_run_ >= kCopyAfterBlocks) {
      std::copy(w_.begin() + static_cast<std::ptrdiff_t>(lo_), w_.begin() + static_cast<std::ptrdiff_t>(hi_),
                wf_.begin() + static_cast<std::ptrdiff_t>(lo_));
      s_ff_ = s_ee_;
      ++copies_;
    } else if (!frozen_ && s_ee_ > 2.0f * s_ff_ + kRollbackFloor) {
      std::copy(wf_.begin() + static_cast<std::ptrdiff_t>(lo_), wf_.begin() + static_cast<std::ptrdiff_t>(hi_),
                w_.begin() + static_cast<std::ptrdiff_t>(lo_));
      k_->gains(w_.data() + lo_, g_.data() + lo_, nw, cfg_.proportionate_alpha);
      s_ee_ = s_ff_;
      a_ = 0.0f;
      ++rollbacks_;
    }
  }

  if (far_active && dt_hold_ == 0) {
    pd_long_ += alpha_long_ * (d * d - pd_long_);
    pe_long_ += alpha_long_ * (e * e - pe_long_);
  }

  // Active window: narrowed from the converged taps (ERLE estimate >= 20 dB, no double talk, 0.5 s after a
  // reopening); reopened to the whole tail as soon as the windowed foreground cancels less than 10 dB of
  // what arrives for 10 ms of far-end talk (an echo path change, an opened path or double talk; the
  // background then searches the whole tail again). The level floor (4x the near-end background, and
  // -70 dBm0) keeps the bulk delay's silence at a far-end onset from counting as poor cancellation.
  if (cfg_.active_window && !frozen_ && !bypass_) {
    if (nw != taps_ && far_active) {
      const bool poor = pe_ > 0.1f * pd_ && pe_ > 4.0f * background_ + 0.001f * far_active_power_;
      poor_run_ = poor ? poor_run_ + 1 : 0;
      if (poor_run_ > cfg_.sample_rate_hz * kWindowPoorMs / 1000) reopen_window();
    }
    if (n_ % kWindowCheck == kWindowCheck - 1 && dt_hold_ == 0 && pd_long_ > 100.0f * pe_long_ &&
        n_ - last_reopen_ >= static_cast<std::uint64_t>(cfg_.sample_rate_hz * kWindowSettleMs / 1000))
      try_narrow_window();
  }

  // Never amplify: while the error is louder than the input (an open echo path, a stale filter) pass the
  // input. The margin (30 dB below the far-activity level) keeps the filter's own noise in silence from
  // switching the output to the raw echo at the start of a burst.
  float r = e;
  if (pe_ > pd_ + 0.001f * far_active_power_) r = d;

  // Background noise level: a 0.25 s average of the near input while the far end and its echo are quiet
  // and the near end is not talking (within 6 dB of the estimate); a louder background is followed at
  // about 1 dB/s.
  if (far_hold_ == 0) {
    if (bg_count_ < cfg_.sample_rate_hz / 4) {  // the first 0.25 s: plain mean
      ++bg_count_;
      background_ += (d * d - background_) / static_cast<float>(bg_count_);
    } else if (pd_ < 4.0f * background_) {
      background_ += alpha_long_ * (d * d - background_);
    } else {
      background_ *= 1.0f + 0.25f * alpha_long_ * 0.12f;
    }
  }

  // NLP: far end talking (or its echo still due) and no near talker: either no double talk, or the error
  // is echo being cancelled (>= 10 dB below the input).
  nlp_active_ = nlp_on_ && far_hold_ > 0 && (dt_hold_ == 0 || pe_ * 10.0f < pd_);
  if (nlp_active_) {
    // Comfort noise: sum of two uniforms (power 2/3 before scaling), lightly low-passed like line noise.
    rng_ = rng_ * 1664525u + 1013904223u;
    const float u1 = static_cast<float>(rng_ >> 8) * (1.0f / 8388608.0f) - 1.0f;
    rng_ = rng_ * 1664525u + 1013904223u;
    const float u2 = static_cast<float>(rng_ >> 8) * (1.0f / 8388608.0f) - 1.0f;
    r = std::sqrt(1.5f * background_) * (u1 + u2);
  }
  ++n_;
  return r;
}

void EchoCanceller::process(std::span<const std::int16_t> far, std::span<const std::int16_t> near,
                            std::span<std::int16_t> out) noexcept {
  const ScopedDenormalsOff no_denormals;
  const std::size_t n = std::min({far.size(), near.size(), out.size()});
  for (std::size_t i = 0; i < n; ++i) {
    const float r = step(static_cast<float>(far[i]), static_cast<float>(near[i]));
    out[i] = bypass_ ? near[i] : static_cast<std::int16_t>(clamp_to_int16(r));
  }
}

EchoCancellerBank::EchoCancellerBank(std::size_t channels, const EchoCancellerConfig& cfg, Isa isa) {
  if (channels == 0) throw std::invalid_argument("channels: must be at least 1");
  ch_.reserve(channels);
  for (std::size_t c = 0; c < channels; ++c) ch_.emplace_back(cfg, isa);
}

void EchoCancellerBank::process(std::span<const std::int16_t> far, std::span<const std::int16_t> near,
                                std::span<std::int16_t> out) noexcept {
  const ScopedDenormalsOff no_denormals;
  const std::size_t nch = ch_.size();
  const std::size_t samples = std::min({far.size(), near.size(), out.size()}) / nch * nch;
  for (std::size_t c = 0; c < nch; ++c) {
    EchoCanceller& ec = ch_[c];
    for (std::size_t i = 0; i < samples; i += nch) {
      const float r = ec.step(static_cast<float>(far[i + c]), static_cast<float>(near[i + c]));
      out[i + c] = ec.bypass_ ? near[i + c] : static_cast<std::int16_t>(clamp_to_int16(r));
    }
  }
}

void EchoCancellerBank::reset() noexcept {
  for (auto& c : ch_) c.reset();
}

std::size_t EchoCancellerBank::memory_bytes() const noexcept {
  std::size_t b = sizeof(*this);
  for (const auto& c : ch_) b += c.memory_bytes();
  return b;
}

}  // namespace linedsp
