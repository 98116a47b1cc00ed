// signals/dtmf_detector.hpp — DTMF receiver to ITU-T Q.24 (AT&T/Bellcore column by default; NTT and
// ETSI profiles), over its own SIMD kernels (signals/kernels/dtmf_*).
//
// How it decides. The input is cut into half-blocks of 51 samples (6.4 ms; 102 at 16 kHz). For each,
// the eight DTMF frequencies' complex Goertzel values, the energy and the sum of the samples are kept.
// The half-block's mean (a DC offset, which lies in no DTMF band) is taken out of the energy (E - S^2/H)
// and out of each filter's value (its share, mean x the filter's response to a block of ones), so a digit
// riding on an offset decodes as without it. Every half-block, the window formed by the last two
// (102 samples, 12.75 ms, 50 % overlap) is judged: the strongest low and high tone must each be above
// the minimum level, within the twist limits, clearly stronger than the runner-up of their group, and
// hold most of the window's energy; and each tone's frequency, measured from its phase advance between
// the two half-blocks (resolution a few Hz, unambiguous to +-78 Hz), must be within the deviation limit.
// That phase test is what lets a 12.75 ms window accept 1.5 % and reject 3.5 %, which a Goertzel
// magnitude alone (78 Hz bins) cannot.
// A digit begins after 4 consecutive windows agree (a tone of 40 ms always yields them; one of 23 ms
// never can: 4 windows need ~195 samples of tone) and ends after 5 consecutive windows that do not
// (a 10 ms interruption spoils at most 4; a 40 ms pause spoils 7). The begin is stamped at the start
// of the first agreeing window (within a few ms of the tone's start); the end at the end of the last.
//
// process() is noexcept, allocation-free, O(samples); results do not depend on how the input is split
// into blocks (every sum runs sample by sample in a fixed order). State per channel: sizeof(DtmfDetector)
// = 248 bytes; DtmfDetectorBank::bytes_per_channel() for the bank, 174 at 256 channels and under 256 from 2
// channels up (both printed by the benchmark, asserted by tests/signals/dtmf_bank_test).
//
// DtmfDetectorBank is the density form: N channels, groups of 16 channels with each field a row of 16
// floats (64-byte aligned), so one pass per half-block runs int16 samples straight into the filters of 16
// channels at once (a zmm per filter, or two ymm) with all state in registers, and one branch-free pass
// judges 16 windows at once. DtmfDetector runs the same kernels on one channel (the eight filters side by
// side in one ymm), so both produce exactly the same events per channel (tests/signals/dtmf_bank_test).
// The Goertzel step is s0 = c * s1 + (x - s2), a fused multiply-add where the ISA has one (AVX2, AVX-512) and
// separately rounded in the scalar and SSE2 tables (signals/kernels/dtmf_kernels.hpp: two flavours, the same
// digits).
#pragma once

#include <algorithm>
#include <cmath>
#include <memory>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "dsp/goertzel.hpp"
#include "signals/event.hpp"

