#include "devices/file_device.hpp"

#include <fcntl.h>
#include <sndfile.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "devices/pipe_device.hpp"
#include "devices/sample_stream.hpp"

namespace linedsp {
namespace {

std::string describe_subformat(int format) {
  switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8: return "PCM 8-bit signed";
    case SF_FORMAT_PCM_U8: return "PCM 8-bit unsigned";
    case SF_FORMAT_PCM_16: return "PCM 16-bit";
    case SF_FORMAT_PCM_24: return "PCM 24-bit";
    case SF_FORMAT_PCM_32: return "PCM 32-bit";
    case SF_FORMAT_FLOAT: return "float 32-bit";
    case SF_FORMAT_DOUBLE: return "float 64-bit";
    case SF_FORMAT_ULAW: return "mu-law";
    case SF_FORMAT_ALAW: return "A-law";
    case SF_FORMAT_IMA_ADPCM: return "IMA ADPCM";
    case SF_FORMAT_MS_ADPCM: return "MS ADPCM";
    case SF_FORMAT_GSM610: return "GSM 6.10";
    case SF_FORMAT_G721_32: return "G.721 ADPCM";
    case SF_FORMAT_VORBIS: return "Vorbis";
    case SF_FORMAT_OPUS: return "Opus";
    default: return "other";
  }
}

std::string describe_container(int format) {
  SF_FORMAT_INFO fi{};
  fi.format = format & SF_FORMAT_TYPEMASK;
  if (sf_command(nullptr, SFC_GET_FORMAT_INFO, &fi, sizeof fi) == 0 && fi.name) {
    const std::string n = fi.name;
    return n.substr(0, n.find(' '));
  }
  return "unknown";
}

// When libsndfile refuses a WAV file, its reasons can be cryptic ("SF_INFO struct incomplete"): look at
// the RIFF header ourselves and name what is wrong, or return "".
std::string explain_wav(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return "";
  unsigned char h[4096];
  const std::size_t n = std::fread(h, 1, sizeof h, f);
  std::fclose(f);
  auto u16 = [&](std::size_t at) { return static_cast<unsigned>(h[at] | (h[at + 1] << 8)); };
  auto u32 = [&](std::size_t at) { return static_cast<std::uint32_t>(u16(at) | (u16(at + 2) << 16)); };
  if (n < 12 || std::memcmp(h, "RIFF", 4) != 0 || std::memcmp(h + 8, "WAVE", 4) != 0) return "";
  for (std::size_t at = 12; at + 8 <= n;) {
    const std::uint32_t size = u32(at + 4);
    if (std::memcmp(h + at, "fmt ", 4) == 0) {
      if (size < 16 || at + 24 > n) return "corrupt header: 'fmt ' chunk too short";
      const unsigned tag = u16(at + 8), channels = u16(at + 10);
      const std::uint32_t rate = u32(at + 12);
      if (channels == 0) return "no channels (the header says 0)";
      if (rate < 4000 || rate > 384000) return "sample rate " + std::to_string(rate) + " Hz is outside 4000..384000";
      switch (tag) {
        case 0x0001: case 0x0002: case 0x0003: case 0x0006: case 0x0007: case 0x0011: case 0x0031: case 0xFFFE:
          return "";
        default: {
          char b[96];
          std::snprintf(b, sizeof b, "unsupported encoding (WAV format tag 0x%04X)", tag);
          return b;
        }
      }
    }
    at += 8 + std::size_t{size} + (size & 1);  // size_t: 8 + 0xFFFFFFF8 wrapped to 0 in uint32 (fuzz hang)
  }
  return "";
}

// libsndfile opens a WAV/AU whose header promises more data than the file holds and reads what is
// there; its log says so. Returns the number of frames the header promised, or 0 when it did not lie.
std::uint64_t promised_frames(SNDFILE* sf, const SF_INFO& info) {
  std::string log(4096, '\0');
  sf_command(sf, SFC_GET_LOG_INFO, log.data(), static_cast<int>(log.size()));
  log.resize(std::strlen(log.c_str()));
  const int sub = info.format & SF_FORMAT_SUBMASK;
  const int width = sub == SF_FORMAT_PCM_S8 || sub == SF_FORMAT_PCM_U8 || sub == SF_FORMAT_ULAW || sub == SF_FORMAT_ALAW ? 1
                    : sub == SF_FORMAT_PCM_16                                                                           ? 2
                    : sub == SF_FORMAT_PCM_24                                                                           ? 3
                    : sub == SF_FORMAT_PCM_32 || sub == SF_FORMAT_FLOAT                                                 ? 4
                    : sub == SF_FORMAT_DOUBLE                                                                           ? 8
                                                                                                                        : 0;
  if (width == 0 || log.find("should be") == std::string::npos) return 0;
  // e.g. "data : 16000 (should be 7956)": the first number is what the header promised.
  const std::size_t at = log.find("data : ");
  if (at == std::string::npos) return 0;
  const unsigned long long bytes = std::strtoull(log.c_str() + at + 7, nullptr, 10);
  return bytes / static_cast<unsigned long long>(width * info.channels);
}

// G.711 data (mu-law/A-law WAV, AU, ...) is read as codes and decoded by codecs/g711 (G.191 exact);
// everything else through libsndfile's float conversion.
class SndfileSource final : public detail::FrameSource {
 public:
  SndfileSource(SNDFILE* sf, const SF_INFO& info, std::uint64_t header_frames)
      : sf_(sf), channels_(static_cast<std::size_t>(info.channels)), header_frames_(header_frames) {
    const int sub = info.format & SF_FORMAT_SUBMASK;
    if (sub == SF_FORMAT_ULAW || sub == SF_FORMAT_ALAW) {
      law_ = sub == SF_FORMAT_ULAW ? SampleEncoding::ulaw : SampleEncoding::alaw;
      codes_.resize(detail::ResamplingReader::kBlockFrames * channels_);
      pcm_.resize(codes_.size());
    }
  }
  ~SndfileSource() override { sf_close(sf_); }

