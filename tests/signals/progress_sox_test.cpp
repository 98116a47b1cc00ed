// Every tone of every shipped plan, synthesised by sox (an independent generator) from the plan's numbers —
// frequencies, levels, cadence — and detected and classified by the call-progress detector. sox's `synth ...
// amod` applies per channel and does not give a mono AM tone, so an AM tone ("425x25") is built from its three
// sines (carrier and sidebands at the plan's depth), each made by sox. sox starts every segment at phase 0, unlike
// linedsp's phase-continuous generator, which is what a real exchange's tone sender does too.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "dsp/level.hpp"
#include "signals/progress_detector.hpp"
#include "signals/tone_generator.hpp"
#include "signals/tone_plan.hpp"
#include "support/paths.hpp"

namespace {

using namespace linedsp;

constexpr double kSoxSeconds = 3.0;  // longest segment in any plan is 2.6 s

// One sine from sox at 8 kHz, kSoxSeconds long, peak = `peak` int16 units.
const std::vector<std::int16_t>& sox_sine(double freq_hz) {
  static std::map<double, std::vector<std::int16_t>> cache;
  auto it = cache.find(freq_hz);
  if (it != cache.end()) return it->second;
  char cmd[256];
  std::snprintf(cmd, sizeof cmd, "sox -D -n -r 8000 -b 16 -e signed -c 1 -t raw - synth %.3f sine %.3f vol 0.5",
                kSoxSeconds, freq_hz);
  std::vector<std::int16_t> v(static_cast<std::size_t>(kSoxSeconds * 8000));
  FILE* p = popen(cmd, "r");
  std::size_t got = p ? std::fread(v.data(), 2, v.size(), p) : 0;
  if (p) pclose(p);
  v.resize(got);
  return cache.emplace(freq_hz, std::move(v)).first->second;
}

// The tone from the plan's numbers, `seconds` long (or once through, if played once).
std::vector<std::int16_t> sox_tone(const Tone& t, double seconds) {
  std::vector<std::int16_t> out;
  const auto target = static_cast<std::size_t>(seconds * 8000);
  std::size_t guard = 0;
  while ((out.size() < target || guard == 0) && guard++ < 1000) {
    for (const auto& seg : t.segments) {
      std::size_t n = seg.duration_ms ? seg.duration_ms * 8u : target - std::min(target, out.size());
      std::vector<double> acc(n, 0.0);
      for (const auto& c : seg.components) {
        const auto& s = sox_sine(c.freq_hz);
        const double scale = dbm0_to_peak(c.level_dbm0) / 16384.0;  // sox wrote peak 0.5 full scale
        for (std::size_t i = 0; i < n && i < s.size(); ++i) acc[i] += scale * s[i];
      }
      for (double a : acc) out.push_back(static_cast<std::int16_t>(std::lround(std::clamp(a, -32768.0, 32767.0))));
      if (!seg.duration_ms) return out;
    }
    if (!t.repeat) break;
  }
  return out;
}

std::vector<std::pair<std::vector<double>, std::uint32_t>> shape(const Tone& t) {
  std::vector<std::pair<std::vector<double>, std::uint32_t>> out;
  for (const auto& s : t.segments) {
    std::vector<double> f;
    for (auto& c : s.components) f.push_back(c.freq_hz);
    std::sort(f.begin(), f.end());
    if ((f.empty() && s.duration_ms < 40 && !out.empty()) || (!out.empty() && out.back().first == f)) {
      out.back().second += s.duration_ms;
      continue;
    }
    out.push_back({f, s.duration_ms});
  }
  return out;
}
bool same_sound(const Tone& a, const Tone& b) {
  auto sa = shape(a), sb = shape(b);
  const bool ra = a.repeat && sa.size() == 1, rb = b.repeat && sb.size() == 1;
  if (ra) sa[0].second = 0;
  if (rb) sb[0].second = 0;
  return sa == sb && (a.repeat == b.repeat || ra || rb || sa.back().second == 0);
}

TEST(ProgressDetectorSox, EveryToneOfEveryPlanFromSoxIsDetectedAndClassified) {
  if (!test::have_program("sox")) GTEST_SKIP() << "sox not installed";
  const auto plans = load_all_plans(test::source_dir() + "/data");
  ASSERT_GE(plans.size(), 40u);
  int tones = 0, failures = 0, skipped = 0;
  for (const auto& plan : plans) {
    ProgressDetector det(plan);
    for (std::size_t ti = 0; ti < plan.tones.size(); ++ti) {
      const Tone& t = plan.tones[ti];
      std::uint32_t shortest = 1u << 30;
      for (const auto& s : t.segments)
        if (!s.silent() && s.duration_ms) shortest = std::min(shortest, s.duration_ms);
      if (shortest < 60) {  // below the detector's 3-block floor (see progress_detector_test)
        ++skipped;
        continue;
      }
      const bool endless = t.segments.back().duration_ms == 0 || t.repeat;
      const double secs = endless ? std::max(4.0, 3.2 * t.cycle_ms() / 1000.0) : 0.0;
      auto pcm = sox_tone(t, secs);
      pcm.insert(pcm.begin(), 4000, 0);
      pcm.resize(pcm.size() + 8000, 0);
      det.reset();
      std::vector<ProgressEvent> ev;
      auto sink = [&](const ProgressEvent& e) { ev.push_back(e); };
      det.process(pcm, sink);
      det.finish(sink);
      ++tones;
      bool ok = false, wrong = false;
      for (const auto& e : ev) {
        if (!e.begin) continue;
        (e.tone == ti || same_sound(plan.tones[e.tone], t) ? ok : wrong) = true;
      }
      if (!ok || wrong) {
        ++failures;
        std::string got;
        for (const auto& e : ev) got += std::string(e.begin ? " +" : " -") + plan.tones[e.tone].name;
        ADD_FAILURE() << plan.country << "." << t.name << (ok ? " misclassified" : " not detected") << ":" << got;
      }
    }
  }
  std::printf("[ info ] sox: %d tones in %zu plans, %d failures, %d skipped (tone-on element < 60 ms)\n", tones,
              plans.size(), failures, skipped);
  EXPECT_LE(skipped, 3);
}

}  // namespace
