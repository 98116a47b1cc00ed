// sse2 modem-tone front end: lanes = rows 0-3 and 4-7; sixteen accumulators are the specification's acc[0..7].
#include <emmintrin.h>

#include "signals/kernels/modem_tone_kernels.hpp"

// Bit-identical to the scalar specification: GCC must not fuse the multiply and add into an FMA.
#pragma GCC optimize("fp-contract=off")

namespace linedsp::detail {

void modem_tone_dft_sse2(const std::int16_t* x, std::size_t len, const float* table, float* xf,
                         float* out) noexcept {
  __m128d ed = _mm_setzero_pd();
  for (std::size_t n = 0; n < len; n += 8) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x + n));
    const __m128i lo = _mm_srai_epi32(_mm_unpacklo_epi16(v, v), 16);
    const __m128i hi = _mm_srai_epi32(_mm_unpackhi_epi16(v, v), 16);
    _mm_storeu_ps(xf + n, _mm_cvtepi32_ps(lo));
    _mm_storeu_ps(xf + n + 4, _mm_cvtepi32_ps(hi));
    for (const __m128i h : {lo, hi}) {
      const __m128d d0 = _mm_cvtepi32_pd(h);
      const __m128d d1 = _mm_cvtepi32_pd(_mm_shuffle_epi32(h, 0xEE));
      ed = _mm_add_pd(ed, _mm_mul_pd(d0, d0));
      ed = _mm_add_pd(ed, _mm_mul_pd(d1, d1));
    }
  }
  __m128 acc[8][2];
  for (auto& q : acc) q[0] = q[1] = _mm_setzero_ps();
  for (std::size_t n = 0; n < len; n += 8)
#pragma GCC unroll 8
    for (std::size_t q = 0; q < 8; ++q) {
      const __m128 xv = _mm_set1_ps(xf[n + q]);
      const float* t = table + (n + q) * kModemToneRows;
      acc[q][0] = _mm_add_ps(acc[q][0], _mm_mul_ps(xv, _mm_loadu_ps(t)));
      acc[q][1] = _mm_add_ps(acc[q][1], _mm_mul_ps(xv, _mm_loadu_ps(t + 4)));
    }
  for (std::size_t h = 0; h < 2; ++h)
    _mm_storeu_ps(out + 4 * h, _mm_add_ps(_mm_add_ps(_mm_add_ps(acc[0][h], acc[4][h]), _mm_add_ps(acc[2][h], acc[6][h])),
                                          _mm_add_ps(_mm_add_ps(acc[1][h], acc[5][h]), _mm_add_ps(acc[3][h], acc[7][h]))));
  alignas(16) double e[2];
  _mm_store_pd(e, ed);
  out[kModemToneRows] = static_cast<float>(e[0] + e[1]);  // exact whatever the order
}

}  // namespace linedsp::detail
