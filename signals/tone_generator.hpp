// signals/tone_generator.hpp — any tone of any plan (signals/tone_plan.hpp) as 16-bit PCM at 8 or 16 kHz.
//
// Cadence is sample accurate: segment boundaries fall at round(t_ms * rate / 1000) from the start (exact at 8 and
// 16 kHz), so a 500/500 ms busy tone at 8 kHz is exactly 4000 samples on, 4000 off, for ever. Each distinct
// frequency is a free-running oscillator (double-precision phase, advanced every sample, tone or silence), so the
// signal is phase continuous across blocks, across segments that keep a frequency (UK special dial) and across
// cadence repeats. An AM tone ("425x25") is its three components; with sine phases starting together they sum
// to (1 + m cos 2 pi fm t) sin 2 pi fc t. Output does not depend on how the caller splits it into blocks.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "signals/tone_plan.hpp"

namespace linedsp {

struct ToneGeneratorConfig {
  int sample_rate_hz = 8000;  // 8000 or 16000
  double gain_db = 0.0;       // added to every component's plan level
};

class ToneGenerator {
 public:
  static constexpr std::size_t kMaxSegments = 32;
  static constexpr std::size_t kMaxComponents = 4;
  static constexpr std::size_t kMaxOscillators = 8;

  // Validates (throws std::invalid_argument naming the field) and copies the tone into fixed-size state.
  ToneGenerator(const Tone& tone, const ToneGeneratorConfig& cfg = {});

  // Writes up to out.size() samples; returns how many (fewer only when a non-repeating tone has ended).
  std::size_t generate(std::span<std::int16_t> out) noexcept;
  // Float samples in int16 units (no rounding), same sequence as generate().
  std::size_t generate(std::span<float> out) noexcept;
  bool finished() const noexcept { return finished_; }
  // Total length in samples of a tone played once (repeat = false and no continuous part); 0 when endless.
  std::uint64_t total_samples() const noexcept { return total_; }
  std::uint64_t position() const noexcept { return n_; }
  void reset() noexcept;

 private:
  struct Seg {
    std::uint64_t end = 0;  // sample index (within a cycle) where the segment ends; UINT64_MAX = continuous
    std::array<std::uint8_t, kMaxComponents> osc{};
    std::array<float, kMaxComponents> amp{};
    std::uint8_t count = 0;
  };
  float next() noexcept;

  std::array<Seg, kMaxSegments> segs_{};
  std::size_t nsegs_ = 0;
  std::array<double, kMaxOscillators> inc_{};  // cycles per sample
  std::array<double, kMaxOscillators> phase_{};
  std::size_t nosc_ = 0;
  std::uint64_t cycle_ = 0;  // samples per cycle (finite part)
  bool repeat_ = true;
  std::uint64_t total_ = 0;
  std::uint64_t n_ = 0;      // samples produced
  std::uint64_t in_cycle_ = 0;
  std::size_t seg_ = 0;
  bool finished_ = false;
};

// Convenience: `seconds` of the tone (or its whole length if shorter and not repeating).
std::vector<std::int16_t> generate_tone(const Tone& tone, double seconds, const ToneGeneratorConfig& cfg = {});

}  // namespace linedsp
