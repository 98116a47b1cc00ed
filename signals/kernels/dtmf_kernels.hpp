// signals/kernels/dtmf_kernels.hpp — per-ISA kernels of DtmfDetectorBank (private to signals/).
//
// Two passes across channels (structure of arrays, lanes = channels), written once in dtmf_kernels_impl.hpp
// and compiled per ISA so the compiler vectorises them at that width. Each lane does exactly the scalar
// operations in the same order, and no file contracts to FMA (fp-contract=off), so every variant equals
// the scalar one bit for bit (tests/signals/dtmf_bank_test runs the bank per ISA against DtmfDetector).
#pragma once

#include <cstddef>
#include <cstdint>

#include "dsp/simd.hpp"

namespace linedsp::detail {

inline constexpr std::size_t kDtmfGroup = 16;  // channels per window pass

// Per-rate constants the window pass needs (a view of DtmfTables).
struct DtmfWindowConsts {
  const float* cos_w;
  const float* sin_w;
  const float* rot_re;
  const float* rot_im;
  float norm;
  float min_power;  // gate: both groups need a tone at least this strong for the classifier to run
};

// Output of the window pass for up to kDtmfGroup channels: [filter][lane].
struct DtmfGroupWindow {
  float cur_re[8][kDtmfGroup], cur_im[8][kDtmfGroup];  // this half-block's values
  float y_re[8][kDtmfGroup], y_im[8][kDtmfGroup];      // the same, rotated into the previous one's frame
  float prev_re[8][kDtmfGroup], prev_im[8][kDtmfGroup];  // the previous half-block's values
  float p[8][kDtmfGroup];                              // window power, mean square of the tone
  unsigned char gate[kDtmfGroup];                      // 1 where max(p low) and max(p high) >= min_power
};

struct DtmfKernels {
  // int16 frames (x[frame * channels + ch]) to float scratch (same layout); energy[ch] += v * v, frame by frame.
  void (*feed)(const std::int16_t* x, std::size_t frames, std::size_t channels, float* xs, float* energy) noexcept;
  // For `count` <= kDtmfGroup channels: s1/s2/prev_re/prev_im point at the group's first channel, with
  // `stride` between filters. Fills `out`, zeroes s1/s2 and replaces prev_re/prev_im by this half-block's values.
  void (*window)(float* s1, float* s2, float* prev_re, float* prev_im, std::size_t stride, std::size_t count,
                 const DtmfWindowConsts& k, DtmfGroupWindow& out) noexcept;
  Isa isa;
};
const DtmfKernels& dtmf_kernels(Isa isa) noexcept;

#define LINEDSP_DTMF_DECLARE(isa)                                                                              \
  void dtmf_feed_##isa(const std::int16_t* x, std::size_t frames, std::size_t channels, float* xs,              \
                       float* energy) noexcept;                                                                \
  void dtmf_window_##isa(float* s1, float* s2, float* prev_re, float* prev_im, std::size_t stride,              \
                         std::size_t count, const DtmfWindowConsts& k, DtmfGroupWindow& out) noexcept;
LINEDSP_DTMF_DECLARE(scalar)
LINEDSP_DTMF_DECLARE(sse2)
LINEDSP_DTMF_DECLARE(avx2)
LINEDSP_DTMF_DECLARE(avx512)
#undef LINEDSP_DTMF_DECLARE

}  // namespace linedsp::detail
