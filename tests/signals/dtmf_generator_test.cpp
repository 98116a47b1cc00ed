// DTMF sender (signals/dtmf_generator) against ITU-T Q.23 as REFERENCES.md gives it: the frequency table
// (low 697/770/852/941, high 1209/1336/1477/1633 Hz), per-tone levels, tone >= 50 ms and pause >= 45 ms,
// unwanted components >= 20 dB below the pair. Oracles: KissFFT spectra, a textbook two-sine synthesis
// written here, and sample counting.
#include <gtest/gtest.h>
#include <kiss_fftr.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "dsp/level.hpp"
#include "signals/dtmf_generator.hpp"

namespace linedsp {
namespace {

const std::string kDigits = "123A456B789C*0#D";
constexpr double kLow[4] = {697, 770, 852, 941};     // Q.23 table, low group
constexpr double kHigh[4] = {1209, 1336, 1477, 1633};  // Q.23 table, high group

// Power spectrum |X[k]|^2 (k = 0 .. n/2) by KissFFT; n even.
std::vector<double> spectrum(const std::vector<std::int16_t>& x) {
  const int n = static_cast<int>(x.size());
  kiss_fftr_cfg cfg = kiss_fftr_alloc(n, 0, nullptr, nullptr);
  std::vector<float> in(x.begin(), x.end());
  std::vector<kiss_fft_cpx> out(static_cast<std::size_t>(n / 2 + 1));
  kiss_fftr(cfg, in.data(), out.data());
  kiss_fftr_free(cfg);
  std::vector<double> p(out.size());
  for (std::size_t k = 0; k < out.size(); ++k) p[k] = double(out[k].r) * out[k].r + double(out[k].i) * out[k].i;
  return p;
}

// Mean power of a sine whose bin (exact number of cycles in n samples) holds p: (2|X|/n)^2 / 2.
double bin_to_power(double p, std::size_t n) { return 2.0 * p / (double(n) * double(n)); }

std::vector<std::int16_t> steady_tone(char digit, double low_dbm0 = -10, double high_dbm0 = -8, int rate = 8000) {
  DtmfGeneratorConfig c;
  c.sample_rate_hz = rate;
  c.low_level_dbm0 = low_dbm0;
  c.high_level_dbm0 = high_dbm0;
  c.on_ms = 1200;
  c.off_ms = 0;
  DtmfGenerator gen(c);
  EXPECT_TRUE(gen.queue(std::string(1, digit)));
  std::vector<std::int16_t> x(static_cast<std::size_t>(rate) * 12 / 10);
  gen.generate(x);
  // The middle second: whole cycles of every DTMF frequency (integer Hz), away from the ramps.
  return {x.begin() + rate / 10, x.begin() + rate / 10 + rate};
}

// Q.23: unwanted frequency components at least 20 dB below the level of the pair; every digit's two
// strongest components are exactly the table's frequencies at the configured levels (+-0.1 dB).
TEST(DtmfGeneratorQ23, UnwantedComponentsTwentyDbBelowThePairAndTableFrequencies) {
  double worst_margin_db = 1e9;
  for (int rate : {8000, 16000})
    for (std::size_t i = 0; i < kDigits.size(); ++i) {
      const char d = kDigits[i];
      const auto x = steady_tone(d, -10, -8, rate);
      const auto p = spectrum(x);  // bin k = k Hz (1 s)
      const auto lo = static_cast<std::size_t>(kLow[i / 4]), hi = static_cast<std::size_t>(kHigh[i % 4]);
      const double pair = p[lo] + p[hi];
      double unwanted_total = 0, unwanted_max = 0;
      for (std::size_t k = 1; k < p.size(); ++k)
        if (k != lo && k != hi) {
          unwanted_total += p[k];
          unwanted_max = std::max(unwanted_max, p[k]);
        }
      const double margin_db = 10 * std::log10(pair / std::max(unwanted_total, 1e-9));
      worst_margin_db = std::min(worst_margin_db, margin_db);
      EXPECT_GE(margin_db, 20.0) << d << " at " << rate << " Hz";
      EXPECT_NEAR(power_to_dbm0(bin_to_power(p[lo], x.size())), -10.0, 0.1) << d << " low tone level";
      EXPECT_NEAR(power_to_dbm0(bin_to_power(p[hi], x.size())), -8.0, 0.1) << d << " high tone level";
      EXPECT_GT(p[lo], 1e3 * unwanted_max);
      EXPECT_GT(p[hi], 1e3 * unwanted_max);
    }
  std::printf("Q.23 unwanted components: all of them together at least %.1f dB below the pair\n", worst_margin_db);
}

// Level and twist options reach the line as configured (level per tone in dBm0, dsp/level.hpp's G.711 scale).
TEST(DtmfGeneratorQ23, LevelsAndTwist) {
  for (auto [low, high] : {std::pair{-3.0, -3.0}, {-10.0, -8.0}, {-25.0, -21.0}, {-6.0, -14.0}}) {
    const auto x = steady_tone('5', low, high);
    const auto p = spectrum(x);
    EXPECT_NEAR(power_to_dbm0(bin_to_power(p[770], x.size())), low, 0.1);
    EXPECT_NEAR(power_to_dbm0(bin_to_power(p[1336], x.size())), high, 0.1);
  }
}

// The waveform of the first digit is the textbook sum of two sines (phase 0 at the start) under the
// documented raised-cosine ramp, to within rounding (1 LSB).
TEST(DtmfGenerator, FirstDigitIsTheTextbookSignal) {
  DtmfGeneratorConfig c;
  DtmfGenerator gen(c);
  ASSERT_TRUE(gen.queue("9"));
  std::vector<std::int16_t> x(8000);
  gen.generate(x);
  const double a1 = dbm0_to_peak(c.low_level_dbm0), a2 = dbm0_to_peak(c.high_level_dbm0);
  const int on = c.on_ms * 8, ramp = static_cast<int>(c.ramp_ms * 8);
  for (int n = 0; n < on; ++n) {
    const int edge = std::min(n, on - 1 - n);
    const double g = edge < ramp ? 0.5 - 0.5 * std::cos(std::numbers::pi * (edge + 0.5) / ramp) : 1.0;
    const double want = g * (a1 * std::sin(2 * std::numbers::pi * 852 * n / 8000.0) +
                             a2 * std::sin(2 * std::numbers::pi * 1477 * n / 8000.0));
    ASSERT_NEAR(x[static_cast<std::size_t>(n)], want, 1.0) << "sample " << n;
  }
  for (std::size_t n = static_cast<std::size_t>(on); n < x.size(); ++n) ASSERT_EQ(x[n], 0) << n;
}

// Q.23 timing (tone >= 50 ms, pause >= 45 ms, cycle >= 100 ms... here the minimum 50/45 and 80/80):
// every digit occupies exactly on_ms * rate / 1000 samples starting at k * (on + off), pauses are
// exact zeros, generate() reports the samples of signal, and the output does not depend on how the
// caller splits it into blocks (phase carried across calls).
TEST(DtmfGeneratorQ23, SampleAccurateTimingAnyBlockSize) {
  for (int rate : {8000, 16000})
    for (auto [on_ms, off_ms] : {std::pair{50, 45}, {80, 80}}) {
      DtmfGeneratorConfig c;
      c.sample_rate_hz = rate;
      c.on_ms = on_ms;
      c.off_ms = off_ms;
      const std::string digits = "0123456789*#ABCD";
      const std::size_t on = static_cast<std::size_t>(on_ms * rate / 1000), off = static_cast<std::size_t>(off_ms * rate / 1000);
      std::vector<std::int16_t> ref;
      for (std::size_t block : {100000u, 1u, 7u, 160u}) {
        DtmfGenerator gen(c);
        ASSERT_TRUE(gen.queue(digits));
        std::vector<std::int16_t> x, buf(block);
        std::size_t signal = 0;
        while (!gen.idle()) {
          const std::size_t got = gen.generate(buf);
          signal += got;
          x.insert(x.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(got));
        }
        EXPECT_EQ(signal, digits.size() * (on + off)) << rate << " Hz, block " << block;
        if (ref.empty()) {
          ref = x;
          for (std::size_t k = 0; k < digits.size(); ++k) {
            const std::size_t start = k * (on + off);
            for (std::size_t n = start + on; n < start + on + off; ++n) ASSERT_EQ(x[n], 0) << "pause after " << digits[k];
            double e = 0;  // the tone fills its window: the middle half carries the pair's power
            for (std::size_t n = start + on / 4; n < start + 3 * on / 4; ++n) e += double(x[n]) * x[n];
            const double dbm0 = power_to_dbm0(e / double(on / 2));
            EXPECT_NEAR(dbm0, 10 * std::log10(std::pow(10, -1.0) + std::pow(10, -0.8)), 0.5) << digits[k];
            EXPECT_NE(x[start + 1], 0) << "tone starts at its first sample";
            EXPECT_NE(x[start + on - 2], 0) << "tone lasts to its last sample";
          }
        } else {
          EXPECT_EQ(x, ref) << "block " << block;
        }
      }
    }
}

// No clicks: with the documented 2 ms ramp a digit burst in silence splatters far less outside the DTMF
// band (below 500 Hz and above 2 kHz) than hard keying does, and stays 20 dB (Q.23) below the pair.
TEST(DtmfGenerator, RampReducesKeyingSplatter) {
  auto out_of_band_db = [](double ramp_ms) {
    DtmfGeneratorConfig c;
    c.ramp_ms = ramp_ms;
    c.on_ms = 60;
    DtmfGenerator gen(c);
    EXPECT_TRUE(gen.queue("1"));
    std::vector<std::int16_t> x(8000);
    std::vector<std::int16_t> tone(8000);
    gen.generate(tone);
    std::copy(tone.begin(), tone.begin() + 4000, x.begin() + 4000);  // burst in the middle of 1 s
    const auto p = spectrum(x);
    double in = 0, out = 0;
    for (std::size_t k = 1; k < p.size(); ++k) (k < 500 || k > 2000 ? out : in) += p[k];
    return 10 * std::log10(in / out);
  };
  const double hard = out_of_band_db(0), soft = out_of_band_db(2);
  std::printf("energy outside 500-2000 Hz below the burst: hard keying %.1f dB, 2 ms ramp %.1f dB\n", hard, soft);
  EXPECT_GE(soft, 20.0);
  EXPECT_GE(soft, hard + 6.0);  // measured 8.3 dB better (hard 24.4 dB, ramp 32.7 dB)
}

TEST(DtmfGenerator, QueueRulesAndReset) {
  DtmfGenerator gen;
  EXPECT_TRUE(gen.idle());
  EXPECT_FALSE(gen.queue("12x")) << "not a DTMF digit";
  EXPECT_TRUE(gen.idle()) << "nothing queued from a rejected string";
  EXPECT_TRUE(gen.queue("abcd"));
  EXPECT_FALSE(gen.queue(std::string(DtmfGenerator::kQueueCapacity, '1'))) << "overflow";
  EXPECT_FALSE(gen.idle());
  gen.reset();
  EXPECT_TRUE(gen.idle());
  std::vector<std::int16_t> x(100, 7);
  EXPECT_EQ(gen.generate(x), 0u);
  EXPECT_TRUE(std::all_of(x.begin(), x.end(), [](std::int16_t v) { return v == 0; }));
  double lo = 0, hi = 0;
  for (std::size_t i = 0; i < kDigits.size(); ++i) {
    ASSERT_TRUE(DtmfGenerator::frequencies(kDigits[i], lo, hi));
    EXPECT_EQ(lo, kLow[i / 4]);
    EXPECT_EQ(hi, kHigh[i % 4]);
  }
}

TEST(DtmfGenerator, ConfigErrorsNameTheField) {
  auto field_of = [](DtmfGeneratorConfig c) -> std::string {
    try {
      DtmfGenerator g(c);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  };
  DtmfGeneratorConfig c;
  c.sample_rate_hz = 44100;
  EXPECT_NE(field_of(c).find("sample_rate_hz"), std::string::npos);
  c = {};
  c.low_level_dbm0 = 5;
  EXPECT_NE(field_of(c).find("low_level_dbm0"), std::string::npos);
  c = {};
  c.on_ms = 0;
  EXPECT_NE(field_of(c).find("on_ms"), std::string::npos);
  c = {};
  c.ramp_ms = -1;
  EXPECT_NE(field_of(c).find("ramp_ms"), std::string::npos);
}

}  // namespace
}  // namespace linedsp
