// The call-progress block kernels (signals/kernels/progress_*.cpp): every ISA variant available on this CPU gives
// exactly the numbers of the scalar specification of its flavour (unfused for SSE2, fused Goertzel step for AVX2 and
// AVX-512) — bit for bit, since each lane performs the same float operations in the same order — on seeded random input at both block lengths, single and multi-channel; the one-channel
// and multi-channel forms agree bit for bit (so ProgressDetector and ProgressDetectorBank see the same numbers);
// and the scalar specification itself, in both flavours, matches a naive double-precision DFT (the textbook oracle) to float accuracy:
// the block bin X, each 5 ms sub-block's magnitude, and the exact sample sums.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstring>
#include <numbers>
#include <random>
#include <vector>

#include "dsp/simd.hpp"
#include "signals/kernels/progress_kernels.hpp"
#include "signals/progress_detector.hpp"

namespace {

using namespace linedsp;
using detail::kProgressSub;

struct Tables {
  std::size_t m16, len;
  std::vector<double> f;
  std::vector<float> coeff, cw, sw, rr, ri, hr, hi;
  detail::ProgressConsts k{};
  Tables(std::size_t m, std::size_t sub_len, double rate, std::mt19937& rng) : m16((m + 15) / 16 * 16), len(sub_len) {
    std::uniform_real_distribution<double> u(200.0, rate / 2 - 200.0);
    f.resize(m);
    coeff.assign(m16, 0.f);
    cw.assign(m16, 0.f);
    sw.assign(m16, 0.f);
    rr.assign(kProgressSub * m16, 0.f);
    ri.assign(kProgressSub * m16, 0.f);
    hr.assign(m16, 0.f);
    hi.assign(m16, 0.f);
    for (std::size_t i = 0; i < m; ++i) {
      f[i] = u(rng);
      const double w = 2 * std::numbers::pi * f[i] / rate;
      coeff[i] = static_cast<float>(2 * std::cos(w));
      cw[i] = static_cast<float>(std::cos(w));
      sw[i] = static_cast<float>(std::sin(w));
      hr[i] = static_cast<float>(std::cos(w * static_cast<double>(len / 2)));
      hi[i] = static_cast<float>(std::sin(w * static_cast<double>(len / 2)));
      for (std::size_t j = 0; j < kProgressSub; ++j) {
        rr[j * m16 + i] = static_cast<float>(std::cos(-w * static_cast<double>(j * len)));
        ri[j * m16 + i] = static_cast<float>(std::sin(-w * static_cast<double>(j * len)));
      }
    }
    k = {coeff.data(), cw.data(), sw.data(), rr.data(), ri.data(), hr.data(), hi.data(), m16, m16, len};
  }
};

struct Out {
  std::vector<float> xr, xi, env, scratch;
  std::vector<std::int64_t> sum, sq;
  Out(std::size_t m, std::size_t channels, std::size_t n)
      : xr(m * channels), xi(m * channels), env(kProgressSub * m * channels), scratch(n * channels),
        sum(channels), sq(channels) {}
  detail::ProgressOut view() { return {xr.data(), xi.data(), env.data(), sum.data(), sq.data()}; }
  bool operator==(const Out& o) const {
    auto same = [](const std::vector<float>& a, const std::vector<float>& b) {
      return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
    };
    return same(xr, o.xr) && same(xi, o.xi) && same(env, o.env) && sum == o.sum && sq == o.sq;
  }
};

std::vector<std::int16_t> random_pcm(std::size_t n, std::mt19937& rng) {
  std::uniform_int_distribution<int> u(-32768, 32767);
  std::vector<std::int16_t> v(n);
  for (auto& s : v) s = static_cast<std::int16_t>(u(rng));
  v[0] = -32768;  // the extreme square
  return v;
}

// Both flavours of the scalar specification (unfused: scalar/SSE2 tables; fused: the AVX2/AVX-512 oracle).
TEST(ProgressKernels, ScalarMatchesNaiveDft) {
  std::mt19937 rng(11);
  for (bool fused : {false, true})
  for (const auto& [rate, len] : {std::pair{8000.0, std::size_t{40}}, std::pair{16000.0, std::size_t{80}}}) {
    SCOPED_TRACE(fused ? "fused flavour" : "unfused flavour");
    const std::size_t n = kProgressSub * len, m = 21;
    Tables t(m, len, rate, rng);
    const auto x = random_pcm(n, rng);
    Out o(t.m16, 1, n);
    const auto& spec = progress_reference_kernels(fused);
    ASSERT_EQ(spec.fused, fused);
    spec.single(x.data(), t.k, o.scratch.data(), o.view());
    std::int64_t s = 0, q = 0;
    for (auto v : x) {
      s += v;
      q += static_cast<std::int64_t>(v) * v;
    }
    EXPECT_EQ(o.sum[0], s);
    EXPECT_EQ(o.sq[0], q);
    for (std::size_t i = 0; i < m; ++i) {
      const double w = 2 * std::numbers::pi * t.f[i] / rate;
      std::complex<double> X{};
      for (std::size_t k = 0; k < n; ++k) X += static_cast<double>(x[k]) * std::polar(1.0, -w * static_cast<double>(k));
      // The Goertzel bin s1 - s2 exp(-i w) is the DFT bin times exp(i w (L-1)) (referred to the first sub-block's
      // last sample); the rotation that combines the sub-blocks keeps that reference.
      const std::complex<double> got(o.xr[i], o.xi[i]);
      const std::complex<double> want = X * std::polar(1.0, w * static_cast<double>(len - 1));
      EXPECT_NEAR(std::abs(got - want), 0.0, 2e-4 * (std::abs(X) + 2000.0)) << "f " << t.f[i] << " rate " << rate;
      for (std::size_t j = 0; j < kProgressSub; ++j) {
        std::complex<double> G{};
        for (std::size_t k = 0; k < len; ++k)
          G += static_cast<double>(x[j * len + k]) * std::polar(1.0, -w * static_cast<double>(k));
        EXPECT_NEAR(o.env[j * t.m16 + i], std::abs(G), 1e-4 * (std::abs(G) + 1000.0)) << "sub " << j;
      }
    }
  }
}

TEST(ProgressKernels, EveryIsaBitIdenticalToScalarAndSingleEqualsMulti) {
  std::mt19937 rng(5);
  for (Isa isa : {Isa::scalar, Isa::sse2, Isa::avx2, Isa::avx512}) {
    if (!isa_supported(isa)) {
      std::printf("[ skip ] %s not supported by this CPU\n", isa_name(isa));
      continue;
    }
    const auto& k = progress_kernels(isa);
    ASSERT_EQ(k.isa, isa);
    EXPECT_EQ(k.fused, isa == Isa::avx2 || isa == Isa::avx512) << isa_name(isa);
    const auto& ref = progress_reference_kernels(k.fused);  // the scalar specification of its flavour
    for (std::size_t len : {2u, 8u, 40u, 80u}) {
      for (std::size_t m : {1u, 5u, 16u, 29u}) {
        const std::size_t n = kProgressSub * len;
        Tables t(m, len, 8000.0, rng);
        // single (tables padded to m16; input misaligned by one sample)
        auto xb = random_pcm(n + 1, rng);
        Out a(t.m16, 1, n), b(t.m16, 1, n);
        ref.single(xb.data() + 1, t.k, a.scratch.data(), a.view());
        k.single(xb.data() + 1, t.k, b.scratch.data(), b.view());
        EXPECT_TRUE(a == b) << isa_name(isa) << " single len " << len << " m " << m;
        // multi: any filter count; each channel equals the one-channel result on that channel's samples.
        for (std::size_t channels : {16u, 48u}) {
          auto xm = random_pcm(n * channels + 1, rng);
          detail::ProgressConsts km = t.k;
          km.m = m;
          Out c(m, channels, n), d(m, channels, n);
          ref.multi(xm.data() + 1, channels, km, c.scratch.data(), c.view());
          k.multi(xm.data() + 1, channels, km, d.scratch.data(), d.view());
          EXPECT_TRUE(c == d) << isa_name(isa) << " multi len " << len << " m " << m << " ch " << channels;
          if (isa != Isa::scalar) continue;
          for (std::size_t ch : {std::size_t{0}, channels - 1}) {
            std::vector<std::int16_t> one(n);
            for (std::size_t i = 0; i < n; ++i) one[i] = xm[1 + i * channels + ch];
            Out e(t.m16, 1, n);
            ref.single(one.data(), t.k, e.scratch.data(), e.view());
            EXPECT_EQ(e.sum[0], c.sum[ch]);
            EXPECT_EQ(e.sq[0], c.sq[ch]);
            for (std::size_t f = 0; f < m; ++f) {
              EXPECT_EQ(e.xr[f], c.xr[f * channels + ch]);
              EXPECT_EQ(e.xi[f], c.xi[f * channels + ch]);
              for (std::size_t j = 0; j < kProgressSub; ++j)
                EXPECT_EQ(e.env[j * t.m16 + f], c.env[(f * kProgressSub + j) * channels + ch]);
            }
          }
        }
      }
    }
  }
}

}  // namespace
