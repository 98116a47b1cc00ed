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

// Two-sample pass (dsp/nlms.hpp adapt_filter_pair2), against a naive double-precision oracle written from the
// NLMS equations one sample at a time: apply the pending updates of samples t-2 and t-1, sample t's output and
// x^T G x, then (with sample t's update a_t applied) sample t+1's. The kernel's s[3] + a_t s[4] must equal the
// oracle's sample t+1 output with the updated taps (the two-sample pass is exact, not a delayed update).
// Bound as for the other kernels: 1e-5 of the sum of absolute products.
void check_pair2_against_oracle(const NlmsKernels& k) {
  for (std::size_t n = 1; n <= 300; ++n) {
    const std::size_t off = n % 3;
    Data a = make(n, static_cast<unsigned>(n * 17 + 5));
    const Data f = make(n, static_cast<unsigned>(n * 19 + 7));
    const float a1 = 2e-6f, a2 = -3e-6f, at = 4e-6f;
    const float* x = a.x.data() + off;  // x[k] = x(t+1-k)
    std::vector<double> w(n);
    double y0 = 0, p0 = 0, f0 = 0, y1 = 0, p1 = 0, f1 = 0, ay0 = 0, ap0 = 0, af0 = 0, ay1 = 0, ap1 = 0, af1 = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double g = a.g[off + i];
      w[i] = double(a.w[off + i]) + double(a2) * g * x[i + 3];  // sample t-2's update
      w[i] += double(a1) * g * x[i + 2];                         // sample t-1's
      y0 += w[i] * x[i + 1];
      ay0 += std::fabs(w[i] * x[i + 1]);
      p0 += g * x[i + 1] * x[i + 1];
      f0 += double(f.w[off + i]) * x[i + 1];
      af0 += std::fabs(double(f.w[off + i]) * x[i + 1]);
      const double w1 = w[i] + double(at) * g * x[i + 1];  // sample t's update
      y1 += w1 * x[i];
      ay1 += std::fabs(w1 * x[i]);
      p1 += g * x[i] * x[i];
      f1 += double(f.w[off + i]) * x[i];
      af1 += std::fabs(double(f.w[off + i]) * x[i]);
    }
    ap0 = p0;
    ap1 = p1;
    float s[7] = {};
    k.adapt_filter_pair2(a.w.data() + off, f.w.data() + off, a.g.data() + off, x, a1, a2, n, 3, s);
    for (std::size_t i = 0; i < n; ++i)
      ASSERT_NEAR(a.w[off + i], w[i], 1e-6 * std::fabs(w[i]) + 1e-9) << "n=" << n << " tap " << i;
    ASSERT_NEAR(s[0], y0, 1e-5 * ay0 + 1e-6) << "n=" << n;
    ASSERT_NEAR(s[1], p0, 1e-5 * ap0 + 1e-6) << "n=" << n;
    ASSERT_NEAR(s[2], f0, 1e-5 * af0 + 1e-6) << "n=" << n;
    ASSERT_NEAR(double(s[3]) + double(at) * s[4], y1, 1e-5 * ay1 + 1e-6) << "n=" << n;
    ASSERT_NEAR(s[5], p1, 1e-5 * ap1 + 1e-6) << "n=" << n;
    ASSERT_NEAR(s[6], f1, 1e-5 * af1 + 1e-6) << "n=" << n;
  }
}

// A caller's block may end between the two samples: part 1 then part 2 must give bit for bit what both parts
// in one pass give (the canceller's output may not depend on how the caller splits its input), and part 1 must
// not read x[0] (sample t+1's value, not yet known then: a NaN there must not reach its sums or taps).
void check_pair2_halves(const NlmsKernels& k) {
  for (std::size_t n = 1; n <= 300; ++n) {
    const std::size_t off = (n * 5) % 3;
    Data a = make(n, static_cast<unsigned>(n * 23 + 1));
    Data b = a;
    const Data f = make(n, static_cast<unsigned>(n * 29 + 3));
    float whole[7] = {}, halves[7] = {};
    k.adapt_filter_pair2(a.w.data() + off, f.w.data() + off, a.g.data() + off, a.x.data() + off, 1e-6f, -2e-6f, n, 3,
                         whole);
    const float x0 = b.x[off];
    b.x[off] = std::nanf("");
    k.adapt_filter_pair2(b.w.data() + off, f.w.data() + off, b.g.data() + off, b.x.data() + off, 1e-6f, -2e-6f, n, 1,
                         halves);
    for (int i = 0; i < 3; ++i) ASSERT_FALSE(std::isnan(halves[i])) << "n=" << n << " s[" << i << "]";
    b.x[off] = x0;
    k.adapt_filter_pair2(b.w.data() + off, f.w.data() + off, b.g.data() + off, b.x.data() + off, 0.0f, 0.0f, n, 2,
                         halves);
    for (int i = 0; i < 7; ++i) ASSERT_EQ(whole[i], halves[i]) << "n=" << n << " s[" << i << "]";
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(a.w[off + i], b.w[off + i]) << "n=" << n << " tap " << i;
  }
}

// update_gains (dsp/nlms.hpp) must be bit for bit adapt_filter's update followed by gains() of the same ISA
// (the canceller's output may not change with the fusion), on every length and misalignment.
void check_update_gains(const NlmsKernels& k) {
  for (std::size_t n = 1; n <= 300; ++n) {
    const std::size_t off = n % 3;
    Data a = make(n, static_cast<unsigned>(n * 31 + 9));
    Data b = a;
    const float step = 1e-5f;
    k.update_gains(a.w.data() + off, a.g.data() + off, a.x.data() + off + 1, step, n, 0.25f);
    float unused = 0.0f;
    k.adapt_filter(b.w.data() + off, b.g.data() + off, b.x.data() + off + 1, b.x.data() + off, step, n, &unused);
    k.gains(b.w.data() + off, b.g.data() + off, n, 0.25f);
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_EQ(a.w[off + i], b.w[off + i]) << "n=" << n << " tap " << i;
      ASSERT_EQ(a.g[off + i], b.g[off + i]) << "n=" << n << " gain " << i;
    }
  }
}

TEST(NlmsUpdateGains, ScalarEqualsUpdateThenGains) { check_update_gains(nlms_kernels(Isa::scalar)); }

TEST_P(NlmsKernelsIsa, UpdateGainsEqualsUpdateThenGains) {
  const auto& k = nlms_kernels(GetParam());
  if (k.update_gains == nullptr) GTEST_SKIP() << isa_name(GetParam()) << " runs one sample per pass";
  check_update_gains(k);
}

TEST(NlmsPair2, ScalarMatchesOneSampleOracle) { check_pair2_against_oracle(nlms_kernels(Isa::scalar)); }
TEST(NlmsPair2, ScalarHalvesEqualTheWholePass) { check_pair2_halves(nlms_kernels(Isa::scalar)); }

TEST_P(NlmsKernelsIsa, Pair2MatchesOneSampleOracle) {
  const auto& k = nlms_kernels(GetParam());
  if (k.adapt_filter_pair2 == nullptr) GTEST_SKIP() << isa_name(GetParam()) << " runs one sample per pass";
  check_pair2_against_oracle(k);
}

TEST_P(NlmsKernelsIsa, Pair2HalvesEqualTheWholePass) {
  const auto& k = nlms_kernels(GetParam());
  if (k.adapt_filter_pair2 == nullptr) GTEST_SKIP() << isa_name(GetParam()) << " runs one sample per pass";
  check_pair2_halves(k);
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
