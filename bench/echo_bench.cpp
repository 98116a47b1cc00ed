// Line echo canceller: channels one core sustains (channels_per_core = audio seconds per CPU second) and memory
// per channel (bytes_per_channel) at 32/64/128 ms tails, one channel per ISA and the 8-channel bank, beside
// spandsp's echo_can and speexdsp's MDF canceller on the same signals in the same run. Each also reports
// the quality it bought: steady-state ERLE (erle_db, last 3 s) and time to 20 dB ERLE (t20_s).
//
// BM_EchoCanceller* time 10 s from a reset (convergence included: the whole tail runs until the active
// window narrows, ~1.2 s in at 64 ms); BM_EchoCancellerConverged* time further passes after one untimed pass, the
// cost for the rest of a call (peers measured the same way).
//
// Signals: 10 s of real speech (asterisk-core-sounds-en-wav; the G.168 CSS if absent) as the far end, its echo
// through G.168 Annex D model D.4 at 10 dB ERL after a 100-sample bulk delay. BM_EchoQuality_* run each
// canceller once per Annex D model (Iterations(1)) so the per-model ERLE table comes from the same run.
// After timing, each ISA's output is checked against the scalar build's ERLE (within 3 dB).
//
// Debian's spandsp 0.0.6 echo canceller prints debug text for every sample: stdout and stderr are sent to
// /dev/null while it runs.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "dsp/simd.hpp"
#include "signals/echo_canceller.hpp"
#include "signals/g168.hpp"

#if defined(LINEDSP_HAVE_SPANDSP)
#include <spandsp.h>
#endif
#if defined(LINEDSP_HAVE_SPEEXDSP)
#include <speex/speex_echo.h>
#endif

namespace {

using namespace linedsp;

constexpr int kRate = 8000;

const std::vector<float>& far_signal() {
  static const std::vector<float> far = [] {
    const std::filesystem::path dir = "/usr/share/asterisk/sounds/en_US_f_Allison";
    std::vector<std::string> files;
    if (std::filesystem::is_directory(dir))
      for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".wav") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    if (files.empty()) return g168::composite_source_signal(10.0, -15.0);
    return g168::concatenate_audio(files, 10.0);
  }();
  return far;
}

struct Case {
  std::vector<std::int16_t> far, near;
  std::vector<float> echo;
};

const Case& bench_case(int model) {
  static Case cases[10];
  Case& c = cases[model];
  if (!c.far.empty()) return c;
  const auto& far = far_signal();
  c.echo = g168::convolve(far, g168::echo_path(model, 10.0, 100));
  c.far = g168::to_int16(far);
  c.near = g168::to_int16(c.echo);
  return c;
}

struct Quality {
  double erle_db = 0.0, t20_s = -1.0;
};

Quality quality(const Case& c, const std::vector<std::int16_t>& out) {
  std::vector<float> res(out.begin(), out.end());
  const auto t = g168::measure_erle(c.echo, res, kRate, 0.1, 3.0, -45.0);
  return {t.steady_db, t.time_to_20_db};
}

void set_quality(benchmark::State& state, const Quality& q) {
  state.counters["erle_db"] = q.erle_db;
  state.counters["t20_s"] = q.t20_s;
}

EchoCancellerConfig linear_config(int tail_ms) {
  EchoCancellerConfig cfg;
  cfg.tail_ms = tail_ms;
  cfg.nlp_enabled = false;  // ERLE is the linear canceller's; the NLP would hide it
  return cfg;
}

std::vector<std::int16_t> run_ours(EchoCanceller& ec, const Case& c) {
  std::vector<std::int16_t> out(c.far.size());
  for (std::size_t i = 0; i < c.far.size(); i += 160) {
    const std::size_t len = std::min<std::size_t>(160, c.far.size() - i);
    ec.process(std::span(c.far).subspan(i, len), std::span(c.near).subspan(i, len), std::span(out).subspan(i, len));
  }
  return out;
}

