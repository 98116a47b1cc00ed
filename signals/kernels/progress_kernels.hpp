// signals/kernels/progress_kernels.hpp — the call-progress detector's front end per 20 ms block, one variant per
// ISA (private to signals/). The scalar code (progress_scalar.cpp) is the specification, in two flavours that differ
// only in the Goertzel step s = (x - s2) + c * s1: fused (one rounding, a hardware FMA: the AVX2 and AVX-512
// tables) or unfused (product and sum rounded separately: the scalar and SSE2 tables; std::fma would be a slow
// library routine on a CPU without FMA). The SIMD variants (progress_kernels_impl.hpp compiled per ISA) perform,
// per lane, exactly the float operations of their flavour in the same order, so each is bit-identical to its
// flavour's scalar code, and the one-channel and batched detectors of one ISA see the same numbers
// (tests/signals/progress_kernels_test.cpp, which also bounds the difference between the flavours).
//
// One call does the whole block, so nothing is done per sample outside it:
//  1. int16 -> float, and the block's sample sum and sum of squares in exact integer arithmetic;
//  2. per filter, 2 kProgressSub independent Goertzel recursions over the half sub-blocks of H = L / 2 samples
//     (hides the recursion's latency), each written s = (x - s2) + c * s1 (critical path: one multiply, one add),
//     each giving its bin h = (s1 - s2 cos w, s2 sin w);
//  3. per filter and sub-block j, the sub-block's bin g_j = h_second + h_first * exp(i w H), its magnitude
//     env_j = sqrt(re^2 + im^2), and the block's bin X = sum over j of g_j * exp(-i w j L) (phase rotation).
//     (Each bin is the DFT of its samples times exp(i w (len - 1)): referred to its own last sample.)
#pragma once

#include <cstddef>
#include <cstdint>

namespace linedsp::detail {

inline constexpr std::size_t kProgressSub = 4;

struct ProgressConsts {
  const float* coeff;   // [f]: 2 cos w
  const float* cos_w;   // [f]
  const float* sin_w;   // [f]
  const float* rot_re;  // [j * stride + f]: cos(-w j L)
  const float* rot_im;  // [j * stride + f]: sin(-w j L)
  const float* half_re; // [f]: cos(w H)
  const float* half_im; // [f]: sin(w H)
  std::size_t stride;   // row length of the tables (a multiple of 16)
  std::size_t m;        // filters to run (single: a multiple of 16, tables zero-padded; multi: any)
  std::size_t sub_len;  // L (even): samples per sub-block; the block is kProgressSub * L samples
};

// Outputs. single: x_re/x_im[f], env[j * stride + f], sum/sumsq[0].
//          multi:  x_re/x_im[f * channels + ch], env[(f * kProgressSub + j) * channels + ch], sum/sumsq[ch].
struct ProgressOut {
  float* x_re;
  float* x_im;
  float* env;
  std::int64_t* sum;
  std::int64_t* sumsq;
};

// single: x[kProgressSub * L] one channel; scratch: kProgressSub * L floats.
// multi:  x[frame * channels + ch], channels a multiple of 16; scratch: kProgressSub * L * channels floats.
#define LINEDSP_PROGRESS_DECLARE(isa)                                                                         \
  void progress_block_single_##isa(const std::int16_t* x, const ProgressConsts& k, float* scratch,          \
                                   const ProgressOut& out) noexcept;                                          \
  void progress_block_multi_##isa(const std::int16_t* x, std::size_t channels, const ProgressConsts& k,      \
                                  float* scratch, const ProgressOut& out) noexcept;

LINEDSP_PROGRESS_DECLARE(scalar)
LINEDSP_PROGRESS_DECLARE(scalar_fused)
LINEDSP_PROGRESS_DECLARE(sse2)
LINEDSP_PROGRESS_DECLARE(avx2)
LINEDSP_PROGRESS_DECLARE(avx512)
#undef LINEDSP_PROGRESS_DECLARE

}  // namespace linedsp::detail
