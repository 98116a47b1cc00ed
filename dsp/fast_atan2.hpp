// dsp/fast_atan2.hpp — atan2 in float to within 3e-7 rad without libm's call (Cephes atanf: reduction to
// |t| <= tan(pi / 8) and a degree-9 odd polynomial; a float near pi resolves only 2.4e-7), for per-block phase
// measurements (a detector's measured frequency: 3e-7 rad per 20 ms block is 2.4e-6 Hz). atan2(0, 0) is 0. Checked against std::atan2 in
// tests/dsp/fast_atan2_test.cpp.
#pragma once

#include <cmath>
#include <numbers>

namespace linedsp {

inline float fast_atan2(float y, float x) noexcept {
  const float ax = std::abs(x), ay = std::abs(y);
  if (ax == 0.0f && ay == 0.0f) return 0.0f;
  float t = ax >= ay ? ay / ax : ax / ay;  // in [0, 1]
  float base = 0.0f;
  if (t > 0.4142135623730950f) {  // tan(pi / 8)
    base = std::numbers::pi_v<float> / 4;
    t = (t - 1.0f) / (t + 1.0f);
  }
  const float z = t * t;
  float r = base + ((((8.05374449538e-2f * z - 1.38776856032e-1f) * z + 1.99777106478e-1f) * z - 3.33329491539e-1f) *
                        z * t +
                    t);
  if (ay > ax) r = std::numbers::pi_v<float> / 2 - r;
  if (x < 0.0f) r = std::numbers::pi_v<float> - r;
  return y < 0.0f ? -r : r;
}

}  // namespace linedsp
