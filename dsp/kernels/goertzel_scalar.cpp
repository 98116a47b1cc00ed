// The specification of the Goertzel kernels: plain loops, no intrinsics.
#include "dsp/kernels/goertzel_kernels.hpp"

namespace linedsp::detail {

void goertzel_bank_scalar(const float* x, std::size_t n, const float* coeff, float* s1, float* s2,
                          std::size_t m) noexcept {
  for (std::size_t f = 0; f < m; ++f) {
    const float c = coeff[f];
    float a = s1[f], b = s2[f];
    for (std::size_t i = 0; i < n; ++i) {
      const float s0 = x[i] + c * a - b;
      b = a;
      a = s0;
    }
    s1[f] = a;
    s2[f] = b;
  }
}

void goertzel_multi_scalar(const float* x, std::size_t n, std::size_t channels, const float* coeff, std::size_t m,
                           float* s1, float* s2) noexcept {
  for (std::size_t f = 0; f < m; ++f) {
    const float c = coeff[f];
    float* a = s1 + f * channels;
    float* b = s2 + f * channels;
    for (std::size_t i = 0; i < n; ++i) {
      const float* xi = x + i * channels;
      for (std::size_t ch = 0; ch < channels; ++ch) {
        const float s0 = xi[ch] + c * a[ch] - b[ch];
        b[ch] = a[ch];
        a[ch] = s0;
      }
    }
  }
}

}  // namespace linedsp::detail
