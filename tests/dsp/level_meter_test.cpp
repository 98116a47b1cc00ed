// dsp/level_meter.hpp: levels in dBm0 against independent references —
//  * ITU-T G.711 Table 5 (mu-law): the digital milliwatt, the 8-byte sequence 1E 0B 0B 1E 9E 8B 8B 9E decoded by
//    the textbook mu-law expansion written here, is a 1 kHz sine at 0 dBm0 (reads -0.03 dBm0: its samples are
//    quantised), and
//  * sines computed from the definition (peak = 32768 * 10^((L - 3.17) / 20), dsp/level.hpp) at several levels,
//  * a naive double-precision mean of squares over the last window (any signal, any block split).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <stdexcept>
#include <vector>

#include "dsp/level_meter.hpp"

namespace linedsp {
namespace {

// Textbook G.711 mu-law expansion (bias 0x84), 16-bit scale.
std::int16_t ulaw_expand(std::uint8_t code) {
  const int u = ~code & 0xff;
  const int t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return static_cast<std::int16_t>((u & 0x80) ? (0x84 - t) : (t - 0x84));
}

TEST(LevelMeter, DigitalMilliwattIsZeroDbm0) {
  const std::uint8_t dmw[8] = {0x1E, 0x0B, 0x0B, 0x1E, 0x9E, 0x8B, 0x8B, 0x9E};  // G.711 Table 5
  std::vector<std::int16_t> pcm(8000);
  for (std::size_t i = 0; i < pcm.size(); ++i) pcm[i] = ulaw_expand(dmw[i % 8]);
  LevelMeter m;
  m.process(pcm);
  EXPECT_NEAR(m.level_dbm0(), 0.0, 0.05);
}

TEST(LevelMeter, SinesFromTheDefinition) {
  for (double level : {3.0, 0.0, -10.0, -25.0, -40.0}) {
    const double peak = 32768.0 * std::pow(10.0, (level - 3.17) / 20.0);
    std::vector<std::int16_t> pcm(4000);
    for (std::size_t i = 0; i < pcm.size(); ++i)
      pcm[i] = static_cast<std::int16_t>(std::lround(peak * std::sin(2 * std::numbers::pi * 1004.0 * double(i) / 8000.0)));
    LevelMeter m(LevelMeterConfig{100.0, 8000.0});
    m.process(pcm);
    EXPECT_NEAR(m.level_dbm0(), level, level > -30 ? 0.02 : 0.1) << level;  // int16 rounding at low levels
  }
}

TEST(LevelMeter, EqualsNaiveWindowedMeanSquareWhateverTheSplit) {
  std::mt19937 rng(4);
  std::normal_distribution<double> g(0.0, 6000.0);
  std::vector<std::int16_t> pcm(30000);
  for (auto& s : pcm) s = static_cast<std::int16_t>(std::clamp(std::round(g(rng)), -32768.0, 32767.0));
  for (std::size_t i = 12000; i < 14000; ++i) pcm[i] = 0;  // a silent stretch longer than the window
  const LevelMeterConfig cfg{50.0, 8000.0};  // 400 samples
  for (std::size_t block : {1u, 7u, 160u, 4096u}) {
    LevelMeter m(cfg);
    ASSERT_EQ(m.window_samples(), 400u);
    for (std::size_t pos = 0; pos < pcm.size(); pos += block) {
      const std::size_t n = std::min(block, pcm.size() - pos);
      m.process(std::span(pcm).subspan(pos, n));
      const std::size_t end = pos + n;
      double sum = 0;
      for (std::size_t i = end > 400 ? end - 400 : 0; i < end; ++i) sum += double(pcm[i]) * pcm[i];
      ASSERT_DOUBLE_EQ(m.power(), sum / 400.0) << "block " << block << " at " << end;
    }
  }
  LevelMeter m(cfg);
  m.process(std::span(pcm).first(13900));
  EXPECT_LT(m.level_dbm0(), -200.0) << "silence reads very low, finite";
  m.reset();
  EXPECT_EQ(m.power(), 0.0);
}

TEST(LevelMeter, ConfigErrorsNameTheField) {
  try {
    LevelMeter m(LevelMeterConfig{0.01, 8000.0});
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).rfind("window_ms", 0), 0u);
  }
  EXPECT_THROW(LevelMeter(LevelMeterConfig{100.0, 0.0}), std::invalid_argument);
}

}  // namespace
}  // namespace linedsp
