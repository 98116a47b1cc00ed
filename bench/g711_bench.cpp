// G.711 batch encode/decode: linedsp per instruction set beside spandsp's (inline, Sun-lineage) codec,
// on the same 20 ms frames and on long batches. channels_per_core = real-time 8 kHz channels one core
// codes; items_per_second = samples per second. G.711 keeps no state: bytes_per_channel = 0.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "codecs/g711.hpp"
#include "dsp/simd.hpp"

#if LINEDSP_HAVE_SPANDSP
#include <spandsp.h>
#endif

namespace {

using linedsp::Isa;
using linedsp::Law;

std::vector<std::int16_t> speech_like(std::size_t n) {
  std::mt19937 rng(1);
  std::normal_distribution<double> g(0.0, 3000.0);
  std::vector<std::int16_t> x(n);
  double y = 0;
  for (auto& s : x) {
    y = 0.9 * y + g(rng);
    s = static_cast<std::int16_t>(std::clamp(y, -32768.0, 32767.0));
  }
  return x;
}

void counters(benchmark::State& state, std::size_t samples_per_iter) {
  const double samples = static_cast<double>(state.iterations()) * static_cast<double>(samples_per_iter);
  state.SetItemsProcessed(static_cast<std::int64_t>(samples));
  state.counters["channels_per_core"] = benchmark::Counter(samples / 8000.0, benchmark::Counter::kIsRate);
  state.counters["bytes_per_channel"] = 0;
}

void BM_G711Encode(benchmark::State& state, Isa isa, Law law) {
  if (!linedsp::isa_supported(isa)) return state.SkipWithError("ISA not on this CPU");
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const auto x = speech_like(n);
  std::vector<std::uint8_t> codes(n), ref(n);
  const auto& k = linedsp::g711_kernels(isa);
  auto fn = law == Law::ulaw ? k.encode_ulaw : k.encode_alaw;
  for (auto _ : state) {
    fn(x.data(), codes.data(), n);
    benchmark::DoNotOptimize(codes.data());
  }
  counters(state, n);
  const auto& s = linedsp::g711_kernels(Isa::scalar);
  (law == Law::ulaw ? s.encode_ulaw : s.encode_alaw)(x.data(), ref.data(), n);
  if (ref != codes) state.SkipWithError("differs from the scalar reference");
}

void BM_G711Decode(benchmark::State& state, Isa isa, Law law) {
  if (!linedsp::isa_supported(isa)) return state.SkipWithError("ISA not on this CPU");
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const auto x = speech_like(n);
  std::vector<std::uint8_t> codes(n);
  linedsp::g711_encode(law, x, codes);
  std::vector<std::int16_t> out(n), ref(n);
  const auto& k = linedsp::g711_kernels(isa);
  auto fn = law == Law::ulaw ? k.decode_ulaw : k.decode_alaw;
  for (auto _ : state) {
    fn(codes.data(), out.data(), n);
    benchmark::DoNotOptimize(out.data());
  }
  counters(state, n);
  const auto& s = linedsp::g711_kernels(Isa::scalar);
  (law == Law::ulaw ? s.decode_ulaw : s.decode_alaw)(codes.data(), ref.data(), n);
  if (ref != out) state.SkipWithError("differs from the scalar reference");
}

#define LINEDSP_G711_BENCH(isa)                                                                           \
  BENCHMARK_CAPTURE(BM_G711Encode, ulaw_##isa, Isa::isa, Law::ulaw)->Arg(160)->Arg(8000);                \
  BENCHMARK_CAPTURE(BM_G711Encode, alaw_##isa, Isa::isa, Law::alaw)->Arg(160)->Arg(8000);                \
  BENCHMARK_CAPTURE(BM_G711Decode, ulaw_##isa, Isa::isa, Law::ulaw)->Arg(160)->Arg(8000);                \
  BENCHMARK_CAPTURE(BM_G711Decode, alaw_##isa, Isa::isa, Law::alaw)->Arg(160)->Arg(8000);
LINEDSP_G711_BENCH(scalar)
LINEDSP_G711_BENCH(sse2)
LINEDSP_G711_BENCH(avx2)
LINEDSP_G711_BENCH(avx512)

#if LINEDSP_HAVE_SPANDSP
// spandsp 0.0.6's batch API (g711_encode/g711_decode over a g711_state_t).
void BM_SpandspG711Encode(benchmark::State& state, int mode) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const auto x = speech_like(n);
  std::vector<std::uint8_t> codes(n);
  g711_state_t* g = g711_init(nullptr, mode);
  for (auto _ : state) {
    g711_encode(g, codes.data(), x.data(), static_cast<int>(n));
    benchmark::DoNotOptimize(codes.data());
  }
  g711_free(g);
  counters(state, n);
}
void BM_SpandspG711Decode(benchmark::State& state, int mode) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const auto x = speech_like(n);
  std::vector<std::uint8_t> codes(n);
  std::vector<std::int16_t> out(n);
  g711_state_t* g = g711_init(nullptr, mode);
  g711_encode(g, codes.data(), x.data(), static_cast<int>(n));
  for (auto _ : state) {
    g711_decode(g, out.data(), codes.data(), static_cast<int>(n));
    benchmark::DoNotOptimize(out.data());
  }
  g711_free(g);
  counters(state, n);
}
BENCHMARK_CAPTURE(BM_SpandspG711Encode, ulaw_spandsp, G711_ULAW)->Arg(160)->Arg(8000);
BENCHMARK_CAPTURE(BM_SpandspG711Encode, alaw_spandsp, G711_ALAW)->Arg(160)->Arg(8000);
BENCHMARK_CAPTURE(BM_SpandspG711Decode, ulaw_spandsp, G711_ULAW)->Arg(160)->Arg(8000);
BENCHMARK_CAPTURE(BM_SpandspG711Decode, alaw_spandsp, G711_ALAW)->Arg(160)->Arg(8000);
#endif

}  // namespace
