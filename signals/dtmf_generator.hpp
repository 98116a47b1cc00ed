// signals/dtmf_generator.hpp — DTMF sender per ITU-T Q.23: the 16 digits 0-9 * # A-D as the sum of one
// low-group and one high-group sine, each at its own level in dBm0 (dsp/level.hpp), with on/off times.
//
// Phase-continuous (each oscillator keeps its phase from one digit to the next, so no digit starts with a
// phase jump; the phase only advances while a tone sounds) and sample-accurate (a digit lasts exactly
// on_ms * rate / 1000 samples, a pause off_ms * rate / 1000, whatever the sizes of the generate() calls).
// No clicks: each tone rises and falls over ramp_ms with a raised-cosine envelope (default 2 ms) inside its
// on time, so the half-amplitude duration is on_ms - ramp_ms; ramp_ms = 0 gives hard on/off. The steady
// tone is the two lines alone: unwanted components far below Q.23's 20 dB (tests/signals/dtmf_generator_test
// checks with an FFT). generate() is noexcept and allocation-free; queue() copies into a fixed buffer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace linedsp {

struct DtmfGeneratorConfig {
  int sample_rate_hz = 8000;      // 8000 or 16000
  double low_level_dbm0 = -10.0;  // Q.23 typical send levels: -10 low, -8 high (2 dB pre-emphasis)
  double high_level_dbm0 = -8.0;
  int on_ms = 80;                 // Q.23: tone >= 50 ms, pause >= 45 ms, cycle >= 100 ms
  int off_ms = 80;
  double ramp_ms = 2.0;               // raised-cosine rise and fall inside on_ms; 0 = hard keying
  double frequency_offset_pct = 0.0;  // deviation applied to both tones (tests of receivers)
};

class DtmfGenerator {
 public:
  static constexpr std::size_t kQueueCapacity = 64;

  // Throws std::invalid_argument naming the field (rate, levels above +3 dBm0, non-positive times).
  explicit DtmfGenerator(const DtmfGeneratorConfig& config = {});

  // Appends digits to the queue; false (and nothing queued) if a character is not a DTMF digit
  // (lower-case a-d are accepted) or the queue would overflow.
  bool queue(std::string_view digits) noexcept;
  // Fills `out` with the queued digits and their pauses, then silence; returns samples of signal
  // written (the rest of `out` is zero once the queue is empty).
  std::size_t generate(std::span<std::int16_t> out) noexcept;
  // True when every queued digit and the pause after it have been generated.
  bool idle() const noexcept { return count_ == 0 && remaining_ == 0 && !(tone_ && off_samples_ > 0); }
  void reset() noexcept;

  // Low and high frequency of a digit; false for a non-digit.
  static bool frequencies(char digit, double& low_hz, double& high_hz) noexcept;

 private:
  void start_next() noexcept;

  DtmfGeneratorConfig config_;
  double low_amp_, high_amp_;
  std::uint32_t on_samples_, off_samples_, ramp_samples_;
  std::array<char, kQueueCapacity> queue_{};
  std::size_t head_ = 0, count_ = 0;
  // current element
  bool tone_ = false;
  std::uint32_t remaining_ = 0;
  double low_phase_ = 0.0, high_phase_ = 0.0, low_step_ = 0.0, high_step_ = 0.0;
};

}  // namespace linedsp