  std::size_t pull(float* out, std::size_t max_frames) noexcept override {
    if (eof_ || !error_.empty()) return 0;
    std::size_t got = 0;
    if (law_ != SampleEncoding::pcm16) {
      const std::size_t want = std::min(max_frames, detail::ResamplingReader::kBlockFrames) * channels_;
      const sf_count_t b = sf_read_raw(sf_, codes_.data(), static_cast<sf_count_t>(want));
      const std::size_t samples = b > 0 ? static_cast<std::size_t>(b) : 0;
      got = samples / channels_;
      decode_raw(law_, std::span<const std::uint8_t>(codes_.data(), got * channels_), pcm_);
      for (std::size_t i = 0; i < got * channels_; ++i) out[i] = static_cast<float>(pcm_[i]) * (1.0f / 32768.0f);
      if (samples < want) max_frames = got + 1;  // short read: the end, handled below
    } else {
      const sf_count_t n = sf_readf_float(sf_, out, static_cast<sf_count_t>(max_frames));
      got = n > 0 ? static_cast<std::size_t>(n) : 0;
    }
    read_ += got;
    if (got < max_frames) {
      eof_ = true;
      if (sf_error(sf_) != SF_ERR_NO_ERROR)
        error_ = std::string("read error after frame ") + std::to_string(read_) + ": " + sf_strerror(sf_);
      else if (header_frames_ > read_)
        error_ = "truncated: the header promises " + std::to_string(header_frames_) + " frames, the file holds " +
                 std::to_string(read_);
    }
    return got;
  }

 private:
  SNDFILE* sf_;
  std::size_t channels_;
  std::uint64_t header_frames_;
  SampleEncoding law_ = SampleEncoding::pcm16;  // ulaw/alaw: decoded here
  std::vector<std::uint8_t> codes_;
  std::vector<std::int16_t> pcm_;
  std::uint64_t read_ = 0;
};

}  // namespace

