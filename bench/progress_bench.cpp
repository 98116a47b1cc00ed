// Call-progress detector: real-time 8 kHz channels one core sustains (channels_per_core = audio seconds per CPU
// second) and memory per channel, for linedsp's ProgressDetector (one channel, per ISA) and ProgressDetectorBank
// (32 channels, per ISA) with the North American plan (data/tones/us.toml), against spandsp's super_tone_rx given
// descriptors for the same tones (same input, same executable).
//
// Input: 60 s of line audio — dial, ringback, busy, reorder, SIT and call waiting with silence between — at the
// plan's levels with white noise 30 dB below dial tone. After timing, each ISA's events are checked against
// scalar's. Accuracy on the same signals is reported as counters: tones_found (of tones_sent, each tone counted
// once when the right kind is reported while it plays) for linedsp and spandsp, at the nominal level and at
// -30 dBm0 per component with 15 dB SNR.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "dsp/level.hpp"
#include "dsp/simd.hpp"
#include "signals/progress_detector.hpp"
#include "signals/tone_generator.hpp"
#include "signals/tone_plan.hpp"

#if defined(LINEDSP_HAVE_SPANDSP)
#define SPANDSP_EXPOSE_INTERNAL_STRUCTURES  // sizeof(super_tone_rx_state_t) for bytes_per_channel
#include <spandsp.h>
#endif

namespace {

using namespace linedsp;

const TonePlan& us_plan() {
  static const TonePlan p = load_country_plan(std::string(LINEDSP_SOURCE_DIR) + "/data", "us");
  return p;
}

struct Sent {
  ToneKind kind;
  std::size_t begin, end;
};

struct Input {
  std::vector<std::int16_t> pcm;
  std::vector<Sent> sent;
};

// level_dbm0 == 0: the plan's levels, noise 30 dB below dial; else every component at level_dbm0, noise 15 dB below.
Input make_input(double level_dbm0, unsigned seed) {
  Input in;
  const TonePlan& p = us_plan();
  struct Item {
    const char* name;
    double seconds;
  };
  const Item items[] = {{"dial", 3.0},  {"ringback", 12.5}, {"busy", 5.0},         {"congestion", 3.0},
                        {"sit", 0.0},   {"call_waiting", 0}, {"special_dial", 3.0}, {"busy", 5.0},
                        {"ringback", 12.5}, {"dial", 3.0}};
  std::mt19937 rng(seed);
  for (const auto& it : items) {
    in.pcm.resize(in.pcm.size() + 4000, 0);  // 0.5 s silence
    Tone t = *p.find(it.name);
    if (level_dbm0 != 0)
      for (auto& s : t.segments)
        for (auto& c : s.components) c.level_dbm0 = level_dbm0;
    ToneGenerator g(t);
    const double secs = g.total_samples() ? g.total_samples() / 8000.0 : it.seconds;
    const auto v = generate_tone(t, secs);
    in.sent.push_back({t.kind, in.pcm.size(), in.pcm.size() + v.size()});
    in.pcm.insert(in.pcm.end(), v.begin(), v.end());
  }
  in.pcm.resize(60 * 8000, 0);
  const double noise = level_dbm0 == 0 ? -13.0 - 30.0 : level_dbm0 + 3.0 - 15.0;
  std::normal_distribution<double> n(0.0, std::sqrt(dbm0_to_power(noise)));
  for (auto& s : in.pcm) s = static_cast<std::int16_t>(std::lround(std::clamp(s + n(rng), -32768.0, 32767.0)));
  return in;
}

const Input& bench_input() {
  static const Input in = make_input(0, 1);
  return in;
}

struct Found {
  std::vector<bool> hit;
  std::size_t events = 0;
};

// A sent tone is found when a begin of its kind is reported between its start and 0.5 s after its end.
void score(Found& f, const std::vector<Sent>& sent, ToneKind kind, std::size_t at) {
  for (std::size_t i = 0; i < sent.size(); ++i)
    if (sent[i].kind == kind && at >= sent[i].begin && at <= sent[i].end + 4000) f.hit[i] = true;
}

Found run_linedsp(const Input& in, Isa isa) {
  ProgressDetector det(us_plan(), {}, isa);
  Found f;
  f.hit.assign(in.sent.size(), false);
  auto sink = [&](const ProgressEvent& e) {
    ++f.events;
    if (e.begin) score(f, in.sent, e.kind, e.confirmed_sample);
  };
  det.process(in.pcm, sink);
  det.finish(sink);
  return f;
}

void BM_ProgressDetector(benchmark::State& state) {
  const Isa isa = static_cast<Isa>(state.range(0));
  if (!isa_supported(isa)) {
    state.SkipWithError("ISA not supported by this CPU");
    return;
  }
  const auto& in = bench_input();
  ProgressDetector det(us_plan(), {}, isa);
  std::size_t events = 0;
  auto sink = [&](const ProgressEvent&) { ++events; };
  for (auto _ : state) {
    det.reset();
    for (std::size_t i = 0; i < in.pcm.size(); i += 160) det.process(std::span<const std::int16_t>(in.pcm).subspan(i, 160), sink);
    benchmark::DoNotOptimize(events);
  }
  state.counters["channels_per_core"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * in.pcm.size() / 8000.0, benchmark::Counter::kIsRate);
  state.counters["bytes_per_channel"] = static_cast<double>(det.bytes_per_channel());
  state.counters["filters"] = static_cast<double>(det.filter_count());
  state.SetLabel(isa_name(isa));
  const Found f = run_linedsp(in, isa), ref = run_linedsp(in, Isa::scalar);
  if (f.hit != ref.hit || f.events != ref.events) state.SkipWithError("events differ from the scalar ISA");
  state.counters["tones_found"] = static_cast<double>(std::count(f.hit.begin(), f.hit.end(), true));
  state.counters["tones_sent"] = static_cast<double>(f.hit.size());
}
BENCHMARK(BM_ProgressDetector)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);

