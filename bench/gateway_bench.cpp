// A whole gateway channel on 20 ms frames (issue 7), per ISA: G.711 mu-law decode of the network side, line echo
// canceller with a 64 ms tail, DTMF + call-progress (US plan) + modem/fax-tone detection on the cleaned line
// side, G.711 mu-law encode back to the network. channels_per_core = audio seconds per CPU second (the real-time
// 8 kHz channels one core carries); bytes_per_channel = the state one channel owns.
//
// The chain, its signal and the same chain built from spandsp 0.0.6 (g711, echo_can 512 taps, dtmf_rx,
// super_tone_rx with the US plan, modem_connect_tones_rx for CNG, ANSam/PR and CED/preamble — what ours listens
// for in one detector) come from bench/density (the gateway-channel rows of `linedsp bench`), 16 channels per
// bank: compare BM_GatewayChannel/<isa> with BM_GatewayChannel_spandsp (target: >= 8x).
//
// After timing, each ISA's run must hear exactly the dialled digits ("123") on every channel and its
// echo-cancelled output must be within 1 dB of the scalar run's residual energy, so a fast-but-wrong kernel
// fails loudly.
#include <benchmark/benchmark.h>

#include <cmath>
#include <string>

#include "bench/density/density.hpp"
#include "dsp/simd.hpp"

namespace {

using namespace linedsp;
constexpr std::size_t kChannels = 16;

void set_counters(benchmark::State& state, const bench::Workload& w) {
  const double audio_s = double(state.iterations()) * double(kChannels) * bench::kFrameSeconds;
  state.counters["channels_per_core"] = benchmark::Counter(audio_s, benchmark::Counter::kIsRate);
  state.counters["bytes_per_channel"] = w.bytes_per_channel();
}

void BM_GatewayChannel(benchmark::State& state) {
  const Isa isa = static_cast<Isa>(state.range(0));
  if (!isa_supported(isa)) {
    state.SkipWithError("CPU lacks this ISA");
    return;
  }
  state.SetLabel(isa_name(isa));
  bench::set_data_dir(std::string(LINEDSP_SOURCE_DIR) + "/data");
  const auto w = bench::make_gateway(isa, kChannels);
  for (auto _ : state) w->frame();
  set_counters(state, *w);
  // Check after timing: this ISA hears the dialled digits and cancels like the scalar reference.
  const auto got = bench::gateway_pass(isa, kChannels), ref = bench::gateway_pass(Isa::scalar, kChannels);
  const std::string& want = bench::line_signal().digits;
  for (std::size_t c = 0; c < kChannels; ++c) {
    if (got.digits[c] != want)
      return state.SkipWithError(("heard \"" + got.digits[c] + "\", not \"" + want + "\"").c_str());
    if (std::abs(10.0 * std::log10((got.residual_energy[c] + 1.0) / (ref.residual_energy[c] + 1.0))) > 1.0)
      return state.SkipWithError("echo-cancelled output differs from the scalar run by more than 1 dB");
  }
}
BENCHMARK(BM_GatewayChannel)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);

#if defined(LINEDSP_HAVE_SPANDSP)
void BM_GatewayChannel_spandsp(benchmark::State& state) {
  bench::set_data_dir(std::string(LINEDSP_SOURCE_DIR) + "/data");
  std::string heard;
  {
    const bench::QuietStdio quiet;  // spandsp 0.0.6's echo canceller prints per sample
    const auto w = bench::make_spandsp_gateway(kChannels);
    for (auto _ : state) w->frame();
    set_counters(state, *w);
    heard = bench::spandsp_gateway_digits(1);
  }
  state.SetLabel("spandsp heard " + heard.substr(0, 3));
}
BENCHMARK(BM_GatewayChannel_spandsp)->Unit(benchmark::kMillisecond);
#endif

}  // namespace
