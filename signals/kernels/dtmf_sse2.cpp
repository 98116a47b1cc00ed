// DTMF kernels, sse2 build of dtmf_kernels_impl.hpp, unfused flavour (SSE2 has no fused multiply-add): the
// filters four lanes (channels) per xmm in two passes of four filters (state in registers: 4 s1 + 4 s2 + 4
// coefficients + sample, energy, sum), the int16 -> float conversion folded in; one channel with the eight
// filters in two xmm; lanes left over in a partial group by the lane code. The judge runs across 16 lanes in
// four xmm per vector.
#pragma GCC optimize("fp-contract=off")
#include "signals/kernels/dtmf_kernels_impl.hpp"

namespace linedsp::detail {
namespace {

typedef float V4 __attribute__((vector_size(16)));
typedef std::int16_t S4 __attribute__((vector_size(8)));

inline V4 load4(const float* p) noexcept {
  V4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store4(float* p, V4 v) noexcept { std::memcpy(p, &v, sizeof v); }

// Filters F0..F0+3 of lanes off..off+3 of a group of L lanes (x: lane `off`'s first sample, stride `channels`);
// the first pass also sums the energy and the samples. Per lane exactly dtmf_feed_lane<false>'s operations.
template <std::size_t F0, bool kEnergy>
void feed_pass(const std::int16_t* x, std::size_t frames, std::size_t channels, const float* coeff, float* base,
               std::size_t L, std::size_t off) noexcept {
  V4 s1[4], s2[4], c[4];
  for (std::size_t f = 0; f < 4; ++f) {
    s1[f] = load4(base + (kDtmfRowS1 + F0 + f) * L + off);
    s2[f] = load4(base + (kDtmfRowS2 + F0 + f) * L + off);
    c[f] = V4{} + coeff[F0 + f];
  }
  V4 e{}, sum{};
  if constexpr (kEnergy) {
    e = load4(base + kDtmfRowEnergy * L + off);
    sum = load4(base + kDtmfRowSum * L + off);
  }
  for (std::size_t i = 0; i < frames; ++i) {
    S4 xi;
    std::memcpy(&xi, x + i * channels, sizeof xi);
    const V4 v = __builtin_convertvector(xi, V4);
    if constexpr (kEnergy) {
      e = v * v + e;
      sum += v;
    }
    for (std::size_t f = 0; f < 4; ++f) {
      const V4 t = v - s2[f];
      s2[f] = s1[f];
      s1[f] = c[f] * s1[f] + t;
    }
  }
  for (std::size_t f = 0; f < 4; ++f) {
    store4(base + (kDtmfRowS1 + F0 + f) * L + off, s1[f]);
    store4(base + (kDtmfRowS2 + F0 + f) * L + off, s2[f]);
  }
  if constexpr (kEnergy) {
    store4(base + kDtmfRowEnergy * L + off, e);
    store4(base + kDtmfRowSum * L + off, sum);
  }
}

// One channel (DtmfDetector): the eight filters side by side in two xmm.
void feed_one(const std::int16_t* x, std::size_t frames, const float* coeff, float* base) noexcept {
  V4 s1a = load4(base + kDtmfRowS1), s1b = load4(base + kDtmfRowS1 + 4);
  V4 s2a = load4(base + kDtmfRowS2), s2b = load4(base + kDtmfRowS2 + 4);
  const V4 ca = load4(coeff), cb = load4(coeff + 4);
  float e = base[kDtmfRowEnergy], sum = base[kDtmfRowSum];
  for (std::size_t i = 0; i < frames; ++i) {
    const float v = static_cast<float>(x[i]);
    e = v * v + e;
    sum += v;
    const V4 vv = V4{} + v;
    const V4 ta = vv - s2a, tb = vv - s2b;
    s2a = s1a;
    s2b = s1b;
    s1a = ca * s1a + ta;
    s1b = cb * s1b + tb;
  }
  store4(base + kDtmfRowS1, s1a);
  store4(base + kDtmfRowS1 + 4, s1b);
  store4(base + kDtmfRowS2, s2a);
  store4(base + kDtmfRowS2 + 4, s2b);
  base[kDtmfRowEnergy] = e;
  base[kDtmfRowSum] = sum;
}

}  // namespace

void dtmf_feed_sse2(const std::int16_t* x, std::size_t frames, std::size_t channels, const DtmfTables& t,
                    float* state) noexcept {
  if (channels == 1) {
    feed_one(x, frames, t.coeff, state);
    return;
  }
  for (std::size_t g = 0; g * kDtmfGroup < channels; ++g) {
    const std::size_t L = dtmf_group_lanes(channels, g);
    float* base = state + g * kDtmfGroup * kDtmfLaneFloats;
    const std::int16_t* xg = x + g * kDtmfGroup;
    std::size_t l = 0;
    for (; l + 4 <= L; l += 4) {
      feed_pass<0, true>(xg + l, frames, channels, t.coeff, base, L, l);
      feed_pass<4, false>(xg + l, frames, channels, t.coeff, base, L, l);
    }
    for (; l < L; ++l) dtmf_feed_lane<false>(xg + l, frames, channels, t.coeff, base, L, l);
  }
}
void dtmf_judge_sse2(float* state, std::size_t channels, const DtmfTables& t, const DtmfThresholds& th,
                     std::uint8_t* codes) noexcept {
  dtmf_judge_lanes(state, channels, t, th, codes, true);
}

}  // namespace linedsp::detail
