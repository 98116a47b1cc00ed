// signals/kernels/dtmf_kernels_impl.hpp — the one source of the DTMF bank kernels, included by
// dtmf_{scalar,sse2,avx2,avx512}.cpp (each compiled with its ISA's flags). Functions live in an anonymous
// namespace so each translation unit keeps its own copy (no ODR mixing of ISA builds). The operation order
// is the specification DtmfDetector follows (signals/dtmf_detector.cpp); do not reorder.
#pragma once

#include "signals/kernels/dtmf_kernels.hpp"

namespace linedsp::detail {
namespace {

inline void dtmf_feed_impl(const std::int16_t* __restrict x, std::size_t frames, std::size_t channels,
                           float* __restrict xs, float* __restrict energy) noexcept {
  for (std::size_t i = 0; i < frames; ++i) {
    const std::int16_t* __restrict in = x + i * channels;
    float* __restrict out = xs + i * channels;
#pragma GCC ivdep
    for (std::size_t ch = 0; ch < channels; ++ch) {
      const float v = static_cast<float>(in[ch]);
      out[ch] = v;
      energy[ch] += v * v;
    }
  }
}

inline void dtmf_window_impl(float* __restrict s1, float* __restrict s2, float* __restrict prev_re,
                             float* __restrict prev_im, std::size_t stride, std::size_t count,
                             const DtmfWindowConsts& k, DtmfGroupWindow& o) noexcept {
  const float norm = k.norm;
  for (std::size_t f = 0; f < 8; ++f) {
    float* __restrict a = s1 + f * stride;
    float* __restrict b = s2 + f * stride;
    float* __restrict pr = prev_re + f * stride;
    float* __restrict pi = prev_im + f * stride;
    const float cw = k.cos_w[f], sw = k.sin_w[f], rr = k.rot_re[f], ri = k.rot_im[f];
#pragma GCC ivdep
    for (std::size_t c = 0; c < count; ++c) {
      const float xr = a[c] - b[c] * cw;
      const float xi = b[c] * sw;
      const float y_re = rr * xr - ri * xi;
      const float y_im = rr * xi + ri * xr;
      const float re = pr[c] + y_re;
      const float im = pi[c] + y_im;
      o.p[f][c] = (re * re + im * im) * norm;
      o.prev_re[f][c] = pr[c];
      o.prev_im[f][c] = pi[c];
      pr[c] = xr;
      pi[c] = xi;
      o.cur_re[f][c] = xr;
      o.cur_im[f][c] = xi;
      o.y_re[f][c] = y_re;
      o.y_im[f][c] = y_im;
      a[c] = 0.0f;
      b[c] = 0.0f;
    }
  }
  const float min_power = k.min_power;
#pragma GCC ivdep
  for (std::size_t c = 0; c < count; ++c) {
    const float lo0 = o.p[0][c] > o.p[1][c] ? o.p[0][c] : o.p[1][c];
    const float lo1 = o.p[2][c] > o.p[3][c] ? o.p[2][c] : o.p[3][c];
    const float hi0 = o.p[4][c] > o.p[5][c] ? o.p[4][c] : o.p[5][c];
    const float hi1 = o.p[6][c] > o.p[7][c] ? o.p[6][c] : o.p[7][c];
    const float lo = lo0 > lo1 ? lo0 : lo1, hi = hi0 > hi1 ? hi0 : hi1;
    o.gate[c] = static_cast<unsigned char>((lo >= min_power) & (hi >= min_power));
  }
}

}  // namespace
}  // namespace linedsp::detail
