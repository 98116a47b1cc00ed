// tests/robustness/bad_input_cli_test.cpp — the catalogue of docs/bad-input.md, one test per row: every
// bad input is given to the built `linedsp` as a user would, and the test asserts what the user sees: the
// exit code (0 ok, 1 bad input data, 2 bad usage/options/config, per cli/main.cpp), a one-line message
// naming the culprit on stderr, and never a crash (a signal) or a silent success.
//
// Inputs are written here byte by byte (a hand-made RIFF header), not by linedsp, so the corruption is
// exactly the one named.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "support/paths.hpp"
#include "support/process.hpp"

namespace linedsp::test {
namespace {

void put16(std::string& s, std::uint16_t v) { s.push_back(char(v & 0xff)), s.push_back(char(v >> 8)); }
void put32(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(char((v >> (8 * i)) & 0xff));
}

// A canonical 44-byte RIFF/WAVE header (Microsoft RIFF spec) followed by `data`; `data_len` overrides the
// data chunk size the header states.
std::string wav(const std::string& data, std::uint16_t tag = 1, std::uint16_t bits = 16, std::uint32_t rate = 8000,
                std::uint16_t channels = 1, std::int64_t data_len = -1) {
  std::string s = "RIFF";
  put32(s, std::uint32_t(36 + data.size()));
  s += "WAVEfmt ";
  put32(s, 16);
  put16(s, tag);
  put16(s, channels);
  put32(s, rate);
  put32(s, rate * channels * bits / 8);
  put16(s, std::uint16_t(channels * bits / 8));
  put16(s, bits);
  s += "data";
  put32(s, data_len < 0 ? std::uint32_t(data.size()) : std::uint32_t(data_len));
  return s + data;
}

std::string pcm16_silence(std::size_t n) { return std::string(2 * n, '\0'); }

std::string float32(const std::vector<float>& v) {
  std::string s(v.size() * 4, '\0');
  std::memcpy(s.data(), v.data(), s.size());
  return s;
}

std::vector<float> sine_f(std::size_t n, float amp) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = amp * std::sin(0.3f * float(i));
  return v;
}

class BadInput : public ::testing::Test {
 protected:
  std::string dir_ = temp_dir();
  std::string file(const std::string& name, const std::string& contents) {
    const std::string p = dir_ + "/" + name;
    write_file(p, contents);
    return p;
  }
  // Runs linedsp; asserts no crash, the exit code, and that stderr contains every `needles`.
  ProcessResult expect(const std::vector<std::string>& args, int code, const std::vector<std::string>& needles,
                       const std::string& stdin_data = "") {
    ProcessResult r = run_cli(args, stdin_data);
    EXPECT_EQ(r.term_signal, 0) << "linedsp was killed by signal " << r.term_signal;
    EXPECT_EQ(r.exit_code, code) << "stderr: " << r.err;
    for (const auto& n : needles) EXPECT_NE(r.err.find(n), std::string::npos) << "missing '" << n << "' in: " << r.err;
    if (code != 0) {
      EXPECT_NE(r.err.find("linedsp: "), std::string::npos) << r.err;
    }
    return r;
  }
};

// ---- audio files ----
TEST_F(BadInput, MissingFile) { expect({"detect", dir_ + "/nope.wav"}, 1, {"nope.wav", "no such file"}); }
TEST_F(BadInput, EmptyFile) { expect({"detect", file("empty.wav", "")}, 1, {"empty.wav", "empty file"}); }
TEST_F(BadInput, TruncatedHeader) {
  expect({"detect", file("trunc.wav", wav(pcm16_silence(100)).substr(0, 30))}, 1, {"trunc.wav", "corrupt header"});
}
TEST_F(BadInput, TruncatedData) {  // header promises 40000 frames, 8000 present: an error, not a short success
  expect({"detect", file("short.wav", wav(pcm16_silence(8000), 1, 16, 8000, 1, 80000))}, 1,
         {"short.wav", "truncated", "40000", "8000"});
}
TEST_F(BadInput, RandomBytes) {
  std::string junk(4000, '\0');
  std::uint32_t x = 12345;
  for (auto& c : junk) c = char((x = x * 1664525u + 1013904223u) >> 24);
  expect({"detect", file("junk.wav", junk)}, 1, {"junk.wav", "Format not recognised"});
}
TEST_F(BadInput, TextFile) { expect({"detect", file("notes.txt", "hello\n")}, 1, {"notes.txt", "cannot read audio"}); }
TEST_F(BadInput, Directory) { expect({"detect", dir_}, 1, {"is a directory"}); }
TEST_F(BadInput, UnknownWavEncoding) {
  expect({"detect", file("tag99.wav", wav(pcm16_silence(800), 99))}, 1, {"unsupported encoding", "0x0063"});
}
TEST_F(BadInput, ZeroChannels) { expect({"detect", file("ch0.wav", wav(pcm16_silence(800), 1, 16, 8000, 0))}, 1, {"no channels"}); }
TEST_F(BadInput, SampleRateTooLow) {
  expect({"detect", file("r1k.wav", wav(pcm16_silence(800), 1, 16, 1000))}, 1, {"1000 Hz", "4000..384000"});
}
TEST_F(BadInput, SampleRateZero) { expect({"detect", file("r0.wav", wav(pcm16_silence(800), 1, 16, 0))}, 1, {"0 Hz"}); }
TEST_F(BadInput, SampleRateTooHigh) {
  expect({"detect", file("r1m.wav", wav(pcm16_silence(800), 1, 16, 1000000))}, 1, {"1000000 Hz"});
}
TEST_F(BadInput, OddSampleRateIsResampled) {  // 11025 Hz is legal: resampled to 8 kHz, exit 0
  expect({"info", file("r11k.wav", wav(pcm16_silence(11025), 1, 16, 11025))}, 0, {});
}
TEST_F(BadInput, FloatNaN) {  // NaN in a float WAV: a clear error naming the frame, exit 1
  auto v = sine_f(8000, 0.1f);
  v[4000] = std::numeric_limits<float>::quiet_NaN();
  expect({"detect", file("nan.wav", wav(float32(v), 3, 32))}, 1, {"nan.wav", "NaN sample at frame 4000"});
  expect({"info", dir_ + "/nan.wav"}, 1, {"NaN sample at frame 4000"});
}
TEST_F(BadInput, FloatInfinity) {
  auto v = sine_f(8000, 0.1f);
  v[123] = -std::numeric_limits<float>::infinity();
  expect({"detect", file("inf.wav", wav(float32(v), 3, 32))}, 1, {"infinite sample at frame 123"});
}
TEST_F(BadInput, FloatBeyondFullScaleIsClippedWithWarning) {  // 3.0 peak: clipped, counted, exit 0
  const auto v = sine_f(8000, 3.0f);
  std::size_t over = 0;
  for (float x : v) over += std::fabs(x) > 1.0f;
  const auto r = expect({"detect", file("clip.wav", wav(float32(v), 3, 32))}, 0, {"warning", "clipped"});
  EXPECT_NE(r.err.find(std::to_string(over) + " samples"), std::string::npos) << r.err;
}
TEST_F(BadInput, OddByteCountPcm16) {  // header says 800 frames, the file stops inside the 800th: truncated
  expect({"detect", file("odd.wav", wav(pcm16_silence(800)).substr(0, 44 + 1599))}, 1,
         {"truncated", "800 frames", "holds 799"});
}

// ---- headerless input ----
TEST_F(BadInput, RawWithoutRate) { expect({"detect", "--raw", "s16le", "-"}, 2, {"--raw needs --rate"}); }
TEST_F(BadInput, RawUnknownEncoding) { expect({"detect", "--raw", "foo", "--rate", "8000", "-"}, 2, {"--raw", "foo"}); }
TEST_F(BadInput, RawRateOutOfRange) { expect({"detect", "--raw", "s16le", "--rate", "100", "-"}, 2, {"--rate", "100"}); }
TEST_F(BadInput, RawStrayByte) {  // 3 bytes of s16le: one sample and a half
  expect({"detect", "--raw", "s16le", "--rate", "8000", "-"}, 1, {"truncated", "1 stray bytes"}, "abc");
}
TEST_F(BadInput, RawEmptyStdinIsNoEvents) { expect({"detect", "--raw", "s16le", "--rate", "8000", "-"}, 0, {}, ""); }

// ---- options ----
TEST_F(BadInput, NoSubcommand) { expect({}, 2, {"subcommand is required"}); }
// An unknown sub-command is named, with the known ones, on one line: exit 2 (cli/main.cpp checks the command
// words before CLI11, which would report it as a missing sub-command).
TEST_F(BadInput, UnknownSubcommand) {
  const auto r = expect({"bogus"}, 2, {"linedsp: bogus: unknown command", "detect", "generate"});
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}
TEST_F(BadInput, UnknownGenerateSubcommand) {
  expect({"generate", "bogus", "-o", "x.wav"}, 2, {"generate bogus: unknown command", "dtmf"});
}
TEST_F(BadInput, KnownCommandStillParses) { expect({"detect", "--help"}, 0, {}); }
TEST_F(BadInput, UnknownOption) { expect({"detect", "--bogus-opt"}, 2, {"--bogus-opt"}); }
TEST_F(BadInput, UnknownDetector) { expect({"detect", "--detect", "nosuch", "x.wav"}, 2, {"nosuch", "unknown detector"}); }
TEST_F(BadInput, UnknownOutputFormat) { expect({"detect", "--format", "xml", "x.wav"}, 2, {"--format", "xml"}); }
TEST_F(BadInput, JobsZero) { expect({"detect", "--jobs", "0", "x.wav"}, 2, {"--jobs"}); }
TEST_F(BadInput, UnknownCountry) {
  expect({"detect", "--country", "zz", file("ok.wav", wav(pcm16_silence(800)))}, 2, {"no tone plan for country 'zz'"});
}
TEST_F(BadInput, CountryThatIsAPath) {
  expect({"detect", "--country", "../tones/us", file("ok.wav", wav(pcm16_silence(800)))}, 2,
         {"no tone plan for country '../tones/us'", "ISO 3166"});
}
TEST_F(BadInput, OutputInMissingFolder) {
  expect({"detect", "-o", dir_ + "/no/such/out.txt", file("ok.wav", wav(pcm16_silence(800)))}, 1, {"cannot create"});
}
TEST_F(BadInput, TranscodeWithoutOutput) { expect({"transcode", "x.wav"}, 2, {"output is required"}); }
TEST_F(BadInput, TranscodeUnknownEncoding) { expect({"transcode", "x.wav", "y.wav", "--encoding", "foo"}, 2, {"--encoding", "foo"}); }
TEST_F(BadInput, GenerateDtmfWithoutDigits) { expect({"generate", "dtmf"}, 2, {"digits is required"}); }

// ---- tone plans (--tones) ----
TEST_F(BadInput, TonePlanSyntaxError) {
  expect({"detect", "--tones", file("bad.toml", "not [valid toml"), file("ok.wav", wav(pcm16_silence(800)))}, 2,
         {"bad.toml:1", "syntax"});
}
TEST_F(BadInput, TonePlanUnknownField) {
  expect({"detect", "--tones", file("unk.toml", "x = 1\n"), file("ok.wav", wav(pcm16_silence(800)))}, 2,
         {"unk.toml:1", "x: unknown field"});
}
TEST_F(BadInput, TonePlanMissingCountry) {
  expect({"detect", "--tones", file("nc.toml", "[tones.dial]\nfrequencies = \"abc\"\n"),
          file("ok.wav", wav(pcm16_silence(800)))},
         2, {"nc.toml", "country: missing"});
}
TEST_F(BadInput, TonePlanMissingFile) {
  expect({"detect", "--tones", dir_ + "/none.toml", file("ok.wav", wav(pcm16_silence(800)))}, 2, {"none.toml", "cannot read"});
}

// ---- scenarios (sim) ----
// A scenario is configuration like a tone plan: missing, unreadable or malformed, or naming a country without a
// tone plan, is a usage error (2), as `detect --tones` / `--country` give; a failure while running is 1.
TEST_F(BadInput, SimWithoutArguments) { expect({"sim"}, 2, {"SCENARIO and -o DIR are required"}); }
TEST_F(BadInput, SimScenarioSyntaxError) {
  expect({"sim", file("bad.toml", "not [valid toml"), "-o", dir_ + "/out"}, 2, {"bad.toml:1", "syntax"});
}
TEST_F(BadInput, SimScenarioUnknownKey) {
  expect({"sim", file("unk.toml", "x = 1\n"), "-o", dir_ + "/out"}, 2, {"unk.toml:1", "x: unknown key"});
}
TEST_F(BadInput, SimUnknownScenario) { expect({"sim", "nosuchscenario", "-o", dir_ + "/out"}, 2, {"nosuchscenario", "cannot read"}); }
TEST_F(BadInput, SimScenarioUnknownCountry) {
  expect({"sim", file("zz.toml", "country = \"zz\"\nduration_s = 1.0\n"), "-o", dir_ + "/out"}, 2,
         {"no tone plan for country 'zz'"});
}
// The same family for the same fault: a broken tone plan and a broken scenario both exit 2.
TEST_F(BadInput, BrokenTonePlanAndBrokenScenarioExitAlike) {
  const auto a = run_cli({"detect", "--tones", file("b1.toml", "not [valid toml"), file("ok.wav", wav(pcm16_silence(800)))});
  const auto b = run_cli({"sim", file("b2.toml", "not [valid toml"), "-o", dir_ + "/out"});
  EXPECT_EQ(a.exit_code, 2) << a.err;
  EXPECT_EQ(b.exit_code, a.exit_code) << b.err;
}
TEST_F(BadInput, SimOutputDirectoryCannotBeCreated) {  // an output problem is a processing error: 1
  write_file(dir_ + "/afile", "x");
  expect({"sim", "outgoing-call", "-o", dir_ + "/afile/out"}, 1, {"cannot create the output directory"});
}

}  // namespace
}  // namespace linedsp::test
