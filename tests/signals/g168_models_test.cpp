// G.168 harness data: the Annex D echo path models against the copy published with spandsp
// (spandsp/g168models.h, where installed: an independent transcription of the Recommendation's tables),
// the CSS structure of Annex C (350 ms: 48.62 ms voiced + 200 ms noise + 101.38 ms pause, then the same
// inverted) and its noise spectrum against Figure C.2's slope, and the §6.4.1.2.1 level meter on sines.
#include <gtest/gtest.h>

#include <kiss_fftr.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "dsp/level.hpp"
#include "signals/g168.hpp"

#if LINEDSP_HAVE_SPANDSP
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-variable"
#include <spandsp/g168models.h>
#pragma GCC diagnostic pop
#endif

namespace linedsp {
namespace {

TEST(G168Models, MatchSpandspTranscription) {
#if LINEDSP_HAVE_SPANDSP
  struct Ref {
    const std::int32_t* c;
    std::size_t n;
    float k;
  };
  const Ref refs[] = {{line_model_d2_coeffs, std::size(line_model_d2_coeffs), LINE_MODEL_D2_GAIN},
                      {line_model_d3_coeffs, std::size(line_model_d3_coeffs), LINE_MODEL_D3_GAIN},
                      {line_model_d4_coeffs, std::size(line_model_d4_coeffs), LINE_MODEL_D4_GAIN},
                      {line_model_d5_coeffs, std::size(line_model_d5_coeffs), LINE_MODEL_D5_GAIN},
                      {line_model_d6_coeffs, std::size(line_model_d6_coeffs), LINE_MODEL_D6_GAIN},
                      {line_model_d7_coeffs, std::size(line_model_d7_coeffs), LINE_MODEL_D7_GAIN},
                      {line_model_d8_coeffs, std::size(line_model_d8_coeffs), LINE_MODEL_D8_GAIN},
                      {line_model_d9_coeffs, std::size(line_model_d9_coeffs), LINE_MODEL_D9_GAIN}};
  for (int m = g168::kFirstModel; m <= g168::kLastModel; ++m) {
    const auto h = g168::echo_path_model(m);
    const Ref& r = refs[m - 2];
    ASSERT_EQ(h.size(), r.n) << "D." << m;
    for (std::size_t i = 0; i < r.n; ++i) EXPECT_FLOAT_EQ(h[i], float(r.c[i]) * r.k) << "D." << m << " tap " << i;
  }
#else
  GTEST_SKIP() << "spandsp not installed: no independent copy of the Annex D tables";
#endif
}

// Annex D sizes (64-128 taps = 8-16 ms of dispersion, REFERENCES.md) and ERL scaling/delay of echo_path().
TEST(G168Models, SizesScalingAndDelay) {
  for (int m = g168::kFirstModel; m <= g168::kLastModel; ++m) {
    const auto raw = g168::echo_path_model(m);
    EXPECT_GE(raw.size(), 64u);
    EXPECT_LE(raw.size(), 128u);
    const auto h = g168::echo_path(m, 10.0, 37);
    ASSERT_EQ(h.size(), raw.size() + 37);
    for (std::size_t i = 0; i < 37; ++i) EXPECT_EQ(h[i], 0.0f);
    for (std::size_t i = 0; i < raw.size(); ++i) EXPECT_NEAR(h[37 + i], raw[i] / std::sqrt(10.0), 1e-6);
  }
  EXPECT_THROW(g168::echo_path_model(1), std::invalid_argument);
  EXPECT_THROW(g168::echo_path_model(10), std::invalid_argument);
}

TEST(G168Css, StructureAndLevel) {
  const auto css = g168::composite_source_signal(1.4, -10.0);
  ASSERT_EQ(css.size(), 11200u);
  // Second half of the 700 ms sequence is the first half inverted (Annex C).
  for (std::size_t i = 100; i < 2700; ++i) EXPECT_NEAR(css[2800 + i], -css[i], 40.0f) << i;
  // The pause (248.62-350 ms) is silent apart from resampling ringing at its start.
  double pause = 0.0;
  for (std::size_t i = 2000; i < 2790; ++i) pause += double(css[i]) * css[i];
  EXPECT_LT(power_to_dbm0(pause / 790.0), -60.0);
  // Periodic: 700 ms later the signal repeats.
  for (std::size_t i = 0; i < 2000; ++i) EXPECT_NEAR(css[5600 + i], css[i], 1e-3f);
  // Active level: RMS over voiced + noise (0-248.62 ms and 350-598.62 ms) = -10 dBm0.
  double act = 0.0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < 5600; ++i)
    if (i < 1989 || (i >= 2800 && i < 4789)) {
      act += double(css[i]) * css[i];
      ++n;
    }
  EXPECT_NEAR(power_to_dbm0(act / double(n)), -10.0, 0.3);
}

// Figure C.2: the pseudo-noise spectrum falls from about +17 dB near 200-250 Hz to about 0 dB at 2850 Hz.
TEST(G168Css, NoiseSpectrumFollowsFigureC2) {
  const auto css = g168::composite_source_signal(0.7, -10.0);
  const std::size_t start = 420, len = 1024;  // inside the 48.62-248.62 ms noise segment
  std::vector<float> seg(css.begin() + start, css.begin() + start + len);
  std::vector<kiss_fft_cpx> spec(len / 2 + 1);
  kiss_fftr_cfg cfg = kiss_fftr_alloc(static_cast<int>(len), 0, nullptr, nullptr);
  kiss_fftr(cfg, seg.data(), spec.data());
  kiss_fftr_free(cfg);
  auto band_db = [&](double f0, double f1) {
    double p = 0.0;
    int k = 0;
    for (std::size_t i = 0; i < spec.size(); ++i) {
      const double f = 8000.0 * double(i) / double(len);
      if (f >= f0 && f < f1) {
        p += double(spec[i].r) * spec[i].r + double(spec[i].i) * spec[i].i;
        ++k;
      }
    }
    return 10.0 * std::log10(p / k);
  };
  const double low = band_db(220.0, 480.0);    // figure: 17.8 -> 12.2 dB
  const double high = band_db(2600.0, 3100.0); // figure: about 1 -> -0.7 dB
  std::printf("band 220-480 Hz minus 2600-3100 Hz: %.1f dB (Figure C.2: about 14 dB)\n", low - high);
  EXPECT_NEAR(low - high, 14.0, 4.0);
}

// §6.4.1.2.1 level meter: a sine in the pass band reads its level (the band-pass is ~unity there).
TEST(G168LevelMeter, ReadsSineLevels) {
  for (double f : {500.0, 1000.0, 2000.0}) {
    for (double level : {-10.0, -30.0}) {
      g168::LevelMeter m;
      float last = 0.0f;
      for (int i = 0; i < 8000; ++i)
        last = m.process(static_cast<float>(dbm0_to_peak(level) * std::sin(2.0 * std::numbers::pi * f * i / 8000.0)));
      EXPECT_NEAR(last, level, 1.0) << f << " Hz";
    }
  }
}

}  // namespace
}  // namespace linedsp
