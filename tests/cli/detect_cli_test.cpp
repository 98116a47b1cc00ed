// `linedsp detect` run as a user runs it: DTMF synthesised here (textbook sines, independent of linedsp's
// generator) and converted by sox to other rates/encodings/containers, and made by
// `linedsp generate dtmf`, every output format parsed back, bad input, channels, sample rates, --jobs,
// atomic -o, and constant memory on a long stream.
#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_test_util.hpp"

namespace fs = std::filesystem;
using namespace linedsp::test;

namespace {

bool have_sox() { return have_program("sox"); }
#define REQUIRE_SOX() \
  if (!have_sox()) GTEST_SKIP() << "sox not installed (./dev deps installs it)"

// The DESIGN.md timing contract: a digit's begin within 40 ms of the tone's start (ITU-T Q.24 allows the
// receiver to take up to 40 ms to recognise a tone), its duration within 40 ms of the tone's length.
void expect_spans(const std::vector<Event>& events, const std::vector<ToneSpan>& spans, int channel = 0) {
  std::vector<Event> dtmf;
  for (const auto& e : events)
    if (e.type == "dtmf" && e.channel == channel) dtmf.push_back(e);
  ASSERT_EQ(dtmf.size(), spans.size());
  for (std::size_t i = 0; i < spans.size(); ++i) {
    EXPECT_EQ(dtmf[i].value, std::string(1, spans[i].digit)) << i;
    EXPECT_NEAR(dtmf[i].t, spans[i].start_s, 0.040) << "digit " << i << " begins late or early";
    EXPECT_NEAR(dtmf[i].dur, spans[i].on_s, 0.040) << "digit " << i;
  }
}

TEST(DetectCli, SampleCallShowsTheDialledDigits) {
  // data/samples/call.wav is made by sox alone (data/samples/make-call.sh): 5551234 dialled by hand.
  const auto r = run_cli({"detect", "--detect", "dtmf", "--format", "jsonl", source_dir() + "/data/samples/call.wav"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(digits_of(parse_jsonl(r.out)), "5551234");
  // The default (no --detect: every registered detector) still finds the digits and exits 0.
  const auto all = run_cli({"detect", "--format", "jsonl", source_dir() + "/data/samples/call.wav"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(digits_of(parse_jsonl(all.out)), "5551234");
}

TEST(DetectCli, SynthesisedDigitsAreFoundWithTheirTiming) {
  const std::string f = temp_dir() + "/digits.wav";
  const auto spans = write_dtmf(f, "0123456789*#ABCD", 70, 60);
  const auto r = run_cli({"detect", "--detect", "dtmf", "--format", "jsonl", f});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_spans(parse_jsonl(r.out), spans);
}

TEST(DetectCli, GenerateThenDetectRoundTrip) {
  const std::string dir = temp_dir();
  if (run_cli({"generate", "dtmf", "--help"}).exit_code != 0) GTEST_SKIP() << "`linedsp generate dtmf` not built";
  for (const std::string name : {"g.wav", "g-ulaw.wav", "g.au", "g.flac", "g.raw", "g.ul", "g.al"}) {
    const std::string enc = name == "g-ulaw.wav" || name == "g.ul" ? "ulaw" : name == "g.au" || name == "g.al" ? "alaw" : "pcm16";
    const std::string path = dir + "/" + name;
    const auto g = run_cli({"generate", "dtmf", "147*2580#369ABCD", "--encoding", enc, "-o", path});
    ASSERT_EQ(g.exit_code, 0) << name << ": " << g.err;
    std::vector<std::string> args{"detect", "--detect", "dtmf", "--format", "jsonl"};
    if (name.ends_with(".raw") || name.ends_with(".ul") || name.ends_with(".al"))
      args.insert(args.end(), {"--raw", name.ends_with(".raw") ? "s16le" : enc, "--rate", "8000"});
    args.push_back(path);
    const auto d = run_cli(args);
    ASSERT_EQ(d.exit_code, 0) << name << ": " << d.err;
    EXPECT_EQ(digits_of(parse_jsonl(d.out)), "147*2580#369ABCD") << name;
  }
  // Raw samples on standard input.
  const auto d = run_cli({"detect", "--detect", "dtmf", "--format", "jsonl", "--raw", "ulaw", "--rate", "8000", "-"},
                         read_file(dir + "/g.ul"));
  ASSERT_EQ(d.exit_code, 0) << d.err;
  const auto ev = parse_jsonl(d.out);
  EXPECT_EQ(digits_of(ev), "147*2580#369ABCD");
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev[0].file, "stdin");
}

// Minimal RFC 4180 reader (quoted fields with doubled quotes), written here as an independent parser.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(field), field.clear();
    } else if (c == '\n') {
      row.push_back(field), field.clear();
      rows.push_back(row), row.clear();
    } else {
      field += c;
    }
  }
  return rows;
}

// Country codes are ISO 3166 codes in either case: `generate tone dial --country IN` makes India's 400 x 25 Hz
// dial tone (a 400 Hz carrier with sidebands at 375 and 425 Hz), which `detect --country IN` and `--country in`
// report as dial tone, and `--country auto` as India's (in.dial).
TEST(DetectCli, CountryCodesInEitherCase) {
  const std::string path = temp_dir() + "/in-dial.wav";
  const auto g = run_cli({"generate", "tone", "dial", "--country", "IN", "-o", path});
  ASSERT_EQ(g.exit_code, 0) << g.err;
  for (const std::string cc : {"IN", "in", "auto"}) {
    const auto d = run_cli({"detect", "--detect", "progress", "--country", cc, "--format", "jsonl", path});
    ASSERT_EQ(d.exit_code, 0) << cc << ": " << d.err;
    EXPECT_NE(d.out.find("\"value\":\"dial\""), std::string::npos) << cc << ": " << d.out;
    if (cc == "auto") {
      EXPECT_NE(d.out.find("\"tone\":\"in.dial\""), std::string::npos) << d.out;
    }
    EXPECT_NE(d.out.find("\"frequencies\":[375.0,400.0,425.0]"), std::string::npos) << cc << ": " << d.out;
  }
}

TEST(DetectCli, EveryFormatParsesBackToTheSameEvents) {
  const std::string dir = temp_dir();
  const std::string a = dir + "/a, \"quoted\".wav", b = dir + "/b.wav";
  const auto spans_a = write_dtmf(a, "159", 90, 110);
  const auto spans_b = write_dtmf(b, "#0*", 60, 70, 500);
  const std::vector<std::string> base{"detect", "--detect", "dtmf", a, b};
  auto with = [&](const std::string& fmt) {
    auto args = base;
    args.insert(args.begin() + 1, {"--format", fmt});
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  // jsonl: the DESIGN.md keys, in the DESIGN.md order.
  const std::string jsonl = with("jsonl");
  const auto events = parse_jsonl(jsonl);
  ASSERT_EQ(events.size(), 6u);
  for (const auto& line : lines_of(jsonl)) {
    const auto j = nlohmann::ordered_json::parse(line);
    std::vector<std::string> keys;
    for (const auto& [k, v] : j.items()) keys.push_back(k);
    ASSERT_GE(keys.size(), 6u);
    EXPECT_EQ(std::vector<std::string>(keys.begin(), keys.begin() + 6),
              (std::vector<std::string>{"file", "channel", "t", "dur", "type", "value"}));
  }
  EXPECT_EQ(digits_of(events, 0, a), "159");
  EXPECT_EQ(digits_of(events, 0, b), "#0*");
  EXPECT_EQ(events[0].file, a);  // files in the order given
  std::vector<Event> ea, eb;
  for (const auto& e : events) (e.file == a ? ea : eb).push_back(e);
  expect_spans(ea, spans_a);
  expect_spans(eb, spans_b);

  // csv: header, then the same events with three-decimal seconds.
  const auto rows = parse_csv(with("csv"));
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"file", "channel", "t", "dur", "type", "value", "fields"}));
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& r = rows[i + 1];
    ASSERT_EQ(r.size(), 7u);
    EXPECT_EQ(r[0], events[i].file);
    EXPECT_EQ(std::stoi(r[1]), events[i].channel);
    EXPECT_DOUBLE_EQ(std::stod(r[2]), events[i].t);
    EXPECT_DOUBLE_EQ(std::stod(r[3]), events[i].dur);
    EXPECT_EQ(r[2].size() - r[2].find('.'), 4u) << "three decimals: " << r[2];
    EXPECT_EQ(r[4], "dtmf");
    EXPECT_EQ(r[5], events[i].value);
  }

  // labels (Audacity): start<TAB>end<TAB>label; several files: "FILE: " in front of each label.
  const auto labels = lines_of(with("labels"));
  ASSERT_EQ(labels.size(), 6u);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    std::vector<std::string> f;
    std::stringstream ss(labels[i]);
    for (std::string x; std::getline(ss, x, '\t');) f.push_back(x);
    ASSERT_EQ(f.size(), 3u) << labels[i];
    EXPECT_DOUBLE_EQ(std::stod(f[0]), events[i].t);
    EXPECT_NEAR(std::stod(f[1]) - std::stod(f[0]), events[i].dur, 0.0011);
    EXPECT_EQ(f[2], events[i].file + ": dtmf " + events[i].value);
  }
  // One file: the label is just "dtmf D".
  const auto one = run_cli({"detect", "--detect", "dtmf", "--format", "labels", b});
  ASSERT_EQ(one.exit_code, 0);
  EXPECT_EQ(lines_of(one.out).at(0).substr(lines_of(one.out).at(0).rfind('\t') + 1), "dtmf #");

  // table: a header line, then one line per event holding the file, the start and the digit.
  const auto table = lines_of(with("table"));
  ASSERT_EQ(table.size(), 7u);
  EXPECT_EQ(table[0].substr(0, 4), "FILE");
  for (std::size_t i = 0; i < events.size(); ++i) {
    std::istringstream in(table[i + 1].substr(table[i + 1].find(".wav") + 4));
    int ch;
    double t, dur;
    std::string type, value;
    in >> ch >> t >> dur >> type >> value;
    EXPECT_EQ(ch, events[i].channel);
    EXPECT_DOUBLE_EQ(t, events[i].t);
    EXPECT_EQ(value, events[i].value);
  }
}

