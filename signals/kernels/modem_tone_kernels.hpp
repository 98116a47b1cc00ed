// signals/kernels/modem_tone_kernels.hpp — the modem-tone detector's front end, one variant per ISA (private to
// signals/): the block DFT at the detector's frequencies as dot products with cos/sin tables (the values a Goertzel
// filter gives at the end of the block, without its serial recursion), and the block energy.
//
// Specification (the scalar variant): for each row r (and, last, the energy with table = x itself):
//   p[j] = sum over i ascending of x[16 i + j] * t[16 i + j]   (j = 0..15; separate multiply and add, no FMA)
//   then the tree p[j] += p[j + h] for h = 8, 4, 2, 1; the result is p[0].
// Every variant computes exactly these operations (16 lanes, or 2 x 8, or 4 x 4), so all are bit-identical
// (tests/signals/modem_tone_kernels_test.cpp).
//   x:     len samples, len a multiple of 16 (zero-padded by the caller)
//   table: rows x len floats, row-major
//   out:   rows + 1 floats (out[rows] = energy)
#pragma once

#include <cstddef>

#include "dsp/simd.hpp"

namespace linedsp {

struct ModemToneKernels {
  void (*dft)(const float* x, std::size_t len, const float* table, std::size_t rows, float* out) noexcept;
  Isa isa;
};
const ModemToneKernels& modem_tone_kernels(Isa isa) noexcept;

namespace detail {
#define LINEDSP_MODEM_TONE_DECLARE(isa) \
  void modem_tone_dft_##isa(const float* x, std::size_t len, const float* table, std::size_t rows, float* out) noexcept;
LINEDSP_MODEM_TONE_DECLARE(scalar)
LINEDSP_MODEM_TONE_DECLARE(sse2)
LINEDSP_MODEM_TONE_DECLARE(avx2)
LINEDSP_MODEM_TONE_DECLARE(avx512)
#undef LINEDSP_MODEM_TONE_DECLARE
}  // namespace detail

}  // namespace linedsp
