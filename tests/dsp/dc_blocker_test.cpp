// dsp/dc_blocker.hpp: the running filter equals the textbook difference equation y = g (x - x1) + R y1,
// g = (1 + R) / 2, evaluated in double (J. O. Smith, "DC Blocker"), its measured gain is -3.01 dB at the configured corner (the design
// equation, solved independently here by bisection on the textbook |H|), it removes a DC step (a line's
// battery shift), and it passes the telephone band (G.712 passband from 300 Hz) within 0.05 dB.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstring>
#include <numbers>
#include <random>
#include <stdexcept>
#include <vector>

#include "dsp/dc_blocker.hpp"

namespace linedsp {
namespace {

double textbook_gain_db(double r, double f, double fs) {
  const std::complex<double> z1 = std::polar(1.0, -2.0 * std::numbers::pi * f / fs);
  return 20.0 * std::log10(std::abs((1.0 + r) / 2.0 * (1.0 - z1) / (1.0 - r * z1)));
}

double measured_gain_db(DcBlocker& b, double f, double fs) {
  const std::size_t skip = static_cast<std::size_t>(fs * 2), len = static_cast<std::size_t>(fs);
  std::vector<float> x(skip + len), y(x.size());
  const double w = 2.0 * std::numbers::pi * f / fs;
  for (std::size_t t = 0; t < x.size(); ++t) x[t] = static_cast<float>(10000.0 * std::sin(w * double(t)));
  b.reset();
  b.process(x, y);
  double ex = 0, ey = 0;
  for (std::size_t t = skip; t < x.size(); ++t) {
    ex += double(x[t]) * x[t];
    ey += double(y[t]) * y[t];
  }
  return 10.0 * std::log10(ey / ex);
}

TEST(DcBlocker, CornerIsMinus3DbWhereConfigured) {
  for (double fs : {8000.0, 16000.0}) {
    for (double fc : {5.0, 20.0, 50.0}) {
      DcBlocker b(DcBlockerConfig{fc, fs});
      // Independent: bisection on the textbook |H(fc)| for the R giving -3.0103 dB.
      double lo = 0.0, hi = 1.0;
      for (int i = 0; i < 200; ++i) {
        const double mid = (lo + hi) / 2;
        (textbook_gain_db(mid, fc, fs) < -3.0103 ? lo : hi) = mid;
      }
      EXPECT_NEAR(b.pole(), lo, 1e-6) << fs << " " << fc;
      // 1 s of integer cycles at these frequencies: the measurement has no leakage.
      EXPECT_NEAR(measured_gain_db(b, fc, fs), -3.0103, 0.02) << fs << " " << fc;
    }
  }
}

// ITU-T G.712 passband starts at 300 Hz: the default 20 Hz blocker costs less than 0.02 dB there, and
// nothing at fs/2 (the normalisation g).
TEST(DcBlocker, PassesTheTelephoneBand) {
  DcBlocker b;
  for (double f : {300.0, 1000.0, 3400.0}) EXPECT_NEAR(measured_gain_db(b, f, 8000.0), 0.0, 0.02) << f;
  EXPECT_NEAR(textbook_gain_db(b.pole(), 4000.0, 8000.0), 0.0, 1e-6);
}

TEST(DcBlocker, EqualsTextbookDifferenceEquationInDouble) {
  DcBlocker b;
  const double r = b.pole();
  std::mt19937 rng(9);
  std::normal_distribution<double> g(1500.0, 3000.0);  // noise with a DC offset
  std::vector<float> x(20000), y(x.size());
  for (auto& v : x) v = static_cast<float>(std::round(g(rng)));
  b.process(x, y);
  double x1 = 0, y1 = 0, worst = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double yy = (1.0 + r) / 2.0 * (x[i] - x1) + r * y1;
    x1 = x[i];
    y1 = yy;
    worst = std::max(worst, std::abs(yy - y[i]));
  }
  EXPECT_LT(worst, 0.05) << "float vs double, int16 units";
}

// A DC step (battery shift after a hook event) is gone after 12 time constants (12000 e^-12 < 0.5 LSB); int16 edge form rounds.
TEST(DcBlocker, RemovesDcStep) {
  DcBlocker b;
  std::vector<std::int16_t> x(8000, 0), y(x.size());
  for (std::size_t i = 100; i < x.size(); ++i) x[i] = 12000;
  b.process(x, y);
  EXPECT_GT(y[100], 11000);  // the step passes at first
  const std::size_t settle = 100 + static_cast<std::size_t>(12 * 8000.0 / (2 * std::numbers::pi * 20.0));
  for (std::size_t i = settle; i < y.size(); ++i) ASSERT_EQ(y[i], 0) << i;
}

TEST(DcBlocker, IndependentOfBlockSplitAndConfigChecked) {
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> d(-30000.0f, 30000.0f);
  std::vector<float> x(5000), ref(x.size());
  for (auto& v : x) v = d(rng);
  DcBlocker whole;
  whole.process(x, ref);
  for (std::size_t block : {1u, 7u, 160u, 4096u}) {
    DcBlocker b;
    std::vector<float> y(x.size());
    for (std::size_t pos = 0; pos < x.size(); pos += block) {
      const std::size_t n = std::min(block, x.size() - pos);
      b.process(std::span(x).subspan(pos, n), std::span(y).subspan(pos, n));
    }
    EXPECT_EQ(std::memcmp(y.data(), ref.data(), y.size() * sizeof(float)), 0) << block;
  }
  EXPECT_THROW(DcBlocker(DcBlockerConfig{0.0, 8000.0}), std::invalid_argument);
  try {
    DcBlocker(DcBlockerConfig{3000.0, 8000.0});
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).rfind("corner_hz", 0), 0u);
  }
}

}  // namespace
}  // namespace linedsp
