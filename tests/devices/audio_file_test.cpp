// devices/audio_file: AudioFileWriter and write_text_file_atomically. Oracles: libsndfile reads back what
// we wrote; the ITU-T G.191 vectors (sweep-r.u / sweep-r.a) for the G.711 codes we write.
#include "devices/audio_file.hpp"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <filesystem>
#include <random>
#include <stdexcept>
#include <vector>

#include "support/paths.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using namespace linedsp;
using namespace linedsp::test;

namespace {

std::vector<std::int16_t> random_pcm(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(-32768, 32767);
  std::vector<std::int16_t> v(n);
  for (auto& x : v) x = static_cast<std::int16_t>(d(rng));
  return v;
}

std::vector<std::int16_t> sndfile_read(const std::string& path, SF_INFO& info) {
  info = {};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  EXPECT_NE(f, nullptr) << path << ": " << sf_strerror(nullptr);
  if (!f) return {};
  std::vector<std::int16_t> v(static_cast<std::size_t>(info.frames * info.channels));
  sf_readf_short(f, v.data(), info.frames);
  sf_close(f);
  return v;
}

std::size_t files_in(const std::string& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

TEST(AudioFileWriter, LinearContainersReadBackByLibsndfile) {
  const std::string dir = temp_dir();
  const auto pcm = random_pcm(3 * 4001, 1);
  for (const std::string name : {"a.wav", "a.au", "a.flac", "a.WAV", "a.unknown-extension"}) {
    const std::string path = dir + "/" + name;
    AudioFileWriter w(path, AudioFileSpec{16000, 3, SampleEncoding::pcm16});
    w.write(std::span(pcm).first(3 * 1000));  // in pieces
    w.write(std::span(pcm).subspan(3 * 1000));
    EXPECT_FALSE(fs::exists(path)) << "visible before commit()";
    w.commit();
    SF_INFO info;
    EXPECT_EQ(sndfile_read(path, info), pcm) << name;
    EXPECT_EQ(info.samplerate, 16000);
    EXPECT_EQ(info.channels, 3);
    const int container = info.format & SF_FORMAT_TYPEMASK;
    EXPECT_EQ(container, name == "a.au" ? SF_FORMAT_AU : name == "a.flac" ? SF_FORMAT_FLAC : SF_FORMAT_WAV) << name;
  }
  // Headerless .raw/.sln: signed 16-bit little-endian, nothing else.
  AudioFileWriter w(dir + "/a.sln", AudioFileSpec{8000, 1, SampleEncoding::pcm16});
  w.write(pcm);
  w.commit();
  const std::string bytes = read_file(dir + "/a.sln");
  ASSERT_EQ(bytes.size(), pcm.size() * 2);
  for (std::size_t i = 0; i < pcm.size(); ++i)
    ASSERT_EQ(static_cast<std::int16_t>(static_cast<std::uint8_t>(bytes[2 * i]) | (static_cast<std::uint8_t>(bytes[2 * i + 1]) << 8)),
              pcm[i]);
}

// ITU-T G.191 sweep-r.u / sweep-r.a: the reference encoder's code for every 16-bit input. What we write
// (headerless, or inside a WAV/AU read back raw by libsndfile) must be those codes.
TEST(AudioFileWriter, G711OutputIsTheG191ReferenceCodes) {
  const auto vec = itu_g711_vectors_dir();
  if (!vec) GTEST_SKIP() << "ITU-T G.191 vectors not found (../shared/itu-vectors or $LINEDSP_ITU_VECTORS)";
  const std::string src = read_file(*vec + "/sweep.src");
  ASSERT_EQ(src.size(), 131072u);
  std::vector<std::int16_t> pcm(65536);
  for (std::size_t i = 0; i < pcm.size(); ++i)
    pcm[i] = static_cast<std::int16_t>(static_cast<std::uint8_t>(src[2 * i]) | (static_cast<std::uint8_t>(src[2 * i + 1]) << 8));
  const std::string dir = temp_dir();
  for (const auto& [law, ref_name] : {std::pair{SampleEncoding::ulaw, "sweep-r.u"}, std::pair{SampleEncoding::alaw, "sweep-r.a"}}) {
    const std::string ref16 = read_file(*vec + "/" + ref_name);
    std::string ref(65536, '\0');
    for (std::size_t i = 0; i < ref.size(); ++i) ref[i] = ref16[2 * i];  // one code per little-endian word
    const std::string ext = law == SampleEncoding::ulaw ? ".ul" : ".al";
    {
      AudioFileWriter w(dir + "/x" + ext, AudioFileSpec{8000, 1, law});
      w.write(pcm);
      w.commit();
    }
    EXPECT_EQ(read_file(dir + "/x" + ext), ref) << ref_name;
    for (const std::string container : {".wav", ".au"}) {
      const std::string path = dir + "/x" + container;
      AudioFileWriter w(path, AudioFileSpec{8000, 1, law});
      w.write(pcm);
      w.commit();
      SF_INFO info{};
      SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
      ASSERT_NE(f, nullptr);
      EXPECT_EQ(info.format & SF_FORMAT_SUBMASK, law == SampleEncoding::ulaw ? SF_FORMAT_ULAW : SF_FORMAT_ALAW);
      std::string codes(65536, '\0');
      EXPECT_EQ(sf_read_raw(f, codes.data(), 65536), 65536);
      sf_close(f);
      EXPECT_EQ(codes, ref) << ref_name << " in " << container;
    }
  }
}

TEST(AudioFileWriter, WithoutCommitNothingAppearsAndAnOldFileIsKept) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/keep.wav";
  write_file(path, "old");
  {
    AudioFileWriter w(path, AudioFileSpec{});
    w.write(random_pcm(800, 2));
  }  // e.g. an exception unwound past it
  EXPECT_EQ(read_file(path), "old");
  EXPECT_EQ(files_in(dir), 1u) << "a temporary was left behind";
  {
    AudioFileWriter w(dir + "/new.raw", AudioFileSpec{});
    w.write(random_pcm(800, 3));
  }
  EXPECT_FALSE(fs::exists(dir + "/new.raw"));
  EXPECT_EQ(files_in(dir), 1u);
}

TEST(AudioFileWriter, ErrorsNameThePath) {
  const std::string dir = temp_dir();
  auto message_of = [](auto&& f) -> std::string {
    try {
      f();
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "(no exception)";
  };
  const std::string bad_dir = dir + "/no/such/dir/x.wav";
  EXPECT_EQ(message_of([&] { AudioFileWriter w(bad_dir, AudioFileSpec{}); }).rfind(bad_dir + ": ", 0), 0u);
  const std::string flac = dir + "/x.flac";
  EXPECT_EQ(message_of([&] { AudioFileWriter w(flac, AudioFileSpec{8000, 1, SampleEncoding::ulaw}); }).rfind(flac + ": ", 0), 0u);
  EXPECT_EQ(message_of([&] { AudioFileWriter w(dir + "/x.wav", AudioFileSpec{8000, 0, SampleEncoding::pcm16}); })
                .rfind(dir + "/x.wav: ", 0),
            0u);
  EXPECT_EQ(files_in(dir), 0u);
}

TEST(WriteTextFileAtomically, WritesReplacesAndFailsCleanly) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/out.txt";
  write_text_file_atomically(path, "first\n");
  EXPECT_EQ(read_file(path), "first\n");
  write_text_file_atomically(path, "second\n");
  EXPECT_EQ(read_file(path), "second\n");
  EXPECT_THROW(write_text_file_atomically(dir + "/missing/out.txt", "x"), std::runtime_error);
  fs::create_directories(dir + "/a-dir");
  EXPECT_THROW(write_text_file_atomically(dir + "/a-dir", "x"), std::runtime_error);  // cannot replace a directory
  EXPECT_EQ(files_in(dir), 2u);
  EXPECT_EQ(read_file(path), "second\n");
}

TEST(SampleEncoding, ParsesTheCommandLineNames) {
  EXPECT_EQ(parse_sample_encoding("pcm16"), SampleEncoding::pcm16);
  EXPECT_EQ(parse_sample_encoding("ulaw"), SampleEncoding::ulaw);
  EXPECT_EQ(parse_sample_encoding("alaw"), SampleEncoding::alaw);
  EXPECT_EQ(parse_sample_encoding("mp3"), std::nullopt);
  EXPECT_EQ(parse_sample_encoding(""), std::nullopt);
}

}  // namespace
