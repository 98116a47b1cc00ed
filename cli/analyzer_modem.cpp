// `linedsp detect --detect modem`: modem and fax signalling tones (signals/modem_tone_detector.hpp).
//
// Records: type "tone", value cng | ced | ans | ans-pr | ansam | ansam-pr | v21-flags (DESIGN.md names).
// A plain 2100 Hz answer tone is "ced" when V.21 flags (the fax preamble) begin within 1 s of its end (T.30: CED,
// a 75 ms pause, then the preamble; REFERENCES.md: "CED does not tell fax from modem: the V.21 flags do"),
// otherwise "ans". Fields: level_dbm0, frequency_hz (tones), am_depth (answer tones), reversals (answer tones),
// bursts (cng), flags (v21-flags), detected_after_ms (the detection delay: decision sample minus onset).
#include <cmath>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/analyzer.hpp"
#include "signals/modem_tone_detector.hpp"

namespace linedsp::cli {
namespace {

class ModemAnalyzer : public Analyzer {
 public:
  explicit ModemAnalyzer(const AnalyzerContext& ctx) : ctx_(ctx), det_(config(ctx)) {}

  void process(std::span<const std::int16_t> pcm, std::vector<Record>& out) override {
    auto sink = [&](const ModemToneEvent& e) { on_event(e, out); };
    det_.process(pcm, sink);
    seen_ += pcm.size();
    flush_ced(out, false);
  }

  void finish(std::vector<Record>& out) override {
    auto sink = [&](const ModemToneEvent& e) { on_event(e, out); };
    det_.finish(sink);
    flush_ced(out, true);
  }

 private:
  static ModemToneDetectorConfig config(const AnalyzerContext& ctx) {
    if (ctx.sample_rate_hz != 8000 && ctx.sample_rate_hz != 16000)
      throw std::runtime_error("modem tone detection runs at 8000 or 16000 Hz, not " +
                               std::to_string(ctx.sample_rate_hz));
    ModemToneDetectorConfig c;
    c.sample_rate_hz = ctx.sample_rate_hz;
    return c;
  }

  void on_event(const ModemToneEvent& e, std::vector<Record>& out) {
    if (e.begin) {
      begin_[static_cast<int>(e.tone)] = e;
      if (e.tone == ModemTone::v21_flags && pending_ && e.sample <= pending_end_ + window()) pending_->value = "ced";
      return;
    }
    Record r;
    r.channel = ctx_.channel;
    r.start_sample = e.sample;
    r.duration_samples = e.duration_samples;
    r.type = "tone";
    r.value = modem_tone_name(e.tone);
    r.fields["level_dbm0"] = std::round(double(e.level_dbm0) * 10.0) / 10.0;
    if (e.tone != ModemTone::v21_flags) r.fields["frequency_hz"] = std::round(double(e.frequency_hz) * 10.0) / 10.0;
    if (is_answer_tone(e.tone)) {
      r.fields["am_depth"] = std::round(double(e.am_depth) * 1000.0) / 1000.0;
      r.fields["reversals"] = e.count;
    }
    if (e.tone == ModemTone::cng) r.fields["bursts"] = e.count;
    if (e.tone == ModemTone::v21_flags) r.fields["flags"] = e.count;
    const ModemToneEvent& b = begin_[static_cast<int>(e.tone)];
    if (b.begin && b.sample == e.sample)
      r.fields["detected_after_ms"] =
          std::round(static_cast<double>(b.decided_sample - b.sample) * 10000.0 / ctx_.sample_rate_hz) / 10.0;
    if (e.tone == ModemTone::ans) {  // may turn out to be a fax CED: hold it until the preamble could have begun
      flush_ced(out, true);
      pending_ = std::move(r);
      pending_end_ = e.sample + e.duration_samples;
      return;
    }
    out.push_back(std::move(r));
  }

  std::uint64_t window() const { return static_cast<std::uint64_t>(ctx_.sample_rate_hz); }  // 1 s

  void flush_ced(std::vector<Record>& out, bool force) {
    if (!pending_) return;
    if (!force && pending_->value != "ced" && seen_ < pending_end_ + window() + window() / 2) return;
    out.push_back(std::move(*pending_));
    pending_.reset();
  }

  AnalyzerContext ctx_;
  ModemToneDetector det_;
  ModemToneEvent begin_[kModemToneCount] = {};
  std::optional<Record> pending_;
  std::uint64_t pending_end_ = 0;
  std::uint64_t seen_ = 0;
};

const AnalyzerRegistration reg{"modem", [](const AnalyzerContext& ctx) -> std::unique_ptr<Analyzer> {
                                 return std::make_unique<ModemAnalyzer>(ctx);
                               }};

}  // namespace
}  // namespace linedsp::cli
