// dsp/dc_blocker.hpp — DC removal: the first-order high-pass  y[n] = g (x[n] - x[n-1]) + R y[n-1]
// (a zero at z = 1, a pole at z = R), the textbook "DC blocker" (J. O. Smith, Introduction to Digital
// Filters, "DC Blocker"), normalised by g = (1 + R) / 2 so the gain at fs/2 is exactly 0 dB (without g the
// band above the corner is lifted by 2/(1+R): +0.07 dB at 20 Hz / 8 kHz). R is solved at construction so
// that |H(e^{j 2 pi fc/fs})|^2 = 1/2 exactly (R = 1 - 2 pi fc / fs is only the small-angle form).
//
// The default corner, 20 Hz, is far below the telephone band (G.712's passband starts at 300 Hz: at 300 Hz
// the loss is 0.02 dB) and still settles in 20 ms steps to a line's DC shift after a hook event
// (time constant 1 / (2 pi 20 Hz) = 8 ms). Runs in float with FTZ/DAZ set (ScopedDenormalsOff).
#pragma once

#include <cstdint>
#include <span>

namespace linedsp {

struct DcBlockerConfig {
  double corner_hz = 20.0;          // -3 dB frequency, 0 < corner < sample_rate/4
  double sample_rate_hz = 8000.0;
};

// R for a -3 dB corner at fc (with the gain g = (1+R)/2). Throws std::invalid_argument naming the field.
double dc_blocker_pole(const DcBlockerConfig& cfg);

class DcBlocker {
 public:
  explicit DcBlocker(const DcBlockerConfig& cfg = {});
  // out[i] = filter(in[i]); out may alias in; out.size() >= in.size().
  void process(std::span<const float> in, std::span<float> out) noexcept;
  // int16 edge form: rounds and saturates.
  void process(std::span<const std::int16_t> in, std::span<std::int16_t> out) noexcept;
  void reset() noexcept { x1_ = y1_ = 0.0f; }
  float pole() const noexcept { return r_; }

 private:
  float r_, g_;
  float x1_ = 0.0f, y1_ = 0.0f;
};

}  // namespace linedsp