void write_wav_header(const std::string& path, int tag, int channels, int rate, int bits, const std::string& data,
                      std::uint32_t data_len) {
  auto u16 = [](int v) { return std::string{static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff)}; };
  auto u32 = [&](std::uint32_t v) { return u16(static_cast<int>(v & 0xffff)) + u16(static_cast<int>(v >> 16)); };
  const int block = channels * bits / 8;
  const std::string fmt = u16(tag) + u16(channels) + u32(static_cast<std::uint32_t>(rate)) +
                          u32(static_cast<std::uint32_t>(rate * block)) + u16(block) + u16(bits);
  const std::string body = "WAVEfmt " + u32(16) + fmt + "data" + u32(data_len) + data;
  write_file(path, "RIFF" + u32(static_cast<std::uint32_t>(body.size())) + body);
}

std::string float_samples(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

TEST(DetectCli, BadInputIsOneLineNamingTheFileExitOne) {
  const std::string dir = temp_dir();
  const std::string pcm(1600, '\0');
  std::vector<float> nan(800, 0.1f), inf(800, 0.1f);
  nan[400] = std::nanf("");
  inf[500] = -INFINITY;
  write_file(dir + "/empty.wav", "");
  write_file(dir + "/corrupt.wav", "RIFF\x10\0\0\0garbage, not a wave file" + std::string(100, 'x'));
  write_file(dir + "/noise.wav", std::string(3000, '\x5a'));
  write_wav_header(dir + "/short-header.wav", 1, 1, 8000, 16, pcm, 1600);
  write_file(dir + "/short-header.wav", read_file(dir + "/short-header.wav").substr(0, 30));
  write_wav_header(dir + "/truncated.wav", 1, 1, 8000, 16, pcm, 160000);  // header promises 100x the data
  write_wav_header(dir + "/zero-channels.wav", 1, 0, 8000, 16, pcm, 1600);
  write_wav_header(dir + "/zero-rate.wav", 1, 1, 0, 16, pcm, 1600);
  write_wav_header(dir + "/absurd-rate.wav", 1, 1, 3, 16, pcm, 1600);
  write_wav_header(dir + "/huge-rate.wav", 1, 1, 50000000, 16, pcm, 1600);
  write_wav_header(dir + "/unknown-encoding.wav", 0x1234, 1, 8000, 16, pcm, 1600);
  write_wav_header(dir + "/nan.wav", 3, 1, 8000, 32, float_samples(nan), 3200);
  write_wav_header(dir + "/inf.wav", 3, 1, 8000, 32, float_samples(inf), 3200);
  fs::create_directories(dir + "/a-directory.wav");
  const std::vector<std::pair<std::string, std::string>> cases{
      {"missing.wav", "no such file"},         {"empty.wav", "empty"},
      {"corrupt.wav", ""},                     {"noise.wav", ""},
      {"short-header.wav", ""},                {"truncated.wav", "truncated"},
      {"zero-channels.wav", "channels"},       {"zero-rate.wav", "0 Hz"},
      {"absurd-rate.wav", "3 Hz"},             {"huge-rate.wav", "50000000 Hz"},
      {"unknown-encoding.wav", "unsupported"}, {"nan.wav", "NaN sample at frame 400"},
      {"inf.wav", "infinite sample at frame 500"}, {"a-directory.wav", "directory"}};
  for (const auto& [name, reason] : cases) {
    const std::string path = dir + "/" + name;
    const auto r = run_cli({"detect", "--detect", "dtmf", path});
    EXPECT_EQ(r.exit_code, 1) << name << " (signal " << r.term_signal << "): " << r.err;
    const auto lines = lines_of(r.err);
    ASSERT_EQ(lines.size(), 1u) << name << ": " << r.err;
    EXPECT_EQ(lines[0].rfind("linedsp: " + path + ": ", 0), 0u) << lines[0];
    EXPECT_NE(lines[0].find(reason), std::string::npos) << name << ": " << lines[0];
    EXPECT_EQ(r.out, "") << name << ": nothing analysed, nothing printed";
  }
  // Raw input that ends inside a frame, and an odd raw rate.
  const auto odd = run_cli({"detect", "--detect", "dtmf", "--raw", "s16le", "--rate", "8000", "-"}, std::string(1001, '\0'));
  EXPECT_EQ(odd.exit_code, 1);
  EXPECT_NE(odd.err.find("linedsp: -: truncated"), std::string::npos) << odd.err;
}

TEST(DetectCli, OneBadFileIsSkippedTheOthersAreAnalysed) {
  const std::string dir = temp_dir();
  write_dtmf(dir + "/one.wav", "1");
  write_dtmf(dir + "/two.wav", "2");
  const auto r = run_cli({"detect", "--detect", "dtmf", "--format", "jsonl", dir + "/one.wav", dir + "/missing.wav",
                          dir + "/two.wav"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(lines_of(r.err), std::vector<std::string>{"linedsp: " + dir + "/missing.wav: no such file"});
  EXPECT_EQ(digits_of(parse_jsonl(r.out)), "12");
}

TEST(DetectCli, NonsenseOptionsAreUsageErrorsExitTwo) {
  const std::string f = source_dir() + "/data/samples/call.wav";
  const std::vector<std::vector<std::string>> cases{
      {"detect"},
      {"detect", "--format", "xml", f},
      {"detect", "--detect", "nonsense", f},
      {"detect", "--jobs", "0", f},
      {"detect", "--bogus-option", f},
      {"detect", "--raw", "s16le", "-"},
      {"detect", "-"},
      {"detect", "--raw", "mp3", "--rate", "8000", "-"},
      {"detect", "--raw", "s16le", "--rate", "12", "-"},
      {"detect", "--rate", "8000", f},
      {"detect", "-", "-", "--raw", "s16le", "--rate", "8000"},
      {"frobnicate"},
      {},
  };
  for (const auto& args : cases) {
    const auto r = run_cli(args);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(r.exit_code, 2) << joined << "\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << joined;
  }
  EXPECT_EQ(run_cli({"detect", "--help"}).exit_code, 0);
}

TEST(DetectCli, EachChannelIsAnalysedAndTagged) {
  REQUIRE_SOX();
  const std::string dir = temp_dir();
  const auto s0 = write_dtmf(dir + "/c0.wav", "123", 80, 80, 200);
  const auto s1 = write_dtmf(dir + "/c1.wav", "456", 80, 80, 600);
  const auto s2 = write_dtmf(dir + "/c2.wav", "789", 80, 80, 400);
  ASSERT_EQ(sh("sox -M " + dir + "/c0.wav " + dir + "/c1.wav " + dir + "/c2.wav " + dir + "/c1.wav " + dir + "/four.wav"), 0);
  const auto r = run_cli({"detect", "--detect", "dtmf", "--format", "jsonl", dir + "/four.wav"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto ev = parse_jsonl(r.out);
  expect_spans(ev, s0, 0);
  expect_spans(ev, s1, 1);
  expect_spans(ev, s2, 2);
  expect_spans(ev, s1, 3);
  for (std::size_t i = 1; i < ev.size(); ++i)  // sorted by start, then channel
    EXPECT_TRUE(ev[i - 1].t < ev[i].t || (ev[i - 1].t == ev[i].t && ev[i - 1].channel <= ev[i].channel));
  // Raw interleaved stereo on stdin.
  ASSERT_EQ(sh("sox -M " + dir + "/c0.wav " + dir + "/c1.wav -t raw -e signed-integer -b 16 " + dir + "/st.raw"), 0);
  const auto raw = run_cli({"detect", "--detect", "dtmf", "--format", "jsonl", "--raw", "s16le", "--rate", "8000",
                            "--channels", "2", "-"},
                           read_file(dir + "/st.raw"));
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  EXPECT_EQ(digits_of(parse_jsonl(raw.out), 0), "123");
  EXPECT_EQ(digits_of(parse_jsonl(raw.out), 1), "456");
}

TEST(DetectCli, OtherRatesAndEncodingsYieldTheSameDigitsAndTimes) {
  REQUIRE_SOX();
  const std::string dir = temp_dir();
  const std::string src = dir + "/src.wav";
  const auto spans = write_dtmf(src, "0852#*D", 60, 60);
  // Each conversion by sox (the oracle for the container/encoding/rate); linedsp must read and resample it.
  const std::vector<std::pair<std::string, std::string>> conversions{
      {"r44k.wav", "-r 44100"},
      {"r16k.wav", "-r 16000"},
      {"r11k.wav", "-r 11025 -b 8 -e unsigned-integer"},
      {"r48k-24.flac", "-r 48000 -b 24"},
      {"r22k-float.wav", "-r 22050 -e floating-point -b 32"},
      {"double.wav", "-e floating-point -b 64"},
      {"s32.wav", "-b 32"},
      {"ulaw.wav", "-e u-law"},
      {"alaw.au", "-e a-law"},
      {"pcm.aiff", ""},
  };
  for (const auto& [name, opts] : conversions) {
    const std::string out = dir + "/" + name;
    ASSERT_EQ(sh("sox -D -V1 " + src + " " + opts + " " + out), 0) << name;
    const auto r = run_cli({"detect", "--detect", "dtmf", "--format", "jsonl", out});
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    expect_spans(parse_jsonl(r.out), spans);
    EXPECT_EQ(digits_of(parse_jsonl(r.out)), "0852#*D") << name;
  }
  // Headerless at 16 kHz on stdin, resampled on the way in.
  ASSERT_EQ(sh("sox -D -V1 " + src + " -r 16000 -t raw -e signed-integer -b 16 " + dir + "/r16k.raw"), 0);
  const auto r = run_cli({"detect", "--detect", "dtmf", "--format", "jsonl", "--raw", "s16le", "--rate", "16000", "-"},
                         read_file(dir + "/r16k.raw"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_spans(parse_jsonl(r.out), spans);
}

TEST(DetectCli, JobsDoNotChangeTheOutput) {
  const std::string dir = temp_dir();
  std::vector<std::string> args{"detect", "--detect", "dtmf", "--format", "jsonl"};
  const std::string keys = "0123456789*#ABCD";
  for (int i = 0; i < 12; ++i) {
    const std::string f = dir + "/f" + std::to_string(i) + ".wav";
    write_dtmf(f, keys.substr(static_cast<std::size_t>(i), 3), 60 + 5 * i, 70, 100 + 30 * i);
    args.push_back(f);
    if (i == 5) args.push_back(dir + "/missing.wav");
  }
  auto one = args, many = args;
  one.insert(one.begin() + 1, {"--jobs", "1"});
  many.insert(many.begin() + 1, {"--jobs", "6"});
  const auto a = run_cli(one), b = run_cli(many), c = run_cli(args);
  EXPECT_EQ(a.exit_code, 1);
  EXPECT_EQ(a.exit_code, b.exit_code);
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.err, b.err);
  EXPECT_EQ(a.out, c.out);
  EXPECT_EQ(parse_jsonl(a.out).size(), 36u);
  // --files-from gives the same as the arguments (comments and blank lines skipped).
  std::string list = "# archive\n\n";
  for (std::size_t i = 5; i < args.size(); ++i) list += args[i] + "\n";
  write_file(dir + "/list.txt", list);
  const auto d = run_cli({"detect", "--detect", "dtmf", "--format", "jsonl", "--files-from", dir + "/list.txt"});
  EXPECT_EQ(d.out, a.out);
  EXPECT_EQ(d.exit_code, 1);
}

TEST(DetectCli, OutputFileIsWrittenAtomically) {
  const std::string dir = temp_dir();
  write_dtmf(dir + "/in.wav", "42");
  const std::string out = dir + "/out.jsonl";
  write_file(out, "old results\n");
  // Nothing readable: exit 1, OUT untouched, no temporary left behind.
  auto r = run_cli({"detect", "--detect", "dtmf", "--format", "jsonl", "-o", out, dir + "/missing.wav"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(read_file(out), "old results\n");
  // A usage error: same.
  r = run_cli({"detect", "--format", "nope", "-o", out, dir + "/in.wav"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(read_file(out), "old results\n");
  // Success replaces it, stdout stays empty.
  r = run_cli({"detect", "--detect", "dtmf", "--format", "jsonl", "-o", out, dir + "/in.wav"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(digits_of(parse_jsonl(read_file(out))), "42");
  // An output directory that does not exist: one line naming OUT, exit 1.
  r = run_cli({"detect", "--detect", "dtmf", "-o", dir + "/no/such/dir/out.txt", dir + "/in.wav"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("linedsp: " + dir + "/no/such/dir/out.txt: ", 0), 0u) << r.err;
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    ++files;
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
  }
  EXPECT_EQ(files, 2u);  // in.wav and out.jsonl
}

// Peak memory does not grow with the length of the input: a long stream of raw samples on stdin costs the
// same peak RSS (getrusage of the child) as one minute.
TEST(DetectCli, MemoryStaysConstantOnALongStream) {
  const double hours = kSanitizerBuild ? 1.0 : 10.0;
  if (kSanitizerBuild) std::printf("sanitizer build: streaming 1 hour instead of 10\n");
  // One second of low-level pseudo-random noise (about -50 dBm0), a fixed seed; not DTMF.
  std::string second(16000, '\0');
  std::uint32_t seed = 12345;
  for (std::size_t i = 0; i < 8000; ++i) {
    seed = seed * 1664525u + 1013904223u;
    const auto v = static_cast<std::int16_t>(static_cast<std::int32_t>(seed >> 16) % 200 - 100);
    second[2 * i] = static_cast<char>(v & 0xff);
    second[2 * i + 1] = static_cast<char>((v >> 8) & 0xff);
  }
  std::string chunk;
  for (int i = 0; i < 60; ++i) chunk += second;  // one minute per write
  auto stream = [&](double seconds) {
    auto left = static_cast<std::uint64_t>(seconds / 60.0);
    const std::vector<std::string> argv{cli_path(), "detect", "--detect", "dtmf", "--format", "jsonl", "--raw",
                                        "s16le", "--rate", "8000", "-"};
    return run_process(argv, "", [&]() -> std::string { return left-- > 0 ? chunk : std::string(); });
  };
  const auto minute = stream(60.0);
  const auto longer = stream(hours * 3600.0);
  ASSERT_EQ(minute.exit_code, 0) << minute.err;
  ASSERT_EQ(longer.exit_code, 0) << longer.err;
  EXPECT_EQ(longer.out, "");
  std::printf("peak RSS: 1 minute %ld kB, %.0f hours %ld kB\n", minute.max_rss_kb, hours, longer.max_rss_kb);
  EXPECT_LE(longer.max_rss_kb, minute.max_rss_kb + 2048) << "memory grows with the length of the input";
}

}  // namespace

namespace {

// A progress line on stderr for long runs, only when stderr is a terminal (util-linux `script` gives the
// command a pseudo-terminal here); never in redirected output.
TEST(DetectCli, ProgressLineOnlyOnATerminal) {
  if (!have_program("script")) GTEST_SKIP() << "util-linux script not installed";
  // A stream that lasts 1.6 s whatever the machine's speed (the line appears after 1 s).
  const std::string feed = "(head -c 16000 /dev/zero; sleep 1.6; head -c 16000 /dev/zero) | ";
  const std::string cmd = feed + "'" + cli_path() + "' detect --detect dtmf --raw s16le --rate 8000 -";
  const auto tty = run_process({"script", "-qec", cmd, "/dev/null"});
  EXPECT_EQ(tty.exit_code, 0) << tty.out;
  EXPECT_NE(tty.out.find("\r\033[Klinedsp: detect: 0/1 files, 1 s of audio"), std::string::npos)
      << "no progress line on a terminal: " << tty.out;
  const auto redirected = run_process({"sh", "-c", cmd});
  EXPECT_EQ(redirected.exit_code, 0);
  EXPECT_EQ(redirected.err, "");
}

}  // namespace
