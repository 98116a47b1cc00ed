// `linedsp generate dtmf` and `linedsp detect --detect dtmf` run as a user would (DESIGN.md command-line
// contract): generate -> detect round trips over rates, encodings, levels and timing, checked against
// the requested digits and Q.23/Q.24 timing; the file's format checked with libsndfile (independent
// reader); usage errors exit 2.
#include <gtest/gtest.h>
#include <sndfile.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "support/paths.hpp"

namespace {

struct CliRun {
  int status;
  std::string out;
};

CliRun run(const std::string& args) {
  const std::string cmd = "'" + linedsp::test::cli_path() + "' " + args + " 2>/dev/null";
  CliRun r{-1, {}};
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

class DtmfCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(linedsp::test::cli_path()))
      GTEST_SKIP() << "the linedsp command is not built (" << linedsp::test::cli_path() << ")";
  }
};

TEST_F(DtmfCli, GenerateThenDetectRoundTrips) {
  struct Case {
    std::string options;
    int rate;
    int format;  // SF_FORMAT_PCM_16 / ULAW / ALAW
    double on_s;
  };
  const Case cases[] = {
      {"", 8000, SF_FORMAT_PCM_16, 0.080},
      {"--rate 16000 --encoding ulaw", 16000, SF_FORMAT_ULAW, 0.080},
      {"--encoding alaw --on-ms 50 --off-ms 45", 8000, SF_FORMAT_ALAW, 0.050},  // Q.23 minimum timing
      {"--level-low -25 --twist 4 --on-ms 45 --off-ms 45", 8000, SF_FORMAT_PCM_16, 0.045},  // Q.24 edges
      {"--level-low -6 --level-high -14 --ramp-ms 0", 8000, SF_FORMAT_PCM_16, 0.080},       // 8 dB normal twist
  };
  const std::string digits = "0123456789*#ABCD";
  for (const auto& c : cases) {
    const std::string path = linedsp::test::temp_dir() + "/dtmf.wav";
    ASSERT_EQ(run("generate dtmf '" + digits + "' -o '" + path + "' " + c.options).status, 0) << c.options;
    SF_INFO info{};
    SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
    ASSERT_NE(f, nullptr) << c.options;
    sf_close(f);
    EXPECT_EQ(info.samplerate, c.rate) << c.options;
    EXPECT_EQ(info.channels, 1);
    EXPECT_EQ(info.format & SF_FORMAT_SUBMASK, c.format) << c.options;
    const CliRun r = run("detect --detect dtmf --format jsonl '" + path + "'");
    ASSERT_EQ(r.status, 0) << c.options;
    std::istringstream lines(r.out);
    std::string got, line;
    while (std::getline(lines, line)) {
      const auto j = nlohmann::json::parse(line);
      EXPECT_EQ(j["type"], "dtmf");
      got += j["value"].get<std::string>();
      EXPECT_NEAR(j["dur"].get<double>(), c.on_s, 0.012) << c.options << " digit " << j["value"];
    }
    EXPECT_EQ(got, digits) << c.options;
  }
}

TEST_F(DtmfCli, UsageErrorsExitTwo) {
  const std::string path = linedsp::test::temp_dir() + "/bad.wav";
  EXPECT_EQ(run("generate dtmf 12x -o '" + path + "'").status, 2);
  EXPECT_EQ(run("generate dtmf 123 -o '" + path + "' --rate 11025").status, 2);
  EXPECT_EQ(run("generate dtmf 123").status, 2) << "no -o";
  EXPECT_FALSE(std::filesystem::exists(path)) << "nothing written on a usage error";
}

}  // namespace
