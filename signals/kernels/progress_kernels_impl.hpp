// signals/kernels/progress_kernels_impl.hpp — the SIMD variants of the call-progress block kernels, written once
// over a small vector type V (W float lanes: load/store/set1/add/sub/mul/sqrt) and included by
// progress_{sse2,avx2,avx512}.cpp, each compiled with its ISA's flags and fp-contract off. Per lane the operations
// are exactly those of the scalar specification (progress_scalar.cpp), in the same order. Everything lives in an
// anonymous namespace so each translation unit keeps its own copy.
//   single: lanes = filters (W at a time), the kProgressSub sub-block recursions as independent chains;
//   multi:  lanes = channels, two filters at a time (eight independent chains share each sample load).
#pragma once

#include <cstddef>
#include <cstdint>

#include "signals/kernels/progress_kernels.hpp"

namespace linedsp::detail {
namespace {

// int16 -> float and exact integer sums, per lane (channel). Plain loops: the compiler vectorises them.
inline void progress_convert(const std::int16_t* __restrict x, std::size_t frames, std::size_t channels,
                             float* __restrict out, std::int64_t* __restrict sum,
                             std::int64_t* __restrict sumsq) noexcept {
  if (channels == 1) {
    std::int64_t s = 0, q = 0;
    for (std::size_t i = 0; i < frames; ++i) {
      const std::int32_t v = x[i];
      out[i] = static_cast<float>(v);
      s += v;
      q += v * v;
    }
    sum[0] = s;
    sumsq[0] = q;
    return;
  }
  for (std::size_t ch = 0; ch < channels; ++ch) sum[ch] = sumsq[ch] = 0;
  for (std::size_t i = 0; i < frames; ++i) {
    const std::int16_t* __restrict in = x + i * channels;
    float* __restrict o = out + i * channels;
#pragma GCC ivdep
    for (std::size_t ch = 0; ch < channels; ++ch) {
      const std::int32_t v = in[ch];
      o[ch] = static_cast<float>(v);
      sum[ch] += v;
      sumsq[ch] += v * v;
    }
  }
}

// Sub-block bins, their magnitudes and the rotated sum (scalar spec: one_filter's tail).
template <class V>
inline void progress_combine(const typename V::T* a, const typename V::T* b, typename V::T cw, typename V::T sw,
                             const float* rot_re, const float* rot_im, std::size_t rot_step, bool rot_broadcast,
                             float* xr_out, float* xi_out, float* env, std::size_t env_step) noexcept {
  using T = typename V::T;
  T xr = V::zero(), xi = V::zero();
#pragma GCC unroll 4
  for (std::size_t j = 0; j < kProgressSub; ++j) {
    const T gr = V::sub(a[j], V::mul(b[j], cw));
    const T gi = V::mul(b[j], sw);
    const T rr = rot_broadcast ? V::set1(rot_re[j * rot_step]) : V::load(rot_re + j * rot_step);
    const T ri = rot_broadcast ? V::set1(rot_im[j * rot_step]) : V::load(rot_im + j * rot_step);
    const T yr = V::sub(V::mul(gr, rr), V::mul(gi, ri));
    const T yi = V::add(V::mul(gr, ri), V::mul(gi, rr));
    if (j == 0) {
      xr = yr;
      xi = yi;
    } else {
      xr = V::add(xr, yr);
      xi = V::add(xi, yi);
    }
    V::store(env + j * env_step, V::sqrt(V::add(V::mul(gr, gr), V::mul(gi, gi))));
  }
  V::store(xr_out, xr);
  V::store(xi_out, xi);
}

template <class V>
inline void progress_single_impl(const std::int16_t* x, const ProgressConsts& k, float* scratch,
                                 const ProgressOut& out) noexcept {
  using T = typename V::T;
  const std::size_t len = k.sub_len;
  progress_convert(x, kProgressSub * len, 1, scratch, out.sum, out.sumsq);
  const float* x0 = scratch;
  const float* x1 = scratch + len;
  const float* x2 = scratch + 2 * len;
  const float* x3 = scratch + 3 * len;
  for (std::size_t f = 0; f < k.m; f += V::W) {
    const T c = V::load(k.coeff + f);
    T a[4] = {V::zero(), V::zero(), V::zero(), V::zero()};
    T b[4] = {V::zero(), V::zero(), V::zero(), V::zero()};
    for (std::size_t i = 0; i < len; ++i) {
      const T s0 = V::add(V::sub(V::set1(x0[i]), b[0]), V::mul(c, a[0]));
      const T s1 = V::add(V::sub(V::set1(x1[i]), b[1]), V::mul(c, a[1]));
      const T s2 = V::add(V::sub(V::set1(x2[i]), b[2]), V::mul(c, a[2]));
      const T s3 = V::add(V::sub(V::set1(x3[i]), b[3]), V::mul(c, a[3]));
      b[0] = a[0]; a[0] = s0;
      b[1] = a[1]; a[1] = s1;
      b[2] = a[2]; a[2] = s2;
      b[3] = a[3]; a[3] = s3;
    }
    progress_combine<V>(a, b, V::load(k.cos_w + f), V::load(k.sin_w + f), k.rot_re + f, k.rot_im + f, k.stride, false,
                        out.x_re + f, out.x_im + f, out.env + f, k.stride);
  }
}

// NF filters (1 or 2) from f over the W channels at ch.
template <class V, std::size_t NF>
inline void progress_multi_filters(const float* xf, std::size_t channels, const ProgressConsts& k, std::size_t f,
                                   std::size_t ch, const ProgressOut& out) noexcept {
  using T = typename V::T;
  const std::size_t len = k.sub_len;
  T c[NF], a[NF][4], b[NF][4];
#pragma GCC unroll 2
  for (std::size_t q = 0; q < NF; ++q) {
    c[q] = V::set1(k.coeff[f + q]);
#pragma GCC unroll 4
    for (std::size_t j = 0; j < 4; ++j) a[q][j] = b[q][j] = V::zero();
  }
  const float* p = xf + ch;
  const std::size_t sub_step = len * channels;
  for (std::size_t i = 0; i < len; ++i, p += channels) {
    const T v0 = V::load(p), v1 = V::load(p + sub_step), v2 = V::load(p + 2 * sub_step), v3 = V::load(p + 3 * sub_step);
#pragma GCC unroll 2
    for (std::size_t q = 0; q < NF; ++q) {
      const T s0 = V::add(V::sub(v0, b[q][0]), V::mul(c[q], a[q][0]));
      const T s1 = V::add(V::sub(v1, b[q][1]), V::mul(c[q], a[q][1]));
      const T s2 = V::add(V::sub(v2, b[q][2]), V::mul(c[q], a[q][2]));
      const T s3 = V::add(V::sub(v3, b[q][3]), V::mul(c[q], a[q][3]));
      b[q][0] = a[q][0]; a[q][0] = s0;
      b[q][1] = a[q][1]; a[q][1] = s1;
      b[q][2] = a[q][2]; a[q][2] = s2;
      b[q][3] = a[q][3]; a[q][3] = s3;
    }
  }
#pragma GCC unroll 2
  for (std::size_t q = 0; q < NF; ++q) {
    const std::size_t g = f + q;
    progress_combine<V>(a[q], b[q], V::set1(k.cos_w[g]), V::set1(k.sin_w[g]), k.rot_re + g, k.rot_im + g, k.stride,
                        true, out.x_re + g * channels + ch, out.x_im + g * channels + ch,
                        out.env + g * kProgressSub * channels + ch, channels);
  }
}

template <class V>
inline void progress_multi_impl(const std::int16_t* x, std::size_t channels, const ProgressConsts& k, float* scratch,
                                const ProgressOut& out) noexcept {
  progress_convert(x, kProgressSub * k.sub_len, channels, scratch, out.sum, out.sumsq);
  for (std::size_t ch = 0; ch < channels; ch += V::W) {
    std::size_t f = 0;
    for (; f + 2 <= k.m; f += 2) progress_multi_filters<V, 2>(scratch, channels, k, f, ch, out);
    if (f < k.m) progress_multi_filters<V, 1>(scratch, channels, k, f, ch, out);
  }
}

}  // namespace
}  // namespace linedsp::detail
