#include "devices/pipe_device.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "devices/sample_stream.hpp"

namespace linedsp {
namespace detail {
namespace {

class RawFdSource final : public FrameSource {
 public:
  RawFdSource(int fd, bool own, const RawFormat& f)
      : fd_(fd), own_(own), format_(f), frame_bytes_(raw_bytes_per_sample(f.encoding) * static_cast<std::size_t>(f.channels)) {
    bytes_.resize(ResamplingReader::kBlockFrames * frame_bytes_);
    pcm_.resize(ResamplingReader::kBlockFrames * static_cast<std::size_t>(f.channels));
  }
  ~RawFdSource() override {
    if (own_ && fd_ >= 0) ::close(fd_);
  }

  std::size_t pull(float* out, std::size_t max_frames) noexcept override {
    if (eof_ || !error_.empty()) return 0;
    const std::size_t cap = std::min(max_frames, ResamplingReader::kBlockFrames) * frame_bytes_;
    // Keep the partial frame left over from the previous read (pipes deliver any byte count).
    std::size_t have = carry_;
    while (have < cap) {
      const ssize_t r = ::read(fd_, bytes_.data() + have, cap - have);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) {
        error_ = std::string("read error: ") + std::strerror(errno);
        break;
      }
      if (r == 0) {
        eof_ = true;
        break;
      }
      have += static_cast<std::size_t>(r);
      if (have % frame_bytes_ == 0) break;  // whole frames in hand: hand them on without waiting for more
    }
    const std::size_t frames = have / frame_bytes_;
    carry_ = have - frames * frame_bytes_;
    if (eof_ && carry_ != 0 && error_.empty())
      error_ = "truncated: the stream ends inside a frame (" + std::to_string(carry_) + " stray bytes)";
    const std::size_t n = frames * static_cast<std::size_t>(format_.channels);
    decode_raw(format_.encoding, std::span<const std::uint8_t>(bytes_.data(), frames * frame_bytes_),
               std::span<std::int16_t>(pcm_.data(), n));
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(pcm_[i]) * (1.0f / 32768.0f);
    if (carry_ && !eof_) std::memmove(bytes_.data(), bytes_.data() + frames * frame_bytes_, carry_);
    return frames;
  }

 private:
  int fd_;
  bool own_;
  RawFormat format_;
  std::size_t frame_bytes_;
  std::size_t carry_ = 0;
  std::vector<std::uint8_t> bytes_;
  std::vector<std::int16_t> pcm_;
};

}  // namespace

std::unique_ptr<FrameSource> make_raw_fd_source(int fd, bool own_fd, const RawFormat& format) {
  return std::make_unique<RawFdSource>(fd, own_fd, format);
}

}  // namespace detail

void validate_raw_format(const std::string& name, const RawFormat& f) {
  if (f.channels < 1 || f.channels > 64)
    throw std::runtime_error(name + ": " + std::to_string(f.channels) + " channels (1..64 supported)");
  if (f.sample_rate_hz < 4000 || f.sample_rate_hz > 384000)
    throw std::runtime_error(name + ": sample rate " + std::to_string(f.sample_rate_hz) +
                             " Hz is outside 4000..384000");
}

PipeDevice::PipeDevice(std::string name, const PipeOptions& options)
    : name_(std::move(name)), options_(options),
      out_rate_hz_(options.target_rate_hz > 0 ? options.target_rate_hz : options.format.sample_rate_hz) {
  validate_raw_format(name_, options_.format);
  if (out_rate_hz_ < 4000 || out_rate_hz_ > 384000)
    throw std::runtime_error(name_ + ": target rate " + std::to_string(out_rate_hz_) + " Hz is outside 4000..384000");
  if (options_.in_fd >= 0) {
    try {
      reader_ = std::make_unique<detail::ResamplingReader>(detail::make_raw_fd_source(options_.in_fd, false, options_.format),
                                                           options_.format.channels, options_.format.sample_rate_hz,
                                                           out_rate_hz_, false);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(name_ + ": " + e.what());
    }
  }
  if (options_.out_fd >= 0)
    out_bytes_.resize(detail::ResamplingReader::kBlockFrames * raw_bytes_per_sample(options_.format.encoding));
}

PipeDevice::~PipeDevice() = default;

AudioFormat PipeDevice::format() const noexcept { return {out_rate_hz_, options_.format.channels}; }

DeviceCapabilities PipeDevice::capabilities() const noexcept {
  DeviceCapabilities c;
  c.audio_in = options_.in_fd >= 0;
  c.audio_out = options_.out_fd >= 0;
  return c;
}

const std::string& PipeDevice::error() const noexcept {
  if (!write_error_.empty() || !reader_) return write_error_;
  return reader_->error();
}

std::size_t PipeDevice::read(std::span<std::int16_t> frames) noexcept { return reader_ ? reader_->read(frames) : 0; }

std::uint64_t PipeDevice::clipped_samples() const noexcept { return reader_ ? reader_->clipped_samples() : 0; }

std::size_t PipeDevice::write(std::span<const std::int16_t> frames) noexcept {
  if (options_.out_fd < 0 || !write_error_.empty()) return 0;
  const auto ch = static_cast<std::size_t>(options_.format.channels);
  const std::size_t total = frames.size() / ch * ch;
  const std::size_t width = raw_bytes_per_sample(options_.format.encoding);
  const std::size_t chunk = out_bytes_.size() / width;
  std::size_t written = 0;
  while (written < total) {
    const std::size_t n = std::min(chunk, total - written);
    encode_raw(options_.format.encoding, frames.subspan(written, n), out_bytes_);
    std::size_t off = 0;
    while (off < n * width) {
      const ssize_t w = ::write(options_.out_fd, out_bytes_.data() + off, n * width - off);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        write_error_ = std::string("write error: ") + std::strerror(errno);
        return written / ch;
      }
      off += static_cast<std::size_t>(w);
    }
    written += n;
  }
  return written / ch;
}

}  // namespace linedsp
