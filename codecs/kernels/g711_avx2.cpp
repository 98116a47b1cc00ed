// codecs/kernels/g711_avx2.cpp — G.711 on 8 x 32-bit lanes: the G.191 arithmetic with the segment
// found from the float exponent (floor(log2 v)) and per-lane shifts (vpsrlvd / vpsllvd).
#include <immintrin.h>

#include "codecs/g711.hpp"
#include "codecs/kernels/g711_kernels.hpp"

namespace linedsp::detail {
namespace {

// floor(log2(v)) for 0 < v < 2^24, from the exponent of the exactly converted float.
inline __m256i ilog2(__m256i v) noexcept {
  const __m256i bits = _mm256_castps_si256(_mm256_cvtepi32_ps(v));
  return _mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127));
}

inline __m256i load8_i16(const std::int16_t* p) noexcept {
  return _mm256_cvtepi16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
inline __m256i load8_u8(const std::uint8_t* p) noexcept {
  return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}
// 8 x int32 (each 0..255) to 8 bytes.
inline void store8_u8(std::uint8_t* p, __m256i v) noexcept {
  const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(p), _mm_packus_epi16(w, w));
}
inline void store8_i16(std::int16_t* p, __m256i v) noexcept {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p),
                   _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1)));
}

inline __m256i encode_ulaw8(__m256i x) noexcept {
  const __m256i sign = _mm256_srai_epi32(x, 31);                    // -1 where x < 0
  const __m256i m = _mm256_xor_si256(x, sign);                      // one's complement of negatives
  __m256i absno = _mm256_add_epi32(_mm256_srli_epi32(m, 2), _mm256_set1_epi32(33));
  absno = _mm256_min_epi32(absno, _mm256_set1_epi32(0x1FFF));
  const __m256i segno = _mm256_max_epi32(_mm256_set1_epi32(1), _mm256_sub_epi32(ilog2(absno), _mm256_set1_epi32(4)));
  const __m256i high = _mm256_sub_epi32(_mm256_set1_epi32(8), segno);
  const __m256i low = _mm256_sub_epi32(_mm256_set1_epi32(15),
                                       _mm256_and_si256(_mm256_srlv_epi32(absno, segno), _mm256_set1_epi32(15)));
  const __m256i code = _mm256_or_si256(_mm256_slli_epi32(high, 4), low);
  return _mm256_or_si256(code, _mm256_andnot_si256(sign, _mm256_set1_epi32(0x80)));
}

inline __m256i encode_alaw8(__m256i x) noexcept {
  const __m256i sign = _mm256_srai_epi32(x, 31);
  const __m256i ix = _mm256_srli_epi32(_mm256_xor_si256(x, sign), 4);  // 0..2047
  const __m256i e = ilog2(_mm256_max_epi32(ix, _mm256_set1_epi32(1)));
  const __m256i iexp = _mm256_max_epi32(_mm256_setzero_si256(), _mm256_sub_epi32(e, _mm256_set1_epi32(3)));
  const __m256i shift = _mm256_max_epi32(_mm256_setzero_si256(), _mm256_sub_epi32(iexp, _mm256_set1_epi32(1)));
  const __m256i val = _mm256_and_si256(_mm256_srlv_epi32(ix, shift), _mm256_set1_epi32(15));
  __m256i code = _mm256_or_si256(_mm256_slli_epi32(iexp, 4), val);
  code = _mm256_or_si256(code, _mm256_andnot_si256(sign, _mm256_set1_epi32(0x80)));
  return _mm256_xor_si256(code, _mm256_set1_epi32(0x55));
}

inline __m256i decode_ulaw8(__m256i code) noexcept {
  const __m256i u = _mm256_xor_si256(code, _mm256_set1_epi32(0xFF));
  const __m256i exponent = _mm256_and_si256(_mm256_srli_epi32(u, 4), _mm256_set1_epi32(7));
  const __m256i mantissa = _mm256_and_si256(u, _mm256_set1_epi32(15));
  // ((mantissa << 3) + 132) << exponent) - 132  ==  G.191's (0x80 << e) + step*m + step/2 - 132
  const __m256i base = _mm256_add_epi32(_mm256_slli_epi32(mantissa, 3), _mm256_set1_epi32(132));
  const __m256i mag = _mm256_sub_epi32(_mm256_sllv_epi32(base, exponent), _mm256_set1_epi32(132));
  const __m256i negative = _mm256_cmpgt_epi32(_mm256_set1_epi32(0x80), code);
  return _mm256_sub_epi32(_mm256_xor_si256(mag, negative), negative);  // conditional negate
}

inline __m256i decode_alaw8(__m256i code) noexcept {
  const __m256i ix = _mm256_and_si256(_mm256_xor_si256(code, _mm256_set1_epi32(0x55)), _mm256_set1_epi32(0x7F));
  const __m256i iexp = _mm256_srli_epi32(ix, 4);
  const __m256i has_exp = _mm256_cmpgt_epi32(iexp, _mm256_setzero_si256());
  const __m256i mant = _mm256_or_si256(_mm256_and_si256(ix, _mm256_set1_epi32(15)),
                                       _mm256_and_si256(has_exp, _mm256_set1_epi32(16)));
  const __m256i base = _mm256_add_epi32(_mm256_slli_epi32(mant, 4), _mm256_set1_epi32(8));
  const __m256i shift = _mm256_max_epi32(_mm256_setzero_si256(), _mm256_sub_epi32(iexp, _mm256_set1_epi32(1)));
  const __m256i mag = _mm256_sllv_epi32(base, shift);
  const __m256i negative = _mm256_cmpgt_epi32(_mm256_set1_epi32(0x80), code);
  return _mm256_sub_epi32(_mm256_xor_si256(mag, negative), negative);
}

}  // namespace

void g711_encode_ulaw_avx2(const std::int16_t* in, std::uint8_t* out, std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) store8_u8(out + i, encode_ulaw8(load8_i16(in + i)));
  for (; i < n; ++i) out[i] = encode_ulaw(in[i]);
}
void g711_encode_alaw_avx2(const std::int16_t* in, std::uint8_t* out, std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) store8_u8(out + i, encode_alaw8(load8_i16(in + i)));
  for (; i < n; ++i) out[i] = encode_alaw(in[i]);
}
void g711_decode_ulaw_avx2(const std::uint8_t* in, std::int16_t* out, std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) store8_i16(out + i, decode_ulaw8(load8_u8(in + i)));
  for (; i < n; ++i) out[i] = decode_ulaw(in[i]);
}
void g711_decode_alaw_avx2(const std::uint8_t* in, std::int16_t* out, std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) store8_i16(out + i, decode_alaw8(load8_u8(in + i)));
  for (; i < n; ++i) out[i] = decode_alaw(in[i]);
}

}  // namespace linedsp::detail
