#include "dsp/biquad.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "dsp/simd.hpp"

namespace linedsp {

std::complex<double> BiquadCoeffs::response(double freq_hz, double sample_rate_hz) const noexcept {
  const std::complex<double> z1 = std::polar(1.0, -2.0 * std::numbers::pi * freq_hz / sample_rate_hz);
  const std::complex<double> z2 = z1 * z1;
  return (b0 + b1 * z1 + b2 * z2) / (1.0 + a1 * z1 + a2 * z2);
}

BiquadCoeffs design_biquad(const BiquadConfig& cfg) {
  const double fs = cfg.sample_rate_hz;
  if (!(fs > 0.0 && std::isfinite(fs))) throw std::invalid_argument("sample_rate_hz: must be positive");
  if (!(cfg.freq_hz > 0.0 && cfg.freq_hz < fs / 2.0))
    throw std::invalid_argument("freq_hz: " + std::to_string(cfg.freq_hz) + " is not between 0 and sample_rate_hz/2");
  if (!(cfg.q > 0.0 && std::isfinite(cfg.q))) throw std::invalid_argument("q: must be positive");
  if (!std::isfinite(cfg.gain_db) || std::abs(cfg.gain_db) > 120.0)
    throw std::invalid_argument("gain_db: must be finite, within +-120 dB");

  // The cookbook's intermediate variables.
  const double w0 = 2.0 * std::numbers::pi * cfg.freq_hz / fs;
  const double cw = std::cos(w0), sw = std::sin(w0);
  const double alpha = sw / (2.0 * cfg.q);
  const double a = std::pow(10.0, cfg.gain_db / 40.0);
  double b0 = 1, b1 = 0, b2 = 0, a0 = 1, a1 = 0, a2 = 0;
  switch (cfg.type) {
    case BiquadType::lowpass:
      b0 = (1 - cw) / 2; b1 = 1 - cw; b2 = (1 - cw) / 2;
      a0 = 1 + alpha; a1 = -2 * cw; a2 = 1 - alpha;
      break;
    case BiquadType::highpass:
      b0 = (1 + cw) / 2; b1 = -(1 + cw); b2 = (1 + cw) / 2;
      a0 = 1 + alpha; a1 = -2 * cw; a2 = 1 - alpha;
      break;
    case BiquadType::bandpass:  // constant 0 dB peak gain
      b0 = alpha; b1 = 0; b2 = -alpha;
      a0 = 1 + alpha; a1 = -2 * cw; a2 = 1 - alpha;
      break;
    case BiquadType::notch:
      b0 = 1; b1 = -2 * cw; b2 = 1;
      a0 = 1 + alpha; a1 = -2 * cw; a2 = 1 - alpha;
      break;
    case BiquadType::peaking:
      b0 = 1 + alpha * a; b1 = -2 * cw; b2 = 1 - alpha * a;
      a0 = 1 + alpha / a; a1 = -2 * cw; a2 = 1 - alpha / a;
      break;
    case BiquadType::lowshelf: {
      const double k = 2 * std::sqrt(a) * alpha;
      b0 = a * ((a + 1) - (a - 1) * cw + k); b1 = 2 * a * ((a - 1) - (a + 1) * cw); b2 = a * ((a + 1) - (a - 1) * cw - k);
      a0 = (a + 1) + (a - 1) * cw + k; a1 = -2 * ((a - 1) + (a + 1) * cw); a2 = (a + 1) + (a - 1) * cw - k;
      break;
    }
    case BiquadType::highshelf: {
      const double k = 2 * std::sqrt(a) * alpha;
      b0 = a * ((a + 1) + (a - 1) * cw + k); b1 = -2 * a * ((a - 1) + (a + 1) * cw); b2 = a * ((a + 1) + (a - 1) * cw - k);
      a0 = (a + 1) - (a - 1) * cw + k; a1 = 2 * ((a - 1) - (a + 1) * cw); a2 = (a + 1) - (a - 1) * cw - k;
      break;
    }
    case BiquadType::allpass:
      b0 = 1 - alpha; b1 = -2 * cw; b2 = 1 + alpha;
      a0 = 1 + alpha; a1 = -2 * cw; a2 = 1 - alpha;
      break;
    default:
      throw std::invalid_argument("type: unknown BiquadType");
  }
  return {b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0};
}

Biquad::Biquad(const BiquadCoeffs& c) noexcept
    : design_(c),
      b0_(static_cast<float>(c.b0)),
      b1_(static_cast<float>(c.b1)),
      b2_(static_cast<float>(c.b2)),
      a1_(static_cast<float>(c.a1)),
      a2_(static_cast<float>(c.a2)) {}

void Biquad::process(std::span<const float> in, std::span<float> out) noexcept {
  const ScopedDenormalsOff ftz;
  float z1 = z1_, z2 = z2_;
  const std::size_t n = in.size() < out.size() ? in.size() : out.size();
  for (std::size_t i = 0; i < n; ++i) {
    const float x = in[i];
    const float y = b0_ * x + z1;
    z1 = b1_ * x - a1_ * y + z2;
    z2 = b2_ * x - a2_ * y;
    out[i] = y;
  }
  z1_ = z1;
  z2_ = z2;
}

}  // namespace linedsp
