// signals/modem_tone_detector.hpp — one receiver for every modem/fax signalling tone at once: CNG (with its
// cadence), CED/ANS, /ANS, ANSam, /ANSam (V.25, V.8, T.30) and the V.21 HDLC flag preamble; plus a batched bank.
// Figures in signals/modem_tone.hpp (REFERENCES.md).
//
// Front end: every 5 ms block (40 samples at 8 kHz, 80 at 16 kHz) one kernel call (signals/kernels/modem_tone_*.cpp,
// one per ISA, bit-identical) gives the block's exact energy, then another its DFT at 1100, 1650, 1850 and 2100 Hz
// (the Goertzel bins of dsp/goertzel.hpp, computed as dot products with SIMD lanes across the eight cos/sin rows).
// Blocks where nothing is in progress and no bin is strong and pure enough to start anything stop there; before the
// DFT, a block whose exact integer energy is too low for any bin to reach min_level_dbm0 (a bin's sine-power estimate
// is at most twice the block's mean power) stops without it.
//
// Answer tones (2100 Hz). A block qualifies when the 2100 Hz bin holds >= min_purity of the block's power and is
// above min_level_dbm0; a tone lasts while blocks qualify (up to 2 failing blocks bridged: the block holding a
// phase reversal loses energy). Frequency: the mean phase advance of the bin from block to block (phase-reversal
// pairs excluded), accepted within +-ans_max_offset_hz. Phase reversal: the bin two blocks apart turned by more
// than min_reversal_deg after removing the measured frequency; its instant is placed inside the block that holds
// it from that block's projection on the phase before (sub-millisecond). AM: the 15 Hz component of the block
// envelope over 200 ms windows (3 cycles exactly), depth = 2 |E(15 Hz)| / mean.
// Classification and detection delay (sample of the decision minus the tone's onset, `decided_sample`):
//   ans-pr / ansam-pr  at the first reversal spaced 450 +-25 ms (plus reversal_margin_ms) from the onset or from
//                      the previous reversal: about 455 ms (the reversal + at most one block + 5 ms).
//   ans / ansam        when no valid reversal came within decide_ms (500 ms) of the onset: 500-505 ms.
//   A plain tone that later shows two reversals 450 +-25 ms apart is re-reported: end of ans/ansam, begin of
//   ans-pr/ansam-pr at the same sample (a detector attached after the first reversal).
//   ANSam when the measured depth is within [am_min_depth, am_max_depth].
// CNG (1100 Hz): a burst qualifies when it lasts 0.5 s +-15 % (+ cadence_margin_ms); the first one begins a CNG
// event (delay: the burst + up to 15 ms), later ones extend it while the silences are 3 s +-15 %; the event ends
// (at the last burst's end) when a burst or a silence breaks the cadence or no burst follows in time.
// V.21 flags: gated by the 1650/1850 Hz band holding >= min_purity of the block power; then a non-coherent FSK
// discriminator (sliding one-bit correlators at mark and space, their terms computed a block at a time) and run
// lengths: a flag is a mark run of 6 bits and a space run of 2 bits (+-0.5 bit; decisions debounced by a quarter
// bit); v21_min_flags flags begin the event (delay about 4 flags, ~110 ms); more than 3 runs in a row that fit no
// flag (the frame that follows), or the band gate closing, end it.
//
// Events come in begin/end pairs; `sample` is the tone's onset in both, end events carry duration_samples.
// Results do not depend on how the caller splits the input. process() is noexcept and allocation-free; the
// constructor validates and sizes everything (the DFT tables are shared by all detectors of a sample rate).
#pragma once

#include <array>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "dsp/simd.hpp"
#include "signals/event.hpp"
#include "signals/modem_tone.hpp"

