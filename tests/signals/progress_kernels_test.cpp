// The call-progress Goertzel kernels (signals/kernels/progress_*.cpp): every ISA variant available on this CPU
// gives exactly the scalar specification's numbers — bit for bit, since each lane performs the same float
// operations in the same order (no FMA) — on seeded random input, odd lengths, unaligned pointers; and the
// scalar specification itself matches a naive double-precision DFT bin (the textbook oracle) to float accuracy.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstring>
#include <numbers>
#include <random>
#include <vector>

#include "dsp/simd.hpp"
#include "signals/progress_detector.hpp"

namespace {

using namespace linedsp;

TEST(ProgressKernels, ScalarMatchesNaiveDftBin) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(-20000.f, 20000.f);
  const std::size_t sub = 40, nsub = 4, m = 16;
  std::vector<float> x(sub * nsub), coeff(m), s1(nsub * m), s2(nsub * m);
  for (auto& v : x) v = u(rng);
  std::vector<double> f(m);
  for (std::size_t i = 0; i < m; ++i) {
    f[i] = 300.0 + 97.3 * static_cast<double>(i);
    coeff[i] = static_cast<float>(2 * std::cos(2 * std::numbers::pi * f[i] / 8000));
  }
  progress_kernels(Isa::scalar).single(x.data(), sub, nsub, coeff.data(), m, s1.data(), s2.data());
  for (std::size_t j = 0; j < nsub; ++j)
    for (std::size_t i = 0; i < m; ++i) {
      const double w = 2 * std::numbers::pi * f[i] / 8000;
      std::complex<double> X{};
      for (std::size_t n = 0; n < sub; ++n) X += static_cast<double>(x[j * sub + n]) * std::polar(1.0, -w * static_cast<double>(n));
      const double a = s1[j * m + i], b = s2[j * m + i];
      const double p = a * a + b * b - 2 * std::cos(w) * a * b;  // Goertzel power = |X|^2
      EXPECT_NEAR(std::sqrt(p), std::abs(X), 1e-4 * (std::abs(X) + 1000.0)) << "sub " << j << " f " << f[i];
    }
}

TEST(ProgressKernels, EveryIsaBitIdenticalToScalar) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-32768.f, 32767.f);
  for (Isa isa : {Isa::sse2, Isa::avx2, Isa::avx512}) {
    if (!isa_supported(isa)) {
      std::printf("[ skip ] %s not supported by this CPU\n", isa_name(isa));
      continue;
    }
    const auto& k = progress_kernels(isa);
    ASSERT_EQ(k.isa, isa);
    const auto& ref = progress_kernels(Isa::scalar);
    for (std::size_t sub : {1u, 7u, 40u, 80u}) {
      for (std::size_t nsub : {1u, 3u, 4u}) {
        for (std::size_t m : {16u, 32u}) {
          std::vector<float> xbuf(sub * nsub + 1), coeff(m);
          for (auto& v : xbuf) v = u(rng);
          for (auto& c : coeff) c = std::uniform_real_distribution<float>(-2.f, 2.f)(rng);
          const float* x = xbuf.data() + 1;  // unaligned
          std::vector<float> a1(nsub * m), a2(nsub * m), b1(nsub * m), b2(nsub * m);
          ref.single(x, sub, nsub, coeff.data(), m, a1.data(), a2.data());
          k.single(x, sub, nsub, coeff.data(), m, b1.data(), b2.data());
          EXPECT_EQ(0, std::memcmp(a1.data(), b1.data(), a1.size() * 4)) << isa_name(isa) << " single sub " << sub;
          EXPECT_EQ(0, std::memcmp(a2.data(), b2.data(), a2.size() * 4)) << isa_name(isa) << " single sub " << sub;
          for (std::size_t channels : {16u, 48u}) {
            std::vector<float> xm(sub * nsub * channels + 3);
            for (auto& v : xm) v = u(rng);
            std::vector<float> c1(m * nsub * channels), c2(c1.size()), d1(c1.size()), d2(c1.size());
            ref.multi(xm.data() + 3, sub, nsub, channels, coeff.data(), m, c1.data(), c2.data());
            k.multi(xm.data() + 3, sub, nsub, channels, coeff.data(), m, d1.data(), d2.data());
            EXPECT_EQ(0, std::memcmp(c1.data(), d1.data(), c1.size() * 4)) << isa_name(isa) << " multi";
            EXPECT_EQ(0, std::memcmp(c2.data(), d2.data(), c2.size() * 4)) << isa_name(isa) << " multi";
          }
        }
      }
    }
  }
}

}  // namespace
