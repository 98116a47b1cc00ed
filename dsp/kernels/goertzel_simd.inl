// dsp/kernels/goertzel_simd.inl — the Goertzel kernels written once over a vector type, included by each
// ISA's translation unit (goertzel_sse2.cpp, goertzel_avx2.cpp, goertzel_avx512.cpp) with its own V:
//
//   struct V { using Reg; static constexpr size_t kWidth, kBankGroup, kMultiGroup;
//              load, store, set1, add, sub, mul };
//
// Everything here is in an anonymous namespace and instantiated with a TU-local V, so no symbol compiled
// with one ISA's flags can be picked by the linker for another TU (the classic inline-function ODR trap).
// Per lane the operations are exactly the scalar specification's (goertzel_kernels.hpp):
//   s0 = (x - s2) + c * s1
// Lanes never mix, so each variant equals goertzel_*_scalar bit for bit.
#pragma once

#include <cstddef>

#include "dsp/kernels/goertzel_kernels.hpp"

namespace {

template <class V>
struct GoertzelSimd {
  using R = typename V::Reg;
  static constexpr std::size_t W = V::kWidth;

  // Lanes across filters: kGroups vectors of W filters share each broadcast sample, giving G independent
  // dependency chains to hide the multiply+add latency.
  template <std::size_t G>
  static void bank_group(const float* x, std::size_t n, const float* coeff, float* s1, float* s2) noexcept {
    R c[G], a[G], b[G];
#pragma GCC unroll 8
    for (std::size_t g = 0; g < G; ++g) {
      c[g] = V::load(coeff + g * W);
      a[g] = V::load(s1 + g * W);
      b[g] = V::load(s2 + g * W);
    }
    // Two samples per pass with the registers swapping roles (b takes s0, then a does), so the loop has
    // no register moves: the same operations, in the same order, as one sample at a time.
    std::size_t i = 0;
    for (; i + 2 <= n; i += 2) {
      const R x0 = V::set1(x[i]), x1 = V::set1(x[i + 1]);
#pragma GCC unroll 8
      for (std::size_t g = 0; g < G; ++g) {
        b[g] = V::add(V::sub(x0, b[g]), V::mul(c[g], a[g]));  // s1 is now b, s2 is a
        a[g] = V::add(V::sub(x1, a[g]), V::mul(c[g], b[g]));  // back: s1 is a, s2 is b
      }
    }
    if (i < n) {
      const R xv = V::set1(x[i]);
#pragma GCC unroll 8
      for (std::size_t g = 0; g < G; ++g) {
        const R s0 = V::add(V::sub(xv, b[g]), V::mul(c[g], a[g]));
        b[g] = a[g];
        a[g] = s0;
      }
    }
#pragma GCC unroll 8
    for (std::size_t g = 0; g < G; ++g) {
      V::store(s1 + g * W, a[g]);
      V::store(s2 + g * W, b[g]);
    }
  }

  static void bank(const float* x, std::size_t n, const float* coeff, float* s1, float* s2,
                   std::size_t m) noexcept {
    constexpr std::size_t G = V::kBankGroup;
    std::size_t f = 0;
    for (; f + G * W <= m; f += G * W) bank_group<G>(x, n, coeff + f, s1 + f, s2 + f);
    const std::size_t rem = m - f;
    if (rem == 0) return;
    // The last < G*W filters: copy into zero-padded vectors (padding lanes compute zeros, discarded).
    alignas(64) float pc[G * W] = {}, pa[G * W] = {}, pb[G * W] = {};
    for (std::size_t k = 0; k < rem; ++k) {
      pc[k] = coeff[f + k];
      pa[k] = s1[f + k];
      pb[k] = s2[f + k];
    }
    const std::size_t groups = (rem + W - 1) / W;
    static_assert(G <= 4);
    switch (groups) {
      case 1: bank_group<1>(x, n, pc, pa, pb); break;
      case 2: if constexpr (G >= 2) bank_group<2>(x, n, pc, pa, pb); break;
      case 3: if constexpr (G >= 3) bank_group<3>(x, n, pc, pa, pb); break;
      default: if constexpr (G >= 4) bank_group<4>(x, n, pc, pa, pb); break;
    }
    for (std::size_t k = 0; k < rem; ++k) {
      s1[f + k] = pa[k];
      s2[f + k] = pb[k];
    }
  }