namespace linedsp {

struct ModemToneDetectorConfig {
  int sample_rate_hz = 8000;         // 8000 or 16000
  double min_level_dbm0 = -43.0;     // weakest tone that operates (G.164/G.165 hold to -36 dBm0; check)
  double min_purity = 0.60;          // share of the block power in the tone's bin
  // Answer tones.
  double ans_max_offset_hz = 22.0;   // accept: V.25 +-15 Hz, G.164 disabler band about +-21 Hz (check), +1 Hz allowance
  int reversal_interval_ms = kAnsReversalMs;
  int reversal_tolerance_ms = kAnsReversalToleranceMs;
  double reversal_margin_ms = 10.0;  // measurement allowance added to the tolerance (onset: 5 ms more)
  double min_reversal_deg = 140.0;   // a phase step at least this large is a reversal (V.25: 180 +-10)
  int decide_ms = 500;               // plain tone decided when no valid reversal came by then
  double am_min_depth = 0.10;        // ANSam: V.8 20 % (check +-1 %); below this: plain ANS
  double am_max_depth = 0.35;
  // CNG.
  double cng_max_offset_hz = kCngToleranceHz + 2.0;  // T.30 +-38 Hz, +2 Hz measurement allowance
  double cadence_tolerance = kCngCadenceTolerance;
  double cadence_margin_ms = 10.0;   // block resolution allowance
  // V.21 preamble.
  int v21_min_flags = 4;
  double v21_min_purity = 0.60;
};

struct ModemToneEvent {
  ModemTone tone = ModemTone::ans;
  bool begin = false;
  std::uint64_t sample = 0;            // onset of the tone (begin and end)
  std::uint64_t duration_samples = 0;  // end events
  std::uint64_t decided_sample = 0;    // sample at which the event was decided (delay = decided - sample)
  float level_dbm0 = 0.0f;             // mean level of the qualifying blocks so far
  float frequency_hz = 0.0f;           // measured carrier (answer tones, CNG); 0 for V.21
  float am_depth = 0.0f;               // measured 15 Hz modulation depth (answer tones)
  std::uint32_t count = 0;             // reversals (answer tones), bursts (CNG), flags (V.21)
};

namespace detail {
struct ModemToneTables;
}

class ModemToneDetector {
 public:
  static constexpr std::size_t kMaxBlock = 80;  // 5 ms at 16 kHz

  // Validates cfg (std::invalid_argument naming the field).
  explicit ModemToneDetector(const ModemToneDetectorConfig& cfg = {}, Isa isa = active_isa());

  template <EventSink<ModemToneEvent> Sink>
  void process(std::span<const std::int16_t> pcm, Sink& sink) noexcept {
    std::size_t i = 0;
    while (i < pcm.size()) {
      if (fill_ == 0 && pcm.size() - i >= block_) {  // whole blocks straight from the caller's buffer
        run_block(pcm.data() + i);
        i += block_;
        for (std::size_t e = 0; e < out_n_; ++e) sink(out_[e]);
        continue;
      }
      std::size_t take = block_ - fill_;
      if (take > pcm.size() - i) take = pcm.size() - i;
      for (std::size_t k = 0; k < take; ++k) buf_[fill_ + k] = pcm[i + k];
      fill_ += take;
      i += take;
      if (fill_ == block_) {
        fill_ = 0;
        run_block(buf_.data());
        for (std::size_t e = 0; e < out_n_; ++e) sink(out_[e]);
      }
    }
  }
  // End of stream: ends any event still open at the last complete block.
  template <EventSink<ModemToneEvent> Sink>
  void finish(Sink& sink) noexcept {
    close_all();
    for (std::size_t e = 0; e < out_n_; ++e) sink(out_[e]);
  }
  void reset() noexcept;

  std::size_t block_samples() const noexcept { return block_; }
  std::size_t pending_samples() const noexcept { return fill_; }  // samples waiting for the next block
  float last_block_power() const noexcept { return last_power_; }  // mean power (int16 units^2) of the last block
  std::uint64_t blocks() const noexcept { return k_; }
  const ModemToneDetectorConfig& config() const noexcept { return cfg_; }
  Isa isa() const noexcept { return isa_; }
  // Bytes this channel owns (the shared tables are not counted: see shared_table_bytes()).
  std::size_t memory_bytes() const noexcept { return sizeof(*this); }
  static std::size_t shared_table_bytes(int sample_rate_hz);

