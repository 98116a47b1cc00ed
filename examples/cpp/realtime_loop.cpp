// examples/cpp/realtime_loop.cpp — one gateway channel's real-time loop with the C++ API (docs/embedding.md).
//
// Everything that may allocate, throw or read files happens before the loop: loading the tone plan, constructing
// the processors, sizing the buffers. Inside the loop (one iteration = one 20 ms frame) only process()/generate()
// calls run: noexcept, no allocation, no locks, bounded work. Events leave through caller-owned fixed buffers
// (FixedEventBuffer) and are handed on after the frame; in a product that hand-off is a lock-free queue to a
// non-real-time thread, here it is a printf after the frame's processing.
//
// The channel, per 20 ms:
//   network -> line: a mu-law packet (or a lost one: G.711 Appendix I concealment) -> far end;
//   line -> network: near end (the line's echo of far + what the phone sends) -> echo canceller (64 ms tail)
//     -> DTMF receiver (a digit is muted from its begin event and sent as RFC 4733 packets)
//     -> call-progress and modem-tone detectors -> mu-law packet.
// The "network" and the "line" are simulated: the far party talks (a pseudo-random signal), every 10th packet
// is lost, the line returns the far signal's echo 12 dB down, the phone dials 4 2 and later the line plays busy.
// Exit 0 when the receiver heard "42", sent RFC 4733 packets for both digits, the progress detector confirmed
// busy and the canceller removed at least 10 dB of echo; run by ctest (label examples).
//
// Usage: linedsp_realtime_loop DATA_DIR   (the folder holding tones/us.toml)
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>

#include "codecs/g711.hpp"
#include "codecs/plc.hpp"
#include "codecs/rfc4733.hpp"
#include "signals/dtmf_detector.hpp"
#include "signals/dtmf_generator.hpp"
#include "signals/echo_canceller.hpp"
#include "signals/event.hpp"
#include "signals/modem_tone_detector.hpp"
#include "signals/progress_detector.hpp"
#include "signals/tone_generator.hpp"
#include "signals/tone_plan.hpp"

namespace {

constexpr std::size_t kFrame = 160;  // 20 ms at 8 kHz
constexpr int kFrames = 500;         // 10 s
constexpr std::size_t kEchoDelay = 24;

// One channel's processors: constructed once (off the real-time thread), then only process()ed.
struct Channel {
  explicit Channel(const linedsp::TonePlan& plan)
      : ec(echo_config()), progress(plan), busy_on_line(*plan.find(linedsp::ToneKind::busy)) {}
  static linedsp::EchoCancellerConfig echo_config() {
    linedsp::EchoCancellerConfig c;
    c.tail_ms = 64;
    return c;
  }
  linedsp::G711Plc plc;
  linedsp::EchoCanceller ec;
  linedsp::DtmfDetector dtmf;
  linedsp::ProgressDetector progress;
  linedsp::ModemToneDetector modem;
  linedsp::TelephoneEventSender rfc4733;
  // Caller-owned event buffers, drained after every frame.
  linedsp::FixedEventBuffer<linedsp::DtmfEvent, 8> digits;
  linedsp::FixedEventBuffer<linedsp::ProgressEvent, 8> tones;
  linedsp::FixedEventBuffer<linedsp::ModemToneEvent, 8> modem_tones;
  linedsp::FixedEventBuffer<linedsp::TelephoneEventPacket, 16> packets;
  bool muted = false;
  // The simulation's own sources (a real gateway has a phone and a network instead).
  linedsp::DtmfGenerator phone;
  linedsp::ToneGenerator busy_on_line;
};

std::uint32_t g_rng = 12345u;
std::int16_t far_party() {  // uniform +-2000
  g_rng = g_rng * 1664525u + 1013904223u;
  return static_cast<std::int16_t>(static_cast<std::int32_t>(g_rng >> 16) % 4001 - 2000);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return 2;
  }
  // ---- set-up: may allocate, read files and throw ---------------------------------------------------------
  const linedsp::TonePlan plan = linedsp::load_country_plan(argv[1], "us");
  Channel ch{plan};
  std::array<std::int16_t, kFrame * kFrames> far_history{};
  std::array<std::uint8_t, kFrame> packet_in{}, packet_out{};
  std::array<std::int16_t, kFrame> pcm{}, far{}, near{}, clean{}, phone{};
  std::string heard;
  int rtp_packets = 0;
  bool busy = false;
  double echo_energy = 0, residual_energy = 0;

