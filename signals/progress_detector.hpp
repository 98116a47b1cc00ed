// signals/progress_detector.hpp — call-progress tone detector for a tone plan (signals/tone_plan.hpp): dial, special
// dial, ringback, busy, congestion, SIT (with its measured segment frequencies) and call waiting; one channel
// (ProgressDetector) or a batch of channels (ProgressDetectorBank, identical events).
//
// Figures (REFERENCES.md "Call-progress tones"; ITU-T E.180 and Suppl. 2; each plan entry cites its own source):
// the plan gives frequencies, levels and cadences; the receiver tolerances below are configurable.
//
// How it works. Input is cut into 20 ms blocks (160 samples at 8 kHz, 320 at 16 kHz). One kernel call per block
// (signals/kernels/progress_*.cpp, per ISA; SIMD lanes across filters for one channel, across channels in the bank)
// converts the block, sums its energy and runs one Goertzel per distinct plan frequency (plus neighbours for SIT,
// see below) as four 5 ms sub-blocks (independent recursions), combined by phase rotation into the block's DFT
// bin. Blocks whose strongest bin cannot make any signature pure enough stop there (speech, music, silence). Per
// block and per "signature" (the set of components a tone segment is made of):
//  - purity: the components hold at least min_purity of the block's (DC-removed) energy — rejects speech, music
//    and noise, which spread their energy; levels: every component at least min_level_dbm0, and the components'
//    level differences within max_twist_db of the plan's;
//  - frequency: each component's frequency is measured from the phase advance of its bin between consecutive
//    blocks (unambiguous within +-25 Hz at 20 ms) and must be within freq_tolerance_pct % + freq_tolerance_hz
//    of nominal. Signatures with components closer than 60 Hz (AM tones such as 425x25, 413+438) cannot be
//    measured that way; they are judged on 40 ms bins (25 Hz apart, the sidebands orthogonal): purity, levels
//    and the phase advance of those bins (hop 20 ms; for AM tones the carrier's only), and they must beat (two
//    tones) or be modulated (AM): the 5 ms magnitudes over 40 ms vary by at least 30 %;
//  - close signatures wait for a tone's second block (on its first, half of their 40 ms window is silence, any
//    envelope "varies" and the bins are smeared);
//  - AM signatures with the same carrier and other rates (merged plans: 400x16, 400x25, 400x33, 400x50) are ranked by
//    how well a sinusoid at each one's rate fits the carrier's 5 ms envelope over the last 40-80 ms (least squares,
//    share of variance explained), the held one replaced only by a better fit (margin 0.05);
//  - a run's first blocks (up to 80 ms) may be relabelled: a young run takes the label of a block with a related
//    signature (another AM rate on the same carrier, a superset of its components, or for AM/close runs a subset or
//    a neighbour within 50 Hz), and a tone's onset after silence settles on the label its next blocks agree on —
//    so the cadence sees one run from the tone's first block (issue 4: India's 400x25 dial tone after silence was
//    taken for Japan's 400x16 and never reported);
//  - SIT segments (950/1400/1800 Hz, +-50 Hz in REFERENCES.md) are matched by four bins 25 Hz apart per
//    segment (nominal +-12.5 and +-37.5 Hz, each accepting +-15 Hz: the North American 913.8/985.2,
//    1370.6/1428.5, 1776.7 Hz variants included) and report the measured frequency.
// Each block gets the best passing signature (most components, then purity) or none; blocks that are partly
// covered by a tone edge (under a quarter of the neighbouring block's power) are trimmed, and a one-block
// deviation inside a run is bridged, so durations are measured to about +-10 ms. Runs (signature, duration) are
// matched against every plan tone's cadence: an element matches within cadence_tolerance_pct % +
// cadence_tolerance_ms (SIT segments: sit_segment_tolerance_ms), off elements shorter than 40 ms are merged
// into the preceding tone element.
//
// Confirmation and latency (begin events carry both the tone's first sample and the sample it was confirmed at):
//  - busy / congestion: confirm_cycles full cadence cycles (default 2), the last off element counted once it
//    has lasted its minimum: latency = confirm_cycles x cycle - (off x cadence_tolerance_pct + cadence_tolerance_ms)
//    (+ up to 20 ms), 1.91 s for the North American busy (500/500 ms), 0.94 s for its reorder (250/250 ms);
//  - other cadenced tones (ringback, call waiting ...): one full cycle, the same way (NA ringback 2 s on 4 s
//    off: 5.56 s; UK ringing 0.4/0.2/0.4/2.0: 2.76 s); tones played once (SIT, NA call waiting): when their last
//    tone element ends;
//  - a repeating cadence of one short burst (<= 250 ms with tolerance) and a long pause (>= 1.5 s with tolerance),
//    e.g. UK call waiting 400 Hz 100/4000 ms: at the end of its second burst (4.2 s), since one burst and a pause
//    is what voiced speech and music produce (70-85 false UK call waitings per hour when it was one cycle, 0 now);
//  - while another tone of a different kind, aligned no later, still fits the signal (425 Hz 500/500 busy and a
//    425/450/50 special dial, until the off passes 95 ms), confirmation waits: latency grows by that much;
//  - continuous tones (dial): after the longest tone-on element of any other tone with the same signature,
//    plus tolerance, and at least min_continuous_ms (NA dial: 1 s; 425 Hz plans: about 1.7 s);
//  - a continuous part after a cadence (stutter dial): 200 ms into it.
// End events come when the cadence breaks, at the end of the last tone-on element that matched.
// Only one tone is active per channel at a time.
//
// Real-time contract: process() is noexcept, allocation-free, O(samples); events do not depend on block sizes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "dsp/simd.hpp"
#include "signals/event.hpp"
#include "signals/tone_plan.hpp"

