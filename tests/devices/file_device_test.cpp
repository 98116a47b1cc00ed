// devices/file_device + pipe_device: reading audio files and raw streams. Oracles: libsndfile's own
// reading of files sox made; the ITU-T G.191 vectors for G.711 decoding; sox's resampler (its `rate`
// effect) for resampled input; a naive DFT for tone levels.
#include "devices/file_device.hpp"

#include <gtest/gtest.h>
#include <sndfile.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <tuple>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "devices/pipe_device.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using namespace linedsp;
using namespace linedsp::test;

namespace {

constexpr double kPi = 3.14159265358979323846;

std::vector<std::int16_t> read_all(LineDevice& dev, std::size_t block_frames = 1000) {
  const auto ch = static_cast<std::size_t>(dev.format().channels);
  std::vector<std::int16_t> all, buf(block_frames * ch);
  for (std::size_t n; (n = dev.read(buf)) > 0;) all.insert(all.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n * ch));
  return all;
}

std::vector<std::int16_t> sndfile_shorts(const std::string& path) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  EXPECT_NE(f, nullptr) << path;
  if (!f) return {};
  std::vector<std::int16_t> v(static_cast<std::size_t>(info.frames * info.channels));
  const int sub = info.format & SF_FORMAT_SUBMASK;
  if (sub == SF_FORMAT_FLOAT || sub == SF_FORMAT_DOUBLE) {  // +-1.0 is full scale (32768)
    std::vector<double> d(v.size());
    sf_readf_double(f, d.data(), info.frames);
    for (std::size_t i = 0; i < d.size(); ++i)
      v[i] = static_cast<std::int16_t>(std::clamp(std::lround(d[i] * 32768.0), -32768L, 32767L));
  } else {
    sf_readf_short(f, v.data(), info.frames);
  }
  sf_close(f);
  return v;
}

void write_wav16(const std::string& path, const std::vector<std::int16_t>& pcm, int rate, int channels) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr);
  sf_write_short(f, pcm.data(), static_cast<sf_count_t>(pcm.size()));
  sf_close(f);
}

std::vector<std::int16_t> noise(std::size_t n, unsigned seed, int amplitude = 20000) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(-amplitude, amplitude);
  std::vector<std::int16_t> v(n);
  for (auto& x : v) x = static_cast<std::int16_t>(d(rng));
  return v;
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no exception)";
}

std::vector<std::int16_t> words(const std::string& bytes) {
  std::vector<std::int16_t> v(bytes.size() / 2);
  for (std::size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<std::int16_t>(static_cast<std::uint8_t>(bytes[2 * i]) | (static_cast<std::uint8_t>(bytes[2 * i + 1]) << 8));
  return v;
}

// Every format sox writes that libsndfile reads, at the file's own rate: the samples libsndfile returns
// (sf_readf_short), to within one step of 16-bit rounding for the wider formats.
TEST(FileDevice, ReadsWhatLibsndfileReads) {
  if (!have_program("sox")) GTEST_SKIP() << "sox not installed";
  const std::string dir = temp_dir();
  write_wav16(dir + "/src.wav", noise(2 * 5000, 7), 8000, 2);
  const std::vector<std::pair<std::string, std::string>> cases{
      {"s16.wav", ""},        {"s24.wav", "-b 24"},   {"s32.wav", "-b 32"},       {"u8.wav", "-b 8 -e unsigned-integer"},
      {"f32.wav", "-e floating-point -b 32"},         {"f64.wav", "-e floating-point -b 64"},
      {"s16.flac", ""},       {"s24.flac", "-b 24"},  {"s16.au", ""},             {"s16.aiff", ""},
      {"ulaw.wav", "-e u-law"}, {"alaw.au", "-e a-law"}, {"ms-adpcm.wav", "-e ms-adpcm"}, {"gsm.wav", "-e gsm-full-rate -c 1"}};
  for (const auto& [name, opts] : cases) {
    const std::string path = dir + "/" + name;
    ASSERT_EQ(std::system(("sox -D -V1 " + dir + "/src.wav " + opts + " " + path).c_str()), 0) << name;
    FileOpenOptions o;
    o.target_rate_hz = 0;  // keep 8000
    FileDevice dev(path, o);
    const auto expect = sndfile_shorts(path);
    const auto got = read_all(dev);
    EXPECT_TRUE(dev.error().empty()) << name << ": " << dev.error();
    ASSERT_EQ(got.size(), expect.size()) << name;
    int worst = 0;
    for (std::size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - expect[i]));
    EXPECT_LE(worst, name.starts_with("s16") || name == "gsm.wav" || name == "ms-adpcm.wav" ? 0 : 1) << name;
    EXPECT_EQ(dev.format().channels, name == "gsm.wav" ? 1 : 2) << name;
    EXPECT_EQ(dev.info().sample_rate_hz, 8000);
  }
}

