// devices/sim_line.cpp — see sim_line.hpp.
#include "devices/sim_line.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>

#include "dsp/level.hpp"
#include "signals/g168.hpp"
#include "signals/ring.hpp"

namespace linedsp {

AudioFormat SimLineEnd::format() const noexcept { return AudioFormat{line_.config().sample_rate_hz, 1}; }

DeviceCapabilities SimLineEnd::capabilities() const noexcept {
  DeviceCapabilities c;
  c.signalling_events = true;
  c.hook_control = !exchange_;
  c.ring_control = exchange_;
  c.polarity_control = exchange_;
  return c;
}

void SimLineEnd::push(LineEventKind kind, std::uint64_t frame) noexcept {
  if (count_ == kQueueCapacity) {
    ++dropped_;
    return;
  }
  q_[(head_ + count_) % kQueueCapacity] = LineEvent{kind, 0, frame};
  ++count_;
}

std::optional<LineEvent> SimLineEnd::poll_event() noexcept {
  if (count_ == 0) return std::nullopt;
  const LineEvent e = q_[head_];
  head_ = (head_ + 1) % kQueueCapacity;
  --count_;
  return e;
}

bool SimLineEnd::off_hook(int) noexcept {
  if (exchange_) return false;
  line_.want_hook_off_ = true;
  return true;
}
bool SimLineEnd::on_hook(int) noexcept {
  if (exchange_) return false;
  line_.want_hook_off_ = false;
  return true;
}
bool SimLineEnd::ring(const RingCadence& cadence, int) noexcept {
  if (!exchange_ || cadence.count == 0 || cadence.count > RingCadence::kMaxSegments) return false;
  line_.cadence_ = cadence;
  line_.want_ring_ = true;
  line_.ring_request_ = true;
  return true;
}
bool SimLineEnd::ring_off(int) noexcept {
  if (!exchange_) return false;
  line_.want_ring_ = false;
  line_.ring_request_ = true;
  return true;
}
bool SimLineEnd::reverse_polarity(bool reversed, int) noexcept {
  if (!exchange_) return false;
  line_.want_reversed_ = reversed;
  return true;
}

SimLine::SimLine(const SimLineConfig& cfg, const std::string& name)
    : cfg_(cfg), exchange_end_(*this, true, name + ":exchange"), phone_end_(*this, false, name + ":phone") {
  if (cfg.sample_rate_hz != 8000) throw std::invalid_argument("SimLineConfig.sample_rate_hz: must be 8000");
  if (!(cfg.attenuation_db >= 0.0 && cfg.attenuation_db <= 60.0))
    throw std::invalid_argument("SimLineConfig.attenuation_db: must be in [0, 60]");
  if (!(cfg.noise_dbm0 <= 0.0)) throw std::invalid_argument("SimLineConfig.noise_dbm0: must be <= 0");
  if (cfg.echo_model < g168::kFirstModel || cfg.echo_model > g168::kLastModel)
    throw std::invalid_argument("SimLineConfig.echo_model: must be a G.168 Annex D model, 2..9");
  if (cfg.echo_delay_samples < 0 || cfg.echo_delay_samples > 800)
    throw std::invalid_argument("SimLineConfig.echo_delay_samples: must be in [0, 800]");
  if (!(cfg.battery_v > 0.0)) throw std::invalid_argument("SimLineConfig.battery_v: must be positive");
  if (!(cfg.loop_resistance_ohm >= 0.0 && cfg.set_resistance_ohm > 0.0))
    throw std::invalid_argument("SimLineConfig.loop_resistance_ohm: resistances must be positive");
  if (!(cfg.ring_vrms > 0.0 && cfg.ring_vrms <= 150.0))
    throw std::invalid_argument("SimLineConfig.ring_vrms: must be in (0, 150]");
  if (!(cfg.ring_frequency_hz >= 10.0 && cfg.ring_frequency_hz <= 70.0))
    throw std::invalid_argument("SimLineConfig.ring_frequency_hz: must be in [10, 70]");
  gain_ = static_cast<float>(std::pow(10.0, -cfg.attenuation_db / 20.0));
  // White noise from a sum of 4 uniforms (variance 4/12 of unit range): amplitude scaled to the rms wanted.
  noise_amp_ = cfg.noise_dbm0 <= -120.0 ? 0.0f : static_cast<float>(std::sqrt(dbm0_to_power(cfg.noise_dbm0) * 3.0));
  if (cfg.exchange_erl_db >= 0.0) h_exchange_ = g168::echo_path(cfg.echo_model, cfg.exchange_erl_db, cfg.echo_delay_samples);
  if (cfg.phone_erl_db >= 0.0) h_phone_ = g168::echo_path(cfg.echo_model, cfg.phone_erl_db, cfg.echo_delay_samples);
  const std::size_t hist = std::max(h_exchange_.size(), h_phone_.size());
  hist_exchange_.assign(hist, 0.0f);
  hist_phone_.assign(hist, 0.0f);
  ring_inc_ = cfg.ring_frequency_hz / cfg.sample_rate_hz;
  ring_peak_ = cfg.ring_vrms * std::numbers::sqrt2 / kRingVoltsPerUnit;
  reset();
}

double SimLine::loop_current_ma() const noexcept {
  if (!loop_closed()) return 0.0;
  const double ma = 1000.0 * cfg_.battery_v / (cfg_.loop_resistance_ohm + cfg_.set_resistance_ohm);
  return reversed_ ? -ma : ma;
}

void SimLine::reset() noexcept {
  for (auto& v : hist_exchange_) v = 0.0f;
  for (auto& v : hist_phone_) v = 0.0f;
  pos_ = 0;
  rng_ = cfg_.seed ? cfg_.seed : 1u;
  want_hook_off_ = want_reversed_ = want_ring_ = ring_request_ = false;
  want_open_ms_ = 0;
  n_ = 0;
  hook_off_ = reversed_ = ringing_ = ring_on_ = dropped_ = false;
  open_left_ = ring_pos_ = ring_cycle_ = 0;
  ring_count_ = 0;
  ring_phase_ = 0.0;
  exchange_end_.head_ = exchange_end_.count_ = exchange_end_.dropped_ = 0;
  phone_end_.head_ = phone_end_.count_ = phone_end_.dropped_ = 0;
}

void SimLine::drop_loop_current(std::uint32_t ms) noexcept { want_open_ms_ = ms == 0 ? 1 : ms; }

float SimLine::noise() noexcept {
  if (noise_amp_ == 0.0f) return 0.0f;
  float s = 0.0f;
  for (int i = 0; i < 4; ++i) {
    rng_ = rng_ * 1664525u + 1013904223u;
    s += static_cast<float>(rng_ >> 8) * (1.0f / 16777216.0f) - 0.5f;
  }
  return s * noise_amp_;
}

float SimLine::echo(std::vector<float>& hist, const std::vector<float>& h, float x) noexcept {
  const std::size_t len = hist.size();
  if (len == 0) return 0.0f;
  hist[pos_] = x;
  if (h.empty()) return 0.0f;
  float acc = 0.0f;
  std::size_t idx = pos_;
  for (std::size_t k = 0; k < h.size(); ++k) {
    acc += h[k] * hist[idx];
    idx = idx == 0 ? len - 1 : idx - 1;
  }
  return acc;
}

static std::int16_t saturate(float v) noexcept {
  const float r = std::nearbyint(v);
  return static_cast<std::int16_t>(r > 32767.0f ? 32767.0f : (r < -32768.0f ? -32768.0f : r));
}

void SimLine::process(std::span<const std::int16_t> exchange_tx, std::span<const std::int16_t> phone_tx,
                      std::span<std::int16_t> exchange_rx, std::span<std::int16_t> phone_rx,
                      std::span<std::int16_t> ring_voltage) noexcept {
  const std::size_t n = exchange_rx.size();
  const std::uint64_t per_ms = static_cast<std::uint64_t>(cfg_.sample_rate_hz / 1000);
  for (std::size_t i = 0; i < n; ++i, ++n_) {
    // 1. controls requested since the last sample
    if (want_reversed_ != reversed_) {
      reversed_ = want_reversed_;
      phone_end_.push(LineEventKind::polarity, n_);
    }
    if (want_open_ms_ != 0) {
      open_left_ = static_cast<std::uint64_t>(want_open_ms_) * per_ms;
      want_open_ms_ = 0;
    }
    if (ring_request_) {
      ring_request_ = false;
      if (want_ring_ && !hook_off_) {
        std::uint64_t acc = 0;
        ring_count_ = cadence_.count;
        for (std::size_t k = 0; k < ring_count_; ++k) ring_ends_[k] = acc += cadence_.segments_ms[k] * per_ms;
        ring_cycle_ = acc;
        ring_pos_ = 0;
        ringing_ = true;
      } else if (!want_ring_ && ringing_) {
        ringing_ = false;
      }
      want_ring_ = false;
    }
    if (want_hook_off_ != hook_off_) {
      hook_off_ = want_hook_off_;
      exchange_end_.push(hook_off_ ? LineEventKind::hook_off : LineEventKind::hook_on, n_);
      if (hook_off_ && ringing_) ringing_ = false;  // ring trip
      if (hook_off_ && open_left_ > 0) {
        dropped_ = true;
        phone_end_.push(LineEventKind::loop_drop, n_);
      }
    }
    // 2. loop current
    const bool open = open_left_ > 0;
    if (hook_off_ && open && !dropped_) {
      dropped_ = true;
      phone_end_.push(LineEventKind::loop_drop, n_);
    }
    if (dropped_ && (!open || !hook_off_)) {
      dropped_ = false;
      if (hook_off_) phone_end_.push(LineEventKind::loop_restore, n_);
    }
    if (open_left_ > 0) --open_left_;
    // 3. ring voltage
    bool on = false;
    if (ringing_ && ring_cycle_ > 0) {
      std::size_t seg = 0;
      while (seg < ring_count_ && ring_pos_ >= ring_ends_[seg]) ++seg;
      on = seg % 2 == 0;
      if (++ring_pos_ >= ring_cycle_) ring_pos_ = 0;
    }
    if (on != ring_on_) {
      ring_on_ = on;
      phone_end_.push(on ? LineEventKind::ring_begin : LineEventKind::ring_end, n_);
      if (on) ring_phase_ = 0.0;
    }
    std::int16_t rv = 0;
    if (on) {
      rv = saturate(static_cast<float>(ring_peak_ * std::sin(2.0 * std::numbers::pi * ring_phase_)));
      ring_phase_ += ring_inc_;
      if (ring_phase_ >= 1.0) ring_phase_ -= 1.0;
    }
    if (!ring_voltage.empty()) ring_voltage[i] = rv;
    // 4. audio
    const float xt = static_cast<float>(exchange_tx[i]);
    const float pt = loop_closed() ? static_cast<float>(phone_tx[i]) : 0.0f;
    const float ex_echo = echo(hist_exchange_, h_exchange_, xt);
    const float ph_echo = echo(hist_phone_, h_phone_, pt);
    if (!hist_exchange_.empty()) pos_ = pos_ + 1 == hist_exchange_.size() ? 0 : pos_ + 1;
    exchange_rx[i] = saturate(gain_ * pt + ex_echo + noise());
    phone_rx[i] = saturate(gain_ * xt + ph_echo + noise());
  }
}

}  // namespace linedsp
