// avx2 modem-tone front end: lanes = the 8 rows; eight accumulators are the specification's acc[0..7].
#include <immintrin.h>

#include "signals/kernels/modem_tone_kernels.hpp"

// Bit-identical to the scalar specification: GCC must not fuse the multiply and add into an FMA.
#pragma GCC optimize("fp-contract=off")

namespace linedsp::detail {

void modem_tone_dft_avx2(const std::int16_t* x, std::size_t len, const float* table, float* xf,
                         float* out) noexcept {
  for (std::size_t n = 0; n < len; n += 8) {
    const __m256i w = _mm256_cvtepi16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + n)));
    _mm256_storeu_ps(xf + n, _mm256_cvtepi32_ps(w));
  }
  __m256 acc[8];
  for (auto& a : acc) a = _mm256_setzero_ps();
  for (std::size_t n = 0; n < len; n += 8)
#pragma GCC unroll 8
    for (std::size_t q = 0; q < 8; ++q)
      acc[q] = _mm256_add_ps(acc[q], _mm256_mul_ps(_mm256_broadcast_ss(xf + n + q),
                                                   _mm256_loadu_ps(table + (n + q) * kModemToneRows)));
  _mm256_storeu_ps(out, _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(acc[0], acc[4]), _mm256_add_ps(acc[2], acc[6])),
                                      _mm256_add_ps(_mm256_add_ps(acc[1], acc[5]), _mm256_add_ps(acc[3], acc[7]))));
}

// Sixteen samples per pmaddwd (see the SSE2 variant), then eight.
std::uint64_t modem_tone_energy_avx2(const std::int16_t* x, std::size_t len) noexcept {
  __m256i acc = _mm256_setzero_si256();
  std::size_t n = 0;
  for (; n + 16 <= len; n += 16) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + n));
    const __m256i m = _mm256_madd_epi16(v, v);
    acc = _mm256_add_epi64(acc, _mm256_add_epi64(_mm256_cvtepu32_epi64(_mm256_castsi256_si128(m)),
                                                 _mm256_cvtepu32_epi64(_mm256_extracti128_si256(m, 1))));
  }
  if (n + 8 <= len) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x + n));
    acc = _mm256_add_epi64(acc, _mm256_cvtepu32_epi64(_mm_madd_epi16(v, v)));
    n += 8;
  }
  alignas(32) std::uint64_t s[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(s), acc);
  std::uint64_t e = (s[0] + s[1]) + (s[2] + s[3]);
  for (; n < len; ++n) e += static_cast<std::uint32_t>(std::int32_t{x[n]} * x[n]);
  return e;
}

}  // namespace linedsp::detail
