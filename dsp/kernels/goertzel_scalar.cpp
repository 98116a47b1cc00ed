// The specification of the Goertzel kernels: plain loops, no intrinsics. See goertzel_kernels.hpp for the
// operation order every variant repeats.
#include "dsp/kernels/goertzel_kernels.hpp"

// Bit-identical with the SIMD variants even in a -march=native build: no FMA contraction.
#pragma GCC optimize("fp-contract=off")

namespace linedsp::detail {

void goertzel_bank_scalar(const float* x, std::size_t n, const float* coeff, float* s1, float* s2,
                          std::size_t m) noexcept {
  // Four filters side by side (independent chains, so a superscalar core overlaps their latencies); each
  // filter still runs exactly the recursion below, so this is the same arithmetic as one at a time.
  std::size_t f = 0;
  for (; f + 4 <= m; f += 4) {
    float c[4], a[4], b[4];
    for (int k = 0; k < 4; ++k) {
      c[k] = coeff[f + k];
      a[k] = s1[f + k];
      b[k] = s2[f + k];
    }
    for (std::size_t i = 0; i < n; ++i) {
      const float xi = x[i];
#pragma GCC unroll 4
      for (int k = 0; k < 4; ++k) {
        const float s0 = (xi - b[k]) + c[k] * a[k];
        b[k] = a[k];
        a[k] = s0;
      }
    }
    for (int k = 0; k < 4; ++k) {
      s1[f + k] = a[k];
      s2[f + k] = b[k];
    }
  }
  for (; f < m; ++f) {
    const float c = coeff[f];
    float a = s1[f], b = s2[f];
    for (std::size_t i = 0; i < n; ++i) {
      const float s0 = (x[i] - b) + c * a;
      b = a;
      a = s0;
    }
    s1[f] = a;
    s2[f] = b;
  }
}

void goertzel_multi_range_scalar(const float* x, std::size_t n, std::size_t channels, std::size_t ch_begin,
                                 std::size_t ch_end, const float* coeff, std::size_t m, float* s1,
                                 float* s2) noexcept {
  for (std::size_t f = 0; f < m; ++f) {
    const float c = coeff[f];
    float* a = s1 + f * channels;
    float* b = s2 + f * channels;
    for (std::size_t i = 0; i < n; ++i) {
      const float* xi = x + i * channels;
      for (std::size_t ch = ch_begin; ch < ch_end; ++ch) {
        const float s0 = (xi[ch] - b[ch]) + c * a[ch];
        b[ch] = a[ch];
        a[ch] = s0;
      }
    }
  }
}

void goertzel_multi_scalar(const float* x, std::size_t n, std::size_t channels, const float* coeff, std::size_t m,
                           float* s1, float* s2) noexcept {
  goertzel_multi_range_scalar(x, n, channels, 0, channels, coeff, m, s1, s2);
}

void goertzel_powers_scalar(const float* s1, const float* s2, const float* coeff, std::size_t m, std::size_t channels,
                            float* out) noexcept {
  for (std::size_t f = 0; f < m; ++f) {
    const float c = coeff[f];
    for (std::size_t ch = 0; ch < channels; ++ch) {
      const std::size_t i = f * channels + ch;
      const float a = s1[i], b = s2[i];
      out[i] = (a * a + b * b) - (c * a) * b;
    }
  }
}

}  // namespace linedsp::detail
