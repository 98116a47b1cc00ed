// devices/sample_stream.hpp — the read path shared by the file and pipe backends (internal to devices/):
// a source of interleaved float frames (full scale +-1.0) in fixed blocks, checked (NaN/Inf is an
// error naming the frame, values beyond +-1.0 are clipped and counted), resampled with libsoxr (HQ,
// streaming) to the device's rate, and rounded to int16. Memory is fixed at construction.
#pragma once

#include <soxr.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "devices/raw_format.hpp"

namespace linedsp::detail {

class FrameSource {
 public:
  virtual ~FrameSource() = default;
  // Up to max_frames interleaved frames into out; 0 only at the end of the stream or on an error.
  // Sets eof_ at the end; sets error_ (one line, no file name) when the input is broken.
  virtual std::size_t pull(float* out, std::size_t max_frames) noexcept = 0;
  bool eof() const noexcept { return eof_; }
  const std::string& error() const noexcept { return error_; }

 protected:
  bool eof_ = false;
  std::string error_;
};

// Headerless samples from a file descriptor (closed on destruction when `own_fd`). A stream that ends
// inside a frame is an error ("truncated").
std::unique_ptr<FrameSource> make_raw_fd_source(int fd, bool own_fd, const RawFormat& format);

class ResamplingReader {
 public:
  static constexpr std::size_t kBlockFrames = 4096;

  // Throws std::runtime_error(reason) when libsoxr cannot be set up for these rates.
  ResamplingReader(std::unique_ptr<FrameSource> source, int channels, int in_rate_hz, int out_rate_hz,
                   bool check_float);
  ~ResamplingReader();
  ResamplingReader(const ResamplingReader&) = delete;
  ResamplingReader& operator=(const ResamplingReader&) = delete;

  // Interleaved int16 frames at out_rate_hz; returns frames (0 at the end or after an error). Returns
  // fewer than asked when the next block is not yet in hand: it never waits on input holding samples.
  std::size_t read(std::span<std::int16_t> frames) noexcept;

  const std::string& error() const noexcept { return error_; }
  std::uint64_t clipped_samples() const noexcept { return clipped_; }
  std::uint64_t frames_in() const noexcept { return frames_in_; }

 private:
  bool fill_input() noexcept;  // next block into in_; false at the end (or error)

  std::unique_ptr<FrameSource> source_;
  std::size_t channels_;
  bool check_float_;
  soxr_t soxr_ = nullptr;
  std::vector<float> in_, out_;
  std::size_t in_pos_ = 0, in_len_ = 0;    // frames
  std::size_t out_pos_ = 0, out_len_ = 0;  // frames
  bool input_done_ = false, drained_ = false;
  std::uint64_t frames_in_ = 0, clipped_ = 0;
  std::string error_;
};

}  // namespace linedsp::detail
