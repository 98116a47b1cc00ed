// signals/echo_canceller.hpp — line echo canceller per ITU-T G.168 (tests in tests/signals/echo*_test.cpp and
// g168*_test.cpp name the clauses they check).
//
// Envelope: echo paths within the declared tail (16-128 ms, default 64 ms = 512 taps at 8 kHz, 1024 at
// 16 kHz), ERL >= 6 dB (G.168's lower bound; the Geigel detector assumes it), 8000 or 16000 Hz linear PCM.
// Output is sample-aligned with the near-end input: no added delay.
//
// Structure (chosen by measurement: `linedsp cancel --report`, bench/echo_bench.cpp):
//  - two adaptive FIRs over the same far-end window (dsp/nlms.hpp SIMD kernels): a background filter
//    adapted by IPNLMS (proportionate NLMS, alpha = 0; alpha = -1 is plain NLMS, which converged to 35-48
//    dB instead of 48-65 dB on the Annex D paths with speech; alpha = 0.5 while the whole tail is open, so the
//    strong taps of the sparse path converge first and the window narrows sooner: docs/echo-density.md), its update fused with its output in one
//    pass per sample, and a foreground filter (output only) that is what the caller hears. The foreground
//    takes the background's taps when the background has done 3 dB better for 16 ms without double
//    talk; the background is rolled back when it does 3 dB worse. Cost: ~1.5 filter passes per sample
//    over the active window;
//  - active window (docs/echo-density.md): line echo paths are a bulk delay plus a few ms of dispersion,
//    so once converged (ERLE estimate >= 15 dB) both filters run only over the 16-tap blocks from the first
//    to the last within window_floor_db (-40 dB) of the strongest (window_lead_floor_db, -35 dB, for the
//    blocks before it: the bulk delay), +-2 blocks; the other taps are zeroed
//    (they held only misadjustment noise: steady ERLE rose 5-15 dB on the Annex D models). 10 ms of
//    far-end talk cancelled by less than 10 dB (path change, opened path, double talk) reopens the whole
//    tail for at least 0.5 s. At 64 ms the window is ~200 of 512 taps;
//  - double talk: Geigel (|near| > max |far| over the tail; G.168's Annex D paths at 6 dB ERL return
//    echo peaks above half the far-end peak, so the classic 6 dB threshold flagged 20-50 % of pure-echo
//    CSS samples, measured) and its power form (near power above the far power held over the tail) stop
//    the background; an energy check (near power 3 dB above the foreground's echo estimate once
//    converged) keeps the foreground from taking double-talk-tainted taps;
//  - variable step: mu falls (to 0.2 mu) as the background's error approaches the near-end noise floor;
//  - never amplify: while the foreground's error is louder than the input (open echo path, G.168 test 5)
//    the input is passed;
//  - NLP: while the far end talks (plus the tail) without a near talker, the output is comfort noise at
//    the near-end background level (measured while the far end is quiet; G.168 tests 2A, 9);
//  - per-sample work is only the DC blockers, the far history, the filters, the errors, the background's step
//    (stopped at once by a Geigel hit), never-amplify and the output; everything else (short-term powers,
//    double talk, variable step, the filters' comparison, the active window, the background level, the NLP
//    decision) runs once per 8 samples (1 ms at 8 kHz) from the block's sums, its decisions taking effect
//    from the next sample. While the background cannot adapt (double talk, far end quiet, frozen, bypassed)
//    it is not run at all: only the foreground's output is computed (docs/echo-density.md);
//  - DC blocker on both inputs (cheap FXO interfaces add DC; filtering both keeps the echo path short);
//    mains hum is not removed;
//  - controls: freeze (keep taps, no adaptation), reset, bypass (tone disabler: 2100 Hz with phase
//    reversals disables the canceller, G.165), NLP off (pure 2100 Hz, G.164).
//
// Memory per channel (8 kHz, 64 ms = 512 taps): background + foreground taps, tap gains and a 2x far
// history = 5 x 512 floats + ~640 bytes, about 11 kB (10 996 bytes); memory_bytes() reports the exact
// figure and bench/echo_bench.cpp prints it.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <vector>