void BM_EchoCanceller(benchmark::State& state, Isa isa) {
  if (!isa_supported(isa)) {
    state.SkipWithError("CPU lacks this ISA");
    return;
  }
  const int tail_ms = static_cast<int>(state.range(0));
  const Case& c = bench_case(4);
  EchoCanceller ec(linear_config(tail_ms), isa);
  std::vector<std::int16_t> out;
  for (auto _ : state) {
    ec.reset();
    ec.set_nlp_enabled(false);
    out = run_ours(ec, c);
    benchmark::DoNotOptimize(out.data());
  }
  const double audio_s = double(state.iterations()) * double(c.far.size()) / kRate;
  state.counters["channels_per_core"] = benchmark::Counter(audio_s, benchmark::Counter::kIsRate);
  state.counters["bytes_per_channel"] = double(ec.memory_bytes());
  // The active window at the end of the run, and how often it was narrowed / reopened.
  state.counters["window_taps"] = double(ec.window_taps());
  state.counters["narrowings"] = double(ec.window_narrowings());
  state.counters["reopenings"] = double(ec.window_reopenings());
  const Quality q = quality(c, out);
  set_quality(state, q);
  EchoCanceller ref(linear_config(tail_ms), Isa::scalar);
  const Quality qr = quality(c, run_ours(ref, c));
  if (std::fabs(q.erle_db - qr.erle_db) > 3.0) state.SkipWithError("ERLE differs from the scalar build");
}

// The same after convergence: the canceller first runs the 10 s once untimed, then keeps running over the
// signal again without a reset (what a call sees after its first seconds: the active window is narrow).
void BM_EchoCancellerConverged(benchmark::State& state, Isa isa) {
  if (!isa_supported(isa)) {
    state.SkipWithError("CPU lacks this ISA");
    return;
  }
  const int tail_ms = static_cast<int>(state.range(0));
  const Case& c = bench_case(4);
  EchoCanceller ec(linear_config(tail_ms), isa);
  std::vector<std::int16_t> out = run_ours(ec, c);
  for (auto _ : state) {
    out = run_ours(ec, c);
    benchmark::DoNotOptimize(out.data());
  }
  const double audio_s = double(state.iterations()) * double(c.far.size()) / kRate;
  state.counters["channels_per_core"] = benchmark::Counter(audio_s, benchmark::Counter::kIsRate);
  state.counters["bytes_per_channel"] = double(ec.memory_bytes());
  state.counters["window_taps"] = double(ec.window_taps());
  state.counters["erle_db"] = quality(c, out).erle_db;
  // Check: this ISA and the scalar build after the same two passes reach the same ERLE (within 3 dB).
  EchoCanceller chk(linear_config(tail_ms), isa), ref(linear_config(tail_ms), Isa::scalar);
  run_ours(chk, c);
  run_ours(ref, c);
  const Quality q2 = quality(c, run_ours(chk, c)), qr = quality(c, run_ours(ref, c));
  if (std::fabs(q2.erle_db - qr.erle_db) > 3.0) state.SkipWithError("ERLE differs from the scalar build");
}

void BM_EchoCancellerBank(benchmark::State& state) {
  const int tail_ms = static_cast<int>(state.range(0));
  constexpr std::size_t kChannels = 8;
  const Case& c = bench_case(4);
  std::vector<std::int16_t> far(c.far.size() * kChannels), near(far.size()), out(far.size());
  for (std::size_t i = 0; i < c.far.size(); ++i)
    for (std::size_t ch = 0; ch < kChannels; ++ch) {
      far[i * kChannels + ch] = c.far[i];
      near[i * kChannels + ch] = c.near[i];
    }
  EchoCancellerBank bank(kChannels, linear_config(tail_ms));
  for (auto _ : state) {
    bank.reset();
    for (std::size_t ch = 0; ch < kChannels; ++ch) bank.channel(ch).set_nlp_enabled(false);
    for (std::size_t i = 0; i < far.size(); i += 160 * kChannels) {
      const std::size_t len = std::min<std::size_t>(160 * kChannels, far.size() - i);
      bank.process(std::span(far).subspan(i, len), std::span(near).subspan(i, len), std::span(out).subspan(i, len));
    }
    benchmark::DoNotOptimize(out.data());
  }
  const double audio_s = double(state.iterations()) * double(c.far.size() * kChannels) / kRate;
  state.counters["channels_per_core"] = benchmark::Counter(audio_s, benchmark::Counter::kIsRate);
  state.counters["bytes_per_channel"] = double(bank.memory_bytes()) / kChannels;
  std::vector<std::int16_t> ch0(c.far.size());
  for (std::size_t i = 0; i < ch0.size(); ++i) ch0[i] = out[i * kChannels];
  set_quality(state, quality(c, ch0));
}

