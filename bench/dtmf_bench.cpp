// DTMF receivers: linedsp's one-channel DtmfDetector and the N-channel DtmfDetectorBank per instruction set,
// beside spandsp's dtmf_rx in the same run. Input: 1 s per channel of DTMF digits (Q.23 levels) in white
// noise, fed in 20 ms frames (160 samples) as a gateway would. channels_per_core = audio seconds processed
// per CPU second = real-time 8 kHz channels one core carries; bytes_per_channel = state per channel.
// After timing, each ISA variant's events are checked against the scalar variant's (a fast-but-wrong kernel
// fails loudly with SkipWithError).
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "dsp/simd.hpp"
#include "signals/dtmf_detector.hpp"
#include "signals/dtmf_generator.hpp"

#if LINEDSP_HAVE_SPANDSP
#include <spandsp.h>
#include <spandsp/private/logging.h>
#include <spandsp/private/queue.h>
#include <spandsp/private/tone_generate.h>
#include <spandsp/private/tone_detect.h>
#include <spandsp/private/dtmf.h>
#endif

namespace {

using linedsp::Isa;
constexpr std::size_t kFrame = 160;    // 20 ms
constexpr std::size_t kSamples = 8000;  // 1 s per channel per iteration

// Channel `ch`'s second of audio: its own digit string (rotated), noise at -50 dBm0-ish.
std::vector<std::int16_t> channel_audio(std::size_t ch) {
  linedsp::DtmfGeneratorConfig c;
  c.on_ms = 50;
  c.off_ms = 50;
  linedsp::DtmfGenerator gen(c);
  std::string digits = "0123456789*#ABCD";
  std::rotate(digits.begin(), digits.begin() + static_cast<std::ptrdiff_t>(ch % 16), digits.end());
  gen.queue(digits.substr(0, 9));
  std::vector<std::int16_t> x(kSamples);
  gen.generate(x);
  std::mt19937 rng(static_cast<unsigned>(ch + 1));
  std::normal_distribution<double> g(0.0, 20.0);
  for (auto& s : x) s = static_cast<std::int16_t>(std::clamp(std::lround(s + g(rng)), -32768L, 32767L));
  return x;
}

struct Ev {
  std::uint32_t channel;
  char digit;
  bool begin;
  std::uint64_t sample, duration;
  bool operator==(const Ev&) const = default;
};

void set_counters(benchmark::State& state, double audio_seconds_per_iter, double bytes_per_channel) {
  state.counters["channels_per_core"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * audio_seconds_per_iter, benchmark::Counter::kIsRate);
  state.counters["bytes_per_channel"] = bytes_per_channel;
}

std::vector<Ev> run_single(Isa isa, const std::vector<std::int16_t>& x) {
  linedsp::DtmfDetector det(linedsp::DtmfDetectorConfig{}, isa);
  std::vector<Ev> ev;
  auto sink = [&](const linedsp::DtmfEvent& e) { ev.push_back({0, e.digit, e.begin, e.sample, e.duration_samples}); };
  for (std::size_t i = 0; i < x.size(); i += kFrame) det.process(std::span(x).subspan(i, kFrame), sink);
  det.finish(sink);
  return ev;
}

void BM_DtmfDetector(benchmark::State& state, Isa isa) {
  if (!linedsp::isa_supported(isa)) return state.SkipWithError("ISA not on this CPU");
  const auto x = channel_audio(0);
  linedsp::DtmfDetector det(linedsp::DtmfDetectorConfig{}, isa);
  std::size_t events = 0;
  auto sink = [&](const linedsp::DtmfEvent&) { ++events; };
  for (auto _ : state) {
    for (std::size_t i = 0; i < x.size(); i += kFrame) det.process(std::span(x).subspan(i, kFrame), sink);
    benchmark::DoNotOptimize(events);
  }
  set_counters(state, static_cast<double>(kSamples) / 8000.0, sizeof(linedsp::DtmfDetector));
  const auto got = run_single(isa, x), want = run_single(Isa::scalar, x);
  if (want.size() != 18) return state.SkipWithError("the scalar detector missed digits of the bench signal");
  if (got != want) state.SkipWithError("events differ from the scalar variant");
}

std::vector<std::int16_t> interleaved(std::size_t channels) {
  std::vector<std::int16_t> x(kSamples * channels);
  for (std::size_t c = 0; c < channels; ++c) {
    const auto one = channel_audio(c);
    for (std::size_t f = 0; f < kSamples; ++f) x[f * channels + c] = one[f];
  }
  return x;
}

std::vector<Ev> run_bank(Isa isa, const std::vector<std::int16_t>& x, std::size_t channels) {
  linedsp::DtmfDetectorBank bank(linedsp::DtmfDetectorConfig{}, channels, isa);
  std::vector<Ev> ev;
  auto sink = [&](const linedsp::DtmfChannelEvent& c) {
    ev.push_back({c.channel, c.event.digit, c.event.begin, c.event.sample, c.event.duration_samples});
  };
  for (std::size_t i = 0; i < x.size(); i += kFrame * channels) bank.process(std::span(x).subspan(i, kFrame * channels), sink);
  bank.finish(sink);
  return ev;
}

void BM_DtmfDetectorBank(benchmark::State& state, Isa isa) {
  if (!linedsp::isa_supported(isa)) return state.SkipWithError("ISA not on this CPU");
  const auto channels = static_cast<std::size_t>(state.range(0));
  const auto x = interleaved(channels);
  linedsp::DtmfDetectorBank bank(linedsp::DtmfDetectorConfig{}, channels, isa);
  std::size_t events = 0;
  auto sink = [&](const linedsp::DtmfChannelEvent&) { ++events; };
  for (auto _ : state) {
    for (std::size_t i = 0; i < x.size(); i += kFrame * channels)
      bank.process(std::span(x).subspan(i, kFrame * channels), sink);
    benchmark::DoNotOptimize(events);
  }
  set_counters(state, static_cast<double>(kSamples * channels) / 8000.0, static_cast<double>(bank.bytes_per_channel()));
  const auto got = run_bank(isa, x, channels), want = run_bank(Isa::scalar, x, channels);
  if (want.size() != 18 * channels) return state.SkipWithError("the scalar bank missed digits of the bench signal");
  if (got != want) state.SkipWithError("events differ from the scalar variant");
}

#define LINEDSP_DTMF_BENCH(isa)                                                                  \
  BENCHMARK_CAPTURE(BM_DtmfDetector, isa, Isa::isa);                                             \
  BENCHMARK_CAPTURE(BM_DtmfDetectorBank, isa, Isa::isa)->ArgName("channels")->Arg(16)->Arg(64)->Arg(256);
LINEDSP_DTMF_BENCH(scalar)
LINEDSP_DTMF_BENCH(sse2)
LINEDSP_DTMF_BENCH(avx2)
LINEDSP_DTMF_BENCH(avx512)
#undef LINEDSP_DTMF_BENCH

#if LINEDSP_HAVE_SPANDSP
// spandsp 0.0.6 dtmf_rx with its defaults (8 dB normal / 4 dB reverse twist, -42 dBm0 threshold... as shipped).
void BM_SpandspDtmfRx(benchmark::State& state) {
  const auto x = channel_audio(0);
  dtmf_rx_state_t* rx = dtmf_rx_init(nullptr, nullptr, nullptr);
  char digits[64];
  for (auto _ : state) {
    for (std::size_t i = 0; i < x.size(); i += kFrame)
      dtmf_rx(rx, x.data() + i, static_cast<int>(kFrame));
    benchmark::DoNotOptimize(dtmf_rx_get(rx, digits, 64));
  }
  set_counters(state, static_cast<double>(kSamples) / 8000.0, sizeof(dtmf_rx_state_t));
  dtmf_rx_free(rx);
  dtmf_rx_state_t* check = dtmf_rx_init(nullptr, nullptr, nullptr);
  dtmf_rx(check, x.data(), static_cast<int>(x.size()));
  const auto got = dtmf_rx_get(check, digits, 64);
  dtmf_rx_free(check);
  if (got != 9) state.SkipWithError("spandsp missed digits of the bench signal");
}
BENCHMARK(BM_SpandspDtmfRx);
#endif

}  // namespace