void BM_ProgressDetectorBank(benchmark::State& state) {
  const Isa isa = static_cast<Isa>(state.range(0));
  if (!isa_supported(isa)) {
    state.SkipWithError("ISA not supported by this CPU");
    return;
  }
  const std::size_t channels = 32;
  const auto& in = bench_input();
  std::vector<std::int16_t> inter(in.pcm.size() * channels);
  for (std::size_t f = 0; f < in.pcm.size(); ++f)
    for (std::size_t ch = 0; ch < channels; ++ch) inter[f * channels + ch] = in.pcm[(f + ch * 997) % in.pcm.size()];
  ProgressDetectorBank bank(us_plan(), channels, {}, isa);
  std::size_t events = 0;
  auto sink = [&](const ProgressBankEvent&) { ++events; };
  for (auto _ : state) {
    bank.reset();
    for (std::size_t i = 0; i < inter.size(); i += 160 * channels)
      bank.process(std::span<const std::int16_t>(inter).subspan(i, 160 * channels), sink);
    benchmark::DoNotOptimize(events);
  }
  state.counters["channels_per_core"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * in.pcm.size() * channels / 8000.0, benchmark::Counter::kIsRate);
  state.counters["bytes_per_channel"] = static_cast<double>(bank.bytes_per_channel());
  state.SetLabel(isa_name(isa));
  // Check against scalar: same events on every channel.
  auto collect = [&](Isa i) {
    ProgressDetectorBank b(us_plan(), channels, {}, i);
    std::vector<std::uint64_t> v;
    auto s = [&](const ProgressBankEvent& e) { v.push_back(e.channel * 1000003ull + e.event.sample * 2 + e.event.begin); };
    b.process(inter, s);
    b.finish(s);
    return v;
  };
  if (collect(isa) != collect(Isa::scalar)) state.SkipWithError("bank events differ from the scalar ISA");
}
BENCHMARK(BM_ProgressDetectorBank)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);

