// signals/cas.hpp — the dual-tone caller-ID alert: Bellcore CPE Alerting Signal (CAS) for call waiting (Type II)
// and ETSI EN 300 659-1 Dual Tone Alerting Signal (DT-AS), both 2130 Hz + 2750 Hz; plus the Subscriber Alerting
// Signal (SAS, 440 Hz) that precedes a call-waiting CAS.
//
// Figures (REFERENCES.md "Caller ID"): CAS 2130 + 2750 Hz for 75-85 ms (the far end muted; the phone acknowledges
// with DTMF D or A for 55-65 ms within 100 ms); DT-AS 2130 + 2750 Hz for 88-110 ms. Per-tone levels, twist and the
// SAS's 440 Hz / 300 ms are second-hand (check GR-575 / EN 300 659-1 before citing).
//
// Detector: Goertzel at both frequencies over 5 ms blocks (40 samples at 8 kHz). A block qualifies when each tone
// is above min_level_dbm0, the twist is within max_twist_db, and the two tones hold at least
// min_purity of the block's energy (rejects speech and noise). A tone is confirmed (begin event) after min_on_ms
// of qualifying blocks and ends at the first block that fails; the end event says whether the duration fitted
// [min_on_ms, max_on_ms]. Durations are multiples of the block (resolution 5 ms). Block-size independent.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "signals/event.hpp"

namespace linedsp {

struct CasGeneratorConfig {
  int sample_rate_hz = 8000;
  double low_hz = 2130.0;
  double high_hz = 2750.0;
  double level_dbm0 = -15.0;    // per tone (check GR-575)
  int duration_ms = 80;         // Bellcore CAS 75-85 ms; ETSI DT-AS: use 100 (88-110 ms)
  int sas_ms = 0;               // SAS (440 Hz) before the CAS; 300 for call waiting (check GR-575)
  double sas_hz = 440.0;
  double sas_level_dbm0 = -13.0;
  int sas_gap_ms = 0;           // silence between SAS and CAS

  static CasGeneratorConfig bellcore_cas() { return CasGeneratorConfig{}; }
  static CasGeneratorConfig etsi_dtas() {
    CasGeneratorConfig c;
    c.duration_ms = 100;
    return c;
  }
};

class CasGenerator {
 public:
  explicit CasGenerator(const CasGeneratorConfig& cfg);
  void start() noexcept;                                   // (re)starts SAS (if any), gap, then the dual tone
  std::size_t generate(std::span<std::int16_t> out) noexcept;  // samples written; fewer at the end
  bool idle() const noexcept { return left_ == 0; }
  std::size_t total_samples() const noexcept { return sas_samples_ + gap_samples_ + tone_samples_; }
  void reset() noexcept { left_ = 0; }

 private:
  CasGeneratorConfig cfg_;
  std::size_t sas_samples_, gap_samples_, tone_samples_;
  std::size_t left_ = 0, pos_ = 0;
  double a_tone_, a_sas_;
};

struct CasDetectorConfig {
  int sample_rate_hz = 8000;
  double low_hz = 2130.0;
  double high_hz = 2750.0;
  double min_level_dbm0 = -35.0;  // per tone
  double max_twist_db = 8.0;      // accepts the +-6 dB usually quoted (check) plus 5 ms-block measurement error
  double min_purity = 0.7;        // fraction of block energy in the two tones
  int min_on_ms = 60;             // shortest accepted: below Bellcore's 75 ms with margin for block edges
  int max_on_ms = 125;            // longest accepted: above ETSI's 110 ms with margin
};

struct CasEvent {
  bool begin = false;
  bool valid = true;                 // end events: duration within [min_on_ms, max_on_ms]
  std::uint64_t sample = 0;          // start of the tone (first qualifying block)
  std::uint64_t duration_samples = 0;  // end events
};

class CasDetector {
 public:
  static constexpr std::size_t kMaxBlock = 80;
  explicit CasDetector(const CasDetectorConfig& cfg);

  template <EventSink<CasEvent> Sink>
  void process(std::span<const std::int16_t> pcm, Sink& sink) noexcept {
    for (std::int16_t s : pcm) {
      buf_[fill_++] = static_cast<float>(s);
      if (fill_ == block_) {
        CasEvent ev;
        if (block_done(ev)) sink(ev);
        fill_ = 0;
      }
    }
  }
  void reset() noexcept;

 private:
  bool block_done(CasEvent& ev) noexcept;
  CasDetectorConfig cfg_;
  std::size_t block_;
  float c_low_, c_high_;
  float min_power_, twist_ratio_;
  std::size_t min_blocks_, max_blocks_;
  std::array<float, kMaxBlock> buf_{};
  std::size_t fill_ = 0;
  std::uint64_t blocks_ = 0;     // blocks completed
  std::size_t run_ = 0;          // consecutive qualifying blocks
  bool on_ = false;
};

}  // namespace linedsp
