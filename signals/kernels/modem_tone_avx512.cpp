// avx512 modem-tone front end: two samples per vector (lanes 0-7 the rows for sample n, 8-15 for n + 1), so the
// four accumulators hold the specification's acc[0] | acc[1], acc[2] | acc[3], acc[4] | acc[5], acc[6] | acc[7].
#include <immintrin.h>

#include "signals/kernels/modem_tone_kernels.hpp"

// Bit-identical to the scalar specification: GCC must not fuse the multiply and add into an FMA.
#pragma GCC optimize("fp-contract=off")

namespace linedsp::detail {

void modem_tone_dft_avx512(const std::int16_t* x, std::size_t len, const float* table, float* xf,
                           float* out) noexcept {
  const __m512i i01 = _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m512i i23 = _mm512_set_epi32(3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2);
  const __m512i i45 = _mm512_set_epi32(5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 4, 4, 4);
  const __m512i i67 = _mm512_set_epi32(7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 6, 6, 6, 6, 6);
  __m512 a = _mm512_setzero_ps(), b = _mm512_setzero_ps(), c = _mm512_setzero_ps(), d = _mm512_setzero_ps();
  for (std::size_t n = 0; n < len; n += 8) {
    // x[n..n+7] in lanes 0-7 (zero above), kept in registers (a masked reload would not get the store forwarded).
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x + n));
    const __m512i w = _mm512_cvtepi16_epi32(_mm256_inserti128_si256(_mm256_setzero_si256(), v, 0));
    const __m512 xv = _mm512_cvtepi32_ps(w);
    _mm256_storeu_ps(xf + n, _mm512_castps512_ps256(xv));
    const float* t = table + n * kModemToneRows;
    a = _mm512_add_ps(a, _mm512_mul_ps(_mm512_permutexvar_ps(i01, xv), _mm512_loadu_ps(t)));
    b = _mm512_add_ps(b, _mm512_mul_ps(_mm512_permutexvar_ps(i23, xv), _mm512_loadu_ps(t + 16)));
    c = _mm512_add_ps(c, _mm512_mul_ps(_mm512_permutexvar_ps(i45, xv), _mm512_loadu_ps(t + 32)));
    d = _mm512_add_ps(d, _mm512_mul_ps(_mm512_permutexvar_ps(i67, xv), _mm512_loadu_ps(t + 48)));
  }
  // (Stores instead of the extract / reduce intrinsics, whose GCC 12 headers trip -Wuninitialized.)
  alignas(64) float s[16];
  // (acc0 + acc4) + (acc2 + acc6) | (acc1 + acc5) + (acc3 + acc7)
  _mm512_store_ps(s, _mm512_add_ps(_mm512_add_ps(a, c), _mm512_add_ps(b, d)));
  _mm256_storeu_ps(out, _mm256_add_ps(_mm256_load_ps(s), _mm256_load_ps(s + 8)));
}

// Thirty-two samples per pmaddwd (see the SSE2 variant); the last part of the block by a masked load (zeros add
// nothing).
std::uint64_t modem_tone_energy_avx512(const std::int16_t* x, std::size_t len) noexcept {
  __m512i acc = _mm512_setzero_si512();
  std::size_t n = 0;
  for (; n < len; n += 32) {
    const std::size_t left = len - n;
    const __mmask32 k = left >= 32 ? ~__mmask32{0} : static_cast<__mmask32>((1u << left) - 1u);
    const __m512i v = _mm512_maskz_loadu_epi16(k, x + n);
    const __m512i m = _mm512_madd_epi16(v, v);
    acc = _mm512_add_epi64(acc, _mm512_add_epi64(_mm512_cvtepu32_epi64(_mm512_castsi512_si256(m)),
                                                 _mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(m, 1))));
  }
  alignas(64) std::uint64_t s[8];
  _mm512_store_si512(s, acc);
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

}  // namespace linedsp::detail