FileDevice::FileDevice(std::string path, const FileOpenOptions& options) : path_(std::move(path)) {
  auto fail = [&](const std::string& why) { throw std::runtime_error(path_ + ": " + why); };
  namespace fs = std::filesystem;
  std::error_code ec;
  if (path_ != "-") {
    const auto st = fs::status(path_, ec);
    if (!fs::exists(st)) fail("no such file");
    if (fs::is_directory(st)) fail("is a directory");
    if (fs::is_regular_file(st) && fs::file_size(path_, ec) == 0) fail("empty file");
  }
  std::unique_ptr<detail::FrameSource> source;
  int channels = 0, in_rate = 0;
  bool is_float = false;
  if (options.raw) {
    validate_raw_format(path_, *options.raw);
    int fd = 0;
    if (path_ != "-") {
      fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) fail(std::string("cannot open: ") + std::strerror(errno));
    }
    source = detail::make_raw_fd_source(fd, path_ != "-", *options.raw);
    channels = options.raw->channels;
    in_rate = options.raw->sample_rate_hz;
    info_ = FileInfo{"raw", sample_encoding_name(options.raw->encoding), in_rate, channels, 0};
    if (path_ != "-")
      info_.frames = fs::file_size(path_, ec) / (raw_bytes_per_sample(options.raw->encoding) * static_cast<std::size_t>(channels));
  } else {
    if (path_ == "-") fail("standard input needs --raw s16le|ulaw|alaw and --rate HZ");
    SF_INFO sfi{};
    SNDFILE* sf = sf_open(path_.c_str(), SFM_READ, &sfi);
    if (!sf) {
      std::string why = sf_strerror(nullptr);
      while (!why.empty() && (why.back() == '.' || why.back() == '\n')) why.pop_back();
      if (const std::string wav = explain_wav(path_); !wav.empty()) fail(wav);
      fail("cannot read audio: " + why);
    }
    auto close_and_fail = [&](const std::string& why) {
      sf_close(sf);
      fail(why);
    };
    if (sfi.channels < 1) close_and_fail("no channels");
    if (sfi.channels > 256) close_and_fail(std::to_string(sfi.channels) + " channels (at most 256 supported)");
    if (sfi.samplerate < 4000 || sfi.samplerate > 384000)
      close_and_fail("sample rate " + std::to_string(sfi.samplerate) + " Hz is outside 4000..384000");
    if (sfi.frames <= 0) close_and_fail("no audio data");
    channels = sfi.channels;
    in_rate = sfi.samplerate;
    const int sub = sfi.format & SF_FORMAT_SUBMASK;
    is_float = sub == SF_FORMAT_FLOAT || sub == SF_FORMAT_DOUBLE;
    info_ = FileInfo{describe_container(sfi.format), describe_subformat(sfi.format), sfi.samplerate, sfi.channels,
                     static_cast<std::uint64_t>(sfi.frames)};
    const std::uint64_t promised = promised_frames(sf, sfi);
    if (promised > info_.frames) info_.frames = promised;
    // Integer formats arrive scaled by 1/32768 (exact for 16-bit); float files as they are, so values
    // beyond +-1.0 stay visible to be clipped and counted.
    sf_command(sf, SFC_SET_NORM_FLOAT, nullptr, SF_TRUE);
    sf_command(sf, SFC_SET_CLIPPING, nullptr, SF_FALSE);
    source = std::make_unique<SndfileSource>(sf, sfi, promised);
  }
  out_rate_hz_ = options.target_rate_hz > 0 ? options.target_rate_hz : in_rate;
  if (out_rate_hz_ < 4000 || out_rate_hz_ > 384000) fail("target rate " + std::to_string(out_rate_hz_) + " Hz is outside 4000..384000");
  try {
    reader_ = std::make_unique<detail::ResamplingReader>(std::move(source), channels, in_rate, out_rate_hz_, is_float);
  } catch (const std::runtime_error& e) {
    fail(e.what());
  }
}

FileDevice::~FileDevice() = default;

AudioFormat FileDevice::format() const noexcept { return {out_rate_hz_, info_.channels}; }

DeviceCapabilities FileDevice::capabilities() const noexcept {
  DeviceCapabilities c;
  c.audio_in = true;
  return c;
}

const std::string& FileDevice::error() const noexcept { return reader_->error(); }
std::size_t FileDevice::read(std::span<std::int16_t> frames) noexcept { return reader_->read(frames); }
std::uint64_t FileDevice::clipped_samples() const noexcept { return reader_->clipped_samples(); }

}  // namespace linedsp