namespace linedsp {

struct ProgressDetectorConfig {
  int sample_rate_hz = 8000;            // 8000 or 16000
  double min_level_dbm0 = -45.0;        // per component; the detector is specified down to -40 dBm0
  double min_purity = 0.70;             // fraction of block energy in the signature's components
  double max_twist_db = 8.0;            // component level differences vs the plan's
  double freq_tolerance_pct = 1.5;      // accepted frequency error: pct of nominal + hz
  double freq_tolerance_hz = 5.0;
  double cadence_tolerance_pct = 10.0;  // accepted duration error: pct of nominal + ms
  int cadence_tolerance_ms = 40;
  int sit_segment_tolerance_ms = 70;    // REFERENCES.md: SIT segments 330 +- 70 ms (274/380 ms NA variants)
  int confirm_cycles = 2;               // busy and congestion
  int min_continuous_ms = 1000;         // dial tone
};

struct ProgressEvent {
  bool begin = false;
  ToneKind kind = ToneKind::other;
  std::uint16_t tone = 0;                // index into the plan's tones
  std::uint64_t sample = 0;              // begin: first sample of the tone; end: sample after its last tone-on part
  std::uint64_t confirmed_sample = 0;    // begin: when it was confirmed (latency = confirmed_sample - sample)
  std::uint32_t elements = 0;            // cadence elements matched so far
  std::uint8_t frequency_count = 0;      // measured frequencies: SIT = one per segment; others = components
  std::array<float, 4> frequencies_hz{};
  float level_dbm0 = 0.0f;               // strongest component's level, last matched tone element
};

namespace detail {
struct ProgressPlan;     // compiled plan: signatures, filters, cadences (shared by channels)
struct ProgressChannel;  // one channel's state
}  // namespace detail

class ProgressDetector {
 public:
  // Validates cfg and the plan (throws std::invalid_argument naming the field); compiles the plan; allocates.
  ProgressDetector(const TonePlan& plan, const ProgressDetectorConfig& cfg = {}, Isa isa = active_isa());
  ~ProgressDetector();
  ProgressDetector(ProgressDetector&&) noexcept;
  ProgressDetector& operator=(ProgressDetector&&) noexcept;

  template <EventSink<ProgressEvent> Sink>
  void process(std::span<const std::int16_t> pcm, Sink& sink) noexcept {
    while (!pcm.empty()) {
      const std::size_t used = feed(pcm);
      pcm = pcm.subspan(used);
      if (block_ready()) run_block([&](const ProgressEvent& e) { sink(e); });
    }
  }
  // End of stream: closes an active tone at the last sample.
  template <EventSink<ProgressEvent> Sink>
  void finish(Sink& sink) noexcept {
    run_finish([&](const ProgressEvent& e) { sink(e); });
  }
  void reset() noexcept;

  const TonePlan& plan() const noexcept;
  std::size_t block_samples() const noexcept;
  // Bytes of state per channel (excluding the shared compiled plan).
  std::size_t bytes_per_channel() const noexcept;
  std::size_t filter_count() const noexcept;