  // ---- the real-time loop: one iteration per 20 ms frame --------------------------------------------------
  for (int f = 0; f < kFrames; ++f) {
    const std::uint64_t now = static_cast<std::uint64_t>(f + 1) * kFrame;  // samples at the end of this frame
    // network -> line (the packet: the far party's audio, mu-law)
    for (auto& s : pcm) s = far_party();
    linedsp::g711_encode(linedsp::Law::ulaw, pcm, packet_in);
    if (f % 10 == 9) {
      ch.plc.lost_frame(far);  // the packet did not arrive
    } else {
      linedsp::g711_decode(linedsp::Law::ulaw, packet_in, pcm);
      ch.plc.good_frame(pcm, far);
    }
    std::copy(far.begin(), far.end(), far_history.begin() + f * kFrame);

    // the line: echo of far (12 dB down, 3 ms late), the phone's digits at 2 s, busy from 5 s
    if (f == 100) ch.phone.queue("42");
    phone.fill(0);
    ch.phone.generate(phone);
    if (f >= 250) ch.busy_on_line.generate(phone);
    for (std::size_t i = 0; i < kFrame; ++i) {
      const std::size_t n = f * kFrame + i;
      const int echo = n >= kEchoDelay ? far_history[n - kEchoDelay] / 4 : 0;
      near[i] = static_cast<std::int16_t>(echo + phone[i]);
    }

    // line -> network
    ch.ec.process(far, near, clean);
    ch.dtmf.process(clean, ch.digits);
    ch.progress.process(clean, ch.tones);
    ch.modem.process(clean, ch.modem_tones);
    for (const auto& d : ch.digits) {
      if (d.begin) {
        ch.muted = true;  // no tone leaks into the voice path
        ch.rfc4733.begin(d.digit, d.sample, now, ch.packets);
      } else {
        ch.muted = false;
        ch.rfc4733.end(d.sample + d.duration_samples, ch.packets);
      }
    }
    ch.rfc4733.advance(now, ch.packets);
    if (ch.muted || ch.dtmf.current_digit() != 0) clean.fill(0);
    linedsp::g711_encode(linedsp::Law::ulaw, clean, packet_out);
    // (send packet_out and ch.packets to the network here)

    if (f >= 50 && f < 100) {  // far-end-only stretch after 1 s of convergence
      for (std::size_t i = 0; i < kFrame; ++i) {
        echo_energy += double(near[i]) * near[i];
        residual_energy += double(clean[i]) * clean[i];
      }
    }

    // ---- hand the frame's events on (in a product: a lock-free queue to another thread) -----------------
    for (const auto& d : ch.digits)
      if (!d.begin) {
        heard += d.digit;
        std::printf("digit %c at %.3f s for %.0f ms\n", d.digit, double(d.sample) / 8000.0,
                    double(d.duration_samples) / 8.0);
      }
    for (const auto& t : ch.tones)
      if (t.begin) {
        busy = busy || t.kind == linedsp::ToneKind::busy;
        std::printf("tone %s confirmed at %.3f s\n", linedsp::tone_kind_name(t.kind), double(t.confirmed_sample) / 8000.0);
      }
    for (const auto& p : ch.packets) {
      ++rtp_packets;
      if (p.marker || p.event.end)
        std::printf("rtp event %u %s duration %u\n", unsigned(p.event.event), p.event.end ? "end" : "begin",
                    unsigned(p.event.duration));
    }
    ch.digits.clear();
    ch.tones.clear();
    ch.modem_tones.clear();
    ch.packets.clear();
  }

  const double erle_db = 10 * std::log10(echo_energy / (residual_energy + 1.0));
  std::printf("heard \"%s\", %d RFC 4733 packets, busy %s, echo reduced by %.1f dB\n", heard.c_str(), rtp_packets,
              busy ? "detected" : "MISSED", erle_db);
  return heard == "42" && rtp_packets >= 8 && busy && erle_db >= 10.0 ? 0 : 1;
}
