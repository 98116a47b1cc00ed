#include "signals/dtmf_generator.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "dsp/level.hpp"

namespace linedsp {
namespace {
constexpr double kLow[4] = {697.0, 770.0, 852.0, 941.0};
constexpr double kHigh[4] = {1209.0, 1336.0, 1477.0, 1633.0};
constexpr char kKeys[4][4] = {{'1', '2', '3', 'A'}, {'4', '5', '6', 'B'}, {'7', '8', '9', 'C'}, {'*', '0', '#', 'D'}};
}  // namespace

bool DtmfGenerator::frequencies(char digit, double& low_hz, double& high_hz) noexcept {
  if (digit >= 'a' && digit <= 'd') digit = static_cast<char>(digit - 'a' + 'A');
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c)
      if (kKeys[r][c] == digit) {
        low_hz = kLow[r];
        high_hz = kHigh[c];
        return true;
      }
  return false;
}

DtmfGenerator::DtmfGenerator(const DtmfGeneratorConfig& config) : config_(config) {
  if (config.sample_rate_hz != 8000 && config.sample_rate_hz != 16000)
    throw std::invalid_argument("sample_rate_hz: must be 8000 or 16000, not " + std::to_string(config.sample_rate_hz));
  for (auto [name, v] : {std::pair{"low_level_dbm0", config.low_level_dbm0}, {"high_level_dbm0", config.high_level_dbm0}})
    if (!(v <= 3.0 && v >= -80.0))
      throw std::invalid_argument(std::string(name) + ": must be between -80 and +3 dBm0, not " + std::to_string(v));
  if (dbm0_to_peak(config.low_level_dbm0) + dbm0_to_peak(config.high_level_dbm0) > 32767.0)
    throw std::invalid_argument("high_level_dbm0: the two tones together would clip");
  if (config.on_ms <= 0 || config.on_ms > 60000) throw std::invalid_argument("on_ms: must be 1..60000");
  if (config.off_ms < 0 || config.off_ms > 60000) throw std::invalid_argument("off_ms: must be 0..60000");
  if (!(std::abs(config.frequency_offset_pct) <= 10.0))
    throw std::invalid_argument("frequency_offset_pct: must be within +-10 %");
  if (!(config.ramp_ms >= 0.0 && config.ramp_ms <= 20.0)) throw std::invalid_argument("ramp_ms: must be 0..20");
  low_amp_ = dbm0_to_peak(config.low_level_dbm0);
  high_amp_ = dbm0_to_peak(config.high_level_dbm0);
  on_samples_ = static_cast<std::uint32_t>(static_cast<std::int64_t>(config.on_ms) * config.sample_rate_hz / 1000);
  off_samples_ = static_cast<std::uint32_t>(static_cast<std::int64_t>(config.off_ms) * config.sample_rate_hz / 1000);
  ramp_samples_ = std::min(static_cast<std::uint32_t>(std::lround(config.ramp_ms * config.sample_rate_hz / 1000.0)),
                           on_samples_ / 2);
}

bool DtmfGenerator::queue(std::string_view digits) noexcept {
  if (digits.size() > kQueueCapacity - count_) return false;
  double lo, hi;
  for (char d : digits)
    if (!frequencies(d, lo, hi)) return false;
  for (char d : digits) queue_[(head_ + count_++) % kQueueCapacity] = d;
  return true;
}

void DtmfGenerator::start_next() noexcept {
  // Called when the current element is done: a tone is followed by its pause, a pause by the next digit.
  if (tone_ && off_samples_ > 0) {
    tone_ = false;
    remaining_ = off_samples_;
    return;
  }
  tone_ = false;
  remaining_ = 0;
  if (count_ == 0) return;
  const char d = queue_[head_];
  head_ = (head_ + 1) % kQueueCapacity;
  --count_;
  double lo = 0, hi = 0;
  frequencies(d, lo, hi);
  const double scale = 1.0 + config_.frequency_offset_pct / 100.0;
  low_step_ = 2.0 * std::numbers::pi * lo * scale / config_.sample_rate_hz;
  high_step_ = 2.0 * std::numbers::pi * hi * scale / config_.sample_rate_hz;
  tone_ = true;
  remaining_ = on_samples_;
}

std::size_t DtmfGenerator::generate(std::span<std::int16_t> out) noexcept {
  std::size_t i = 0, signal = 0;
  while (i < out.size()) {
    if (remaining_ == 0) {
      start_next();
      if (remaining_ == 0) break;
    }
    const std::size_t n = std::min<std::size_t>(remaining_, out.size() - i);
    if (tone_) {
      const std::uint32_t done = on_samples_ - remaining_;  // samples of this tone already sent
      for (std::size_t k = 0; k < n; ++k) {
        double v = low_amp_ * std::sin(low_phase_) + high_amp_ * std::sin(high_phase_);
        const std::uint32_t pos = done + static_cast<std::uint32_t>(k);
        const std::uint32_t edge = std::min(pos, on_samples_ - 1 - pos);  // samples from the nearer end
        if (edge < ramp_samples_)
          v *= 0.5 - 0.5 * std::cos(std::numbers::pi * (edge + 0.5) / ramp_samples_);
        out[i + k] = static_cast<std::int16_t>(std::lrint(v));
        low_phase_ += low_step_;
        high_phase_ += high_step_;
        if (low_phase_ > 2.0 * std::numbers::pi) low_phase_ -= 2.0 * std::numbers::pi;
        if (high_phase_ > 2.0 * std::numbers::pi) high_phase_ -= 2.0 * std::numbers::pi;
      }
    } else {
      std::fill_n(out.begin() + static_cast<std::ptrdiff_t>(i), n, std::int16_t{0});
    }
    i += n;
    signal = i;
    remaining_ -= static_cast<std::uint32_t>(n);
  }
  std::fill(out.begin() + static_cast<std::ptrdiff_t>(i), out.end(), std::int16_t{0});
  return signal;
}

void DtmfGenerator::reset() noexcept {
  head_ = count_ = 0;
  tone_ = false;
  remaining_ = 0;
  low_phase_ = high_phase_ = 0.0;
}

}  // namespace linedsp
