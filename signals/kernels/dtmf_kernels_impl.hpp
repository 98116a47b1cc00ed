// signals/kernels/dtmf_kernels_impl.hpp — the one source of the DTMF kernels, included by
// dtmf_{scalar,sse2,avx2,avx512}.cpp (each compiled with its ISA's flags). Functions live in an anonymous
// namespace so each translation unit keeps its own copy (no ODR mixing of ISA builds).
//
// dtmf_feed_lane and dtmf_judge_lane are the specification: one channel (lane l of a group of L), the
// operations in the order written. The vector paths do exactly these operations per lane (a fused multiply-add
// where the lane code says dtmf_madd<true>, nowhere else: every including file says fp-contract=off), so they give
// the same bits as the lane code of their flavour (dtmf_kernels.hpp: fused for AVX2/AVX-512, unfused for scalar
// and SSE2).
#pragma once

#include <cmath>
#include <cstring>

#include "signals/kernels/dtmf_kernels.hpp"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

namespace linedsp::detail {
namespace {

inline std::size_t dtmf_group_lanes(std::size_t channels, std::size_t g) noexcept {
  const std::size_t left = channels - g * kDtmfGroup;
  return left < kDtmfGroup ? left : kDtmfGroup;
}

// a * b + c: one rounding (fused, hardware FMA in the AVX2/AVX-512 files) or two (unfused, any CPU).
template <bool Fused>
inline float dtmf_madd(float a, float b, float c) noexcept {
  if constexpr (Fused)
    return std::fma(a, b, c);
  else
    return a * b + c;
}

// x: the lane's first sample (stride `channels`); base: the group's state (L lanes).
template <bool Fused>
inline void dtmf_feed_lane(const std::int16_t* x, std::size_t frames, std::size_t channels, const float* coeff,
                           float* base, std::size_t L, std::size_t l) noexcept {
  float s1[8], s2[8];
  #pragma GCC unroll 8
  for (std::size_t f = 0; f < 8; ++f) {
    s1[f] = base[(kDtmfRowS1 + f) * L + l];
    s2[f] = base[(kDtmfRowS2 + f) * L + l];
  }
  float e = base[kDtmfRowEnergy * L + l], sum = base[kDtmfRowSum * L + l];
  for (std::size_t i = 0; i < frames; ++i) {
    const float v = static_cast<float>(x[i * channels]);
    e = dtmf_madd<Fused>(v, v, e);
    sum += v;  // integers below 2^24: exact
    #pragma GCC unroll 8
    for (std::size_t f = 0; f < 8; ++f) {
      const float t = v - s2[f];
      s2[f] = s1[f];
      s1[f] = dtmf_madd<Fused>(coeff[f], s1[f], t);
    }
  }
  #pragma GCC unroll 8
  for (std::size_t f = 0; f < 8; ++f) {
    base[(kDtmfRowS1 + f) * L + l] = s1[f];
    base[(kDtmfRowS2 + f) * L + l] = s2[f];
  }
  base[kDtmfRowEnergy * L + l] = e;
  base[kDtmfRowSum * L + l] = sum;
}

// The classification of one window from its eight powers, the phase tests (bit f: filter f's frequency within
// the limit) and the window's energy: the digit code, or 0.
inline std::uint8_t dtmf_classify_lane(const float* p, unsigned phase_ok, float window_energy, const DtmfTables& t,
                                       const DtmfThresholds& th) noexcept {
  int row = 0, col = 4;
  #pragma GCC unroll 4
  for (int f = 1; f < 4; ++f)
    if (p[f] > p[row]) row = f;
  #pragma GCC unroll 4
  for (int f = 5; f < 8; ++f)
    if (p[f] > p[col]) col = f;
  const float pr = p[row], pc = p[col];
  if (pr < th.min_power || pc < th.min_power) return 0;
  if (pr > pc * th.normal_twist || pc > pr * th.reverse_twist) return 0;
  #pragma GCC unroll 4
  for (int f = 0; f < 4; ++f)
    if (f != row && p[f] * th.margin > pr) return 0;
  #pragma GCC unroll 4
  for (int f = 4; f < 8; ++f)
    if (f != col && p[f] * th.margin > pc) return 0;
  const float mean_square = window_energy / (2.0f * t.half);
  if (pr + pc < th.fraction * mean_square) return 0;
  if (!((phase_ok >> row) & 1u) || !((phase_ok >> col) & 1u)) return 0;
  return static_cast<std::uint8_t>(1 + 4 * row + (col - 4));
}

// The window ending now for lane l: returns its digit code (0 = none) and rolls the state to the next half-block.
inline std::uint8_t dtmf_judge_lane(float* base, std::size_t L, std::size_t l, const DtmfTables& t,
                                    const DtmfThresholds& th) noexcept {
  auto at = [&](std::size_t row) -> float& { return base[row * L + l]; };
  // The half-block's mean (DC offset) comes out of the energy and, through dc_re/dc_im, out of each filter.
  const float sum = at(kDtmfRowSum);
  const float mean = sum / t.half;
  const float energy = at(kDtmfRowEnergy) - sum * mean;
  float p[8];
  bool phase_ok[8];
  #pragma GCC unroll 8
  for (std::size_t f = 0; f < 8; ++f) {
    const float s1 = at(kDtmfRowS1 + f), s2 = at(kDtmfRowS2 + f);
    float xr = s1 - s2 * t.cos_w[f];
    xr = xr - mean * t.dc_re[f];
    float xi = s2 * t.sin_w[f];
    xi = xi - mean * t.dc_im[f];
    // Rotated into the previous half-block's phase reference; window value = previous + rotated.
    const float yr = t.rot_re[f] * xr - t.rot_im[f] * xi;
    const float yi = t.rot_re[f] * xi + t.rot_im[f] * xr;
    const float pre = at(kDtmfRowPrevRe + f), pim = at(kDtmfRowPrevIm + f);
    const float re = pre + yr, im = pim + yi;
    p[f] = (re * re + im * im) * t.norm;
    // Frequency from the phase advance: z = y * conj(prev) has angle 2 pi (f - f_nominal) H / rate; accept
    // |angle| <= the limit, i.e. Re z >= cos(limit) |z|, squared.
    const float zr = yr * pre + yi * pim, zi = yi * pre - yr * pim;
    const float c = th.cos_max_dev[f];
    const float lhs = zr * zr, rhs = c * c * (zr * zr + zi * zi);
    phase_ok[f] = c >= 0 ? (zr >= 0 && lhs >= rhs) : (zr >= 0 || lhs <= rhs);
    at(kDtmfRowPrevRe + f) = xr;
    at(kDtmfRowPrevIm + f) = xi;
    at(kDtmfRowS1 + f) = 0.0f;
    at(kDtmfRowS2 + f) = 0.0f;
  }
  const float window_energy = at(kDtmfRowPrevEnergy) + energy;
  at(kDtmfRowPrevEnergy) = energy;
  at(kDtmfRowEnergy) = 0.0f;
  at(kDtmfRowSum) = 0.0f;

  unsigned ok_bits = 0;
  for (unsigned f = 0; f < 8; ++f) ok_bits |= static_cast<unsigned>(phase_ok[f]) << f;
  return dtmf_classify_lane(p, ok_bits, window_energy, t, th);
}

template <bool Fused>
inline void dtmf_feed_lanes(const std::int16_t* x, std::size_t frames, std::size_t channels, const DtmfTables& t,
                            float* state) noexcept {
  for (std::size_t g = 0; g * kDtmfGroup < channels; ++g) {
    const std::size_t L = dtmf_group_lanes(channels, g);
    float* base = state + g * kDtmfGroup * kDtmfLaneFloats;
    for (std::size_t l = 0; l < L; ++l)
      dtmf_feed_lane<Fused>(x + g * kDtmfGroup + l, frames, channels, t.coeff, base, L, l);
  }
}

#if defined(__AVX2__) && defined(__FMA__)
// One channel (DtmfDetector): the eight filters side by side in one ymm.
inline void dtmf_feed_one_ymm(const std::int16_t* x, std::size_t frames, const DtmfTables& t, float* base) noexcept {
  __m256 s1 = _mm256_loadu_ps(base + kDtmfRowS1), s2 = _mm256_loadu_ps(base + kDtmfRowS2);
  const __m256 c = _mm256_loadu_ps(t.coeff);
  float e = base[kDtmfRowEnergy], sum = base[kDtmfRowSum];
  for (std::size_t i = 0; i < frames; ++i) {
    const float v = static_cast<float>(x[i]);
    e = std::fma(v, v, e);
    sum += v;
    const __m256 tt = _mm256_sub_ps(_mm256_set1_ps(v), s2);
    s2 = s1;
    s1 = _mm256_fmadd_ps(c, s1, tt);
  }
  _mm256_storeu_ps(base + kDtmfRowS1, s1);
  _mm256_storeu_ps(base + kDtmfRowS2, s2);
  base[kDtmfRowEnergy] = e;
  base[kDtmfRowSum] = sum;
}
// One channel's window (DtmfDetector) with the eight filters side by side in ymm registers: the lane code's
// operations per filter, then its classification.
inline std::uint8_t dtmf_judge_one_ymm(float* base, const DtmfTables& t, const DtmfThresholds& th) noexcept {
  const float sum = base[kDtmfRowSum];
  const float mean = sum / t.half;
  const float energy = base[kDtmfRowEnergy] - sum * mean;
  const __m256 vm = _mm256_set1_ps(mean);
  const __m256 s1 = _mm256_loadu_ps(base + kDtmfRowS1), s2 = _mm256_loadu_ps(base + kDtmfRowS2);
  __m256 xr = _mm256_sub_ps(s1, _mm256_mul_ps(s2, _mm256_loadu_ps(t.cos_w)));
  xr = _mm256_sub_ps(xr, _mm256_mul_ps(vm, _mm256_loadu_ps(t.dc_re)));
  __m256 xi = _mm256_mul_ps(s2, _mm256_loadu_ps(t.sin_w));
  xi = _mm256_sub_ps(xi, _mm256_mul_ps(vm, _mm256_loadu_ps(t.dc_im)));
  const __m256 rr = _mm256_loadu_ps(t.rot_re), ri = _mm256_loadu_ps(t.rot_im);
  const __m256 yr = _mm256_sub_ps(_mm256_mul_ps(rr, xr), _mm256_mul_ps(ri, xi));
  const __m256 yi = _mm256_add_ps(_mm256_mul_ps(rr, xi), _mm256_mul_ps(ri, xr));
  const __m256 pre = _mm256_loadu_ps(base + kDtmfRowPrevRe), pim = _mm256_loadu_ps(base + kDtmfRowPrevIm);
  const __m256 re = _mm256_add_ps(pre, yr), im = _mm256_add_ps(pim, yi);
  alignas(32) float p[8];
  _mm256_store_ps(p, _mm256_mul_ps(_mm256_add_ps(_mm256_mul_ps(re, re), _mm256_mul_ps(im, im)), _mm256_set1_ps(t.norm)));
  const __m256 zr = _mm256_add_ps(_mm256_mul_ps(yr, pre), _mm256_mul_ps(yi, pim));
  const __m256 zi = _mm256_sub_ps(_mm256_mul_ps(yi, pre), _mm256_mul_ps(yr, pim));
  const __m256 c = _mm256_loadu_ps(th.cos_max_dev);
  const __m256 lhs = _mm256_mul_ps(zr, zr);
  const __m256 rhs = _mm256_mul_ps(_mm256_mul_ps(c, c), _mm256_add_ps(_mm256_mul_ps(zr, zr), _mm256_mul_ps(zi, zi)));
  const __m256 zero = _mm256_setzero_ps();
  const __m256 re_ok = _mm256_cmp_ps(zr, zero, _CMP_GE_OQ);
  const __m256 ok_pos = _mm256_and_ps(re_ok, _mm256_cmp_ps(lhs, rhs, _CMP_GE_OQ));
  const __m256 ok_neg = _mm256_or_ps(re_ok, _mm256_cmp_ps(lhs, rhs, _CMP_LE_OQ));
  const __m256 ok = _mm256_blendv_ps(ok_neg, ok_pos, _mm256_cmp_ps(c, zero, _CMP_GE_OQ));
  _mm256_storeu_ps(base + kDtmfRowPrevRe, xr);
  _mm256_storeu_ps(base + kDtmfRowPrevIm, xi);
  _mm256_storeu_ps(base + kDtmfRowS1, zero);
  _mm256_storeu_ps(base + kDtmfRowS2, zero);
  const float window_energy = base[kDtmfRowPrevEnergy] + energy;
  base[kDtmfRowPrevEnergy] = energy;
  base[kDtmfRowEnergy] = 0.0f;
  base[kDtmfRowSum] = 0.0f;
  return dtmf_classify_lane(p, static_cast<unsigned>(_mm256_movemask_ps(ok)), window_energy, t, th);
}
#endif


// The judge of W lanes (from lane `off`) of a full group with GCC vector extensions: the lane code's operations,
// lane-wise, with the branches turned into masks. W is the including file's register width (16 zmm, 8 ymm, 4 xmm).
#if defined(__AVX512F__)
inline constexpr std::size_t kDtmfJudgeWidth = 16;
#elif defined(__AVX2__)
inline constexpr std::size_t kDtmfJudgeWidth = 8;
#else
inline constexpr std::size_t kDtmfJudgeWidth = 4;
#endif
inline void dtmf_judge_part(float* group, std::size_t off, const DtmfTables& t, const DtmfThresholds& th,
                            std::uint8_t* codes) noexcept {
  constexpr std::size_t W = kDtmfJudgeWidth;
  typedef float V __attribute__((vector_size(W * sizeof(float))));
  typedef std::int32_t M __attribute__((vector_size(W * sizeof(float))));
  constexpr std::size_t L = kDtmfGroup;
  float* base = group + off;
  V sum, e0, pe;
  std::memcpy(&sum, base + kDtmfRowSum * L, sizeof(V));
  std::memcpy(&e0, base + kDtmfRowEnergy * L, sizeof(V));
  std::memcpy(&pe, base + kDtmfRowPrevEnergy * L, sizeof(V));
  const V mean = sum / t.half;
  const V energy = e0 - sum * mean;
  const V zero = V{} + 0.0f;
  V p[8];
  M ok[8];
  #pragma GCC unroll 8
  for (std::size_t f = 0; f < 8; ++f) {
    V s1, s2, pre, pim;
    std::memcpy(&s1, base + (kDtmfRowS1 + f) * L, sizeof(V));
    std::memcpy(&s2, base + (kDtmfRowS2 + f) * L, sizeof(V));
    std::memcpy(&pre, base + (kDtmfRowPrevRe + f) * L, sizeof(V));
    std::memcpy(&pim, base + (kDtmfRowPrevIm + f) * L, sizeof(V));
    V xr = s1 - s2 * t.cos_w[f];
    xr = xr - mean * t.dc_re[f];
    V xi = s2 * t.sin_w[f];
    xi = xi - mean * t.dc_im[f];
    const V yr = t.rot_re[f] * xr - t.rot_im[f] * xi;
    const V yi = t.rot_re[f] * xi + t.rot_im[f] * xr;
    const V re = pre + yr, im = pim + yi;
    p[f] = (re * re + im * im) * t.norm;
    const V zr = yr * pre + yi * pim, zi = yi * pre - yr * pim;
    const float c = th.cos_max_dev[f];
    const V lhs = zr * zr, rhs = c * c * (zr * zr + zi * zi);
    ok[f] = c >= 0 ? ((zr >= zero) & (lhs >= rhs)) : ((zr >= zero) | (lhs <= rhs));
    std::memcpy(base + (kDtmfRowPrevRe + f) * L, &xr, sizeof(V));
    std::memcpy(base + (kDtmfRowPrevIm + f) * L, &xi, sizeof(V));
    std::memcpy(base + (kDtmfRowS1 + f) * L, &zero, sizeof(V));
    std::memcpy(base + (kDtmfRowS2 + f) * L, &zero, sizeof(V));
  }
  const V window_energy = pe + energy;
  std::memcpy(base + kDtmfRowPrevEnergy * L, &energy, sizeof(V));
  std::memcpy(base + kDtmfRowEnergy * L, &zero, sizeof(V));
  std::memcpy(base + kDtmfRowSum * L, &zero, sizeof(V));

  const M m0 = M{} + 0;
  V pr = p[0], pc = p[4];
  M row = m0, col = m0 + 4;
  #pragma GCC unroll 4
  for (int f = 1; f < 4; ++f) {
    const M gt = p[f] > pr;
    pr = gt ? p[f] : pr;
    row = gt ? m0 + f : row;
  }
  #pragma GCC unroll 4
  for (int f = 5; f < 8; ++f) {
    const M gt = p[f] > pc;
    pc = gt ? p[f] : pc;
    col = gt ? m0 + f : col;
  }
  M reject = (pr < th.min_power) | (pc < th.min_power);
  reject |= (pr > pc * th.normal_twist) | (pc > pr * th.reverse_twist);
  M phase_row = m0, phase_col = m0;
  #pragma GCC unroll 4
  for (int f = 0; f < 4; ++f) {
    reject |= (row != m0 + f) & (p[f] * th.margin > pr);
    phase_row |= (row == m0 + f) & ok[f];
  }
  #pragma GCC unroll 4
  for (int f = 4; f < 8; ++f) {
    reject |= (col != m0 + f) & (p[f] * th.margin > pc);
    phase_col |= (col == m0 + f) & ok[f];
  }
  const V mean_square = window_energy / (2.0f * t.half);
  reject |= pr + pc < th.fraction * mean_square;
  reject |= ~(phase_row & phase_col);
  const M code = reject ? m0 : 1 + 4 * row + (col - 4);
  for (std::size_t l = 0; l < W; ++l) codes[off + l] = static_cast<std::uint8_t>(code[l]);
}

inline void dtmf_judge_lanes(float* state, std::size_t channels, const DtmfTables& t, const DtmfThresholds& th,
                             std::uint8_t* codes, bool vector_full_groups) noexcept {
#if defined(__AVX2__) && defined(__FMA__)
  if (channels == 1) {
    codes[0] = dtmf_judge_one_ymm(state, t, th);
    return;
  }
#endif
  for (std::size_t g = 0; g * kDtmfGroup < channels; ++g) {
    const std::size_t L = dtmf_group_lanes(channels, g);
    float* base = state + g * kDtmfGroup * kDtmfLaneFloats;
    if (vector_full_groups && L == kDtmfGroup) {
      for (std::size_t off = 0; off < kDtmfGroup; off += kDtmfJudgeWidth)
        dtmf_judge_part(base, off, t, th, codes + g * kDtmfGroup);
      continue;
    }
    for (std::size_t l = 0; l < L; ++l) codes[g * kDtmfGroup + l] = dtmf_judge_lane(base, L, l, t, th);
  }
}


}  // namespace
}  // namespace linedsp::detail
