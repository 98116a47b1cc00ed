// dsp/level_meter.hpp — signal level in dBm0 (dsp/level.hpp's convention: a sine of peak 32768*10^(-3.17/20)
// is 0 dBm0, G.711 mu-law) as the mean power over a sliding rectangular window of the last window_ms.
//
// Exact and drift-free: int16 input, squares summed in a 64-bit integer over a ring buffer of the window's
// samples (the running sum never accumulates rounding), so a meter running for years reads the same as one
// just filled, and the reading does not depend on block sizes. Memory: 2 bytes per window sample
// (100 ms at 8 kHz: 1600 bytes).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace linedsp {

struct LevelMeterConfig {
  double window_ms = 100.0;       // sliding window length
  double sample_rate_hz = 8000.0;
};

class LevelMeter {
 public:
  // Allocates the window; throws std::invalid_argument naming the bad field.
  explicit LevelMeter(const LevelMeterConfig& cfg = {});

  void process(std::span<const std::int16_t> pcm) noexcept;
  void reset() noexcept;

  // Mean power (int16 units squared) over the window; before the window has filled, over the window
  // with the missing samples counted as silence (so a level never overshoots at start-up).
  double power() const noexcept;
  // power() in dBm0 (very quiet input reads about -300 dBm0, never -inf).
  double level_dbm0() const noexcept;
  std::size_t window_samples() const noexcept { return ring_.size(); }

 private:
  std::vector<std::int16_t> ring_;
  std::size_t pos_ = 0;
  std::uint64_t sum_sq_ = 0;
};

}  // namespace linedsp
