// dsp/kernels/nlms_kernels.hpp — per-ISA NLMS kernels (private to dsp/); contract in dsp/nlms.hpp.
#pragma once

#include <cstddef>

namespace linedsp::detail {

#define LINEDSP_NLMS_DECLARE(isa)                                                                          \
  float nlms_adapt_filter_##isa(float* w, const float* g, const float* xo, const float* xn, float a,        \
                                std::size_t n, float* p) noexcept;                                         \
  float nlms_filter_##isa(const float* w, const float* g, const float* xn, std::size_t n, float* p) noexcept; \
  void nlms_gains_##isa(const float* w, float* g, std::size_t n, float alpha) noexcept;                   \
  float nlms_dot_##isa(const float* w, const float* x, std::size_t n) noexcept;                            \
  float nlms_pair_##isa(float* w, const float* wf, const float* g, const float* xo, const float* xn, float a, \
                        std::size_t n, float* p, float* yf) noexcept;

void nlms_update_gains_scalar(float* w, float* g, const float* xo, float a, std::size_t n, float alpha) noexcept;
void nlms_update_gains_avx512(float* w, float* g, const float* xo, float a, std::size_t n, float alpha) noexcept;
void nlms_pair2_scalar(float* w, const float* wf, const float* g, const float* x, float a1, float a2, std::size_t n,
                       int parts, float* s) noexcept;
void nlms_pair2_avx512(float* w, const float* wf, const float* g, const float* x, float a1, float a2, std::size_t n,
                       int parts, float* s) noexcept;

LINEDSP_NLMS_DECLARE(scalar)
LINEDSP_NLMS_DECLARE(sse2)
LINEDSP_NLMS_DECLARE(avx2)
LINEDSP_NLMS_DECLARE(avx512)
#undef LINEDSP_NLMS_DECLARE

// Shared by every variant so the gains are computed identically: the tap-gain constants for a given
// L1 norm of w.
struct NlmsGainConstants {
  float floor;  // (1 - alpha) / (2 n)
  float slope;  // (1 + alpha) / (2 L1 + eps)
};
inline NlmsGainConstants nlms_gain_constants(float l1, std::size_t n, float alpha) noexcept {
  constexpr float kEps = 1e-6f;
  const float nn = n > 0 ? static_cast<float>(n) : 1.0f;
  return {(1.0f - alpha) / (2.0f * nn), (1.0f + alpha) / (2.0f * l1 + kEps)};
}

}  // namespace linedsp::detail
