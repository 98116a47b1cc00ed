// dsp/biquad.hpp against two independent oracles:
//  1. sox's biquad effects (lowpass -2, highpass -2, bandpass, bandreject, equalizer, allpass, bass, treble
//     with a Q width), which implement the same RBJ cookbook in double precision: our float filter, rounded
//     to int16, equals sox's output (-D: no dither) within 1 LSB on noise.
//  2. The cookbook's defining properties, measured on the running filter with sines (steady state, naive
//     double-precision projection): Butterworth low/high pass -3.01 dB at f0, band-pass 0 dB at f0, notch
//     a null at f0, peaking gain_db at f0, shelves gain_db/2 at f0 and gain_db at the far end, all-pass
//     |H| = 1 with -180 degrees at f0.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <fstream>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "dsp/biquad.hpp"
#include "support/paths.hpp"

namespace linedsp {
namespace {

// Steady-state complex gain of the filter at f: run a 10000-peak cosine, skip the transient, project
// the output on exp(j w t) over an integer number of cycles (naive, double).
std::complex<double> measured_response(const BiquadConfig& cfg, double f_hz) {
  const double fs = cfg.sample_rate_hz;
  const std::size_t skip = static_cast<std::size_t>(fs), len = static_cast<std::size_t>(fs / 2);  // 1 s, 0.5 s
  const double amp = 10000.0, w = 2.0 * std::numbers::pi * f_hz / fs;
  std::vector<float> x(skip + len);
  for (std::size_t t = 0; t < x.size(); ++t) x[t] = static_cast<float>(amp * std::cos(w * double(t)));
  Biquad bq(cfg);
  std::vector<float> y(x.size());
  bq.process(x, y);
  std::complex<double> in = 0, out = 0;
  for (std::size_t t = skip; t < x.size(); ++t) {
    const std::complex<double> e = std::polar(1.0, -w * double(t));
    in += double(x[t]) * e;
    out += double(y[t]) * e;
  }
  return out / in;
}

double db(std::complex<double> h) { return 20.0 * std::log10(std::abs(h) + 1e-300); }

struct PropertyCase {
  const char* name;
  BiquadConfig cfg;
  double probe_hz;
  double expect_db;
  double tol_db;
};

class BiquadCookbook : public ::testing::TestWithParam<PropertyCase> {};

// RBJ cookbook (defining properties of each design), at 8 and 16 kHz.
TEST_P(BiquadCookbook, MeasuredGainAtTheDefiningFrequency) {
  const auto& c = GetParam();
  const double got = db(measured_response(c.cfg, c.probe_hz));
  EXPECT_NEAR(got, c.expect_db, c.tol_db) << c.name << " at " << c.probe_hz << " Hz";
}

constexpr double kButterQ = 0.70710678118654752;
BiquadConfig make(BiquadType t, double f, double q, double g, double fs) { return {t, f, q, g, fs}; }

INSTANTIATE_TEST_SUITE_P(
    Rbj, BiquadCookbook,
    ::testing::Values(
        PropertyCase{"lowpass_f0", make(BiquadType::lowpass, 1000, kButterQ, 0, 8000), 1000, -3.0103, 0.01},
        PropertyCase{"lowpass_pass", make(BiquadType::lowpass, 1000, kButterQ, 0, 8000), 100, 0.0, 0.01},
        PropertyCase{"lowpass_16k", make(BiquadType::lowpass, 3400, kButterQ, 0, 16000), 3400, -3.0103, 0.01},
        PropertyCase{"highpass_f0", make(BiquadType::highpass, 300, kButterQ, 0, 8000), 300, -3.0103, 0.01},
        PropertyCase{"highpass_pass", make(BiquadType::highpass, 300, kButterQ, 0, 8000), 3000, 0.0, 0.01},
        PropertyCase{"bandpass_f0", make(BiquadType::bandpass, 1000, 5, 0, 8000), 1000, 0.0, 0.01},
        PropertyCase{"notch_f0", make(BiquadType::notch, 1000, 5, 0, 8000), 1000, -200.0, 140.0},  // <= -60 dB
        PropertyCase{"notch_far", make(BiquadType::notch, 1000, 5, 0, 8000), 3000, 0.0, 0.1},
        PropertyCase{"peaking_f0", make(BiquadType::peaking, 2000, 2, 9, 8000), 2000, 9.0, 0.01},
        PropertyCase{"peaking_cut_16k", make(BiquadType::peaking, 2000, 2, -12, 16000), 2000, -12.0, 0.01},
        PropertyCase{"lowshelf_f0", make(BiquadType::lowshelf, 500, kButterQ, 6, 8000), 500, 3.0, 0.01},
        PropertyCase{"lowshelf_dc", make(BiquadType::lowshelf, 500, kButterQ, 6, 8000), 20, 6.0, 0.05},
        PropertyCase{"highshelf_f0", make(BiquadType::highshelf, 2000, kButterQ, -8, 8000), 2000, -4.0, 0.01},
        PropertyCase{"highshelf_top", make(BiquadType::highshelf, 2000, kButterQ, -8, 8000), 3900, -8.0, 0.05},
        PropertyCase{"allpass_any", make(BiquadType::allpass, 1000, 1, 0, 8000), 2700, 0.0, 0.01}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Biquad, AllpassIsMinus180DegreesAtF0) {
  const auto h = measured_response(make(BiquadType::allpass, 1000, 1, 0, 8000), 1000);
  EXPECT_NEAR(std::abs(std::arg(h)), std::numbers::pi, 1e-3);
  EXPECT_NEAR(std::abs(h), 1.0, 1e-3);
}

// The double-precision response() matches what the running float filter does (so callers may plot it).
TEST(Biquad, ResponseMatchesMeasuredFilter) {
  const auto cfg = make(BiquadType::peaking, 1200, 1.5, 7, 8000);
  const auto coeffs = design_biquad(cfg);
  for (double f : {200.0, 1200.0, 2500.0}) {
    const auto h = coeffs.response(f, 8000);
    const auto m = measured_response(cfg, f);
    EXPECT_NEAR(std::abs(h - m), 0.0, 1e-4) << f;
  }
}

// --- sox ---------------------------------------------------------------------------------------------------

std::vector<std::int16_t> noise_pcm(std::size_t n, unsigned seed, double sd) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> g(0.0, sd);
  std::vector<std::int16_t> v(n);
  for (auto& s : v) s = static_cast<std::int16_t>(std::clamp(std::round(g(rng)), -32768.0, 32767.0));
  return v;
}

std::vector<std::int16_t> run_sox(const std::vector<std::int16_t>& in, int rate, const std::string& effect) {
  const std::string dir = test::temp_dir();
  const std::string ip = dir + "/in.raw", op = dir + "/out.raw";
  std::ofstream(ip, std::ios::binary).write(reinterpret_cast<const char*>(in.data()), std::streamsize(in.size() * 2));
  const std::string fmt = "-t raw -r " + std::to_string(rate) + " -e signed -b 16 -c 1 ";
  const std::string cmd = "sox -D -V1 " + fmt + ip + " " + fmt + op + " " + effect;
  if (std::system(cmd.c_str()) != 0) return {};
  std::ifstream f(op, std::ios::binary);
  std::vector<std::int16_t> out(in.size());
  f.read(reinterpret_cast<char*>(out.data()), std::streamsize(out.size() * 2));
  out.resize(static_cast<std::size_t>(f.gcount()) / 2);
  return out;
}

struct SoxCase {
  const char* name;
  BiquadConfig cfg;
  const char* effect;  // sox effect with the same f0 / Q / gain
};

class BiquadSox : public ::testing::TestWithParam<SoxCase> {};

// sox(1) "lowpass -2 / highpass -2 / bandpass / bandreject / equalizer / allpass / bass / treble": RBJ
// cookbook biquads in double precision (sox's biquads.c). Ours in float, rounded: within 1 LSB everywhere.
TEST_P(BiquadSox, EqualsSoxWithinOneLsb) {
  if (!test::have_program("sox")) GTEST_SKIP() << "sox not installed";
  const auto& c = GetParam();
  const int rate = static_cast<int>(c.cfg.sample_rate_hz);
  const auto in = noise_pcm(static_cast<std::size_t>(rate), 42, 3000.0);
  const auto ref = run_sox(in, rate, c.effect);
  ASSERT_EQ(ref.size(), in.size()) << "sox failed: " << c.effect;
  std::vector<float> x(in.begin(), in.end()), y(in.size());
  Biquad bq(c.cfg);
  bq.process(x, y);
  int worst = 0;
  double sum_sq = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const int ours = static_cast<int>(std::clamp(std::nearbyint(y[i]), -32768.0f, 32767.0f));
    worst = std::max(worst, std::abs(ours - ref[i]));
    sum_sq += double(ref[i]) * ref[i];
  }
  EXPECT_LE(worst, 1) << c.effect;
  EXPECT_GT(sum_sq, 1e6 * double(y.size()) / 1000.0) << "the filter passed almost nothing: a vacuous comparison";
}

INSTANTIATE_TEST_SUITE_P(
    Rbj, BiquadSox,
    ::testing::Values(SoxCase{"lowpass", make(BiquadType::lowpass, 1000, kButterQ, 0, 8000), "lowpass -2 1000 0.70710678q"},
                      SoxCase{"highpass16k", make(BiquadType::highpass, 300, 0.9, 0, 16000), "highpass -2 300 0.9q"},
                      SoxCase{"bandpass", make(BiquadType::bandpass, 1500, 2, 0, 8000), "bandpass 1500 2q"},
                      SoxCase{"notch", make(BiquadType::notch, 1000, 3, 0, 8000), "bandreject 1000 3q"},
                      SoxCase{"peaking", make(BiquadType::peaking, 2000, 1.2, 6, 8000), "equalizer 2000 1.2q 6"},
                      SoxCase{"allpass", make(BiquadType::allpass, 800, 0.8, 0, 8000), "allpass 800 0.8q"},
                      SoxCase{"lowshelf", make(BiquadType::lowshelf, 300, kButterQ, 5, 8000), "bass 5 300 0.70710678q"},
                      SoxCase{"highshelf", make(BiquadType::highshelf, 2500, kButterQ, -6, 8000),
                              "treble -6 2500 0.70710678q"}),
    [](const auto& info) { return std::string(info.param.name); });

// --- contract ----------------------------------------------------------------------------------------------

// DESIGN.md: results do not depend on the caller's block sizes (1, 7, 160, 4096 and one call: same bits).
TEST(Biquad, IndependentOfBlockSplit) {
  const auto in16 = noise_pcm(10000, 3, 5000.0);
  const std::vector<float> x(in16.begin(), in16.end());
  const auto cfg = make(BiquadType::peaking, 1000, 2, 6, 8000);
  Biquad whole(cfg);
  std::vector<float> ref(x.size());
  whole.process(x, ref);
  for (std::size_t block : {1u, 7u, 160u, 4096u}) {
    Biquad b(cfg);
    std::vector<float> y(x.size());
    for (std::size_t pos = 0; pos < x.size(); pos += block) {
      const std::size_t n = std::min(block, x.size() - pos);
      b.process(std::span(x).subspan(pos, n), std::span(y).subspan(pos, n));
    }
    EXPECT_EQ(std::memcmp(y.data(), ref.data(), y.size() * sizeof(float)), 0) << "block " << block;
  }
  // In place equals out of place; reset() returns to the just-constructed state.
  std::vector<float> z = x;
  whole.reset();
  whole.process(z);
  EXPECT_EQ(std::memcmp(z.data(), ref.data(), z.size() * sizeof(float)), 0);
}

// DESIGN.md "Denormals never slow the audio path": the decaying tail after an impulse never produces a
// subnormal float (process() runs with flush-to-zero), it reaches exact zero instead.
TEST(Biquad, DecayingTailHasNoSubnormals) {
  Biquad bq(make(BiquadType::lowpass, 100, 4, 0, 8000));  // a slow, ringing decay
  std::vector<float> x(200000, 0.0f), y(x.size());
  x[0] = 30000.0f;
  bq.process(x, y);
  std::size_t subnormal = 0;
  for (float v : y) subnormal += (v != 0.0f && std::abs(v) < FLT_MIN);
  EXPECT_EQ(subnormal, 0u);
  EXPECT_EQ(y.back(), 0.0f) << "the tail should have been flushed to zero";
}

TEST(Biquad, ConfigErrorsNameTheField) {
  auto message = [](BiquadConfig c) -> std::string {
    try {
      design_biquad(c);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "no exception";
  };
  BiquadConfig c;
  c.freq_hz = 4000;
  EXPECT_EQ(message(c).rfind("freq_hz", 0), 0u);
  c = {};
  c.q = 0;
  EXPECT_EQ(message(c).rfind("q:", 0), 0u);
  c = {};
  c.sample_rate_hz = -1;
  EXPECT_EQ(message(c).rfind("sample_rate_hz", 0), 0u);
  c = {};
  c.gain_db = NAN;
  EXPECT_EQ(message(c).rfind("gain_db", 0), 0u);
  EXPECT_EQ(message(BiquadConfig{}), "no exception");
}

}  // namespace
}  // namespace linedsp
