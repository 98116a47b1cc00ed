// devices/file_device.hpp — the file backend of the driver layer: audio from anything libsndfile reads
// (WAV PCM 8/16/24/32/float/double, mu-law and A-law WAV, AU, FLAC, AIFF, ...), or headerless samples
// (s16le, mu-law, A-law; FileOpenOptions::raw) from a file, with any channel count and sample rate.
// Input is resampled with libsoxr (HQ, streaming) to target_rate_hz, 8000 by default: the detectors'
// native rate, so every file is analysed the same way whatever it was recorded at (0 keeps the file's
// rate). Streams in fixed blocks: memory does not grow with the length of the input.
//
// Every problem found on opening is a std::runtime_error whose text is "PATH: what is wrong" (missing,
// empty, truncated or corrupt header, unsupported encoding, zero channels, absurd rate outside
// 4000..384000 Hz, ...). Problems found while reading (a data chunk shorter than its header says, NaN or
// infinite float samples) end the stream and are reported by error(); read() has returned what came
// before. Float samples beyond +-1.0 are clipped and counted (clipped_samples()).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "devices/audio_file.hpp"
#include "devices/line_device.hpp"
#include "devices/raw_format.hpp"

namespace linedsp {
namespace detail {
class ResamplingReader;
}

struct FileOpenOptions {
  int target_rate_hz = 8000;     // 0 keeps the file's own rate
  std::optional<RawFormat> raw;  // headerless input
};

struct FileInfo {
  std::string container;     // "WAV", "FLAC", "AU", "raw" ...
  std::string encoding;      // "PCM 16-bit", "mu-law", "float 32-bit" ...
  int sample_rate_hz = 0;    // the file's own rate
  int channels = 0;
  std::uint64_t frames = 0;  // as the header says (raw: from the size)
};

class FileDevice final : public LineDevice {
 public:
  explicit FileDevice(std::string path, const FileOpenOptions& options = {});
  ~FileDevice() override;

  AudioFormat format() const noexcept override;  // the rate read() delivers
  DeviceCapabilities capabilities() const noexcept override;
  const std::string& name() const noexcept override { return path_; }
  const std::string& error() const noexcept override;
  std::size_t read(std::span<std::int16_t> frames) noexcept override;

  const FileInfo& info() const noexcept { return info_; }
  std::uint64_t clipped_samples() const noexcept;

 private:
  std::string path_;
  FileInfo info_;
  int out_rate_hz_ = 8000;
  std::unique_ptr<detail::ResamplingReader> reader_;
};

}  // namespace linedsp
