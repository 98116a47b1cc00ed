// Small dsp/ pieces (biquad, DC blocker, level meter, real FFT) and the denormals question.
//
// Denormals (DESIGN.md: "Denormals never slow the audio path"): after a signal stops, a recursive filter's
// state decays geometrically through the subnormal range (below 1.2e-38), where x86 takes a microcode assist
// on every operation. Rows on "decaying silence" (a 1e-37 impulse, then zeros, through a 100 Hz Q=4
// low-pass whose poles sit at radius 0.99, so most of the 4096-sample block is subnormal):
//   BM_DecayingSilence/raw_loop           the bare transposed-direct-form-II loop, MXCSR as the caller left it
//   BM_DecayingSilence/raw_loop_ftz       the same loop inside ScopedDenormalsOff (FTZ + DAZ)
//   BM_DecayingSilence/biquad             linedsp::Biquad::process (sets FTZ/DAZ itself)
//   BM_DecayingSilence/dc_blocker         linedsp::DcBlocker::process (sets FTZ/DAZ itself)
// and the same rows on ordinary signal for comparison (BM_Signal/...). The Goertzel banks need no row: their
// poles are on the unit circle (no decay) and their input comes from int16, which has no subnormals.
#include <benchmark/benchmark.h>

#include <cmath>
#include <complex>
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "dsp/biquad.hpp"
#include "dsp/dc_blocker.hpp"
#include "dsp/fft.hpp"
#include "dsp/level_meter.hpp"
#include "dsp/simd.hpp"

namespace {

constexpr std::size_t kBlock = 4096;

const linedsp::BiquadConfig kSlowLowpass{linedsp::BiquadType::lowpass, 100.0, 4.0, 0.0, 8000.0};

std::vector<float> decaying_silence() {
  std::vector<float> x(kBlock, 0.0f);
  x[0] = 1e-37f;
  return x;
}

std::vector<float> signal_block() {
  std::mt19937 rng(1);
  std::normal_distribution<float> g(0.0f, 3000.0f);
  std::vector<float> x(kBlock);
  for (auto& v : x) v = std::round(g(rng));
  return x;
}

// The bare loop, no MXCSR handling (what Biquad::process does inside its guard).
void raw_df2t(const linedsp::BiquadCoeffs& c, const float* x, float* y, std::size_t n) {
  const float b0 = float(c.b0), b1 = float(c.b1), b2 = float(c.b2), a1 = float(c.a1), a2 = float(c.a2);
  float z1 = 0, z2 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const float out = b0 * x[i] + z1;
    z1 = b1 * x[i] - a1 * out + z2;
    z2 = b2 * x[i] - a2 * out;
    y[i] = out;
  }
}

void audio_counters(benchmark::State& state, double bytes) {
  state.counters["channels_per_core"] =
      benchmark::Counter(double(state.iterations()) * kBlock / 8000.0, benchmark::Counter::kIsRate);
  state.counters["bytes_per_channel"] = bytes;
}

enum class Path { raw_loop, raw_loop_ftz, biquad, dc_blocker };

void run_path(benchmark::State& state, Path path, const std::vector<float>& x) {
  std::vector<float> y(kBlock);
  const auto coeffs = linedsp::design_biquad(kSlowLowpass);
  linedsp::Biquad bq(kSlowLowpass);
  linedsp::DcBlocker dc;
  double bytes = 0;
  if (path == Path::raw_loop || path == Path::raw_loop_ftz) {
    std::optional<linedsp::ScopedDenormalsOff> ftz;
    if (path == Path::raw_loop_ftz) ftz.emplace();
    for (auto _ : state) {
      raw_df2t(coeffs, x.data(), y.data(), kBlock);
      benchmark::DoNotOptimize(y.data());
    }
    bytes = 7 * sizeof(float);
  } else if (path == Path::biquad) {
    for (auto _ : state) {
      bq.reset();
      bq.process(x, y);
      benchmark::DoNotOptimize(y.data());
    }
    bytes = sizeof(linedsp::Biquad);
  } else {
    for (auto _ : state) {
      dc.reset();
      dc.process(x, y);
      benchmark::DoNotOptimize(y.data());
    }
    bytes = sizeof(linedsp::DcBlocker);
  }
  std::size_t subnormal = 0;
  for (float v : y) subnormal += (v != 0.0f && std::fpclassify(v) == FP_SUBNORMAL);
  state.counters["subnormal_outputs"] = double(subnormal);
  audio_counters(state, bytes);
}

void BM_DecayingSilence(benchmark::State& state, Path path) { run_path(state, path, decaying_silence()); }
void BM_Signal(benchmark::State& state, Path path) { run_path(state, path, signal_block()); }

BENCHMARK_CAPTURE(BM_DecayingSilence, raw_loop, Path::raw_loop);
BENCHMARK_CAPTURE(BM_DecayingSilence, raw_loop_ftz, Path::raw_loop_ftz);
BENCHMARK_CAPTURE(BM_DecayingSilence, biquad, Path::biquad);
BENCHMARK_CAPTURE(BM_DecayingSilence, dc_blocker, Path::dc_blocker);
BENCHMARK_CAPTURE(BM_Signal, raw_loop, Path::raw_loop);
BENCHMARK_CAPTURE(BM_Signal, raw_loop_ftz, Path::raw_loop_ftz);
BENCHMARK_CAPTURE(BM_Signal, biquad, Path::biquad);
BENCHMARK_CAPTURE(BM_Signal, dc_blocker, Path::dc_blocker);

// Level meter on 20 ms frames (int16 in), 100 ms window.
void BM_LevelMeter(benchmark::State& state) {
  std::vector<std::int16_t> pcm(160);
  std::mt19937 rng(2);
  for (auto& s : pcm) s = static_cast<std::int16_t>(rng() % 20000) - 10000;
  linedsp::LevelMeter meter;
  double level = 0;
  for (auto _ : state) {
    meter.process(pcm);
    level += meter.level_dbm0();
  }
  benchmark::DoNotOptimize(level);
  state.counters["channels_per_core"] =
      benchmark::Counter(double(state.iterations()) * 160 / 8000.0, benchmark::Counter::kIsRate);
  state.counters["bytes_per_channel"] = double(sizeof(linedsp::LevelMeter) + meter.window_samples() * 2);
}
BENCHMARK(BM_LevelMeter);

// Real FFT forward + inverse of n points (transforms per second).
void BM_RealFft(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  linedsp::RealFft fft(n);
  std::vector<float> x(n, 1.0f), y(n);
  std::vector<std::complex<float>> spec(fft.bins());
  for (auto _ : state) {
    fft.forward(x, spec);
    fft.inverse(spec, y);
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RealFft)->Arg(256)->Arg(1024);

}  // namespace
