// `linedsp detect --detect progress`: call-progress tones (signals/progress_detector.hpp) for --country CC, a
// --tones FILE plan, or --country auto (every shipped plan merged). Records: type "tone", value dial |
// special-dial | ringback | busy | congestion | sit | call-waiting | other, fields {tone, cadence (the plan's, ms),
// frequencies (measured, Hz; for SIT one per segment as "segments"), level_dbm0, confirmed_after (s)}.
// `--detect ring`: ring cadences in a sampled ring-voltage recording (volts x 100, signals/ring.hpp): type "ring",
// value the plan's pattern name (normal, distinctive2 ...) or "invalid", fields {bursts, cadence (measured, ms)}.
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "cli/analyzer.hpp"
#include "signals/progress_detector.hpp"
#include "signals/ring.hpp"
#include "signals/tone_plan.hpp"

namespace linedsp::cli {
namespace {

// Plans are loaded once per process (every channel of every file shares them).
const TonePlan& plan_for(const AnalyzerContext& ctx) {
  static std::mutex mu;
  static std::map<std::string, TonePlan> cache;
  std::lock_guard lock(mu);
  const std::string key = ctx.tones_file.empty() ? "country:" + ctx.country : "file:" + ctx.tones_file;
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  TonePlan p;
  if (!ctx.tones_file.empty()) p = load_tone_plan(ctx.tones_file);
  else if (ctx.country == "auto") p = merged_plan(load_all_plans(ctx.data_dir));
  else p = load_country_plan(ctx.data_dir, ctx.country);
  return cache.emplace(key, std::move(p)).first->second;
}

nlohmann::json cadence_json(const Tone& t) {
  nlohmann::json c = nlohmann::json::array();
  for (const auto& s : t.segments) c.push_back(s.duration_ms);
  return c;
}

class ProgressAnalyzer : public Analyzer {
 public:
  explicit ProgressAnalyzer(const AnalyzerContext& ctx)
      : channel_(ctx.channel), rate_(ctx.sample_rate_hz), plan_(plan_for(ctx)), det_(plan_, config(ctx)) {}

  void process(std::span<const std::int16_t> pcm, std::vector<Record>& out) override {
    auto sink = [&](const ProgressEvent& e) { on_event(e, out); };
    det_.process(pcm, sink);
  }
  void finish(std::vector<Record>& out) override {
    auto sink = [&](const ProgressEvent& e) { on_event(e, out); };
    det_.finish(sink);
  }

 private:
  static ProgressDetectorConfig config(const AnalyzerContext& ctx) {
    if (ctx.sample_rate_hz != 8000 && ctx.sample_rate_hz != 16000)
      throw std::runtime_error("progress: sample rate " + std::to_string(ctx.sample_rate_hz) + " Hz not supported");
    ProgressDetectorConfig c;
    c.sample_rate_hz = ctx.sample_rate_hz;
    return c;
  }
  void on_event(const ProgressEvent& e, std::vector<Record>& out) {
    if (e.begin) {
      begin_ = e;
      return;
    }
    const Tone& t = plan_.tones[e.tone];
    Record r;
    r.channel = channel_;
    r.start_sample = begin_.sample;
    r.duration_samples = e.sample > begin_.sample ? e.sample - begin_.sample : 0;
    r.type = "tone";
    r.value = tone_kind_name(t.kind);
    r.fields["tone"] = t.name;
    r.fields["cadence"] = cadence_json(t);
    nlohmann::json f = nlohmann::json::array();
    for (std::size_t i = 0; i < e.frequency_count; ++i) f.push_back(std::round(e.frequencies_hz[i] * 10.0) / 10.0);
    r.fields[t.kind == ToneKind::sit ? "segments" : "frequencies"] = f;
    r.fields["level_dbm0"] = std::round(e.level_dbm0 * 10.0) / 10.0;
    r.fields["confirmed_after"] =
        static_cast<double>(begin_.confirmed_sample - begin_.sample) / static_cast<double>(rate_);
    out.push_back(std::move(r));
  }

  int channel_;
  int rate_;
  const TonePlan& plan_;
  ProgressDetector det_;
  ProgressEvent begin_;
};

class RingAnalyzer : public Analyzer {
 public:
  explicit RingAnalyzer(const AnalyzerContext& ctx) : channel_(ctx.channel), plan_(plan_for(ctx)), det_(plan_, config(ctx)) {}
  void process(std::span<const std::int16_t> pcm, std::vector<Record>& out) override {
    auto sink = [&](const RingEvent& e) { on_event(e, out); };
    det_.process(pcm, sink);
    n_ += pcm.size();
  }
  void finish(std::vector<Record>& out) override {
    auto sink = [&](const RingEvent& e) { on_event(e, out); };
    det_.advance_to(n_ + 3600000, sink);  // close a cycle the recording ended in
  }

 private:
  static RingDetectorConfig config(const AnalyzerContext& ctx) {
    if (ctx.sample_rate_hz != 8000 && ctx.sample_rate_hz != 16000)
      throw std::runtime_error("ring: sample rate " + std::to_string(ctx.sample_rate_hz) + " Hz not supported");
    RingDetectorConfig c;
    c.sample_rate_hz = ctx.sample_rate_hz;
    return c;
  }
  void on_event(const RingEvent& e, std::vector<Record>& out) {
    if (e.type == RingEvent::Type::burst_end) bursts_.push_back(e.duration_samples);
    if (e.type != RingEvent::Type::cycle) return;
    Record r;
    r.channel = channel_;
    r.start_sample = e.sample;
    r.duration_samples = e.duration_samples;
    r.type = "ring";
    r.value = e.pattern >= 0 ? plan_.rings[static_cast<std::size_t>(e.pattern)].name : "invalid";
    r.fields["bursts"] = e.bursts;
    out.push_back(std::move(r));
    bursts_.clear();
  }
  int channel_;
  const TonePlan& plan_;
  RingDetector det_;
  std::uint64_t n_ = 0;
  std::vector<std::uint64_t> bursts_;
};

const AnalyzerRegistration kProgress{"progress", [](const AnalyzerContext& ctx) -> std::unique_ptr<Analyzer> {
                                       return std::make_unique<ProgressAnalyzer>(ctx);
                                     }};
// Ring analysis reads a ring-voltage recording; on line audio (speech, tones) its bursts mean nothing,
// so it runs only when asked for (--detect ring).
const AnalyzerRegistration kRing{"ring",
                                 [](const AnalyzerContext& ctx) -> std::unique_ptr<Analyzer> {
                                   return std::make_unique<RingAnalyzer>(ctx);
                                 },
                                 /*by_default=*/false};

}  // namespace
}  // namespace linedsp::cli