#include "dsp/nlms.hpp"
#include "dsp/simd.hpp"

namespace linedsp {

namespace detail {
// 64-byte aligned storage for the tap arrays (whole-cache-line SIMD loads).
template <class T>
struct CacheAlignedAllocator {
  using value_type = T;
  CacheAlignedAllocator() = default;
  template <class U>
  CacheAlignedAllocator(const CacheAlignedAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{64})); }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, std::align_val_t{64}); }
  template <class U>
  bool operator==(const CacheAlignedAllocator<U>&) const noexcept { return true; }
};
using AlignedFloats = std::vector<float, CacheAlignedAllocator<float>>;
}  // namespace detail

// Declared tail capacity: 16-128 ms covers the tails REFERENCES.md lists for G.168 testing (64 or 128 ms)
// and the bulk delay of FXS/FXO interfaces.
inline constexpr int kEchoMinTailMs = 16;
inline constexpr int kEchoMaxTailMs = 128;
// REFERENCES.md (G.168): the canceller must handle echo return loss down to 6 dB.
inline constexpr float kG168MinErlDb = 6.0f;

struct EchoCancellerConfig {
  int sample_rate_hz = 8000;              // 8000 or 16000
  int tail_ms = 64;                       // echo path capacity
  float step_size = 0.8f;                 // mu of the normalised update (0 < mu < 2)
  float proportionate_alpha = 0.0f;       // IPNLMS alpha in [-1, 1); -1 = NLMS
  float search_alpha = 0.5f;              // IPNLMS alpha while the whole tail is open (active_window, not NLMS)
  int gain_update_samples = 8;            // IPNLMS tap gains refreshed every this many samples (whole 8-sample blocks)
  float geigel_erl_db = 0.0f;             // Geigel threshold 10^(-erl/20); 0 dB, not 6 (see the header comment)
  int double_talk_hangover_ms = 40;       // adaptation stays off this long after the last double-talk hit
  float far_active_dbm0 = -40.0f;         // far end must be above this (short-term) for adaptation and NLP
  float regularisation_dbm0 = -50.0f;     // delta of the normalisation, as a signal power
  bool nlp_enabled = true;                // non-linear processor with comfort noise
  bool near_highpass = true;              // DC blocker on both inputs (cheap FXO interfaces add DC)
  bool active_window = true;              // once converged, filter and adapt only the taps the echo occupies
  float window_floor_db = -40.0f;         // 16-tap blocks this far below the strongest block are outside it
  float window_lead_floor_db = -35.0f;    // the same for the blocks before the strongest (the bulk delay)
};

// What the tone disabler (signals/tone_disabler.hpp, G.164/G.165: 2100 Hz with phase reversals disables the
// canceller, pure 2100 Hz only the NLP) exposes; EchoCanceller::follow() takes any such object.
template <class T>
concept ToneDisablerState = requires(const T& t) {
  { t.canceller_disabled() } -> std::convertible_to<bool>;
  { t.nlp_disabled() } -> std::convertible_to<bool>;
};

class EchoCanceller {
 public:
  // Validates (std::invalid_argument naming the field) and allocates every buffer.
  explicit EchoCanceller(const EchoCancellerConfig& cfg = {}, Isa isa = active_isa());

  // far: the signal sent towards the line (reference, G.168 Rin); near: what came back (Sin);
  // out: cleaned near end (Sout). Processes min(far, near, out) samples. Any block size; results do not
  // depend on how the caller splits the stream.
  void process(std::span<const std::int16_t> far, std::span<const std::int16_t> near,
               std::span<std::int16_t> out) noexcept;

