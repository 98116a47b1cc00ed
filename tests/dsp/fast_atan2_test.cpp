// dsp/fast_atan2.hpp against the C library's atan2 in double precision (an independent implementation): every
// quadrant and octant boundary, the axes, tiny and huge magnitudes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "dsp/fast_atan2.hpp"

namespace linedsp {
namespace {

TEST(FastAtan2, WithinThreeTenthsOfAMicroradianOfLibm) {
  double worst = 0.0;
  for (int i = 0; i <= 200000; ++i) {
    const double a = -std::numbers::pi + 2.0 * std::numbers::pi * i / 200000.0;
    for (const double m : {1e-20, 1e-3, 1.0, 32768.0, 1e20}) {
      const float x = static_cast<float>(m * std::cos(a)), y = static_cast<float>(m * std::sin(a));
      const double want = std::atan2(static_cast<double>(y), static_cast<double>(x));
      const double err = std::abs(static_cast<double>(fast_atan2(y, x)) - want);
      worst = std::max(worst, std::min(err, 2.0 * std::numbers::pi - err));  // +-pi are the same angle
    }
  }
  std::printf("worst error %.3g rad\n", worst);
  EXPECT_LT(worst, 3e-7);  // a float near pi is only resolved to 2.4e-7
}

TEST(FastAtan2, AxesAndZero) {
  const float pi = std::numbers::pi_v<float>;
  EXPECT_EQ(fast_atan2(0.0f, 0.0f), 0.0f);
  EXPECT_EQ(fast_atan2(0.0f, 5.0f), 0.0f);
  EXPECT_FLOAT_EQ(fast_atan2(5.0f, 0.0f), pi / 2);
  EXPECT_FLOAT_EQ(fast_atan2(-5.0f, 0.0f), -pi / 2);
  EXPECT_FLOAT_EQ(fast_atan2(0.0f, -5.0f), pi);
  EXPECT_FLOAT_EQ(fast_atan2(1.0f, 1.0f), pi / 4);
  EXPECT_FLOAT_EQ(fast_atan2(-1.0f, -1.0f), -3 * pi / 4);
}

}  // namespace
}  // namespace linedsp
