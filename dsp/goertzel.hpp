// dsp/goertzel.hpp — Goertzel filters: single, an M-frequency bank for one channel, and a multi-channel
// bank (M frequencies x N channels, structure of arrays) for density.
//
// The recursion per filter is  s0 = x + c*s1 - s2,  c = 2 cos(2 pi f / fs)  (evaluated as (x - s2) + c*s1 in
// every kernel, see dsp/kernels/goertzel_kernels.hpp, so all ISAs give the same bits);  after a block the power of
// the DFT bin at f is  P = s1^2 + s2^2 - c*s1*s2  (= |X(f)|^2, X the block's DFT at f, for any real f),
// and the complex value is  X = (s1 - s2 cos w) + j (s2 sin w)  up to a phase factor exp(-j w (N-1))
// that is the same for every block of the same length.
//
// The sample loops are SIMD kernels (dsp/kernels/goertzel_kernels.hpp), one table per Isa, chosen at
// construction from active_isa() (or given). Callers that keep their own fixed-size state (detectors
// with a known filter count) call the kernels directly on their arrays.
#pragma once

#include <complex>
#include <cstddef>
#include <span>
#include <vector>

#include "dsp/simd.hpp"

namespace linedsp {

// 2 cos(2 pi f / fs).
float goertzel_coeff(double freq_hz, double rate_hz) noexcept;

// Power of the DFT bin from the final state (s1 = last output, s2 = the one before).
inline float goertzel_power(float s1, float s2, float coeff) noexcept { return s1 * s1 + s2 * s2 - coeff * s1 * s2; }

// Complex bin value (up to the fixed block phase factor, see header comment); w = 2 pi f / fs.
inline std::complex<float> goertzel_complex(float s1, float s2, float cos_w, float sin_w) noexcept {
  return {s1 - s2 * cos_w, s2 * sin_w};
}

// Kernel table. Layouts:
//  bank:  one channel; x[n]; coeff/s1/s2 arrays of m filters (m any; callers may pad to 16 for speed).
//  multi: `channels` interleaved channels, x[frame * channels + ch]; state s1/s2 laid out
//         [filter * channels + ch]; coeff[filter] shared by every channel.
// Both run the recursion over all n samples, updating s1/s2 in place. No allocation, no alignment
// requirement (unaligned loads), any m, n, channels >= 0.
//  powers: out[f * channels + ch] = goertzel_power(s1[i], s2[i], coeff[f]) for the multi layout (channels = 1:
//         the bank layout), with goertzel_power's operation order, so it equals the inline function bit for bit.
struct GoertzelKernels {
  void (*bank)(const float* x, std::size_t n, const float* coeff, float* s1, float* s2, std::size_t m) noexcept;
  void (*multi)(const float* x, std::size_t n, std::size_t channels, const float* coeff, std::size_t m, float* s1,
                float* s2) noexcept;
  Isa isa;
  void (*powers)(const float* s1, const float* s2, const float* coeff, std::size_t m, std::size_t channels,
                 float* out) noexcept;
};
const GoertzelKernels& goertzel_kernels(Isa isa) noexcept;

// One filter, scalar, for reference and simple uses.
class Goertzel {
 public:
  Goertzel(double freq_hz, double rate_hz) noexcept;
  void process(std::span<const float> x) noexcept;
  float power() const noexcept { return goertzel_power(s1_, s2_, coeff_); }
  std::complex<float> value() const noexcept;
  void reset() noexcept { s1_ = s2_ = 0.0f; }

 private:
  float coeff_, cos_w_, sin_w_;
  float s1_ = 0.0f, s2_ = 0.0f;
};

// M frequencies over one channel.
class GoertzelBank {
 public:
  // Allocates; throws std::invalid_argument naming the field if a frequency is not in (0, rate/2).
  GoertzelBank(std::span<const double> freqs_hz, double rate_hz, Isa isa = active_isa());
  void process(std::span<const float> x) noexcept;
  void powers(std::span<float> out) const noexcept;  // out.size() >= size()
  std::size_t size() const noexcept { return m_; }
  void reset() noexcept;

 private:
  std::size_t m_;
  std::vector<float> coeff_, s1_, s2_;
  const GoertzelKernels* k_;
};

// M frequencies x N channels; input interleaved by frame.
class MultiChannelGoertzelBank {
 public:
  MultiChannelGoertzelBank(std::span<const double> freqs_hz, double rate_hz, std::size_t channels,
                           Isa isa = active_isa());
  // x holds frames * channels() interleaved samples.
  void process(std::span<const float> x) noexcept;
  // Power of filter `f` on channel `ch`.
  float power(std::size_t f, std::size_t ch) const noexcept;
  // Every power at once (SIMD): out[f * channels() + ch], out.size() >= size() * channels().
  void powers(std::span<float> out) const noexcept;
  std::size_t size() const noexcept { return m_; }
  std::size_t channels() const noexcept { return n_; }
  void reset() noexcept;

 private:
  std::size_t m_, n_;
  std::vector<float> coeff_, s1_, s2_;
  const GoertzelKernels* k_;
};

}  // namespace linedsp
