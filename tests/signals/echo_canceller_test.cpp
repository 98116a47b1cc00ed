// EchoCanceller / EchoCancellerBank: configuration validation, the processor contract (block-size
// independence, bank = separate channels, reset = fresh object, no added delay), controls (bypass, freeze,
// NLP off), 16 kHz operation, and every SIMD variant against the scalar build on the same signals.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "signals/echo_canceller.hpp"
#include "signals/g168.hpp"
#include "tests/support/paths.hpp"

namespace linedsp {
namespace {

struct Signals {
  std::vector<std::int16_t> far, near;
  std::vector<float> echo;
};

// CSS far end through model `model` at 6 dB ERL, optional near talker from `talk_from_s`.
Signals make_signals(double seconds, int model, unsigned seed = 1, double talk_from_s = -1.0) {
  const auto far = g168::composite_source_signal(seconds, -10.0, false, 8000, seed);
  auto echo = g168::convolve(far, g168::echo_path(model, 6.0, 160));
  auto sin = echo;
  if (talk_from_s >= 0.0) {
    const auto talker = g168::composite_source_signal(seconds, -12.0, true, 8000, seed + 100);
    for (std::size_t i = static_cast<std::size_t>(talk_from_s * 8000); i < sin.size(); ++i) sin[i] += talker[i];
  }
  return {g168::to_int16(far), g168::to_int16(sin), echo};
}

std::vector<std::int16_t> run_blocks(EchoCanceller& ec, const Signals& s, std::size_t block) {
  std::vector<std::int16_t> out(s.far.size());
  for (std::size_t i = 0; i < s.far.size(); i += block) {
    const std::size_t len = std::min(block, s.far.size() - i);
    ec.process(std::span(s.far).subspan(i, len), std::span(s.near).subspan(i, len), std::span(out).subspan(i, len));
  }
  return out;
}

double erle_db(const std::vector<float>& echo, const std::vector<std::int16_t>& out, std::size_t from,
               std::size_t to) {
  double pe = 0.0, pr = 0.0;
  for (std::size_t i = from; i < to; ++i) {
    pe += double(echo[i]) * echo[i];
    pr += double(out[i]) * out[i];
  }
  return 10.0 * std::log10((pe + 1e-9) / (pr + 1e-9));
}

void expect_rejects(EchoCancellerConfig cfg, const std::string& field) {
  try {
    EchoCanceller ec(cfg);
    ADD_FAILURE() << field << ": accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
  }
}

TEST(EchoCancellerConfig, RejectsBadFieldsNamingThem) {
  EchoCancellerConfig c;
  c.sample_rate_hz = 11025;
  expect_rejects(c, "sample_rate_hz");
  c = {};
  c.tail_ms = 8;
  expect_rejects(c, "tail_ms");
  c.tail_ms = 256;
  expect_rejects(c, "tail_ms");
  c = {};
  c.step_size = 0.0f;
  expect_rejects(c, "step_size");
  c = {};
  c.proportionate_alpha = 1.0f;
  expect_rejects(c, "proportionate_alpha");
  c = {};
  c.search_alpha = -1.5f;
  expect_rejects(c, "search_alpha");
  c = {};
  c.window_lead_floor_db = -10.0f;
  expect_rejects(c, "window_lead_floor_db");
  c = {};
  c.gain_update_samples = 0;
  expect_rejects(c, "gain_update_samples");
  c = {};
  c.far_active_dbm0 = 3.0f;
  expect_rejects(c, "far_active_dbm0");
  EXPECT_THROW(EchoCancellerBank(0, EchoCancellerConfig{}), std::invalid_argument);
}

TEST(EchoCancellerConfig, TapsFollowTailAndRate) {
  EchoCancellerConfig c;
  EXPECT_EQ(EchoCanceller(c).tap_count(), 512u);
  c.tail_ms = 128;
  EXPECT_EQ(EchoCanceller(c).tap_count(), 1024u);
  c.sample_rate_hz = 16000;
  c.tail_ms = 64;
  EXPECT_EQ(EchoCanceller(c).tap_count(), 1024u);
  c.tail_ms = 16;
  c.sample_rate_hz = 8000;
  EXPECT_EQ(EchoCanceller(c).tap_count(), 128u);
  EXPECT_GE(EchoCanceller(EchoCancellerConfig{}).memory_bytes(), 5u * 512u * sizeof(float));
}

// DESIGN.md: results do not depend on how the caller splits the stream (1, 7, 160, 4096-sample blocks),
// through convergence, double talk and NLP.
TEST(EchoCancellerContract, BlockSizeIndependent) {
  const Signals s = make_signals(3.0, 4, 1, 2.0);
  EchoCanceller ref(EchoCancellerConfig{});
  const auto expected = run_blocks(ref, s, s.far.size());
  for (std::size_t block : {1u, 7u, 160u, 4096u}) {
    EchoCanceller ec(EchoCancellerConfig{});
    EXPECT_EQ(run_blocks(ec, s, block), expected) << "block " << block;
  }
}

// The bank's channels produce exactly what separate objects produce on the same signals.
TEST(EchoCancellerContract, BankEqualsSeparateChannels) {
  constexpr std::size_t kChannels = 3;
  std::vector<Signals> sig;
  for (std::size_t c = 0; c < kChannels; ++c) sig.push_back(make_signals(2.0, 2 + static_cast<int>(c) * 3, 1 + c, c == 1 ? 1.0 : -1.0));
  const std::size_t n = sig[0].far.size();
  std::vector<std::int16_t> far(n * kChannels), near(n * kChannels), out(n * kChannels);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t c = 0; c < kChannels; ++c) {
      far[i * kChannels + c] = sig[c].far[i];
      near[i * kChannels + c] = sig[c].near[i];
    }
  EchoCancellerBank bank(kChannels, EchoCancellerConfig{});
  for (std::size_t i = 0; i < n; i += 333) {
    const std::size_t len = std::min<std::size_t>(333, n - i);
    bank.process(std::span(far).subspan(i * kChannels, len * kChannels),
                 std::span(near).subspan(i * kChannels, len * kChannels),
                 std::span(out).subspan(i * kChannels, len * kChannels));
  }
  for (std::size_t c = 0; c < kChannels; ++c) {
    EchoCanceller ec(EchoCancellerConfig{});
    const auto single = run_blocks(ec, sig[c], 160);
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(out[i * kChannels + c], single[i]) << "channel " << c << " sample " << i;
  }
  EXPECT_GE(bank.memory_bytes(), kChannels * bank.channel(0).memory_bytes());
}

TEST(EchoCancellerContract, ResetGivesAFreshObject) {
  const Signals s = make_signals(2.0, 5);
  EchoCanceller ec(EchoCancellerConfig{});
  run_blocks(ec, s, 160);
  ec.set_frozen(true);
  ec.reset();
  EXPECT_FALSE(ec.frozen());
  EchoCanceller fresh(EchoCancellerConfig{});
  EXPECT_EQ(run_blocks(ec, s, 160), run_blocks(fresh, s, 160));
}

// No added delay: with nothing to cancel (silent far end), the output is the near input sample for
// sample (DC blocker off).
TEST(EchoCancellerContract, NoAddedDelay) {
  EchoCancellerConfig cfg;
  cfg.near_highpass = false;
  EchoCanceller ec(cfg);
  Signals s;
  s.far.assign(8000, 0);
  s.near = g168::to_int16(g168::composite_source_signal(1.0, -20.0));
  EXPECT_EQ(run_blocks(ec, s, 160), s.near);
}

TEST(EchoCancellerControls, BypassPassesNearUntouched) {
  const Signals s = make_signals(2.0, 3);
  EchoCanceller ec(EchoCancellerConfig{});
  ec.set_bypass(true);
  EXPECT_EQ(run_blocks(ec, s, 160), s.near);
  for (float t : ec.taps()) EXPECT_EQ(t, 0.0f);  // nothing learned while bypassed
}

// follow(): a tone disabler's decisions (G.165: canceller off on 2100 Hz with phase reversals; G.164: NLP off
// on pure 2100 Hz) switch bypass and NLP, and switch them back.
TEST(EchoCancellerControls, FollowsToneDisabler) {
  struct FakeDisabler {
    bool canceller = false, nlp = false;
    bool canceller_disabled() const noexcept { return canceller; }
    bool nlp_disabled() const noexcept { return nlp; }
  } td;
  EchoCanceller ec(EchoCancellerConfig{});
  td.canceller = true;
  ec.follow(td);
  EXPECT_TRUE(ec.bypassed());
  td = {false, true};
  ec.follow(td);
  EXPECT_FALSE(ec.bypassed());
  EXPECT_FALSE(ec.nlp_enabled());
  td = {};
  ec.follow(td);
  EXPECT_TRUE(ec.nlp_enabled());
  EchoCancellerConfig no_nlp;
  no_nlp.nlp_enabled = false;
  EchoCanceller ec2(no_nlp);
  ec2.follow(td);
  EXPECT_FALSE(ec2.nlp_enabled()) << "a configured-off NLP stays off";
}

TEST(EchoCancellerControls, FreezeKeepsTaps) {
  const Signals s = make_signals(4.0, 3);
  EchoCanceller ec(EchoCancellerConfig{});
  const Signals first{std::vector(s.far.begin(), s.far.begin() + 16000), std::vector(s.near.begin(), s.near.begin() + 16000), {}};
  run_blocks(ec, first, 160);
  const std::vector<float> taps(ec.taps().begin(), ec.taps().end());
  ec.set_frozen(true);
  run_blocks(ec, s, 160);
  EXPECT_EQ(std::vector<float>(ec.taps().begin(), ec.taps().end()), taps);
  EXPECT_FALSE(ec.adapting());
}

// With the NLP on and no background noise the converged output during far-end speech is silence; with it
// off the linear residual remains (small but not zero).
TEST(EchoCancellerControls, NlpOnOff) {
  const Signals s = make_signals(4.0, 6);
  EchoCanceller on(EchoCancellerConfig{});
  EchoCanceller off(EchoCancellerConfig{});
  off.set_nlp_enabled(false);
  const auto out_on = run_blocks(on, s, 160);
  const auto out_off = run_blocks(off, s, 160);
  double p_on = 0.0, p_off = 0.0;
  for (std::size_t i = 24000; i < s.far.size(); ++i) {
    p_on += double(out_on[i]) * out_on[i];
    p_off += double(out_off[i]) * out_off[i];
  }
  EXPECT_EQ(p_on, 0.0);
  EXPECT_GT(p_off, 0.0);
  EXPECT_GT(erle_db(s.echo, out_off, 24000, s.far.size()), 35.0);
}

// 16 kHz: CSS and its echo (G.168 model D.5, 6 dB ERL) resampled to 16 kHz with libsoxr; 64 ms = 1024 taps.
TEST(EchoCanceller16k, ConvergesAtSixteenKilohertz) {
  const auto far8 = g168::composite_source_signal(8.0, -10.0);
  const auto echo8 = g168::convolve(far8, g168::echo_path(5, 6.0, 200));
  const auto far16 = g168::resample(far8, 8000, 16000);
  const auto echo16 = g168::resample(echo8, 8000, 16000);
  EchoCancellerConfig cfg;
  cfg.sample_rate_hz = 16000;
  cfg.nlp_enabled = false;
  EchoCanceller ec(cfg);
  Signals s{g168::to_int16(far16), g168::to_int16(echo16), echo16};
  const auto out = run_blocks(ec, s, 320);
  const double steady = erle_db(echo16, out, 6 * 16000, 8 * 16000);
  std::printf("16 kHz: steady ERLE %.1f dB\n", steady);
  EXPECT_GT(steady, 30.0);
}

// G.168 test 2B at the other declared tails (g168_test covers 64 ms): CSS at -10 dBm0, every Annex D model at
// 6 dB ERL, the path at the end of the tail (the hardest place for the active window and the bulk-delay
// silence). Limits from REFERENCES.md: combined loss ERL + ERLE >= 20 dB within 1 s (checked over 1.0-1.5 s),
// steady ERLE >= 35 dB (the "good commercial canceller" figure). A double-talk threshold change once left
// D.8 at 32 ms unconverged (0.4 dB) while every 64 ms test passed. Sanitizer builds run D.2, D.5 and D.8 only.
TEST(EchoCancellerTails, ConvergesAt32And128MsOnEveryAnnexDModel) {
  for (int tail_ms : {32, 128}) {
    for (int model = g168::kFirstModel; model <= g168::kLastModel; ++model) {
      if (test::kSanitizerBuild && model != 2 && model != 5 && model != 8) continue;
      const int taps = tail_ms * 8;
      const int delay = std::max(0, taps - static_cast<int>(g168::echo_path_model(model).size()) - 16);
      const double seconds = tail_ms == 32 ? 5.0 : 8.0;
      const auto far = g168::composite_source_signal(seconds, -10.0);
      const auto echo = g168::convolve(far, g168::echo_path(model, 6.0, delay));
      Signals s{g168::to_int16(far), g168::to_int16(echo), echo};
      EchoCancellerConfig cfg;
      cfg.tail_ms = tail_ms;
      cfg.nlp_enabled = false;
      EchoCanceller ec(cfg);
      const auto out = run_blocks(ec, s, 160);
      const double at_1s = erle_db(echo, out, 8000, 12000);
      const std::size_t end = s.far.size();
      const double steady = erle_db(echo, out, end - 16000, end);
      std::printf("%d ms D.%d: ERLE %.1f dB at 1-1.5 s, %.1f dB over the last 2 s\n", tail_ms, model, at_1s, steady);
      EXPECT_GE(6.0 + at_1s, 20.0) << tail_ms << " ms D." << model;
      EXPECT_GE(steady, 35.0) << tail_ms << " ms D." << model;
    }
  }
  if (test::kSanitizerBuild) std::printf("sanitizer build: models D.2, D.5, D.8 only\n");
}

// Every SIMD build of the canceller reaches the scalar build's ERLE (within 3 dB) on the same signals;
// the outputs differ only by float rounding carried through adaptation.
TEST(EchoCancellerIsa, EveryIsaMatchesScalarQuality) {
  const Signals s = make_signals(6.0, 8);
  EchoCancellerConfig cfg;
  cfg.nlp_enabled = false;
  EchoCanceller ref(cfg, Isa::scalar);
  const auto out_ref = run_blocks(ref, s, 160);
  const double erle_ref = erle_db(s.echo, out_ref, 32000, 48000);
  for (Isa isa : available_isas()) {
    EchoCanceller ec(cfg, isa);
    const auto out = run_blocks(ec, s, 160);
    const double erle = erle_db(s.echo, out, 32000, 48000);
    std::printf("%s: steady ERLE %.1f dB (scalar %.1f dB)\n", isa_name(isa), erle, erle_ref);
    EXPECT_NEAR(erle, erle_ref, 3.0) << isa_name(isa);
    // First 100 ms (before rounding differences can grow through the adaptation) within 1 LSB.
    for (std::size_t i = 0; i < 800; ++i) ASSERT_NEAR(out[i], out_ref[i], 1) << isa_name(isa) << " sample " << i;
  }
}

}  // namespace
}  // namespace linedsp
