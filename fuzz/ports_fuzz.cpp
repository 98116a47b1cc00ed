// fuzz/ports_fuzz.cpp — the FXS and FXO port state machines (ports/) driven by a hostile line and gateway: the
// input is a script of steps, each one byte of action (a line event of any kind — hook, flash, ring, polarity,
// loop drop, alarm — at any sample, possibly out of order, or a gateway control: ring with caller ID, stop,
// play a tone, dial, answer, hang up), one byte of block size, and that many samples of arbitrary audio on the
// line and the VoIP side. Beyond no crash/UB/leak/hang: the ports' clocks advance by exactly the audio given,
// and each process() call reports at most kMaxEvents events.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "devices/line_device.hpp"
#include "ports/fxo_port.hpp"
#include "ports/fxs_port.hpp"
#include "signals/tone_plan.hpp"

namespace {

// A line that accepts every control and produces nothing (events come from the script).
class NullLine final : public linedsp::LineDevice {
 public:
  linedsp::AudioFormat format() const noexcept override { return {}; }
  linedsp::DeviceCapabilities capabilities() const noexcept override {
    linedsp::DeviceCapabilities c;
    c.audio_in = c.audio_out = c.signalling_events = c.hook_control = c.ring_control = c.polarity_control = true;
    return c;
  }
  const std::string& name() const noexcept override { return name_; }
  const std::string& error() const noexcept override { return error_; }
  std::size_t read(std::span<std::int16_t>) noexcept override { return 0; }
  std::size_t write(std::span<const std::int16_t> f) noexcept override { return f.size(); }
  bool off_hook(int) noexcept override { return true; }
  bool on_hook(int) noexcept override { return true; }
  bool flash(int) noexcept override { return true; }
  bool ring(const linedsp::RingCadence&, int) noexcept override { return true; }
  bool ring_off(int) noexcept override { return true; }

 private:
  std::string name_ = "fuzz", error_;
};

const linedsp::TonePlan& plan() {
  static const linedsp::TonePlan p = linedsp::parse_tone_plan(
      "country = \"us\"\nname = \"fuzz\"\n"
      "[tones.dial]\nfreqs = [350, 440]\nlevel_dbm0 = -13.0\n"
      "[tones.busy]\nfreqs = [480, 620]\ncadence = [500, 500]\nlevel_dbm0 = -24.0\n"
      "[tones.congestion]\nfreqs = [480, 620]\ncadence = [250, 250]\nlevel_dbm0 = -24.0\n"
      "[tones.ringback]\nfreqs = [440, 480]\ncadence = [2000, 4000]\nlevel_dbm0 = -19.0\n"
      "[rings.normal]\ncadence = [2000, 4000]\n",
      "fuzz-plan.toml");
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool fxo = data[0] & 1;
  NullLine line;
  std::optional<linedsp::FxsPort> fxs_port;
  std::optional<linedsp::FxoPort> fxo_port;
  if (fxo)
    fxo_port.emplace(plan(), line, linedsp::FxoPortConfig::for_country(plan()));
  else
    fxs_port.emplace(plan(), line, linedsp::FxsPortConfig::for_country(plan()));
  linedsp::CallerIdMessage cid;
  cid.date_time = "11231055";
  cid.number = "5551234";
  cid.name = "FUZZ";
  std::vector<std::int16_t> rx, tx, vin, vout;
  std::uint64_t clock = 0;
  std::size_t pos = 1;
  while (pos + 2 <= size) {
    const std::uint8_t act = data[pos], len_byte = data[pos + 1];
    pos += 2;
    const std::size_t n = std::size_t(len_byte) * 8;  // up to 2040 samples
    rx.assign(n, 0), tx.assign(n, 0), vin.assign(n, 0), vout.assign(n, 0);
    for (std::size_t i = 0; i < n && pos + 1 < size; ++i, pos += 2) {
      rx[i] = std::int16_t(data[pos] | data[pos + 1] << 8);
      vin[i] = std::int16_t(data[pos + 1] | data[pos] << 8);
    }
    if (act < 0x90) {  // a line event of any kind, at a sample around now (up to 2 s early or late)
      linedsp::LineEvent e;
      e.kind = linedsp::LineEventKind(act % 9);
      const std::int64_t at = std::int64_t(clock) + (std::int64_t(act >> 4) - 4) * 2000;
      e.frame = at < 0 ? 0 : std::uint64_t(at);
      if (fxo) fxo_port->on_line_event(e); else fxs_port->on_line_event(e);
    } else if (fxo) {
      switch (act % 4) {
        case 0: (void)fxo_port->dial("5551234#*"); break;
        case 1: (void)fxo_port->answer(); break;
        case 2: fxo_port->hang_up(); break;
        default: break;
      }
    } else {
      switch (act % 6) {
        case 0: (void)fxs_port->ring(&cid); break;
        case 1: (void)fxs_port->ring(nullptr); break;
        case 2: fxs_port->stop_ringing(); break;
        case 3: fxs_port->play_tone(linedsp::ToneKind(act % 8)); break;
        case 4: fxs_port->stop_tone(); break;
        default: break;
      }
    }
    std::size_t events = 0;
    auto sink = [&](const linedsp::PortEvent&) { ++events; };
    if (fxo) fxo_port->process(rx, tx, vin, vout, sink); else fxs_port->process(rx, tx, vin, vout, sink);
    clock += n;
    const std::uint64_t now = fxo ? fxo_port->samples() : fxs_port->samples();
    if (now != clock) std::abort();
    if (events > linedsp::FxsPort::kMaxEvents) std::abort();
  }
  return 0;
}
