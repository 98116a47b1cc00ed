// DTMF kernels, avx2 build of dtmf_kernels_impl.hpp: a full group of 16 channels as two halves of 8 lanes
// (ymm), each in two passes of four filters with the int16 -> float conversion folded in (state in registers); one
// channel with the eight filters in one ymm; partial groups by the lane code (hardware FMA here).
#pragma GCC optimize("fp-contract=off")
#include "signals/kernels/dtmf_kernels_impl.hpp"

#include <utility>

namespace linedsp::detail {
namespace {

// Filters f0..f0+3 of 8 lanes (a quarter of a group's work: 16 ymm registers allow four filters' state beside
// the sample, the energy and the sum); the first quarter also sums the energy and the samples.
// prefetch_next: touch the next 64-byte line of each frame (the group after next) while this pass computes,
// so that with many channels the input comes from L1 rather than L2/L3.
template <std::size_t F0, bool kEnergy>
void feed_quarter(const std::int16_t* x, std::size_t frames, std::size_t channels, const float* coeff, float* base,
                  std::size_t off, bool prefetch_next) noexcept {
  constexpr std::size_t L = kDtmfGroup;
  __m256 s1[4], s2[4], c[4];
#pragma GCC unroll 4
  for (std::size_t f = 0; f < 4; ++f) {
    s1[f] = _mm256_loadu_ps(base + (kDtmfRowS1 + F0 + f) * L + off);
    s2[f] = _mm256_loadu_ps(base + (kDtmfRowS2 + F0 + f) * L + off);
    c[f] = _mm256_set1_ps(coeff[F0 + f]);
  }
  __m256 e = _mm256_setzero_ps();
  __m256i sum = _mm256_setzero_si256();
  if constexpr (kEnergy) {
    e = _mm256_loadu_ps(base + kDtmfRowEnergy * L + off);
    sum = _mm256_cvtps_epi32(_mm256_loadu_ps(base + kDtmfRowSum * L + off));
  }
  // Two frames per iteration, s1 and s2 trading roles (no register moves); the same operations per frame.
  auto frame = [&](std::size_t i, __m256(&a)[4], __m256(&b)[4]) {  // a: s[n-1], b: s[n-2], b := s[n]
    if (prefetch_next) _mm_prefetch(reinterpret_cast<const char*>(x + i * channels + 2 * kDtmfGroup), _MM_HINT_T0);
    const __m256i xi = _mm256_cvtepi16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i * channels)));
    const __m256 v = _mm256_cvtepi32_ps(xi);
    if constexpr (kEnergy) {
      sum = _mm256_add_epi32(sum, xi);
      e = _mm256_fmadd_ps(v, v, e);
    }
#pragma GCC unroll 4
    for (std::size_t f = 0; f < 4; ++f) b[f] = _mm256_fmadd_ps(c[f], a[f], _mm256_sub_ps(v, b[f]));
  };
  std::size_t i = 0;
  for (; i + 2 <= frames; i += 2) {
    frame(i, s1, s2);
    frame(i + 1, s2, s1);
  }
  if (i < frames) {
    frame(i, s1, s2);
#pragma GCC unroll 4
    for (std::size_t f = 0; f < 4; ++f) std::swap(s1[f], s2[f]);
  }
#pragma GCC unroll 4
  for (std::size_t f = 0; f < 4; ++f) {
    _mm256_storeu_ps(base + (kDtmfRowS1 + F0 + f) * L + off, s1[f]);
    _mm256_storeu_ps(base + (kDtmfRowS2 + F0 + f) * L + off, s2[f]);
  }
  if constexpr (kEnergy) {
    _mm256_storeu_ps(base + kDtmfRowEnergy * L + off, e);
    _mm256_storeu_ps(base + kDtmfRowSum * L + off, _mm256_cvtepi32_ps(sum));
  }
}

}  // namespace

void dtmf_feed_avx2(const std::int16_t* x, std::size_t frames, std::size_t channels, const DtmfTables& t,
                    float* state) noexcept {
  if (channels == 1) return dtmf_feed_one_ymm(x, frames, t, state);
  for (std::size_t g = 0; g * kDtmfGroup < channels; ++g) {
    const std::size_t L = dtmf_group_lanes(channels, g);
    float* base = state + g * kDtmfGroup * kDtmfLaneFloats;
    const std::int16_t* xg = x + g * kDtmfGroup;
    if (L == kDtmfGroup) {
      const bool prefetch = g % 2 == 0 && (g + 3) * kDtmfGroup <= channels;
      for (std::size_t off : {0u, 8u}) {
        feed_quarter<0, true>(xg + off, frames, channels, t.coeff, base, off, prefetch && off == 0);
        feed_quarter<4, false>(xg + off, frames, channels, t.coeff, base, off, false);
      }
    } else {
      for (std::size_t l = 0; l < L; ++l) dtmf_feed_lane<true>(xg + l, frames, channels, t.coeff, base, L, l);
    }
  }
}
void dtmf_judge_avx2(float* state, std::size_t channels, const DtmfTables& t, const DtmfThresholds& th,
                     std::uint8_t* codes) noexcept {
  dtmf_judge_lanes(state, channels, t, th, codes, true);
}

}  // namespace linedsp::detail
