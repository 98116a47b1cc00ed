// DTMF kernels, scalar build of dtmf_kernels_impl.hpp: the lane code itself (the specification), in both
// flavours — unfused (the scalar table: fast on any CPU) and fused (the reference the AVX2 and AVX-512 kernels
// are checked against; std::fma).
#pragma GCC optimize("fp-contract=off")
#pragma GCC optimize("no-tree-vectorize")  // the reference: plain scalar code
#include "signals/kernels/dtmf_kernels_impl.hpp"

namespace linedsp::detail {

void dtmf_feed_scalar(const std::int16_t* x, std::size_t frames, std::size_t channels, const DtmfTables& t,
                      float* state) noexcept {
  dtmf_feed_lanes<false>(x, frames, channels, t, state);
}
void dtmf_feed_scalar_fused(const std::int16_t* x, std::size_t frames, std::size_t channels, const DtmfTables& t,
                            float* state) noexcept {
  dtmf_feed_lanes<true>(x, frames, channels, t, state);
}
void dtmf_judge_scalar(float* state, std::size_t channels, const DtmfTables& t, const DtmfThresholds& th,
                       std::uint8_t* codes) noexcept {
  dtmf_judge_lanes(state, channels, t, th, codes, false);
}

}  // namespace linedsp::detail
