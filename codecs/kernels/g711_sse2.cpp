// codecs/kernels/g711_sse2.cpp — G.711 on 4 x 32-bit lanes with SSE2 only. SSE2 has no per-lane
// shifts and no 32-bit min/max, so shifts by a per-lane count are exact float multiplications by
// 2^±k (every value involved is below 2^24) and min/max are compare-and-select.
#include <emmintrin.h>

#include "codecs/g711.hpp"
#include "codecs/kernels/g711_kernels.hpp"

namespace linedsp::detail {
namespace {

inline __m128i select(__m128i mask, __m128i a, __m128i b) noexcept {  // mask ? a : b
  return _mm_or_si128(_mm_and_si128(mask, a), _mm_andnot_si128(mask, b));
}
inline __m128i min32(__m128i a, __m128i b) noexcept { return select(_mm_cmpgt_epi32(a, b), b, a); }
inline __m128i max32(__m128i a, __m128i b) noexcept { return select(_mm_cmpgt_epi32(a, b), a, b); }
inline __m128i ilog2(__m128i v) noexcept {  // floor(log2 v), 0 < v < 2^24
  const __m128i bits = _mm_castps_si128(_mm_cvtepi32_ps(v));
  return _mm_sub_epi32(_mm_srli_epi32(bits, 23), _mm_set1_epi32(127));
}
inline __m128i pow2f_bits(__m128i k) noexcept {  // the float 2^k, -126 <= k <= 127, as bits
  return _mm_slli_epi32(_mm_add_epi32(k, _mm_set1_epi32(127)), 23);
}
inline __m128i shr(__m128i v, __m128i k) noexcept {  // v >> k, exact for 0 <= v < 2^24
  const __m128 scale = _mm_castsi128_ps(pow2f_bits(_mm_sub_epi32(_mm_setzero_si128(), k)));
  return _mm_cvttps_epi32(_mm_mul_ps(_mm_cvtepi32_ps(v), scale));
}
inline __m128i shl(__m128i v, __m128i k) noexcept {  // v << k, exact while the result < 2^24
  return _mm_cvttps_epi32(_mm_mul_ps(_mm_cvtepi32_ps(v), _mm_castsi128_ps(pow2f_bits(k))));
}
inline __m128i cneg(__m128i v, __m128i negative) noexcept {
  return _mm_sub_epi32(_mm_xor_si128(v, negative), negative);
}

inline __m128i encode_ulaw4(__m128i x) noexcept {
  const __m128i sign = _mm_srai_epi32(x, 31);
  const __m128i m = _mm_xor_si128(x, sign);
  const __m128i absno = min32(_mm_add_epi32(_mm_srli_epi32(m, 2), _mm_set1_epi32(33)), _mm_set1_epi32(0x1FFF));
  const __m128i segno = max32(_mm_set1_epi32(1), _mm_sub_epi32(ilog2(absno), _mm_set1_epi32(4)));
  const __m128i high = _mm_sub_epi32(_mm_set1_epi32(8), segno);
  const __m128i low = _mm_sub_epi32(_mm_set1_epi32(15), _mm_and_si128(shr(absno, segno), _mm_set1_epi32(15)));
  const __m128i code = _mm_or_si128(_mm_slli_epi32(high, 4), low);
  return _mm_or_si128(code, _mm_andnot_si128(sign, _mm_set1_epi32(0x80)));
}

inline __m128i encode_alaw4(__m128i x) noexcept {
  const __m128i sign = _mm_srai_epi32(x, 31);
  const __m128i ix = _mm_srli_epi32(_mm_xor_si128(x, sign), 4);
  const __m128i e = ilog2(max32(ix, _mm_set1_epi32(1)));
  const __m128i iexp = max32(_mm_setzero_si128(), _mm_sub_epi32(e, _mm_set1_epi32(3)));
  const __m128i shift = max32(_mm_setzero_si128(), _mm_sub_epi32(iexp, _mm_set1_epi32(1)));
  const __m128i val = _mm_and_si128(shr(ix, shift), _mm_set1_epi32(15));
  __m128i code = _mm_or_si128(_mm_slli_epi32(iexp, 4), val);
  code = _mm_or_si128(code, _mm_andnot_si128(sign, _mm_set1_epi32(0x80)));
  return _mm_xor_si128(code, _mm_set1_epi32(0x55));
}

inline __m128i decode_ulaw4(__m128i code) noexcept {
  const __m128i u = _mm_xor_si128(code, _mm_set1_epi32(0xFF));
  const __m128i exponent = _mm_and_si128(_mm_srli_epi32(u, 4), _mm_set1_epi32(7));
  const __m128i mantissa = _mm_and_si128(u, _mm_set1_epi32(15));
  const __m128i base = _mm_add_epi32(_mm_slli_epi32(mantissa, 3), _mm_set1_epi32(132));
  const __m128i mag = _mm_sub_epi32(shl(base, exponent), _mm_set1_epi32(132));
  return cneg(mag, _mm_cmpgt_epi32(_mm_set1_epi32(0x80), code));
}

inline __m128i decode_alaw4(__m128i code) noexcept {
  const __m128i ix = _mm_and_si128(_mm_xor_si128(code, _mm_set1_epi32(0x55)), _mm_set1_epi32(0x7F));
  const __m128i iexp = _mm_srli_epi32(ix, 4);
  const __m128i has_exp = _mm_cmpgt_epi32(iexp, _mm_setzero_si128());
  const __m128i mant = _mm_or_si128(_mm_and_si128(ix, _mm_set1_epi32(15)), _mm_and_si128(has_exp, _mm_set1_epi32(16)));
  const __m128i base = _mm_add_epi32(_mm_slli_epi32(mant, 4), _mm_set1_epi32(8));
  const __m128i shift = max32(_mm_setzero_si128(), _mm_sub_epi32(iexp, _mm_set1_epi32(1)));
  return cneg(shl(base, shift), _mm_cmpgt_epi32(_mm_set1_epi32(0x80), code));
}

// 8 samples per step: two 4-lane halves.
inline void load8_i16(const std::int16_t* p, __m128i& lo, __m128i& hi) noexcept {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  lo = _mm_srai_epi32(_mm_unpacklo_epi16(v, v), 16);
  hi = _mm_srai_epi32(_mm_unpackhi_epi16(v, v), 16);
}
inline void load8_u8(const std::uint8_t* p, __m128i& lo, __m128i& hi) noexcept {
  const __m128i w = _mm_unpacklo_epi8(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)), _mm_setzero_si128());
  lo = _mm_unpacklo_epi16(w, _mm_setzero_si128());
  hi = _mm_unpackhi_epi16(w, _mm_setzero_si128());
}
inline void store8_u8(std::uint8_t* p, __m128i lo, __m128i hi) noexcept {
  const __m128i w = _mm_packs_epi32(lo, hi);
  _mm_storel_epi64(reinterpret_cast<__m128i*>(p), _mm_packus_epi16(w, w));
}
inline void store8_i16(std::int16_t* p, __m128i lo, __m128i hi) noexcept {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm_packs_epi32(lo, hi));
}

}  // namespace

