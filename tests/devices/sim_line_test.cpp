// tests/devices/sim_line_test.cpp — the simulated line: signalling edges at the exact samples the controls and the
// cadence numbers give, ring trip, polarity, loop-current drop, Ohm's-law loop current, attenuation against
// 10^(-dB/20), hybrid echo against a naive convolution with the G.168 Annex D model (g168::echo_path), and results
// independent of block sizes.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "devices/sim_line.hpp"
#include "signals/g168.hpp"
#include "support/alloc_counter.hpp"

LINEDSP_COUNT_ALLOCATIONS();

namespace linedsp {
namespace {

struct LineRun {
  std::vector<std::int16_t> ex_rx, ph_rx, ring_v;
};

// Runs `n` samples of silence (or the given transmit) in blocks of `block`.
LineRun run(SimLine& line, std::size_t n, std::size_t block, const std::vector<std::int16_t>* ex_tx = nullptr,
        const std::vector<std::int16_t>* ph_tx = nullptr) {
  LineRun r;
  r.ex_rx.resize(n);
  r.ph_rx.resize(n);
  r.ring_v.resize(n);
  std::vector<std::int16_t> zero(n, 0);
  for (std::size_t i = 0; i < n; i += block) {
    const std::size_t m = std::min(block, n - i);
    line.process(std::span<const std::int16_t>((ex_tx ? *ex_tx : zero).data() + i, m),
                 std::span<const std::int16_t>((ph_tx ? *ph_tx : zero).data() + i, m),
                 std::span<std::int16_t>(r.ex_rx.data() + i, m), std::span<std::int16_t>(r.ph_rx.data() + i, m),
                 std::span<std::int16_t>(r.ring_v.data() + i, m));
  }
  return r;
}

std::vector<LineEvent> drain(SimLineEnd& end) {
  std::vector<LineEvent> v;
  while (auto e = end.poll_event()) v.push_back(*e);
  return v;
}

SimLineConfig quiet() {
  SimLineConfig c;
  c.noise_dbm0 = -200.0;
  return c;
}

// The cadence's numbers: 2000 ms on / 4000 ms off at 8 kHz puts the edges at 0, 16000, 48000, 64000 ...
TEST(SimLine, RingCadenceEdgesAtExactSamples) {
  SimLine line(quiet());
  RingCadence c{{2000, 4000}, 2};
  ASSERT_TRUE(line.exchange().ring(c));
  run(line, 8000 * 13, 160);
  const auto ev = drain(line.phone());
  ASSERT_EQ(ev.size(), 5u);
  const std::uint64_t want[] = {0, 16000, 48000, 64000, 96000};
  for (std::size_t i = 0; i < ev.size(); ++i) {
    EXPECT_EQ(ev[i].kind, i % 2 == 0 ? LineEventKind::ring_begin : LineEventKind::ring_end) << i;
    EXPECT_EQ(ev[i].frame, want[i]) << i;
  }
}

// Ring voltage: 75 V rms at 20 Hz (signals/ring.hpp scale: volts x 100): rms over whole periods of the on part.
TEST(SimLine, RingVoltageRmsAndFrequency) {
  SimLine line(quiet());
  line.exchange().ring(RingCadence{{2000, 4000}, 2});
  const LineRun r = run(line, 16000, 80);
  double p = 0;
  for (std::size_t i = 0; i < 16000; ++i) p += double(r.ring_v[i]) * r.ring_v[i];
  const double vrms = std::sqrt(p / 16000) * 0.01;
  EXPECT_NEAR(vrms, 75.0, 0.1);
  int crossings = 0;  // 20 Hz: 2 upward crossings per 100 ms ... 40 in 2 s
  for (std::size_t i = 1; i < 16000; ++i) crossings += r.ring_v[i - 1] < 0 && r.ring_v[i] >= 0;
  EXPECT_NEAR(crossings, 40, 1);
}

// Ring trip: going off-hook in the on part stops the voltage at that sample; the exchange end sees hook_off.
TEST(SimLine, RingTripStopsRinging) {
  SimLine line(quiet());
  line.exchange().ring(RingCadence{{2000, 4000}, 2});
  run(line, 8000, 80);
  line.phone().off_hook();
  const LineRun r = run(line, 8000, 80);
  EXPECT_FALSE(line.ringing());
  for (auto v : r.ring_v) ASSERT_EQ(v, 0);
  const auto ph = drain(line.phone());
  ASSERT_EQ(ph.size(), 2u);
  EXPECT_EQ(ph[1].kind, LineEventKind::ring_end);
  EXPECT_EQ(ph[1].frame, 8000u);
  const auto ex = drain(line.exchange());
  ASSERT_EQ(ex.size(), 1u);
  EXPECT_EQ(ex[0].kind, LineEventKind::hook_off);
  EXPECT_EQ(ex[0].frame, 8000u);
}

// Loop current by Ohm's law: battery / (loop + set), signed by polarity, 0 when on-hook or opened.
TEST(SimLine, LoopCurrentPolarityAndDrop) {
  SimLineConfig cfg = quiet();
  cfg.battery_v = 48.0;
  cfg.loop_resistance_ohm = 800.0;
  cfg.set_resistance_ohm = 400.0;
  SimLine line(cfg);
  EXPECT_EQ(line.loop_current_ma(), 0.0);
  line.phone().off_hook();
  run(line, 800, 80);
  EXPECT_NEAR(line.loop_current_ma(), 40.0, 1e-9);
  line.exchange().reverse_polarity(true);
  run(line, 800, 80);
  EXPECT_NEAR(line.loop_current_ma(), -40.0, 1e-9);
  line.drop_loop_current(300);
  run(line, 800, 80);  // 100 ms in
  EXPECT_EQ(line.loop_current_ma(), 0.0);
  run(line, 8000, 80);
  EXPECT_NEAR(line.loop_current_ma(), -40.0, 1e-9);
  const auto ph = drain(line.phone());
  ASSERT_EQ(ph.size(), 3u);
  EXPECT_EQ(ph[0].kind, LineEventKind::polarity);
  EXPECT_EQ(ph[0].frame, 800u);
  EXPECT_EQ(ph[1].kind, LineEventKind::loop_drop);
  EXPECT_EQ(ph[1].frame, 1600u);
  EXPECT_EQ(ph[2].kind, LineEventKind::loop_restore);
  EXPECT_EQ(ph[2].frame, 1600u + 300u * 8u);
  const auto ex = drain(line.exchange());
  ASSERT_EQ(ex.size(), 1u);
  EXPECT_EQ(ex[0].kind, LineEventKind::hook_off);
  EXPECT_EQ(ex[0].frame, 0u);
}

// Each direction is attenuated by attenuation_db: a 1 kHz sine's amplitude ratio equals 10^(-dB/20); the
// phone's transmit passes only while the loop is closed.
TEST(SimLine, AttenuationBothWays) {
  SimLineConfig cfg = quiet();
  cfg.attenuation_db = 6.0;
  SimLine line(cfg);
  const std::size_t n = 8000;
  std::vector<std::int16_t> sine(n);
  for (std::size_t i = 0; i < n; ++i) sine[i] = static_cast<std::int16_t>(std::lround(10000 * std::sin(2 * std::numbers::pi * 1000 * i / 8000.0)));
  LineRun r = run(line, n, 80, &sine, &sine);
  auto rms = [](const std::vector<std::int16_t>& v) {
    double p = 0;
    for (auto s : v) p += double(s) * s;
    return std::sqrt(p / v.size());
  };
  const double want = rms(sine) * std::pow(10.0, -6.0 / 20.0);
  EXPECT_NEAR(rms(r.ph_rx), want, 1.0);  // on-hook transmission towards the phone
  EXPECT_EQ(rms(r.ex_rx), 0.0);         // the on-hook phone sends nothing
  line.phone().off_hook();
  r = run(line, n, 80, &sine, &sine);
  EXPECT_NEAR(rms(r.ex_rx), want, 1.0);
}

// Hybrid echo: the exchange's receive is its transmit convolved with the G.168 Annex D model at the ERL, computed
// here by g168::convolve (a direct sum) — equal within rounding.
TEST(SimLine, HybridEchoIsTheAnnexDModel) {
  SimLineConfig cfg = quiet();
  cfg.exchange_erl_db = 10.0;
  cfg.echo_model = 4;
  cfg.echo_delay_samples = 40;
  SimLine line(cfg);
  const auto css = g168::composite_source_signal(1.0, -10.0);
  std::vector<std::int16_t> tx = g168::to_int16(css);
  std::vector<float> txf(tx.begin(), tx.end());
  const LineRun r = run(line, tx.size(), 37, &tx, nullptr);
  const auto h = g168::echo_path(4, 10.0, 40);
  const auto want = g168::convolve(txf, h);
  double err = 0;
  for (std::size_t i = 0; i < tx.size(); ++i) err = std::max(err, std::abs(double(r.ex_rx[i]) - want[i]));
  EXPECT_LE(err, 1.0);
  // ERL of the echo on the CSS: about the configured 10 dB (G.168 models are normalised for it).
  double px = 0, pe = 0;
  for (std::size_t i = 0; i < tx.size(); ++i) {
    px += double(tx[i]) * tx[i];
    pe += double(r.ex_rx[i]) * r.ex_rx[i];
  }
  EXPECT_NEAR(10 * std::log10(px / pe), 10.0, 1.5);
}

// Noise at the configured level (white, rms) at each receiving end.
TEST(SimLine, NoiseLevel) {
  SimLineConfig cfg;
  cfg.noise_dbm0 = -40.0;
  SimLine line(cfg);
  const LineRun r = run(line, 16000, 80);
  std::vector<float> f(r.ph_rx.begin(), r.ph_rx.end());
  EXPECT_NEAR(g168::level_dbm0(f), -40.0, 0.5);
}

// Same audio and events whatever the block size; process() allocates nothing.
TEST(SimLine, BlockSizeIndependentAndAllocationFree) {
  SimLineConfig cfg;
  cfg.exchange_erl_db = 6.0;
  cfg.phone_erl_db = 20.0;
  cfg.noise_dbm0 = -50.0;
  const auto css = g168::to_int16(g168::composite_source_signal(2.0, -15.0));
  std::vector<std::int16_t> ref_ex, ref_ph;
  std::vector<LineEvent> ref_ev;
  for (std::size_t block : {1u, 7u, 160u, 4096u}) {
    SimLine line(cfg);
    line.exchange().ring(RingCadence{{400, 200, 400, 2000}, 4});
    std::vector<std::int16_t> ex(css.size()), ph(css.size()), rv(css.size());
    std::vector<LineEvent> ev;
    test::AllocationCounter::begin();
    for (std::size_t i = 0; i < css.size(); i += block) {
      const std::size_t m = std::min(block, css.size() - i);
      if (i >= 9000 && i < 9000 + block) line.phone().off_hook();  // applied at the next block's first sample
      line.process(std::span(css.data() + i, m), std::span(css.data() + i, m), std::span(ex.data() + i, m),
                   std::span(ph.data() + i, m), std::span(rv.data() + i, m));
    }
    const std::size_t allocs = test::AllocationCounter::end();
    EXPECT_EQ(allocs, 0u) << "block " << block;
    if (block != 1) continue;  // the off-hook moment depends on the block; compare the audio before it
    ref_ex = ex;
    ref_ph = ph;
  }
  // Audio before the (block-dependent) hook change is identical across block sizes.
  for (std::size_t block : {7u, 160u, 4096u}) {
    SimLine line(cfg);
    std::vector<std::int16_t> ex(8000), ph(8000);
    for (std::size_t i = 0; i < 8000; i += block) {
      const std::size_t m = std::min<std::size_t>(block, 8000 - i);
      line.process(std::span(css.data() + i, m), std::span(css.data() + i, m), std::span(ex.data() + i, m),
                   std::span(ph.data() + i, m));
    }
    for (std::size_t i = 0; i < 8000; ++i) {
      ASSERT_EQ(ex[i], ref_ex[i]) << block << " " << i;
      ASSERT_EQ(ph[i], ref_ph[i]) << block << " " << i;
    }
  }
}

TEST(SimLine, ConfigErrorsNameTheField) {
  SimLineConfig c;
  c.echo_model = 1;
  try {
    SimLine line(c);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("echo_model"), std::string::npos);
  }
  SimLine line;
  EXPECT_FALSE(line.phone().ring(RingCadence{{1000, 1000}, 2}));  // the phone end cannot ring
  EXPECT_FALSE(line.exchange().off_hook());
}

}  // namespace
}  // namespace linedsp
