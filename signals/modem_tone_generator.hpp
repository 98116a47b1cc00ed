// signals/modem_tone_generator.hpp — CNG, CED/ANS, /ANS, ANSam, /ANSam and the V.21 HDLC flag preamble
// (figures in signals/modem_tone.hpp).
//
// Sample-exact: the tone's phase is computed from the sample index (no accumulated drift); phase reversals fall
// on the exact sample k * reversal_interval (the first one reversal_interval after the start, V.25), with a phase
// step of exactly reversal_deg; the CNG cadence and the V.21 bit clock (fs / 300 samples per bit) are exact to
// the sample. The ANSam level is the level of the unmodulated carrier; the envelope is 1 + depth * sin(2 pi 15 t).
// generate() is noexcept and allocation-free; any block size gives the same samples.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "signals/modem_tone.hpp"

namespace linedsp {

struct ModemToneGeneratorConfig {
  ModemTone tone = ModemTone::ans;
  int sample_rate_hz = 8000;                       // 8000 or 16000
  double level_dbm0 = kModemToneLevelDbm0;         // carrier level (V.21: level of the FSK signal)
  double frequency_offset_hz = 0.0;                // added to the nominal frequency (tolerance probes)
  int duration_ms = 0;                             // 0: run until stopped
  int reversal_interval_ms = kAnsReversalMs;       // ans_pr / ansam_pr
  double reversal_deg = 180.0;                     // the phase step at each reversal
  double am_rate_hz = kAnsamRateHz;                // ansam / ansam_pr
  double am_depth = kAnsamDepth;                   // ansam / ansam_pr
  int cng_on_ms = kCngOnMs;
  int cng_off_ms = kCngOffMs;
};

class ModemToneGenerator {
 public:
  // Validates (std::invalid_argument naming the field).
  explicit ModemToneGenerator(const ModemToneGeneratorConfig& cfg);

  // Writes the next samples; returns how many (fewer than out.size() once duration_ms has elapsed).
  std::size_t generate(std::span<std::int16_t> out) noexcept;
  bool done() const noexcept { return total_ != 0 && n_ >= total_; }
  std::uint64_t position() const noexcept { return n_; }
  void reset() noexcept { n_ = 0; v21_phase_ = 0.0; }
  const ModemToneGeneratorConfig& config() const noexcept { return cfg_; }

 private:
  double sample(std::uint64_t n) noexcept;
  ModemToneGeneratorConfig cfg_;
  double peak_;
  std::uint64_t total_ = 0;          // 0: endless
  std::uint64_t reversal_samples_ = 0, cng_on_ = 0, cng_period_ = 0;
  std::uint64_t n_ = 0;
  double v21_phase_ = 0.0;           // cycles, phase-continuous FSK
};

}  // namespace linedsp
