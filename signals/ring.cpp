// signals/ring.cpp
#include "signals/ring.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace linedsp {

RingCadence to_ring_cadence(const RingPattern& pattern) {
  RingCadence c;
  for (std::size_t i = 0; i < pattern.cadence_ms.size() && i < RingCadence::kMaxSegments; ++i)
    c.segments_ms[c.count++] = pattern.cadence_ms[i];
  return c;
}

RingCadenceGenerator::RingCadenceGenerator(const RingPattern& pattern, const RingGeneratorConfig& cfg) {
  if (cfg.sample_rate_hz != 8000 && cfg.sample_rate_hz != 16000)
    throw std::invalid_argument("RingGeneratorConfig.sample_rate_hz: must be 8000 or 16000");
  if (!(cfg.ring_vrms > 0 && cfg.ring_vrms * std::sqrt(2.0) / kRingVoltsPerUnit < 32767))
    throw std::invalid_argument("RingGeneratorConfig.ring_vrms: must be in (0, 231] V");
  if (pattern.cadence_ms.empty() || pattern.cadence_ms.size() > 8 || pattern.cadence_ms.size() % 2)
    throw std::invalid_argument("RingPattern.cadence_ms: expected 2..8 on/off durations");
  std::uint64_t cum = 0;
  for (auto d : pattern.cadence_ms) {
    if (d == 0) throw std::invalid_argument("RingPattern.cadence_ms: durations must be > 0");
    cum += d;
    ends_[count_++] = cum * static_cast<std::uint64_t>(cfg.sample_rate_hz) / 1000;
  }
  cycle_ = ends_[count_ - 1];
  inc_ = pattern.frequency_hz / cfg.sample_rate_hz;
  peak_ = cfg.ring_vrms * std::sqrt(2.0) / kRingVoltsPerUnit;
  reset();
}

void RingCadenceGenerator::reset() noexcept {
  n_ = pos_ = 0;
  el_ = 0;
  on_ = false;
  phase_ = 0;
}

int RingCadenceGenerator::step(std::int16_t& out) noexcept {
  while (pos_ >= ends_[el_]) {
    if (++el_ == count_) {
      el_ = 0;
      pos_ = 0;
    }
  }
  const bool on = el_ % 2 == 0;
  int edge = 0;
  if (on != on_) {
    edge = on ? 1 : -1;
    on_ = on;
    if (on) phase_ = 0;  // each burst starts at a zero crossing
  }
  out = on ? static_cast<std::int16_t>(std::lround(peak_ * std::sin(2 * std::numbers::pi * phase_))) : 0;
  phase_ += inc_;
  if (phase_ >= 1.0) phase_ -= 1.0;
  ++pos_;
  ++n_;
  return edge;
}

RingDetector::RingDetector(const TonePlan& plan, const RingDetectorConfig& cfg) : cfg_(cfg) {
  if (cfg.sample_rate_hz != 8000 && cfg.sample_rate_hz != 16000)
    throw std::invalid_argument("RingDetectorConfig.sample_rate_hz: must be 8000 or 16000");
  if (!(cfg.detect_vrms > 0)) throw std::invalid_argument("RingDetectorConfig.detect_vrms: must be > 0");
  if (cfg.bridge_ms < 0 || cfg.bridge_ms > 200) throw std::invalid_argument("RingDetectorConfig.bridge_ms: must be in 0..200");
  if (cfg.cycle_gap_ms < 200) throw std::invalid_argument("RingDetectorConfig.cycle_gap_ms: must be >= 200");
  if (!(cfg.tolerance_pct >= 0 && cfg.tolerance_pct < 50)) throw std::invalid_argument("RingDetectorConfig.tolerance_pct: must be in [0, 50)");
  const std::uint64_t spms = static_cast<std::uint64_t>(cfg.sample_rate_hz) / 1000;
  for (const auto& r : plan.rings) {
    Pat p;
    for (std::size_t i = 0; i + 1 < r.cadence_ms.size(); ++i) p.d.push_back(r.cadence_ms[i] * spms);
    pats_.push_back(std::move(p));
  }
  block_ = static_cast<std::size_t>(cfg.sample_rate_hz / 100);
  threshold_ = 0.9 * cfg.detect_vrms / kRingVoltsPerUnit;  // mean of |sine| = 0.9 rms
  bridge_ = static_cast<std::uint64_t>(cfg.bridge_ms) * spms;
  gap_ = static_cast<std::uint64_t>(cfg.cycle_gap_ms) * spms;
  reset();
}

void RingDetector::reset() noexcept {
  fill_ = 0;
  acc_ = 0;
  n_ = 0;
  last_on_ = 0;
  ring_ = false;
  burst_start_ = burst_end_ = cycle_start_ = 0;
  nd_ = 0;
}

int RingDetector::classify() const noexcept {
  const double spms = cfg_.sample_rate_hz / 1000.0;
  for (std::size_t i = 0; i < pats_.size(); ++i) {
    const auto& d = pats_[i].d;
    if (d.size() != nd_) continue;
    bool ok = true;
    for (std::size_t k = 0; k < nd_ && ok; ++k) {
      const double nominal = static_cast<double>(d[k]);
      const double tol = nominal * cfg_.tolerance_pct / 100.0 + cfg_.tolerance_ms * spms;
      ok = std::abs(static_cast<double>(durs_[k]) - nominal) <= tol;
    }
    if (ok) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace linedsp
