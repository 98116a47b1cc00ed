#include "signals/cas.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "dsp/goertzel.hpp"
#include "dsp/level.hpp"

namespace linedsp {

namespace {
std::size_t ms_to_samples(int ms, int rate) { return static_cast<std::size_t>(ms) * static_cast<std::size_t>(rate) / 1000; }
void check_freq(double f, int rate, const char* field) {
  if (!(f > 0.0 && f < rate / 2.0)) throw std::invalid_argument(std::string(field) + ": must be in (0, rate/2)");
}
}  // namespace

CasGenerator::CasGenerator(const CasGeneratorConfig& cfg) : cfg_(cfg) {
  if (cfg.sample_rate_hz != 8000 && cfg.sample_rate_hz != 16000)
    throw std::invalid_argument("sample_rate_hz: must be 8000 or 16000");
  check_freq(cfg.low_hz, cfg.sample_rate_hz, "low_hz");
  check_freq(cfg.high_hz, cfg.sample_rate_hz, "high_hz");
  check_freq(cfg.sas_hz, cfg.sample_rate_hz, "sas_hz");
  if (cfg.duration_ms <= 0 || cfg.duration_ms > 10000) throw std::invalid_argument("duration_ms: 1..10000");
  if (cfg.sas_ms < 0 || cfg.sas_ms > 10000) throw std::invalid_argument("sas_ms: 0..10000");
  if (cfg.sas_gap_ms < 0 || cfg.sas_gap_ms > 10000) throw std::invalid_argument("sas_gap_ms: 0..10000");
  if (!(cfg.level_dbm0 <= 0.0)) throw std::invalid_argument("level_dbm0: must be <= 0");
  if (!(cfg.sas_level_dbm0 <= 3.0)) throw std::invalid_argument("sas_level_dbm0: must be <= 3");
  sas_samples_ = ms_to_samples(cfg.sas_ms, cfg.sample_rate_hz);
  gap_samples_ = ms_to_samples(cfg.sas_gap_ms, cfg.sample_rate_hz);
  tone_samples_ = ms_to_samples(cfg.duration_ms, cfg.sample_rate_hz);
  a_tone_ = dbm0_to_peak(cfg.level_dbm0);
  a_sas_ = dbm0_to_peak(cfg.sas_level_dbm0);
}

void CasGenerator::start() noexcept {
  left_ = total_samples();
  pos_ = 0;
}

std::size_t CasGenerator::generate(std::span<std::int16_t> out) noexcept {
  const double k = 2.0 * std::numbers::pi / cfg_.sample_rate_hz;
  std::size_t i = 0;
  for (; i < out.size() && left_ > 0; ++i, ++pos_, --left_) {
    double v = 0.0;
    if (pos_ < sas_samples_) {
      v = a_sas_ * std::sin(k * cfg_.sas_hz * static_cast<double>(pos_));
    } else if (pos_ >= sas_samples_ + gap_samples_) {
      const double n = static_cast<double>(pos_ - sas_samples_ - gap_samples_);
      v = a_tone_ * (std::sin(k * cfg_.low_hz * n) + std::sin(k * cfg_.high_hz * n));
    }
    out[i] = static_cast<std::int16_t>(std::lround(std::clamp(v, -32768.0, 32767.0)));
  }
  return i;
}

// ---------------------------------------------------------------------------------------------------------
CasDetector::CasDetector(const CasDetectorConfig& cfg) : cfg_(cfg) {
  if (cfg.sample_rate_hz != 8000 && cfg.sample_rate_hz != 16000)
    throw std::invalid_argument("sample_rate_hz: must be 8000 or 16000");
  check_freq(cfg.low_hz, cfg.sample_rate_hz, "low_hz");
  check_freq(cfg.high_hz, cfg.sample_rate_hz, "high_hz");
  if (!(cfg.min_level_dbm0 < 0.0)) throw std::invalid_argument("min_level_dbm0: must be negative");
  if (!(cfg.max_twist_db >= 0.0)) throw std::invalid_argument("max_twist_db: must be >= 0");
  if (!(cfg.min_purity > 0.0 && cfg.min_purity <= 1.0)) throw std::invalid_argument("min_purity: (0, 1]");
  if (cfg.min_on_ms < 10 || cfg.max_on_ms < cfg.min_on_ms) throw std::invalid_argument("min_on_ms/max_on_ms");
  block_ = static_cast<std::size_t>(cfg.sample_rate_hz / 200);  // 5 ms
  c_low_ = goertzel_coeff(cfg.low_hz, cfg.sample_rate_hz);
  c_high_ = goertzel_coeff(cfg.high_hz, cfg.sample_rate_hz);
  // A sine of peak A at the bin frequency gives |X|^2 = (A N / 2)^2 (within the other tone's small leakage).
  const double a = dbm0_to_peak(cfg.min_level_dbm0) * static_cast<double>(block_) / 2.0;
  min_power_ = static_cast<float>(a * a);
  twist_ratio_ = static_cast<float>(std::pow(10.0, cfg.max_twist_db / 10.0));
  const double block_ms = 1000.0 * static_cast<double>(block_) / cfg.sample_rate_hz;
  min_blocks_ = static_cast<std::size_t>(std::ceil(cfg.min_on_ms / block_ms));
  max_blocks_ = static_cast<std::size_t>(std::floor(cfg.max_on_ms / block_ms));
  reset();
}

void CasDetector::reset() noexcept {
  fill_ = 0;
  blocks_ = 0;
  run_ = 0;
  on_ = false;
}

bool CasDetector::block_done(CasEvent& ev) noexcept {
  float l1 = 0.0f, l2 = 0.0f, h1 = 0.0f, h2 = 0.0f, energy = 0.0f;
  for (std::size_t i = 0; i < block_; ++i) {
    const float x = buf_[i];
    const float l0 = x + c_low_ * l1 - l2;
    l2 = l1;
    l1 = l0;
    const float h0 = x + c_high_ * h1 - h2;
    h2 = h1;
    h1 = h0;
    energy += x * x;
  }
  const float pl = goertzel_power(l1, l2, c_low_);
  const float ph = goertzel_power(h1, h2, c_high_);
  const float n_half = static_cast<float>(block_) / 2.0f;
  const bool qualifies = pl >= min_power_ && ph >= min_power_ && pl <= ph * twist_ratio_ &&
                         ph <= pl * twist_ratio_ && (pl + ph) >= cfg_.min_purity * energy * n_half;
  const std::uint64_t block_start = blocks_ * block_;
  ++blocks_;
  if (qualifies) {
    ++run_;
    if (!on_ && run_ == min_blocks_) {
      on_ = true;
      ev = CasEvent{true, true, block_start + block_ - run_ * block_, 0};
      return true;
    }
    return false;
  }
  const std::size_t run = run_;
  run_ = 0;
  if (!on_) return false;
  on_ = false;
  ev = CasEvent{false, run <= max_blocks_, block_start - run * block_, run * block_};
  return true;
}

}  // namespace linedsp
