// Caller-ID FSK receiver: channels one core sustains (channels_per_core = audio seconds per CPU second) and
// memory per channel, for linedsp's CallerIdReceiver under each SIMD variant and for spandsp's adsi_rx (same
// input, same executable). The input is realistic line audio: repeated on-hook spills (seizure, marks, an MDMF
// message) with silence between them and white noise 30 dB below the signal throughout.
//
// After timing, each ISA's events are checked against the scalar ones (a fast-but-wrong kernel fails loudly).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "dsp/level.hpp"
#include "dsp/simd.hpp"
#include "signals/callerid.hpp"

#if defined(LINEDSP_HAVE_SPANDSP)
#include <malloc.h>
#include <spandsp.h>
#endif

namespace {

using namespace linedsp;

const std::vector<std::int16_t>& bench_input(FskModem modem) {
  static std::vector<std::int16_t> in[2];
  auto& v = in[modem == FskModem::v23 ? 1 : 0];
  if (!v.empty()) return v;
  CallerIdMessage m;
  m.date_time = "11231030";
  m.number = "5551234567";
  m.name = "LINEDSP BENCH";
  const auto bytes = encode_callerid(m, CallerIdFormat::mdmf);
  CallerIdSenderConfig sc;
  sc.modem = modem;
  const auto spill = callerid_fsk_spill(bytes, sc);
  std::mt19937 rng(1);
  std::normal_distribution<double> noise(0.0, std::sqrt(dbm0_to_power(-13.5 - 30.0)));
  for (int rep = 0; rep < 5; ++rep) {  // 5 x (1 s spill + 1 s pause) = about 10 s
    v.insert(v.end(), spill.begin(), spill.end());
    v.resize(v.size() + 8000 + (8000 - spill.size() % 8000), 0);
  }
  for (auto& s : v) s = static_cast<std::int16_t>(std::lround(std::clamp(s + noise(rng), -32768.0, 32767.0)));
  return v;
}

struct Summary {
  std::size_t ok = 0, other = 0;
  std::uint64_t last_sample = 0;
  bool operator==(const Summary&) const = default;
};

Summary run_once(CallerIdReceiver& rx, const std::vector<std::int16_t>& pcm, std::size_t block) {
  Summary s;
  auto sink = [&](const CallerIdEvent& e) {
    if (e.begin) return;
    (e.status == CallerIdStatus::ok ? s.ok : s.other)++;
    s.last_sample = e.sample;
  };
  rx.reset();
  for (std::size_t i = 0; i < pcm.size(); i += block)
    rx.process(std::span<const std::int16_t>(pcm.data() + i, std::min(block, pcm.size() - i)), sink);
  return s;
}

void BM_CallerIdReceiver(benchmark::State& state, FskModem modem, Isa isa) {
  if (!isa_supported(isa)) {
    state.SkipWithError("CPU lacks this ISA");
    return;
  }
  const auto& pcm = bench_input(modem);
  const std::size_t block = static_cast<std::size_t>(state.range(0));
  CallerIdReceiverConfig cfg;
  cfg.modem = modem;
  CallerIdReceiver rx(cfg, isa);
  Summary got;
  for (auto _ : state) {
    got = run_once(rx, pcm, block);
    benchmark::DoNotOptimize(got);
  }
  const double audio_s = double(state.iterations()) * double(pcm.size()) / 8000.0;
  state.counters["channels_per_core"] = benchmark::Counter(audio_s, benchmark::Counter::kIsRate);
  state.counters["bytes_per_channel"] = double(rx.memory_bytes());
  // Check against scalar after timing.
  CallerIdReceiver ref(cfg, Isa::scalar);
  const Summary want = run_once(ref, pcm, block);
  if (!(got == want) || want.ok != 5) {
    std::fprintf(stderr, "callerid_bench: %s decoded %zu ok / %zu other, scalar %zu / %zu (expected 5 ok)\n",
                 isa_name(isa), got.ok, got.other, want.ok, want.other);
    state.SkipWithError("output differs from scalar or from the 5 messages sent");
  }
}

#define LINEDSP_CID_BENCH(modem, isa)                                                                  \
  BENCHMARK_CAPTURE(BM_CallerIdReceiver, modem##_##isa, FskModem::modem, Isa::isa)->Arg(160)->Arg(4096)
LINEDSP_CID_BENCH(bell202, scalar);
LINEDSP_CID_BENCH(bell202, avx2);
LINEDSP_CID_BENCH(bell202, avx512);
LINEDSP_CID_BENCH(v23, scalar);
LINEDSP_CID_BENCH(v23, avx2);
LINEDSP_CID_BENCH(v23, avx512);

#if defined(LINEDSP_HAVE_SPANDSP)
struct AdsiCount {
  std::size_t msgs = 0;
};
void adsi_count(void* user, const std::uint8_t*, int len) {
  if (len > 0) ++static_cast<AdsiCount*>(user)->msgs;
}

void BM_SpandspAdsiRx(benchmark::State& state, FskModem modem) {
  const auto& pcm = bench_input(modem);
  const std::size_t block = static_cast<std::size_t>(state.range(0));
  const int standard = modem == FskModem::v23 ? ADSI_STANDARD_CLIP : ADSI_STANDARD_CLASS;
  AdsiCount count;
  adsi_rx_state_t* rx = adsi_rx_init(nullptr, standard, adsi_count, &count);
  std::vector<std::int16_t> copy = pcm;
  for (auto _ : state) {
    count.msgs = 0;
    adsi_rx_init(rx, standard, adsi_count, &count);  // reset (re-initialises in place)
    for (std::size_t i = 0; i < copy.size(); i += block)
      adsi_rx(rx, copy.data() + i, static_cast<int>(std::min(block, copy.size() - i)));
    benchmark::DoNotOptimize(count.msgs);
  }
  const double audio_s = double(state.iterations()) * double(pcm.size()) / 8000.0;
  state.counters["channels_per_core"] = benchmark::Counter(audio_s, benchmark::Counter::kIsRate);
  state.counters["bytes_per_channel"] = double(malloc_usable_size(rx));  // its state is one malloc'd struct
  state.counters["messages"] = double(count.msgs);
  adsi_rx_free(rx);
}
BENCHMARK_CAPTURE(BM_SpandspAdsiRx, bell202, FskModem::bell202)->Arg(160)->Arg(4096);
BENCHMARK_CAPTURE(BM_SpandspAdsiRx, v23, FskModem::v23)->Arg(160)->Arg(4096);
#endif

}  // namespace
