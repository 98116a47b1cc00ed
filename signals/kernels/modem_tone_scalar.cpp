// The specification of the modem-tone front end (see modem_tone_kernels.hpp): plain loops, no intrinsics.
#include "signals/kernels/modem_tone_kernels.hpp"

#pragma GCC optimize("fp-contract=off")

namespace linedsp::detail {

namespace {
float dot16(const float* x, const float* t, std::size_t len) noexcept {
  float p[16] = {};
  for (std::size_t i = 0; i < len; i += 16)
    for (std::size_t j = 0; j < 16; ++j) {
      const float prod = x[i + j] * t[i + j];
      p[j] = p[j] + prod;
    }
  for (std::size_t h = 8; h >= 1; h /= 2)
    for (std::size_t j = 0; j < h; ++j) p[j] = p[j] + p[j + h];
  return p[0];
}
}  // namespace

void modem_tone_dft_scalar(const float* x, std::size_t len, const float* table, std::size_t rows,
                           float* out) noexcept {
  for (std::size_t r = 0; r < rows; ++r) out[r] = dot16(x, table + r * len, len);
  out[rows] = dot16(x, x, len);
}

}  // namespace linedsp::detail
