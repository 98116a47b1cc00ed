// signals/kernels/dtmf_kernels.hpp — per-ISA kernels of DtmfDetector and DtmfDetectorBank (private to signals/).
//
// Two kernels over the state layout of signals/dtmf_detector.hpp (groups of up to kDtmfGroup channels, one row
// of L floats per field; lanes = channels):
//  feed:  int16 samples straight into the eight Goertzel filters, the energy and the sum of every channel
//         (the int16 -> float conversion is part of the pass; no scratch buffer);
//  judge: at the end of a half-block, for every channel: the block mean's share removed from the filter values
//         and the energy (DC offset), the 12.75 ms window's powers and phase tests, the classification
//         (strongest tone per group, level, twist, group margin, energy fraction, frequency by phase advance)
//         branch-free across lanes, a digit code per channel, and the state rolled to the next half-block.
// The arithmetic of one lane is written once, in dtmf_kernels_impl.hpp (the scalar lane functions are the
// specification), in two flavours that differ only in the Goertzel step s0 = c * s1 + (x - s2) and the energy
// e = x * x + e: fused (one rounding, hardware FMA: the AVX2 and AVX-512 tables) or unfused (product and sum
// rounded separately: the scalar and SSE2 tables, fast on a CPU without FMA, where std::fma is a slow library
// routine). Everything else is separate IEEE operations (fp-contract=off). So each variant gives the same bits as
// the scalar lane code of its flavour (tests/signals/dtmf_bank_test: kernels compared bit for bit with
// dtmf_reference_kernels(fused)), and the two flavours the same digits (the same test file, and the whole suite
// runs once per forced ISA).
#pragma once

#include <cstddef>
#include <cstdint>

#include "dsp/simd.hpp"
#include "signals/dtmf_detector.hpp"

namespace linedsp::detail {

struct DtmfKernels {
  // `frames` frames of x[frame * channels + ch] through every channel's state (layout of dtmf_detector.hpp).
  void (*feed)(const std::int16_t* x, std::size_t frames, std::size_t channels, const DtmfTables& t,
               float* state) noexcept;
  // End of a half-block: codes[ch] = 0 or 1 + 4 * row + column for every channel; s1, s2, energy and sum
  // zeroed, this half-block's values and energy kept as the previous ones.
  void (*judge)(float* state, std::size_t channels, const DtmfTables& t, const DtmfThresholds& th,
                std::uint8_t* codes) noexcept;
  Isa isa;
  bool fused;  // the flavour of the Goertzel step and the energy (above)
};
const DtmfKernels& dtmf_kernels(Isa isa) noexcept;
// The scalar lane code of one flavour: the oracle each variant is compared with bit for bit.
const DtmfKernels& dtmf_reference_kernels(bool fused) noexcept;

#define LINEDSP_DTMF_DECLARE(isa)                                                                               \
  void dtmf_feed_##isa(const std::int16_t* x, std::size_t frames, std::size_t channels, const DtmfTables& t,      \
                       float* state) noexcept;                                                                  \
  void dtmf_judge_##isa(float* state, std::size_t channels, const DtmfTables& t, const DtmfThresholds& th,       \
                        std::uint8_t* codes) noexcept;
LINEDSP_DTMF_DECLARE(scalar)
void dtmf_feed_scalar_fused(const std::int16_t* x, std::size_t frames, std::size_t channels, const DtmfTables& t,
                            float* state) noexcept;
LINEDSP_DTMF_DECLARE(sse2)
LINEDSP_DTMF_DECLARE(avx2)
LINEDSP_DTMF_DECLARE(avx512)
#undef LINEDSP_DTMF_DECLARE

}  // namespace linedsp::detail
