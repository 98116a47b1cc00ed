// DTMF kernels, avx512 build of dtmf_kernels_impl.hpp: a group of 16 channels in one zmm per row (the last,
// partial group under a lane mask), the int16 -> float conversion, energy, sum and the eight filters in one pass
// over the frames with all state in registers; one channel with the eight filters in one ymm.
#pragma GCC optimize("fp-contract=off")
// GCC 12's avx512fintrin.h: _mm512_undefined_* self-initialise, which -Wuninitialized reports (as CMake's
// -Wno-maybe-uninitialized does for the "maybe" form).
#pragma GCC diagnostic ignored "-Wuninitialized"
#include "signals/kernels/dtmf_kernels_impl.hpp"

#include <utility>

namespace linedsp::detail {
namespace {

// prefetch_next: the group after next exists; touch its rows (the next 64-byte line of each frame) while
// this group computes, so that with many channels the input comes from L1 rather than L2/L3.
void feed_group(const std::int16_t* x, std::size_t frames, std::size_t channels, const float* coeff, float* base,
                std::size_t L, bool prefetch_next) noexcept {
  const __mmask16 k = static_cast<__mmask16>(L == 16 ? 0xFFFFu : (1u << L) - 1u);
  __m512 s1[8], s2[8], c[8];
  #pragma GCC unroll 8
  for (std::size_t f = 0; f < 8; ++f) {
    s1[f] = _mm512_maskz_loadu_ps(k, base + (kDtmfRowS1 + f) * L);
    s2[f] = _mm512_maskz_loadu_ps(k, base + (kDtmfRowS2 + f) * L);
    c[f] = _mm512_set1_ps(coeff[f]);
  }
  __m512 e = _mm512_maskz_loadu_ps(k, base + kDtmfRowEnergy * L);
  __m512i sum = _mm512_cvtps_epi32(_mm512_maskz_loadu_ps(k, base + kDtmfRowSum * L));
  // Two frames per iteration, s1 and s2 trading roles (no register moves); the same operations per frame.
  auto frame = [&](std::size_t i, __m512(&a)[8], __m512(&b)[8]) {  // a: s[n-1], b: s[n-2], b := s[n]
    if (prefetch_next) _mm_prefetch(reinterpret_cast<const char*>(x + i * channels + 2 * kDtmfGroup), _MM_HINT_T0);
    const __m512i xi = _mm512_cvtepi16_epi32(_mm256_maskz_loadu_epi16(k, x + i * channels));
    const __m512 v = _mm512_cvtepi32_ps(xi);
    sum = _mm512_add_epi32(sum, xi);
    e = _mm512_fmadd_ps(v, v, e);
#pragma GCC unroll 8
    for (std::size_t f = 0; f < 8; ++f) b[f] = _mm512_fmadd_ps(c[f], a[f], _mm512_sub_ps(v, b[f]));
  };
  std::size_t i = 0;
  for (; i + 2 <= frames; i += 2) {
    frame(i, s1, s2);
    frame(i + 1, s2, s1);
  }
  if (i < frames) {
    frame(i, s1, s2);
#pragma GCC unroll 8
    for (std::size_t f = 0; f < 8; ++f) std::swap(s1[f], s2[f]);
  }
#pragma GCC unroll 8
  for (std::size_t f = 0; f < 8; ++f) {
    _mm512_mask_storeu_ps(base + (kDtmfRowS1 + f) * L, k, s1[f]);
    _mm512_mask_storeu_ps(base + (kDtmfRowS2 + f) * L, k, s2[f]);
  }
  _mm512_mask_storeu_ps(base + kDtmfRowEnergy * L, k, e);
  _mm512_mask_storeu_ps(base + kDtmfRowSum * L, k, _mm512_cvtepi32_ps(sum));
}

}  // namespace

void dtmf_feed_avx512(const std::int16_t* x, std::size_t frames, std::size_t channels, const DtmfTables& t,
                      float* state) noexcept {
  if (channels == 1) return dtmf_feed_one_ymm(x, frames, t, state);
  for (std::size_t g = 0; g * kDtmfGroup < channels; ++g)
    feed_group(x + g * kDtmfGroup, frames, channels, t.coeff, state + g * kDtmfGroup * kDtmfLaneFloats,
               dtmf_group_lanes(channels, g), g % 2 == 0 && (g + 3) * kDtmfGroup <= channels);
}
void dtmf_judge_avx512(float* state, std::size_t channels, const DtmfTables& t, const DtmfThresholds& th,
                       std::uint8_t* codes) noexcept {
  dtmf_judge_lanes(state, channels, t, th, codes, true);
}

}  // namespace linedsp::detail
