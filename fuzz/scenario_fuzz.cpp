// fuzz/scenario_fuzz.cpp — ports/scenario's TOML parser on arbitrary text (`linedsp sim FILE`). Only parsing
// is fuzzed: running a parsed scenario simulates up to its duration_s of audio, which is not a parser's job.
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "ports/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)linedsp::parse_scenario(text, "fuzz.toml");
  } catch (const std::exception&) {
  }
  return 0;
}
