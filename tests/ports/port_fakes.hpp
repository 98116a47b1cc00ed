// tests/ports/port_fakes.hpp — what the FXS/FXO port unit tests share: a fake LineDevice that records every
// control with the port's sample clock, textbook signal synthesis (sines at dBm0 levels, DTMF pairs, cadenced
// tones: the oracle, independent of signals/), a Hann-windowed single-bin DFT, and a block-wise driver that hands
// line events to the port ahead of time (they are applied at their exact frame).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numbers>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "devices/line_device.hpp"
#include "ports/port_event.hpp"

#if defined(LINEDSP_HAVE_SPANDSP)
#include <spandsp.h>
#endif

namespace linedsp::test {

struct Control {
  enum class Kind { off_hook, on_hook, ring, ring_off, polarity } kind;
  std::uint64_t sample = 0;
  RingCadence cadence{};
  bool reversed = false;
};

class FakeLine final : public LineDevice {
 public:
  std::function<std::uint64_t()> clock = [] { return std::uint64_t{0}; };
  std::vector<Control> controls;

  AudioFormat format() const noexcept override { return {}; }
  DeviceCapabilities capabilities() const noexcept override {
    DeviceCapabilities c;
    c.signalling_events = c.hook_control = c.ring_control = c.polarity_control = true;
    return c;
  }
  const std::string& name() const noexcept override { return name_; }
  std::size_t read(std::span<std::int16_t>) noexcept override { return 0; }
  const std::string& error() const noexcept override { return name_; }
  bool off_hook(int) noexcept override { return add(Control::Kind::off_hook); }
  bool on_hook(int) noexcept override { return add(Control::Kind::on_hook); }
  bool ring(const RingCadence& c, int) noexcept override { return add(Control::Kind::ring, c); }
  bool ring_off(int) noexcept override { return add(Control::Kind::ring_off); }
  bool reverse_polarity(bool r, int) noexcept override { return add(Control::Kind::polarity, {}, r); }

  std::vector<Control> of(Control::Kind k) const {
    std::vector<Control> v;
    for (const auto& c : controls)
      if (c.kind == k) v.push_back(c);
    return v;
  }

 private:
  bool add(Control::Kind k, RingCadence c = {}, bool r = false) {
    controls.push_back(Control{k, clock(), c, r});
    return true;
  }
  std::string name_ = "fake";
};

inline std::uint64_t ms(double v) { return static_cast<std::uint64_t>(std::llround(v * 8.0)); }

// Peak amplitude of a sine at `dbm0` (0 dBm0 sine peak = 32768 * 10^(-3.17/20), G.711 mu-law).
inline double peak_of(double dbm0) { return 32768.0 * std::pow(10.0, (dbm0 - 3.17) / 20.0); }

inline void add_sines(std::vector<std::int16_t>& x, std::uint64_t at, std::uint64_t n, std::initializer_list<double> freqs,
                      double dbm0) {
  if (x.size() < at + n) x.resize(at + n, 0);
  const double a = peak_of(dbm0);
  for (std::uint64_t i = 0; i < n; ++i) {
    double v = x[at + i];
    for (double f : freqs) v += a * std::sin(2.0 * std::numbers::pi * f * static_cast<double>(i) / 8000.0);
    x[at + i] = static_cast<std::int16_t>(std::clamp(std::lround(v), -32768L, 32767L));
  }
}

// Q.23 DTMF pair (textbook frequencies), -8 dBm0 per tone.
inline void add_dtmf(std::vector<std::int16_t>& x, std::uint64_t at, char d, double on_ms = 60) {
  static const char* keys = "123A456B789C*0#D";
  const double lo[] = {697, 770, 852, 941}, hi[] = {1209, 1336, 1477, 1633};
  const auto k = static_cast<std::size_t>(std::string_view(keys).find(d));
  add_sines(x, at, ms(on_ms), {lo[k / 4], hi[k % 4]}, -8.0);
}

// A cadenced tone (on/off ms, repeated) from `at` for `total` samples.
inline void add_cadenced(std::vector<std::int16_t>& x, std::uint64_t at, std::uint64_t total,
                         std::initializer_list<double> freqs, std::vector<double> cadence_ms, double dbm0) {
  std::uint64_t t = 0;
  for (std::size_t k = 0; t < total; k = (k + 1) % cadence_ms.size()) {
    const std::uint64_t len = std::min<std::uint64_t>(ms(cadence_ms[k]), total - t);
    if (k % 2 == 0) add_sines(x, at + t, len, freqs, dbm0);
    t += len;
  }
  if (x.size() < at + total) x.resize(at + total, 0);
}

// Power of `x[at, at+n)` at `f` Hz through a Hann window (textbook DFT bin), in dB.
inline double bin_db(const std::vector<std::int16_t>& x, std::uint64_t at, std::uint64_t n, double f) {
  double re = 0, im = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    const double w = 0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(n));
    const double ph = 2.0 * std::numbers::pi * f * static_cast<double>(i) / 8000.0;
    re += w * x[at + i] * std::cos(ph);
    im -= w * x[at + i] * std::sin(ph);
  }
  return 10.0 * std::log10(re * re + im * im + 1e-9);
}

