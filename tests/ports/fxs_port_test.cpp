// tests/ports/fxs_port_test.cpp — the FXS port's procedures and timers, driven through a fake LineDevice (every
// control recorded with the port's sample clock) or the simulated line, independent of the sim scenarios.
// Expected values come from the port's Config (country defaults from the tone plans in data/tones/), the
// standards' numbers (REFERENCES.md) and textbook signals; tone frequencies are measured with a Hann-windowed DFT
// bin, caller ID is decoded by spandsp's adsi_rx where installed (else by our receiver, said in the output).
#include <gtest/gtest.h>

#include <cstdio>
#include <stdexcept>

#include "devices/sim_line.hpp"
#include "ports/fxs_port.hpp"
#include "ports/port_fakes.hpp"
#include "signals/tone_plan.hpp"
#include "support/paths.hpp"

namespace linedsp {
namespace {

using test::Control;
using test::drive;
using test::FakeLine;
using test::line_event;
using test::ms;

TonePlan plan_of(const char* cc) { return load_country_plan(test::source_dir() + "/data", cc); }

struct Fxs {
  TonePlan plan;
  FxsPortConfig cfg;
  FakeLine line;
  FxsPort port;
  explicit Fxs(const char* cc) : Fxs(cc, [] (FxsPortConfig&) {}) {}
  template <class Tweak>
  Fxs(const char* cc, Tweak tweak) : plan(plan_of(cc)), cfg(make(plan, tweak)), port(plan, line, cfg) {
    line.clock = [this] { return port.samples(); };
  }
  template <class Tweak>
  static FxsPortConfig make(const TonePlan& p, Tweak tweak) {
    FxsPortConfig c = FxsPortConfig::for_country(p);
    tweak(c);
    return c;
  }
};

CallerIdMessage caller() {
  CallerIdMessage m;
  m.date_time = "11231055";
  m.number = "2125551234";
  m.name = "ALICE EXAMPLE";
  return m;
}

// Dial tone on off-hook, from the country's plan: US 350 + 440 Hz, Germany 425 Hz (ITU-T E.180 Suppl. 2; REFERENCES.md
// "Call-progress tones"). It starts at the off-hook sample exactly; each listed component is at least 20 dB above
// the other country's components in a 200 ms Hann-windowed DFT.
TEST(FxsPort, DialToneOnOffHookHasTheCountrysFrequencies) {
  struct Case {
    const char* cc;
    std::vector<double> want, not_want;
  };
  for (const Case& c : {Case{"us", {350, 440}, {425, 1000}}, Case{"de", {425}, {350, 440, 1000}}}) {
    SCOPED_TRACE(c.cc);
    Fxs f(c.cc);
    const std::uint64_t hook = 4003;  // mid-block: queued, applied at its sample
    const auto r = drive(f.port, std::vector<std::int16_t>(ms(1000), 0), {line_event(LineEventKind::hook_off, hook)}, 160);
    EXPECT_EQ(r.kinds(), "off-hook dial-tone+ ");
    EXPECT_EQ(r.of(PortEventKind::dial_tone)[0].sample, hook);
    EXPECT_EQ(test::first_nonzero(r.tx), hook + 1);  // the generator's first sample is sin(0) = 0
    for (std::uint64_t i = 0; i < hook; ++i) ASSERT_EQ(r.tx[i], 0) << i;
    double weakest = 1e9, strongest_other = -1e9;
    for (double fr : c.want) weakest = std::min(weakest, test::bin_db(r.tx, hook + 800, 1600, fr));
    for (double fr : c.not_want) strongest_other = std::max(strongest_other, test::bin_db(r.tx, hook + 800, 1600, fr));
    EXPECT_GT(weakest - strongest_other, 20.0);
  }
}

// The first digit stops dial tone (dial-tone- stamped at the digit); digits are collected and the number completes
// exactly inter_digit_timeout_ms after the last digit (FxsPortConfig default, "common ATA default"), identically
// whatever the block size (DESIGN.md: results independent of block size; 1, 7, 160 and 4096-sample blocks).
TEST(FxsPort, DigitsCompleteExactlyAtTheInterDigitTimeoutAtAnyBlockSize) {
  std::vector<std::int16_t> rx(ms(600), 0);
  const std::uint64_t onsets[] = {ms(1000), ms(1200), ms(1400)};
  for (std::size_t i = 0; i < 3; ++i) test::add_dtmf(rx, onsets[i], "195"[i]);
  Fxs probe("us");
  rx.resize(onsets[2] + ms(probe.cfg.inter_digit_timeout_ms) + ms(300), 0);
  std::vector<PortEvent> first;
  std::vector<std::int16_t> first_tx;
  for (std::size_t block : {1u, 7u, 160u, 4096u}) {
    SCOPED_TRACE(block);
    Fxs f("us");
    const auto r = drive(f.port, rx, {line_event(LineEventKind::hook_off, ms(500))}, block);
    ASSERT_EQ(r.kinds(), "off-hook dial-tone+ digit dial-tone- digit digit number ");
    const auto d = r.of(PortEventKind::digit);
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(d[i].digit, "195"[i]);
      EXPECT_NEAR(double(d[i].sample), double(onsets[i]), double(ms(15))) << "digit start vs the synthesised onset";
    }
    EXPECT_EQ(r.of(PortEventKind::dial_tone)[1].sample, d[0].sample);
    const auto num = r.of(PortEventKind::number)[0];
    EXPECT_EQ(num.sample, d[2].sample + ms(f.cfg.inter_digit_timeout_ms));
    EXPECT_EQ(num.value, 1);  // by timeout
    EXPECT_EQ(num.number.view(), "195");
    EXPECT_EQ(f.port.state(), FxsPort::State::call);
    // Dial tone is gone within the detection time (40 ms tone + a 12.75 ms window) of the first digit.
    for (std::uint64_t i = d[0].sample + ms(80); i < r.tx.size(); ++i) ASSERT_EQ(r.tx[i], 0) << i;
    if (first.empty()) {
      first = r.events;
      first_tx = r.tx;
    }
    EXPECT_TRUE(r.tx == first_tx) << "transmit differs from the 1-sample run";
    ASSERT_EQ(r.events.size(), first.size());
    for (std::size_t i = 0; i < first.size(); ++i) {
      EXPECT_EQ(r.events[i].kind, first[i].kind) << i;
      EXPECT_EQ(r.events[i].sample, first[i].sample) << i;
    }
  }
}

// Without a digit, dial tone stops exactly first_digit_timeout_ms after off-hook and congestion (US reorder 480 + 620
// Hz, 0.25/0.25 s, REFERENCES.md) follows.
TEST(FxsPort, FirstDigitTimeoutGivesReorderAtTheConfiguredSample) {
  Fxs f("us");
  const std::uint64_t hook = ms(100);
  const auto r = drive(f.port, std::vector<std::int16_t>(hook + ms(f.cfg.first_digit_timeout_ms) + ms(600), 0),
                       {line_event(LineEventKind::hook_off, hook)}, 160);
  ASSERT_EQ(r.kinds(), "off-hook dial-tone+ dial-tone- ");
  const std::uint64_t t = r.of(PortEventKind::dial_tone)[1].sample;
  EXPECT_EQ(t, hook + ms(f.cfg.first_digit_timeout_ms));
  EXPECT_EQ(f.port.state(), FxsPort::State::reorder);
  const double on480 = test::bin_db(r.tx, t + ms(25), ms(200), 480), on620 = test::bin_db(r.tx, t + ms(25), ms(200), 620);
  EXPECT_GT(std::min(on480, on620) - test::bin_db(r.tx, t + ms(25), ms(200), 440), 20.0);
  // Reorder's off quarter second: silent.
  for (std::uint64_t i = t + ms(255); i < t + ms(495); ++i) ASSERT_EQ(r.tx[i], 0) << i - t;
}

// max_digits ends the number at the last digit (value 2); '#' ends it (value 3) when hash_ends_number.
TEST(FxsPort, MaxDigitsAndHashEndTheNumber) {
  for (int mode = 0; mode < 2; ++mode) {
    Fxs f("us", [&](FxsPortConfig& c) { c.max_digits = mode == 0 ? 3 : 20; });
    std::vector<std::int16_t> rx(ms(100), 0);
    const char* digits = mode == 0 ? "4567" : "45#";
    for (std::size_t i = 0; digits[i] != 0; ++i) test::add_dtmf(rx, ms(500 + 200 * i), digits[i]);
    rx.resize(rx.size() + ms(300), 0);
    const auto r = drive(f.port, rx, {line_event(LineEventKind::hook_off, ms(100))}, 80);
    const auto num = r.of(PortEventKind::number);
    ASSERT_EQ(num.size(), 1u) << r.kinds();
    EXPECT_EQ(num[0].value, mode == 0 ? 2 : 3);
    EXPECT_EQ(num[0].number.view(), mode == 0 ? "456" : "45");
    EXPECT_EQ(num[0].sample, r.of(PortEventKind::digit)[mode == 0 ? 2 : 2].sample);
  }
}

// Ringing with the country's cadence (US 2 s on 4 s off; UK 0.4/0.2/0.4/2.0 s: REFERENCES.md and data/tones), on the
// simulated line: the phone end sees each ring_begin / ring_end at exactly the cadence's samples from ring().
TEST(FxsPort, RingingEdgesFollowTheCountrysCadenceOnTheSimulatedLine) {
  for (const char* cc : {"us", "gb"}) {
    SCOPED_TRACE(cc);
    const TonePlan plan = plan_of(cc);
    FxsPortConfig cfg = FxsPortConfig::for_country(plan);
    const std::vector<std::uint32_t> cadence = plan.find_ring("normal")->cadence_ms;
    ASSERT_EQ(cfg.ring.count, cadence.size());
    SimLine line;
    FxsPort port(plan, line.exchange(), cfg);
    const std::uint64_t start = 800, total = ms(13000);
    std::vector<std::int16_t> tx(80), rx(80), ptx(80, 0), prx(80), out(80);
    auto sink = [](const PortEvent&) {};
    for (std::uint64_t s = 0; s < total; s += 80) {
      if (s == start) { ASSERT_TRUE(port.ring(nullptr)); }
      while (auto e = line.exchange().poll_event()) port.on_line_event(*e);
      port.process(rx, tx, {}, out, sink);
      line.process(tx, ptx, rx, prx);
    }
    std::vector<std::uint64_t> want;  // edges: begin, end, begin, ...
    std::uint64_t t = start;
    for (std::size_t k = 0; t < total; k = (k + 1) % cadence.size()) {
      want.push_back(t);
      t += ms(cadence[k]);
    }
    std::vector<std::uint64_t> got;
    while (auto e = line.phone().poll_event()) {
      ASSERT_EQ(e->kind, got.size() % 2 == 0 ? LineEventKind::ring_begin : LineEventKind::ring_end);
      got.push_back(e->frame);
    }
    EXPECT_EQ(got, want);
  }
}

// The caller-ID spill as the phone would hear it: the port's transmit decoded by an independent receiver.
struct Decoded {
  bool ok = false;
  std::string number, name;
};
Decoded decode(const std::vector<std::int16_t>& tx, FskModem modem) {
  Decoded d;
#if defined(LINEDSP_HAVE_SPANDSP)
  const auto msgs = test::spandsp_decode(tx, modem == FskModem::bell202 ? ADSI_STANDARD_CLASS : ADSI_STANDARD_CLIP);
  if (msgs.size() == 1) {
    d.ok = true;
    d.number = test::mdmf_param(msgs[0], kCidParamNumber);
    d.name = test::mdmf_param(msgs[0], kCidParamName);
  }
#else
  std::printf("spandsp not installed: caller ID decoded by linedsp's own CallerIdReceiver\n");
  CallerIdReceiverConfig rc;
  rc.modem = modem;
  CallerIdReceiver rx(rc);
  int n = 0;
  auto sink = [&](const CallerIdEvent& e) {
    if (e.begin) return;
    ++n;
    d.ok = e.status == CallerIdStatus::ok;
    d.number = e.message.number.str();
    d.name = e.message.name.str();
  };
  rx.process(tx, sink);
  rx.end_of_stream(sink);
  d.ok = d.ok && n == 1;
#endif
  return d;
}

// Telcordia GR-30 on-hook caller ID (US, Bell 202) and EN 300 659-1 data after the first ring (V.23): the spill
// starts cid_after_ring_ms (GR-30: about 0.5 s) after the first ring ends and ends before the second ring begins;
// the ring control carries the country's cadence; the data decodes (spandsp adsi_rx) to what was sent.
TEST(FxsPort, CallerIdAfterTheFirstRingLiesBetweenFirstAndSecondRing) {
  struct Case {
    const char* cc;
    CallerIdProcedure proc;
  };
  for (const Case& c : {Case{"us", CallerIdProcedure::bellcore_on_hook}, Case{"de", CallerIdProcedure::etsi_after_ring}}) {
    SCOPED_TRACE(callerid_procedure_name(c.proc));
    Fxs f(c.cc, [&](FxsPortConfig& cfg) { cfg.cid_procedure = c.proc; });
    const CallerIdMessage m = caller();
    const std::uint64_t start = ms(200);
    const auto r = drive(f.port, std::vector<std::int16_t>(ms(8000), 0), {}, 160,
                         std::function<void(FxsPort&, std::uint64_t)>([&](FxsPort& p, std::uint64_t s) {
                           if (s == start) { ASSERT_TRUE(p.ring(&m)); }
                         }));
    ASSERT_EQ(r.kinds(), "ringing+ cid-sent ");
    const auto rings = f.line.of(Control::Kind::ring);
    ASSERT_EQ(rings.size(), 1u);
    EXPECT_EQ(rings[0].sample, start);
    ASSERT_EQ(rings[0].cadence.count, f.cfg.ring.count);
    const std::uint64_t first_end = start + ms(f.cfg.ring.segments_ms[0]);
    const std::uint64_t second_begin = first_end + ms(f.cfg.ring.segments_ms[1]);
    const std::uint64_t spill = r.of(PortEventKind::cid_sent)[0].sample;
    EXPECT_EQ(spill, first_end + ms(f.cfg.cid_after_ring_ms));
    EXPECT_EQ(test::first_nonzero(r.tx), spill + 1);  // the spill is the only audio (FSK starts at phase 0)
    EXPECT_LT(test::run_end(r.tx, spill), second_begin);
    const Decoded d = decode(r.tx, f.cfg.cid.modem);
    EXPECT_TRUE(d.ok);
    EXPECT_EQ(d.number, m.number.view());
    EXPECT_EQ(d.name, m.name.view());
  }
}

// EN 300 659-1 data before the first ring, the port's three variants. Delays are CallerIdTiming's defaults
// (signals/callerid_procedure.hpp; second-hand there, "check" against EN 300 659-1 clause 6): each must land on
// exactly the configured sample, and within the ranges REFERENCES.md / that header give (DT-AS 88-110 ms;
// reversal to DT-AS >= 100 ms; DT-AS to data 45-500 ms; RP-AS 200-300 ms; data to first ring >= 200 ms).
TEST(FxsPort, EtsiDataBeforeFirstRingVariants) {
  for (CallerIdProcedure proc :
       {CallerIdProcedure::etsi_dtas, CallerIdProcedure::etsi_rpas, CallerIdProcedure::etsi_polarity}) {
    SCOPED_TRACE(callerid_procedure_name(proc));
    Fxs f("gb", [&](FxsPortConfig& c) { c.cid_procedure = proc; });
    EXPECT_EQ(FxsPortConfig::for_country(f.plan).cid_procedure, CallerIdProcedure::etsi_dtas);  // country default
    EXPECT_EQ(f.cfg.cid.modem, FskModem::v23);
    const CallerIdTiming& t = f.cfg.cid_timing;
    const CallerIdMessage m = caller();
    const std::uint64_t start = ms(100);
    const auto r = drive(f.port, std::vector<std::int16_t>(ms(3000), 0), {}, 160,
                         std::function<void(FxsPort&, std::uint64_t)>([&](FxsPort& p, std::uint64_t s) {
                           if (s == start) { ASSERT_TRUE(p.ring(&m)); }
                         }));
    ASSERT_EQ(r.kinds(), "cid-sent ringing+ ");
    const std::uint64_t spill = r.of(PortEventKind::cid_sent)[0].sample;
    std::uint64_t want_spill = 0;
    if (proc == CallerIdProcedure::etsi_rpas) {
      // Ring pulse: a ring control with a ring_pulse_ms burst, ring_off when it ends.
      const auto rings = f.line.of(Control::Kind::ring);
      ASSERT_EQ(rings.size(), 2u);
      EXPECT_EQ(rings[0].sample, start);
      EXPECT_EQ(rings[0].cadence.segments_ms[0], t.ring_pulse_ms);
      EXPECT_GE(t.ring_pulse_ms, 200u);
      EXPECT_LE(t.ring_pulse_ms, 300u);
      ASSERT_EQ(f.line.of(Control::Kind::ring_off).size(), 1u);
      EXPECT_EQ(f.line.of(Control::Kind::ring_off)[0].sample, start + ms(t.ring_pulse_ms));
      EXPECT_TRUE(f.line.of(Control::Kind::polarity).empty());
      want_spill = start + ms(t.ring_pulse_ms) + ms(t.pulse_to_data_ms);
      EXPECT_EQ(test::first_nonzero(r.tx), spill + 1);
    } else {
      const auto pol = f.line.of(Control::Kind::polarity);
      ASSERT_EQ(pol.size(), 1u);
      EXPECT_EQ(pol[0].sample, start);
      EXPECT_TRUE(pol[0].reversed);
      EXPECT_TRUE(f.port.polarity_reversed());
      if (proc == CallerIdProcedure::etsi_dtas) {
        // DT-AS: the first audio, reversal_to_alert_ms after the reversal, dtas.duration_ms long, 2130 + 2750 Hz.
        const std::uint64_t a0 = test::first_nonzero(r.tx, start);
        const std::uint64_t a1 = test::run_end(r.tx, a0);
        EXPECT_NEAR(double(a0), double(start + ms(t.reversal_to_alert_ms)), 2.0);
        EXPECT_GE(a0 - start, ms(100));
        EXPECT_NEAR(double(a1 - a0), double(ms(f.cfg.dtas.duration_ms)), 2.0);
        EXPECT_GE(a1 - a0, ms(88));
        EXPECT_LE(a1 - a0, ms(110));
        const double lo = test::bin_db(r.tx, a0, a1 - a0, 2130), hi = test::bin_db(r.tx, a0, a1 - a0, 2750);
        EXPECT_LT(std::fabs(lo - hi), 1.0);
        EXPECT_GT(std::min(lo, hi) - test::bin_db(r.tx, a0, a1 - a0, 1700), 20.0);
        want_spill = start + ms(t.reversal_to_alert_ms) + ms(f.cfg.dtas.duration_ms) + ms(t.alert_to_data_ms);
        EXPECT_GE(spill - a1, ms(45));
        EXPECT_LE(spill - a1, ms(500));
        EXPECT_EQ(test::first_nonzero(r.tx, a1), spill + 1);
      } else {
        want_spill = start + ms(t.reversal_to_data_ms);
        EXPECT_EQ(test::first_nonzero(r.tx), spill + 1);
      }
    }
    EXPECT_EQ(spill, want_spill);
    // The first ring of the cadence follows the end of the data by data_to_ring_ms.
    const auto ring = f.line.of(Control::Kind::ring).back();
    EXPECT_EQ(ring.cadence.count, f.cfg.ring.count);
    EXPECT_EQ(ring.cadence.segments_ms[0], f.cfg.ring.segments_ms[0]);
    EXPECT_EQ(r.of(PortEventKind::ringing)[0].sample, ring.sample);
    const std::uint64_t data_end = test::run_end(r.tx, spill);
    EXPECT_NEAR(double(ring.sample - data_end), double(ms(t.data_to_ring_ms)), double(ms(1)));
    EXPECT_GE(ring.sample - data_end, ms(200));
    const Decoded d = decode(r.tx, FskModem::v23);
    EXPECT_TRUE(d.ok);
    EXPECT_EQ(d.number, m.number.view());
    EXPECT_EQ(d.name, m.name.view());
  }
}

// Ring trip: off-hook while ringing answers at that sample: ring_off control, ringing-, answered, call. In the
// ETSI pre-ring phase the same (no ringing event was ever sent); the reversal is released with the call.
TEST(FxsPort, RingTripAnswersAtTheOffHookSample) {
  for (const char* cc : {"us", "gb"}) {
    SCOPED_TRACE(cc);
    Fxs f(cc);
    const CallerIdMessage m = caller();
    const std::uint64_t answer = std::string(cc) == "us" ? ms(3123) : ms(150) + 3;
    const auto r = drive(f.port, std::vector<std::int16_t>(ms(4000), 0),
                         {line_event(LineEventKind::hook_off, answer), line_event(LineEventKind::hook_on, ms(3500))}, 160,
                         std::function<void(FxsPort&, std::uint64_t)>([&](FxsPort& p, std::uint64_t s) {
                           if (s == 0) { ASSERT_TRUE(p.ring(&m)); }
                         }));
    const auto off = f.line.of(Control::Kind::ring_off);
    ASSERT_FALSE(off.empty());
    EXPECT_EQ(off.back().sample, answer);
    EXPECT_EQ(r.of(PortEventKind::answered)[0].sample, answer);
    if (std::string(cc) == "us") {
      EXPECT_EQ(r.kinds(), "ringing+ cid-sent off-hook ringing- answered ");
      EXPECT_EQ(r.of(PortEventKind::ringing)[1].sample, answer);
    } else {
      EXPECT_EQ(r.kinds(), "off-hook answered ");
    }
    EXPECT_EQ(f.port.state(), FxsPort::State::call);
  }
}

// Hook flash versus hang-up by on-hook duration (FxsPortConfig flash_min_ms 80 / flash_max_ms 1000): both sides of
// each boundary, to the sample. Shorter than flash_min: ignored; flash_min..flash_max inclusive: flash (stamped at
// the on-hook sample, with its length); one sample longer: hang-up stamped at the on-hook sample, decided (released)
// exactly flash_max_ms after it. Then release: idle, and a new off-hook gets dial tone again.
TEST(FxsPort, HookFlashVersusHangUpAtBothSidesOfEachBoundary) {
  Fxs probe("us");
  const std::uint64_t lo = ms(probe.cfg.flash_min_ms), hi = ms(probe.cfg.flash_max_ms);
  struct Case {
    std::uint64_t on_samples;
    const char* want;
  };
  for (const Case& c : {Case{lo - 1, ""}, Case{lo, "flash "}, Case{hi, "flash "}, Case{hi + 1, "hang-up released "}}) {
    SCOPED_TRACE(c.on_samples);
    Fxs f("us");
    const std::uint64_t h = ms(1000) + 5;
    const auto r = drive(f.port, std::vector<std::int16_t>(h + hi + ms(1500), 0),
                         {line_event(LineEventKind::hook_off, ms(200)), line_event(LineEventKind::hook_on, h),
                          line_event(LineEventKind::hook_off, h + c.on_samples)},
                         160, std::function<void(FxsPort&, std::uint64_t)>([](FxsPort& p, std::uint64_t s) {
                           if (s == 0) { ASSERT_TRUE(p.ring(nullptr)); }
                         }));
    std::string tail = r.kinds().substr(std::string("ringing+ off-hook ringing- answered ").size());
    if (c.on_samples > hi) {
      // After the hang-up, the late off-hook is a new call: dial tone.
      EXPECT_EQ(tail, std::string(c.want) + "off-hook dial-tone+ ");
      EXPECT_EQ(r.of(PortEventKind::hang_up)[0].sample, h);
      EXPECT_EQ(r.of(PortEventKind::released)[0].sample, h + hi);
    } else {
      EXPECT_EQ(tail, c.want);
      if (!r.of(PortEventKind::flash).empty()) {
        EXPECT_EQ(r.of(PortEventKind::flash)[0].sample, h);
        EXPECT_EQ(r.of(PortEventKind::flash)[0].value, int(c.on_samples / 8));
      }
      EXPECT_EQ(f.port.state(), FxsPort::State::call);
    }
  }
}

// Events and transmit do not depend on the caller's block size (DESIGN.md): an ETSI DT-AS call (reversal, alert,
// spill, ringing), ring trip, a flash and a hang-up, run in 1-, 7-, 160- and 4096-sample blocks.
TEST(FxsPort, EventsAndTransmitIndependentOfBlockSize) {
  const CallerIdMessage m = caller();
  const std::vector<LineEvent> ev = {line_event(LineEventKind::hook_off, ms(2600) + 1),
                                     line_event(LineEventKind::hook_on, ms(3000) + 2),
                                     line_event(LineEventKind::hook_off, ms(3300) + 3),
                                     line_event(LineEventKind::hook_on, ms(3500) + 4)};
  test::PortRun first;
  std::vector<Control> first_controls;
  for (std::size_t block : {1u, 7u, 160u, 4096u}) {
    SCOPED_TRACE(block);
    Fxs f("gb");
    const auto r = drive(f.port, std::vector<std::int16_t>(ms(5000), 0), ev, block,
                         std::function<void(FxsPort&, std::uint64_t)>([&](FxsPort& p, std::uint64_t s) {
                           if (s == 0) { ASSERT_TRUE(p.ring(&m)); }
                         }));
    EXPECT_EQ(r.kinds(), "cid-sent ringing+ off-hook ringing- answered flash hang-up released ");
    if (block == 1) {
      first = r;
      first_controls = f.line.controls;
      continue;
    }
    ASSERT_EQ(r.events.size(), first.events.size());
    for (std::size_t i = 0; i < r.events.size(); ++i) {
      EXPECT_EQ(r.events[i].kind, first.events[i].kind) << i;
      EXPECT_EQ(r.events[i].sample, first.events[i].sample) << i;
    }
    EXPECT_TRUE(r.tx == first.tx);
    ASSERT_EQ(f.line.controls.size(), first_controls.size());
    for (std::size_t i = 0; i < first_controls.size(); ++i) EXPECT_EQ(f.line.controls[i].sample, first_controls[i].sample);
  }
}

// Config validation names the field (the constructor is the only place that throws).
TEST(FxsPort, ConfigErrorsNameTheField) {
  const TonePlan plan = plan_of("us");
  FakeLine line;
  auto expect = [&](const char* field, auto tweak) {
    expect_config_rejected<FxsPort, FxsPortConfig>(plan, line, field, tweak);
  };
  expect("flash_max_ms", [](FxsPortConfig& c) { c.flash_max_ms = c.flash_min_ms; });
  expect("max_digits", [](FxsPortConfig& c) { c.max_digits = 0; });
  expect("inter_digit_timeout_ms", [](FxsPortConfig& c) { c.inter_digit_timeout_ms = 0; });
  expect("cid_procedure", [](FxsPortConfig& c) { c.cid_procedure = CallerIdProcedure::call_waiting; });
  expect("ring_pulse_ms", [](FxsPortConfig& c) {
    c.cid_procedure = CallerIdProcedure::etsi_rpas;
    c.cid_timing.ring_pulse_ms = 0;
  });
  expect("ring", [](FxsPortConfig& c) { c.ring.count = 0; });
}

}  // namespace
}  // namespace linedsp
