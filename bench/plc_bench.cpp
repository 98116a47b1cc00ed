// G.711 Appendix I packet-loss concealment beside spandsp's plc (plc_rx/plc_fillin), on 20 ms packets
// of a voiced speech-like signal at 0 %, 10 % and 100 % loss. channels_per_core = real-time 8 kHz
// channels one core conceals; bytes_per_channel = the concealer's state. Scalar only: the work is a
// pitch search once per loss and copies, not a kernel worth per-ISA variants.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "codecs/plc.hpp"

#if LINEDSP_HAVE_SPANDSP
#include <spandsp.h>
#endif

namespace {

constexpr std::size_t kPacket = 160;  // 20 ms
constexpr std::size_t kPackets = 500;  // 10 s

// Glottal-pulse-like excitation at a gliding pitch through a one-pole lowpass, plus noise.
std::vector<std::int16_t> voiced(std::size_t n) {
  std::mt19937 rng(2);
  std::normal_distribution<double> g(0.0, 200.0);
  std::vector<std::int16_t> x(n);
  double phase = 0, y = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double f0 = 110.0 + 40.0 * std::sin(static_cast<double>(i) / 8000.0);
    phase += f0 / 8000.0;
    const double pulse = phase >= 1.0 ? 20000.0 : 0.0;
    if (phase >= 1.0) phase -= 1.0;
    y = 0.85 * y + pulse + g(rng);
    x[i] = static_cast<std::int16_t>(std::clamp(y * 0.5, -32768.0, 32767.0));
  }
  return x;
}

std::vector<bool> losses(double rate) {
  std::mt19937 rng(3);
  std::bernoulli_distribution lose(rate);
  std::vector<bool> l(kPackets);
  for (std::size_t i = 0; i < kPackets; ++i) l[i] = rate >= 1.0 ? i > 0 : lose(rng);
  return l;
}

void counters(benchmark::State& state, std::size_t bytes) {
  const double samples = static_cast<double>(state.iterations()) * kPacket * kPackets;
  state.SetItemsProcessed(static_cast<std::int64_t>(samples));
  state.counters["channels_per_core"] = benchmark::Counter(samples / 8000.0, benchmark::Counter::kIsRate);
  state.counters["bytes_per_channel"] = static_cast<double>(bytes);
}

void BM_G711Plc(benchmark::State& state) {
  const auto x = voiced(kPacket * kPackets);
  const auto lost = losses(static_cast<double>(state.range(0)) / 100.0);
  std::vector<std::int16_t> out(x.size());
  linedsp::G711Plc plc;
  for (auto _ : state) {
    for (std::size_t p = 0; p < kPackets; ++p) {
      std::span<std::int16_t> o(out.data() + p * kPacket, kPacket);
      if (lost[p]) plc.lost_frame(o);
      else plc.good_frame(std::span<const std::int16_t>(x.data() + p * kPacket, kPacket), o);
    }
    benchmark::DoNotOptimize(out.data());
  }
  counters(state, sizeof(linedsp::G711Plc));
}
BENCHMARK(BM_G711Plc)->Arg(0)->Arg(10)->Arg(100)->ArgName("loss_pct");

#if LINEDSP_HAVE_SPANDSP
void BM_SpandspPlc(benchmark::State& state) {
  const auto x = voiced(kPacket * kPackets);
  const auto lost = losses(static_cast<double>(state.range(0)) / 100.0);
  std::vector<std::int16_t> out(x.size());
  plc_state_t* s = plc_init(nullptr);
  for (auto _ : state) {
    for (std::size_t p = 0; p < kPackets; ++p) {
      std::int16_t* o = out.data() + p * kPacket;
      if (lost[p]) {
        plc_fillin(s, o, static_cast<int>(kPacket));
      } else {
        std::copy_n(x.data() + p * kPacket, kPacket, o);
        plc_rx(s, o, static_cast<int>(kPacket));
      }
    }
    benchmark::DoNotOptimize(out.data());
  }
  plc_free(s);
  counters(state, sizeof(plc_state_t));
}
BENCHMARK(BM_SpandspPlc)->Arg(0)->Arg(10)->Arg(100)->ArgName("loss_pct");
#endif

}  // namespace
