// Amplitude-modulated call-progress tones (a carrier modulated at 16-50 Hz: "400x25" India, "400x16" Japan,
// "425x24" Singapore, "400x33" South Africa, "400x50" Thailand; each entry in data/tones/*.toml cites its source,
// ITU-T E.180 Suppl. 2 or the national plan) after leading silence of several lengths and at several start phases of
// carrier and modulation, detected with the country's plan and with --country auto (every plan merged), where AM
// tones with the same carrier and other rates compete (issue 4: India's 400x25 dial tone after silence was taken
// for Japan's 400x16 and never reported).
//
// Oracle: sox (run at 8 kHz: `-r 8000 -n`). `synth S sine FC 0 PC synth S sine amod FM O PM` multiplies the carrier by a modulator running from O
// to 1 (depth m = (1 - O) / (1 + O)); N samples of silence go in front (what `sox ... pad Ns 0` does: one sox run per
// tone and phase serves every pad); the plan's cadence gates it.
// The expected answer is the plan's tone (its kind, and in auto mode its modulation rate) starting at the pad.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "dsp/level.hpp"
#include "signals/progress_detector.hpp"
#include "signals/tone_plan.hpp"
#include "support/paths.hpp"

namespace {

using namespace linedsp;

std::string data_dir() { return test::source_dir() + "/data"; }

struct Am {
  double carrier_hz = 0, fm_hz = 0, depth = 0, carrier_dbm0 = 0;
};

// The AM parameters from a tone's components (carrier between two sidebands at carrier +- fm, level - 20 log(2/m)).
Am am_of(const Tone& t) {
  Am a;
  for (const auto& s : t.segments) {
    if (s.silent()) continue;
    auto c = s.components;
    std::sort(c.begin(), c.end(), [](auto& x, auto& y) { return x.freq_hz < y.freq_hz; });
    if (c.size() != 3) return Am{};
    Am b{c[1].freq_hz, c[1].freq_hz - c[0].freq_hz, 2.0 * std::pow(10.0, (c[0].level_dbm0 - c[1].level_dbm0) / 20.0),
         c[1].level_dbm0};
    if (a.carrier_hz != 0 && (std::abs(a.carrier_hz - b.carrier_hz) > 0.01 || std::abs(a.fm_hz - b.fm_hz) > 0.01))
      return Am{};  // segments with different AM tones: not covered here
    a = b;
  }
  return a;
}

// sox: the AM tone, `seconds` long; phases in percent of a cycle.
std::vector<std::int16_t> sox_am(const Am& a, double seconds, int carrier_phase_pct, int mod_phase_pct) {
  const double offset = (1.0 - a.depth) / (1.0 + a.depth);
  char cmd[512];
  std::snprintf(cmd, sizeof cmd,
                "sox -D -r 8000 -n -r 8000 -b 16 -e signed -c 1 -t raw - synth %.4f sine %.4f 0 %d synth %.4f sine amod %.4f "
                "%.4f %d vol 0.5",
                seconds, a.carrier_hz, carrier_phase_pct, seconds, a.fm_hz, offset * 100.0, mod_phase_pct);
  std::vector<std::int16_t> v(static_cast<std::size_t>(seconds * 8000) + 16);
  FILE* p = popen(cmd, "r");
  const std::size_t got = p ? std::fread(v.data(), 2, v.size(), p) : 0;
  if (p) pclose(p);
  v.resize(got);
  // sox's envelope peaks at vol (0.5 of full scale): carrier amplitude = 16384 (1 + offset) / 2.
  const double scale = dbm0_to_peak(a.carrier_dbm0) / (16384.0 * (1.0 + offset) / 2.0);
  for (auto& s : v) s = static_cast<std::int16_t>(std::lround(std::clamp(s * scale, -32768.0, 32767.0)));
  return v;
}

// The plan's cadence applied to a continuous AM tone starting at `pad` (silent segments zeroed; a tone played
// once is followed by silence).
void gate(std::vector<std::int16_t>& v, const Tone& t, std::size_t pad) {
  if (t.continuous()) return;
  std::size_t i = pad;
  do {
    for (const auto& s : t.segments) {
      const std::size_t n = s.duration_ms ? s.duration_ms * 8u : v.size();
      for (std::size_t k = 0; k < n && i < v.size(); ++k, ++i)
        if (s.silent()) v[i] = 0;
    }
  } while (t.repeat && i < v.size());
  for (; i < v.size(); ++i) v[i] = 0;
}

struct Collected {
  std::vector<ProgressEvent> events;
  void operator()(const ProgressEvent& e) { events.push_back(e); }
};

struct AmTone {
  std::string country;
  Tone tone;
  Am am;
};

std::vector<AmTone> am_tones(const std::vector<TonePlan>& plans) {
  std::vector<AmTone> out;
  for (const auto& p : plans)
    for (const auto& t : p.tones)
      if (t.am) {
        const Am a = am_of(t);
        if (a.carrier_hz > 0) out.push_back({p.country, t, a});
      }
  return out;
}

// Seconds of tone: continuous tones 3 s (confirmed after 1-1.7 s), cadenced ones one and a half cycles (confirmed
// after one cycle, header).
double seconds_for(const Tone& t) { return t.continuous() ? 3.0 : 1.5 * t.cycle_ms() / 1000.0 + 0.5; }

TEST(ProgressDetectorAm, EveryAmToneAfterSilenceAtAnyPhaseCountryAndAutoMode) {
  if (!test::have_program("sox")) GTEST_SKIP() << "sox not installed";
  const auto plans = load_all_plans(data_dir());
  const TonePlan merged = merged_plan(plans);
  const auto tones = am_tones(plans);
  ASSERT_GE(tones.size(), 5u) << "the shipped plans have AM tones in in, jp, sg, th, za";
  // Leading silence (samples): none, part of a 20 ms block, whole blocks, 0.5 / 1 / 2 s and 2 s + 13 ms.
  std::vector<std::size_t> pads = {0, 104, 4000, 8000, 16000, 16104};
  std::vector<std::pair<int, int>> phases = {{0, 0}, {25, 50}, {50, 75}, {75, 25}, {10, 90}};
  if (test::kSanitizerBuild) {
    pads = {104, 16104};
    phases = {{0, 0}, {50, 75}};
    std::printf("[ info ] sanitizer build: 2 pads x 2 phases per tone (full sweep: 6 x 5)\n");
  }
  int runs = 0, failures = 0;
  for (const auto& at : tones) {
    const TonePlan& own = *std::find_if(plans.begin(), plans.end(), [&](auto& p) { return p.country == at.country; });
    for (const auto& [pc, pm] : phases) {
      const auto tone = sox_am(at.am, seconds_for(at.tone), pc, pm);
      ASSERT_GE(tone.size(), static_cast<std::size_t>(seconds_for(at.tone) * 7900)) << "sox failed";
      for (const std::size_t pad : pads) {
        std::vector<std::int16_t> pcm(pad, 0);
        pcm.insert(pcm.end(), tone.begin(), tone.end());
        gate(pcm, at.tone, pad);
        pcm.resize(pcm.size() + 8000, 0);  // 1 s of silence after
        for (const bool automatic : {false, true}) {
          const TonePlan& plan = automatic ? merged : own;
          ProgressDetector det(plan);
          Collected c;
          det.process(pcm, c);
          det.finish(c);
          ++runs;
          bool ok = false, wrong = false;
          std::string got;
          for (const auto& e : c.events) {
            const Tone& dt = plan.tones[e.tone];
            got += std::string(e.begin ? " +" : " -") + dt.name + "@" + std::to_string(e.sample);
            if (!e.begin) continue;
            const Am da = am_of(dt);
            // The plan's kind; in auto mode the same modulation rate (merged plans keep one of two equal tones);
            // starting with the tone: within two 20 ms blocks, plus one modulation period late (a tone that starts
            // in its envelope's trough is, for that long, near silence: 5-10 % of its amplitude at depth 0.9-1).
            const bool same = dt.kind == at.tone.kind &&
                              (automatic ? std::abs(da.fm_hz - at.am.fm_hz) < 0.5 && std::abs(da.carrier_hz - at.am.carrier_hz) < 0.5
                                         : dt.name == at.tone.name || dt.segments == at.tone.segments);
            const double start_err_ms = (static_cast<double>(e.sample) - static_cast<double>(pad)) / 8.0;
            if (same && start_err_ms >= -40.0 && start_err_ms <= 40.0 + 1000.0 / at.am.fm_hz) ok = true;
            else wrong = true;
          }
          if (!ok || wrong) {
            ++failures;
            ADD_FAILURE() << at.country << "." << at.tone.name << " (" << at.am.carrier_hz << "x" << at.am.fm_hz
                          << ") pad " << pad << " phases " << pc << "/" << pm << (automatic ? " auto" : " country")
                          << ": events" << got;
          }
        }
      }
    }
  }
  std::printf("[ info ] %zu AM tones, %d runs (country and auto), %d failures\n", tones.size(), runs, failures);
}

}  // namespace
