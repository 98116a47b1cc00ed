// DTMF bank kernels, avx512 build of dtmf_kernels_impl.hpp.
#pragma GCC optimize("fp-contract=off")
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic")
#include "signals/kernels/dtmf_kernels_impl.hpp"

namespace linedsp::detail {

void dtmf_feed_avx512(const std::int16_t* x, std::size_t frames, std::size_t channels, float* xs,
                    float* energy) noexcept {
  dtmf_feed_impl(x, frames, channels, xs, energy);
}
void dtmf_window_avx512(float* s1, float* s2, float* prev_re, float* prev_im, std::size_t stride, std::size_t count,
                      const DtmfWindowConsts& k, DtmfGroupWindow& out) noexcept {
  dtmf_window_impl(s1, s2, prev_re, prev_im, stride, count, k, out);
}

}  // namespace linedsp::detail
