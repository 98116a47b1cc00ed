// avx2 modem-tone front end: 2 accumulators of 8 lanes emulate the specification's 16 partial sums.
#include <immintrin.h>

#include "signals/kernels/modem_tone_kernels.hpp"

// Bit-identical to the scalar specification: GCC must not fuse the multiply and add into an FMA.
#pragma GCC optimize("fp-contract=off")

namespace linedsp::detail {

namespace {
float dot16(const float* x, const float* t, std::size_t len) noexcept {
  __m256 v0 = _mm256_setzero_ps(), v1 = _mm256_setzero_ps();
  for (std::size_t i = 0; i < len; i += 16) {
    v0 = _mm256_add_ps(v0, _mm256_mul_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(t + i)));
    v1 = _mm256_add_ps(v1, _mm256_mul_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(t + i + 8)));
  }
  const __m256 a = _mm256_add_ps(v0, v1);                                                   // h = 8
  const __m128 b = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));    // h = 4
  const __m128 c = _mm_add_ps(b, _mm_movehl_ps(b, b));                                     // h = 2
  const __m128 d = _mm_add_ss(c, _mm_shuffle_ps(c, c, 1));                                 // h = 1
  return _mm_cvtss_f32(d);
}
}  // namespace

void modem_tone_dft_avx2(const float* x, std::size_t len, const float* table, std::size_t rows,
                         float* out) noexcept {
  for (std::size_t r = 0; r < rows; ++r) out[r] = dot16(x, table + r * len, len);
  out[rows] = dot16(x, x, len);
}

}  // namespace linedsp::detail
