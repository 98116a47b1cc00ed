#include "devices/audio_file.hpp"

#include <sndfile.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "codecs/g711.hpp"

namespace linedsp {
namespace fs = std::filesystem;

std::optional<SampleEncoding> parse_sample_encoding(std::string_view name) noexcept {
  if (name == "pcm16" || name == "s16" || name == "s16le") return SampleEncoding::pcm16;
  if (name == "ulaw" || name == "mulaw" || name == "mu-law") return SampleEncoding::ulaw;
  if (name == "alaw" || name == "a-law") return SampleEncoding::alaw;
  return std::nullopt;
}

const char* sample_encoding_name(SampleEncoding e) noexcept {
  switch (e) {
    case SampleEncoding::pcm16: return "pcm16";
    case SampleEncoding::ulaw: return "ulaw";
    case SampleEncoding::alaw: return "alaw";
  }
  return "?";
}

namespace {
// A hidden name beside the destination (same file system, so rename() is atomic), unique per process
// and per call so that concurrent writers never share a temporary.
std::string temp_name_for(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  const fs::path p(path);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  return (dir / ("." + p.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                 std::to_string(counter.fetch_add(1))))
      .string();
}
bool headerless(const std::string& ext) { return ext == ".raw" || ext == ".sln" || ext == ".ul" || ext == ".al" || ext == ".pcm"; }
}  // namespace

struct AudioFileWriter::Impl {
  std::string path, temp;
  AudioFileSpec spec;
  SNDFILE* sf = nullptr;
  std::FILE* raw = nullptr;  // headerless or stdout
  bool to_stdout = false, committed = false;
  std::vector<std::uint8_t> codes;
};

AudioFileWriter::AudioFileWriter(std::string path, AudioFileSpec spec) : impl_(new Impl) {
  Impl& m = *impl_;
  m.path = std::move(path);
  m.spec = spec;
  auto fail = [&](const std::string& why) {
    std::string message = m.path + ": " + why;  // before `m` goes away with impl_
    if (m.sf) sf_close(m.sf);
    if (m.raw) std::fclose(m.raw);
    if (!m.temp.empty()) std::remove(m.temp.c_str());
    delete impl_;
    impl_ = nullptr;
    throw std::runtime_error(message);
  };
  if (spec.channels < 1 || spec.channels > 64) fail("cannot write " + std::to_string(spec.channels) + " channels");
  if (spec.sample_rate_hz < 1000 || spec.sample_rate_hz > 384000)
    fail("cannot write at " + std::to_string(spec.sample_rate_hz) + " Hz");
  if (m.path == "-") {
    m.to_stdout = true;
    m.raw = stdout;
    return;
  }
  std::string ext = fs::path(m.path).extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  m.temp = temp_name_for(m.path);
  if (headerless(ext)) {
    m.raw = std::fopen(m.temp.c_str(), "wb");
    if (!m.raw) fail(std::string("cannot create: ") + std::strerror(errno));
    return;
  }
  SF_INFO info{};
  info.samplerate = spec.sample_rate_hz;
  info.channels = spec.channels;
  const int sub = spec.encoding == SampleEncoding::pcm16 ? SF_FORMAT_PCM_16
                  : spec.encoding == SampleEncoding::ulaw ? SF_FORMAT_ULAW
                                                          : SF_FORMAT_ALAW;
  int container = SF_FORMAT_WAV;
  if (ext == ".au" || ext == ".snd") container = SF_FORMAT_AU;
  if (ext == ".flac") {
    if (spec.encoding != SampleEncoding::pcm16) fail("FLAC holds linear PCM only; use --encoding pcm16");
    container = SF_FORMAT_FLAC;
  }
  info.format = container | sub;
  if (!sf_format_check(&info)) fail("this container cannot hold that encoding");
  m.sf = sf_open(m.temp.c_str(), SFM_WRITE, &info);
  if (!m.sf) fail(std::string("cannot create: ") + sf_strerror(nullptr));
}

AudioFileWriter::~AudioFileWriter() {
  if (!impl_) return;
  if (impl_->sf) sf_close(impl_->sf);
  if (impl_->raw && !impl_->to_stdout) std::fclose(impl_->raw);
  if (!impl_->committed && !impl_->temp.empty()) {
    std::error_code ec;
    fs::remove(impl_->temp, ec);
  }
  delete impl_;
}

void AudioFileWriter::write(std::span<const std::int16_t> x) {
  Impl& m = *impl_;
  const std::size_t frames = x.size() / static_cast<std::size_t>(m.spec.channels);
  const std::size_t n = frames * static_cast<std::size_t>(m.spec.channels);
  bool ok;
  if (m.sf && m.spec.encoding == SampleEncoding::pcm16) {
    ok = sf_write_short(m.sf, x.data(), static_cast<sf_count_t>(n)) == static_cast<sf_count_t>(n);
  } else if (m.spec.encoding == SampleEncoding::pcm16) {
    ok = std::fwrite(x.data(), 2, n, m.raw) == n;  // little-endian host (x86-64, arm64)
  } else {
    m.codes.resize(n);
    g711_encode(m.spec.encoding == SampleEncoding::ulaw ? Law::ulaw : Law::alaw, x.first(n), m.codes);
    if (m.sf)  // libsndfile's own G.711 encoder is not G.191-exact: hand it the codes as raw bytes
      ok = sf_write_raw(m.sf, m.codes.data(), static_cast<sf_count_t>(n)) == static_cast<sf_count_t>(n);
    else
      ok = std::fwrite(m.codes.data(), 1, n, m.raw) == n;
  }
  if (!ok) throw std::runtime_error(m.path + ": write failed: " + (m.sf ? sf_strerror(m.sf) : std::strerror(errno)));
}

void AudioFileWriter::commit() {
  Impl& m = *impl_;
  if (m.to_stdout) {
    if (std::fflush(stdout) != 0) throw std::runtime_error("stdout: write failed");
    m.committed = true;
    return;
  }
  if (m.sf) {
    sf_write_sync(m.sf);
    sf_close(m.sf);
    m.sf = nullptr;
  }
  if (m.raw) {
    const bool bad = std::fclose(m.raw) != 0;
    m.raw = nullptr;
    if (bad) throw std::runtime_error(m.path + ": write failed: " + std::strerror(errno));
  }
  std::error_code ec;
  fs::rename(m.temp, m.path, ec);
  if (ec) throw std::runtime_error(m.path + ": cannot rename into place: " + ec.message());
  m.committed = true;
}

void write_text_file_atomically(const std::string& path, std::string_view contents) {
  if (path == "-") {
    if (std::fwrite(contents.data(), 1, contents.size(), stdout) != contents.size() || std::fflush(stdout) != 0)
      throw std::runtime_error("stdout: write failed");
    return;
  }
  const std::string temp = temp_name_for(path);
  std::FILE* f = std::fopen(temp.c_str(), "wb");
  if (!f) throw std::runtime_error(path + ": cannot create: " + std::strerror(errno));
  const bool ok = std::fwrite(contents.data(), 1, contents.size(), f) == contents.size();
  if (std::fclose(f) != 0 || !ok) {
    std::remove(temp.c_str());
    throw std::runtime_error(path + ": write failed: " + std::strerror(errno));
  }
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) {
    std::remove(temp.c_str());
    throw std::runtime_error(path + ": cannot rename into place: " + ec.message());
  }
}

}  // namespace linedsp
