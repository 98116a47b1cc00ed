// sse2 modem-tone front end: lanes = rows 0-3 and 4-7; sixteen accumulators are the specification's acc[0..7].
#include <emmintrin.h>

#include "signals/kernels/modem_tone_kernels.hpp"

// Bit-identical to the scalar specification: GCC must not fuse the multiply and add into an FMA.
#pragma GCC optimize("fp-contract=off")

namespace linedsp::detail {

void modem_tone_dft_sse2(const std::int16_t* x, std::size_t len, const float* table, float* xf,
                         float* out) noexcept {
  for (std::size_t n = 0; n < len; n += 8) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x + n));
    const __m128i lo = _mm_srai_epi32(_mm_unpacklo_epi16(v, v), 16);
    const __m128i hi = _mm_srai_epi32(_mm_unpackhi_epi16(v, v), 16);
    _mm_storeu_ps(xf + n, _mm_cvtepi32_ps(lo));
    _mm_storeu_ps(xf + n + 4, _mm_cvtepi32_ps(hi));
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
}

// Eight samples per pmaddwd: four sums of two squares (each at most 2^31, exact as unsigned 32-bit), widened to
// two 64-bit sums.
std::uint64_t modem_tone_energy_sse2(const std::int16_t* x, std::size_t len) noexcept {
  const __m128i zero = _mm_setzero_si128();
  __m128i acc = zero;
  std::size_t n = 0;
  for (; n + 8 <= len; n += 8) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x + n));
    const __m128i m = _mm_madd_epi16(v, v);
    acc = _mm_add_epi64(acc, _mm_add_epi64(_mm_unpacklo_epi32(m, zero), _mm_unpackhi_epi32(m, zero)));
  }
  alignas(16) std::uint64_t s[2];
  _mm_store_si128(reinterpret_cast<__m128i*>(s), acc);
  std::uint64_t e = s[0] + s[1];
  for (; n < len; ++n) e += static_cast<std::uint32_t>(std::int32_t{x[n]} * x[n]);
  return e;
}

// 8 channels x 8 frames at a time: eight loads of one frame's 8 channels, a 16-bit 8 x 8 transpose (three rounds of
// unpacks), eight stores of one channel's 8 frames. The rest (channels beyond a multiple of 8, the last frames)
// by the scalar loop.
void modem_tone_deinterleave_sse2(const std::int16_t* src, std::size_t channels, std::size_t frames,
                                  std::int16_t* dst, std::size_t dst_stride) noexcept {
  const std::size_t c8 = channels / 8 * 8, f8 = frames / 8 * 8;
  for (std::size_t c = 0; c < c8; c += 8) {
    for (std::size_t f = 0; f < f8; f += 8) {
      __m128i r[8];
      for (std::size_t k = 0; k < 8; ++k)
        r[k] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + (f + k) * channels + c));
      // Round 1: pairs of frames interleaved by channel.
      const __m128i a0 = _mm_unpacklo_epi16(r[0], r[1]), a1 = _mm_unpackhi_epi16(r[0], r[1]);
      const __m128i a2 = _mm_unpacklo_epi16(r[2], r[3]), a3 = _mm_unpackhi_epi16(r[2], r[3]);
      const __m128i a4 = _mm_unpacklo_epi16(r[4], r[5]), a5 = _mm_unpackhi_epi16(r[4], r[5]);
      const __m128i a6 = _mm_unpacklo_epi16(r[6], r[7]), a7 = _mm_unpackhi_epi16(r[6], r[7]);
      // Round 2: four frames per channel.
      const __m128i b0 = _mm_unpacklo_epi32(a0, a2), b1 = _mm_unpackhi_epi32(a0, a2);
      const __m128i b2 = _mm_unpacklo_epi32(a1, a3), b3 = _mm_unpackhi_epi32(a1, a3);
      const __m128i b4 = _mm_unpacklo_epi32(a4, a6), b5 = _mm_unpackhi_epi32(a4, a6);
      const __m128i b6 = _mm_unpacklo_epi32(a5, a7), b7 = _mm_unpackhi_epi32(a5, a7);
      // Round 3: eight frames per channel (channel c + j in o[j]).
      const __m128i o[8] = {_mm_unpacklo_epi64(b0, b4), _mm_unpackhi_epi64(b0, b4), _mm_unpacklo_epi64(b1, b5),
                            _mm_unpackhi_epi64(b1, b5), _mm_unpacklo_epi64(b2, b6), _mm_unpackhi_epi64(b2, b6),
                            _mm_unpacklo_epi64(b3, b7), _mm_unpackhi_epi64(b3, b7)};
      for (std::size_t j = 0; j < 8; ++j)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + (c + j) * dst_stride + f), o[j]);
    }
    for (std::size_t j = c; j < c + 8; ++j)
      for (std::size_t i = f8; i < frames; ++i) dst[j * dst_stride + i] = src[i * channels + j];
  }
  for (std::size_t j = c8; j < channels; ++j)
    for (std::size_t i = 0; i < frames; ++i) dst[j * dst_stride + i] = src[i * channels + j];
}

}  // namespace linedsp::detail
