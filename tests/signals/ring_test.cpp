// Ringing: every plan's ring patterns (normal and distinctive: GR-506 for North America, ACIF S002 for Australia,
// as cited in data/tones) generated as line events and as a ring-voltage waveform, then detected and classified;
// events exact to the sample; invalid cadences reported as such.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "signals/ring.hpp"
#include "signals/tone_plan.hpp"
#include "support/paths.hpp"

namespace {

using namespace linedsp;

TEST(RingCadenceGenerator, EdgesAtExactSamplesAndWaveformAtStatedScale) {
  RingPattern uk{"normal", {400, 200, 400, 2000}, 25.0, "", 0};
  RingCadenceGenerator g(uk);
  std::vector<std::int16_t> w(8000 * 6);
  std::vector<LineEvent> ev;
  auto sink = [&](const LineEvent& e) { ev.push_back(e); };
  g.generate(w, sink);
  const std::uint64_t expect[] = {0, 3200, 4800, 8000, 24000, 27200, 28800, 32000};
  ASSERT_GE(ev.size(), 8u);
  for (std::size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(ev[i].frame, expect[i]);
    EXPECT_EQ(ev[i].kind, i % 2 == 0 ? LineEventKind::ring_begin : LineEventKind::ring_end);
  }
  // 75 V rms at 10 mV per unit: rms over whole periods of the first burst = 7500 units.
  double s2 = 0;
  for (std::size_t i = 0; i < 3200; ++i) s2 += double(w[i]) * w[i];
  EXPECT_NEAR(std::sqrt(s2 / 3200) * kRingVoltsPerUnit, 75.0, 0.2);
  EXPECT_EQ(w[3300], 0);
  const auto c = to_ring_cadence(uk);
  EXPECT_EQ(c.count, 4u);
  EXPECT_EQ(c.segments_ms[3], 2000u);
}

TEST(RingDetector, EveryPatternOfEveryPlanClassifiedFromWaveformAndFromEvents) {
  const auto plans = load_all_plans(test::source_dir() + "/data");
  std::mt19937 rng(3);
  std::normal_distribution<double> hum(0.0, 300.0);  // 3 V rms of line noise
  int n = 0;
  for (const auto& p : plans) {
    for (std::size_t ri = 0; ri < p.rings.size(); ++ri) {
      RingCadenceGenerator g(p.rings[ri]);
      std::vector<std::int16_t> w(g.cycle_samples() * 2 + 8000);
      std::vector<LineEvent> lev;
      auto lsink = [&](const LineEvent& e) { lev.push_back(e); };
      g.generate(w, lsink);
      for (auto& s : w) s = static_cast<std::int16_t>(std::clamp(s + hum(rng), -32768.0, 32767.0));
      // From the waveform.
      RingDetector d(p);
      std::vector<RingEvent> ev;
      auto sink = [&](const RingEvent& e) { ev.push_back(e); };
      d.process(w, sink);
      int cycles = 0;
      for (const auto& e : ev)
        if (e.type == RingEvent::Type::cycle) {
          ++cycles;
          EXPECT_EQ(e.pattern, static_cast<int>(ri)) << p.country << " " << p.rings[ri].name << " (waveform)";
        }
      EXPECT_GE(cycles, 1) << p.country << " " << p.rings[ri].name;
      // From line events.
      RingDetector d2(p);
      std::vector<RingEvent> ev2;
      auto sink2 = [&](const RingEvent& e) { ev2.push_back(e); };
      for (const auto& e : lev) {
        d2.advance_to(e.frame, sink2);
        d2.on_line_event(e, sink2);
      }
      d2.advance_to(w.size(), sink2);
      int cycles2 = 0;
      for (const auto& e : ev2)
        if (e.type == RingEvent::Type::cycle) {
          ++cycles2;
          EXPECT_EQ(e.pattern, static_cast<int>(ri)) << p.country << " " << p.rings[ri].name << " (events)";
        }
      EXPECT_GE(cycles2, 1);
      ++n;
    }
  }
  std::printf("[ info ] %d ring patterns classified\n", n);
}

TEST(RingDetector, InvalidCadenceAndLowVoltageRejected) {
  const auto us = load_country_plan(test::source_dir() + "/data", "us");
  RingPattern odd{"odd", {1200, 3000}, 20.0, "", 0};  // 1.2 s is outside 2 s +-(15 % + 60 ms)
  RingCadenceGenerator g(odd);
  std::vector<std::int16_t> w(8000 * 9);
  auto none = [](const LineEvent&) {};
  g.generate(w, none);
  RingDetector d(us);
  std::vector<RingEvent> ev;
  auto sink = [&](const RingEvent& e) { ev.push_back(e); };
  d.process(w, sink);
  bool cycle = false;
  for (auto& e : ev)
    if (e.type == RingEvent::Type::cycle) {
      cycle = true;
      EXPECT_EQ(e.pattern, -1);
    }
  EXPECT_TRUE(cycle);
  RingGeneratorConfig low;
  low.ring_vrms = 15.0;  // below detect_vrms (30 V)
  RingCadenceGenerator g2(*us.find_ring("normal"), low);
  g2.generate(w, none);
  RingDetector d2(us);
  ev.clear();
  d2.process(w, sink);
  EXPECT_TRUE(ev.empty());
}

}  // namespace
