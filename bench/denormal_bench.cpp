// Denormals never slow the audio path (DESIGN.md "SIMD", issue 7): each component with recursive or adaptive float
// state — the echo canceller (64 ms), the Goertzel bank, a biquad, the DC blocker and the call-progress detector —
// runs once on normal audio and once on audio that decays to silence (1 s of audio, then a 1 kHz tone decaying
// exponentially to 1e-30 (float inputs; int16 inputs decay until they round to 0), then zeros), in the same
// iteration, each on its own object carrying its state across iterations. Counters:
//   normal_cps / decay_cps   real-time channels one core sustains on each input (audio seconds per CPU second);
//   decay_ratio              time on the decaying input / time on normal audio (~1 or below: no denormal stall);
//   channels_per_core        over both inputs; bytes_per_channel.
// Control rows: the textbook biquad in the CPU's default float mode (denormals honoured) on audio followed by
// subnormal-level input shows what this benchmark measures when nothing protects the path (its decay_ratio is the
// size of the stall avoided); the same with ScopedDenormalsOff shows the protection alone.
// Per ISA where a component dispatches; after timing, each ISA's result on the decaying input is compared with
// the scalar run (Goertzel powers, progress events, canceller output energy) and the row fails loudly on a mismatch.
#include <benchmark/benchmark.h>

#include <ctime>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <string>
#include <vector>

#include "dsp/biquad.hpp"
#include "dsp/dc_blocker.hpp"
#include "dsp/goertzel.hpp"
#include "dsp/simd.hpp"
#include "signals/echo_canceller.hpp"
#include "signals/g168.hpp"
#include "signals/progress_detector.hpp"
#include "signals/tone_plan.hpp"

