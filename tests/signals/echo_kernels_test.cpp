// NLMS kernels (dsp/nlms.hpp): every ISA variant available on this CPU matches the scalar reference on
// seeded random input, every length 1..520 and misaligned pointers. Bound (stated in dsp/nlms.hpp):
// |y_isa - y_scalar| <= 1e-5 * sum_k |w[k] x[k]| (+ tiny), the same for the x^T G x sum; updated taps within
// 1e-6 relative; gains within 1e-5 relative. Variants the CPU lacks are skipped with a message.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "dsp/nlms.hpp"

namespace linedsp {
namespace {

struct Data {
  std::vector<float> w, g, x;
};

Data make(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  Data d;
  d.w.resize(n + 3);
  d.g.resize(n + 3);
  d.x.resize(n + 5);
  for (auto& v : d.w) v = 0.3f * u(rng);
  for (auto& v : d.g) v = std::fabs(u(rng)) / float(n);
  for (auto& v : d.x) v = 20000.0f * u(rng);
  return d;
}

class NlmsKernelsIsa : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!isa_supported(GetParam())) GTEST_SKIP() << isa_name(GetParam()) << " not supported by this CPU";
  }
};

TEST_P(NlmsKernelsIsa, AdaptFilterMatchesScalar) {
  const auto& ref = nlms_kernels(Isa::scalar);
  const auto& k = nlms_kernels(GetParam());
  for (std::size_t n = 1; n <= 520; ++n) {
    for (std::size_t off : {std::size_t{0}, std::size_t{1}, std::size_t{3}}) {
      Data a = make(n, static_cast<unsigned>(n * 7 + off));
      Data b = a;
      const float step = 1e-9f;
      float pa = 0.0f, pb = 0.0f;
      const float ya = ref.adapt_filter(a.w.data() + off, a.g.data() + off, a.x.data() + off + 1, a.x.data() + off,
                                        step, n, &pa);
      const float yb = k.adapt_filter(b.w.data() + off, b.g.data() + off, b.x.data() + off + 1, b.x.data() + off,
                                      step, n, &pb);
      double abs_sum = 0.0, abs_p = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        abs_sum += std::fabs(double(a.w[off + i]) * a.x[off + i]);
        abs_p += double(a.g[off + i]) * a.x[off + i] * a.x[off + i];
        ASSERT_NEAR(a.w[off + i], b.w[off + i], 1e-6 * std::fabs(a.w[off + i]) + 1e-12) << "n=" << n << " tap " << i;
      }
      ASSERT_NEAR(ya, yb, 1e-5 * abs_sum + 1e-6) << "n=" << n << " off=" << off;
      ASSERT_NEAR(pa, pb, 1e-5 * abs_p + 1e-6) << "n=" << n << " off=" << off;
      // Taps outside [off, off+n) untouched.
      for (std::size_t i = 0; i < off; ++i) ASSERT_EQ(a.w[i], b.w[i]);
    }
  }
}

TEST_P(NlmsKernelsIsa, FilterAndDotMatchScalar) {
  const auto& ref = nlms_kernels(Isa::scalar);
  const auto& k = nlms_kernels(GetParam());
  for (std::size_t n = 1; n <= 520; ++n) {
    const std::size_t off = n % 3;
    const Data a = make(n, static_cast<unsigned>(n));
    float pa = 0.0f, pb = 0.0f;
    const float ya = ref.filter(a.w.data() + off, a.g.data() + off, a.x.data() + off, n, &pa);
    const float yb = k.filter(a.w.data() + off, a.g.data() + off, a.x.data() + off, n, &pb);
    double abs_sum = 0.0, abs_p = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      abs_sum += std::fabs(double(a.w[off + i]) * a.x[off + i]);
      abs_p += double(a.g[off + i]) * a.x[off + i] * a.x[off + i];
    }
    ASSERT_NEAR(ya, yb, 1e-5 * abs_sum + 1e-6) << "n=" << n;
    ASSERT_NEAR(pa, pb, 1e-5 * abs_p + 1e-6) << "n=" << n;
    ASSERT_NEAR(ref.dot(a.w.data() + off, a.x.data() + off, n), k.dot(a.w.data() + off, a.x.data() + off, n),
                1e-5 * abs_sum + 1e-6)
        << "n=" << n;
  }
}

TEST_P(NlmsKernelsIsa, PairMatchesScalar) {
  const auto& ref = nlms_kernels(Isa::scalar);
  const auto& k = nlms_kernels(GetParam());
  for (std::size_t n = 1; n <= 520; ++n) {
    const std::size_t off = n % 3;
    Data a = make(n, static_cast<unsigned>(n * 3));
    Data b = a;
    const Data f = make(n, static_cast<unsigned>(n * 5 + 1));
    float pa = 0.0f, pb = 0.0f, fa = 0.0f, fb = 0.0f;
    const float ya = ref.adapt_filter_pair(a.w.data() + off, f.w.data() + off, a.g.data() + off, a.x.data() + off + 1,
                                           a.x.data() + off, 1e-9f, n, &pa, &fa);
    const float yb = k.adapt_filter_pair(b.w.data() + off, f.w.data() + off, b.g.data() + off, b.x.data() + off + 1,
                                         b.x.data() + off, 1e-9f, n, &pb, &fb);
    double abs_y = 0.0, abs_f = 0.0, abs_p = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      abs_y += std::fabs(double(a.w[off + i]) * a.x[off + i]);
      abs_f += std::fabs(double(f.w[off + i]) * a.x[off + i]);
      abs_p += double(a.g[off + i]) * a.x[off + i] * a.x[off + i];
      ASSERT_NEAR(a.w[off + i], b.w[off + i], 1e-6 * std::fabs(a.w[off + i]) + 1e-12) << "n=" << n;
    }
    ASSERT_NEAR(ya, yb, 1e-5 * abs_y + 1e-6) << "n=" << n;
    ASSERT_NEAR(fa, fb, 1e-5 * abs_f + 1e-6) << "n=" << n;
    ASSERT_NEAR(pa, pb, 1e-5 * abs_p + 1e-6) << "n=" << n;
  }
}

