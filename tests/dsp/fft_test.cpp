// dsp/fft.hpp (RealFft over kiss_fftr): forward equals a naive double-precision DFT (the definition written in
// the header) for even sizes including non-powers of two, inverse(forward(x)) returns x, and Parseval holds.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <stdexcept>
#include <vector>

#include "dsp/fft.hpp"

namespace linedsp {
namespace {

TEST(RealFft, ForwardEqualsNaiveDft) {
  std::mt19937 rng(8);
  std::uniform_real_distribution<float> d(-32768.0f, 32767.0f);
  for (std::size_t n : {2u, 8u, 160u, 200u, 256u, 410u, 1024u}) {
    RealFft fft(n);
    ASSERT_EQ(fft.bins(), n / 2 + 1);
    std::vector<float> x(n);
    for (auto& v : x) v = d(rng);
    std::vector<std::complex<float>> spec(fft.bins());
    ASSERT_TRUE(fft.forward(x, spec));
    double scale = 0;
    for (float v : x) scale += double(v) * v;
    scale = std::sqrt(scale * double(n));  // |X[k]| <= sqrt(n * sum x^2)
    for (std::size_t k = 0; k < fft.bins(); ++k) {
      std::complex<double> ref = 0;
      for (std::size_t t = 0; t < n; ++t)
        ref += double(x[t]) * std::polar(1.0, -2.0 * std::numbers::pi * double(k * t % n) / double(n));
      const std::complex<double> got(spec[k].real(), spec[k].imag());
      ASSERT_LE(std::abs(got - ref) / scale, 1e-6) << "n=" << n << " k=" << k;
    }
  }
}

TEST(RealFft, InverseOfForwardIsIdentity) {
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> d(-20000.0f, 20000.0f);
  for (std::size_t n : {2u, 160u, 256u, 1000u}) {
    RealFft fft(n);
    std::vector<float> x(n), back(n);
    for (auto& v : x) v = d(rng);
    std::vector<std::complex<float>> spec(fft.bins());
    ASSERT_TRUE(fft.forward(x, spec));
    ASSERT_TRUE(fft.inverse(spec, back));
    for (std::size_t t = 0; t < n; ++t) ASSERT_NEAR(back[t], x[t], 0.02f) << "n=" << n << " t=" << t;
  }
}

TEST(RealFft, SizeChecksAndMove) {
  EXPECT_THROW(RealFft(7), std::invalid_argument);
  EXPECT_THROW(RealFft(0), std::invalid_argument);
  RealFft a(64);
  std::vector<float> wrong(63);
  std::vector<std::complex<float>> spec(33);
  EXPECT_FALSE(a.forward(wrong, spec));
  RealFft b = std::move(a);
  std::vector<float> x(64, 1.0f);
  EXPECT_TRUE(b.forward(x, spec));
  EXPECT_NEAR(spec[0].real(), 64.0f, 1e-4f);  // DC bin of a constant: n * 1
  EXPECT_NEAR(std::abs(spec[5]), 0.0f, 1e-4f);
  EXPECT_FALSE(a.forward(x, spec)) << "a moved-from transform refuses to run";
}

}  // namespace
}  // namespace linedsp