 private:
  using cf = std::complex<float>;
  struct Track {  // on/off and frequency of one tone bin
    bool on = false;
    std::uint64_t onset = 0;      // sample
    std::uint64_t last_good = 0;  // block
    int miss = 0;
    cf y1{}, y2{};
    bool g1 = false, g2 = false;
    cf d_sum{};
    cf rot{1.0f, 0.0f};
    std::uint32_t pairs = 0, good_pairs = 0, good_blocks = 0;
    double power_sum = 0.0;
  };
  struct Answer {
    bool declared = false, rejected = false;
    std::uint64_t ev_onset = 0;  // sample the current event began (the tone's onset, or an upgrade)
    ModemTone kind = ModemTone::ans;
    double last_rev = 0.0;  // sample (fractional) of the last reversal; onset if none yet
    bool have_rev = false;
    std::uint32_t reversals = 0;
    int refractory = 0;
    cf am_acc{};
    float am_sum = 0.0f;
    int am_n = 0;
    float depth_sum = 0.0f;
    int depth_windows = 0;
  };
  struct Cng {
    bool active = false;
    std::uint64_t seq_onset = 0, last_end = 0;
    std::uint32_t bursts = 0;
    double level_sum = 0.0, freq_sum = 0.0;
  };
  struct V21 {
    bool gated = false;
    int gate_miss = 0;
    bool declared = false;
    int bit = -1;                 // current decision (1 mark, 0 space), -1 unknown
    int cand = -1;                // debounce: a new decision must hold kV21Debounce samples
    std::uint64_t cand_start = 0;
    std::uint32_t cand_n = 0;
    std::uint64_t run_start = 0;  // sample of the current run's first decision
    bool have_mark = false;
    std::uint64_t mark_start = 0, first_start = 0, last_end = 0;
    std::uint32_t flags = 0;
    std::uint32_t bad = 0;        // consecutive runs that fit no flag
    std::size_t filled = 0;       // samples in the correlator window (up to its length)
    float zmr = 0.0f, zmi = 0.0f, zsr = 0.0f, zsi = 0.0f;  // the mark and space correlators
    double level_sum = 0.0;
    std::uint32_t level_n = 0;
  };

  void run_block(const std::int16_t* x) noexcept;
  void close_all() noexcept;
  enum class Step { off, started, on, ended };
  Step step_track(Track& t, std::size_t bin, cf y, bool good, float power) noexcept;
  static void shift(Track& t, cf y, bool good) noexcept {
    t.y2 = t.y1;
    t.g2 = t.g1;
    t.y1 = y;
    t.g1 = good;
  }
  bool frequency_ok(const Track& t, double max_offset_hz) const noexcept;
  void answer_declare(bool reversals) noexcept;
  void v21_run_end(int bit, std::uint64_t start, std::uint64_t end) noexcept;
  void answer_block(cf y, float power, float energy) noexcept;
  void answer_end() noexcept;
  void answer_end_at(std::uint64_t end) noexcept;
  void cng_block(cf y, float power, float energy) noexcept;
  void cng_burst_end() noexcept;
  void cng_wait() noexcept;
  void cng_end_sequence() noexcept;
  void v21_block(float band_power, float energy) noexcept;
  template <std::size_t B>
  void v21_correlate() noexcept;
  void v21_break() noexcept;
  void v21_bad_run() noexcept;
  float track_offset_hz(const Track& t) const noexcept;
  float level_of(const Track& t) const noexcept;
  void emit(const ModemToneEvent& e) noexcept {
    if (out_n_ < out_.size()) out_[out_n_++] = e;
  }
  std::uint64_t now() const noexcept { return (k_ + 1) * block_; }  // end of the current block