 private:
  using Emit = void (*)(void*, const ProgressEvent&);
  std::size_t feed(std::span<const std::int16_t> pcm) noexcept;
  bool block_ready() const noexcept;
  template <class F>
  void run_block(F&& f) noexcept {
    block(&f, [](void* p, const ProgressEvent& e) { (*static_cast<F*>(p))(e); });
  }
  template <class F>
  void run_finish(F&& f) noexcept {
    finish_impl(&f, [](void* p, const ProgressEvent& e) { (*static_cast<F*>(p))(e); });
  }
  void block(void* ctx, Emit emit) noexcept;
  void finish_impl(void* ctx, Emit emit) noexcept;

  std::shared_ptr<const detail::ProgressPlan> plan_;
  std::unique_ptr<detail::ProgressChannel> ch_;
  std::vector<float> work_;          // kernel outputs (x_re, x_im, env) and scratch
  std::array<std::int64_t, 2> sums_{};
};

// N channels, input interleaved by frame; events carry the channel.
struct ProgressBankEvent {
  std::uint32_t channel = 0;
  ProgressEvent event;
};

class ProgressDetectorBank {
 public:
  ProgressDetectorBank(const TonePlan& plan, std::size_t channels, const ProgressDetectorConfig& cfg = {},
                       Isa isa = active_isa());
  ~ProgressDetectorBank();

  // frames * channels() interleaved samples.
  template <EventSink<ProgressBankEvent> Sink>
  void process(std::span<const std::int16_t> interleaved, Sink& sink) noexcept {
    while (!interleaved.empty()) {
      const std::size_t used = feed(interleaved);
      interleaved = interleaved.subspan(used);
      if (block_ready()) {
        auto f = [&](const ProgressBankEvent& e) { sink(e); };
        block(&f, [](void* p, const ProgressBankEvent& e) { (*static_cast<decltype(f)*>(p))(e); });
      }
    }
  }
  template <EventSink<ProgressBankEvent> Sink>
  void finish(Sink& sink) noexcept {
    auto f = [&](const ProgressBankEvent& e) { sink(e); };
    finish_impl(&f, [](void* p, const ProgressBankEvent& e) { (*static_cast<decltype(f)*>(p))(e); });
  }
  void reset() noexcept;
  std::size_t channels() const noexcept { return n_; }
  std::size_t bytes_per_channel() const noexcept;

 private:
  using Emit = void (*)(void*, const ProgressBankEvent&);
  std::size_t feed(std::span<const std::int16_t> interleaved) noexcept;
  bool block_ready() const noexcept;
  void block(void* ctx, Emit emit) noexcept;
  void finish_impl(void* ctx, Emit emit) noexcept;

  std::shared_ptr<const detail::ProgressPlan> plan_;
  std::size_t n_, npad_;
  std::vector<detail::ProgressChannel> chans_;
  std::vector<std::int16_t> x_;  // block, interleaved [frame * npad + ch] (padding channels stay 0)
  const std::int16_t* src_ = nullptr;  // the block the kernel reads: x_, or the caller's buffer when it holds a
                                       // whole block and channels is a multiple of 16 (no copy)
  std::size_t fill_ = 0;
  std::vector<float> work_;      // kernel outputs (x_re, x_im, env) and scratch
  std::vector<std::int64_t> sums_;
};

// Kernels (exposed for the kernel test and the benchmark): see signals/kernels/progress_kernels.hpp.
namespace detail {
struct ProgressConsts;
struct ProgressOut;
}  // namespace detail
struct ProgressKernels {
  void (*single)(const std::int16_t* x, const detail::ProgressConsts& k, float* scratch,
                 const detail::ProgressOut& out) noexcept;
  void (*multi)(const std::int16_t* x, std::size_t channels, const detail::ProgressConsts& k, float* scratch,
                const detail::ProgressOut& out) noexcept;
  Isa isa;
  bool fused;  // the flavour of the Goertzel step (signals/kernels/progress_kernels.hpp)
};
const ProgressKernels& progress_kernels(Isa isa) noexcept;
// The scalar specification of one flavour: the oracle each variant is compared with bit for bit.
const ProgressKernels& progress_reference_kernels(bool fused) noexcept;

}  // namespace linedsp
