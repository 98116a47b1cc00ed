// signals/ring.hpp — ringing: FXS side generation (line events for the device layer and a ring-voltage waveform for
// the simulated line) and FXO side detection (from ring events or the sampled ring voltage) with cadence
// validation and distinctive-ring classification against a plan's ring patterns (signals/tone_plan.hpp).
//
// Waveform scale: samples are volts x 100 (1 int16 unit = 10 mV), so 75 V rms (a common ringer voltage; GR-506 and
// national specifications, check) is a 106 V peak sine of 10607 units. Frequency from the pattern (20 Hz North
// America, 25 Hz most of Europe, 16 Hz Japan).
//
// Detection: the waveform is rectified and averaged over 10 ms blocks; ring is on while the mean exceeds
// detect_vrms x 0.9 (the mean of a rectified sine is 0.9 x its rms), with 30 ms of bridging for zero crossings and
// line noise. Bursts separated by less than cycle_gap_ms form one ring cycle; a finished cycle (on, off, on, ...
// then a gap of at least cycle_gap_ms) is compared with every pattern (durations within tolerance_pct % +
// tolerance_ms) and reported with the pattern it matched (or none: invalid cadence).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "devices/line_device.hpp"
#include "signals/event.hpp"
#include "signals/tone_plan.hpp"

namespace linedsp {

inline constexpr double kRingVoltsPerUnit = 0.01;

// The device layer's cadence (first 8 elements).
RingCadence to_ring_cadence(const RingPattern& pattern);

struct RingGeneratorConfig {
  int sample_rate_hz = 8000;
  double ring_vrms = 75.0;
};

// Produces the ring-voltage waveform and LineEvent ring_begin / ring_end at the exact sample of each edge.
class RingCadenceGenerator {
 public:
  RingCadenceGenerator(const RingPattern& pattern, const RingGeneratorConfig& cfg = {});
  template <EventSink<LineEvent> Sink>
  void generate(std::span<std::int16_t> out, Sink& sink) noexcept {
    for (auto& s : out) {
      if (const int edge = step(s); edge != 0)
        sink(LineEvent{edge > 0 ? LineEventKind::ring_begin : LineEventKind::ring_end, 0, n_ - 1});
    }
  }
  std::uint64_t cycle_samples() const noexcept { return cycle_; }
  void reset() noexcept;

 private:
  int step(std::int16_t& out) noexcept;  // +1 ring begins at this sample, -1 ends, 0 none
  std::array<std::uint64_t, 8> ends_{};  // cumulative ends of the elements within a cycle
  std::size_t count_ = 0;
  std::uint64_t cycle_ = 0, n_ = 0, pos_ = 0;
  std::size_t el_ = 0;
  bool on_ = false;
  double inc_ = 0, phase_ = 0, peak_ = 0;
};

struct RingDetectorConfig {
  int sample_rate_hz = 8000;
  double detect_vrms = 30.0;      // ring present above this
  int bridge_ms = 30;             // gaps shorter than this inside a burst are bridged
  int cycle_gap_ms = 1000;        // an off this long ends a cycle (every pattern's last off is >= 1.4 s)
  double tolerance_pct = 15.0;    // burst and gap durations (ring generators vary; GR-506 allows +-10 %, check)
  int tolerance_ms = 60;
};

struct RingEvent {
  enum class Type : std::uint8_t { burst_begin, burst_end, cycle };
  Type type = Type::burst_begin;
  std::uint64_t sample = 0;          // burst_begin: start; burst_end: end; cycle: start of the cycle
  std::uint64_t duration_samples = 0;  // burst_end: burst length; cycle: cycle length without the final gap
  int pattern = -1;                  // cycle: index into the plan's rings, -1 = cadence matches none
  std::uint8_t bursts = 0;           // cycle: number of bursts
};

class RingDetector {
 public:
  RingDetector(const TonePlan& plan, const RingDetectorConfig& cfg = {});

  // From the sampled ring voltage (volts x 100).
  template <EventSink<RingEvent> Sink>
  void process(std::span<const std::int16_t> waveform, Sink& sink) noexcept {
    for (std::int16_t s : waveform) {
      acc_ += s < 0 ? -static_cast<double>(s) : static_cast<double>(s);
      if (++fill_ == block_) {
        const bool on = acc_ / static_cast<double>(block_) >= threshold_;
        acc_ = 0;
        fill_ = 0;
        level(on, n_ + 1 - block_, sink);
      }
      ++n_;
    }
  }
  // From line events (FXO hardware that reports ring edges): ring_begin / ring_end at their frames.
  template <EventSink<RingEvent> Sink>
  void on_line_event(const LineEvent& e, Sink& sink) noexcept {
    if (e.kind == LineEventKind::ring_begin) edge(true, e.frame, sink);
    if (e.kind == LineEventKind::ring_end) edge(false, e.frame, sink);
  }
  // Time advances without events (for the cycle-gap timer in event mode).
  template <EventSink<RingEvent> Sink>
  void advance_to(std::uint64_t sample, Sink& sink) noexcept {
    check_gap(sample, sink);
  }
  void reset() noexcept;

 private:
  template <class Sink>
  void level(bool on, std::uint64_t at, Sink& sink) noexcept {
    if (on) {
      last_on_ = at + block_;
      if (!ring_) edge(true, at, sink);
    } else if (ring_ && at >= last_on_ + bridge_) {
      edge(false, last_on_, sink);
    }
    check_gap(at, sink);
  }
  template <class Sink>
  void edge(bool on, std::uint64_t at, Sink& sink) noexcept {
    if (on == ring_) return;
    ring_ = on;
    if (on) {
      if (nd_ > 0 && nd_ < kMax) durs_[nd_++] = at - burst_end_;  // the gap
      if (nd_ == 0) cycle_start_ = at;
      burst_start_ = at;
      sink(RingEvent{RingEvent::Type::burst_begin, at, 0, -1, 0});
    } else {
      if (nd_ < kMax) durs_[nd_++] = at - burst_start_;
      burst_end_ = at;
      sink(RingEvent{RingEvent::Type::burst_end, at, at - burst_start_, -1, 0});
    }
  }
  template <class Sink>
  void check_gap(std::uint64_t now, Sink& sink) noexcept {
    if (ring_ || nd_ == 0 || now < burst_end_ + gap_) return;
    RingEvent e{RingEvent::Type::cycle, cycle_start_, burst_end_ - cycle_start_, classify(), 0};
    e.bursts = static_cast<std::uint8_t>((nd_ + 1) / 2);
    nd_ = 0;
    sink(e);
  }
  int classify() const noexcept;

  static constexpr std::size_t kMax = 16;
  struct Pat {
    std::vector<std::uint64_t> d;  // durations in samples without the final off
  };
  std::vector<Pat> pats_;
  RingDetectorConfig cfg_;
  double threshold_ = 0;
  std::size_t block_ = 80, fill_ = 0;
  double acc_ = 0;
  std::uint64_t n_ = 0, bridge_ = 0, gap_ = 0, last_on_ = 0;
  bool ring_ = false;
  std::uint64_t burst_start_ = 0, burst_end_ = 0, cycle_start_ = 0;
  std::array<std::uint64_t, kMax> durs_{};
  std::size_t nd_ = 0;
};

}  // namespace linedsp
