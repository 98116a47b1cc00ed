// signals/learn.hpp — measure an unknown call-progress tone in a recording (frequencies, level, cadence) and write
// a tone-plan entry (signals/tone_plan.hpp) that, loaded with --tones, detects it.
//
// Method: frequencies from the average Hann-windowed power spectrum (KissFFT, 8192 points at 8 kHz) over the
// tone-on frames: up to four peaks within 20 dB of the strongest, each refined by a fine Goertzel search (golden
// section on the power of the tone-on samples, +-2 bins) to about 0.1 Hz; levels from those Goertzel powers;
// cadence from 10 ms block energies (on above the strongest block - 12 dB), the shortest period of the on/off
// run lengths that repeats (runs averaged over the repeats, rounded to 5 ms), else "played once" or continuous.
// Off-line tool: allocates freely.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "signals/tone_plan.hpp"

namespace linedsp {

struct LearnedTone {
  std::vector<ToneComponent> components;   // measured frequency and level (dBm0)
  std::vector<std::uint32_t> cadence_ms;   // on, off, ...; empty = continuous
  bool repeat = true;
  ToneKind kind = ToneKind::other;         // a guess from the cadence (E.180 ranges): the user may override
  double on_fraction = 0;                  // of the recording
};

// Throws std::runtime_error when no tone is found.
LearnedTone learn_tone(std::span<const std::int16_t> pcm, int sample_rate_hz = 8000);

// A [tones.NAME] TOML block.
std::string plan_entry(const LearnedTone& t, const std::string& name, const std::string& source);

}  // namespace linedsp