inline std::uint64_t first_nonzero(const std::vector<std::int16_t>& x, std::uint64_t from = 0) {
  for (std::uint64_t i = from; i < x.size(); ++i)
    if (x[i] != 0) return i;
  return x.size();
}
// One past the last non-zero sample of the run starting at `from` (a run ends at 40 zero samples).
inline std::uint64_t run_end(const std::vector<std::int16_t>& x, std::uint64_t from) {
  std::uint64_t last = from, zeros = 0;
  for (std::uint64_t i = from; i < x.size() && zeros < 40; ++i) {
    if (x[i] != 0) {
      last = i + 1;
      zeros = 0;
    } else {
      ++zeros;
    }
  }
  return last;
}

struct PortRun {
  std::vector<PortEvent> events;
  std::vector<std::int16_t> tx, out;
  std::vector<PortEvent> of(PortEventKind k) const {
    std::vector<PortEvent> v;
    for (const auto& e : events)
      if (e.kind == k) v.push_back(e);
    return v;
  }
  std::string kinds() const {
    std::string s;
    for (const auto& e : events) {
      s += port_event_name(e.kind);
      if (e.kind == PortEventKind::dial_tone || e.kind == PortEventKind::ringing || e.kind == PortEventKind::ringback)
        s += e.value != 0 ? "+" : "-";
      s += " ";
    }
    return s;
  }
};

// Runs `port` over `rx` in blocks of `block`; line events are handed over before the block that contains their
// frame (the port queues those ahead of its clock); `at` is called before each block with its first sample (the
// gateway's controls). voip_in is silence unless given.
template <class Port>
PortRun drive(Port& port, const std::vector<std::int16_t>& rx, std::vector<LineEvent> line_events, std::size_t block,
              const std::function<void(Port&, std::uint64_t)>& at = {}, const std::vector<std::int16_t>& voip_in = {}) {
  PortRun r;
  const std::size_t n = rx.size();
  r.tx.assign(n, 0);
  r.out.assign(n, 0);
  std::stable_sort(line_events.begin(), line_events.end(), [](const auto& a, const auto& b) { return a.frame < b.frame; });
  std::size_t next = 0;
  auto sink = [&](const PortEvent& e) { r.events.push_back(e); };
  for (std::size_t s = 0; s < n; s += block) {
    const std::size_t len = std::min(block, n - s);
    if (at) at(port, s);
    while (next < line_events.size() && line_events[next].frame < s + len) port.on_line_event(line_events[next++]);
    const std::span<const std::int16_t> vin =
        voip_in.size() > s ? std::span<const std::int16_t>(voip_in).subspan(s, std::min(len, voip_in.size() - s))
                           : std::span<const std::int16_t>{};
    port.process(std::span<const std::int16_t>(rx).subspan(s, len), std::span<std::int16_t>(r.tx).subspan(s, len), vin,
                 std::span<std::int16_t>(r.out).subspan(s, len), sink);
  }
  return r;
}

inline LineEvent line_event(LineEventKind k, std::uint64_t frame) {
  LineEvent e{k};
  e.frame = frame;
  return e;
}

#if defined(LINEDSP_HAVE_SPANDSP)
// spandsp 0.0.6 adsi_rx as the independent caller-ID oracle: the messages it decoded (type, length, data; its
// checksum check passed).
inline std::vector<std::vector<std::uint8_t>> spandsp_decode(const std::vector<std::int16_t>& pcm, int standard) {
  std::vector<std::vector<std::uint8_t>> msgs;
  auto put = [](void* user, const std::uint8_t* msg, int len) {
    if (len > 0) static_cast<std::vector<std::vector<std::uint8_t>>*>(user)->emplace_back(msg, msg + len);
  };
  adsi_rx_state_t* rx = adsi_rx_init(nullptr, standard, put, &msgs);
  adsi_rx(rx, pcm.data(), static_cast<int>(pcm.size()));
  adsi_rx_free(rx);
  return msgs;
}
// The value of MDMF parameter `type` in a message adsi_rx handed over ("" if absent).
inline std::string mdmf_param(const std::vector<std::uint8_t>& m, std::uint8_t type) {
  for (std::size_t i = 2; i + 1 < m.size();) {
    const std::size_t len = m[i + 1];
    if (m[i] == type && i + 2 + len <= m.size()) return std::string(m.begin() + static_cast<std::ptrdiff_t>(i + 2),
                                                                    m.begin() + static_cast<std::ptrdiff_t>(i + 2 + len));
    i += 2 + len;
  }
  return "";
}
#endif

// Expects constructing Port with `plan`, `line` and the country's config changed by `tweak` to throw
// std::invalid_argument whose message names `field` (the constructor is the only place a port throws).
template <class Port, class Config, class Tweak>
void expect_config_rejected(const TonePlan& plan, LineDevice& line, const char* field, Tweak tweak) {
  Config c = Config::for_country(plan);
  tweak(c);
  try {
    Port p(plan, line, c);
    ADD_FAILURE() << "accepted: " << field;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
  }
}

}  // namespace linedsp::test
