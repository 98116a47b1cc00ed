// dsp/biquad.hpp — second-order IIR sections designed by R. Bristow-Johnson's "Cookbook formulae for audio
// EQ biquad filter coefficients" (the RBJ cookbook; sox's lowpass/highpass/bandpass/bandreject/equalizer/
// allpass effects use the same formulas, and tests/dsp/biquad_test.cpp checks against sox).
//
//   H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2)     (a0 normalised to 1)
//
// Design in double, run in float (int16 units inside, as everywhere in linedsp), transposed direct form II:
//   y = b0 x + z1;  z1 = b1 x - a1 y + z2;  z2 = b2 x - a2 y
// process() runs with flush-to-zero/denormals-are-zero set (ScopedDenormalsOff), so the decaying tail after
// a signal stops never falls into the slow denormal path (bench/dsp_bench.cpp measures both). Results do not
// depend on how the input is split into blocks.
#pragma once

#include <complex>
#include <span>

namespace linedsp {

enum class BiquadType { lowpass, highpass, bandpass, notch, peaking, lowshelf, highshelf, allpass };

struct BiquadConfig {
  BiquadType type = BiquadType::lowpass;
  double freq_hz = 1000.0;                // centre / corner frequency f0, 0 < f0 < fs/2
  double q = 0.70710678118654752;          // Q (1/sqrt(2): Butterworth for low/high pass; shelf: slope S=1)
  double gain_db = 0.0;                    // peaking and shelf gain; ignored by the other types
  double sample_rate_hz = 8000.0;
};

struct BiquadCoeffs {
  double b0 = 1.0, b1 = 0.0, b2 = 0.0, a1 = 0.0, a2 = 0.0;
  // H(e^{jw}) at f (double precision; for plots and checks, not the audio path).
  std::complex<double> response(double freq_hz, double sample_rate_hz) const noexcept;
};

// RBJ cookbook coefficients. Throws std::invalid_argument naming the bad field.
BiquadCoeffs design_biquad(const BiquadConfig& cfg);

class Biquad {
 public:
  explicit Biquad(const BiquadConfig& cfg) : Biquad(design_biquad(cfg)) {}
  explicit Biquad(const BiquadCoeffs& c) noexcept;

  // out[i] = filter(in[i]); in and out may be the same span; out.size() >= in.size().
  void process(std::span<const float> in, std::span<float> out) noexcept;
  void process(std::span<float> inout) noexcept { process(inout, inout); }
  void reset() noexcept { z1_ = z2_ = 0.0f; }
  const BiquadCoeffs& coeffs() const noexcept { return design_; }

 private:
  BiquadCoeffs design_;
  float b0_, b1_, b2_, a1_, a2_;
  float z1_ = 0.0f, z2_ = 0.0f;
};

}  // namespace linedsp
