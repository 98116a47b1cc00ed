// signals/dtmf_detector.hpp — DTMF receiver to ITU-T Q.24 (AT&T/Bellcore column by default; NTT and
// ETSI profiles), over the dsp/ Goertzel kernels.
//
// How it decides. The input is cut into half-blocks of 51 samples (6.4 ms; 102 at 16 kHz). For each,
// the eight DTMF frequencies' complex Goertzel values and the energy are kept. Every half-block, the
// window formed by the last two (102 samples, 12.75 ms, 50 % overlap) is judged: the strongest low
// and high tone must each be above the minimum level, within the twist limits, clearly stronger than
// the runner-up of their group, and hold most of the window's energy; and each tone's frequency,
// measured from its phase advance between the two half-blocks (resolution a few Hz, unambiguous to
// +-78 Hz), must be within the deviation limit. That phase test is what lets a 12.75 ms window accept
// 1.5 % and reject 3.5 %, which a Goertzel magnitude alone (78 Hz bins) cannot.
// A digit begins after 4 consecutive windows agree (a tone of 40 ms always yields them; one of 23 ms
// never can: 4 windows need ~195 samples of tone) and ends after 5 consecutive windows that do not
// (a 10 ms interruption spoils at most 4; a 40 ms pause spoils 7). The begin is stamped at the start
// of the first agreeing window (within a few ms of the tone's start); the end at the end of the last.
//
// process() is noexcept, allocation-free, O(samples); results do not depend on how the input is split
// into blocks. State per channel: sizeof(DtmfDetector) bytes (printed by the benchmark).
#pragma once

#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "dsp/goertzel.hpp"
#include "signals/event.hpp"

namespace linedsp {

struct DtmfDetectorConfig {
  int sample_rate_hz = 8000;                  // 8000 or 16000
  double min_level_dbm0 = -30.0;              // per tone. Q.24 AT&T: operate 0..-25, not at -55 and below
  double normal_twist_db = 8.0;               // low tone above the high one (REFERENCES.md, Q.24 AT&T)
  double reverse_twist_db = 4.0;              // high tone above the low one
  // The twist limits are what must operate; the receiver allows 1 dB more for the scatter of a
  // 12.75 ms level measurement, and rejects from 2 dB beyond.
  double max_deviation_pct = 2.5;             // must operate at 1.5 %, must not at 3.5 %
  double min_tone_fraction = 0.70;            // share of the window's energy in the two tones
  double min_group_margin_db = 6.0;           // strongest tone of a group over the runner-up

  // Q.24 administration profiles: "att" (default; Bellcore/GR-506), "ntt", "etsi" (ETS 300 019-ish
  // 6 dB twist both ways), "australia" (10 dB). Throws std::invalid_argument for an unknown name.
  static DtmfDetectorConfig profile(std::string_view name);
};

struct DtmfEvent {
  char digit = 0;
  bool begin = false;                  // begin, or end
  std::uint64_t sample = 0;            // begin: the tone's start; end: the same start (pairs match)
  std::uint64_t duration_samples = 0;  // end only
};

class DtmfDetector {
 public:
  // Throws std::invalid_argument naming the field.
  explicit DtmfDetector(const DtmfDetectorConfig& config = {}, Isa isa = active_isa());

  template <EventSink<DtmfEvent> Sink>
  void process(std::span<const std::int16_t> pcm, Sink& sink) noexcept {
    std::size_t i = 0;
    while (i < pcm.size()) {
      const std::size_t take = std::min<std::size_t>(pcm.size() - i, half_ - pos_);
      feed(pcm.subspan(i, take));
      i += take;
      if (pos_ == half_) {
        Decision d = end_half();
        if (d.kind == Decision::begin) sink(DtmfEvent{d.digit, true, d.sample, 0});
        if (d.kind == Decision::end) sink(DtmfEvent{d.digit, false, d.sample, d.duration});
        if (d.kind == Decision::end_begin) {
          sink(DtmfEvent{d.digit, false, d.sample, d.duration});
          sink(DtmfEvent{d.next_digit, true, d.next_sample, 0});
        }
      }
    }
  }
  // End of stream: a digit still sounding ends at the last window that heard it.
  template <EventSink<DtmfEvent> Sink>
  void finish(Sink& sink) noexcept {
    if (current_) sink(DtmfEvent{current_, false, begin_, last_hit_end_ - begin_});
    current_ = 0;
  }
  void reset() noexcept;
  std::uint64_t samples() const noexcept { return clock_; }
  struct Tables;  // per-rate constants shared by every channel (signals/dtmf_detector.cpp)
  char current_digit() const noexcept { return current_; }

 private:
  struct Decision {
    enum Kind : std::uint8_t { none, begin, end, end_begin } kind = none;
    char digit = 0, next_digit = 0;
    std::uint64_t sample = 0, duration = 0, next_sample = 0;
  };
  void feed(std::span<const std::int16_t> pcm) noexcept;
  Decision end_half() noexcept;
  char judge(const std::complex<float>* cur) const noexcept;

  // thresholds, derived from the config
  float min_power_ = 0, normal_twist_ = 0, reverse_twist_ = 0, fraction_ = 0, margin_ = 0, max_dev_ = 0;
  const Tables* t_;
  std::uint16_t half_ = 51;  // samples per half-block
  std::uint16_t pos_ = 0;    // samples into the current half-block
  const GoertzelKernels* k_;
  float s1_[8] = {}, s2_[8] = {};
  float energy_ = 0, prev_energy_ = 0;
  std::complex<float> prev_[8] = {};
  bool have_prev_ = false;
  char cand_ = 0, current_ = 0;
  std::uint8_t hits_ = 0, misses_ = 0;
  std::uint64_t clock_ = 0, cand_start_ = 0, begin_ = 0, last_hit_end_ = 0;
};

}  // namespace linedsp
