// The specification of the call-progress Goertzel kernels: plain loops, no intrinsics.
#include "signals/kernels/progress_kernels.hpp"

#pragma GCC optimize("fp-contract=off")

namespace linedsp::detail {

void progress_goertzel_single_scalar(const float* x, std::size_t sub_len, std::size_t nsub, const float* coeff,
                                     std::size_t m, float* s1, float* s2) noexcept {
  for (std::size_t sub = 0; sub < nsub; ++sub) {
    const float* xs = x + sub * sub_len;
    for (std::size_t f = 0; f < m; ++f) {
      const float c = coeff[f];
      float a = 0.0f, b = 0.0f;
      for (std::size_t i = 0; i < sub_len; ++i) {
        const float t = c * a;
        const float u = xs[i] + t;
        const float s0 = u - b;
        b = a;
        a = s0;
      }
      s1[sub * m + f] = a;
      s2[sub * m + f] = b;
    }
  }
}

void progress_goertzel_multi_scalar(const float* x, std::size_t sub_len, std::size_t nsub, std::size_t channels,
                                    const float* coeff, std::size_t m, float* s1, float* s2) noexcept {
  for (std::size_t f = 0; f < m; ++f) {
    const float c = coeff[f];
    for (std::size_t sub = 0; sub < nsub; ++sub) {
      float* a = s1 + (f * nsub + sub) * channels;
      float* b = s2 + (f * nsub + sub) * channels;
      for (std::size_t ch = 0; ch < channels; ++ch) a[ch] = b[ch] = 0.0f;
      for (std::size_t i = 0; i < sub_len; ++i) {
        const float* xi = x + (sub * sub_len + i) * channels;
        for (std::size_t ch = 0; ch < channels; ++ch) {
          const float t = c * a[ch];
          const float u = xi[ch] + t;
          const float s0 = u - b[ch];
          b[ch] = a[ch];
          a[ch] = s0;
        }
      }
    }
  }
}

}  // namespace linedsp::detail
