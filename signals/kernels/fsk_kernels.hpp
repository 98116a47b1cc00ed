// signals/kernels/fsk_kernels.hpp — per-ISA FSK correlator front end (private to signals/). The scalar one is the
// specification; every variant computes the same operations in the same order (separate multiply and add, no
// FMA), so results are bit-identical (tests/signals/fsk_kernels_test.cpp).
//
// fsk_front: for i in [0, n): with w = window,
//   zmc = sum_{k=0}^{w-1} x[i+k] * mc[i+k]   (k ascending; likewise zms with ms, zsc with sc, zss with ss)
//   em = zmc*zmc + zms*zms;  es = zsc*zsc + zss*zss;  e[i] = em + es;  d[i] = (em - es) / (e[i] + 1)
// x holds w-1 history samples then n new ones; the tables are aligned with x (table[j] belongs to x[j]).
// No alignment requirements; n >= 0; 1 <= w.
#pragma once

#include <cstddef>

#include "dsp/simd.hpp"

namespace linedsp {

struct FskKernels {
  void (*front)(const float* x, std::size_t n, std::size_t window, const float* mc, const float* ms, const float* sc,
                const float* ss, float* d, float* e) noexcept;
  Isa isa;
};
const FskKernels& fsk_kernels(Isa isa) noexcept;

namespace detail {
#define LINEDSP_FSK_DECLARE(isa)                                                                             \
  void fsk_front_##isa(const float* x, std::size_t n, std::size_t window, const float* mc, const float* ms,  \
                       const float* sc, const float* ss, float* d, float* e) noexcept;
LINEDSP_FSK_DECLARE(scalar)
LINEDSP_FSK_DECLARE(avx2)
LINEDSP_FSK_DECLARE(avx512)
#undef LINEDSP_FSK_DECLARE
}  // namespace detail

}  // namespace linedsp