// ITU-T G.191 sweep-r.u-u / sweep-r.a-a: G.711 data in a WAV (format tags 7 and 6) decodes to the
// reference expander's values.
TEST(FileDevice, G711FilesDecodeAsTheG191Reference) {
  const auto vec = itu_g711_vectors_dir();
  if (!vec) GTEST_SKIP() << "ITU-T G.191 vectors not found (../shared/itu-vectors or $LINEDSP_ITU_VECTORS)";
  const std::string dir = temp_dir();
  for (const auto& [codes_name, ref_name, sub] : {std::tuple{"sweep-r.u", "sweep-r.u-u", SF_FORMAT_ULAW},
                                                  std::tuple{"sweep-r.a", "sweep-r.a-a", SF_FORMAT_ALAW}}) {
    const std::string codes16 = read_file(*vec + "/" + codes_name);
    std::string codes(65536, '\0');
    for (std::size_t i = 0; i < codes.size(); ++i) codes[i] = codes16[2 * i];
    const std::string path = dir + "/g711.wav";
    SF_INFO info{};
    info.samplerate = 8000;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | sub;
    SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
    ASSERT_NE(f, nullptr);
    sf_write_raw(f, codes.data(), 65536);
    sf_close(f);
    FileDevice dev(path);
    EXPECT_EQ(read_all(dev, 777), words(read_file(*vec + "/" + ref_name))) << ref_name;
    // The same codes headerless, through the raw path.
    write_file(dir + "/g711.raw", codes);
    FileOpenOptions o;
    o.raw = RawFormat{sub == SF_FORMAT_ULAW ? SampleEncoding::ulaw : SampleEncoding::alaw, 8000, 1};
    FileDevice raw(dir + "/g711.raw", o);
    EXPECT_EQ(read_all(raw, 333), words(read_file(*vec + "/" + ref_name))) << ref_name << " raw";
  }
}

// DESIGN.md: results must not depend on how the caller splits the input; the same holds for reads.
TEST(FileDevice, ReadBlockSizeDoesNotChangeTheSamples) {
  const std::string dir = temp_dir();
  write_wav16(dir + "/st44.wav", noise(2 * 44100, 3), 44100, 2);
  write_wav16(dir + "/m8.wav", noise(9001, 4), 8000, 1);
  for (const std::string name : {"st44.wav", "m8.wav"}) {
    std::vector<std::vector<std::int16_t>> runs;
    for (std::size_t block : {1, 7, 160, 4096, 10000}) {
      FileDevice dev(dir + "/" + name);
      runs.push_back(read_all(dev, block));
      EXPECT_EQ(dev.format().sample_rate_hz, 8000);
    }
    for (std::size_t i = 1; i < runs.size(); ++i) EXPECT_EQ(runs[i], runs[0]) << name << " run " << i;
  }
}

