#include "dsp/level_meter.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "dsp/level.hpp"

namespace linedsp {

LevelMeter::LevelMeter(const LevelMeterConfig& cfg) {
  if (!(cfg.sample_rate_hz > 0.0 && std::isfinite(cfg.sample_rate_hz)))
    throw std::invalid_argument("sample_rate_hz: must be positive");
  const double n = std::round(cfg.window_ms * cfg.sample_rate_hz / 1000.0);
  if (!(n >= 1.0 && n <= 3600.0 * cfg.sample_rate_hz))
    throw std::invalid_argument("window_ms: must cover at least one sample and at most an hour");
  ring_.assign(static_cast<std::size_t>(n), 0);
}

void LevelMeter::process(std::span<const std::int16_t> pcm) noexcept {
  const std::size_t len = ring_.size();
  for (const std::int16_t s : pcm) {
    const std::int64_t old = ring_[pos_];
    const std::int64_t now = s;
    sum_sq_ = sum_sq_ + static_cast<std::uint64_t>(now * now) - static_cast<std::uint64_t>(old * old);
    ring_[pos_] = s;
    if (++pos_ == len) pos_ = 0;
  }
}

void LevelMeter::reset() noexcept {
  std::fill(ring_.begin(), ring_.end(), std::int16_t{0});
  pos_ = 0;
  sum_sq_ = 0;
}

double LevelMeter::power() const noexcept { return static_cast<double>(sum_sq_) / static_cast<double>(ring_.size()); }

double LevelMeter::level_dbm0() const noexcept { return power_to_dbm0(power()); }

}  // namespace linedsp
