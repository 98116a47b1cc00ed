// `linedsp transcode` and `linedsp info` run as a user runs them. Oracles: the ITU-T G.191 G.711 vectors
// (bit-exact coding), libsndfile reading the results, sox's `stats` and textbook level formulas.
#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_test_util.hpp"

namespace fs = std::filesystem;
using namespace linedsp::test;

namespace {

std::string low_bytes(const std::string& words16) {
  std::string out(words16.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = words16[2 * i];
  return out;
}

// ITU-T G.711 through the command line, against the G.191 reference vectors: sweep.src (every 16-bit
// value) encoded must give sweep-r.u / sweep-r.a, and those codes decoded sweep-r.u-u / sweep-r.a-a.
TEST(TranscodeCli, G711IsBitExactWithTheG191Vectors) {
  const auto vec = itu_g711_vectors_dir();
  if (!vec) GTEST_SKIP() << "ITU-T G.191 vectors not found (../shared/itu-vectors or $LINEDSP_ITU_VECTORS)";
  const std::string dir = temp_dir();
  for (const auto& [enc, ext, codes, decoded] : {std::tuple{"ulaw", ".ul", "sweep-r.u", "sweep-r.u-u"},
                                                 std::tuple{"alaw", ".al", "sweep-r.a", "sweep-r.a-a"}}) {
    const std::string coded = dir + "/sweep" + ext;
    auto r = run_cli({"transcode", "--raw", "s16le", "--in-rate", "8000", *vec + "/sweep.src", coded, "--encoding", enc});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_file(coded), low_bytes(read_file(*vec + "/" + codes))) << codes;
    // Into a WAV container and back out to headerless linear.
    const std::string wav = dir + "/sweep-" + enc + ".wav", back = dir + "/back-" + enc + ".raw";
    r = run_cli({"transcode", "--raw", enc, "--in-rate", "8000", coded, wav, "--encoding", enc});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run_cli({"transcode", wav, back});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_file(back), read_file(*vec + "/" + decoded)) << decoded;
    // Standard output.
    r = run_cli({"transcode", "--raw", "s16le", "--in-rate", "8000", "-", "-", "--encoding", enc}, read_file(*vec + "/sweep.src"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, low_bytes(read_file(*vec + "/" + codes))) << "stdin to stdout";
  }
}

TEST(TranscodeCli, ChangesRateAndContainerKeepsChannelsAndDigits) {
  const std::string dir = temp_dir();
  const auto spans = write_dtmf(dir + "/in.wav", "9#0", 80, 80);
  auto r = run_cli({"transcode", dir + "/in.wav", dir + "/out.flac", "--rate", "16000"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  SF_INFO info{};
  SNDFILE* f = sf_open((dir + "/out.flac").c_str(), SFM_READ, &info);
  ASSERT_NE(f, nullptr);
  sf_close(f);
  EXPECT_EQ(info.samplerate, 16000);
  EXPECT_EQ(info.format & SF_FORMAT_TYPEMASK, SF_FORMAT_FLAC);
  const double in_s = (spans.back().start_s + 0.080 + 0.080 + 0.200);
  EXPECT_NEAR(static_cast<double>(info.frames) / 16000.0, in_s, 0.001);
  const auto d = run_cli({"detect", "--detect", "dtmf", "--format", "jsonl", dir + "/out.flac"});
  EXPECT_EQ(digits_of(parse_jsonl(d.out)), "9#0") << d.err;
  // Errors: bad input exits 1 naming it, leaves no OUT; nonsense encoding exits 2.
  r = run_cli({"transcode", dir + "/missing.wav", dir + "/x.wav"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "linedsp: " + dir + "/missing.wav: no such file\n");
  EXPECT_FALSE(fs::exists(dir + "/x.wav"));
  EXPECT_EQ(run_cli({"transcode", dir + "/in.wav", dir + "/x.wav", "--encoding", "mp3"}).exit_code, 2);
  EXPECT_EQ(run_cli({"transcode", dir + "/in.wav"}).exit_code, 2);
  // A FLAC cannot hold mu-law: one line naming OUT, exit 1, nothing written.
  r = run_cli({"transcode", dir + "/in.wav", dir + "/x.flac", "--encoding", "ulaw"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("linedsp: " + dir + "/x.flac: ", 0), 0u) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/x.flac"));
  // Truncated input: exit 1, an older OUT kept.
  write_file(dir + "/old.wav", "old");
  const std::string bytes = read_file(dir + "/in.wav");
  write_file(dir + "/cut.wav", bytes.substr(0, bytes.size() / 2));
  r = run_cli({"transcode", dir + "/cut.wav", dir + "/old.wav"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("truncated"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(dir + "/old.wav"), "old");
}

// Levels: a sine of peak A has RMS A/sqrt(2); dBFS = 20 log10(x / 32768); dBm0 per G.711 (a full-scale
// sine is +3.17 dBm0, so peak 32768*10^((L-3.17)/20) is L dBm0). Checked against sox `stats` too.
TEST(InfoCli, ReportsFormatDurationLevelsAndClipping) {
  const std::string dir = temp_dir();
  constexpr double kPi = 3.14159265358979323846;
  const double level_dbm0 = -10.0;
  const double peak = 32768.0 * std::pow(10.0, (level_dbm0 - 3.17) / 20.0);
  std::vector<short> pcm(2 * 8000);
  for (std::size_t i = 0; i < 8000; ++i) {
    pcm[2 * i] = static_cast<short>(std::lround(peak * std::sin(2 * kPi * 1000.0 * static_cast<double>(i) / 8000.0 + kPi / 2)));  // samples hit the crest
    pcm[2 * i + 1] = i % 100 < 3 ? 32767 : 0;  // 240 samples at full scale
  }
  SF_INFO info{};
  info.samplerate = 8000;
  info.channels = 2;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open((dir + "/lv.wav").c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr);
  sf_write_short(f, pcm.data(), static_cast<sf_count_t>(pcm.size()));
  sf_close(f);
  const auto r = run_cli({"info", "--json", dir + "/lv.wav"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["container"], "WAV");
  EXPECT_EQ(j["encoding"], "PCM 16-bit");
  EXPECT_EQ(j["rate"], 8000);
  EXPECT_EQ(j["channels"], 2);
  EXPECT_EQ(j["frames"], 8000);
  EXPECT_DOUBLE_EQ(j["duration"].get<double>(), 1.0);
  const auto& l0 = j["levels"][0];
  EXPECT_NEAR(l0["rms_dbm0"].get<double>(), level_dbm0, 0.01);
  EXPECT_NEAR(l0["peak_dbfs"].get<double>(), level_dbm0 - 3.17, 0.01);
  EXPECT_NEAR(l0["rms_dbfs"].get<double>(), level_dbm0 - 3.17 - 3.0103, 0.01);
  EXPECT_EQ(l0["full_scale_samples"], 0);
  const auto& l1 = j["levels"][1];
  EXPECT_EQ(l1["full_scale_samples"], 240);
  EXPECT_NEAR(l1["peak_dbfs"].get<double>(), 20 * std::log10(32767.0 / 32768.0), 1e-6);
  EXPECT_NEAR(l1["rms_dbfs"].get<double>(), 10 * std::log10(0.03 * std::pow(32767.0 / 32768.0, 2)), 0.001);
  if (have_program("sox")) {  // sox's own RMS of the left channel
    const auto s = run_process({"sox", dir + "/lv.wav", "-n", "remix", "1", "stats"});
    const auto at = s.err.find("RMS lev dB");
    ASSERT_NE(at, std::string::npos) << s.err;
    EXPECT_NEAR(std::stod(s.err.substr(at + 10)), l0["rms_dbfs"].get<double>(), 0.02);
  }
  // The human format names the same things.
  const auto text = run_cli({"info", dir + "/lv.wav"});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("8000 Hz"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("-10.00 dBm0"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("240 samples at full scale"), std::string::npos) << text.out;
  // A bad file among good ones: its line on stderr, the others printed, exit 1.
  const auto mixed = run_cli({"info", "--json", dir + "/lv.wav", dir + "/missing.wav", dir + "/lv.wav"});
  EXPECT_EQ(mixed.exit_code, 1);
  EXPECT_EQ(lines_of(mixed.out).size(), 2u);
  EXPECT_EQ(mixed.err, "linedsp: " + dir + "/missing.wav: no such file\n");
}

}  // namespace