void BM_EchoQuality_linedsp(benchmark::State& state) {
  const Case& c = bench_case(static_cast<int>(state.range(0)));
  Quality q;
  for (auto _ : state) {
    EchoCanceller ec(linear_config(64));
    q = quality(c, run_ours(ec, c));
  }
  set_quality(state, q);
}

// A peer after convergence, as BM_EchoCancellerConverged: one untimed pass of `run` (the whole case through the
// peer's canceller), then timed passes with no reset; ERLE of the last pass.
template <class Run>
void converged_peer(benchmark::State& state, const Case& c, Run run) {
  std::vector<std::int16_t> out = run();
  for (auto _ : state) {
    out = run();
    benchmark::DoNotOptimize(out.data());
  }
  const double audio_s = double(state.iterations()) * double(c.far.size()) / kRate;
  state.counters["channels_per_core"] = benchmark::Counter(audio_s, benchmark::Counter::kIsRate);
  state.counters["erle_db"] = quality(c, out).erle_db;
}

#if defined(LINEDSP_HAVE_SPANDSP)
// Sends stdout and stderr to /dev/null while alive (spandsp's echo canceller prints per sample).
class Silence {
 public:
  Silence() {
    std::fflush(stdout);
    std::fflush(stderr);
    out_ = dup(1);
    err_ = dup(2);
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    close(null);
  }
  ~Silence() {
    std::fflush(stdout);
    std::fflush(stderr);
    dup2(out_, 1);
    dup2(err_, 2);
    close(out_);
    close(err_);
  }

 private:
  int out_, err_;
};

std::vector<std::int16_t> run_spandsp(echo_can_state_t* ec, const Case& c) {
  std::vector<std::int16_t> out(c.far.size());
  Silence quiet;
  for (std::size_t i = 0; i < c.far.size(); ++i) out[i] = echo_can_update(ec, c.far[i], c.near[i]);
  return out;
}

// spandsp after convergence: as BM_EchoCancellerConverged (one untimed pass, then no flush).
void BM_EchoCancellerConverged_spandsp(benchmark::State& state) {
  const Case& c = bench_case(4);
  echo_can_state_t* ec = echo_can_init(static_cast<int>(state.range(0)) * kRate / 1000, ECHO_CAN_USE_ADAPTION);
  converged_peer(state, c, [&] { return run_spandsp(ec, c); });
  echo_can_free(ec);
}

void BM_EchoCanceller_spandsp(benchmark::State& state) {
  const int taps = static_cast<int>(state.range(0)) * kRate / 1000;
  const Case& c = bench_case(4);
  echo_can_state_t* ec = echo_can_init(taps, ECHO_CAN_USE_ADAPTION);
  std::vector<std::int16_t> out;
  for (auto _ : state) {
    echo_can_flush(ec);
    echo_can_adaption_mode(ec, ECHO_CAN_USE_ADAPTION);
    out = run_spandsp(ec, c);
    benchmark::DoNotOptimize(out.data());
  }
  echo_can_free(ec);
  const double audio_s = double(state.iterations()) * double(c.far.size()) / kRate;
  state.counters["channels_per_core"] = benchmark::Counter(audio_s, benchmark::Counter::kIsRate);
  // echo_can_state_t is opaque in 0.0.6: its taps (2 x int16 sets), history and state, about 6 bytes per tap.
  state.counters["bytes_per_channel"] = double(taps) * 6.0 + 512.0;
  set_quality(state, quality(c, out));
}

void BM_EchoQuality_spandsp(benchmark::State& state) {
  const Case& c = bench_case(static_cast<int>(state.range(0)));
  Quality q;
  for (auto _ : state) {
    echo_can_state_t* ec = echo_can_init(512, ECHO_CAN_USE_ADAPTION);
    q = quality(c, run_spandsp(ec, c));
    echo_can_free(ec);
  }
  set_quality(state, q);
}
#endif

#if defined(LINEDSP_HAVE_SPEEXDSP)
constexpr int kSpeexFrame = 160;  // 20 ms, the usual VoIP frame