namespace linedsp {

struct DtmfDetectorConfig {
  int sample_rate_hz = 8000;                  // 8000 or 16000
  double min_level_dbm0 = -30.0;              // per tone. Q.24 AT&T: operate 0..-25, not at -55 and below
  double normal_twist_db = 8.0;               // low tone above the high one (REFERENCES.md, Q.24 AT&T)
  double reverse_twist_db = 4.0;              // high tone above the low one
  // The twist limits are what must operate; the receiver allows 2.5 dB more for the scatter of a
  // 12.75 ms level measurement (leakage of the stronger tone), and rejects from about 3.5 dB beyond.
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

// An event of one channel of a DtmfDetectorBank.
struct DtmfChannelEvent {
  std::uint32_t channel = 0;
  DtmfEvent event;
};

namespace detail {
struct DtmfKernels;  // signals/kernels/dtmf_kernels.hpp

// Per-rate constants shared by every channel (signals/dtmf_detector.cpp builds one per rate).
struct DtmfTables {
  float coeff[8], cos_w[8], sin_w[8];
  float rot_re[8], rot_im[8];  // exp(-j w half): joins two half-blocks (and removes the nominal phase advance)
  float dc_re[8], dc_im[8];    // a half-block of ones through each filter: the block mean's share, subtracted
  float freq[8];
  float rate, half, norm;      // norm: power normalisation of a window of 2*half samples, 2 / (2 half)^2
};

struct DtmfThresholds {  // derived from DtmfDetectorConfig
  float min_power = 0, normal_twist = 0, reverse_twist = 0, fraction = 0, margin = 0;
  float cos_max_dev[8] = {};  // cos of the largest phase error (over a half-block) within the deviation limit
};

// Per-channel state in the layout the kernels use: a group of L channels (L = 16, or fewer in the last group;
// L = 1 for DtmfDetector) holds kDtmfLaneFloats rows of L floats, field `row` of lane l at [row * L + l]:
// rows 0-7 s1 (Goertzel state, filter f), 8-15 s2, 16-23 / 24-31 the previous half-block's value (re / im),
// 32 the half-block's energy, 33 the previous half-block's energy (mean removed), 34 the half-block's sum of
// samples (an integer, exact in float: |sum| <= 102 * 32768 < 2^24).
inline constexpr std::size_t kDtmfGroup = 16;
inline constexpr std::size_t kDtmfLaneFloats = 35;
inline constexpr std::size_t kDtmfRowS1 = 0, kDtmfRowS2 = 8, kDtmfRowPrevRe = 16, kDtmfRowPrevIm = 24,
                             kDtmfRowEnergy = 32, kDtmfRowPrevEnergy = 33, kDtmfRowSum = 34;
// Digit codes of the judge kernel: 0 = nothing, 1 + 4 * row + column otherwise.
inline constexpr char kDtmfKeys[17] = "123A456B789C*0#D";

// Per-channel begin/end state machine.
struct DtmfTrack {
  std::uint64_t cand_start = 0, begin = 0, last_hit_end = 0;
  char cand = 0, current = 0;
  std::uint8_t hits = 0, misses = 0;
};

struct DtmfDecision {
  enum Kind : std::uint8_t { none, begin, end, end_begin } kind = none;
  char digit = 0, next_digit = 0;
  std::uint64_t sample = 0, duration = 0, next_sample = 0;
};

// Advances the begin/end state machine by one window that heard `hit` (0 = nothing), ending at `clock`.
DtmfDecision dtmf_step(DtmfTrack& track, char hit, std::uint64_t clock, unsigned half) noexcept;

template <class Emit>
void dtmf_emit(const DtmfDecision& d, Emit&& emit) noexcept {
  if (d.kind == DtmfDecision::begin) emit(DtmfEvent{d.digit, true, d.sample, 0});
  if (d.kind == DtmfDecision::end || d.kind == DtmfDecision::end_begin)
    emit(DtmfEvent{d.digit, false, d.sample, d.duration});
  if (d.kind == DtmfDecision::end_begin) emit(DtmfEvent{d.next_digit, true, d.next_sample, 0});
}
const DtmfTables& dtmf_tables(int rate) noexcept;
DtmfThresholds dtmf_thresholds(const DtmfDetectorConfig& config);  // validates: throws naming the field

// The kernel entry points DtmfDetector and DtmfDetectorBank call (out of line, so this header needs no
// kernel declarations): run frames through the filters; judge the window ending now (codes per channel).
void dtmf_feed(const DtmfKernels& k, const std::int16_t* x, std::size_t frames, std::size_t channels,
               const DtmfTables& t, float* state) noexcept;
void dtmf_judge(const DtmfKernels& k, float* state, std::size_t channels, const DtmfTables& t,
                const DtmfThresholds& th, std::uint8_t* codes) noexcept;
}  // namespace detail

class DtmfDetector {
 public:
  // Throws std::invalid_argument naming the field.
  explicit DtmfDetector(const DtmfDetectorConfig& config = {}, Isa isa = active_isa());

  template <EventSink<DtmfEvent> Sink>
  void process(std::span<const std::int16_t> pcm, Sink& sink) noexcept {
    std::size_t i = 0;
    while (i < pcm.size()) {
      const std::size_t take = std::min<std::size_t>(pcm.size() - i, half_ - pos_);
      detail::dtmf_feed(*k_, pcm.data() + i, take, 1, tables(), st_);
      pos_ = static_cast<std::uint16_t>(pos_ + take);
      clock_ += take;
      i += take;
      if (pos_ == half_) detail::dtmf_emit(end_half(), [&](const DtmfEvent& e) { sink(e); });
    }
  }
  // End of stream: a digit still sounding ends at the last window that heard it.
  template <EventSink<DtmfEvent> Sink>
  void finish(Sink& sink) noexcept {
    if (track_.current) sink(DtmfEvent{track_.current, false, track_.begin, track_.last_hit_end - track_.begin});
    track_.current = 0;
  }
  void reset() noexcept;
  std::uint64_t samples() const noexcept { return clock_; }
  char current_digit() const noexcept { return track_.current; }