  ModemToneDetectorConfig cfg_;
  Isa isa_;
  const detail::ModemToneTables* tab_;
  void (*dft_)(const std::int16_t*, std::size_t, const float*, float*, float*) noexcept;
  std::uint64_t (*energy_)(const std::int16_t*, std::size_t) noexcept;
  std::size_t block_;
  float min_power_;
  double quiet_energy_;  // block energy (sum of squares) below which no bin can reach min_power_
  float cos_min_reversal_, cos2_min_reversal_, min_purity_, v21_min_purity_;
  float inv_n_, two_inv_n2_;        // 1 / block, 2 / block^2
  std::uint64_t decide_samples_;
  double fs_;
  std::uint64_t k_ = 0;  // index of the current block
  float last_power_ = 0.0f;
  Track ans_t_, cng_t_;
  Answer ans_;
  Cng cng_;
  V21 v21_;
  alignas(64) std::array<std::int16_t, kMaxBlock> buf_{};  // the block being filled
  // The previous block and this one as float (the kernel writes this one at xf_[block_]): the V.21 correlators'
  // window (27 / 53 samples) reaches back into the previous block. The previous half is zero when the V.21 gate
  // opens (the window starts empty) and copied from this half after each gated block.
  alignas(64) std::array<float, 2 * kMaxBlock> xf_{};
  std::size_t fill_ = 0;
  std::array<ModemToneEvent, 8> out_{};
  std::size_t out_n_ = 0;
};

// N channels in one call (the density path): input interleaved by frame, events tagged by channel.
// Design note (as signals/callerid_bank.hpp): the front end is vectorised along the block within a channel, so
// the bank de-interleaves each block into per-channel scratch (8 x 8 SIMD transposes, the modem-tone kernels'
// deinterleave) and runs one ModemToneDetector per channel. Events
// are identical to N independent detectors (tests/signals/modem_tone_test.cpp).
struct ModemToneBankEvent {
  std::size_t channel = 0;
  ModemToneEvent event;
};

class ModemToneDetectorBank {
 public:
  static constexpr std::size_t kBlockFrames = 160;

  ModemToneDetectorBank(const ModemToneDetectorConfig& cfg, std::size_t channels, Isa isa = active_isa());

  // `interleaved` holds whole frames (a partial last frame is ignored).
  template <EventSink<ModemToneBankEvent> Sink>
  void process(std::span<const std::int16_t> interleaved, Sink& sink) noexcept {
    const std::size_t n_ch = det_.size();
    const std::size_t frames = interleaved.size() / n_ch;
    for (std::size_t f0 = 0; f0 < frames; f0 += kBlockFrames) {
      const std::size_t nf = frames - f0 < kBlockFrames ? frames - f0 : kBlockFrames;
      deinterleave_(interleaved.data() + f0 * n_ch, n_ch, nf, scratch_.data(), kBlockFrames);
      for (std::size_t ch = 0; ch < n_ch; ++ch) {
        auto tag = [&sink, ch](const ModemToneEvent& e) { sink(ModemToneBankEvent{ch, e}); };
        det_[ch].process(std::span<const std::int16_t>(scratch_.data() + ch * kBlockFrames, nf), tag);
      }
    }
  }
  template <EventSink<ModemToneBankEvent> Sink>
  void finish(Sink& sink) noexcept {
    for (std::size_t ch = 0; ch < det_.size(); ++ch) {
      auto tag = [&sink, ch](const ModemToneEvent& e) { sink(ModemToneBankEvent{ch, e}); };
      det_[ch].finish(tag);
    }
  }
  std::size_t channels() const noexcept { return det_.size(); }
  void reset() noexcept;
  void reset(std::size_t channel) noexcept { det_[channel].reset(); }
  std::size_t memory_bytes() const noexcept;

 private:
  std::vector<ModemToneDetector> det_;
  std::vector<std::int16_t> scratch_;
  // signals/kernels/modem_tone_kernels.hpp (SIMD transposes; the scalar loop for LINEDSP_SIMD=scalar)
  void (*deinterleave_)(const std::int16_t*, std::size_t, std::size_t, std::int16_t*, std::size_t) noexcept = nullptr;
};

}  // namespace linedsp
