// tests/cli/cli_test_util.hpp — DTMF made without linedsp (textbook synthesis; sox converts it) and
// parsers for `linedsp detect` output, shared by the tests in tests/cli.
#pragma once

#include <gtest/gtest.h>

#include <sndfile.h>

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/paths.hpp"
#include "support/process.hpp"

namespace linedsp::test {

struct ToneSpan {
  char digit;
  double start_s, on_s;
};

inline int sh(const std::string& cmd) { return std::system(cmd.c_str()); }

// DTMF frequencies per ITU-T Q.23 Table 1 (not taken from linedsp's tables).
inline std::pair<int, int> q23_pair(char d) {
  const char* keys = "123A456B789C*0#D";
  const int low[4] = {697, 770, 852, 941}, high[4] = {1209, 1336, 1477, 1633};
  for (int i = 0; i < 16; ++i)
    if (keys[i] == d) return {low[i / 4], high[i % 4]};
  return {0, 0};
}

// Writes DTMF `digits` as a textbook sum of two sines (an oracle independent of linedsp's generator),
// written by libsndfile: lead silence, then each digit on_ms on / off_ms off at -7/-5 dBm0 (low/high
// group; 0 dBm0 = peak 32768*10^(-3.17/20), G.711), then lead_ms of silence; 8 kHz mono 16-bit WAV.
// Returns the spans written.
inline std::vector<ToneSpan> write_dtmf(const std::string& path, const std::string& digits, int on_ms = 80,
                                        int off_ms = 80, int lead_ms = 200) {
  constexpr double kPi = 3.14159265358979323846;
  const double a_low = 32768.0 * std::pow(10.0, (-7.0 - 3.17) / 20.0);
  const double a_high = 32768.0 * std::pow(10.0, (-5.0 - 3.17) / 20.0);
  std::vector<short> pcm(static_cast<std::size_t>(lead_ms * 8), 0);
  std::vector<ToneSpan> spans;
  for (char d : digits) {
    const auto [lo, hi] = q23_pair(d);
    spans.push_back({d, static_cast<double>(pcm.size()) / 8000.0, on_ms / 1000.0});
    for (int n = 0; n < on_ms * 8; ++n)
      pcm.push_back(static_cast<short>(std::lround(a_low * std::sin(2 * kPi * lo * n / 8000.0) +
                                                   a_high * std::sin(2 * kPi * hi * n / 8000.0))));
    pcm.resize(pcm.size() + static_cast<std::size_t>(off_ms * 8), 0);
  }
  pcm.resize(pcm.size() + static_cast<std::size_t>(lead_ms * 8), 0);
  SF_INFO info{};
  info.samplerate = 8000;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  EXPECT_NE(f, nullptr) << path;
  if (!f) return spans;
  sf_write_short(f, pcm.data(), static_cast<sf_count_t>(pcm.size()));
  sf_close(f);
  return spans;
}

struct Event {
  std::string file;
  int channel = 0;
  double t = 0, dur = 0;
  std::string type, value;
};

inline std::vector<Event> parse_jsonl(const std::string& text) {
  std::vector<Event> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const auto j = nlohmann::json::parse(line);
    out.push_back({j.at("file").get<std::string>(), j.at("channel").get<int>(), j.at("t").get<double>(),
                   j.at("dur").get<double>(), j.at("type").get<std::string>(), j.at("value").get<std::string>()});
  }
  return out;
}

inline std::string digits_of(const std::vector<Event>& events, int channel = -1, const std::string& file = "") {
  std::string s;
  for (const auto& e : events)
    if (e.type == "dtmf" && (channel < 0 || e.channel == channel) && (file.empty() || e.file == file)) s += e.value;
  return s;
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace linedsp::test
