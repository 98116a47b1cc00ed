// devices/sim_line.hpp — a simulated two-wire loop: an exchange end (the battery feed: a central office or an FXS
// port) and a phone end (a telephone or an FXO port), sample accurate at 8 kHz. The honest stand-in for
// hardware in tests and in `linedsp sim`.
//
// Signalling (DC and ringing):
//  - battery and loop current: the loop is closed while the phone end is off-hook and the exchange has not opened
//    it; loop current = battery / (loop + set resistance), signed by the battery polarity (0 when open);
//  - ring voltage with a cadence (RingCadence on/off ms, repeated) at the ring frequency: ring_begin / ring_end at
//    the phone end at the exact sample of each edge, and the waveform (volts x 100, signals/ring.hpp's scale)
//    when the caller asks for it; ring trip: the phone going off-hook while the cadence runs stops ringing at that
//    sample (the exchange end sees hook_off, the phone end ring_end if the voltage was on);
//  - polarity reversal (exchange control): `polarity` at the phone end;
//  - loop-current drop (open switch interval, disconnect supervision): the exchange opens the loop for a time:
//    loop_drop / loop_restore at the phone end (only while off-hook: an on-hook phone draws no current anyway);
//  - hook switch (phone control): hook_off / hook_on at the exchange end, raw (flash vs hang-up is the port's
//    decision by on-hook duration).
// Audio: each end receives the other end's transmit attenuated by attenuation_db, white noise at noise_dbm0, and
// the hybrid echo of its own transmit through a G.168 Annex D echo path model at that end's ERL (negative ERL =
// no echo at that end). Audio passes while on-hook (on-hook caller ID), the phone's transmit only while the loop
// is closed.
//
// Views. The two ends are LineDevice views (exchange(), phone()) for signalling and controls: poll_event()
// returns that end's events in order, the controls of each end act at the next sample processed. Audio does not
// go through the views (their read/write return 0; capabilities say so): the caller runs both ends in lock step
// with process(), which is how a simulation has to drive two devices that share one clock anyway.
//
// Real-time contract: process() and the controls are noexcept and allocation-free; events beyond the view's
// queue capacity are counted (dropped()), never allocated. Results do not depend on the block sizes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "devices/line_device.hpp"

namespace linedsp {

struct SimLineConfig {
  int sample_rate_hz = 8000;
  double attenuation_db = 3.0;     // loop loss, each direction
  double noise_dbm0 = -70.0;       // white noise at each receiving end; <= -120 for none
  int echo_model = 5;              // G.168 Annex D model (2..9) of both hybrids
  int echo_delay_samples = 0;      // bulk delay before the model's response
  double exchange_erl_db = -1.0;   // echo of the exchange's transmit in its receive; < 0: none
  double phone_erl_db = -1.0;      // echo of the phone end's transmit in its receive; < 0: none
  double battery_v = 48.0;         // talk battery
  double loop_resistance_ohm = 800.0;
  double set_resistance_ohm = 400.0;  // the off-hook phone (or FXO port) as a resistance
  double ring_vrms = 75.0;
  double ring_frequency_hz = 20.0;
  std::uint32_t seed = 1;
};

class SimLine;

// One end of the loop as a LineDevice (signalling and controls; audio through SimLine::process).
class SimLineEnd final : public LineDevice {
 public:
  static constexpr std::size_t kQueueCapacity = 64;

  AudioFormat format() const noexcept override;
  DeviceCapabilities capabilities() const noexcept override;
  const std::string& name() const noexcept override { return name_; }
  std::size_t read(std::span<std::int16_t> frames) noexcept override { (void)frames; return 0; }
  std::optional<LineEvent> poll_event() noexcept override;
  // Phone end: hook switch. Exchange end: false.
  bool off_hook(int channel = 0) noexcept override;
  bool on_hook(int channel = 0) noexcept override;
  // Exchange end: ringing, polarity. Phone end: false.
  bool ring(const RingCadence& cadence, int channel = 0) noexcept override;
  bool ring_off(int channel = 0) noexcept override;
  bool reverse_polarity(bool reversed, int channel = 0) noexcept override;
  const std::string& error() const noexcept override { return error_; }
  std::size_t dropped() const noexcept { return dropped_; }

 private:
  friend class SimLine;
  SimLineEnd(SimLine& line, bool exchange_end, std::string name) : line_(line), exchange_(exchange_end), name_(std::move(name)) {}
  void push(LineEventKind kind, std::uint64_t frame) noexcept;

  SimLine& line_;
  bool exchange_;
  std::string name_, error_;
  std::array<LineEvent, kQueueCapacity> q_{};
  std::size_t head_ = 0, count_ = 0, dropped_ = 0;
};

class SimLine {
 public:
  // Validates (std::invalid_argument naming the field) and builds the echo paths. `name` prefixes the views'
  // names ("NAME:exchange", "NAME:phone").
  explicit SimLine(const SimLineConfig& cfg = {}, const std::string& name = "sim");
  SimLine(const SimLine&) = delete;
  SimLine& operator=(const SimLine&) = delete;

  SimLineEnd& exchange() noexcept { return exchange_end_; }
  SimLineEnd& phone() noexcept { return phone_end_; }

  // Exchange control with no LineDevice equivalent: open the loop for `ms` from the next sample.
  void drop_loop_current(std::uint32_t ms) noexcept;

  // Runs n = exchange_rx.size() samples. All spans have n samples except ring_voltage, which may be empty (else
  // n samples of the ring voltage at the phone end, volts x 100).
  void process(std::span<const std::int16_t> exchange_tx, std::span<const std::int16_t> phone_tx,
               std::span<std::int16_t> exchange_rx, std::span<std::int16_t> phone_rx,
               std::span<std::int16_t> ring_voltage = {}) noexcept;

  bool phone_off_hook() const noexcept { return hook_off_; }
  bool loop_closed() const noexcept { return hook_off_ && open_left_ == 0; }
  bool ringing() const noexcept { return ringing_; }            // the cadence runs
  bool ring_voltage_on() const noexcept { return ring_on_; }    // within an on part of it
  bool polarity_reversed() const noexcept { return reversed_; }
  double loop_current_ma() const noexcept;
  std::uint64_t samples() const noexcept { return n_; }
  const SimLineConfig& config() const noexcept { return cfg_; }
  void reset() noexcept;

 private:
  friend class SimLineEnd;
  float noise() noexcept;
  float echo(std::vector<float>& hist, const std::vector<float>& h, float x) noexcept;

  SimLineConfig cfg_;
  SimLineEnd exchange_end_, phone_end_;
  float gain_, noise_amp_;
  std::vector<float> h_exchange_, h_phone_;        // echo paths (empty: none)
  std::vector<float> hist_exchange_, hist_phone_;  // transmit history, circular, newest at pos_
  std::size_t pos_ = 0;
  std::uint32_t rng_;
  // pending controls, applied at the next sample
  bool want_hook_off_ = false, want_reversed_ = false;
  bool want_ring_ = false, ring_request_ = false;
  RingCadence cadence_{};
  std::uint32_t want_open_ms_ = 0;
  // state
  std::uint64_t n_ = 0;
  bool hook_off_ = false, reversed_ = false, ringing_ = false, ring_on_ = false, dropped_ = false;
  std::uint64_t open_left_ = 0;
  std::uint64_t ring_pos_ = 0, ring_cycle_ = 0;
  std::array<std::uint64_t, RingCadence::kMaxSegments> ring_ends_{};
  std::size_t ring_count_ = 0;
  double ring_phase_ = 0.0, ring_inc_ = 0.0, ring_peak_ = 0.0;
};

}  // namespace linedsp