 private:
  const detail::DtmfTables& tables() const noexcept { return detail::dtmf_tables(half_ == 51 ? 8000 : 16000); }
  detail::DtmfDecision end_half() noexcept;

  detail::DtmfThresholds th_;
  std::uint16_t half_ = 51;  // samples per half-block
  std::uint16_t pos_ = 0;    // samples into the current half-block
  const detail::DtmfKernels* k_;
  float st_[detail::kDtmfLaneFloats] = {};  // one lane of the kernel layout
  std::uint64_t clock_ = 0;
  detail::DtmfTrack track_;
};

// N channels in lock-step; input interleaved by frame (x[frame * channels + ch]).
class DtmfDetectorBank {
 public:
  // Allocates all state; throws std::invalid_argument naming the field (channels: 1..65536).
  DtmfDetectorBank(const DtmfDetectorConfig& config, std::size_t channels, Isa isa = active_isa());

  // Whole frames (a trailing partial frame is ignored). Events of one half-block come in channel order.
  template <EventSink<DtmfChannelEvent> Sink>
  void process(std::span<const std::int16_t> interleaved, Sink& sink) noexcept {
    const std::size_t frames = interleaved.size() / n_;
    std::size_t i = 0;
    while (i < frames) {
      const std::size_t take = std::min<std::size_t>(frames - i, std::size_t{half_} - pos_);
      detail::dtmf_feed(*k_, interleaved.data() + i * n_, take, n_, *t_, state_.get());
      pos_ = static_cast<std::uint16_t>(pos_ + take);
      clock_ += take;
      i += take;
      if (pos_ == half_) {
        pos_ = 0;
        detail::dtmf_judge(*k_, state_.get(), n_, *t_, th_, codes_.get());
        if (clock_ < 2u * half_) continue;  // the first half-block: no window yet
        const std::uint8_t* codes = codes_.get();
        for (std::size_t ch = 0; ch < n_; ++ch) {
          auto& tr = tracks_[ch];
          const unsigned code = codes[ch];
          if ((code | static_cast<unsigned char>(tr.cand) | static_cast<unsigned char>(tr.current)) == 0) continue;
          const auto d = detail::dtmf_step(tr, code ? detail::kDtmfKeys[code - 1] : 0, clock_, half_);
          if (d.kind != detail::DtmfDecision::none)
            detail::dtmf_emit(d, [&](const DtmfEvent& e) { sink(DtmfChannelEvent{static_cast<std::uint32_t>(ch), e}); });
        }
      }
    }
  }
  template <EventSink<DtmfChannelEvent> Sink>
  void finish(Sink& sink) noexcept {
    for (std::size_t ch = 0; ch < n_; ++ch) {
      auto& t = tracks_[ch];
      if (t.current)
        sink(DtmfChannelEvent{static_cast<std::uint32_t>(ch), DtmfEvent{t.current, false, t.begin, t.last_hit_end - t.begin}});
      t.current = 0;
    }
  }
  void reset() noexcept;
  std::size_t channels() const noexcept { return n_; }
  std::uint64_t samples() const noexcept { return clock_; }
  // Heap and object bytes divided by the channel count: kernel state (kDtmfLaneFloats floats), the begin/end
  // track and the judge's one-byte code per channel, plus this object's share. Under 256 for 2 or more channels
  // (tests/signals/dtmf_bank_test); one channel is DtmfDetector's job (sizeof(DtmfDetector) < 256).
  std::size_t bytes_per_channel() const noexcept;

 private:
  struct AlignedFree {
    void operator()(float* p) const noexcept;
  };
  detail::DtmfThresholds th_;
  std::uint16_t half_ = 51, pos_ = 0;
  std::uint32_t n_;
  const detail::DtmfTables* t_;
  const detail::DtmfKernels* k_;
  std::uint64_t clock_ = 0;
  std::unique_ptr<float[], AlignedFree> state_;  // kernel layout, groups of kDtmfGroup channels, 64-byte aligned
  std::unique_ptr<detail::DtmfTrack[]> tracks_;
  std::unique_ptr<std::uint8_t[]> codes_;
};

}  // namespace linedsp
