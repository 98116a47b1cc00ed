// Goertzel banks per instruction set, beside spandsp's goertzel_update/goertzel_result, and the machine's
// measured arithmetic peak in the same run.
//
// Work per 20 ms frame (160 samples at 8 kHz): int16 -> float, the recursion for every filter, the powers,
// reset — what a detector does per block. Counters:
//   channels_per_core  real-time 8 kHz channels one core sustains (audio seconds per CPU second)
//   bytes_per_channel  Goertzel state per channel (coeff + s1 + s2 per filter; the multi bank shares coeff)
//   limit              the kernel's arithmetic rate as a fraction of the machine's peak FP rate measured
//                      below (best ISA, fused multiply-add: 2 flops per lane per instruction)
//   limit_nofma        the same against the peak of separate multiplies and adds (best ISA): the ceiling for
//                      kernels that must not use FMA to stay bit-identical with scalar (dsp/kernels/
//                      goertzel_kernels.hpp); 1.0 would be every FP port busy every cycle
// Operations per sample per filter of the recursion s0 = (x - s2) + c*s1: 3 (1 multiply, 2 adds); the
// powers and conversion are not counted (they are < 2 % of the work at 160 samples).
// After timing, each variant's output is checked against the scalar kernel's on the same input.
#include <benchmark/benchmark.h>
#include <immintrin.h>
#include <time.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "dsp/goertzel.hpp"
#include "bench/density/peak.hpp"
#include "dsp/simd.hpp"

#if LINEDSP_HAVE_SPANDSP
#include <spandsp.h>
#endif

namespace {

using linedsp::Isa;
using linedsp::bench::peak_fma_fn;
using linedsp::bench::peak_muladd_fn;
using linedsp::bench::PeakFn;

constexpr std::size_t kFrame = 160;  // 20 ms at 8 kHz
constexpr double kRecursionOps = 3.0;

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// Flops per CPU second of `fn`: the best of 5 runs of at least 20 ms each (measured once per process).
double measure_peak(PeakFn fn) {
  std::size_t passes = 1 << 12;
  double best = 0;
  for (int good = 0, tries = 0; good < 5 && tries < 40; ++tries) {
    const double t0 = thread_cpu_seconds();
    const double per_pass = fn(passes);
    const double dt = thread_cpu_seconds() - t0;
    if (dt < 0.02) {
      passes *= 2;
      continue;
    }
    best = std::max(best, per_pass * double(passes) / dt);
    ++good;
  }
  return best;
}

struct Peaks {
  double fma = 0, muladd = 0;
};
const Peaks& machine_peaks() {
  static const Peaks p = [] {
    const Isa best = linedsp::best_isa(linedsp::CpuFeatures::detect());
    return Peaks{measure_peak(peak_fma_fn(best)), measure_peak(peak_muladd_fn(best))};
  }();
  return p;
}

void BM_PeakFlops(benchmark::State& state, Isa isa, bool fma) {
  if (!linedsp::isa_supported(isa)) return state.SkipWithError("ISA not on this CPU");
  const PeakFn fn = fma ? peak_fma_fn(isa) : peak_muladd_fn(isa);
  const std::size_t passes = 4096;
  double flops = 0;
  for (auto _ : state) flops += fn(passes) * double(passes);
  state.counters["flops"] = benchmark::Counter(flops, benchmark::Counter::kIsRate);
  state.counters["vs_machine_fma_peak"] =
      benchmark::Counter(flops / machine_peaks().fma, benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_PeakFlops, muladd_scalar, Isa::scalar, false);
BENCHMARK_CAPTURE(BM_PeakFlops, muladd_sse2, Isa::sse2, false);
BENCHMARK_CAPTURE(BM_PeakFlops, muladd_avx2, Isa::avx2, false);
BENCHMARK_CAPTURE(BM_PeakFlops, muladd_avx512, Isa::avx512, false);
BENCHMARK_CAPTURE(BM_PeakFlops, fma_avx2, Isa::avx2, true);
BENCHMARK_CAPTURE(BM_PeakFlops, fma_avx512, Isa::avx512, true);

// ---- Goertzel banks ----------------------------------------------------------------------------------------

std::vector<std::int16_t> pcm_frames(std::size_t n) {
  std::mt19937 rng(1);
  std::normal_distribution<double> g(0.0, 4000.0);
  std::vector<std::int16_t> v(n);
  for (auto& s : v) s = static_cast<std::int16_t>(std::clamp(std::round(g(rng)), -32768.0, 32767.0));
  return v;
}

// int16 -> float at the edge (SSE2, part of every x86-64; the compiler's -O2 does not vectorise the plain
// loop, which would otherwise cost more than the 8-filter recursion itself in the multi-channel rows).
void to_float(const std::int16_t* in, float* out, std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
    _mm_storeu_ps(out + i, _mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpacklo_epi16(v, v), 16)));
    _mm_storeu_ps(out + i + 4, _mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpackhi_epi16(v, v), 16)));
  }
  for (; i < n; ++i) out[i] = in[i];
}

std::vector<double> bank_freqs(std::size_t m) {
  std::vector<double> f(m);
  for (std::size_t i = 0; i < m; ++i) f[i] = 300.0 + 3300.0 * double(i) / double(m);
  return f;
}

void limit_counters(benchmark::State& state, double filter_samples) {
  const double ops = kRecursionOps * filter_samples;
  state.counters["limit"] = benchmark::Counter(ops / machine_peaks().fma, benchmark::Counter::kIsRate);
  state.counters["limit_nofma"] = benchmark::Counter(ops / machine_peaks().muladd, benchmark::Counter::kIsRate);
}

