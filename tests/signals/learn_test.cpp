// `learn`: an undocumented PBX tone, synthesised by sox (independent generator), is measured — frequencies to
// 0.5 Hz, level to 0.5 dB, cadence to 10 ms — and the printed plan entry, loaded as a user plan (--tones), detects
// the same recording as the right kind: the round trip a user makes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "dsp/level.hpp"
#include "signals/learn.hpp"
#include "signals/progress_detector.hpp"
#include "signals/tone_plan.hpp"
#include "support/paths.hpp"

namespace {

using namespace linedsp;

// sox: cycles of (on: sum of sines at the given levels, off: silence); noise 40 dB down.
std::vector<std::int16_t> sox_cadence(const std::vector<std::pair<double, double>>& comps,
                                      const std::vector<int>& cadence_ms, int cycles) {
  std::vector<std::int16_t> out;
  for (int c = 0; c < cycles; ++c) {
    for (std::size_t i = 0; i < cadence_ms.size(); ++i) {
      const std::size_t n = static_cast<std::size_t>(cadence_ms[i]) * 8;
      std::vector<double> acc(n, 0.0);
      if (i % 2 == 0) {
        for (auto [f, level] : comps) {
          char cmd[256];
          std::snprintf(cmd, sizeof cmd, "sox -D -n -r 8000 -b 16 -e signed -c 1 -t raw - synth %.4f sine %.3f vol %.6f",
                        cadence_ms[i] / 1000.0, f, dbm0_to_peak(level) / 32768.0);
          FILE* p = popen(cmd, "r");
          std::vector<std::int16_t> v(n);
          const std::size_t got = p ? std::fread(v.data(), 2, n, p) : 0;
          if (p) pclose(p);
          for (std::size_t k = 0; k < got; ++k) acc[k] += v[k];
        }
      }
      for (double a : acc) out.push_back(static_cast<std::int16_t>(std::lround(a)));
    }
  }
  return out;
}

struct Case {
  std::vector<std::pair<double, double>> comps;  // Hz, dBm0
  std::vector<int> cadence;
  int cycles;
  ToneKind kind;
};

TEST(Learn, SoxToneMeasuredAndPrintedEntryDetectsItAsUserPlan) {
  if (!test::have_program("sox")) GTEST_SKIP() << "sox not installed";
  const Case cases[] = {
      {{{440, -18}, {520, -18}}, {350, 350}, 6, ToneKind::busy},                  // a PBX busy tone
      {{{430, -12}}, {250, 250, 250, 750}, 4, ToneKind::congestion},              // two-burst reorder
      {{{400, -20}, {460, -22}}, {1200, 3000}, 3, ToneKind::ringback},            // ringback
      {{{380, -10}, {480, -10}}, {4000}, 1, ToneKind::dial},                      // continuous
  };
  for (const auto& c : cases) {
    auto pcm = sox_cadence(c.comps, c.cadence, c.cycles);
    std::vector<std::int16_t> rec(3000, 0);  // the recording starts in silence
    rec.insert(rec.end(), pcm.begin(), pcm.end());
    rec.resize(rec.size() + 4000, 0);
    const LearnedTone t = learn_tone(rec, 8000);
    ASSERT_EQ(t.components.size(), c.comps.size());
    for (std::size_t i = 0; i < c.comps.size(); ++i) {
      EXPECT_NEAR(t.components[i].freq_hz, c.comps[i].first, 0.5);
      EXPECT_NEAR(t.components[i].level_dbm0, c.comps[i].second, 0.5);
    }
    if (c.cadence.size() > 1) {
      ASSERT_EQ(t.cadence_ms.size(), c.cadence.size());
      for (std::size_t i = 0; i < c.cadence.size(); ++i) EXPECT_NEAR(t.cadence_ms[i], c.cadence[i], 10.0);
    } else {
      EXPECT_TRUE(t.cadence_ms.empty());
    }
    EXPECT_EQ(t.kind, c.kind);
    const std::string toml = "country = \"pbx\"\n" + plan_entry(t, "mine", "test");
    const TonePlan plan = parse_tone_plan(toml, "pbx.toml");
    ProgressDetector det(plan);
    bool found = false;
    auto sink = [&](const ProgressEvent& e) { found = found || (e.begin && e.kind == c.kind); };
    det.process(rec, sink);
    det.finish(sink);
    EXPECT_TRUE(found) << toml;
  }
}

TEST(Learn, SilenceIsAnError) {
  std::vector<std::int16_t> z(8000, 0);
  EXPECT_THROW(learn_tone(z, 8000), std::runtime_error);
}

}  // namespace
