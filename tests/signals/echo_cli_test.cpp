// `linedsp cancel` (cli/cmd_cancel.cpp): the command line contract of DESIGN.md — OUT has NEAR's rate and
// length and is sample-aligned with it; the stereo form equals the two-file form; bad inputs are processing
// errors (exit 1) and bad option combinations usage errors (exit 2); --report prints the G.168 table and
// writes an SVG plot. Input files are written with libsndfile and the echo is known, so the ERLE of the
// command's output is measured against that oracle.
#include <gtest/gtest.h>
#include <sndfile.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "signals/g168.hpp"
#include "support/paths.hpp"

namespace linedsp {
namespace {

struct Result {
  int exit_code = -1;
  std::string output;  // stdout + stderr
};

Result run(const std::string& args) {
  const std::string cmd = linedsp::test::cli_path() + " " + args + " 2>&1";
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

void write_wav(const std::string& path, const std::vector<std::int16_t>& interleaved, int rate, int channels) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr) << path;
  sf_write_short(f, interleaved.data(), static_cast<sf_count_t>(interleaved.size()));
  sf_close(f);
}

std::vector<std::int16_t> read_wav(const std::string& path, int& rate) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f) return {};
  std::vector<std::int16_t> v(static_cast<std::size_t>(info.frames * info.channels));
  sf_readf_short(f, v.data(), info.frames);
  sf_close(f);
  rate = info.samplerate;
  return v;
}

class CancelCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(linedsp::test::cli_path())) GTEST_SKIP() << "linedsp command not built";
    dir_ = linedsp::test::temp_dir();
    far_f_ = g168::composite_source_signal(6.0, -10.0);
    echo_ = g168::convolve(far_f_, g168::echo_path(3, 6.0, 200));
    far_ = g168::to_int16(far_f_);
    near_ = g168::to_int16(echo_);
    write_wav(path("far.wav"), far_, 8000, 1);
    write_wav(path("near.wav"), near_, 8000, 1);
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::string dir_;
  std::vector<float> far_f_, echo_;
  std::vector<std::int16_t> far_, near_;
};

TEST_F(CancelCli, OutputHasNearsRateAndLengthAndCancelsEcho) {
  const Result r = run("cancel --far " + path("far.wav") + " --near " + path("near.wav") + " -o " + path("out.wav") + " --no-nlp");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  int rate = 0;
  const auto out = read_wav(path("out.wav"), rate);
  EXPECT_EQ(rate, 8000);
  ASSERT_EQ(out.size(), near_.size());
  double pe = 0.0, pr = 0.0;
  for (std::size_t i = 4 * 8000; i < out.size(); ++i) {
    pe += double(echo_[i]) * echo_[i];
    pr += double(out[i]) * out[i];
  }
  EXPECT_GT(10.0 * std::log10(pe / pr), 30.0) << "ERLE of the command's output over the last 2 s";
}

TEST_F(CancelCli, StereoFormEqualsTwoFiles) {
  std::vector<std::int16_t> stereo(far_.size() * 2);
  for (std::size_t i = 0; i < far_.size(); ++i) {
    stereo[2 * i] = far_[i];
    stereo[2 * i + 1] = near_[i];
  }
  write_wav(path("both.wav"), stereo, 8000, 2);
  ASSERT_EQ(run("cancel " + path("both.wav") + " -o " + path("a.wav")).exit_code, 0);
  ASSERT_EQ(run("cancel --far " + path("far.wav") + " --near " + path("near.wav") + " -o " + path("b.wav")).exit_code, 0);
  int ra = 0, rb = 0;
  EXPECT_EQ(read_wav(path("a.wav"), ra), read_wav(path("b.wav"), rb));
}

TEST_F(CancelCli, BadInputsAreProcessingErrors) {
  write_wav(path("far16k.wav"), std::vector<std::int16_t>(16000, 0), 16000, 1);
  Result r = run("cancel --far " + path("far16k.wav") + " --near " + path("near.wav") + " -o " + path("x.wav"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("sample rate"), std::string::npos) << r.output;
  write_wav(path("short.wav"), std::vector<std::int16_t>(8000, 0), 8000, 1);
  r = run("cancel --far " + path("short.wav") + " --near " + path("near.wav") + " -o " + path("x.wav"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("samples"), std::string::npos) << r.output;
  write_wav(path("st.wav"), std::vector<std::int16_t>(1600, 0), 8000, 2);
  r = run("cancel --far " + path("st.wav") + " --near " + path("near.wav") + " -o " + path("x.wav"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("channel"), std::string::npos) << r.output;
  r = run("cancel " + path("near.wav") + " -o " + path("x.wav"));  // one file must be stereo
  EXPECT_EQ(r.exit_code, 1) << r.output;
  write_wav(path("odd.wav"), std::vector<std::int16_t>(1102, 0), 11025, 2);
  r = run("cancel " + path("odd.wav") + " -o " + path("x.wav"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  r = run("cancel --far " + path("missing.wav") + " --near " + path("near.wav") + " -o " + path("x.wav"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_FALSE(std::filesystem::exists(path("x.wav")));
}

TEST_F(CancelCli, BadOptionsAreUsageErrors) {
  EXPECT_EQ(run("cancel --far " + path("far.wav") + " -o " + path("x.wav")).exit_code, 2);
  EXPECT_EQ(run("cancel --far " + path("far.wav") + " --near " + path("near.wav")).exit_code, 2);
  EXPECT_EQ(run("cancel --far " + path("far.wav") + " --near " + path("near.wav") + " -o x.wav --tail 200").exit_code, 2);
  EXPECT_EQ(run("cancel -o " + path("x.wav")).exit_code, 2);
  EXPECT_EQ(run("cancel --report -o " + path("x.wav")).exit_code, 2);
  EXPECT_EQ(run("cancel --far " + path("far.wav") + " --near " + path("near.wav") + " -o x.wav --plot p.svg").exit_code, 2);
}

TEST_F(CancelCli, ReportPrintsTableAndWritesSvg) {
  const double seconds = linedsp::test::kSanitizerBuild ? 3.0 : 6.0;
  if (linedsp::test::kSanitizerBuild) std::printf("sanitizer build: 3 s report runs\n");
  const Result r = run("cancel --report --tail 64 --seconds " + std::to_string(seconds) + " --plot " + path("erle.svg"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (int m = 2; m <= 9; ++m) EXPECT_NE(r.output.find("D." + std::to_string(m)), std::string::npos) << m;
  EXPECT_NE(r.output.find("to 20 dB"), std::string::npos);
  EXPECT_NE(r.output.find("steady ERLE"), std::string::npos);
  EXPECT_NE(r.output.find("over time"), std::string::npos);
  std::ifstream f(path("erle.svg"));
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string svg = ss.str();
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  std::size_t lines = 0;
  for (std::size_t pos = 0; (pos = svg.find("<polyline", pos)) != std::string::npos; ++pos) ++lines;
  EXPECT_EQ(lines, 8u) << "one ERLE line per Annex D model";
}

}  // namespace
}  // namespace linedsp
