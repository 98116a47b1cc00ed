// signals/kernels/progress_kernels.hpp — the call-progress detector's Goertzel front end, one variant per ISA
// (private to signals/). The scalar one is the specification; every variant computes, per lane, exactly the same
// float operations in the same order (s0 = (x + c*s1) - s2, no FMA), so all variants are bit-identical and the
// one-channel and batched detectors see the same numbers (tests/signals/progress_kernels_test.cpp).
//
// A detector block of `nsub * sub_len` samples is split into `nsub` sub-blocks, each run from zero state as an
// independent recursion; the detector combines the sub-block bins into block bins (phase rotation). Independent
// recursions hide the add/multiply latency of the Goertzel chain.
#pragma once

#include <cstddef>

namespace linedsp::detail {

// single: one channel, x[nsub * sub_len]; m filters, m a multiple of 16 (coeff padded);
//         outputs s1/s2[sub * m + f] (the final two states of sub-block `sub`, filter f).
// multi:  `channels` interleaved channels (a multiple of 16), x[frame * channels + ch];
//         outputs s1/s2[(f * nsub + sub) * channels + ch].
// nsub <= 4.
#define LINEDSP_PROGRESS_DECLARE(isa)                                                                        \
  void progress_goertzel_single_##isa(const float* x, std::size_t sub_len, std::size_t nsub, const float* coeff, \
                                      std::size_t m, float* s1, float* s2) noexcept;                         \
  void progress_goertzel_multi_##isa(const float* x, std::size_t sub_len, std::size_t nsub, std::size_t channels, \
                                     const float* coeff, std::size_t m, float* s1, float* s2) noexcept;

LINEDSP_PROGRESS_DECLARE(scalar)
LINEDSP_PROGRESS_DECLARE(sse2)
LINEDSP_PROGRESS_DECLARE(avx2)
LINEDSP_PROGRESS_DECLARE(avx512)
#undef LINEDSP_PROGRESS_DECLARE

}  // namespace linedsp::detail
