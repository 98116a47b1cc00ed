// signals/modem_tone_generator.cpp — see the header.
#include "signals/modem_tone_generator.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "dsp/level.hpp"

namespace linedsp {

const char* modem_tone_name(ModemTone tone) noexcept {
  switch (tone) {
    case ModemTone::cng: return "cng";
    case ModemTone::ans: return "ans";
    case ModemTone::ans_pr: return "ans-pr";
    case ModemTone::ansam: return "ansam";
    case ModemTone::ansam_pr: return "ansam-pr";
    case ModemTone::v21_flags: return "v21-flags";
  }
  return "?";
}

std::optional<ModemTone> parse_modem_tone(std::string_view name) noexcept {
  for (int i = 0; i < kModemToneCount; ++i) {
    const auto t = static_cast<ModemTone>(i);
    if (name == modem_tone_name(t)) return t;
  }
  if (name == "ced") return ModemTone::ans;
  return std::nullopt;
}

namespace {
void require(bool ok, const char* field, const std::string& why) {
  if (!ok) throw std::invalid_argument(std::string("ModemToneGeneratorConfig.") + field + ": " + why);
}
}  // namespace

ModemToneGenerator::ModemToneGenerator(const ModemToneGeneratorConfig& cfg) : cfg_(cfg) {
  require(cfg.sample_rate_hz == 8000 || cfg.sample_rate_hz == 16000, "sample_rate_hz", "must be 8000 or 16000");
  require(static_cast<int>(cfg.tone) < kModemToneCount, "tone", "unknown tone");
  require(cfg.level_dbm0 <= 3.0 && cfg.level_dbm0 >= -80.0, "level_dbm0", "must be in [-80, +3] dBm0");
  require(std::abs(cfg.frequency_offset_hz) < 200.0, "frequency_offset_hz", "must be within +-200 Hz");
  require(cfg.duration_ms >= 0, "duration_ms", "must be >= 0");
  require(cfg.reversal_interval_ms >= 10, "reversal_interval_ms", "must be >= 10 ms");
  require(cfg.am_rate_hz > 0.0 && cfg.am_rate_hz < 100.0, "am_rate_hz", "must be in (0, 100) Hz");
  require(cfg.am_depth >= 0.0 && cfg.am_depth < 1.0, "am_depth", "must be in [0, 1)");
  require(cfg.cng_on_ms > 0, "cng_on_ms", "must be > 0");
  require(cfg.cng_off_ms >= 0, "cng_off_ms", "must be >= 0");
  const auto fs = static_cast<std::uint64_t>(cfg.sample_rate_hz);
  peak_ = dbm0_to_peak(cfg.level_dbm0);
  total_ = static_cast<std::uint64_t>(cfg.duration_ms) * fs / 1000;
  reversal_samples_ = static_cast<std::uint64_t>(cfg.reversal_interval_ms) * fs / 1000;
  cng_on_ = static_cast<std::uint64_t>(cfg.cng_on_ms) * fs / 1000;
  cng_period_ = cng_on_ + static_cast<std::uint64_t>(cfg.cng_off_ms) * fs / 1000;
}

double ModemToneGenerator::sample(std::uint64_t n) noexcept {
  constexpr double kTwoPi = 2.0 * std::numbers::pi;
  const double fs = cfg_.sample_rate_hz;
  const ModemTone t = cfg_.tone;
  if (t == ModemTone::v21_flags) {
    // Bit b covers samples [b * fs / 300, (b + 1) * fs / 300); flags go LSB first (0x7E is symmetric anyway).
    const std::uint64_t bit = n * static_cast<std::uint64_t>(kV21BitRate) / static_cast<std::uint64_t>(fs);
    const bool mark = ((kHdlcFlag >> (bit % 8)) & 1u) != 0;
    const double f = (mark ? kV21MarkHz : kV21SpaceHz) + cfg_.frequency_offset_hz;
    const double v = peak_ * std::sin(kTwoPi * v21_phase_);
    v21_phase_ += f / fs;
    v21_phase_ -= std::floor(v21_phase_);
    return v;
  }
  if (t == ModemTone::cng) {
    if (n % cng_period_ >= cng_on_) return 0.0;
    const double cycles = (kCngHz + cfg_.frequency_offset_hz) * static_cast<double>(n % cng_period_) / fs;
    return peak_ * std::sin(kTwoPi * (cycles - std::floor(cycles)));
  }
  double cycles = (kAnsHz + cfg_.frequency_offset_hz) * static_cast<double>(n) / fs;
  if (has_phase_reversals(t)) cycles += static_cast<double>(n / reversal_samples_) * cfg_.reversal_deg / 360.0;
  double amp = peak_;
  if (t == ModemTone::ansam || t == ModemTone::ansam_pr) {
    const double am = cfg_.am_rate_hz * static_cast<double>(n) / fs;
    amp *= 1.0 + cfg_.am_depth * std::sin(kTwoPi * (am - std::floor(am)));
  }
  return amp * std::sin(kTwoPi * (cycles - std::floor(cycles)));
}

std::size_t ModemToneGenerator::generate(std::span<std::int16_t> out) noexcept {
  std::size_t i = 0;
  for (; i < out.size() && (total_ == 0 || n_ < total_); ++i, ++n_) {
    const double v = std::nearbyint(sample(n_));
    out[i] = static_cast<std::int16_t>(v > 32767.0 ? 32767.0 : (v < -32768.0 ? -32768.0 : v));
  }
  return i;
}

}  // namespace linedsp