std::vector<std::int16_t> run_speex(SpeexEchoState* st, const Case& c) {
  std::vector<std::int16_t> out(c.far.size(), 0);
  for (std::size_t i = 0; i + kSpeexFrame <= c.far.size(); i += kSpeexFrame)
    speex_echo_cancellation(st, c.near.data() + i, c.far.data() + i, out.data() + i);
  return out;
}

SpeexEchoState* make_speex(int taps) {
  SpeexEchoState* st = speex_echo_state_init(kSpeexFrame, taps);
  int rate = kRate;
  speex_echo_ctl(st, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
  return st;
}

// speexdsp after convergence: as BM_EchoCancellerConverged (one untimed pass, then no reset).
void BM_EchoCancellerConverged_speexdsp(benchmark::State& state) {
  const Case& c = bench_case(4);
  SpeexEchoState* st = make_speex(static_cast<int>(state.range(0)) * kRate / 1000);
  converged_peer(state, c, [&] { return run_speex(st, c); });
  speex_echo_state_destroy(st);
}

void BM_EchoCanceller_speexdsp(benchmark::State& state) {
  const int taps = static_cast<int>(state.range(0)) * kRate / 1000;
  const Case& c = bench_case(4);
  SpeexEchoState* st = make_speex(taps);
  std::vector<std::int16_t> out;
  for (auto _ : state) {
    speex_echo_state_reset(st);
    out = run_speex(st, c);
    benchmark::DoNotOptimize(out.data());
  }
  speex_echo_state_destroy(st);
  const double audio_s = double(state.iterations()) * double(c.far.size()) / kRate;
  state.counters["channels_per_core"] = benchmark::Counter(audio_s, benchmark::Counter::kIsRate);
  // speexdsp's state is opaque; MDF keeps ~10 float arrays of (taps + frame) plus spectra: about 12 x 4 bytes
  // per tap (an estimate, see speexdsp mdf.c).
  state.counters["bytes_per_channel"] = double(taps + kSpeexFrame) * 48.0;
  set_quality(state, quality(c, out));
}

void BM_EchoQuality_speexdsp(benchmark::State& state) {
  const Case& c = bench_case(static_cast<int>(state.range(0)));
  Quality q;
  for (auto _ : state) {
    SpeexEchoState* st = make_speex(512);
    q = quality(c, run_speex(st, c));
    speex_echo_state_destroy(st);
  }
  set_quality(state, q);
}
#endif

}  // namespace

BENCHMARK_CAPTURE(BM_EchoCanceller, scalar, linedsp::Isa::scalar)->Arg(32)->Arg(64)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EchoCanceller, sse2, linedsp::Isa::sse2)->Arg(32)->Arg(64)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EchoCanceller, avx2, linedsp::Isa::avx2)->Arg(32)->Arg(64)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EchoCanceller, avx512, linedsp::Isa::avx512)->Arg(32)->Arg(64)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EchoCancellerConverged, scalar, linedsp::Isa::scalar)->Arg(32)->Arg(64)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EchoCancellerConverged, sse2, linedsp::Isa::sse2)->Arg(32)->Arg(64)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EchoCancellerConverged, avx2, linedsp::Isa::avx2)->Arg(32)->Arg(64)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EchoCancellerConverged, avx512, linedsp::Isa::avx512)->Arg(32)->Arg(64)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EchoCancellerBank)->Arg(32)->Arg(64)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EchoQuality_linedsp)->DenseRange(2, 9)->Iterations(1)->Unit(benchmark::kMillisecond);
#if defined(LINEDSP_HAVE_SPANDSP)
BENCHMARK(BM_EchoCanceller_spandsp)->Arg(32)->Arg(64)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EchoCancellerConverged_spandsp)->Arg(32)->Arg(64)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EchoQuality_spandsp)->DenseRange(2, 9)->Iterations(1)->Unit(benchmark::kMillisecond);
#endif
#if defined(LINEDSP_HAVE_SPEEXDSP)
BENCHMARK(BM_EchoCanceller_speexdsp)->Arg(32)->Arg(64)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EchoCancellerConverged_speexdsp)->Arg(32)->Arg(64)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EchoQuality_speexdsp)->DenseRange(2, 9)->Iterations(1)->Unit(benchmark::kMillisecond);
#endif
