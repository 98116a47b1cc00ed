// dsp/kernels/goertzel_kernels.hpp — per-ISA Goertzel kernels (private to dsp/). The scalar one is the
// specification; each other variant must match it (tests/dsp/goertzel_kernels_test.cpp).
#pragma once

#include <cstddef>

namespace linedsp::detail {

#define LINEDSP_GOERTZEL_DECLARE(isa)                                                                      \
  void goertzel_bank_##isa(const float* x, std::size_t n, const float* coeff, float* s1, float* s2,        \
                           std::size_t m) noexcept;                                                       \
  void goertzel_multi_##isa(const float* x, std::size_t n, std::size_t channels, const float* coeff,       \
                            std::size_t m, float* s1, float* s2) noexcept;

LINEDSP_GOERTZEL_DECLARE(scalar)
LINEDSP_GOERTZEL_DECLARE(sse2)
LINEDSP_GOERTZEL_DECLARE(avx2)
LINEDSP_GOERTZEL_DECLARE(avx512)
#undef LINEDSP_GOERTZEL_DECLARE

}  // namespace linedsp::detail
