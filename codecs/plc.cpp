// codecs/plc.cpp — ITU-T G.711 Appendix I packet-loss concealment (see plc.hpp for the algorithm).
#include "codecs/plc.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace linedsp {
namespace {

constexpr std::size_t kFrame = G711Plc::kFrameSamples;
constexpr int kDecimation = 2;                 // coarse pitch search on every 2nd sample
constexpr float kCorrelationMinPower = 250.f;  // floor of the energy normaliser (quiet history)
constexpr float kAttenuationPerSample = G711Plc::kAttenuationPerFrame / static_cast<float>(kFrame);

std::int16_t clip16(float v) noexcept {
  v = std::clamp(v, -32768.f, 32767.f);
  return static_cast<std::int16_t>(v);  // truncation toward zero, as the Appendix's (short) cast
}

// Linear cross-fade from l to r over n samples (l weight 1-1/n .. 0, r weight 1/n .. 1).
void overlap_add(const float* l, const float* r, float* o, int n) noexcept {
  const float incr = 1.f / static_cast<float>(n);
  float lw = 1.f - incr, rw = incr;
  for (int i = 0; i < n; ++i) {
    o[i] = std::clamp(lw * l[i] + rw * r[i], -32768.f, 32767.f);
    lw -= incr;
    rw += incr;
  }
}

void overlap_add(const std::int16_t* l, const std::int16_t* r, std::int16_t* o, int n) noexcept {
  const float incr = 1.f / static_cast<float>(n);
  float lw = 1.f - incr, rw = incr;
  for (int i = 0; i < n; ++i) {
    o[i] = clip16(lw * l[i] + rw * r[i]);
    lw -= incr;
    rw += incr;
  }
}

// Dot product with 8 independent partial sums (n a multiple of 8): the search is latency-bound
// otherwise. The summation order differs from a plain loop only by float rounding.
float dot(const float* a, const float* b, int n) noexcept {
  std::array<float, 8> acc{};
  for (int i = 0; i < n; i += 8)
    for (int k = 0; k < 8; ++k) acc[static_cast<std::size_t>(k)] += a[i + k] * b[i + k];
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

}  // namespace

void G711Plc::reset() noexcept {
  ring_.fill(0);
  write_ = 0;
  pitch_buf_.fill(0.f);
  last_quarter_.fill(0.f);
  erase_count_ = 0;
  pitch_ = 0;
  overlap_ = 0;
  pitch_offset_ = 0;
  pitch_len_ = 0;
}

std::size_t G711Plc::good_frame(std::span<const std::int16_t> in, std::span<std::int16_t> out) noexcept {
  const std::size_t n = std::min(in.size(), out.size()) / kFrame * kFrame;
  for (std::size_t at = 0; at < n; at += kFrame) {
    if (erase_count_ == 0) {
      save(in.data() + at, out.data() + at);  // the common case: no copy besides the history's
    } else {
      std::array<std::int16_t, kFrame> frame;
      std::copy_n(in.data() + at, kFrame, frame.data());
      add_to_history(frame.data());
      std::copy_n(frame.data(), kFrame, out.data() + at);
    }
  }
  return n;
}

std::size_t G711Plc::lost_frame(std::span<std::int16_t> out) noexcept {
  const std::size_t n = out.size() / kFrame * kFrame;
  for (std::size_t at = 0; at < n; at += kFrame) conceal(out.data() + at);
  return n;
}

// Appendix I: on the first good frame after an erasure, overlap-add the continued synthetic signal
// (at the gain it had reached) into the real one.
void G711Plc::add_to_history(std::int16_t* s) noexcept {
  if (erase_count_ > 0) {
    std::array<std::int16_t, kFrame> synth;
    const int len = std::min<int>(overlap_ + (erase_count_ - 1) * static_cast<int>(kOverlapIncrementSamples),
                                  static_cast<int>(kFrame));
    synthesize(synth.data(), static_cast<std::size_t>(len));
    const float incr = 1.f / static_cast<float>(len);
    const float gain = std::max(0.f, 1.f - static_cast<float>(erase_count_ - 1) * kAttenuationPerFrame);
    const float incr_gain = incr * gain;
    float lw = (1.f - incr) * gain, rw = incr;
    for (int i = 0; i < len; ++i) {
      s[i] = clip16(lw * synth[static_cast<std::size_t>(i)] + rw * s[i]);
      lw -= incr_gain;
      rw += incr;
    }
    erase_count_ = 0;
  }
  save(s, s);
}

void G711Plc::conceal(std::int16_t* out) noexcept {
  float* const end = pitch_buf_.data() + kHistory;
  if (erase_count_ == 0) {
    for (std::size_t i = 0; i < kHistory; ++i) pitch_buf_[i] = ring(kHistory - i);
    pitch_ = find_pitch();
    overlap_ = pitch_ / 4;
    std::copy_n(end - overlap_, overlap_, last_quarter_.data());
    pitch_offset_ = 0;
    pitch_len_ = pitch_;
    // Seam of the repeated period: the last quarter period fades into the quarter period before the
    // period's start, so the repetition joins smoothly; the faded tail is written back to the history
    // (it is still inside the 3.75 ms delay, so not yet played out).
    float* const start = end - pitch_len_;
    overlap_add(last_quarter_.data(), start - overlap_, end - overlap_, overlap_);
    for (int i = 0; i < overlap_; ++i) ring(static_cast<std::size_t>(overlap_ - i)) = clip16(*(end - overlap_ + i));
    synthesize(out, kFrame);
  } else if (erase_count_ == 1 || erase_count_ == 2) {
    // Add one more period to the repeated buffer; cross-fade from the old buffer into the new.
    std::array<std::int16_t, kOverlapMax> tail;
    const int saved_offset = pitch_offset_;
    synthesize(tail.data(), static_cast<std::size_t>(overlap_));
    pitch_offset_ = saved_offset;
    while (pitch_offset_ > pitch_) pitch_offset_ -= pitch_;
    pitch_len_ += pitch_;
    float* const start = end - pitch_len_;
    overlap_add(last_quarter_.data(), start - overlap_, end - overlap_, overlap_);
    synthesize(out, kFrame);
    overlap_add(tail.data(), out, out, overlap_);
    scale(out);
  } else if (erase_count_ >= kSilentAfterFrames) {
    std::fill_n(out, kFrame, std::int16_t{0});
  } else {
    synthesize(out, kFrame);
    scale(out);
  }
  ++erase_count_;
  save(out, out);
}

// Appendix I pitch search: maximise the correlation of the last 20 ms with the history, normalised by
// the energy of the candidate segment, over lags 40..120; coarse on every 2nd sample, then fine.
int G711Plc::find_pitch() const noexcept {
  constexpr int kCorr = static_cast<int>(kCorrelationSamples);
  constexpr int kDiff = static_cast<int>(kPitchMaxSamples - kPitchMinSamples);
  const float* const end = pitch_buf_.data() + kHistory;
  const float* const l = end - kCorr;
  const float* const r = end - kCorr - static_cast<int>(kPitchMaxSamples);

  // Coarse search on every 2nd sample: decimated copies make every lag a contiguous dot product.
  constexpr int kCorrDec = kCorr / kDecimation;                                    // 80
  constexpr int kSpanDec = (kCorr + static_cast<int>(kPitchMaxSamples)) / kDecimation;  // 140
  std::array<float, kCorrDec> ld;
  std::array<float, kSpanDec> rd;
  for (int i = 0; i < kCorrDec; ++i) ld[static_cast<std::size_t>(i)] = l[kDecimation * i];
  for (int i = 0; i < kSpanDec; ++i) rd[static_cast<std::size_t>(i)] = r[kDecimation * i];

  float energy = dot(rd.data(), rd.data(), kCorrDec);
  float best_corr = dot(rd.data(), ld.data(), kCorrDec) / std::sqrt(std::max(energy, kCorrelationMinPower));
  int best = 0;
  for (int j = 1; j <= kDiff / kDecimation; ++j) {
    const float* rp = rd.data() + j;
    energy -= rp[-1] * rp[-1];
    energy += rp[kCorrDec - 1] * rp[kCorrDec - 1];
    const float corr = dot(rp, ld.data(), kCorrDec) / std::sqrt(std::max(energy, kCorrelationMinPower));
    if (corr >= best_corr) {  // ties go to the shorter period
      best_corr = corr;
      best = j * kDecimation;
    }
  }

  // Fine search on every sample around the coarse best.
  const int lo = std::max(best - (kDecimation - 1), 0);
  const int hi = std::min(best + (kDecimation - 1), kDiff);
  const float* rp = r + lo;
  energy = dot(rp, rp, kCorr);
  best_corr = dot(rp, l, kCorr) / std::sqrt(std::max(energy, kCorrelationMinPower));
  best = lo;
  for (int j = lo + 1; j <= hi; ++j) {
    energy -= rp[0] * rp[0];
    energy += rp[kCorr] * rp[kCorr];
    ++rp;
    const float corr = dot(rp, l, kCorr) / std::sqrt(std::max(energy, kCorrelationMinPower));
    if (corr > best_corr) {
      best_corr = corr;
      best = j;
    }
  }
  return static_cast<int>(kPitchMaxSamples) - best;
}

// Reads n samples from the repeated buffer (the last pitch_len_ samples of pitch_buf_), wrapping.
void G711Plc::synthesize(std::int16_t* out, std::size_t n) noexcept {
  const float* const start = pitch_buf_.data() + kHistory - pitch_len_;
  while (n > 0) {
    const std::size_t count = std::min(n, static_cast<std::size_t>(pitch_len_ - pitch_offset_));
    for (std::size_t i = 0; i < count; ++i) out[i] = clip16(start[pitch_offset_ + static_cast<int>(i)]);
    pitch_offset_ += static_cast<int>(count);
    if (pitch_offset_ == pitch_len_) pitch_offset_ = 0;
    out += count;
    n -= count;
  }
}

// Gain 1 - 0.2 (k - 1) at the start of the k-th erased frame (k counted from 0), falling linearly
// by 20 % over the frame.
void G711Plc::scale(std::int16_t* out) const noexcept {
  float g = 1.f - static_cast<float>(erase_count_ - 1) * kAttenuationPerFrame;
  for (std::size_t i = 0; i < kFrame; ++i) {
    out[i] = static_cast<std::int16_t>(static_cast<float>(out[i]) * g);
    g -= kAttenuationPerSample;
  }
}

// Append the frame to the history and hand back the frame delayed by 3.75 ms. The frame is read
// before the output is written, so in and out may be the same buffer.
void G711Plc::save(const std::int16_t* in, std::int16_t* out) noexcept {
  constexpr std::size_t kMask = kRing - 1;
  std::size_t at = write_ & kMask;  // a frame is shorter than the ring: each copy wraps at most once
  std::size_t first = std::min(kFrame, kRing - at);
  std::memcpy(ring_.data() + at, in, first * sizeof(std::int16_t));
  std::memcpy(ring_.data(), in + first, (kFrame - first) * sizeof(std::int16_t));
  write_ += kFrame;
  at = (write_ - kFrame - kOverlapMax) & kMask;
  first = std::min(kFrame, kRing - at);
  std::memcpy(out, ring_.data() + at, first * sizeof(std::int16_t));
  std::memcpy(out + first, ring_.data(), (kFrame - first) * sizeof(std::int16_t));
}

}  // namespace linedsp
