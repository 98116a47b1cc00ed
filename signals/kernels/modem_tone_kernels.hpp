// signals/kernels/modem_tone_kernels.hpp — the modem-tone detector's front end, one variant per ISA (private to
// signals/): one call per 5 ms block converts the int16 block and computes the block DFT at the
// detector's frequencies as dot products with cos/sin tables (the values a Goertzel filter gives at the end of the
// block, without its serial recursion). Lanes run across the 8 table rows, so no horizontal sums are needed.
//
// Specification (the scalar variant), for a block of len samples (len a multiple of 8):
//   xf[n] = float(x[n]);
//   acc[q][r] = sum over n = q, q + 8, q + 16, ... ascending of xf[n] * table[n * 8 + r]   (q = 0..7, r = 0..7;
//               separate multiply and add, no FMA; eight independent chains hide the add latency);
//   out[r] = ((acc[0][r] + acc[4][r]) + (acc[2][r] + acc[6][r])) + ((acc[1][r] + acc[5][r]) + (acc[3][r] + acc[7][r])).
// Every variant computes exactly these operations, so all are bit-identical
// (tests/signals/modem_tone_kernels_test.cpp).
//   table: len x 8 floats, [n * 8 + r]
//   xf:    len floats out;  out: 8 floats out
#pragma once

#include <cstddef>
#include <cstdint>

#include "dsp/simd.hpp"

namespace linedsp {

inline constexpr std::size_t kModemToneRows = 8;

// De-interleave (the bank's input): dst[ch * dst_stride + i] = src[i * channels + ch] for i < frames, ch < channels.
// Pure data movement: every variant gives the same bytes (scalar: plain loops; sse2: 8 x 8 transposes of 16-bit
// lanes, also used by avx2 and avx512, where it is not the bottleneck; channels outside whole groups of 8 and frames
// outside whole groups of 8 are copied by the scalar loop).
//
// Energy (the block's, computed once per block before the DFT: the detector's silence screen and purity tests): the exact sum of x[n]^2 over the block as an unsigned
// 64-bit integer (scalar: a plain loop; sse2 / avx2 / avx512: pmaddwd pairs, each below 2^31 + 1 so exact as
// unsigned 32-bit, widened to 64-bit sums). Integer arithmetic: every variant gives the same number.
struct ModemToneKernels {
  void (*dft)(const std::int16_t* x, std::size_t len, const float* table, float* xf, float* out) noexcept;
  Isa isa;
  void (*deinterleave)(const std::int16_t* src, std::size_t channels, std::size_t frames, std::int16_t* dst,
                       std::size_t dst_stride) noexcept = nullptr;
  std::uint64_t (*energy)(const std::int16_t* x, std::size_t len) noexcept = nullptr;
};
const ModemToneKernels& modem_tone_kernels(Isa isa) noexcept;

namespace detail {
#define LINEDSP_MODEM_TONE_DECLARE(isa)                                                                    \
  void modem_tone_dft_##isa(const std::int16_t* x, std::size_t len, const float* table, float* xf,        \
                            float* out) noexcept;                                                         \
  std::uint64_t modem_tone_energy_##isa(const std::int16_t* x, std::size_t len) noexcept;
LINEDSP_MODEM_TONE_DECLARE(scalar)
LINEDSP_MODEM_TONE_DECLARE(sse2)
LINEDSP_MODEM_TONE_DECLARE(avx2)
LINEDSP_MODEM_TONE_DECLARE(avx512)
#undef LINEDSP_MODEM_TONE_DECLARE
void modem_tone_deinterleave_scalar(const std::int16_t* src, std::size_t channels, std::size_t frames,
                                    std::int16_t* dst, std::size_t dst_stride) noexcept;
void modem_tone_deinterleave_sse2(const std::int16_t* src, std::size_t channels, std::size_t frames,
                                  std::int16_t* dst, std::size_t dst_stride) noexcept;
}  // namespace detail

}  // namespace linedsp
