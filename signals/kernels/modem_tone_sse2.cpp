// sse2 modem-tone front end: 4 accumulators of 4 lanes emulate the specification's 16 partial sums.
#include <emmintrin.h>

#include "signals/kernels/modem_tone_kernels.hpp"

#pragma GCC optimize("fp-contract=off")

namespace linedsp::detail {

namespace {
float dot16(const float* x, const float* t, std::size_t len) noexcept {
  __m128 v0 = _mm_setzero_ps(), v1 = _mm_setzero_ps(), v2 = _mm_setzero_ps(), v3 = _mm_setzero_ps();
  for (std::size_t i = 0; i < len; i += 16) {
    v0 = _mm_add_ps(v0, _mm_mul_ps(_mm_loadu_ps(x + i), _mm_loadu_ps(t + i)));
    v1 = _mm_add_ps(v1, _mm_mul_ps(_mm_loadu_ps(x + i + 4), _mm_loadu_ps(t + i + 4)));
    v2 = _mm_add_ps(v2, _mm_mul_ps(_mm_loadu_ps(x + i + 8), _mm_loadu_ps(t + i + 8)));
    v3 = _mm_add_ps(v3, _mm_mul_ps(_mm_loadu_ps(x + i + 12), _mm_loadu_ps(t + i + 12)));
  }
  const __m128 b = _mm_add_ps(_mm_add_ps(v0, v2), _mm_add_ps(v1, v3));  // h = 8, then h = 4
  const __m128 c = _mm_add_ps(b, _mm_movehl_ps(b, b));                   // h = 2
  const __m128 d = _mm_add_ss(c, _mm_shuffle_ps(c, c, 1));               // h = 1
  return _mm_cvtss_f32(d);
}
}  // namespace

void modem_tone_dft_sse2(const float* x, std::size_t len, const float* table, std::size_t rows,
                         float* out) noexcept {
  for (std::size_t r = 0; r < rows; ++r) out[r] = dot16(x, table + r * len, len);
  out[rows] = dot16(x, x, len);
}

}  // namespace linedsp::detail