// The pair kernel's update uses the one-sample-older window xo = xn + 1 (dsp/nlms.hpp; the AVX-512 variant
// builds it from the xn vectors it loaded, with the last float xn[n] read from the partial or next vector).
// With a step large enough that the update is as big as the taps, every variant's taps must equal a naive
// double-precision w[k] + a g[k] x[k + 1] (a step of 1e-9, above, moves large-n taps by less than the tolerance).
TEST_P(NlmsKernelsIsa, PairUpdatesFromTheOlderWindow) {
  const auto& k = nlms_kernels(GetParam());
  for (std::size_t n = 1; n <= 260; ++n) {
    const std::size_t off = (n * 7) % 5 % 3;
    Data a = make(n, static_cast<unsigned>(n * 11 + 2));
    const Data f = make(n, static_cast<unsigned>(n * 13 + 3));
    std::vector<double> want(n);
    const float step = 1e-5f * float(n);
    for (std::size_t i = 0; i < n; ++i)
      want[i] = double(a.w[off + i]) + double(step) * a.g[off + i] * a.x[off + i + 1];
    float p = 0.0f, yf = 0.0f;
    k.adapt_filter_pair(a.w.data() + off, f.w.data() + off, a.g.data() + off, a.x.data() + off + 1, a.x.data() + off,
                        step, n, &p, &yf);
    for (std::size_t i = 0; i < n; ++i)
      ASSERT_NEAR(a.w[off + i], want[i], 1e-5 * std::fabs(want[i]) + 1e-6) << "n=" << n << " tap " << i;
  }
}

TEST_P(NlmsKernelsIsa, GainsMatchScalarAndSumToOne) {
  const auto& ref = nlms_kernels(Isa::scalar);
  const auto& k = nlms_kernels(GetParam());
  for (std::size_t n = 1; n <= 520; n += 7) {
    for (float alpha : {-1.0f, -0.5f, 0.0f, 0.5f}) {
      const Data a = make(n, static_cast<unsigned>(n + 1000));
      std::vector<float> ga(n), gb(n);
      ref.gains(a.w.data(), ga.data(), n, alpha);
      k.gains(a.w.data(), gb.data(), n, alpha);
      double sum = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        ASSERT_NEAR(ga[i], gb[i], 1e-5 * ga[i] + 1e-12) << "n=" << n << " alpha=" << alpha;
        sum += ga[i];
      }
      // IPNLMS (Benesty & Gay 2002): the gains sum to 1 for any alpha when the taps are not all zero.
      EXPECT_NEAR(sum, 1.0, 1e-4) << "n=" << n << " alpha=" << alpha;
    }
  }
}

// The scalar reference itself against a naive double-precision evaluation of the formulas in dsp/nlms.hpp.
TEST(NlmsKernelsScalar, MatchesTextbookFormulas) {
  const std::size_t n = 100;
  Data a = make(n, 5);
  const float step = 3e-9f;
  std::vector<double> w(a.w.begin(), a.w.begin() + n);
  for (std::size_t i = 0; i < n; ++i) w[i] += double(step) * a.g[i] * a.x[i + 1];
  double y = 0.0, p = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    y += w[i] * a.x[i];
    p += double(a.g[i]) * a.x[i] * a.x[i];
  }
  float pf = 0.0f;
  const float yf = nlms_kernels(Isa::scalar).adapt_filter(a.w.data(), a.g.data(), a.x.data() + 1, a.x.data(), step, n, &pf);
  EXPECT_NEAR(yf, y, 1e-4 * std::fabs(y) + 1e-2);
  EXPECT_NEAR(pf, p, 1e-5 * p);
  std::vector<float> g(n);
  nlms_kernels(Isa::scalar).gains(a.w.data(), g.data(), n, 0.0f);
  double l1 = 0.0;
  for (std::size_t i = 0; i < n; ++i) l1 += std::fabs(a.w[i]);
  for (std::size_t i = 0; i < n; ++i) EXPECT_NEAR(g[i], 1.0 / (2.0 * n) + std::fabs(a.w[i]) / (2.0 * l1), 1e-6);
}

INSTANTIATE_TEST_SUITE_P(AllIsas, NlmsKernelsIsa, ::testing::Values(Isa::sse2, Isa::avx2, Isa::avx512),
                         [](const auto& info) { return std::string(isa_name(info.param)); });

}  // namespace
}  // namespace linedsp
