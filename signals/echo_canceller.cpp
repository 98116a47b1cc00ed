#include "signals/echo_canceller.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
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
// ERLE estimates (near power over error power, long averages while the far end talks without double talk):
// the window narrows from 15 dB (20 dB before: a line with near-end tones and music under the far end's speech
// never showed 20 dB, though its echo was cancelled by 20-40 dB; the Annex D tests narrow as before), the
// energy double-talk check runs from 5 dB (3 dB helped the 128 ms canceller on that line but stopped CSS at
// 6 dB ERL through D.8 at a 32 ms tail from converging at all: tests/signals/echo_canceller_test.cpp).
constexpr float kNarrowErle = 31.6f;      // 15 dB
constexpr float kEnergyCheckErle = 3.16f;  // 5 dB

const EchoCancellerConfig& validate(const EchoCancellerConfig& c) {
  if (c.sample_rate_hz != 8000 && c.sample_rate_hz != 16000)
    throw std::invalid_argument("sample_rate_hz: must be 8000 or 16000");
  if (c.tail_ms < kEchoMinTailMs || c.tail_ms > kEchoMaxTailMs)
    throw std::invalid_argument("tail_ms: must be between 16 and 128");
  if (!(c.step_size > 0.0f && c.step_size < 2.0f)) throw std::invalid_argument("step_size: must be in (0, 2)");
  if (!(c.proportionate_alpha >= -1.0f && c.proportionate_alpha < 1.0f))
    throw std::invalid_argument("proportionate_alpha: must be in [-1, 1)");
  if (!(c.search_alpha >= -1.0f && c.search_alpha < 1.0f))
    throw std::invalid_argument("search_alpha: must be in [-1, 1)");
  if (!(c.window_floor_db >= -90.0f && c.window_floor_db <= -20.0f))
    throw std::invalid_argument("window_floor_db: must be in [-90, -20]");
  if (!(c.window_lead_floor_db >= -90.0f && c.window_lead_floor_db <= -20.0f))
    throw std::invalid_argument("window_lead_floor_db: must be in [-90, -20]");
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
      hist_(taps_ + 2 + hist_slack_),
      block_max_((taps_ + kBlock - 1) / kBlock),
      tap_energy_((taps_ + kWindowBlock - 1) / kWindowBlock) {
  const float fs = static_cast<float>(cfg.sample_rate_hz);
  geigel_ratio_ = std::pow(10.0f, -cfg.geigel_erl_db / 20.0f);
  far_active_power_ = static_cast<float>(dbm0_to_power(cfg.far_active_dbm0));
  delta_ = static_cast<float>(dbm0_to_power(cfg.regularisation_dbm0));
  pass_margin_ = 0.001f * far_active_power_;
  // The control runs once per kControl samples: each one-pole average takes kControl samples' mean square
  // with the coefficient of kControl per-sample steps, 1 - (1 - a)^kControl.
  const float per_block = static_cast<float>(kControl);
  const float a_short = 1.0f / (0.008f * fs), a_long = 1.0f / (0.25f * fs);
  alpha_sample_ = a_short;
  alpha_short_ = 1.0f - std::pow(1.0f - a_short, per_block);
  alpha_long_ = 1.0f - std::pow(1.0f - a_long, per_block);
  bg_rise_ = std::pow(1.0f + 0.25f * a_long * 0.12f, per_block);
  hold_decay_ = std::pow(10.0f, -2.0f * per_block / static_cast<float>(taps_));
  gain_blocks_ = static_cast<std::uint64_t>(std::max<std::size_t>(
      1, (static_cast<std::size_t>(cfg.gain_update_samples) + kControl / 2) / kControl));
  dt_hangover_ = static_cast<int>(cfg.double_talk_hangover_ms * cfg.sample_rate_hz / 1000);
  nlp_hangover_ = static_cast<int>(taps_) + cfg.sample_rate_hz / 50;  // the tail plus 20 ms
  window_floor_ = std::pow(10.0f, cfg.window_floor_db / 10.0f);
  window_lead_floor_ = std::pow(10.0f, cfg.window_lead_floor_db / 10.0f);
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
  alpha_ = search_alpha();
  k_->gains(w_.data(), g_.data(), taps_, alpha_);
  poor_run_ = 0;
  last_reopen_ = 0;
  narrowings_ = reopenings_ = 0;
  pos_ = hist_slack_;
  n_ = 0;
  a_ = a_prev_ = 0.0f;
  pair_ready_ = false;
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
  sx_ = sd_ = se_ = sy_ = seb_ = 0.0f;
  adapt_ = nlp_dec_ = geigel_seen_ = bg_skipped_ = false;
  mu_ = cfg_.step_size;
  cn_amp_ = 0.0f;
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
// While the whole tail is open (from a reset, after a reopening) the gains are more proportionate
// (search_alpha, 0.5): the strong taps of the sparse echo path converge first and the misadjustment noise on the
// other taps stays lower, so the window narrows sooner (bench/echo_bench.cpp's speech through D.4: first
// narrowing 2.8 -> 1.2 s, mean window 300 -> 239 taps over 10 s) and speech's steady ERLE rose on most Annex D
// paths (docs/echo-density.md, round 3, with the CSS figures it lowered). Within the window,
// proportionate_alpha.
float EchoCanceller::search_alpha() const noexcept {
  return cfg_.proportionate_alpha > -1.0f && cfg_.active_window ? cfg_.search_alpha : cfg_.proportionate_alpha;
}

void EchoCanceller::try_narrow_window() noexcept {
  const std::size_t blocks = tap_energy_.size();
  float top = 0.0f;
  // Taps outside the window are zero: only the window's blocks are summed.
  std::fill(tap_energy_.begin(), tap_energy_.end(), 0.0f);
  for (std::size_t b = lo_ / kWindowBlock; b * kWindowBlock < hi_; ++b) {
    const std::size_t end = std::min(taps_, (b + 1) * kWindowBlock);
    float e = 0.0f;
    for (std::size_t k = b * kWindowBlock; k < end; ++k) e += w_[k] * w_[k] + wf_[k] * wf_[k];
    tap_energy_[b] = e;
    top = std::max(top, e);
  }
  if (!(top > 0.0f)) return;
  const float floor = top * window_floor_;
  // Before the strongest block lies the bulk delay: a line echo path rises within a block or two, so what
  // sits there is misadjustment (with speech, correlated with the echo and slow to fade), cut from a higher
  // floor (window_lead_floor_db). On echo_bench's speech through D.4 the window reached its final size at
  // ~1.2 s instead of ~5 s (mean 239 -> 225 taps over 10 s; docs/echo-density.md round 3).
  const float lead_floor = std::max(floor, top * window_lead_floor_);
  std::size_t first = 0, last = blocks - 1;
  while (tap_energy_[first] < lead_floor) ++first;
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
  alpha_ = cfg_.proportionate_alpha;
  k_->gains(w_.data() + lo_, g_.data() + lo_, hi_ - lo_, alpha_);
  a_ = a_prev_ = 0.0f;  // the pending updates were normalised over the old window
  ++narrowings_;
}

void EchoCanceller::reopen_window() noexcept {
  if (a_prev_ != 0.0f) apply_pending_update();  // the taps as the one-sample pass has them
  lo_ = 0;
  hi_ = taps_;
  alpha_ = search_alpha();
  k_->gains(w_.data(), g_.data(), taps_, alpha_);
  a_ = a_prev_ = 0.0f;
  poor_run_ = 0;
  last_reopen_ = n_;
  ++reopenings_;
}

// The per-sample path (run()) does only what must be per sample: DC blockers, the far history, the filters,
// the errors, the background's step (stopped at once by a Geigel hit), the output and sums of squares. The
// control that decides what the next samples do (powers, double talk, variable step, the filters' comparison,
// the active window, the background level, the NLP and never-amplify decisions) runs once per kControl
// samples, aligned to the sample count (so results do not depend on the caller's block sizes), from the
// block's sums; its decisions take effect from the next sample (a 1 ms lag at 8 kHz, far below the 8 ms power
// averages and the 40 ms double-talk hangover it feeds). Measured (bench/echo_bench.cpp, docs/echo-density.md):
// the per-sample control was ~40 % of the time once the active window narrowed.
//
// While adaptation is off (double talk, far end quiet, frozen, bypassed) and no update is pending the
// background filter is not run at all: it is not changing, so its error equals the one it had; the block
// counts as double talk for the comparison, and its error is taken as the foreground's (no false rollback).
void EchoCanceller::run(const std::int16_t* far, const std::int16_t* near, std::int16_t* out, std::size_t stride,
                        std::size_t n) noexcept {
  const bool allow = !frozen_ && !bypass_;
  const bool hp = cfg_.near_highpass;
  const bool proportionate = cfg_.proportionate_alpha > -1.0f;
  const bool two = k_->adapt_filter_pair2 != nullptr;
  bool have_next = false;  // the next sample's far value is already in the history (two-sample pass)
  // DC blocker (pole at 0.995: -3 dB near 6 Hz at 8 kHz) on the near input and, identically, on the far
  // reference: filtering both keeps the echo path the canceller sees equal to the line's (short), where
  // filtering only the near end would append the blocker's long tail to it.
  const auto far_sample = [&](std::size_t at) {
    const float x_raw = static_cast<float>(far[at * stride]);
    if (!hp) return x_raw;
    const float v = x_raw - hp_fx1_ + 0.995f * hp_fy1_;
    hp_fx1_ = x_raw;
    hp_fy1_ = v;
    return v;
  };
  for (std::size_t i = 0; i < n; ++i) {
    const float d_raw = static_cast<float>(near[i * stride]);
    float d = d_raw;
    if (hp) {
      d = d_raw - hp_x1_ + 0.995f * hp_y1_;
      hp_x1_ = d_raw;
      hp_y1_ = d;
    }
    // Far-end history, newest first: xn = x(t-k), xo = x(t-1-k). The two-sample pass writes sample t + 1's
    // value with sample t's (when this call holds it) and reads one float older than the one-sample pass.
    const bool even = (n_ & 1u) == 0;
    float x;
    if (have_next) {
      x = hist_[--pos_];
      have_next = false;
    } else {
      x = far_sample(i);
      if (pos_ < 2) {
        std::memmove(hist_.data() + hist_slack_, hist_.data() + pos_, (taps_ + 2) * sizeof(float));
        pos_ = hist_slack_;
      }
      hist_[--pos_] = x;
      if (two && even && i + 1 < n) {
        hist_[pos_ - 1] = far_sample(i + 1);
        have_next = true;
      }
    }
    const float* xn = hist_.data() + pos_;
    const std::size_t nw = hi_ - lo_;

    // Background filter: pending update (sample t-1) fused with its output for sample t. Foreground filter:
    // output only; it is what the caller hears. Two-sample pass (the ISA has one): at an even sample t the
    // pending updates of t-2 and t-1 and both samples' sums in one pass over the taps (or only sample t's when
    // the call ends there); at t + 1 the background output is s[3] + a_t s[4], exactly what the updated taps
    // give.
    float y, yb, p;
    if (two) {
      const bool run_background = (adapt_ && allow) || a_ != 0.0f || (even && a_prev_ != 0.0f);
      if (!run_background) {
        y = k_->dot(wf_.data() + lo_, xn + lo_, nw);
        yb = y;
        p = 0.0f;
        bg_skipped_ = true;
      } else if (even) {
        k_->adapt_filter_pair2(w_.data() + lo_, wf_.data() + lo_, g_.data() + lo_, xn - 1 + lo_, a_, a_prev_, nw,
                               have_next ? 3 : 1, s2_);
        yb = s2_[0];
        p = s2_[1];
        y = s2_[2];
      } else {
        if (!pair_ready_)
          k_->adapt_filter_pair2(w_.data() + lo_, wf_.data() + lo_, g_.data() + lo_, xn + lo_, 0.0f, 0.0f, nw, 2, s2_);
        yb = s2_[3] + a_ * s2_[4];
        p = s2_[5];
        y = s2_[6];
      }
      pair_ready_ = even && run_background && have_next;
      a_prev_ = even ? 0.0f : a_;
    } else {
      const bool run_background = (adapt_ && allow) || a_ != 0.0f;
      if (run_background) {
        yb = k_->adapt_filter_pair(w_.data() + lo_, wf_.data() + lo_, g_.data() + lo_, xn + 1 + lo_, xn + lo_, a_,
                                   nw, &p, &y);
      } else {
        y = k_->dot(wf_.data() + lo_, xn + lo_, nw);
        yb = y;
        p = 0.0f;
        bg_skipped_ = true;
      }
    }
    const float step = mu_ / (p + delta_);
    const float e = d - y;
    const float eb = d - yb;

    // Geigel on samples (|near| above the far maximum over the tail, including this sample) stops the
    // background's step at once; the control block turns it into the double-talk hangover.
    const float ax = std::fabs(x);
    cur_block_max_ = std::max(cur_block_max_, ax);
    const bool hit = std::fabs(d) > geigel_ratio_ * std::max(far_max_, cur_block_max_);
    geigel_seen_ = geigel_seen_ || hit;
    adapt_ = adapt_ && !hit;
    // mu / (p + delta) is formed from the kernel's p before the error is known, so the division runs beside
    // the error rather than on the per-sample chain (filter -> error -> step -> next update).
    a_ = adapt_ && allow ? step * eb : 0.0f;

    sx_ += x * x;
    sd_ += d * d;
    se_ += e * e;
    sy_ += y * y;
    seb_ += eb * eb;
    // The near and error powers stay per sample: never amplify follows them at once (a decision lagging
    // by a block let a few samples of raw echo through at every talk-spurt onset: G.168 tests 2C and 3A).
    pd_ += alpha_sample_ * (d * d - pd_);
    pe_ += alpha_sample_ * (e * e - pe_);

    // Never amplify: while the error is louder than the input (an open echo path, a stale filter) pass the
    // input. The margin (30 dB below the far-activity level) keeps the filter's own noise in silence from
    // switching the output to the raw echo at the start of a burst. Or NLP comfort noise (the last control
    // block's decision).
    float r = pe_ > pd_ + pass_margin_ ? d : e;
    if (nlp_dec_ && nlp_on_) {
      // Comfort noise: sum of two uniforms (power 2/3 before scaling), lightly low-passed like line noise.
      rng_ = rng_ * 1664525u + 1013904223u;
      const float u1 = static_cast<float>(rng_ >> 8) * (1.0f / 8388608.0f) - 1.0f;
      rng_ = rng_ * 1664525u + 1013904223u;
      const float u2 = static_cast<float>(rng_ >> 8) * (1.0f / 8388608.0f) - 1.0f;
      r = cn_amp_ * (u1 + u2);
    }
    out[i * stride] = bypass_ ? near[i * stride] : static_cast<std::int16_t>(clamp_to_int16(r));
    ++n_;
    if (n_ % kControl == 0) {
      // Two-sample pass: sample n-2's update is still pending here. It is applied, with the gains it was
      // computed under, before anything reads the taps, so the control (comparison copies, rollback, window)
      // and the gain refresh see the taps the one-sample pass would (the refreshed gains are IPNLMS's |w|
      // proportions: from taps one update older they took a visibly different path while converging). Only
      // the comparison blocks (every kCompareBlock samples: copies, rollback, window narrowing) and a reopening
      // (reopen_window()) read them inside control(); otherwise the update is fused into the gain refresh's first
      // pass (update_gains), or applied alone if no refresh is due.
      if (a_prev_ != 0.0f && n_ % kCompareBlock == 0) apply_pending_update();
      control();
      // IPNLMS tap gains, refreshed every gain_update_samples while an update is pending or adaptation runs.
      const bool refresh =
          proportionate && (a_ != 0.0f || (adapt_ && allow)) && (n_ / kControl) % gain_blocks_ == 0;
      if (a_prev_ != 0.0f && refresh) {
        k_->update_gains(w_.data() + lo_, g_.data() + lo_, hist_.data() + pos_ + 1 + lo_, a_prev_, hi_ - lo_,
                         alpha_);
        a_prev_ = 0.0f;
      } else {
        if (a_prev_ != 0.0f) apply_pending_update();
        if (refresh) k_->gains(w_.data() + lo_, g_.data() + lo_, hi_ - lo_, alpha_);
      }
    }
  }
}

// Sample n-2's update (two-sample pass, at a control block: the newest sample in the history is n-1).
void EchoCanceller::apply_pending_update() noexcept {
  const float* xn = hist_.data() + pos_;
  float unused;
  k_->adapt_filter(w_.data() + lo_, g_.data() + lo_, xn + 1 + lo_, xn + lo_, a_prev_, hi_ - lo_, &unused);
  a_prev_ = 0.0f;
}

void EchoCanceller::control() noexcept {
  constexpr float kInv = 1.0f / static_cast<float>(kControl);
  const float ms_x = sx_ * kInv, ms_d = sd_ * kInv, ms_e = se_ * kInv, ms_y = sy_ * kInv, ms_eb = seb_ * kInv;
  sx_ = sd_ = se_ = sy_ = seb_ = 0.0f;

  // Short-term powers (8 ms), and the far power held over the tail (decays 20 dB per tail length) so the
  // echo still arriving after the far end stops is not mistaken for a near talker.
  px_ += alpha_short_ * (ms_x - px_);
  py_ += alpha_short_ * (ms_y - py_);
  pbe_ += alpha_short_ * (ms_eb - pbe_);
  px_hold_ = std::max(px_, px_hold_ * hold_decay_);

  // Far-end maximum over the tail (Geigel), in blocks of kBlock samples.
  if (n_ % kBlock == 0) {
    block_max_[(n_ / kBlock - 1) % block_max_.size()] = cur_block_max_;
    cur_block_max_ = 0.0f;
    far_max_ = *std::max_element(block_max_.begin(), block_max_.end());
  }

  const bool far_active = px_ > far_active_power_;
  const bool far_was_quiet = far_hold_ == 0;  // through this block (the NLP hangover had run out before it)
  if (far_active) {
    far_hold_ = nlp_hangover_;
  } else {
    far_hold_ = std::max(0, far_hold_ - static_cast<int>(kControl));
  }

  // Double talk, first line: Geigel on samples (seen in the block), and its power form (with ERL >= 0 dB a
  // near end louder than the far end's recent power cannot be echo alone). Either stops the background.
  const bool geigel_hit = geigel_seen_ || pd_ > px_hold_;
  geigel_seen_ = false;
  // Energy check: once converged, the near input carries little more power than the foreground's echo
  // estimate; 3 dB more is a near talker (or a louder echo path: if it persists through 0.5 s of far-end
  // speech without a break it is taken as a path change and ignored until it stops). "Converged" is an ERLE
  // estimate of 5 dB (it was 10 dB: with near-end tones and music under most of the far end's speech, as in
  // `linedsp bench`'s line signal, the estimate never reached 10 dB, the check never ran and the background
  // adapted on the tones; true ERLE there rose from 0-20 dB to 10-43 dB; G.168 tests unchanged).
  const bool converged = pd_long_ > kEnergyCheckErle * pe_long_;
  bool energy_hit = converged && far_active && pd_ > 2.0f * py_ + far_active_power_;
  if (far_active) energy_run_ = energy_hit ? energy_run_ + static_cast<int>(kControl) : 0;
  if (energy_run_ > cfg_.sample_rate_hz / 2) energy_hit = false;
  if (geigel_hit || energy_hit) {
    dt_hold_ = dt_hangover_;
  } else {
    dt_hold_ = std::max(0, dt_hold_ - static_cast<int>(kControl));
  }
  adapt_ = far_active && !geigel_hit && (dt_hold_ == 0 || energy_run_ > 0);

  // Variable step: full mu while the background's error is well above the near-end noise floor, less as it
  // approaches it (lower misadjustment in noise, G.168 test 2C).
  mu_ = cfg_.step_size * std::max(0.2f, 1.0f - 2.0f * background_ / (pbe_ + 1.0f));

  // Second line, the energy check between the two filters (over blocks of kCompareBlock samples, smoothed):
  // the foreground takes the background's taps when the background's error has been 3 dB lower for
  // kCopyAfterBlocks blocks without double talk (it found the path, or the path changed); the background
  // is rolled back to the foreground when its error is 3 dB higher (double talk the detectors missed
  // dragged it away).
  see_ += ms_eb;
  sff_ += ms_e;
  block_dt_ = block_dt_ || dt_hold_ > 0 || bg_skipped_;
  bg_skipped_ = false;
  if (n_ % kCompareBlock == 0) {
    s_ee_ = 0.5f * s_ee_ + see_ * static_cast<float>(kControl);
    s_ff_ = 0.5f * s_ff_ + sff_ * static_cast<float>(kControl);
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
      k_->gains(w_.data() + lo_, g_.data() + lo_, hi_ - lo_, alpha_);
      s_ee_ = s_ff_;
      a_ = a_prev_ = 0.0f;
      ++rollbacks_;
    }
  }

  if (far_active && dt_hold_ == 0) {
    pd_long_ += alpha_long_ * (ms_d - pd_long_);
    pe_long_ += alpha_long_ * (ms_e - pe_long_);
  }

  // Active window: narrowed from the converged taps (ERLE estimate >= 20 dB, no double talk, 0.5 s after a
  // reopening); reopened to the whole tail as soon as the windowed foreground cancels less than 10 dB of
  // what arrives for 10 ms of far-end talk (an echo path change, an opened path or double talk; the
  // background then searches the whole tail again). The level floor (4x the near-end background, and
  // -70 dBm0) keeps the bulk delay's silence at a far-end onset from counting as poor cancellation.
  if (cfg_.active_window && !frozen_ && !bypass_) {
    if (hi_ - lo_ != taps_ && far_active) {
      // Not while the Geigel detector sees a near talker (near louder than the far end can echo): double
      // talk is no reason to search the whole tail, and reopening on it kept the window whole for good on a
      // line with frequent near-end tones (`linedsp bench`).
      const bool poor = pe_ > 0.1f * pd_ && pe_ > 4.0f * background_ + 0.001f * far_active_power_ && !geigel_hit;
      poor_run_ = poor ? poor_run_ + static_cast<int>(kControl) : 0;
      if (poor_run_ > cfg_.sample_rate_hz * kWindowPoorMs / 1000) reopen_window();
    }
    if (n_ % kWindowCheck == 0 && dt_hold_ == 0 && pd_long_ > kNarrowErle * pe_long_ &&
        n_ - last_reopen_ >= static_cast<std::uint64_t>(cfg_.sample_rate_hz * kWindowSettleMs / 1000))
      try_narrow_window();
  }

  // Background noise level: a 0.25 s average of the near input while the far end and its echo are quiet
  // and the near end is not talking (within 6 dB of the estimate); a louder background is followed at
  // about 1 dB/s. Measured over blocks the far end was quiet for from their start (a block in which it
  // resumes still counts: its echo is not due before the bulk delay).
  if (far_was_quiet) {
    if (bg_count_ < cfg_.sample_rate_hz / 4) {  // the first 0.25 s: plain mean
      bg_count_ += static_cast<int>(kControl);
      background_ += (ms_d - background_) * static_cast<float>(kControl) / static_cast<float>(bg_count_);
    } else if (pd_ < 4.0f * background_) {
      background_ += alpha_long_ * (ms_d - background_);
    } else {
      background_ *= bg_rise_;
    }
  }

  // NLP: far end talking (or its echo still due) and no near talker: either no double talk, or the error
  // is echo being cancelled (>= 10 dB below the input).
  nlp_dec_ = far_hold_ > 0 && (dt_hold_ == 0 || pe_ * 10.0f < pd_);
  cn_amp_ = std::sqrt(1.5f * background_);
}

void EchoCanceller::process(std::span<const std::int16_t> far, std::span<const std::int16_t> near,
                            std::span<std::int16_t> out) noexcept {
  const ScopedDenormalsOff no_denormals;
  run(far.data(), near.data(), out.data(), 1, std::min({far.size(), near.size(), out.size()}));
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
  for (std::size_t c = 0; c < nch; ++c) ch_[c].run(far.data() + c, near.data() + c, out.data() + c, nch, samples / nch);
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
