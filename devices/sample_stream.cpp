#include "devices/sample_stream.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace linedsp::detail {

ResamplingReader::ResamplingReader(std::unique_ptr<FrameSource> source, int channels, int in_rate_hz,
                                   int out_rate_hz, bool check_float)
    : source_(std::move(source)), channels_(static_cast<std::size_t>(channels)), check_float_(check_float) {
  in_.resize(kBlockFrames * channels_);
  if (in_rate_hz != out_rate_hz) {
    soxr_error_t err = nullptr;
    const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    const soxr_quality_spec_t q = soxr_quality_spec(SOXR_HQ, 0);
    soxr_ = soxr_create(in_rate_hz, out_rate_hz, static_cast<unsigned>(channels), &err, &io, &q, nullptr);
    if (!soxr_ || err) throw std::runtime_error(std::string("cannot resample: ") + (err ? err : "libsoxr"));
    const double ratio = static_cast<double>(out_rate_hz) / in_rate_hz;
    out_.resize((static_cast<std::size_t>(static_cast<double>(kBlockFrames) * ratio) + 256) * channels_);
  }
}

ResamplingReader::~ResamplingReader() {
  if (soxr_) soxr_delete(soxr_);
}

bool ResamplingReader::fill_input() noexcept {
  in_pos_ = in_len_ = 0;
  if (input_done_) return false;
  std::size_t got = source_->pull(in_.data(), kBlockFrames);
  if (!source_->error().empty()) error_ = source_->error();
  if (check_float_) {
    for (std::size_t i = 0; i < got * channels_; ++i) {
      float& v = in_[i];
      if (!std::isfinite(v)) {
        const std::uint64_t frame = frames_in_ + i / channels_;
        error_ = std::string(std::isnan(v) ? "NaN" : "infinite") + " sample at frame " + std::to_string(frame);
        got = i / channels_;
        break;
      }
      if (v > 1.0f || v < -1.0f) {
        ++clipped_;
        v = std::clamp(v, -1.0f, 1.0f);
      }
    }
  }
  frames_in_ += got;
  in_len_ = got;
  if (got == 0 || !error_.empty() || source_->eof()) input_done_ = true;
  return got > 0;
}

std::size_t ResamplingReader::read(std::span<std::int16_t> frames) noexcept {
  const std::size_t want = frames.size() / channels_;
  std::size_t done = 0;
  auto emit = [&](const float* src, std::size_t n) {
    for (std::size_t i = 0; i < n * channels_; ++i) {
      float v = src[i] * 32768.0f;
      if (v > 32767.0f || v < -32768.0f) {
        // +1.0 (32768) is full scale, not beyond it; more is resampler overshoot near full scale.
        if (v > 32768.5f || v < -32768.5f) ++clipped_;
        v = std::clamp(v, -32768.0f, 32767.0f);
      }
      frames[done * channels_ + i] = static_cast<std::int16_t>(std::lrint(v));
    }
    done += n;
  };
  while (done < want) {
    if (!soxr_) {
      // Return what is in hand rather than wait for more input (a live pipe must not hold back samples).
      if (in_pos_ == in_len_ && (done > 0 || !fill_input())) break;
      const std::size_t n = std::min(want - done, in_len_ - in_pos_);
      emit(in_.data() + in_pos_ * channels_, n);
      in_pos_ += n;
      continue;
    }
    if (out_pos_ < out_len_) {
      const std::size_t n = std::min(want - done, out_len_ - out_pos_);
      emit(out_.data() + out_pos_ * channels_, n);
      out_pos_ += n;
      continue;
    }
    if (drained_ || done > 0) break;
    out_pos_ = out_len_ = 0;
    const std::size_t out_cap = out_.size() / channels_;
    if (in_pos_ < in_len_ || fill_input()) {
      std::size_t idone = 0, odone = 0;
      soxr_process(soxr_, in_.data() + in_pos_ * channels_, in_len_ - in_pos_, &idone, out_.data(), out_cap, &odone);
      in_pos_ += idone;
      out_len_ = odone;
    } else {  // end of input: flush what the filter still holds
      std::size_t odone = 0;
      soxr_process(soxr_, nullptr, 0, nullptr, out_.data(), out_cap, &odone);
      out_len_ = odone;
      if (odone == 0) drained_ = true;
    }
  }
  return done;
}

}  // namespace linedsp::detail