  void reset() noexcept;                                       // just-constructed state
  void set_frozen(bool frozen) noexcept { frozen_ = frozen; }  // keep the taps, stop adapting
  void set_bypass(bool bypass) noexcept { bypass_ = bypass; }  // out = near, untouched (tone disabler)
  void set_nlp_enabled(bool on) noexcept { nlp_on_ = on; }     // NLP off for pure 2100 Hz (G.164)
  // Applies a tone disabler's decision (call after running it on the same far-end block): bypass while it
  // disables the canceller, NLP off while it disables the NLP (and back on, if configured, when it stops).
  template <ToneDisablerState Disabler>
  void follow(const Disabler& td) noexcept {
    bypass_ = td.canceller_disabled();
    nlp_on_ = cfg_.nlp_enabled && !td.nlp_disabled();
  }
  bool frozen() const noexcept { return frozen_; }
  bool bypassed() const noexcept { return bypass_; }
  bool nlp_enabled() const noexcept { return nlp_on_; }

  // State of the last processed sample.
  bool double_talk() const noexcept { return dt_hold_ > 0; }
  bool nlp_active() const noexcept { return nlp_dec_ && nlp_on_ && !bypass_; }
  bool adapting() const noexcept { return a_ != 0.0f; }
  // The canceller's own running ERLE estimate (near power over error power, long average), dB.
  float erle_estimate_db() const noexcept;
  std::uint64_t samples() const noexcept { return n_; }
  // How often the foreground took the background's taps, and the background was rolled back.
  std::uint64_t foreground_updates() const noexcept { return copies_; }
  std::uint64_t background_rollbacks() const noexcept { return rollbacks_; }

  std::span<const float> taps() const noexcept { return {wf_.data(), taps_}; }  // the foreground filter
  std::size_t tap_count() const noexcept { return taps_; }
  // The active window [first, first + count) of taps both filters run over (the whole tail until converged).
  std::size_t window_first() const noexcept { return lo_; }
  std::size_t window_taps() const noexcept { return hi_ - lo_; }
  // How often the window was narrowed / reopened to the whole tail.
  std::uint64_t window_narrowings() const noexcept { return narrowings_; }
  std::uint64_t window_reopenings() const noexcept { return reopenings_; }
  const EchoCancellerConfig& config() const noexcept { return cfg_; }
  Isa isa() const noexcept { return k_->isa; }
  // Bytes this channel owns (object + heap), for density figures.
  std::size_t memory_bytes() const noexcept;

 private:
  friend class EchoCancellerBank;
  // n samples at far[i * stride], near[i * stride] -> out[i * stride] (the bank reads its interleaved frames in
  // place): the per-sample path, with control() once every kControl samples.
  void run(const std::int16_t* far, const std::int16_t* near, std::int16_t* out, std::size_t stride,
           std::size_t n) noexcept;
  void control() noexcept;
  void try_narrow_window() noexcept;      // active window from the converged taps
  void reopen_window() noexcept;          // back to the whole tail
  float search_alpha() const noexcept;    // IPNLMS alpha while the whole tail is open
  void apply_pending_update() noexcept;   // two-sample pass: sample n-2's update, at a control block

