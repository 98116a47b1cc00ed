// cli/analyzer.hpp — what `linedsp detect` runs on each channel of each file.
//
// Each detector family (dtmf, progress, modem, cid, ...) adapts its detector to this interface in its
// own cli/analyzer_*.cpp and registers under the name used by `--detect`:
//
//   static const linedsp::cli::AnalyzerRegistration reg{"dtmf", [](const AnalyzerContext& ctx) {
//     return std::make_unique<DtmfAnalyzer>(ctx);   // may throw std::runtime_error with a clear message
//   }};
//
// `detect` reads each file in blocks (constant memory), converts to int16 at ctx.sample_rate_hz
// (resampling with libsoxr where needed), and feeds every channel to its own analyzer instances.
// Records come out complete (start + duration); `detect` sorts and formats them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

namespace linedsp::cli {

// One output row. JSON Lines: {"file":..,"channel":0,"t":1.234,"dur":0.080,"type":"dtmf","value":"5", ...fields}
struct Record {
  int channel = 0;
  std::uint64_t start_sample = 0;     // at ctx.sample_rate_hz
  std::uint64_t duration_samples = 0;
  std::string type;                   // dtmf, tone, cid, ring
  std::string value;                  // "5", "busy", "ced", the caller's number ...
  nlohmann::json fields = nlohmann::json::object();  // extra fields, e.g. cid name/date, tone cadence
};

struct AnalyzerContext {
  int sample_rate_hz = 8000;   // the rate samples arrive at
  int channel = 0;
  std::string country = "us";  // --country (lower-case ISO 3166 alpha-2, or "auto")
  std::string tones_file;      // --tones FILE, empty for the shipped plans
  std::string data_dir;        // shipped data (tone plans ...)
};

class Analyzer {
 public:
  virtual ~Analyzer() = default;
  // Samples of one channel, in order, any block size. Appends finished records to `out`.
  virtual void process(std::span<const std::int16_t> pcm, std::vector<Record>& out) = 0;
  // End of stream: close any event still open (it ends at the last sample) and append it.
  virtual void finish(std::vector<Record>& out) = 0;
};

using AnalyzerFactory = std::function<std::unique_ptr<Analyzer>(const AnalyzerContext&)>;

struct AnalyzerSpec {
  std::string name;
  AnalyzerFactory factory;
  bool by_default = true;  // run when --detect is not given (false: only on request, e.g. ring voltage)
};
std::vector<AnalyzerSpec>& analyzer_registry();

struct AnalyzerRegistration {
  AnalyzerRegistration(std::string name, AnalyzerFactory factory, bool by_default = true) {
    analyzer_registry().push_back({std::move(name), std::move(factory), by_default});
  }
};

}  // namespace linedsp::cli