// Resampling (libsoxr HQ) agrees with sox's own resampler (`rate`, a separate implementation) to
// within -40 dB of the signal, keeps a 1 kHz tone's level within 0.05 dB, and keeps the timing
// (output length = input length * 8000 / rate, +-1; no delay: a cross-correlation peak at lag 0).
TEST(FileDevice, ResamplesToEightKilohertzLikeSox) {
  if (!have_program("sox")) GTEST_SKIP() << "sox not installed";
  const std::string dir = temp_dir();
  for (int rate : {11025, 16000, 44100, 48000}) {
    const int n = rate * 2;
    std::vector<std::int16_t> pcm(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
      pcm[static_cast<std::size_t>(i)] = static_cast<std::int16_t>(std::lround(
          8000.0 * std::sin(2 * kPi * 1000.0 * i / rate) + 4000.0 * std::sin(2 * kPi * 2300.0 * i / rate)));
    const std::string src = dir + "/in" + std::to_string(rate) + ".wav", ref = dir + "/sox8k.wav";
    write_wav16(src, pcm, rate, 1);
    ASSERT_EQ(std::system(("sox -D -V1 " + src + " -r 8000 " + ref + " rate -v").c_str()), 0);
    FileDevice dev(src);
    const auto got = read_all(dev, 500);
    const auto expect = sndfile_shorts(ref);
    EXPECT_NEAR(static_cast<double>(got.size()), 2.0 * 8000, 1.0) << rate;
    const std::size_t len = std::min(got.size(), expect.size());
    double err = 0, sig = 0;
    for (std::size_t i = 200; i + 200 < len; ++i) {  // away from the edges, where filters start and stop
      err += std::pow(got[i] - expect[i], 2);
      sig += std::pow(static_cast<double>(expect[i]), 2);
    }
    EXPECT_LT(10 * std::log10(err / sig), -40.0) << rate << " Hz";
    // Naive DFT at 1 kHz over 1 s in the middle: amplitude 8000.
    double re = 0, im = 0;
    for (std::size_t i = 4000; i < 12000; ++i) {
      re += got[i] * std::cos(2 * kPi * 1000.0 * static_cast<double>(i) / 8000);
      im += got[i] * std::sin(2 * kPi * 1000.0 * static_cast<double>(i) / 8000);
    }
    EXPECT_NEAR(20 * std::log10(2 * std::hypot(re, im) / 8000 / 8000.0), 0.0, 0.05) << rate << " Hz";
  }
}

TEST(FileDevice, OpeningErrorsNameTheFileAndTheReason) {
  const std::string dir = temp_dir();
  EXPECT_EQ(message_of([&] { FileDevice d(dir + "/missing.wav"); }), dir + "/missing.wav: no such file");
  write_file(dir + "/empty.wav", "");
  EXPECT_EQ(message_of([&] { FileDevice d(dir + "/empty.wav"); }), dir + "/empty.wav: empty file");
  write_file(dir + "/text.wav", "this is not audio, just some text long enough to look like a header....");
  EXPECT_EQ(message_of([&] { FileDevice d(dir + "/text.wav"); }).rfind(dir + "/text.wav: cannot read audio: ", 0), 0u);
  EXPECT_EQ(message_of([&] { FileDevice d("-"); }).rfind("-: standard input needs", 0), 0u);
  FileOpenOptions o;
  o.raw = RawFormat{SampleEncoding::pcm16, 100, 1};
  write_file(dir + "/x.raw", std::string(100, '\0'));
  EXPECT_EQ(message_of([&] { FileDevice d(dir + "/x.raw", o); }), dir + "/x.raw: sample rate 100 Hz is outside 4000..384000");
  o.raw = RawFormat{SampleEncoding::pcm16, 8000, 0};
  EXPECT_EQ(message_of([&] { FileDevice d(dir + "/x.raw", o); }).rfind(dir + "/x.raw: 0 channels", 0), 0u);
}

TEST(FileDevice, TruncatedDataIsReadThenReported) {
  const std::string dir = temp_dir();
  const auto pcm = noise(4000, 5);
  write_wav16(dir + "/full.wav", pcm, 8000, 1);
  const std::string bytes = read_file(dir + "/full.wav");
  write_file(dir + "/cut.wav", bytes.substr(0, bytes.size() - 3001));  // ends inside a sample
  FileOpenOptions o;
  o.target_rate_hz = 0;
  FileDevice dev(dir + "/cut.wav", o);
  const auto got = read_all(dev);
  ASSERT_GE(got.size(), 2400u);
  EXPECT_TRUE(std::equal(got.begin(), got.end(), pcm.begin())) << "what is there is read";
  EXPECT_NE(dev.error().find("truncated"), std::string::npos) << dev.error();
  EXPECT_EQ(dev.info().frames, 4000u) << "the header's promise";
}

TEST(FileDevice, FloatSamplesNaNIsAnErrorBeyondFullScaleIsClippedAndCounted) {
  const std::string dir = temp_dir();
  std::vector<float> x(1000, 0.25f);
  for (int i = 100; i < 110; ++i) x[static_cast<std::size_t>(i)] = (i % 2 ? 1.5f : -2.0f);
  x[200] = 1.0f;  // full scale, not beyond it
  SF_INFO info{};
  info.samplerate = 8000;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE* f = sf_open((dir + "/hot.wav").c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr);
  sf_write_float(f, x.data(), 1000);
  sf_close(f);
  {
    FileDevice dev(dir + "/hot.wav");
    const auto got = read_all(dev);
    EXPECT_TRUE(dev.error().empty()) << dev.error();
    EXPECT_EQ(dev.clipped_samples(), 10u);
    EXPECT_EQ(got[101], 32767);
    EXPECT_EQ(got[100], -32768);
    EXPECT_EQ(got[200], 32767);
    EXPECT_EQ(got[0], 8192);
  }
  x[700] = std::nanf("");
  f = sf_open((dir + "/nan.wav").c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr);
  sf_write_float(f, x.data(), 1000);
  sf_close(f);
  FileDevice dev(dir + "/nan.wav");
  const auto got = read_all(dev, 64);
  EXPECT_EQ(got.size(), 700u) << "the samples before the NaN are delivered";
  EXPECT_EQ(dev.error(), "NaN sample at frame 700");
}

// The pipe backend: bytes arrive in any pieces (here one at a time for a while), frames come out whole.
TEST(PipeDevice, ReadsRawSamplesFromADescriptorInAnyPieces) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const auto pcm = noise(2 * 3000, 9);
  std::string bytes(pcm.size() * 2, '\0');
  for (std::size_t i = 0; i < pcm.size(); ++i) {
    bytes[2 * i] = static_cast<char>(pcm[i] & 0xff);
    bytes[2 * i + 1] = static_cast<char>((pcm[i] >> 8) & 0xff);
  }
  std::thread writer([&] {
    for (std::size_t i = 0; i < 301; ++i) (void)!::write(fds[1], &bytes[i], 1);
    (void)!::write(fds[1], bytes.data() + 301, bytes.size() - 301);
    ::close(fds[1]);
  });
  PipeOptions o;
  o.format = RawFormat{SampleEncoding::pcm16, 8000, 2};
  o.in_fd = fds[0];
  PipeDevice dev("stdin", o);
  const auto got = read_all(dev, 7);
  writer.join();
  ::close(fds[0]);
  EXPECT_EQ(got, pcm);
  EXPECT_TRUE(dev.error().empty()) << dev.error();
  EXPECT_EQ(dev.format().channels, 2);
}

