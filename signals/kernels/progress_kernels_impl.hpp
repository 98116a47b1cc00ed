// signals/kernels/progress_kernels_impl.hpp — the SIMD variants of the call-progress block kernels, written once
// over a small vector type V (W float lanes: load/store/set1/add/sub/mul/sqrt, and madd(a, b, c) = a * b + c, fused
// in the AVX2/AVX-512 files and two roundings in SSE2: the flavours of progress_kernels.hpp) and included by
// progress_{sse2,avx2,avx512}.cpp, each compiled with its ISA's flags and fp-contract off. Per lane the operations
// are exactly those of the scalar specification (progress_scalar.cpp), in the same order. Everything lives in an
// anonymous namespace so each translation unit keeps its own copy.
//   single: lanes = filters (W at a time), the 2 kProgressSub half-sub-block recursions as independent chains;
//   multi:  lanes = channels, one filter at a time, its eight half-sub-block chains independent.
#pragma once

#include <cstddef>
#include <cstdint>

#include "signals/kernels/progress_kernels.hpp"

namespace linedsp::detail {
namespace {

// int16 -> float and the exact integer sums of one channel's block.
inline void progress_convert(const std::int16_t* __restrict x, std::size_t frames, float* __restrict out,
                             std::int64_t* __restrict sum, std::int64_t* __restrict sumsq) noexcept {
  std::int64_t s = 0, q = 0;
  for (std::size_t i = 0; i < frames; ++i) {
    const std::int32_t v = x[i];
    out[i] = static_cast<float>(v);
    s += v;
    q += v * v;
  }
  sum[0] = s;
  sumsq[0] = q;
}

// The multi-channel form of progress_convert (channels a multiple of 16): 16 channels at a time with their sums in
// local arrays the compiler keeps in registers — int32 sample sums (|sum| <= 320 * 32768), int32 squares (<= 2^30)
// widened into int64 sums of squares — rather than a pass per frame over the sum arrays in memory. The same exact
// integers and the same floats.
inline void progress_convert_lanes(const std::int16_t* __restrict x, std::size_t frames, std::size_t channels,
                                   float* __restrict out, std::int64_t* __restrict sum,
                                   std::int64_t* __restrict sumsq) noexcept {
  constexpr std::size_t G = 16;
  for (std::size_t ch = 0; ch < channels; ch += G) {
    std::int32_t s[G] = {};
    std::int64_t q[G] = {};
    for (std::size_t i = 0; i < frames; ++i) {
      const std::int16_t* __restrict in = x + i * channels + ch;
      float* __restrict o = out + i * channels + ch;
      for (std::size_t l = 0; l < G; ++l) {
        const std::int32_t v = in[l];
        o[l] = static_cast<float>(v);
        s[l] += v;
        q[l] += static_cast<std::int64_t>(v * v);
      }
    }
    for (std::size_t l = 0; l < G; ++l) {
      sum[ch + l] = s[l];
      sumsq[ch + l] = q[l];
    }
  }
}

// Half-sub-block bins joined into sub-block bins, their magnitudes and the rotated sum (scalar spec: one_filter).
// a/b: the 8 chains' final states, chain 2 j + h = half h of sub-block j.
template <class V>
inline void progress_combine(const typename V::T* a, const typename V::T* b, typename V::T cw, typename V::T sw,
                             typename V::T hr, typename V::T hi, const float* rot_re, const float* rot_im,
                             std::size_t rot_step, bool rot_broadcast, float* xr_out, float* xi_out, float* env,
                             std::size_t env_step) noexcept {
  using T = typename V::T;
  T xr = V::zero(), xi = V::zero();
#pragma GCC unroll 4
  for (std::size_t j = 0; j < kProgressSub; ++j) {
    const T br0 = V::sub(a[2 * j], V::mul(b[2 * j], cw)), bi0 = V::mul(b[2 * j], sw);
    const T br1 = V::sub(a[2 * j + 1], V::mul(b[2 * j + 1], cw)), bi1 = V::mul(b[2 * j + 1], sw);
    const T gr = V::add(br1, V::sub(V::mul(br0, hr), V::mul(bi0, hi)));
    const T gi = V::add(bi1, V::add(V::mul(br0, hi), V::mul(bi0, hr)));
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
  const std::size_t len = k.sub_len, half = len / 2;
  progress_convert(x, kProgressSub * len, scratch, out.sum, out.sumsq);
  for (std::size_t f = 0; f < k.m; f += V::W) {
    const T c = V::load(k.coeff + f);
    T a[8], b[8];
#pragma GCC unroll 8
    for (std::size_t q = 0; q < 8; ++q) a[q] = b[q] = V::zero();
    for (std::size_t i = 0; i < half; ++i) {
#pragma GCC unroll 8
      for (std::size_t q = 0; q < 8; ++q) {
        const T s = V::madd(c, a[q], V::sub(V::set1(scratch[q * half + i]), b[q]));
        b[q] = a[q];
        a[q] = s;
      }
    }
    progress_combine<V>(a, b, V::load(k.cos_w + f), V::load(k.sin_w + f), V::load(k.half_re + f),
                        V::load(k.half_im + f), k.rot_re + f, k.rot_im + f, k.stride, false, out.x_re + f,
                        out.x_im + f, out.env + f, k.stride);
  }
}

// Filter f over the W channels at ch: eight independent chains (the half sub-blocks) share nothing but c.
template <class V>
inline void progress_multi_filter(const float* xf, std::size_t channels, const ProgressConsts& k, std::size_t f,
                                  std::size_t ch, const ProgressOut& out) noexcept {
  using T = typename V::T;
  const std::size_t half = k.sub_len / 2;
  const T c = V::set1(k.coeff[f]);
  T a[8], b[8];
#pragma GCC unroll 8
  for (std::size_t q = 0; q < 8; ++q) a[q] = b[q] = V::zero();
  const float* p = xf + ch;
  const std::size_t step = half * channels;
  for (std::size_t i = 0; i < half; ++i, p += channels) {
#pragma GCC unroll 8
    for (std::size_t q = 0; q < 8; ++q) {
      const T s = V::madd(c, a[q], V::sub(V::load(p + q * step), b[q]));
      b[q] = a[q];
      a[q] = s;
    }
  }
  progress_combine<V>(a, b, V::set1(k.cos_w[f]), V::set1(k.sin_w[f]), V::set1(k.half_re[f]), V::set1(k.half_im[f]),
                      k.rot_re + f, k.rot_im + f, k.stride, true, out.x_re + f * channels + ch,
                      out.x_im + f * channels + ch, out.env + f * kProgressSub * channels + ch, channels);
}

template <class V>
inline void progress_multi_impl(const std::int16_t* x, std::size_t channels, const ProgressConsts& k, float* scratch,
                                const ProgressOut& out) noexcept {
  progress_convert_lanes(x, kProgressSub * k.sub_len, channels, scratch, out.sum, out.sumsq);
  for (std::size_t ch = 0; ch < channels; ch += V::W)
    for (std::size_t f = 0; f < k.m; ++f) progress_multi_filter<V>(scratch, channels, k, f, ch, out);
}

}  // namespace
}  // namespace linedsp::detail
