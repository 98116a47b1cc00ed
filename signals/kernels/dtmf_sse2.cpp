// DTMF kernels, sse2 build of dtmf_kernels_impl.hpp. SSE2 has no fused multiply-add, so the filters run the
// scalar lane code (std::fma); the judge runs across 16 lanes in four xmm per vector.
#pragma GCC optimize("fp-contract=off")
#include "signals/kernels/dtmf_kernels_impl.hpp"

namespace linedsp::detail {

void dtmf_feed_sse2(const std::int16_t* x, std::size_t frames, std::size_t channels, const DtmfTables& t,
                    float* state) noexcept {
  dtmf_feed_lanes(x, frames, channels, t, state);
}
void dtmf_judge_sse2(float* state, std::size_t channels, const DtmfTables& t, const DtmfThresholds& th,
                     std::uint8_t* codes) noexcept {
  dtmf_judge_lanes(state, channels, t, th, codes, true);
}

}  // namespace linedsp::detail