  // Lanes across channels: one vector of W channels, G filters at a time sharing each loaded frame.
  // x points at the vector's first channel of frame 0; frames are `stride` floats apart; state rows too.
  template <std::size_t G>
  static void multi_group(const float* x, std::size_t n, std::size_t stride, const float* coeff, float* s1,
                          float* s2) noexcept {
    R c[G], a[G], b[G];
#pragma GCC unroll 16
    for (std::size_t g = 0; g < G; ++g) {
      c[g] = V::set1(coeff[g]);
      a[g] = V::load(s1 + g * stride);
      b[g] = V::load(s2 + g * stride);
    }
    std::size_t i = 0;
    for (; i + 2 <= n; i += 2) {  // two samples per pass, registers swapping roles (see bank_group)
      const R x0 = V::load(x + i * stride), x1 = V::load(x + (i + 1) * stride);
#pragma GCC unroll 16
      for (std::size_t g = 0; g < G; ++g) {
        b[g] = V::add(V::sub(x0, b[g]), V::mul(c[g], a[g]));
        a[g] = V::add(V::sub(x1, a[g]), V::mul(c[g], b[g]));
      }
    }
    if (i < n) {
      const R xv = V::load(x + i * stride);
#pragma GCC unroll 16
      for (std::size_t g = 0; g < G; ++g) {
        const R s0 = V::add(V::sub(xv, b[g]), V::mul(c[g], a[g]));
        b[g] = a[g];
        a[g] = s0;
      }
    }
#pragma GCC unroll 16
    for (std::size_t g = 0; g < G; ++g) {
      V::store(s1 + g * stride, a[g]);
      V::store(s2 + g * stride, b[g]);
    }
  }

  static void multi(const float* x, std::size_t n, std::size_t channels, const float* coeff, std::size_t m,
                    float* s1, float* s2) noexcept {
    constexpr std::size_t G = V::kMultiGroup;
    const std::size_t full = channels / W * W;
    for (std::size_t ch = 0; ch < full; ch += W) {
      std::size_t f = 0;
      for (; f + G <= m; f += G)
        multi_group<G>(x + ch, n, channels, coeff + f, s1 + f * channels + ch, s2 + f * channels + ch);
      for (; f < m; ++f)
        multi_group<1>(x + ch, n, channels, coeff + f, s1 + f * channels + ch, s2 + f * channels + ch);
    }
    // Channels left over after the full vectors: the scalar specification on that range.
    if (full < channels)
      linedsp::detail::goertzel_multi_range_scalar(x, n, channels, full, channels, coeff, m, s1, s2);
  }

  // Powers, lanes across channels (channels = 1: across filters, the one-channel bank's layout).
  static void powers(const float* s1, const float* s2, const float* coeff, std::size_t m, std::size_t channels,
                     float* out) noexcept {
    auto one = [](float a, float b, float c) { return (a * a + b * b) - (c * a) * b; };
    if (channels == 1) {
      std::size_t f = 0;
      for (; f + W <= m; f += W) {
        const R a = V::load(s1 + f), b = V::load(s2 + f), c = V::load(coeff + f);
        V::store(out + f, V::sub(V::add(V::mul(a, a), V::mul(b, b)), V::mul(V::mul(c, a), b)));
      }
      for (; f < m; ++f) out[f] = one(s1[f], s2[f], coeff[f]);
      return;
    }
    for (std::size_t f = 0; f < m; ++f) {
      const R c = V::set1(coeff[f]);
      const std::size_t row = f * channels;
      std::size_t ch = 0;
      for (; ch + W <= channels; ch += W) {
        const R a = V::load(s1 + row + ch), b = V::load(s2 + row + ch);
        V::store(out + row + ch, V::sub(V::add(V::mul(a, a), V::mul(b, b)), V::mul(V::mul(c, a), b)));
      }
      for (; ch < channels; ++ch) out[row + ch] = one(s1[row + ch], s2[row + ch], coeff[f]);
    }
  }
};

}  // namespace
