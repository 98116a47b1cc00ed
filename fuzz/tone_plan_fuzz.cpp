// fuzz/tone_plan_fuzz.cpp — signals/tone_plan's TOML parser (and the frequency spec parser) on arbitrary
// text. Errors are std::runtime_error / std::invalid_argument naming FILE:LINE; anything else is a bug. A plan
// that parses is compiled into a ProgressDetector and fed a little audio, so accepted plans must be usable.
#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "signals/progress_detector.hpp"
#include "signals/tone_plan.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)linedsp::parse_frequency_spec(text, -13.0, 0.0);
  } catch (const std::exception&) {
  }
  try {
    const linedsp::TonePlan plan = linedsp::parse_tone_plan(text, "fuzz.toml");
    linedsp::ProgressDetector det(plan);
    std::vector<std::int16_t> pcm(8000);
    for (std::size_t i = 0; i < pcm.size(); ++i) pcm[i] = static_cast<std::int16_t>((i * 97) % 4000 - 2000);
    std::size_t n = 0;
    auto sink = [&](const linedsp::ProgressEvent&) { ++n; };
    det.process(pcm, sink);
  } catch (const std::exception&) {
  }
  return 0;
}