#if defined(LINEDSP_HAVE_SPANDSP)
// spandsp super_tone_rx with descriptors for the same plan: each element (f1, f2, min ms, max ms) within the
// same tolerances linedsp uses (10 % + 40 ms; SIT +-70 ms); frequency 0 = none / silence (super_tone_rx.c).
// Report codes are tone indices in kinds[].
struct SpanTones {
  super_tone_rx_descriptor_t* desc = nullptr;
  std::vector<ToneKind> kinds;
  SpanTones() {
    desc = super_tone_rx_make_descriptor(nullptr);
    auto add = [&](ToneKind k, std::initializer_list<std::array<int, 4>> els) {
      const int t = super_tone_rx_add_tone(desc);
      for (const auto& e : els) super_tone_rx_add_element(desc, t, e[0], e[1], e[2], e[3]);
      kinds.push_back(k);
    };
    add(ToneKind::dial, {{350, 440, 1000, 0}});
    add(ToneKind::ringback, {{440, 480, 1760, 2240}, {0, 0, 3560, 4440}});
    add(ToneKind::busy, {{480, 620, 410, 590}, {0, 0, 410, 590}});
    add(ToneKind::congestion, {{480, 620, 185, 315}, {0, 0, 185, 315}});
    add(ToneKind::sit, {{950, 0, 260, 400}, {1400, 0, 260, 400}, {1800, 0, 260, 400}});
    add(ToneKind::call_waiting, {{440, 0, 230, 370}, {0, 0, 500, 0}});
    add(ToneKind::special_dial, {{350, 440, 60, 140}, {0, 0, 60, 140}, {350, 440, 60, 140}, {0, 0, 60, 140},
                                 {350, 440, 60, 140}, {0, 0, 60, 140}, {350, 440, 200, 0}});
  }
  ~SpanTones() { super_tone_rx_free_descriptor(desc); }
};

SpanTones& span_tones() {
  static SpanTones t;
  return t;
}

struct SpanCtx {
  const Input* in;
  Found* f;
  std::size_t now = 0;
};

Found run_spandsp(const Input& in) {
  Found f;
  f.hit.assign(in.sent.size(), false);
  SpanCtx ctx{&in, &f};
  super_tone_rx_state_t* s = super_tone_rx_init(
      nullptr, span_tones().desc,
      [](void* u, int code, int, int) {
        auto* c = static_cast<SpanCtx*>(u);
        ++c->f->events;
        if (code >= 0) score(*c->f, c->in->sent, span_tones().kinds[static_cast<std::size_t>(code)], c->now);
      },
      &ctx);
  for (std::size_t i = 0; i < in.pcm.size(); i += 160) {
    ctx.now = i + 160;
    super_tone_rx(s, in.pcm.data() + i, 160);
  }
  super_tone_rx_free(s);
  return f;
}

void BM_SpandspSuperToneRx(benchmark::State& state) {
  const auto& in = bench_input();
  super_tone_rx_state_t* s = super_tone_rx_init(nullptr, span_tones().desc, [](void*, int, int, int) {}, nullptr);
  for (auto _ : state) {
    for (std::size_t i = 0; i < in.pcm.size(); i += 160) super_tone_rx(s, in.pcm.data() + i, 160);
    benchmark::ClobberMemory();
  }
  state.counters["channels_per_core"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * in.pcm.size() / 8000.0, benchmark::Counter::kIsRate);
  state.counters["bytes_per_channel"] = static_cast<double>(sizeof(super_tone_rx_state_t));
  super_tone_rx_free(s);
  const Found f = run_spandsp(in);
  state.counters["tones_found"] = static_cast<double>(std::count(f.hit.begin(), f.hit.end(), true));
  state.counters["tones_sent"] = static_cast<double>(f.hit.size());
}
BENCHMARK(BM_SpandspSuperToneRx)->Unit(benchmark::kMillisecond);
#endif

// Accuracy on the same signals (not timed): tones found at -30 dBm0 per component with 15 dB SNR, 10 seeds.
void BM_ProgressAccuracyLowLevel(benchmark::State& state) {
  std::size_t ours = 0, peer = 0, sent = 0;
  for (auto _ : state) {
    ours = peer = sent = 0;
    for (unsigned seed = 1; seed <= 10; ++seed) {
      const Input in = make_input(-30.0, seed);
      const Found a = run_linedsp(in, active_isa());
      ours += static_cast<std::size_t>(std::count(a.hit.begin(), a.hit.end(), true));
      sent += a.hit.size();
#if defined(LINEDSP_HAVE_SPANDSP)
      const Found b = run_spandsp(in);
      peer += static_cast<std::size_t>(std::count(b.hit.begin(), b.hit.end(), true));
#endif
    }
  }
  state.counters["linedsp_found"] = static_cast<double>(ours);
  state.counters["spandsp_found"] = static_cast<double>(peer);
  state.counters["tones_sent"] = static_cast<double>(sent);
}
BENCHMARK(BM_ProgressAccuracyLowLevel)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
