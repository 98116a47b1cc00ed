// devices/pipe_device.hpp — the pipe backend: headerless samples (s16le, G.711 mu-law or A-law) on a
// file descriptor, standard input and output by default. Input at any rate and channel count is
// resampled (libsoxr HQ, streaming) to target_rate_hz; writes are encoded at the stream's own rate.
// Memory is fixed when opened, whatever the length of the stream.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "devices/line_device.hpp"
#include "devices/raw_format.hpp"

namespace linedsp {
namespace detail {
class ResamplingReader;
}

struct PipeOptions {
  RawFormat format;          // what the bytes are, both ways
  int target_rate_hz = 8000; // rate of read(); 0 keeps format.sample_rate_hz
  int in_fd = 0;             // -1: no input
  int out_fd = -1;           // -1: no output (1 for standard output)
};

class PipeDevice final : public LineDevice {
 public:
  // Throws std::runtime_error("NAME: reason") for an impossible format (channels 1..64, rate 4000..384000).
  // The descriptors stay the caller's: they are not closed.
  explicit PipeDevice(std::string name = "stdin", const PipeOptions& options = {});
  ~PipeDevice() override;

  AudioFormat format() const noexcept override;
  DeviceCapabilities capabilities() const noexcept override;
  const std::string& name() const noexcept override { return name_; }
  const std::string& error() const noexcept override;
  std::size_t read(std::span<std::int16_t> frames) noexcept override;
  std::size_t write(std::span<const std::int16_t> frames) noexcept override;

  std::uint64_t clipped_samples() const noexcept;

 private:
  std::string name_;
  PipeOptions options_;
  int out_rate_hz_;
  std::unique_ptr<detail::ResamplingReader> reader_;
  std::vector<std::uint8_t> out_bytes_;
  std::string write_error_;
};

// Checks a RawFormat; throws std::runtime_error("NAME: reason").
void validate_raw_format(const std::string& name, const RawFormat& format);

}  // namespace linedsp
