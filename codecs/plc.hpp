// codecs/plc.hpp — packet-loss concealment per ITU-T G.711 Appendix I (09/99), 8 kHz.
//
// The Appendix's algorithm, in its own terms:
//  - the unit is a 10 ms frame (80 samples); a 20 or 30 ms packet is two or three such frames;
//  - every output is delayed by 3.75 ms (30 samples, a quarter of the longest pitch period) so the
//    start of a concealment can be overlap-added into speech not yet played out;
//  - on the first erased frame the pitch (40..120 samples, 66.7..200 Hz) is found by normalised
//    cross-correlation of the last 20 ms against the history (coarse search on every 2nd sample, then
//    a fine search around the best), and the last pitch period is repeated with a quarter-period
//    overlap-add at the seam;
//  - the 2nd and 3rd erased frames add one more period each to the repeated buffer (3 at most), with
//    a quarter-period overlap-add from the old buffer to the new;
//  - from the 2nd erased frame the gain falls linearly by 20 % per 10 ms; after 60 ms it is silence;
//  - on the first good frame after an erasure the synthetic signal is overlap-added into the real one
//    over a quarter period plus 4 ms per erased frame beyond the first, at most 10 ms.
//
// API shape: the Appendix's reference code has addtohistory(frame) and dofe(frame) on 10 ms frames; here
// good_frame/lost_frame take any whole number of 10 ms frames (so a 20 ms packet is one call) and give
// identical results however the frames are grouped. Output is the delayed stream: out[n] = in[n - 30]
// while no frame is lost. State is fixed size (sizeof(G711Plc) is the per-channel cost, about 2.7 kB).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace linedsp {

class G711Plc {
 public:
  static constexpr int kSampleRateHz = 8000;
  static constexpr std::size_t kFrameSamples = 80;         // 10 ms
  static constexpr std::size_t kDelaySamples = 30;         // 3.75 ms
  static constexpr std::size_t kPitchMinSamples = 40;      // 200 Hz
  static constexpr std::size_t kPitchMaxSamples = 120;     // 66.7 Hz
  static constexpr std::size_t kCorrelationSamples = 160;  // 20 ms match window
  static constexpr std::size_t kOverlapIncrementSamples = 32;  // 4 ms per extra erased frame
  static constexpr float kAttenuationPerFrame = 0.2f;      // 20 % per 10 ms
  static constexpr int kSilentAfterFrames = 6;             // 60 ms

  G711Plc() noexcept { reset(); }

  // A received packet. Processes the whole 10 ms frames in min(in, out) (any remainder is untouched)
  // and returns the number of samples written. in and out may be the same buffer.
  std::size_t good_frame(std::span<const std::int16_t> in, std::span<std::int16_t> out) noexcept;

  // A lost packet: writes concealment into the whole 10 ms frames of out, returns samples written.
  std::size_t lost_frame(std::span<std::int16_t> out) noexcept;

  void reset() noexcept;

  // Number of consecutive 10 ms frames lost so far (0 while receiving).
  int erased_frames() const noexcept { return erase_count_; }
  // The pitch period used by the current (or last) concealment, in samples.
  int pitch_samples() const noexcept { return pitch_; }

 private:
  static constexpr std::size_t kOverlapMax = kPitchMaxSamples / 4;  // 30
  static constexpr std::size_t kHistory = 3 * kPitchMaxSamples + kOverlapMax;  // 390

  void add_to_history(std::int16_t* frame) noexcept;  // one 80-sample frame, in place
  void conceal(std::int16_t* frame) noexcept;         // one 80-sample frame
  int find_pitch() const noexcept;
  void synthesize(std::int16_t* out, std::size_t n) noexcept;
  void scale(std::int16_t* out) const noexcept;
  void save(const std::int16_t* in, std::int16_t* out) noexcept;

  // The history is a ring (power-of-two size) so a good frame costs two 80-sample copies, not a shift
  // of the whole 48.75 ms history; write_ counts samples written (the ring index is write_ & mask).
  static constexpr std::size_t kRing = 512;
  static_assert(kRing >= kHistory + kFrameSamples);
  std::int16_t& ring(std::size_t back) noexcept { return ring_[(write_ - back) & (kRing - 1)]; }

  std::array<std::int16_t, kRing> ring_{};
  std::size_t write_ = 0;
  std::array<float, kHistory> pitch_buf_{};
  std::array<float, kOverlapMax> last_quarter_{};
  int erase_count_ = 0;
  int pitch_ = 0;
  int overlap_ = 0;        // samples of overlap-add, a quarter of the pitch
  int pitch_offset_ = 0;   // read position in the repeated buffer
  int pitch_len_ = 0;      // length of the repeated buffer (1..3 periods)
};

}  // namespace linedsp