namespace {

using namespace linedsp;
constexpr std::size_t kFrame = 160;
constexpr double kSeconds = 3.0;

// Normal audio: the G.168 composite source signal at -15 dBm0 (speech-like), kSeconds long.
const std::vector<float>& normal_f() {
  static const std::vector<float> x = g168::composite_source_signal(kSeconds, -15.0);
  return x;
}

// 1 s of the same audio, a 1 kHz tone from 10000 down to 1e-30 over 0.25 s (exponential), then zeros.
const std::vector<float>& decay_f() {
  static const std::vector<float> x = [] {
    std::vector<float> v(normal_f().begin(), normal_f().begin() + 8000);
    const double n_decay = 2000.0;
    const double rate = std::log(1e-30 / 1e4) / n_decay;
    for (std::size_t i = 0; i < 2000; ++i)
      v.push_back(static_cast<float>(1e4 * std::exp(rate * double(i)) *
                                     std::sin(2.0 * std::numbers::pi * 1000.0 * double(i) / 8000.0)));
    v.resize(normal_f().size(), 0.0f);
    return v;
  }();
  return x;
}

std::vector<std::int16_t> to_i16(const std::vector<float>& x) { return g168::to_int16(x); }
const std::vector<std::int16_t>& normal_i() {
  static const auto v = to_i16(normal_f());
  return v;
}
const std::vector<std::int16_t>& decay_i() {
  static const auto v = to_i16(decay_f());
  return v;
}

// CPU time of the calling thread (the machine may be shared: wall time would count other processes).
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

template <class F>
double seconds_of(F&& f) {
  const double t0 = thread_cpu_seconds();
  f();
  return thread_cpu_seconds() - t0;
}

// Share of values that are subnormal floats, in % (a CPU-independent sign of a denormal-prone state: on CPUs
// without a subnormal penalty, such as the AMD EPYC these figures were first taken on, decay_ratio alone cannot
// show one).
double subnormal_pct(std::span<const float> x) {
  std::size_t n = 0;
  for (float v : x) n += std::fpclassify(v) == FP_SUBNORMAL;
  return x.empty() ? 0.0 : 100.0 * double(n) / double(x.size());
}

// Runs normal(i, n) and decay(i, n) over the input in 20 ms frames each iteration, timing each separately.
template <class N, class D>
void run_pair(benchmark::State& state, std::size_t bytes, N&& normal, D&& decay) {
  const std::size_t total = normal_f().size();
  double t_normal = 0, t_decay = 0;
  for (auto _ : state) {
    t_normal += seconds_of([&] {
      for (std::size_t i = 0; i + kFrame <= total; i += kFrame) normal(i, kFrame);
    });
    t_decay += seconds_of([&] {
      for (std::size_t i = 0; i + kFrame <= total; i += kFrame) decay(i, kFrame);
    });
  }
  const double audio_s = double(state.iterations()) * kSeconds;
  state.counters["channels_per_core"] = benchmark::Counter(2 * audio_s, benchmark::Counter::kIsRate);
  state.counters["normal_cps"] = audio_s / t_normal;
  state.counters["decay_cps"] = audio_s / t_decay;
  state.counters["decay_ratio"] = t_decay / t_normal;
  state.counters["bytes_per_channel"] = double(bytes);
}

bool isa_ok(benchmark::State& state, Isa isa) {
  if (isa_supported(isa)) return true;
  state.SkipWithError("ISA not on this CPU");
  return false;
}

double energy_db(std::span<const std::int16_t> x) {
  double e = 1e-9;
  for (auto s : x) e += double(s) * s;
  return 10 * std::log10(e);
}

// ---- echo canceller, 64 ms --------------------------------------------------------------------------------
// far = the input; near = its echo through G.168 Annex D model 5 (ERL 10 dB). The decaying run ends with the
// canceller's taps adapted and nothing but zeros coming in: the adaptive state must not crawl in denormals.
struct EchoInput {
  std::vector<std::int16_t> far, near;
};
const EchoInput& echo_input(bool decay) {
  static const EchoInput in[2] = {
      [] {
        auto e = g168::convolve(normal_f(), g168::echo_path(5, 10.0, 40));
        e.resize(normal_f().size());
        return EchoInput{normal_i(), to_i16(e)};
      }(),
      [] {
        auto e = g168::convolve(decay_f(), g168::echo_path(5, 10.0, 40));
        e.resize(decay_f().size());
        return EchoInput{decay_i(), to_i16(e)};
      }()};
  return in[decay ? 1 : 0];
}

std::vector<std::int16_t> echo_decay_output(Isa isa) {
  EchoCancellerConfig cfg;
  cfg.tail_ms = 64;
  EchoCanceller ec{cfg, isa};
  const auto& in = echo_input(true);
  std::vector<std::int16_t> out(in.far.size());
  ec.process(in.far, in.near, out);
  return out;
}

void BM_Denormal_Echo64(benchmark::State& state, Isa isa) {
  if (!isa_ok(state, isa)) return;
  EchoCancellerConfig cfg;
  cfg.tail_ms = 64;
  EchoCanceller a{cfg, isa}, b{cfg, isa};
  std::vector<std::int16_t> out(kFrame);
  const auto& n = echo_input(false);
  const auto& d = echo_input(true);
  run_pair(
      state, a.memory_bytes(),
      [&](std::size_t i, std::size_t k) { a.process({&n.far[i], k}, {&n.near[i], k}, out); },
      [&](std::size_t i, std::size_t k) { b.process({&d.far[i], k}, {&d.near[i], k}, out); });
  benchmark::DoNotOptimize(out.data());
  state.counters["subnormal_pct"] = subnormal_pct(b.taps());  // the adapted taps after the decay
  const auto mine = echo_decay_output(isa), ref = echo_decay_output(Isa::scalar);
  if (std::abs(energy_db(mine) - energy_db(ref)) > 1.0)
    state.SkipWithError("echo canceller output differs from the scalar run by more than 1 dB");
}

// ---- Goertzel bank (the 8 DTMF frequencies, 102-sample blocks as a DTMF receiver runs it) --------------------
constexpr std::array<double, 8> kDtmfHz{697, 770, 852, 941, 1209, 1336, 1477, 1633};

std::vector<float> goertzel_decay_powers(Isa isa) {
  GoertzelBank bank{kDtmfHz, 8000.0, isa};
  std::vector<float> all, p(8);
  const auto& x = decay_f();
  for (std::size_t i = 0; i + 102 <= x.size(); i += 102) {
    bank.process({&x[i], 102});
    bank.powers(p);
    all.insert(all.end(), p.begin(), p.end());
    bank.reset();
  }
  return all;
}

void BM_Denormal_GoertzelBank(benchmark::State& state, Isa isa) {
  if (!isa_ok(state, isa)) return;
  GoertzelBank a{kDtmfHz, 8000.0, isa}, b{kDtmfHz, 8000.0, isa};
  std::array<float, 8> p{};
  auto step = [&](GoertzelBank& g, const std::vector<float>& x, std::size_t i, std::size_t k) {
    // Two 80-sample blocks per 20 ms frame, powers read and state reset after each (a detector's use).
    for (std::size_t j = 0; j < k; j += 80) {
      g.process({&x[i + j], 80});
      g.powers(p);
      g.reset();
    }
  };
  run_pair(
      state, sizeof(GoertzelBank) + 3 * kDtmfHz.size() * sizeof(float),
      [&](std::size_t i, std::size_t k) { step(a, normal_f(), i, k); },
      [&](std::size_t i, std::size_t k) { step(b, decay_f(), i, k); });
  benchmark::DoNotOptimize(p.data());
  const auto mine = goertzel_decay_powers(isa), ref = goertzel_decay_powers(Isa::scalar);
  state.counters["subnormal_pct"] = subnormal_pct(mine);  // of the powers over the decaying input
  for (std::size_t i = 0; i < ref.size(); ++i)
    if (std::abs(mine[i] - ref[i]) > 1e-3f * std::abs(ref[i]) + 1e-3f)
      return state.SkipWithError("Goertzel powers differ from the scalar reference");
}

// ---- biquad and DC blocker (float, ScopedDenormalsOff inside) ----------------------------------------------------
void BM_Denormal_Biquad(benchmark::State& state) {
  BiquadConfig cfg;
  cfg.type = BiquadType::lowpass;
  cfg.freq_hz = 1000.0;
  Biquad a{cfg}, b{cfg};
  std::vector<float> out(kFrame);
  run_pair(
      state, sizeof(Biquad), [&](std::size_t i, std::size_t k) { a.process({&normal_f()[i], k}, out); },
      [&](std::size_t i, std::size_t k) { b.process({&decay_f()[i], k}, out); });
  benchmark::DoNotOptimize(out.data());
  Biquad c{cfg};
  std::vector<float> all(decay_f().size());
  c.process(decay_f(), all);
  state.counters["subnormal_pct"] = subnormal_pct(all);
}

void BM_Denormal_DcBlocker(benchmark::State& state) {
  DcBlocker a{DcBlockerConfig{}}, b{DcBlockerConfig{}};
  std::vector<float> out(kFrame);
  run_pair(
      state, sizeof(DcBlocker), [&](std::size_t i, std::size_t k) { a.process({&normal_f()[i], k}, out); },
      [&](std::size_t i, std::size_t k) { b.process({&decay_f()[i], k}, out); });
  benchmark::DoNotOptimize(out.data());
  DcBlocker c{DcBlockerConfig{}};
  std::vector<float> all(decay_f().size());
  c.process(std::span<const float>(decay_f()), std::span<float>(all));
  state.counters["subnormal_pct"] = subnormal_pct(all);
}

// Control: the textbook transposed direct form II biquad (same RBJ coefficients), no FTZ/DAZ. A long decay
// keeps its state in the subnormal range, which is what makes this row slow if the CPU stalls on denormals.
struct NaiveBiquad {
  float b0, b1, b2, a1, a2, z1 = 0, z2 = 0;
  explicit NaiveBiquad(const BiquadCoeffs& c)
      : b0(float(c.b0)), b1(float(c.b1)), b2(float(c.b2)), a1(float(c.a1)), a2(float(c.a2)) {}
  void process(std::span<const float> in, std::span<float> out) {
    for (std::size_t i = 0; i < in.size(); ++i) {
      const float x = in[i];
      const float y = b0 * x + z1;
      z1 = b1 * x - a1 * y + z2;
      z2 = b2 * x - a2 * y;
      out[i] = y;
    }
  }
};

void BM_Denormal_Control_NaiveBiquadNoFtz(benchmark::State& state) {
  BiquadConfig cfg;
  cfg.type = BiquadType::lowpass;
  cfg.freq_hz = 1000.0;
  const BiquadCoeffs c = design_biquad(cfg);
  NaiveBiquad a{c}, b{c};
  std::vector<float> out(kFrame);
  // After the audio part the input is the audio scaled by 1e-42 (about 1e-39: subnormal floats), so the state
  // stays subnormal instead of flushing to zero a few hundred samples into the zeros.
  static const std::vector<float> tiny = [] {
    std::vector<float> v = decay_f();
    for (std::size_t i = 8000; i < v.size(); ++i) v[i] = 1e-42f * normal_f()[i];
    return v;
  }();
  run_pair(
      state, sizeof(NaiveBiquad), [&](std::size_t i, std::size_t k) { a.process({&normal_f()[i], k}, out); },
      [&](std::size_t i, std::size_t k) { b.process({&tiny[i], k}, out); });
  benchmark::DoNotOptimize(out.data());
  NaiveBiquad once{c};
  std::vector<float> all(tiny.size());
  once.process(tiny, all);
  state.counters["subnormal_pct"] = subnormal_pct(all);
}

// The same control with ScopedDenormalsOff around it: the mode linedsp's float loops run in.
void BM_Denormal_Control_NaiveBiquadFtz(benchmark::State& state) {
  const ScopedDenormalsOff ftz;
  BM_Denormal_Control_NaiveBiquadNoFtz(state);
}

// ---- call-progress detector (us plan) ---------------------------------------------------------------------------
const TonePlan& us_plan() {
  static const TonePlan p = load_country_plan(std::string(LINEDSP_SOURCE_DIR) + "/data", "us");
  return p;
}

std::size_t progress_decay_events(Isa isa) {
  ProgressDetector det{us_plan(), ProgressDetectorConfig{}, isa};
  std::size_t n = 0;
  auto sink = [&](const ProgressEvent&) { ++n; };
  det.process(decay_i(), sink);
  det.finish(sink);
  return n;
}

void BM_Denormal_Progress(benchmark::State& state, Isa isa) {
  if (!isa_ok(state, isa)) return;
  ProgressDetector a{us_plan(), ProgressDetectorConfig{}, isa}, b{us_plan(), ProgressDetectorConfig{}, isa};
  std::size_t events = 0;
  auto sink = [&](const ProgressEvent&) { ++events; };
  run_pair(
      state, a.bytes_per_channel(), [&](std::size_t i, std::size_t k) { a.process({&normal_i()[i], k}, sink); },
      [&](std::size_t i, std::size_t k) { b.process({&decay_i()[i], k}, sink); });
  benchmark::DoNotOptimize(events);
  if (progress_decay_events(isa) != progress_decay_events(Isa::scalar))
    state.SkipWithError("progress events differ from the scalar run");
}

#define LINEDSP_DENORMAL_ISA(isa)                                                            \
  BENCHMARK_CAPTURE(BM_Denormal_Echo64, isa, Isa::isa)->Unit(benchmark::kMillisecond);      \
  BENCHMARK_CAPTURE(BM_Denormal_GoertzelBank, isa, Isa::isa)->Unit(benchmark::kMillisecond); \
  BENCHMARK_CAPTURE(BM_Denormal_Progress, isa, Isa::isa)->Unit(benchmark::kMillisecond);
LINEDSP_DENORMAL_ISA(scalar)
LINEDSP_DENORMAL_ISA(sse2)
LINEDSP_DENORMAL_ISA(avx2)
LINEDSP_DENORMAL_ISA(avx512)
#undef LINEDSP_DENORMAL_ISA
BENCHMARK(BM_Denormal_Biquad)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Denormal_DcBlocker)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Denormal_Control_NaiveBiquadNoFtz)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Denormal_Control_NaiveBiquadFtz)->Unit(benchmark::kMillisecond);

}  // namespace
