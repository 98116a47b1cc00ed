// avx512 modem-tone front end: one 16-lane accumulator is the specification's 16 partial sums.
#include <immintrin.h>

#include "signals/kernels/modem_tone_kernels.hpp"

// Bit-identical to the scalar specification: GCC must not fuse the multiply and add into an FMA.
#pragma GCC optimize("fp-contract=off")

namespace linedsp::detail {

namespace {
float dot16(const float* x, const float* t, std::size_t len) noexcept {
  __m512 v = _mm512_setzero_ps();
  for (std::size_t i = 0; i < len; i += 16)
    v = _mm512_add_ps(v, _mm512_mul_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(t + i)));
  alignas(64) float p[16];
  _mm512_store_ps(p, v);
  const __m256 a = _mm256_add_ps(_mm256_load_ps(p), _mm256_load_ps(p + 8));                 // h = 8
  const __m128 b = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));    // h = 4
  const __m128 c = _mm_add_ps(b, _mm_movehl_ps(b, b));                                     // h = 2
  const __m128 d = _mm_add_ss(c, _mm_shuffle_ps(c, c, 1));                                 // h = 1
  return _mm_cvtss_f32(d);
}
}  // namespace

void modem_tone_dft_avx512(const float* x, std::size_t len, const float* table, std::size_t rows,
                           float* out) noexcept {
  for (std::size_t r = 0; r < rows; ++r) out[r] = dot16(x, table + r * len, len);
  out[rows] = dot16(x, x, len);
}

}  // namespace linedsp::detail
