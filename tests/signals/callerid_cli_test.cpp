// The caller-ID command line: `linedsp generate cid` output read back with libsndfile (independent reader) and
// decoded by the library receivers; `linedsp detect --detect cid` records (DESIGN.md JSON Lines contract: type
// "cid", value = number, fields name/date/time/standard/reason/checksum_ok; a corrupt message: value "",
// error "checksum"); usage errors exit 2.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sndfile.h>
#include <string>
#include <vector>

#include "signals/callerid.hpp"
#include "support/paths.hpp"

namespace linedsp {
namespace {

struct Run {
  int rc = -1;
  std::string out;
};

Run run(const std::string& args) {
  Run r;
  const std::string cmd = "'" + test::cli_path() + "' " + args + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::vector<std::int16_t> read_wav(const std::string& path, int* rate = nullptr) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f) return {};
  std::vector<std::int16_t> pcm(static_cast<std::size_t>(info.frames * info.channels));
  sf_read_short(f, pcm.data(), static_cast<sf_count_t>(pcm.size()));
  sf_close(f);
  if (rate) *rate = info.samplerate;
  return pcm;
}

void write_wav(const std::string& path, const std::vector<std::int16_t>& pcm) {
  SF_INFO info{};
  info.samplerate = 8000;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr);
  sf_write_short(f, pcm.data(), static_cast<sf_count_t>(pcm.size()));
  sf_close(f);
}

std::vector<CallerIdEvent> decode(const std::vector<std::int16_t>& pcm, FskModem modem) {
  CallerIdReceiverConfig c;
  c.modem = modem;
  CallerIdReceiver rx(c);
  std::vector<CallerIdEvent> ev;
  auto sink = [&](const CallerIdEvent& e) {
    if (!e.begin) ev.push_back(e);
  };
  rx.process(pcm, sink);
  rx.end_of_stream(sink);
  return ev;
}

std::vector<nlohmann::json> detect(const std::string& file, const std::string& country) {
  const Run r = run("detect --detect cid --format jsonl --country " + country + " '" + file + "'");
  EXPECT_EQ(r.rc, 0) << file;
  std::vector<nlohmann::json> recs;
  std::size_t pos = 0;
  while (pos < r.out.size()) {
    const std::size_t nl = r.out.find('\n', pos);
    const std::string line = r.out.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    if (!line.empty()) recs.push_back(nlohmann::json::parse(line));
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return recs;
}

class CallerIdCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(test::cli_path())) GTEST_SKIP() << "linedsp command not built";
    dir_ = test::temp_dir();
  }
  std::string dir_;
};

// GR-30 MDMF on Bell 202 and EN 300 659-3 on V.23: the generated file decodes to what was asked for.
TEST_F(CallerIdCli, GenerateDecodesWithLibraryReceiver) {
  const std::string bell = dir_ + "/bell.wav", etsi = dir_ + "/etsi.wav", sdmf = dir_ + "/sdmf.wav";
  ASSERT_EQ(run("generate cid --number 5551234567 --name 'JOHN DOE' --date 11231030 -o " + bell).rc, 0);
  ASSERT_EQ(run("generate cid --standard etsi --number 0123456789 --date 01020304 -o " + etsi).rc, 0);
  ASSERT_EQ(run("generate cid --format sdmf --number 6095551212 --date 09301224 -o " + sdmf).rc, 0);
  int rate = 0;
  auto e = decode(read_wav(bell, &rate), FskModem::bell202);
  EXPECT_EQ(rate, 8000);
  ASSERT_EQ(e.size(), 1u);
  ASSERT_EQ(e[0].status, CallerIdStatus::ok);
  EXPECT_EQ(e[0].message.number.view(), "5551234567");
  EXPECT_EQ(e[0].message.name.view(), "JOHN DOE");
  EXPECT_EQ(e[0].message.date_time.view(), "11231030");
  e = decode(read_wav(etsi), FskModem::v23);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].message.number.view(), "0123456789");
  e = decode(read_wav(sdmf), FskModem::bell202);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].message.type, kCidSdmfCallerId);
  EXPECT_EQ(e[0].message.number.view(), "6095551212");
}

// `detect --detect cid` for each standard, with and without ringing, and with --country auto.
TEST_F(CallerIdCli, DetectReportsEachStandard) {
  struct Case {
    std::string args, country, standard, number;
  };
  for (const auto& c : std::vector<Case>{
           {"--number 5551234567 --name 'JOHN DOE' --date 11231030 --with-ring --country us", "us", "bell", "5551234567"},
           {"--standard etsi --number 0123456789 --date 11231030 --with-ring --country de", "de", "etsi", "0123456789"},
           {"--standard v23 --reason private --date 11231030", "auto", "etsi", ""},
           {"--standard etsi-dtmf --number 4570123456", "dk", "etsi-dtmf", "4570123456"},
           {"--number 5551234567 --date 11231030", "auto", "bell", "5551234567"}}) {
    const std::string f = dir_ + "/d.wav";
    ASSERT_EQ(run("generate cid " + c.args + " -o " + f).rc, 0) << c.args;
    std::vector<nlohmann::json> cids;
    for (const auto& r : detect(f, c.country))
      if (r["type"] == "cid") cids.push_back(r);
    ASSERT_EQ(cids.size(), 1u) << c.args;
    EXPECT_EQ(cids[0]["value"], c.number) << c.args;
    EXPECT_EQ(cids[0]["standard"], c.standard) << c.args;
    EXPECT_EQ(cids[0]["checksum_ok"], true) << c.args;
    if (c.standard != "etsi-dtmf") {
      EXPECT_EQ(cids[0]["date"], "11-23") << c.args;
      EXPECT_EQ(cids[0]["time"], "10:30") << c.args;
    }
    if (c.number.empty()) {
      EXPECT_EQ(cids[0]["reason"], "private");
    }
  }
}

// A message with a bad checksum (built with the library, written with libsndfile) is reported as
// {type cid, value "", error "checksum"}, never as a number.
TEST_F(CallerIdCli, DetectReportsCorruptMessage) {
  CallerIdMessage m;
  m.date_time = "11231030";
  m.number = "5551234567";
  auto bytes = encode_callerid(m, CallerIdFormat::mdmf);
  bytes[8] = static_cast<std::uint8_t>(bytes[8] ^ 0x01);
  auto pcm = std::vector<std::int16_t>(4000, 0);
  const auto spill = callerid_fsk_spill(bytes, CallerIdSenderConfig{});
  pcm.insert(pcm.end(), spill.begin(), spill.end());
  pcm.resize(pcm.size() + 4000, 0);
  const std::string f = dir_ + "/bad.wav";
  write_wav(f, pcm);
  const auto recs = detect(f, "us");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0]["type"], "cid");
  EXPECT_EQ(recs[0]["value"], "");
  EXPECT_EQ(recs[0]["error"], "checksum");
  EXPECT_EQ(recs[0]["checksum_ok"], false);
}

TEST_F(CallerIdCli, UsageErrorsExit2) {
  EXPECT_EQ(run("generate cid -o " + dir_ + "/x.wav").rc, 2);                        // no number, no reason
  EXPECT_EQ(run("generate cid --number 1 --standard nope -o " + dir_ + "/x.wav").rc, 2);
  EXPECT_EQ(run("generate cid --number 12a --standard etsi-dtmf -o " + dir_ + "/x.wav").rc, 2);
  EXPECT_EQ(run("generate cid --number 1").rc, 2);                                    // no -o
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/x.wav"));
}

}  // namespace
}  // namespace linedsp
