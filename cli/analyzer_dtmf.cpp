// `linedsp detect --detect dtmf`: DTMF digits (ITU-T Q.24 receiver, signals/dtmf_detector.hpp).
// Records: type "dtmf", value the digit, start and duration of the tone.
#include <memory>
#include <string>

#include "cli/analyzer.hpp"
#include "signals/dtmf_detector.hpp"

namespace linedsp::cli {
namespace {

class DtmfAnalyzer : public Analyzer {
 public:
  explicit DtmfAnalyzer(const AnalyzerContext& ctx) : channel_(ctx.channel), det_(config(ctx)) {}

  void process(std::span<const std::int16_t> pcm, std::vector<Record>& out) override {
    auto sink = [&](const DtmfEvent& e) { append(e, out); };
    det_.process(pcm, sink);
  }
  void finish(std::vector<Record>& out) override {
    auto sink = [&](const DtmfEvent& e) { append(e, out); };
    det_.finish(sink);
  }

 private:
  static DtmfDetectorConfig config(const AnalyzerContext& ctx) {
    if (ctx.sample_rate_hz != 8000 && ctx.sample_rate_hz != 16000)
      throw std::runtime_error("dtmf: sample rate " + std::to_string(ctx.sample_rate_hz) + " Hz not supported");
    // Q.24 administration profiles by country; Bellcore/AT&T limits elsewhere.
    std::string profile = "att";
    if (ctx.country == "jp") profile = "ntt";
    if (ctx.country == "au") profile = "australia";
    DtmfDetectorConfig c = DtmfDetectorConfig::profile(profile);
    c.sample_rate_hz = ctx.sample_rate_hz;
    return c;
  }
  void append(const DtmfEvent& e, std::vector<Record>& out) const {
    if (e.begin) return;  // one record per digit, complete with its duration
    Record r;
    r.channel = channel_;
    r.start_sample = e.sample;
    r.duration_samples = e.duration_samples;
    r.type = "dtmf";
    r.value = std::string(1, e.digit);
    out.push_back(std::move(r));
  }

  int channel_;
  DtmfDetector det_;
};

const AnalyzerRegistration kRegistration{"dtmf", [](const AnalyzerContext& ctx) -> std::unique_ptr<Analyzer> {
                                           return std::make_unique<DtmfAnalyzer>(ctx);
                                         }};

}  // namespace
}  // namespace linedsp::cli
