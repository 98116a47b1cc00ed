// dsp/kernels/goertzel_kernels.hpp — per-ISA Goertzel kernels (private to dsp/). The scalar one is the
// specification; each other variant must match it bit for bit (tests/dsp/goertzel_kernels_test.cpp).
//
// The recursion, in exactly this floating-point order in every variant (lanes are independent filters or
// channels, so SIMD changes nothing per lane):
//
//     s0 = (x - s2) + c * s1        3 operations per sample per filter: 1 multiply, 2 adds
//
// and the power  P = (s1*s1 + s2*s2) - (c*s1)*s2  (goertzel_power()'s order).
// (x - s2) does not depend on the previous step, so the loop-carried chain is one multiply and one add.
// No fused multiply-add anywhere: every kernel file says `#pragma GCC optimize("fp-contract=off")`, so
// the compiler cannot contract c * s1 + t into an FMA in the -mfma files either, and scalar == SIMD.
#pragma once

#include <cstddef>

namespace linedsp::detail {

#define LINEDSP_GOERTZEL_DECLARE(isa)                                                                      \
  void goertzel_bank_##isa(const float* x, std::size_t n, const float* coeff, float* s1, float* s2,        \
                           std::size_t m) noexcept;                                                       \
  void goertzel_multi_##isa(const float* x, std::size_t n, std::size_t channels, const float* coeff,       \
                            std::size_t m, float* s1, float* s2) noexcept;                                \
  void goertzel_powers_##isa(const float* s1, const float* s2, const float* coeff, std::size_t m,          \
                             std::size_t channels, float* out) noexcept;

LINEDSP_GOERTZEL_DECLARE(scalar)
LINEDSP_GOERTZEL_DECLARE(sse2)
LINEDSP_GOERTZEL_DECLARE(avx2)
LINEDSP_GOERTZEL_DECLARE(avx512)
#undef LINEDSP_GOERTZEL_DECLARE

// The scalar multi-channel recursion on channels [ch_begin, ch_end) only (SIMD variants use it for the
// channels left over after their full vectors). Defined in goertzel_scalar.cpp, compiled without ISA flags.
void goertzel_multi_range_scalar(const float* x, std::size_t n, std::size_t channels, std::size_t ch_begin,
                                 std::size_t ch_end, const float* coeff, std::size_t m, float* s1,
                                 float* s2) noexcept;

}  // namespace linedsp::detail