  EchoCancellerConfig cfg_;
  const NlmsKernels* k_;
  std::size_t taps_;
  std::size_t hist_slack_;  // history buffer is taps_ + 2 + hist_slack_ long
  detail::AlignedFloats w_, wf_, g_, hist_;  // background taps, foreground taps, tap gains, far history
  std::vector<float> block_max_;  // |far| maxima of 16-sample blocks over the tail (Geigel)
  std::vector<float> tap_energy_;  // per 16-tap block energy of the taps (active-window scratch)
  std::size_t pos_ = 0;
  std::size_t lo_ = 0, hi_ = 0;    // active window of taps
  float window_floor_;             // window_floor_db as an energy ratio
  float window_lead_floor_;        // window_lead_floor_db as an energy ratio
  float alpha_ = 0.0f;             // IPNLMS alpha in use: search_alpha over the whole tail, else proportionate_alpha
  // constants
  static constexpr std::uint64_t kControl = 8;  // samples per control block (1 ms at 8 kHz)
  float geigel_ratio_, far_active_power_, delta_, alpha_short_, alpha_long_, hold_decay_, bg_rise_,
      alpha_sample_, pass_margin_;
  std::uint64_t gain_blocks_;  // control blocks between IPNLMS gain refreshes
  int dt_hangover_, nlp_hangover_;
  static constexpr std::uint64_t kCompareBlock = 32;
  static constexpr int kCopyAfterBlocks = 4;
  // state
  std::uint64_t n_ = 0;
  float a_ = 0.0f;          // step for the pending update (sample n-1)
  float a_prev_ = 0.0f;     // two-sample pass: step of sample n-2 while its update is pending
  float s2_[7] = {};        // two-sample pass: the kernel's sums (dsp/nlms.hpp)
  bool pair_ready_ = false;  // s2_[3..6] hold sample n's sums (computed with sample n-1's)
  float cur_block_max_ = 0.0f, far_max_ = 0.0f;
  float px_ = 0.0f, pd_ = 0.0f, pe_ = 0.0f, py_ = 0.0f, pbe_ = 0.0f;  // short-term powers (~8 ms)
  float px_hold_ = 0.0f;                                 // far power held over the tail
  float see_ = 0.0f, sff_ = 0.0f;                        // background / foreground error energy (block)
  float s_ee_ = 0.0f, s_ff_ = 0.0f;                      // the same, smoothed over blocks
  float pd_long_ = 0.0f, pe_long_ = 0.0f;                // long-term (~250 ms) while far talks
  float background_ = 0.0f;                              // near-end background power
  float hp_x1_ = 0.0f, hp_y1_ = 0.0f, hp_fx1_ = 0.0f, hp_fy1_ = 0.0f;  // DC blockers (near, far)
  int dt_hold_ = 0, far_hold_ = 0, energy_run_ = 0, bg_count_ = 0;
  int poor_run_ = 0;             // far-active samples in a row the windowed foreground cancelled < 10 dB
  std::uint64_t last_reopen_ = 0;
  std::uint64_t copies_ = 0, rollbacks_ = 0, narrowings_ = 0, reopenings_ = 0;
  bool block_dt_ = false;  // double talk seen in the current comparison block
  int better_run_ = 0;     // consecutive blocks in which the background did 3 dB better
  std::uint32_t rng_ = 0x12345678u;
  float sx_ = 0.0f, sd_ = 0.0f, se_ = 0.0f, sy_ = 0.0f, seb_ = 0.0f;  // sums of squares over the control block
  float mu_ = 0.0f;      // background step for the next block
  float cn_amp_ = 0.0f;  // comfort-noise amplitude
  bool adapt_ = false;   // background adapts in this block (until a Geigel hit)
  bool nlp_dec_ = false;  // NLP decision for this block
  bool geigel_seen_ = false, bg_skipped_ = false;
  bool frozen_ = false, bypass_ = false, nlp_on_ = true;
};

// N channels with one configuration. Every channel is an EchoCanceller (the SIMD lanes run across taps,
// which already fill them for tails >= 16 ms), so the bank's output equals N separate objects sample for
// sample (tests/signals/echo_canceller_test.cpp). Input and output are interleaved by frame.
// The bank runs each channel over the whole block in turn, reading the interleaved input in place
// (measured: stepping the channels round-robin, one sample each, was 12 % slower at 8 channels).
class EchoCancellerBank {
 public:
  EchoCancellerBank(std::size_t channels, const EchoCancellerConfig& cfg = {}, Isa isa = active_isa());
  // far/near/out hold frames * channels() interleaved samples.
  void process(std::span<const std::int16_t> far, std::span<const std::int16_t> near,
               std::span<std::int16_t> out) noexcept;
  std::size_t channels() const noexcept { return ch_.size(); }
  EchoCanceller& channel(std::size_t i) noexcept { return ch_[i]; }
  void reset() noexcept;
  std::size_t memory_bytes() const noexcept;

 private:
  std::vector<EchoCanceller> ch_;
};

}  // namespace linedsp
