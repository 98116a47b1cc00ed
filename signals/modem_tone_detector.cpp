// signals/modem_tone_detector.cpp — see the header.
#include "signals/modem_tone_detector.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "dsp/goertzel.hpp"
#include "dsp/level.hpp"
#include "signals/kernels/modem_tone_kernels.hpp"

namespace linedsp {

const ModemToneKernels& modem_tone_kernels(Isa isa) noexcept {
  static const ModemToneKernels k[] = {
      {detail::modem_tone_dft_scalar, Isa::scalar, detail::modem_tone_deinterleave_scalar,
       detail::modem_tone_energy_scalar},
      {detail::modem_tone_dft_sse2, Isa::sse2, detail::modem_tone_deinterleave_sse2, detail::modem_tone_energy_sse2},
      {detail::modem_tone_dft_avx2, Isa::avx2, detail::modem_tone_deinterleave_sse2, detail::modem_tone_energy_avx2},
      {detail::modem_tone_dft_avx512, Isa::avx512, detail::modem_tone_deinterleave_sse2,
       detail::modem_tone_energy_avx512},
  };
  return k[static_cast<int>(isa_supported(isa) ? isa : Isa::scalar)];
}

namespace detail {

// Bins: 0 CNG 1100 Hz, 1 V.21 mark 1650 Hz, 2 V.21 space 1850 Hz, 3 ANS 2100 Hz.
inline constexpr std::array<double, 4> kBinHz = {kCngHz, kV21MarkHz, kV21SpaceHz, kAnsHz};
inline constexpr std::size_t kCng = 0, kMark = 1, kSpace = 2, kAns = 3;
inline constexpr std::size_t kRows = kModemToneRows;
inline constexpr int kAmWindow = 40;  // blocks: 200 ms, 3 cycles of 15 Hz

struct ModemToneTables {
  explicit ModemToneTables(int fs) : rate(fs) {
    constexpr double kTwoPi = 2.0 * std::numbers::pi;
    block = static_cast<std::size_t>(fs / 200);
    dft.assign(kRows * block, 0.0f);
    for (std::size_t f = 0; f < 4; ++f) {
      const double w = kTwoPi * kBinHz[f] / fs;
      for (std::size_t n = 0; n < block; ++n) {
        dft[n * kRows + 2 * f] = static_cast<float>(std::cos(w * static_cast<double>(n)));
        dft[n * kRows + 2 * f + 1] = static_cast<float>(-std::sin(w * static_cast<double>(n)));
      }
      r0[f] = std::polar(1.0f, static_cast<float>(std::fmod(w * static_cast<double>(block), kTwoPi)));
    }
    // V.21 correlators: e^{-j w n} over the common period of 1650 and 1850 Hz (160 samples at 8 kHz), as four rows
    // (mark re, im, space re, im) extended by a block past the period so a block's coefficients are contiguous.
    period = static_cast<std::size_t>(fs / 50);
    window = static_cast<std::size_t>(std::lround(fs / kV21BitRate));
    debounce = static_cast<std::uint32_t>(window / 4);
    v21_stride = period + block;
    v21.assign(4 * v21_stride, 0.0f);
    for (std::size_t j = 0; j < v21_stride; ++j) {
      const double n = static_cast<double>(j % period);
      v21[j] = static_cast<float>(std::cos(kTwoPi * kV21MarkHz * n / fs));
      v21[v21_stride + j] = static_cast<float>(-std::sin(kTwoPi * kV21MarkHz * n / fs));
      v21[2 * v21_stride + j] = static_cast<float>(std::cos(kTwoPi * kV21SpaceHz * n / fs));
      v21[3 * v21_stride + j] = static_cast<float>(-std::sin(kTwoPi * kV21SpaceHz * n / fs));
    }
    for (int j = 0; j < kAmWindow; ++j)
      am[static_cast<std::size_t>(j)] = std::polar(1.0f, static_cast<float>(-kTwoPi * kAnsamRateHz * j / 200.0));
  }
  std::size_t bytes() const noexcept {
    return sizeof(*this) + (dft.size() + v21.size()) * sizeof(float);
  }
  int rate;
  std::size_t block, period, window, v21_stride;
  std::uint32_t debounce;
  std::vector<float> dft;
  std::array<std::complex<float>, 4> r0{};
  std::vector<float> v21;
  std::array<std::complex<float>, kAmWindow> am{};
};

namespace {
const ModemToneTables& tables_for(int fs) {
  static const ModemToneTables t8(8000), t16(16000);
  return fs == 8000 ? t8 : t16;
}
}  // namespace

}  // namespace detail

namespace {
// Complex helpers written out: std::complex<float> operator* goes through __mulsc3 and std::abs / std::norm through
// hypot when not compiled with -ffast-math, which cost more than the whole front end.
using cfl = std::complex<float>;
inline cfl cmul(cfl a, cfl b) noexcept {
  return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}
inline cfl cmulc(cfl a, cfl b) noexcept {  // a * conj(b)
  return {a.real() * b.real() + a.imag() * b.imag(), a.imag() * b.real() - a.real() * b.imag()};
}
inline float cnorm(cfl a) noexcept { return a.real() * a.real() + a.imag() * a.imag(); }
inline float cabs(cfl a) noexcept { return std::sqrt(cnorm(a)); }

constexpr int kMaxMiss = 2;
constexpr std::uint32_t kV21MaxBadRuns = 3;  // failing blocks bridged inside a tone (the block holding a reversal)

void require(bool ok, const char* field, const std::string& why) {
  if (!ok) throw std::invalid_argument(std::string("ModemToneDetectorConfig.") + field + ": " + why);
}
}  // namespace

std::size_t ModemToneDetector::shared_table_bytes(int sample_rate_hz) {
  return detail::tables_for(sample_rate_hz == 16000 ? 16000 : 8000).bytes();
}

ModemToneDetector::ModemToneDetector(const ModemToneDetectorConfig& cfg, Isa isa) : cfg_(cfg), isa_(isa) {
  require(cfg.sample_rate_hz == 8000 || cfg.sample_rate_hz == 16000, "sample_rate_hz", "must be 8000 or 16000");
  require(cfg.min_level_dbm0 < 0.0 && cfg.min_level_dbm0 > -70.0, "min_level_dbm0", "must be in (-70, 0) dBm0");
  require(cfg.min_purity > 0.0 && cfg.min_purity < 1.0, "min_purity", "must be in (0, 1)");
  require(cfg.ans_max_offset_hz > 0.0 && cfg.ans_max_offset_hz < 45.0, "ans_max_offset_hz", "must be in (0, 45) Hz");
  require(cfg.reversal_interval_ms >= 100 && cfg.reversal_interval_ms <= 2000, "reversal_interval_ms",
          "must be in [100, 2000] ms");
  require(cfg.reversal_tolerance_ms >= 0 && cfg.reversal_tolerance_ms < cfg.reversal_interval_ms / 2,
          "reversal_tolerance_ms", "must be in [0, interval / 2)");
  require(cfg.reversal_margin_ms >= 0.0 && cfg.reversal_margin_ms <= 50.0, "reversal_margin_ms", "must be in [0, 50]");
  require(cfg.min_reversal_deg > 90.0 && cfg.min_reversal_deg < 180.0, "min_reversal_deg", "must be in (90, 180)");
  require(cfg.decide_ms >= 250 && cfg.decide_ms <= 2000, "decide_ms", "must be in [250, 2000] ms");
  require(cfg.am_min_depth > 0.0 && cfg.am_min_depth < cfg.am_max_depth && cfg.am_max_depth < 1.0, "am_min_depth",
          "need 0 < am_min_depth < am_max_depth < 1");
  require(cfg.cng_max_offset_hz > 0.0 && cfg.cng_max_offset_hz < 90.0, "cng_max_offset_hz", "must be in (0, 90) Hz");
  require(cfg.cadence_tolerance >= 0.0 && cfg.cadence_tolerance < 0.5, "cadence_tolerance", "must be in [0, 0.5)");
  require(cfg.cadence_margin_ms >= 0.0 && cfg.cadence_margin_ms <= 100.0, "cadence_margin_ms", "must be in [0, 100]");
  require(cfg.v21_min_flags >= 1 && cfg.v21_min_flags <= 64, "v21_min_flags", "must be in [1, 64]");
  require(cfg.v21_min_purity > 0.0 && cfg.v21_min_purity < 1.0, "v21_min_purity", "must be in (0, 1)");
  tab_ = &detail::tables_for(cfg.sample_rate_hz);
  dft_ = modem_tone_kernels(isa).dft;
  energy_ = modem_tone_kernels(isa).energy;
  isa_ = modem_tone_kernels(isa).isa;
  block_ = tab_->block;
  fs_ = cfg.sample_rate_hz;
  min_power_ = static_cast<float>(dbm0_to_power(cfg.min_level_dbm0));
  // A bin's sine-power estimate 2 |Y|^2 / N^2 is at most twice the block's mean power (Cauchy-Schwarz); 10 % more
  // covers the DFT's float rounding.
  quiet_energy_ = static_cast<double>(min_power_) / 2.2 * static_cast<double>(block_);
  min_purity_ = static_cast<float>(cfg.min_purity);
  v21_min_purity_ = static_cast<float>(cfg.v21_min_purity);
  cos_min_reversal_ = static_cast<float>(std::cos(cfg.min_reversal_deg * std::numbers::pi / 180.0));
  cos2_min_reversal_ = cos_min_reversal_ * cos_min_reversal_;
  decide_samples_ = static_cast<std::uint64_t>(cfg.decide_ms) * static_cast<std::uint64_t>(cfg.sample_rate_hz) / 1000;
  inv_n_ = 1.0f / static_cast<float>(block_);
  two_inv_n2_ = 2.0f / (static_cast<float>(block_) * static_cast<float>(block_));
  reset();
}

void ModemToneDetector::reset() noexcept {
  k_ = 0;
  last_power_ = 0.0f;
  ans_t_ = Track{};
  cng_t_ = Track{};
  ans_ = Answer{};
  cng_ = Cng{};
  v21_ = V21{};
  buf_.fill(0);
  xf_.fill(0.0f);
  fill_ = 0;
  out_n_ = 0;
}

float ModemToneDetector::track_offset_hz(const Track& t) const noexcept {
  return std::atan2(t.rot.imag(), t.rot.real()) * 200.0f / (2.0f * std::numbers::pi_v<float>);
}

float ModemToneDetector::level_of(const Track& t) const noexcept {
  return t.good_blocks ? static_cast<float>(power_to_dbm0(t.power_sum / t.good_blocks)) : -99.0f;
}

// On/off and frequency of one bin. Does not shift y1/y2 except when the tone starts (the caller shifts after use).
[[gnu::always_inline]] inline ModemToneDetector::Step ModemToneDetector::step_track(Track& t, std::size_t bin, cf y,
                                                                                  bool good, float power) noexcept {
  if (!t.on) {
    if (!good) return Step::off;
    t = Track{};
    t.on = true;
    t.onset = k_ * block_;
    t.last_good = k_;
    t.y1 = y;
    t.g1 = true;
    t.good_blocks = 1;
    t.power_sum = power;
    return Step::started;
  }
  if (good) {
    t.miss = 0;
    t.last_good = k_;
    ++t.good_blocks;
    t.power_sum += power;
  } else if (++t.miss > kMaxMiss) {
    t.on = false;
    return Step::ended;
  }
  if (good && t.g1) {
    // Phase advance over one block beyond the bin's own: 2 pi (f - f_bin) N / fs. Pairs more than 90 degrees
    // away from the running estimate (phase reversals, the block that holds one) are left out.
    cf d = cmulc(cmulc(y, t.y1), tab_->r0[bin]);
    const float m = cabs(d);
    if (m > 0.0f) {
      d *= 1.0f / m;
      ++t.pairs;
      if (cmulc(d, t.rot).real() > 0.0f) {
        t.d_sum += d;
        ++t.good_pairs;
        // Kept unnormalised: its uses are scale-free (signs, atan2, the reversal test) except the reversal
        // instant, which normalises it there.
        if (cnorm(t.d_sum) > 0.0f) t.rot = t.d_sum;
      }
    }
  }
  return Step::on;
}

bool ModemToneDetector::frequency_ok(const Track& t, double max_offset_hz) const noexcept {
  return t.good_pairs >= 1 && 2 * t.good_pairs >= t.pairs && std::abs(track_offset_hz(t)) <= max_offset_hz;
}

// ---- answer tones ------------------------------------------------------------------------------------------

void ModemToneDetector::answer_declare(bool reversals) noexcept {
  if (!frequency_ok(ans_t_, cfg_.ans_max_offset_hz)) {
    ans_.rejected = true;
    return;
  }
  const float depth = ans_.depth_windows ? ans_.depth_sum / static_cast<float>(ans_.depth_windows) : 0.0f;
  const bool am = depth >= cfg_.am_min_depth && depth <= cfg_.am_max_depth;
  ans_.kind = reversals ? (am ? ModemTone::ansam_pr : ModemTone::ans_pr) : (am ? ModemTone::ansam : ModemTone::ans);
  ans_.declared = true;
  ModemToneEvent e;
  e.tone = ans_.kind;
  e.begin = true;
  e.sample = ans_.ev_onset;
  e.decided_sample = now();
  e.level_dbm0 = level_of(ans_t_);
  e.frequency_hz = static_cast<float>(kAnsHz) + track_offset_hz(ans_t_);
  e.am_depth = depth;
  e.count = ans_.reversals;
  emit(e);
}

void ModemToneDetector::answer_end() noexcept {
  if (ans_.declared) answer_end_at((ans_t_.last_good + 1) * block_);
  ans_ = Answer{};
}

void ModemToneDetector::answer_end_at(std::uint64_t end) noexcept {
  {
    ModemToneEvent e;
    e.tone = ans_.kind;
    e.begin = false;
    e.sample = ans_.ev_onset;
    e.duration_samples = end - ans_.ev_onset;
    e.decided_sample = now();
    e.level_dbm0 = level_of(ans_t_);
    e.frequency_hz = static_cast<float>(kAnsHz) + track_offset_hz(ans_t_);
    e.am_depth = ans_.depth_windows ? ans_.depth_sum / static_cast<float>(ans_.depth_windows) : 0.0f;
    e.count = ans_.reversals;
    emit(e);
  }
}

[[gnu::always_inline]] inline void ModemToneDetector::answer_block(cf y, float power, float energy) noexcept {
  Track& t = ans_t_;
  const bool good = power >= min_power_ && power >= min_purity_ * energy;
  const Step st = step_track(t, detail::kAns, y, good, power);
  if (st == Step::off) return;
  if (st == Step::ended) {
    answer_end();
    return;
  }
  if (st == Step::started) {
    ans_ = Answer{};
    ans_.ev_onset = t.onset;
    ans_.last_rev = static_cast<double>(t.onset);
    return;
  }
  // Phase reversal: the bin two blocks back, advanced by two blocks of the measured frequency, points the other
  // way. The block between (k-1) holds the reversal; its projection on the phase before gives the instant.
  bool rev = false;
  double t_rev = 0.0;
  if (ans_.refractory > 0) {
    --ans_.refractory;
  } else if (good && t.g2) {
    const cf rr = cmul(tab_->r0[detail::kAns], t.rot);
    const cf q = cmulc(cmulc(y, t.y2), cmul(rr, rr));
    // q.real() <= cos(min) |q| with cos(min) < 0, without the square root.
    if (q.real() < 0.0f && q.real() * q.real() >= cos2_min_reversal_ * cnorm(q)) {
      rev = true;
      ans_.refractory = 2;
      const cf ru = rr * (1.0f / cabs(rr));
      const cf u = 0.5f * (cmul(t.y2, ru) - cmulc(y, ru));  // block k-1 as it would be without the reversal
      const float uu = cnorm(u);
      const float p = uu > 0.0f ? cmulc(t.y1, u).real() / uu : 0.0f;
      const float alpha = std::clamp(0.5f * (1.0f + p), 0.0f, 1.0f);  // share of block k-1 before the reversal
      t_rev = static_cast<double>((k_ - 1) * block_) + static_cast<double>(alpha) * static_cast<double>(block_);
    }
  }
  // 15 Hz envelope of block k-1 (the onset block, partly empty, is skipped; the block holding a reversal is
  // replaced by the mean of its neighbours).
  if (k_ * block_ >= t.onset + 2 * block_) {
    const float e = (rev || !t.g1) ? 0.5f * (cabs(t.y2) + cabs(y)) : cabs(t.y1);
    ans_.am_acc += e * tab_->am[static_cast<std::size_t>(ans_.am_n)];
    ans_.am_sum += e;
    if (++ans_.am_n == detail::kAmWindow) {
      if (ans_.am_sum > 0.0f) {
        ans_.depth_sum += 2.0f * cabs(ans_.am_acc) / ans_.am_sum;
        ++ans_.depth_windows;
      }
      ans_.am_acc = cf{};
      ans_.am_sum = 0.0f;
      ans_.am_n = 0;
    }
  }
  if (rev) {
    ++ans_.reversals;
    const double interval_ms = (t_rev - ans_.last_rev) * 1000.0 / fs_;
    const double tol = cfg_.reversal_tolerance_ms + cfg_.reversal_margin_ms + (ans_.have_rev ? 0.0 : 5.0);
    const bool valid = std::abs(interval_ms - cfg_.reversal_interval_ms) <= tol;
    const bool after_reversal = ans_.have_rev;
    ans_.have_rev = true;
    ans_.last_rev = t_rev;
    if (valid && !ans_.rejected) {
      if (!ans_.declared) {
        answer_declare(true);
      } else if (!has_phase_reversals(ans_.kind) && after_reversal) {
        // Upgrade: the plain tone turns out to carry reversals.
        const std::uint64_t s = now();
        answer_end_at(s);
        ans_.ev_onset = s;
        answer_declare(true);
      }
    }
  }
  if (!ans_.declared && !ans_.rejected &&
      now() - t.onset >= decide_samples_)
    answer_declare(false);
  shift(t, y, good);
}

// ---- CNG ---------------------------------------------------------------------------------------------------

void ModemToneDetector::cng_end_sequence() noexcept {
  if (!cng_.active) return;
  ModemToneEvent e;
  e.tone = ModemTone::cng;
  e.begin = false;
  e.sample = cng_.seq_onset;
  e.duration_samples = cng_.last_end - cng_.seq_onset;
  e.decided_sample = now();
  e.level_dbm0 = static_cast<float>(cng_.level_sum / cng_.bursts);
  e.frequency_hz = static_cast<float>(cng_.freq_sum / cng_.bursts);
  e.count = cng_.bursts;
  emit(e);
  cng_ = Cng{};
}

void ModemToneDetector::cng_burst_end() noexcept {
  const Track& t = cng_t_;
  const std::uint64_t end = (t.last_good + 1) * block_;
  const double dur_ms = static_cast<double>(end - t.onset) * 1000.0 / fs_;
  const double tol = cfg_.cadence_tolerance, m = cfg_.cadence_margin_ms;
  const bool valid = dur_ms >= kCngOnMs * (1.0 - tol) - m && dur_ms <= kCngOnMs * (1.0 + tol) + m &&
                     frequency_ok(t, cfg_.cng_max_offset_hz);
  if (!valid) {
    cng_end_sequence();
    return;
  }
  if (cng_.active) {
    const double gap_ms = static_cast<double>(t.onset - cng_.last_end) * 1000.0 / fs_;
    if (gap_ms >= kCngOffMs * (1.0 - tol) - m && gap_ms <= kCngOffMs * (1.0 + tol) + m) {
      ++cng_.bursts;
      cng_.last_end = end;
      cng_.level_sum += level_of(t);
      cng_.freq_sum += kCngHz + track_offset_hz(t);
      return;
    }
    cng_end_sequence();
  }
  cng_.active = true;
  cng_.seq_onset = t.onset;
  cng_.last_end = end;
  cng_.bursts = 1;
  cng_.level_sum = level_of(t);
  cng_.freq_sum = kCngHz + track_offset_hz(t);
  ModemToneEvent e;
  e.tone = ModemTone::cng;
  e.begin = true;
  e.sample = t.onset;
  e.decided_sample = now();
  e.level_dbm0 = level_of(t);
  e.frequency_hz = static_cast<float>(cng_.freq_sum);
  e.count = 1;
  emit(e);
}

[[gnu::always_inline]] inline void ModemToneDetector::cng_block(cf y, float power, float energy) noexcept {
  const bool good = power >= min_power_ && power >= min_purity_ * energy;
  const Step st = step_track(cng_t_, detail::kCng, y, good, power);
  if (st == Step::ended) cng_burst_end();
  else if (st == Step::on) shift(cng_t_, y, good);
  if (cng_.active && !cng_t_.on) cng_wait();
}

// Between bursts: the sequence ends when no burst came within the longest silence its cadence allows.
void ModemToneDetector::cng_wait() noexcept {
  const double max_off_ms = kCngOffMs * (1.0 + cfg_.cadence_tolerance) + cfg_.cadence_margin_ms;
  if (static_cast<double>(now() - cng_.last_end) * 1000.0 / fs_ > max_off_ms) cng_end_sequence();
}

// ---- V.21 flags --------------------------------------------------------------------------------------------

void ModemToneDetector::v21_break() noexcept {
  if (v21_.declared) {
    const std::uint64_t half = tab_->window / 2;
    ModemToneEvent e;
    e.tone = ModemTone::v21_flags;
    e.begin = false;
    e.sample = v21_.first_start > half ? v21_.first_start - half : 0;
    e.duration_samples = v21_.last_end - v21_.first_start;
    e.decided_sample = now();
    e.level_dbm0 = v21_.level_n ? static_cast<float>(power_to_dbm0(v21_.level_sum / v21_.level_n)) : -99.0f;
    e.count = v21_.flags;
    emit(e);
  }
  v21_.declared = false;
  v21_.flags = 0;
  v21_.have_mark = false;
  v21_.bad = 0;
}

void ModemToneDetector::v21_run_end(int bit, std::uint64_t start, std::uint64_t end) noexcept {
  const double bit_samples = fs_ / kV21BitRate;
  const double len = static_cast<double>(end - start);
  if (bit == 1) {
    if (std::abs(len - 6.0 * bit_samples) <= 0.5 * bit_samples) {
      v21_.have_mark = true;
      v21_.mark_start = start;
    } else {
      v21_bad_run();
    }
    return;
  }
  if (v21_.have_mark && std::abs(len - 2.0 * bit_samples) <= 0.5 * bit_samples) {
    v21_.bad = 0;
    if (v21_.flags == 0) v21_.first_start = v21_.mark_start;
    ++v21_.flags;
    v21_.last_end = end;
    v21_.have_mark = false;
    if (!v21_.declared && v21_.flags >= static_cast<std::uint32_t>(cfg_.v21_min_flags)) {
      v21_.declared = true;
      const std::uint64_t half = tab_->window / 2;
      ModemToneEvent e;
      e.tone = ModemTone::v21_flags;
      e.begin = true;
      e.sample = v21_.first_start > half ? v21_.first_start - half : 0;
      e.decided_sample = end + 1;
      e.level_dbm0 = static_cast<float>(power_to_dbm0(v21_.level_sum / v21_.level_n));
      e.count = v21_.flags;
      emit(e);
    }
  } else {
    v21_bad_run();
  }
}

// A run that does not fit a flag: noise can split one run into three, so the preamble survives up to
// kV21MaxBadRuns of them in a row; the frame after the preamble (or anything else) ends it.
void ModemToneDetector::v21_bad_run() noexcept {
  v21_.have_mark = false;
  if (++v21_.bad > kV21MaxBadRuns) v21_break();
}

void ModemToneDetector::v21_block(float band_power, float energy) noexcept {
  const bool gate = band_power >= min_power_ && band_power >= v21_min_purity_ * energy;
  if (gate) {
    v21_.gate_miss = 0;
  } else if (!v21_.gated) {
    return;  // idle: the state is already V21{} (every path that closes the gate resets it)
  } else if (++v21_.gate_miss > kMaxMiss) {  // up to kMaxMiss failing blocks bridged
    v21_break();
    v21_ = V21{};
    return;
  }
  if (!v21_.gated) {
    v21_ = V21{};
    v21_.gated = true;
    std::fill_n(xf_.data(), block_, 0.0f);  // the window starts empty
  }
  if (gate) {
    v21_.level_sum += band_power;
    ++v21_.level_n;
  }
  if (block_ == 40) v21_correlate<40>();
  else v21_correlate<80>();
}

// The sliding one-bit correlators at mark and space, sample by sample: each sample adds its term and drops the
// term of the sample a window back (zero while the window fills after the gate opened). The terms are computed
// for the whole block first, then summed in order.
template <std::size_t B>
void ModemToneDetector::v21_correlate() noexcept {
  const auto& tab = *tab_;
  const std::size_t w = tab.window, period = tab.period, stride = tab.v21_stride;
  const std::uint64_t base = k_ * B;
  const std::size_t idx = static_cast<std::size_t>(base % period);  // phase index of the block's first sample
  const std::size_t oidx = (idx + period - w % period) % period;   // ... of the sample a window before it
  const float* cur = xf_.data() + B;
  const float* old = cur - w;
  const float* mr = tab.v21.data();
  const float* mi = mr + stride;
  const float* sr = mi + stride;
  const float* si = sr + stride;
  alignas(64) float zmr[B], zmi[B], zsr[B], zsi[B];
  for (std::size_t i = 0; i < B; ++i) {
    zmr[i] = cur[i] * mr[idx + i] - old[i] * mr[oidx + i];
    zmi[i] = cur[i] * mi[idx + i] - old[i] * mi[oidx + i];
    zsr[i] = cur[i] * sr[idx + i] - old[i] * sr[oidx + i];
    zsi[i] = cur[i] * si[idx + i] - old[i] * si[oidx + i];
  }
  float amr = v21_.zmr, ami = v21_.zmi, asr = v21_.zsr, asi = v21_.zsi;
  for (std::size_t i = 0; i < B; ++i) {
    zmr[i] = amr += zmr[i];
    zmi[i] = ami += zmi[i];
    zsr[i] = asr += zsr[i];
    zsi[i] = asi += zsi[i];
  }
  v21_.zmr = amr;
  v21_.zmi = ami;
  v21_.zsr = asr;
  v21_.zsi = asi;
  alignas(64) std::int32_t mark[B];
  for (std::size_t i = 0; i < B; ++i)
    mark[i] = zmr[i] * zmr[i] + zmi[i] * zmi[i] > zsr[i] * zsr[i] + zsi[i] * zsi[i] ? 1 : 0;
  std::copy_n(cur, B, xf_.data());  // this block is the next one's window history
  // Decisions start once the window is full (sample w - 1 after the gate opened).
  std::size_t i = 0;
  if (v21_.filled < w) {
    i = w - 1 - v21_.filled;
    v21_.filled = std::min(w, v21_.filled + B);
  }
  // Decisions debounced: a change must hold for a quarter bit (noise near a transition flickers). The state is
  // kept in locals (v21_run_end does not touch it).
  int bit = v21_.bit, cand = v21_.cand;
  std::uint32_t cand_n = v21_.cand_n;
  std::uint64_t cand_start = v21_.cand_start, run_start = v21_.run_start;
  for (; i < B; ++i) {
    const int b = mark[i];
    if (b == bit) {
      cand = -1;
      continue;
    }
    if (b != cand) {
      cand = b;
      cand_start = base + i;
      cand_n = 0;
    }
    if (++cand_n >= tab.debounce || bit < 0) {
      if (bit >= 0) v21_run_end(bit, run_start, cand_start);
      bit = b;
      run_start = cand_start;
      cand = -1;
    }
  }
  v21_.bit = bit;
  v21_.cand = cand;
  v21_.cand_n = cand_n;
  v21_.cand_start = cand_start;
  v21_.run_start = run_start;
}

// ---- end of stream -----------------------------------------------------------------------------------------

void ModemToneDetector::close_all() noexcept {
  out_n_ = 0;
  if (ans_t_.on) answer_end();
  if (cng_t_.on) {
    cng_t_.on = false;
    cng_burst_end();
  }
  cng_end_sequence();
  v21_break();
  // Back to the just-constructed state, keeping the events just emitted.
  const auto saved = out_;
  const std::size_t saved_n = out_n_;
  reset();
  out_ = saved;
  out_n_ = saved_n;
}

std::size_t ModemToneDetectorBank::memory_bytes() const noexcept {
  std::size_t b = sizeof(*this) + scratch_.capacity() * sizeof(std::int16_t);
  for (const auto& d : det_) b += d.memory_bytes();
  return b;
}

ModemToneDetectorBank::ModemToneDetectorBank(const ModemToneDetectorConfig& cfg, std::size_t channels, Isa isa) {
  if (channels == 0) throw std::invalid_argument("ModemToneDetectorBank: channels must be >= 1");
  det_.reserve(channels);
  for (std::size_t ch = 0; ch < channels; ++ch) det_.emplace_back(cfg, isa);
  scratch_.assign(channels * kBlockFrames, 0);
  deinterleave_ = modem_tone_kernels(isa).deinterleave;
}

void ModemToneDetectorBank::reset() noexcept {
  for (auto& d : det_) d.reset();
}


void ModemToneDetector::run_block(const std::int16_t* x) noexcept {
  out_n_ = 0;
  const std::uint64_t sumsq = energy_(x, block_);  // exact
  const float energy = static_cast<float>(sumsq) * inv_n_;  // mean power of the block
  last_power_ = energy;
  // Silence screen: with no tone being tracked, a block too weak for any bin to reach min_level cannot start one,
  // and the DFT is skipped (the events are the same as with it). Only CNG's wait for its next burst runs.
  if (!ans_t_.on && !cng_t_.on && !v21_.gated && static_cast<double>(sumsq) < quiet_energy_) {
    if (cng_.active) cng_wait();
    ++k_;
    return;
  }
  alignas(64) float out[detail::kRows];
  dft_(x, block_, tab_->dft.data(), xf_.data() + block_, out);
  cf y[4];
  float p[4];
  for (std::size_t f = 0; f < 4; ++f) {
    y[f] = cf(out[2 * f], out[2 * f + 1]);
    p[f] = cnorm(y[f]) * two_inv_n2_;  // mean power of a sine at this bin
  }
  // Fast path (speech, noise, silence): nothing in progress and no bin strong and pure enough to start anything.
  const float gate = std::min(min_purity_, v21_min_purity_) * energy;
  const float strongest = std::max({p[detail::kAns], p[detail::kCng], p[detail::kMark] + p[detail::kSpace]});
  if (strongest < min_power_ || strongest < gate) {
    if (!ans_t_.on && !cng_t_.on && !cng_.active && !v21_.gated) {
      ++k_;
      return;
    }
  }
  answer_block(y[detail::kAns], p[detail::kAns], energy);
  cng_block(y[detail::kCng], p[detail::kCng], energy);
  v21_block(p[detail::kMark] + p[detail::kSpace], energy);
  ++k_;
}

}  // namespace linedsp
