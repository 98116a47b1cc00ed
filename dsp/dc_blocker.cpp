#include "dsp/dc_blocker.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>

#include "dsp/simd.hpp"

namespace linedsp {

double dc_blocker_pole(const DcBlockerConfig& cfg) {
  if (!(cfg.sample_rate_hz > 0.0 && std::isfinite(cfg.sample_rate_hz)))
    throw std::invalid_argument("sample_rate_hz: must be positive");
  if (!(cfg.corner_hz > 0.0 && cfg.corner_hz < cfg.sample_rate_hz / 4.0))
    throw std::invalid_argument("corner_hz: must be between 0 and sample_rate_hz/4");
  // |H(w)|^2 = g^2 2 (1 - cos w) / (1 - 2 R cos w + R^2), g = (1 + R) / 2, rises monotonically with R
  // from 0 (R = 0 gives -6 dB at fs/4 and less below) to 1: bisect for 1/2 at the corner.
  const double c = std::cos(2.0 * std::numbers::pi * cfg.corner_hz / cfg.sample_rate_hz);
  auto gain_sq = [c](double r) { return (1 + r) * (1 + r) / 4 * 2 * (1 - c) / (1 - 2 * r * c + r * r); };
  double lo = 0.0, hi = 1.0;
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (lo + hi);
    (gain_sq(mid) < 0.5 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

DcBlocker::DcBlocker(const DcBlockerConfig& cfg) {
  const double r = dc_blocker_pole(cfg);
  r_ = static_cast<float>(r);
  g_ = static_cast<float>((1.0 + r) / 2.0);
}

void DcBlocker::process(std::span<const float> in, std::span<float> out) noexcept {
  const ScopedDenormalsOff ftz;
  float x1 = x1_, y1 = y1_;
  const std::size_t n = in.size() < out.size() ? in.size() : out.size();
  for (std::size_t i = 0; i < n; ++i) {
    const float x = in[i];
    const float y = g_ * (x - x1) + r_ * y1;
    x1 = x;
    y1 = y;
    out[i] = y;
  }
  x1_ = x1;
  y1_ = y1;
}

void DcBlocker::process(std::span<const std::int16_t> in, std::span<std::int16_t> out) noexcept {
  const ScopedDenormalsOff ftz;
  float x1 = x1_, y1 = y1_;
  const std::size_t n = in.size() < out.size() ? in.size() : out.size();
  for (std::size_t i = 0; i < n; ++i) {
    const float x = in[i];
    const float y = g_ * (x - x1) + r_ * y1;
    x1 = x;
    y1 = y;
    const float r = std::nearbyint(y);
    out[i] = static_cast<std::int16_t>(r > 32767.0f ? 32767.0f : (r < -32768.0f ? -32768.0f : r));
  }
  x1_ = x1;
  y1_ = y1;
}

}  // namespace linedsp
