// tests/ports/fxo_port_test.cpp — the FXO port's procedures and timers through a fake LineDevice (line events at
// chosen frames, every control recorded with the port's clock) and textbook line audio: US tones from
// REFERENCES.md (dial 350 + 440 Hz; ringback 440 + 480 Hz 2/4 s; busy 480 + 620 Hz 0.5/0.5 s; reorder 0.25/0.25 s),
// ring cadences from data/tones (US 2 s on 4 s off), caller ID from our FSK sender (itself checked against spandsp
// adsi_rx in tests/signals/callerid_test.cpp) placed per signals/callerid_procedure. Each timer from FxoPortConfig
// is asserted at its exact sample, or within the stated detector confirmation time.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <stdexcept>

#include "ports/fxo_port.hpp"
#include "ports/fxs_port.hpp"
#include "ports/port_fakes.hpp"
#include "signals/callerid_procedure.hpp"
#include "signals/tone_plan.hpp"
#include "support/paths.hpp"

namespace linedsp {
namespace {

using test::Control;
using test::drive;
using test::FakeLine;
using test::line_event;
using test::ms;
using Hook = std::function<void(FxoPort&, std::uint64_t)>;

TonePlan plan_of(const char* cc) { return load_country_plan(test::source_dir() + "/data", cc); }

struct Fxo {
  TonePlan plan;
  FxoPortConfig cfg;
  FakeLine line;
  FxoPort port;
  template <class Tweak>
  Fxo(const char* cc, Tweak tweak) : plan(plan_of(cc)), cfg(make(plan, tweak)), port(plan, line, cfg) {
    line.clock = [this] { return port.samples(); };
  }
  explicit Fxo(const char* cc = "us") : Fxo(cc, [](FxoPortConfig&) {}) {}
  template <class Tweak>
  static FxoPortConfig make(const TonePlan& p, Tweak tweak) {
    FxoPortConfig c = FxoPortConfig::for_country(p);
    tweak(c);
    return c;
  }
};

// Ring edges for bursts of `on_ms` every `period_ms`, n bursts from `at`.
std::vector<LineEvent> rings(std::uint64_t at, int n, double on_ms, double period_ms) {
  std::vector<LineEvent> v;
  for (int k = 0; k < n; ++k) {
    v.push_back(line_event(LineEventKind::ring_begin, at + ms(period_ms * k)));
    v.push_back(line_event(LineEventKind::ring_end, at + ms(period_ms * k + on_ms)));
  }
  return v;
}

int ring_index(const TonePlan& plan, const char* name) {
  for (std::size_t i = 0; i < plan.rings.size(); ++i)
    if (plan.rings[i].name == name) return static_cast<int>(i);
  return -2;
}

// Ring detection, cadence validation and answer after N rings (FxoPortConfig.answer_after_rings = 2): the US
// cadence (2 s on, 4 s off) validates as the plan's "normal" pattern, each burst end counts a ring, and the port
// goes off-hook at exactly the end of ring 2.
TEST(FxoPort, AnswersAfterNRingsOfAValidCadence) {
  Fxo f;
  ASSERT_EQ(f.cfg.answer_after_rings, 2);
  const std::uint64_t t0 = ms(100) + 3;
  const auto r = drive(f.port, std::vector<std::int16_t>(ms(9000), 0), rings(t0, 3, 2000, 6000), 160);
  EXPECT_EQ(r.kinds(), "ring ring-cadence ring answered ");
  const auto ring = r.of(PortEventKind::ring);
  EXPECT_EQ(ring[0].sample, t0 + ms(2000));
  EXPECT_EQ(ring[1].value, 2);
  EXPECT_EQ(r.of(PortEventKind::ring_cadence)[0].value, ring_index(f.plan, "normal"));
  EXPECT_EQ(r.of(PortEventKind::answered)[0].sample, t0 + ms(8000));
  ASSERT_EQ(f.line.of(Control::Kind::off_hook).size(), 1u);
  EXPECT_EQ(f.line.of(Control::Kind::off_hook)[0].sample, t0 + ms(8000));
  EXPECT_EQ(f.port.state(), FxoPort::State::connected);
}

// A cadence that matches none of the plan's (0.5 s bursts every 3.5 s: no US pattern; RingDetectorConfig
// tolerance +-15 %) is reported invalid (-1) and not answered; the call is abandoned ring_timeout_ms after the
// last ring edge.
TEST(FxoPort, RejectsABadCadence) {
  Fxo f;
  const auto r = drive(f.port, std::vector<std::int16_t>(ms(3500 * 2 + 500 + f.cfg.ring_timeout_ms + 100), 0),
                       rings(0, 3, 500, 3500), 160);
  const auto cad = r.of(PortEventKind::ring_cadence);
  ASSERT_FALSE(cad.empty());
  for (const auto& c : cad) EXPECT_EQ(c.value, -1);
  EXPECT_TRUE(r.of(PortEventKind::answered).empty());
  EXPECT_TRUE(f.line.of(Control::Kind::off_hook).empty());
  ASSERT_EQ(r.of(PortEventKind::released).size(), 1u);
  EXPECT_EQ(r.of(PortEventKind::released)[0].sample, ms(3500 * 2 + 500) + ms(f.cfg.ring_timeout_ms));
}

// The line audio and edges of a caller-ID procedure (signals/callerid_procedure: GR-30 / EN 300 659-1 steps) with
// our FSK spill for `m`.
struct Procedure {
  std::vector<std::int16_t> pcm;
  std::vector<LineEvent> events;
  std::uint64_t data_begin = 0, data_end = 0;
};
Procedure procedure(CallerIdProcedure p, const CallerIdMessage& m, FskModem modem, const RingCadence& cadence) {
  std::array<std::uint8_t, 160> bytes{};
  const std::size_t len = encode_mdmf(m, bytes);
  CallerIdSenderConfig sc;
  sc.modem = modem;
  const auto spill = callerid_fsk_spill(std::span<const std::uint8_t>(bytes.data(), len), sc);
  CallerIdTiming t;  // the procedure's delays; its rings are the country's (one burst on, the rest off)
  t.first_ring_ms = cadence.segments_ms[0];
  t.ring_silence_ms = cadence.segments_ms[1];
  const auto steps = callerid_procedure(p, t, static_cast<std::uint32_t>(spill.size() / 8 + 1));
  const CallerIdAudio a = render_callerid_procedure(steps, spill);
  Procedure out;
  out.pcm = a.pcm;
  for (const auto& mk : a.marks) {
    if (mk.kind == CallerIdStep::Kind::polarity_reversal) out.events.push_back(line_event(LineEventKind::polarity, mk.sample));
    if (mk.kind == CallerIdStep::Kind::ring) {
      out.events.push_back(line_event(LineEventKind::ring_begin, mk.sample));
      out.events.push_back(line_event(LineEventKind::ring_end, mk.sample + mk.duration_samples));
    }
    if (mk.kind == CallerIdStep::Kind::data) {
      out.data_begin = mk.sample;
      out.data_end = mk.sample + mk.duration_samples;
    }
  }
  out.pcm.resize(out.pcm.size() + ms(1500), 0);
  return out;
}

// Caller ID decode for every on-hook procedure: GR-30 after the first ring (Bell 202), EN 300 659-1 after the first
// ring, after a line reversal with DT-AS, after a ring pulse (RP-AS), and after a line reversal alone (V.23). The
// number and name equal what was sent, the event lies at the end of the data, the reversal before ringing is not a
// disconnect, and the RP-AS pulse is neither counted as a ring nor judged as a cadence.
TEST(FxoPort, DecodesCallerIdOfEveryOnHookProcedure) {
  CallerIdMessage m;
  m.number = "01632960123";
  m.name = "BOB EXAMPLE";
  for (CallerIdProcedure p : {CallerIdProcedure::bellcore_on_hook, CallerIdProcedure::etsi_after_ring,
                              CallerIdProcedure::etsi_dtas, CallerIdProcedure::etsi_rpas, CallerIdProcedure::etsi_polarity}) {
    SCOPED_TRACE(callerid_procedure_name(p));
    const bool bell = p == CallerIdProcedure::bellcore_on_hook;
    // Germany's cadence (1 s on, 4 s off) is one burst per cycle, as the procedure's ring steps are.
    Fxo f(bell ? "us" : "de", [](FxoPortConfig& c) { c.answer_after_rings = 0; });
    const Procedure pr = procedure(p, m, bell ? FskModem::bell202 : FskModem::v23, FxsPortConfig::for_country(f.plan).ring);
    const auto r = drive(f.port, pr.pcm, pr.events, 160);
    const auto cid = r.of(PortEventKind::cid_received);
    ASSERT_EQ(cid.size(), 1u) << r.kinds();
    EXPECT_EQ(cid[0].value, static_cast<int>(CallerIdStatus::ok));
    EXPECT_EQ(cid[0].number.view(), m.number.view());
    EXPECT_EQ(cid[0].name.view(), m.name.view());
    EXPECT_GE(cid[0].sample, pr.data_begin);
    EXPECT_LE(cid[0].sample, pr.data_end + ms(20));
    EXPECT_TRUE(r.of(PortEventKind::disconnect).empty());
    // Rings counted: the procedure ends with one full ring (plus the first ring for the after-ring variants).
    const int want_rings = (p == CallerIdProcedure::bellcore_on_hook || p == CallerIdProcedure::etsi_after_ring) ? 2 : 1;
    EXPECT_EQ(int(r.of(PortEventKind::ring).size()), want_rings) << r.kinds();
    for (const auto& c : r.of(PortEventKind::ring_cadence)) EXPECT_NE(c.value, -1) << "RP-AS judged as a cadence";
  }
}

// Data before ringing, then the caller gives up before the first ring: the decoded message starts the incoming call
// (state ringing) and the port releases it ring_timeout_ms after the message, so a gateway stops alerting its phone.
TEST(FxoPort, CallerIdWithoutRingsIsReleasedAfterTheRingTimeout) {
  CallerIdMessage m;
  m.number = "01632960123";
  Fxo f("de", [](FxoPortConfig&) {});
  Procedure pr = procedure(CallerIdProcedure::etsi_dtas, m, FskModem::v23, FxsPortConfig::for_country(f.plan).ring);
  std::erase_if(pr.events, [](const LineEvent& e) { return e.kind != LineEventKind::polarity; });
  pr.pcm.resize(pr.pcm.size() + ms(f.cfg.ring_timeout_ms), 0);
  const auto r = drive(f.port, pr.pcm, pr.events, 160);
  ASSERT_EQ(r.kinds(), "cid-received released ");
  EXPECT_EQ(r.of(PortEventKind::released)[0].sample, r.of(PortEventKind::cid_received)[0].sample + ms(f.cfg.ring_timeout_ms));
  EXPECT_EQ(f.port.state(), FxoPort::State::idle);
  EXPECT_TRUE(f.line.controls.empty());
}

// Decodes a DTMF string from the port's transmit: each burst (a run of non-zero samples) is classified by the
// strongest Q.23 low- and high-group frequency (textbook DFT bins).
std::string dtmf_in(const std::vector<std::int16_t>& tx, std::uint64_t from, std::vector<std::uint64_t>* starts = nullptr) {
  static const char* keys = "123A456B789C*0#D";
  const double lo[] = {697, 770, 852, 941}, hi[] = {1209, 1336, 1477, 1633};
  std::string s;
  for (std::uint64_t i = test::first_nonzero(tx, from); i < tx.size(); i = test::first_nonzero(tx, i)) {
    const std::uint64_t end = test::run_end(tx, i);
    if (end - i >= ms(30)) {
      int bl = 0, bh = 0;
      for (int k = 1; k < 4; ++k) {
        if (test::bin_db(tx, i, end - i, lo[k]) > test::bin_db(tx, i, end - i, lo[bl])) bl = k;
        if (test::bin_db(tx, i, end - i, hi[k]) > test::bin_db(tx, i, end - i, hi[bh])) bh = k;
      }
      s += keys[bl * 4 + bh];
      if (starts) starts->push_back(i);
    }
    i = end;
  }
  return s;
}

// Seize, wait for dial tone, dial: off-hook at the dial() sample; dial tone (350 + 440 Hz at -13 dBm0, from 300 ms
// after seizure) confirmed within the progress detector's 1 s continuous-tone rule plus a block; the digits start
// dial_delay_ms or later after the confirmation, decode (textbook DFT) to the number, and `dialled` follows the last.
TEST(FxoPort, SeizesWaitsForDialToneAndDials) {
  Fxo f;
  const std::uint64_t seize = ms(100) + 7;
  std::vector<std::int16_t> rx(ms(4000), 0);
  test::add_sines(rx, seize + ms(300), ms(3700) - 7, {350, 440}, -13.0);
  // dial() at `seize`, mid-block: the first block ends there.
  Fxo& g = f;
  std::vector<std::uint64_t> starts;
  test::PortRun run = [&] {
    test::PortRun out;
    out.tx.assign(rx.size(), 0);
    out.out.assign(rx.size(), 0);
    auto sink = [&](const PortEvent& e) { out.events.push_back(e); };
    for (std::uint64_t s = 0; s < rx.size();) {
      if (s == seize) { EXPECT_TRUE(g.port.dial("5551234")); }
      const std::uint64_t len = std::min<std::uint64_t>(s < seize ? seize - s : 160, rx.size() - s);
      g.port.process(std::span<const std::int16_t>(rx).subspan(s, len), std::span<std::int16_t>(out.tx).subspan(s, len), {},
                     std::span<std::int16_t>(out.out).subspan(s, len), sink);
      s += len;
    }
    return out;
  }();
  ASSERT_EQ(run.kinds(), "seized dial-tone-detected dialled ");
  EXPECT_EQ(run.of(PortEventKind::seized)[0].sample, seize);
  ASSERT_EQ(g.line.of(Control::Kind::off_hook).size(), 1u);
  EXPECT_EQ(g.line.of(Control::Kind::off_hook)[0].sample, seize);
  const std::uint64_t dt = run.of(PortEventKind::dial_tone_detected)[0].sample;
  EXPECT_GE(dt, seize + ms(300));
  EXPECT_LE(dt, seize + ms(300) + ms(1000) + ms(20));
  EXPECT_EQ(dtmf_in(run.tx, 0, &starts), "5551234");
  ASSERT_FALSE(starts.empty());
  EXPECT_GE(starts[0], dt + ms(g.cfg.dial_delay_ms));
  EXPECT_GE(run.of(PortEventKind::dialled)[0].sample, test::run_end(run.tx, starts.back()));
  EXPECT_EQ(run.of(PortEventKind::dialled)[0].number.view(), "5551234");
}

// Helper: seize at 0, dial tone from 100 ms, dial "1"; returns when dialled (the caller adds what follows).
struct Dialled {
  std::vector<std::int16_t> rx;
  std::uint64_t after = 0;  // a sample safely after `dialled`
};
Dialled dial_prefix() {
  Dialled d;
  d.rx.assign(ms(100), 0);
  test::add_sines(d.rx, ms(100), ms(1600), {350, 440}, -13.0);
  d.rx.resize(ms(2200), 0);
  d.after = ms(2200);
  return d;
}
Hook dial_at_zero(const char* number = "1") {
  return [number](FxoPort& p, std::uint64_t s) {
    if (s == 0) { ASSERT_TRUE(p.dial(number)); }
  };
}

// No dial tone: no_dial_tone exactly dial_tone_timeout_ms after seizure, on-hook at that sample, released.
TEST(FxoPort, NoDialToneTimesOutAtTheConfiguredSample) {
  Fxo f;
  const auto r = drive(f.port, std::vector<std::int16_t>(ms(f.cfg.dial_tone_timeout_ms + 500), 0), {}, 160, dial_at_zero());
  EXPECT_EQ(r.kinds(), "seized no-dial-tone released ");
  EXPECT_EQ(r.of(PortEventKind::no_dial_tone)[0].sample, ms(f.cfg.dial_tone_timeout_ms));
  ASSERT_EQ(f.line.of(Control::Kind::on_hook).size(), 1u);
  EXPECT_EQ(f.line.of(Control::Kind::on_hook)[0].sample, ms(f.cfg.dial_tone_timeout_ms));
  EXPECT_EQ(f.port.state(), FxoPort::State::idle);
}

// After dialling: ringback (440 + 480 Hz, 2 s on 4 s off, -19 dBm0) begins and ends; its end is the far answer
// (answer_on_ringback_end, value 2) stamped at the tone's end within a 20 ms detector resolution. A polarity
// reversal answers instead (value 1) at its frame.
TEST(FxoPort, RingbackThenAnswerByRingbackEndOrPolarity) {
  {
    Fxo f;
    Dialled d = dial_prefix();
    test::add_cadenced(d.rx, d.after, ms(2000), {440, 480}, {2000, 4000}, -19.0);
    const std::uint64_t rb_end = d.after + ms(6000) + ms(2000);  // second burst ends: the far end answered
    test::add_cadenced(d.rx, d.after + ms(6000), ms(2000), {440, 480}, {2000, 4000}, -19.0);
    d.rx.resize(rb_end + ms(6000), 0);
    const auto r = drive(f.port, d.rx, {}, 160, dial_at_zero());
    EXPECT_EQ(r.kinds(), "seized dial-tone-detected dialled ringback+ ringback- far-answer ") << "ringback spans the gap";
    const auto ans = r.of(PortEventKind::far_answer);
    ASSERT_EQ(ans.size(), 1u);
    EXPECT_EQ(ans[0].value, 2);
    std::printf("ringback ended %.3f s, far answer stamped %.3f s\n", double(rb_end) / 8000.0, double(ans[0].sample) / 8000.0);
    EXPECT_NEAR(double(ans[0].sample), double(rb_end), double(ms(20)));
    EXPECT_EQ(f.port.state(), FxoPort::State::connected);
  }
  {
    Fxo f;
    Dialled d = dial_prefix();
    d.rx.resize(d.after + ms(1000), 0);
    const std::uint64_t rev = d.after + ms(500) + 3;
    const auto r = drive(f.port, d.rx, {line_event(LineEventKind::polarity, rev)}, 160, dial_at_zero());
    EXPECT_EQ(r.kinds(), "seized dial-tone-detected dialled far-answer ");
    EXPECT_EQ(r.of(PortEventKind::far_answer)[0].value, 1);
    EXPECT_EQ(r.of(PortEventKind::far_answer)[0].sample, rev);
  }
}

// Busy (480 + 620 Hz 0.5/0.5 s) and reorder (0.25/0.25 s) after dialling: busy event with the tone kind, disconnect
// (busy-tone) and on-hook, confirmed within two cadence cycles plus a block of the tone's start.
TEST(FxoPort, BusyAndReorderDisconnect) {
  for (double half : {500.0, 250.0}) {
    SCOPED_TRACE(half);
    Fxo f;
    Dialled d = dial_prefix();
    test::add_cadenced(d.rx, d.after, ms(4000), {480, 620}, {half, half}, -24.0);
    const auto r = drive(f.port, d.rx, {}, 160, dial_at_zero());
    EXPECT_EQ(r.kinds(), "seized dial-tone-detected dialled busy disconnect released ");
    const auto busy = r.of(PortEventKind::busy);
    ASSERT_EQ(busy.size(), 1u);
    EXPECT_EQ(busy[0].value, static_cast<int>(half == 500.0 ? ToneKind::busy : ToneKind::congestion));
    const auto disc = r.of(PortEventKind::disconnect)[0];
    EXPECT_EQ(disc.value, static_cast<int>(DisconnectReason::busy_tone));
    EXPECT_GT(disc.sample, d.after);
    EXPECT_LE(disc.sample, d.after + ms(4 * half) + ms(20));
    EXPECT_EQ(f.line.of(Control::Kind::on_hook).size(), 1u);
  }
}

// Connected by answering on ring 1 (answer_after_rings = 1), then disconnect supervision.
struct Connected {
  std::vector<std::int16_t> rx;
  std::vector<LineEvent> ev;
  std::uint64_t at = 0;  // connected from here
};
Connected connected_call() {
  Connected c;
  c.ev = rings(0, 1, 2000, 6000);
  c.at = ms(2000);
  c.rx.assign(ms(2100), 0);
  return c;
}

// Loop-current drop (FxoPortConfig.min_loop_drop_ms, default 100): a drop one sample shorter is ignored; one held
// that long disconnects at exactly drop + min_loop_drop_ms, going on-hook at that sample. A polarity reversal in
// the call disconnects at its frame (disconnect_on_polarity).
TEST(FxoPort, LoopDropAndPolarityDisconnect) {
  {
    Fxo f("us", [](FxoPortConfig& c) { c.answer_after_rings = 1; });
    Connected c = connected_call();
    const std::uint64_t d1 = ms(2500) + 3, d2 = ms(3500) + 5, min = ms(f.cfg.min_loop_drop_ms);
    c.ev.push_back(line_event(LineEventKind::loop_drop, d1));
    c.ev.push_back(line_event(LineEventKind::loop_restore, d1 + min - 1));
    c.ev.push_back(line_event(LineEventKind::loop_drop, d2));
    c.rx.resize(ms(4500), 0);
    const auto r = drive(f.port, c.rx, c.ev, 160);
    EXPECT_EQ(r.kinds(), "ring answered disconnect released ");
    const auto disc = r.of(PortEventKind::disconnect);
    ASSERT_EQ(disc.size(), 1u);
    EXPECT_EQ(disc[0].value, static_cast<int>(DisconnectReason::loop_drop));
    EXPECT_EQ(disc[0].sample, d2 + min);
    EXPECT_EQ(f.line.of(Control::Kind::on_hook).back().sample, d2 + min);
  }
  {
    Fxo f("us", [](FxoPortConfig& c) { c.answer_after_rings = 1; });
    Connected c = connected_call();
    const std::uint64_t rev = ms(2700) + 1;
    c.ev.push_back(line_event(LineEventKind::polarity, rev));
    c.rx.resize(ms(3000), 0);
    const auto r = drive(f.port, c.rx, c.ev, 160);
    EXPECT_EQ(r.kinds(), "ring answered disconnect released ");
    EXPECT_EQ(r.of(PortEventKind::disconnect)[0].value, static_cast<int>(DisconnectReason::polarity));
    EXPECT_EQ(r.of(PortEventKind::disconnect)[0].sample, rev);
  }
}

// Busy tone in a call (disconnect_on_busy) and silence (silence_timeout_ms = 3000, silence_dbm0 -50): the far party
// (white noise at -30 dBm0) stops at T; disconnect (silence) at T + silence_timeout_ms, within one 20 ms block.
TEST(FxoPort, BusyToneAndSilenceTimeoutInACall) {
  {
    Fxo f("us", [](FxoPortConfig& c) { c.answer_after_rings = 1; });
    Connected c = connected_call();
    test::add_cadenced(c.rx, ms(3000), ms(3000), {480, 620}, {500, 500}, -24.0);
    const auto r = drive(f.port, c.rx, c.ev, 160);
    EXPECT_EQ(r.kinds(), "ring answered busy disconnect released ");
    const auto disc = r.of(PortEventKind::disconnect)[0];
    EXPECT_EQ(disc.value, static_cast<int>(DisconnectReason::busy_tone));
    EXPECT_LE(disc.sample, ms(3000) + ms(2000) + ms(20));
  }
  {
    Fxo f("us", [](FxoPortConfig& c) {
      c.answer_after_rings = 1;
      c.silence_timeout_ms = 3000;
    });
    Connected c = connected_call();
    const std::uint64_t stop = ms(5000);
    std::mt19937 rng(3);
    std::normal_distribution<double> g(0.0, test::peak_of(-30.0) / std::sqrt(2.0));
    c.rx.resize(stop, 0);
    for (std::uint64_t i = c.at; i < stop; ++i) c.rx[i] = static_cast<std::int16_t>(std::lround(g(rng)));
    c.rx.resize(stop + ms(f.cfg.silence_timeout_ms) + ms(500), 0);
    const auto r = drive(f.port, c.rx, c.ev, 160);
    EXPECT_EQ(r.kinds(), "ring answered disconnect released ");
    const auto disc = r.of(PortEventKind::disconnect)[0];
    EXPECT_EQ(disc.value, static_cast<int>(DisconnectReason::silence));
    EXPECT_GE(disc.sample, stop + ms(f.cfg.silence_timeout_ms));
    EXPECT_LE(disc.sample, stop + ms(f.cfg.silence_timeout_ms) + ms(20));
  }
}

// The ports' half of failover (the gateway's rule, as analog telephone adapters do it: with the VoIP side down, the
// number an FXS port collected is dialled on the analog line): the FXS port collects 5551234 from the phone's DTMF,
// the FXO port given that number seizes, waits for dial tone and dials the same digits (decoded from its transmit
// by DFT bins). The gateway's decision itself is exercised by SimScenario.FailoverToAnalogLine (voip = "down").
TEST(FxoPort, FailoverDialsTheFxsNumberOnTheLine) {
  const TonePlan plan = plan_of("us");
  FakeLine phone_line;
  FxsPort fxs(plan, phone_line, FxsPortConfig::for_country(plan));
  Fxo f;
  std::vector<std::int16_t> phone(ms(200), 0);
  const std::string number = "5551234";
  for (std::size_t i = 0; i < number.size(); ++i) test::add_dtmf(phone, ms(500 + 150 * i), number[i]);
  phone.resize(ms(500 + 150 * 7) + ms(4000) + ms(200), 0);
  std::string collected;
  const auto p = drive(fxs, phone, {line_event(LineEventKind::hook_off, ms(100))}, 160);
  for (const auto& e : p.events)
    if (e.kind == PortEventKind::number) collected = e.number.str();
  ASSERT_EQ(collected, number);
  Dialled d = dial_prefix();
  d.rx.resize(ms(4000), 0);
  const auto r = drive(f.port, d.rx, {}, 160, Hook([&](FxoPort& port, std::uint64_t s) {
                         if (s == 0) { ASSERT_TRUE(port.dial(collected)); }
                       }));
  EXPECT_EQ(r.kinds(), "seized dial-tone-detected dialled ");
  EXPECT_EQ(dtmf_in(r.tx, 0), number);
}

// Events and transmit do not depend on the caller's block size (DESIGN.md): a dialled call with ringback, answer
// by ringback end and a loop-drop disconnect, run in 1-, 7-, 160- and 4096-sample blocks.
TEST(FxoPort, EventsAndTransmitIndependentOfBlockSize) {
  Dialled d = dial_prefix();
  test::add_cadenced(d.rx, d.after, ms(2000), {440, 480}, {2000, 4000}, -19.0);
  d.rx.resize(d.after + ms(9000), 0);
  const std::vector<LineEvent> ev = {line_event(LineEventKind::loop_drop, d.after + ms(8500) + 3)};
  test::PortRun first;
  for (std::size_t block : {1u, 7u, 160u, 4096u}) {
    SCOPED_TRACE(block);
    Fxo f;
    const auto r = drive(f.port, d.rx, ev, block, dial_at_zero("42"));
    EXPECT_EQ(r.kinds(), "seized dial-tone-detected dialled ringback+ ringback- far-answer disconnect released ");
    if (block == 1) {
      first = r;
      continue;
    }
    ASSERT_EQ(r.events.size(), first.events.size());
    for (std::size_t i = 0; i < r.events.size(); ++i) {
      EXPECT_EQ(r.events[i].kind, first.events[i].kind) << i;
      EXPECT_EQ(r.events[i].sample, first.events[i].sample) << i;
    }
    EXPECT_TRUE(r.tx == first.tx);
  }
}

// Config validation names the field.
TEST(FxoPort, ConfigErrorsNameTheField) {
  const TonePlan plan = plan_of("us");
  FakeLine line;
  auto expect = [&](const char* field, auto tweak) {
    expect_config_rejected<FxoPort, FxoPortConfig>(plan, line, field, tweak);
  };
  expect("answer_after_rings", [](FxoPortConfig& c) { c.answer_after_rings = -1; });
  expect("dial_tone_timeout_ms", [](FxoPortConfig& c) { c.dial_tone_timeout_ms = 0; });
  expect("min_loop_drop_ms", [](FxoPortConfig& c) { c.min_loop_drop_ms = 0; });
  expect("rpas_max_ms", [](FxoPortConfig& c) { c.rpas_max_ms = -1; });
}

}  // namespace
}  // namespace linedsp
