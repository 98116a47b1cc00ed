// The specification of the call-progress block kernels (see progress_kernels.hpp): plain loops, no intrinsics, in
// both flavours (unfused: the scalar table; fused, std::fma: the oracle of the AVX2 and AVX-512 kernels).
#include <cmath>

#pragma GCC optimize("fp-contract=off")
#include "signals/kernels/progress_kernels_impl.hpp"  // progress_convert (no intrinsics)

namespace linedsp::detail {

namespace {

// One filter, one lane: x[i * step] for the block; writes X and env_j.
template <bool Fused>
void one_filter(const float* x, std::size_t step, const ProgressConsts& k, std::size_t f, float cw, float sw, float& xr,
                float& xi, float* env, std::size_t env_step) {
  const float c = k.coeff[f];
  const std::size_t len = k.sub_len, half = len / 2;
  const float hr = k.half_re[f], hi = k.half_im[f];
  for (std::size_t j = 0; j < kProgressSub; ++j) {
    float br[2], bi[2];
    for (std::size_t h = 0; h < 2; ++h) {
      float a = 0.0f, b = 0.0f;
      const float* xs = x + (j * len + h * half) * step;
      for (std::size_t i = 0; i < half; ++i) {
        const float t = xs[i * step] - b;
        float s;
        if constexpr (Fused) {
          s = std::fma(c, a, t);
        } else {
          const float u = c * a;
          s = t + u;
        }
        b = a;
        a = s;
      }
      br[h] = a - b * cw;
      bi[h] = b * sw;
    }
    const float gr = br[1] + (br[0] * hr - bi[0] * hi);
    const float gi = bi[1] + (br[0] * hi + bi[0] * hr);
    const float rr = k.rot_re[j * k.stride + f], ri = k.rot_im[j * k.stride + f];
    const float yr = gr * rr - gi * ri;
    const float yi = gr * ri + gi * rr;
    if (j == 0) {
      xr = yr;
      xi = yi;
    } else {
      xr = xr + yr;
      xi = xi + yi;
    }
    env[j * env_step] = std::sqrt(gr * gr + gi * gi);
  }
}

template <bool Fused>
void single_impl(const std::int16_t* x, const ProgressConsts& k, float* scratch, const ProgressOut& out) noexcept {
  progress_convert(x, kProgressSub * k.sub_len, scratch, out.sum, out.sumsq);  // plain loop, shared with the SIMD files
  for (std::size_t f = 0; f < k.m; ++f)
    one_filter<Fused>(scratch, 1, k, f, k.cos_w[f], k.sin_w[f], out.x_re[f], out.x_im[f], out.env + f, k.stride);
}

template <bool Fused>
void multi_impl(const std::int16_t* x, std::size_t channels, const ProgressConsts& k, float* scratch,
                const ProgressOut& out) noexcept {
  const std::size_t n = kProgressSub * k.sub_len;
  for (std::size_t ch = 0; ch < channels; ++ch) out.sum[ch] = out.sumsq[ch] = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t ch = 0; ch < channels; ++ch) {
      const std::int32_t v = x[i * channels + ch];
      scratch[i * channels + ch] = static_cast<float>(v);
      out.sum[ch] += v;
      out.sumsq[ch] += v * v;
    }
  for (std::size_t f = 0; f < k.m; ++f)
    for (std::size_t ch = 0; ch < channels; ++ch)
      one_filter<Fused>(scratch + ch, channels, k, f, k.cos_w[f], k.sin_w[f], out.x_re[f * channels + ch],
                 out.x_im[f * channels + ch], out.env + f * kProgressSub * channels + ch, channels);
}

}  // namespace

void progress_block_single_scalar(const std::int16_t* x, const ProgressConsts& k, float* scratch,
                                  const ProgressOut& out) noexcept {
  single_impl<false>(x, k, scratch, out);
}
void progress_block_multi_scalar(const std::int16_t* x, std::size_t channels, const ProgressConsts& k, float* scratch,
                                 const ProgressOut& out) noexcept {
  multi_impl<false>(x, channels, k, scratch, out);
}
void progress_block_single_scalar_fused(const std::int16_t* x, const ProgressConsts& k, float* scratch,
                                        const ProgressOut& out) noexcept {
  single_impl<true>(x, k, scratch, out);
}
void progress_block_multi_scalar_fused(const std::int16_t* x, std::size_t channels, const ProgressConsts& k,
                                       float* scratch, const ProgressOut& out) noexcept {
  multi_impl<true>(x, channels, k, scratch, out);
}

}  // namespace linedsp::detail
