// signals/tone_generator.cpp
#include "signals/tone_generator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "dsp/level.hpp"

namespace linedsp {

ToneGenerator::ToneGenerator(const Tone& tone, const ToneGeneratorConfig& cfg) {
  if (cfg.sample_rate_hz != 8000 && cfg.sample_rate_hz != 16000)
    throw std::invalid_argument("ToneGeneratorConfig.sample_rate_hz: must be 8000 or 16000");
  if (tone.segments.empty()) throw std::invalid_argument("Tone.segments: empty");
  if (tone.segments.size() > kMaxSegments) throw std::invalid_argument("Tone.segments: more than 32");
  const double rate = cfg.sample_rate_hz;
  std::vector<double> freqs;
  std::uint64_t cum_ms = 0;
  for (std::size_t i = 0; i < tone.segments.size(); ++i) {
    const auto& s = tone.segments[i];
    if (s.components.size() > kMaxComponents) throw std::invalid_argument("Tone.segments.components: more than 4");
    if (s.duration_ms == 0 && i + 1 != tone.segments.size())
      throw std::invalid_argument("Tone.segments.duration_ms: 0 (continuous) only for the last segment");
    Seg& seg = segs_[i];
    for (const auto& c : s.components) {
      if (!(c.freq_hz > 0.0 && c.freq_hz < rate / 2)) throw std::invalid_argument("Tone.segments.components.freq_hz: out of range");
      auto it = std::find(freqs.begin(), freqs.end(), c.freq_hz);
      if (it == freqs.end()) {
        if (freqs.size() == kMaxOscillators) throw std::invalid_argument("Tone: more than 8 distinct frequencies");
        freqs.push_back(c.freq_hz);
        it = freqs.end() - 1;
      }
      seg.osc[seg.count] = static_cast<std::uint8_t>(it - freqs.begin());
      seg.amp[seg.count] = static_cast<float>(dbm0_to_peak(c.level_dbm0 + cfg.gain_db));
      ++seg.count;
    }
    if (s.duration_ms == 0) {
      seg.end = std::numeric_limits<std::uint64_t>::max();
    } else {
      cum_ms += s.duration_ms;
      seg.end = (cum_ms * static_cast<std::uint64_t>(cfg.sample_rate_hz) + 500) / 1000;
    }
  }
  nsegs_ = tone.segments.size();
  nosc_ = freqs.size();
  for (std::size_t i = 0; i < nosc_; ++i) inc_[i] = freqs[i] / rate;
  const bool has_continuous = tone.segments.back().duration_ms == 0;
  cycle_ = (cum_ms * static_cast<std::uint64_t>(cfg.sample_rate_hz) + 500) / 1000;
  repeat_ = tone.repeat && !has_continuous;
  total_ = (!tone.repeat && !has_continuous) ? cycle_ : 0;
  reset();
}

void ToneGenerator::reset() noexcept {
  n_ = 0;
  in_cycle_ = 0;
  seg_ = 0;
  finished_ = false;
  phase_.fill(0.0);
}

float ToneGenerator::next() noexcept {
  while (in_cycle_ >= segs_[seg_].end) {
    if (++seg_ == nsegs_) {
      if (!repeat_) {
        finished_ = true;
        return 0.0f;
      }
      seg_ = 0;
      in_cycle_ = 0;
    }
  }
  const Seg& s = segs_[seg_];
  double v = 0.0;
  for (std::size_t c = 0; c < s.count; ++c) v += s.amp[c] * std::sin(2.0 * std::numbers::pi * phase_[s.osc[c]]);
  for (std::size_t o = 0; o < nosc_; ++o) {
    phase_[o] += inc_[o];
    if (phase_[o] >= 1.0) phase_[o] -= 1.0;
  }
  ++in_cycle_;
  ++n_;
  return static_cast<float>(v);
}

std::size_t ToneGenerator::generate(std::span<float> out) noexcept {
  std::size_t i = 0;
  for (; i < out.size(); ++i) {
    const float v = next();
    if (finished_) break;
    out[i] = v;
  }
  return i;
}

std::size_t ToneGenerator::generate(std::span<std::int16_t> out) noexcept {
  std::size_t i = 0;
  for (; i < out.size(); ++i) {
    const float v = next();
    if (finished_) break;
    out[i] = static_cast<std::int16_t>(std::lround(std::clamp(v, -32768.0f, 32767.0f)));
  }
  return i;
}

std::vector<std::int16_t> generate_tone(const Tone& tone, double seconds, const ToneGeneratorConfig& cfg) {
  ToneGenerator g(tone, cfg);
  std::vector<std::int16_t> out(static_cast<std::size_t>(std::llround(seconds * cfg.sample_rate_hz)));
  out.resize(g.generate(std::span<std::int16_t>(out)));
  return out;
}

}  // namespace linedsp
