// avx512 Goertzel kernels.
#include "dsp/kernels/goertzel_kernels.hpp"

namespace linedsp::detail {

void goertzel_bank_avx512(const float* x, std::size_t n, const float* coeff, float* s1, float* s2,
                        std::size_t m) noexcept {
  goertzel_bank_scalar(x, n, coeff, s1, s2, m);
}

void goertzel_multi_avx512(const float* x, std::size_t n, std::size_t channels, const float* coeff, std::size_t m,
                         float* s1, float* s2) noexcept {
  goertzel_multi_scalar(x, n, channels, coeff, m, s1, s2);
}

}  // namespace linedsp::detail