// One channel, M filters (lanes across filters).
void BM_GoertzelBank(benchmark::State& state, Isa isa) {
  if (!linedsp::isa_supported(isa)) return state.SkipWithError("ISA not on this CPU");
  const std::size_t m = static_cast<std::size_t>(state.range(0));
  const auto freqs = bank_freqs(m);
  const auto pcm = pcm_frames(kFrame);
  const linedsp::ScopedIsa force(isa);
  linedsp::GoertzelBank bank(freqs, 8000.0);  // takes active_isa(): the forced one
  std::vector<float> x(kFrame), powers(m);
  for (auto _ : state) {
    to_float(pcm.data(), x.data(), kFrame);
    bank.process(x);
    bank.powers(powers);
    bank.reset();
    benchmark::DoNotOptimize(powers.data());
  }
  const double frames = double(state.iterations());
  state.counters["channels_per_core"] = benchmark::Counter(frames * kFrame / 8000.0, benchmark::Counter::kIsRate);
  state.counters["bytes_per_channel"] = double(3 * sizeof(float) * m);
  limit_counters(state, frames * kFrame * double(m));
  // Check against scalar on the same input after timing.
  linedsp::GoertzelBank ref(freqs, 8000.0, Isa::scalar);
  std::vector<float> expect(m);
  ref.process(x);
  ref.powers(expect);
  bank.process(x);
  bank.powers(powers);
  if (std::memcmp(expect.data(), powers.data(), m * sizeof(float)) != 0)
    state.SkipWithError("differs from the scalar reference");
}

// N channels x M filters (lanes across channels), input interleaved by frame.
void BM_GoertzelMulti(benchmark::State& state, Isa isa) {
  if (!linedsp::isa_supported(isa)) return state.SkipWithError("ISA not on this CPU");
  const std::size_t m = static_cast<std::size_t>(state.range(0));
  const std::size_t channels = static_cast<std::size_t>(state.range(1));
  const auto freqs = bank_freqs(m);
  const auto pcm = pcm_frames(kFrame * channels);
  const linedsp::ScopedIsa force(isa);
  linedsp::MultiChannelGoertzelBank bank(freqs, 8000.0, channels);
  std::vector<float> x(kFrame * channels), powers(m * channels);
  for (auto _ : state) {
    to_float(pcm.data(), x.data(), x.size());
    bank.process(x);
    bank.powers(powers);
    bank.reset();
    benchmark::DoNotOptimize(powers.data());
  }
  const double audio_s = double(state.iterations()) * kFrame * double(channels) / 8000.0;
  state.counters["channels_per_core"] = benchmark::Counter(audio_s, benchmark::Counter::kIsRate);
  state.counters["bytes_per_channel"] = double(2 * sizeof(float) * m) + double(sizeof(float) * m) / double(channels);
  limit_counters(state, double(state.iterations()) * kFrame * double(channels) * double(m));
  linedsp::MultiChannelGoertzelBank ref(freqs, 8000.0, channels, Isa::scalar);
  ref.process(x);
  bank.process(x);
  for (std::size_t f = 0; f < m; ++f)
    for (std::size_t ch = 0; ch < channels; ++ch)
      if (ref.power(f, ch) != bank.power(f, ch)) return state.SkipWithError("differs from the scalar reference");
}

#define LINEDSP_GOERTZEL_BENCH(isa)                                                          \
  BENCHMARK_CAPTURE(BM_GoertzelBank, isa, Isa::isa)->Arg(8)->Arg(16)->Arg(64);               \
  BENCHMARK_CAPTURE(BM_GoertzelMulti, isa, Isa::isa)->Args({8, 16})->Args({8, 64})->Args({8, 256})->Args({16, 64});
LINEDSP_GOERTZEL_BENCH(scalar)
LINEDSP_GOERTZEL_BENCH(sse2)
LINEDSP_GOERTZEL_BENCH(avx2)
LINEDSP_GOERTZEL_BENCH(avx512)
#undef LINEDSP_GOERTZEL_BENCH

#if LINEDSP_HAVE_SPANDSP
// spandsp 0.0.6: one goertzel_state_t per filter; goertzel_update over the frame, goertzel_result (which
// also resets) per filter. Same frames, same filter count.
void BM_GoertzelBank_spandsp(benchmark::State& state) {
  const std::size_t m = static_cast<std::size_t>(state.range(0));
  const auto freqs = bank_freqs(m);
  const auto pcm = pcm_frames(kFrame);
  std::vector<goertzel_descriptor_t> desc(m);
  std::vector<goertzel_state_t> st(m);
  for (std::size_t f = 0; f < m; ++f) {
    make_goertzel_descriptor(&desc[f], static_cast<float>(freqs[f]), static_cast<int>(kFrame));
    goertzel_init(&st[f], &desc[f]);
  }
  std::vector<float> powers(m);
  for (auto _ : state) {
    for (std::size_t f = 0; f < m; ++f) {
      goertzel_update(&st[f], pcm.data(), static_cast<int>(kFrame));
      powers[f] = goertzel_result(&st[f]);
    }
    benchmark::DoNotOptimize(powers.data());
  }
  const double frames = double(state.iterations());
  state.counters["channels_per_core"] = benchmark::Counter(frames * kFrame / 8000.0, benchmark::Counter::kIsRate);
  state.counters["bytes_per_channel"] = double(sizeof(goertzel_state_t) * m);
  limit_counters(state, frames * kFrame * double(m));
}
BENCHMARK(BM_GoertzelBank_spandsp)->Arg(8)->Arg(16)->Arg(64);
#endif

}  // namespace
