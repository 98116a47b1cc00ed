// Modem/fax tone detection: channels one core sustains (channels_per_core = audio seconds per CPU second) and
// memory per channel, for linedsp's ModemToneDetector (every tone type at once) under each SIMD variant, its
// 16-channel bank, and spandsp's modem_connect_tones_rx in the same executable: one instance for /ANSam (the
// brief's peer; it reports ANS, ANSam, /ANS and /ANSam) and the three instances spandsp needs to cover what ours
// does (FAX_CNG + ANSAM_PR + FAX_CED_OR_PREAMBLE, the last one running its V.21 receiver for the flags).
//
// Input (about 16 s): a call's worth of signalling — CNG, /ANSam, V.21 flags, ANS — with white noise 40 dB below
// the tones throughout. After timing, each ISA's events are checked against the scalar ones and against the tones
// sent (a fast-but-wrong kernel fails loudly).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "dsp/level.hpp"
#include "dsp/simd.hpp"
#include "signals/modem_tone_detector.hpp"
#include "signals/modem_tone_generator.hpp"

#if defined(LINEDSP_HAVE_SPANDSP)
#include <malloc.h>
#include <spandsp.h>
#endif

namespace {

using namespace linedsp;

const char* const kExpected = "cng ansam-pr v21-flags ans";

const std::vector<std::int16_t>& bench_input() {
  static std::vector<std::int16_t> v;
  if (!v.empty()) return v;
  auto add = [](ModemTone t, int ms) {
    ModemToneGeneratorConfig c;
    c.tone = t;
    c.duration_ms = ms;
    ModemToneGenerator g(c);
    const std::size_t at = v.size();
    v.resize(at + static_cast<std::size_t>(ms) * 8);
    g.generate(std::span(v.data() + at, v.size() - at));
  };
  auto pause = [](int ms) { v.resize(v.size() + static_cast<std::size_t>(ms) * 8, 0); };
  pause(500);
  add(ModemTone::cng, 4000);
  add(ModemTone::ansam_pr, 3300);
  pause(75);
  add(ModemTone::v21_flags, 1000);
  pause(1000);
  add(ModemTone::ans, 3300);
  pause(3000);
  std::mt19937 rng(1);
  std::normal_distribution<double> noise(0.0, std::sqrt(dbm0_to_power(kModemToneLevelDbm0 - 40.0)));
  for (auto& s : v) s = static_cast<std::int16_t>(std::lround(std::clamp(s + noise(rng), -32768.0, 32767.0)));
  return v;
}

struct Summary {
  std::string begun;
  std::uint64_t checksum = 0;
  bool operator==(const Summary&) const = default;
};

void note(Summary& s, const ModemToneEvent& e) {
  if (e.begin) s.begun += (s.begun.empty() ? "" : " ") + std::string(modem_tone_name(e.tone));
  s.checksum = s.checksum * 1000003u + e.sample + e.duration_samples * 7u + e.decided_sample * 13u;
}

Summary run_once(ModemToneDetector& det, const std::vector<std::int16_t>& pcm, std::size_t block) {
  Summary s;
  auto sink = [&](const ModemToneEvent& e) { note(s, e); };
  det.reset();
  for (std::size_t i = 0; i < pcm.size(); i += block)
    det.process(std::span<const std::int16_t>(pcm.data() + i, std::min(block, pcm.size() - i)), sink);
  det.finish(sink);
  return s;
}

void BM_ModemToneDetector(benchmark::State& state, Isa isa) {
  if (!isa_supported(isa)) {
    state.SkipWithError("CPU lacks this ISA");
    return;
  }
  const auto& pcm = bench_input();
  const std::size_t block = static_cast<std::size_t>(state.range(0));
  ModemToneDetector det({}, isa);
  Summary got;
  for (auto _ : state) {
    got = run_once(det, pcm, block);
    benchmark::DoNotOptimize(got.checksum);
  }
  const double audio_s = double(state.iterations()) * double(pcm.size()) / 8000.0;
  state.counters["channels_per_core"] = benchmark::Counter(audio_s, benchmark::Counter::kIsRate);
  state.counters["bytes_per_channel"] = double(det.memory_bytes());
  ModemToneDetector ref({}, Isa::scalar);
  const Summary want = run_once(ref, pcm, block);
  if (!(got == want) || want.begun != kExpected) {
    std::fprintf(stderr, "modem_bench: %s saw \"%s\", scalar \"%s\" (expected \"%s\")\n", isa_name(isa),
                 got.begun.c_str(), want.begun.c_str(), kExpected);
    state.SkipWithError("output differs from scalar or from the tones sent");
  }
}
BENCHMARK_CAPTURE(BM_ModemToneDetector, scalar, Isa::scalar)->Arg(160);
BENCHMARK_CAPTURE(BM_ModemToneDetector, sse2, Isa::sse2)->Arg(160);
BENCHMARK_CAPTURE(BM_ModemToneDetector, avx2, Isa::avx2)->Arg(160);
BENCHMARK_CAPTURE(BM_ModemToneDetector, avx512, Isa::avx512)->Arg(160)->Arg(4096);

// 16 channels interleaved (the same input on every channel, each channel's events checked).
void BM_ModemToneDetectorBank(benchmark::State& state, Isa isa) {
  if (!isa_supported(isa)) {
    state.SkipWithError("CPU lacks this ISA");
    return;
  }
  constexpr std::size_t kCh = 16;
  const auto& pcm = bench_input();
  std::vector<std::int16_t> inter(pcm.size() * kCh);
  for (std::size_t i = 0; i < pcm.size(); ++i)
    for (std::size_t c = 0; c < kCh; ++c) inter[i * kCh + c] = pcm[i];
  ModemToneDetectorBank bank({}, kCh, isa);
  std::vector<Summary> got(kCh);
  const std::size_t frames = 160;
  for (auto _ : state) {
    for (auto& g : got) g = {};
    auto sink = [&](const ModemToneBankEvent& e) { note(got[e.channel], e.event); };
    bank.reset();
    for (std::size_t f = 0; f < pcm.size(); f += frames)
      bank.process(std::span<const std::int16_t>(inter.data() + f * kCh, std::min(frames, pcm.size() - f) * kCh), sink);
    bank.finish(sink);
    benchmark::DoNotOptimize(got[0].checksum);
  }
  const double audio_s = double(state.iterations()) * double(pcm.size()) * kCh / 8000.0;
  state.counters["channels_per_core"] = benchmark::Counter(audio_s, benchmark::Counter::kIsRate);
  state.counters["bytes_per_channel"] = double(bank.memory_bytes()) / kCh;
  ModemToneDetector ref({}, Isa::scalar);
  const Summary want = run_once(ref, pcm, 160);
  for (const auto& g : got)
    if (!(g == want)) {
      state.SkipWithError("a bank channel differs from the scalar detector");
      break;
    }
}
BENCHMARK_CAPTURE(BM_ModemToneDetectorBank, avx512, Isa::avx512);

#if defined(LINEDSP_HAVE_SPANDSP)
void spandsp_hit(void* user, int code, int, int) {
  if (code != MODEM_CONNECT_TONES_NONE) ++*static_cast<int*>(user);
}

// `types` spandsp receivers over the same input (one per tone family it must listen for).
void BM_SpandspModemConnectTonesRx(benchmark::State& state, std::vector<int> types) {
  const auto& pcm = bench_input();
  std::vector<std::int16_t> copy = pcm;
  const std::size_t block = 160;
  int hits = 0;
  std::vector<modem_connect_tones_rx_state_t*> rx;
  for (int t : types) rx.push_back(modem_connect_tones_rx_init(nullptr, t, spandsp_hit, &hits));
  for (auto _ : state) {
    hits = 0;
    for (std::size_t k = 0; k < rx.size(); ++k) modem_connect_tones_rx_init(rx[k], types[k], spandsp_hit, &hits);
    for (std::size_t i = 0; i < copy.size(); i += block)
      for (auto* r : rx) modem_connect_tones_rx(r, copy.data() + i, static_cast<int>(std::min(block, copy.size() - i)));
    benchmark::DoNotOptimize(hits);
  }
  const double audio_s = double(state.iterations()) * double(pcm.size()) / 8000.0;
  state.counters["channels_per_core"] = benchmark::Counter(audio_s, benchmark::Counter::kIsRate);
  double bytes = 0;
  for (auto* r : rx) bytes += double(malloc_usable_size(r));  // each state is one malloc'd struct
  state.counters["bytes_per_channel"] = bytes;
  state.counters["reports"] = double(hits);
  for (auto* r : rx) modem_connect_tones_rx_free(r);
}
BENCHMARK_CAPTURE(BM_SpandspModemConnectTonesRx, ansam_pr, std::vector<int>{MODEM_CONNECT_TONES_ANSAM_PR});
BENCHMARK_CAPTURE(BM_SpandspModemConnectTonesRx, all_three,
                  std::vector<int>{MODEM_CONNECT_TONES_FAX_CNG, MODEM_CONNECT_TONES_ANSAM_PR,
                                   MODEM_CONNECT_TONES_FAX_CED_OR_PREAMBLE});
#endif

}  // namespace