// ITU-T G.191 sweep-r.u: PipeDevice::write encodes with the reference codes.
TEST(PipeDevice, WritesG711CodesOfTheG191Reference) {
  const auto vec = itu_g711_vectors_dir();
  if (!vec) GTEST_SKIP() << "ITU-T G.191 vectors not found (../shared/itu-vectors or $LINEDSP_ITU_VECTORS)";
  const std::string dir = temp_dir();
  const auto pcm = words(read_file(*vec + "/sweep.src"));
  const std::string ref16 = read_file(*vec + "/sweep-r.u");
  std::string ref(65536, '\0');
  for (std::size_t i = 0; i < ref.size(); ++i) ref[i] = ref16[2 * i];
  const int fd = ::open((dir + "/out.ul").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  PipeOptions o;
  o.format = RawFormat{SampleEncoding::ulaw, 8000, 1};
  o.in_fd = -1;
  o.out_fd = fd;
  PipeDevice dev("out.ul", o);
  EXPECT_TRUE(dev.capabilities().audio_out);
  EXPECT_FALSE(dev.capabilities().audio_in);
  EXPECT_EQ(dev.write(std::span(pcm).first(1000)), 1000u);
  EXPECT_EQ(dev.write(std::span(pcm).subspan(1000)), 64536u);
  ::close(fd);
  EXPECT_EQ(read_file(dir + "/out.ul"), ref);
}

}  // namespace