void g711_encode_ulaw_sse2(const std::int16_t* in, std::uint8_t* out, std::size_t n) noexcept {
  std::size_t i = 0;
  for (__m128i lo, hi; i + 8 <= n; i += 8) {
    load8_i16(in + i, lo, hi);
    store8_u8(out + i, encode_ulaw4(lo), encode_ulaw4(hi));
  }
  for (; i < n; ++i) out[i] = encode_ulaw(in[i]);
}
void g711_encode_alaw_sse2(const std::int16_t* in, std::uint8_t* out, std::size_t n) noexcept {
  std::size_t i = 0;
  for (__m128i lo, hi; i + 8 <= n; i += 8) {
    load8_i16(in + i, lo, hi);
    store8_u8(out + i, encode_alaw4(lo), encode_alaw4(hi));
  }
  for (; i < n; ++i) out[i] = encode_alaw(in[i]);
}
void g711_decode_ulaw_sse2(const std::uint8_t* in, std::int16_t* out, std::size_t n) noexcept {
  std::size_t i = 0;
  for (__m128i lo, hi; i + 8 <= n; i += 8) {
    load8_u8(in + i, lo, hi);
    store8_i16(out + i, decode_ulaw4(lo), decode_ulaw4(hi));
  }
  for (; i < n; ++i) out[i] = decode_ulaw(in[i]);
}
void g711_decode_alaw_sse2(const std::uint8_t* in, std::int16_t* out, std::size_t n) noexcept {
  std::size_t i = 0;
  for (__m128i lo, hi; i + 8 <= n; i += 8) {
    load8_u8(in + i, lo, hi);
    store8_i16(out + i, decode_alaw4(lo), decode_alaw4(hi));
  }
  for (; i < n; ++i) out[i] = decode_alaw(in[i]);
}

}  // namespace linedsp::detail
