// sse2 call-progress Goertzel kernels: 4 lanes; per lane the same operations as the scalar specification.
#include <emmintrin.h>

#include "signals/kernels/progress_kernels.hpp"

// Bit-identical to the scalar specification: GCC must not fuse the multiply and add into an FMA.
#pragma GCC optimize("fp-contract=off")

namespace linedsp::detail {

namespace {
constexpr std::size_t kW = 4;
}

void progress_goertzel_single_sse2(const float* x, std::size_t sub_len, std::size_t nsub, const float* coeff,
                                    std::size_t m, float* s1, float* s2) noexcept {
  // Lanes = filters; the (up to 4) sub-blocks run as independent chains.
  for (std::size_t f = 0; f < m; f += kW) {
    const __m128 c = _mm_loadu_ps(coeff + f);
    __m128 a[4] = {_mm_setzero_ps(), _mm_setzero_ps(), _mm_setzero_ps(), _mm_setzero_ps()};
    __m128 b[4] = {_mm_setzero_ps(), _mm_setzero_ps(), _mm_setzero_ps(), _mm_setzero_ps()};
    if (nsub == 4) {
      const float* x0 = x;
      const float* x1 = x + sub_len;
      const float* x2 = x + 2 * sub_len;
      const float* x3 = x + 3 * sub_len;
      for (std::size_t i = 0; i < sub_len; ++i) {
        const __m128 s00 = _mm_sub_ps(_mm_add_ps(_mm_set1_ps(x0[i]), _mm_mul_ps(c, a[0])), b[0]);
        const __m128 s01 = _mm_sub_ps(_mm_add_ps(_mm_set1_ps(x1[i]), _mm_mul_ps(c, a[1])), b[1]);
        const __m128 s02 = _mm_sub_ps(_mm_add_ps(_mm_set1_ps(x2[i]), _mm_mul_ps(c, a[2])), b[2]);
        const __m128 s03 = _mm_sub_ps(_mm_add_ps(_mm_set1_ps(x3[i]), _mm_mul_ps(c, a[3])), b[3]);
        b[0] = a[0]; a[0] = s00;
        b[1] = a[1]; a[1] = s01;
        b[2] = a[2]; a[2] = s02;
        b[3] = a[3]; a[3] = s03;
      }
    } else {
      for (std::size_t sub = 0; sub < nsub; ++sub) {
        const float* xs = x + sub * sub_len;
        for (std::size_t i = 0; i < sub_len; ++i) {
          const __m128 s0 = _mm_sub_ps(_mm_add_ps(_mm_set1_ps(xs[i]), _mm_mul_ps(c, a[sub])), b[sub]);
          b[sub] = a[sub];
          a[sub] = s0;
        }
      }
    }
    for (std::size_t sub = 0; sub < nsub; ++sub) {
      _mm_storeu_ps(s1 + sub * m + f, a[sub]);
      _mm_storeu_ps(s2 + sub * m + f, b[sub]);
    }
  }
}

void progress_goertzel_multi_sse2(const float* x, std::size_t sub_len, std::size_t nsub, std::size_t channels,
                                   const float* coeff, std::size_t m, float* s1, float* s2) noexcept {
  // Lanes = channels; the sub-blocks run as independent chains.
  for (std::size_t f = 0; f < m; ++f) {
    const __m128 c = _mm_set1_ps(coeff[f]);
    for (std::size_t ch = 0; ch < channels; ch += kW) {
      __m128 a[4] = {_mm_setzero_ps(), _mm_setzero_ps(), _mm_setzero_ps(), _mm_setzero_ps()};
      __m128 b[4] = {_mm_setzero_ps(), _mm_setzero_ps(), _mm_setzero_ps(), _mm_setzero_ps()};
      for (std::size_t i = 0; i < sub_len; ++i) {
        for (std::size_t sub = 0; sub < nsub; ++sub) {
          const __m128 xv = _mm_loadu_ps(x + (sub * sub_len + i) * channels + ch);
          const __m128 s0 = _mm_sub_ps(_mm_add_ps(xv, _mm_mul_ps(c, a[sub])), b[sub]);
          b[sub] = a[sub];
          a[sub] = s0;
        }
      }
      for (std::size_t sub = 0; sub < nsub; ++sub) {
        _mm_storeu_ps(s1 + (f * nsub + sub) * channels + ch, a[sub]);
        _mm_storeu_ps(s2 + (f * nsub + sub) * channels + ch, b[sub]);
      }
    }
  }
}

}  // namespace linedsp::detail
