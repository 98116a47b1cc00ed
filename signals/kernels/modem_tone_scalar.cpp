// The specification of the modem-tone front end (see modem_tone_kernels.hpp): plain loops, no intrinsics.
#include "signals/kernels/modem_tone_kernels.hpp"

#pragma GCC optimize("fp-contract=off")

namespace linedsp::detail {

void modem_tone_dft_scalar(const std::int16_t* x, std::size_t len, const float* table, float* xf,
                           float* out) noexcept {
  for (std::size_t n = 0; n < len; ++n) xf[n] = static_cast<float>(x[n]);
  float acc[8][kModemToneRows] = {};
  for (std::size_t n = 0; n < len; ++n) {
    const std::size_t q = n & 7;
    for (std::size_t r = 0; r < kModemToneRows; ++r) {
      const float prod = xf[n] * table[n * kModemToneRows + r];
      acc[q][r] = acc[q][r] + prod;
    }
  }
  for (std::size_t r = 0; r < kModemToneRows; ++r)
    out[r] = ((acc[0][r] + acc[4][r]) + (acc[2][r] + acc[6][r])) + ((acc[1][r] + acc[5][r]) + (acc[3][r] + acc[7][r]));
}

std::uint64_t modem_tone_energy_scalar(const std::int16_t* x, std::size_t len) noexcept {
  std::uint64_t e = 0;
  for (std::size_t n = 0; n < len; ++n) {
    const std::int32_t v = x[n];
    e += static_cast<std::uint32_t>(v * v);  // at most 2^30
  }
  return e;
}

void modem_tone_deinterleave_scalar(const std::int16_t* src, std::size_t channels, std::size_t frames,
                                    std::int16_t* dst, std::size_t dst_stride) noexcept {
  for (std::size_t ch = 0; ch < channels; ++ch)
    for (std::size_t i = 0; i < frames; ++i) dst[ch * dst_stride + i] = src[i * channels + ch];
}

}  // namespace linedsp::detail
