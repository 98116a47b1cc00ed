// Tone disabler (G.164 / G.165 / G.168 decision): figures from REFERENCES.md "Fax and modem tones; tone disabler"
// — /ANS (2100 Hz, 180 degree reversals every 450 +-25 ms) disables echo cancellers; plain 2100 Hz disables echo
// suppressors only (here: the canceller's NLP); operate within about 1 s; detection band about 2100 +-21 Hz; hold
// while the signal stays above about -36 dBm0; release after 250 +-150 ms below it (G.165; all "check" figures,
// second-hand). Signals from our generator (its phase-exactness is tested against the textbook formula in
// modem_tone_test) and from sox where installed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "dsp/level.hpp"
#include "signals/echo_canceller.hpp"
#include "signals/modem_tone_generator.hpp"
#include "signals/tone_disabler.hpp"
#include "support/paths.hpp"

namespace linedsp {
namespace {

using Pcm = std::vector<std::int16_t>;
using Action = ToneDisablerEvent::Action;

// The echo canceller accepts the disabler as its ToneDisablerState (signals/echo_canceller.hpp).
static_assert(ToneDisablerState<ToneDisabler>);

Pcm tone(ModemTone t, int ms, double offset_hz = 0, double dbm0 = kModemToneLevelDbm0) {
  ModemToneGeneratorConfig c;
  c.tone = t;
  c.duration_ms = ms;
  c.frequency_offset_hz = offset_hz;
  c.level_dbm0 = dbm0;
  ModemToneGenerator g(c);
  Pcm x(static_cast<std::size_t>(ms) * 8);
  g.generate(x);
  return x;
}
Pcm noise(int ms, double dbm0, unsigned seed) {  // stands in for the modem data after the answer tone
  std::mt19937 rng(seed);
  std::normal_distribution<double> n(0.0, std::sqrt(dbm0_to_power(dbm0)));
  Pcm x(static_cast<std::size_t>(ms) * 8);
  for (auto& v : x) v = static_cast<std::int16_t>(std::lround(n(rng)));
  return x;
}
Pcm silence(int ms) { return Pcm(static_cast<std::size_t>(ms) * 8, 0); }
Pcm cat(std::initializer_list<Pcm> parts) {
  Pcm x;
  for (const auto& p : parts) x.insert(x.end(), p.begin(), p.end());
  return x;
}

struct Trace {
  std::vector<ToneDisablerEvent> ev;
  std::vector<std::uint8_t> canceller, nlp;  // state after each 5 ms
};

Trace run(const Pcm& x, std::size_t block = 160, ToneDisablerConfig cfg = {}) {
  ToneDisabler td(cfg);
  Trace r;
  auto sink = [&](const ToneDisablerEvent& e) { r.ev.push_back(e); };
  for (std::size_t i = 0; i < x.size(); i += block) {
    td.process(std::span(x.data() + i, std::min(block, x.size() - i)), sink);
    if (block == 40) {
      r.canceller.push_back(td.canceller_disabled());
      r.nlp.push_back(td.nlp_disabled());
    }
  }
  return r;
}

std::string actions(const Trace& r) {
  std::string s;
  for (const auto& e : r.ev)
    s += std::string(s.empty() ? "" : " ") +
         (e.action == Action::disable_nlp ? "nlp" : e.action == Action::disable_canceller ? "canceller" : "enable");
  return s;
}

// G.165/G.168: 2100 Hz with phase reversals disables the canceller, within about 1 s (REFERENCES.md); the modem's
// data that follows (noise at -20 dBm0 here) holds it; 250 ms after the line goes quiet it re-enables.
TEST(ToneDisabler, AnsPrDisablesCancellerHoldsOnDataReleasesAfter250ms) {
  const Pcm x = cat({silence(200), tone(ModemTone::ans_pr, 3300), noise(2000, -20, 1), silence(1000)});
  const Trace r = run(x, 40);
  EXPECT_EQ(actions(r), "canceller enable");
  ASSERT_EQ(r.ev.size(), 2u);
  const double operate_ms = (double(r.ev[0].sample) - 1600) / 8;
  const double release_ms = (double(r.ev[1].sample) - (200 + 3300 + 2000) * 8) / 8;
  std::printf("/ANS: canceller disabled %.1f ms after the tone began; re-enabled %.1f ms after the line went quiet\n",
              operate_ms, release_ms);
  EXPECT_LE(operate_ms, 1000.0);
  EXPECT_NEAR(release_ms, 250.0, 10.0);
  EXPECT_EQ(r.ev[0].tone_onset, 1600u);
  // State follows the events, block by block.
  for (std::size_t b = 0; b < r.canceller.size(); ++b) {
    const std::uint64_t end = (b + 1) * 40;
    const bool expect = end >= r.ev[0].sample && end < r.ev[1].sample;
    ASSERT_EQ(bool(r.canceller[b]), expect) << "block " << b;
    ASSERT_EQ(bool(r.nlp[b]), expect) << "block " << b;
  }
}

// G.164: plain 2100 Hz (ANS / CED) and ANSam disable only the NLP (suppressor-type behaviour); /ANSam the canceller.
TEST(ToneDisabler, WhichToneDisablesWhat) {
  EXPECT_EQ(actions(run(cat({silence(100), tone(ModemTone::ans, 3300), silence(500)}))), "nlp enable");
  EXPECT_EQ(actions(run(cat({silence(100), tone(ModemTone::ansam, 3300), silence(500)}))), "nlp enable");
  EXPECT_EQ(actions(run(cat({silence(100), tone(ModemTone::ansam_pr, 3300), silence(500)}))), "canceller enable");
  EXPECT_EQ(actions(run(cat({silence(100), tone(ModemTone::cng, 4000), silence(500)}))), "");
  EXPECT_EQ(actions(run(cat({silence(100), tone(ModemTone::v21_flags, 2000), silence(500)}))), "");
}

// Detection band about 2100 +-21 Hz (REFERENCES.md, check G.164): +-21 Hz operates, +-35 Hz does not.
TEST(ToneDisabler, DetectionBand) {
  for (double off : {-21.0, 21.0})
    EXPECT_EQ(actions(run(cat({silence(100), tone(ModemTone::ans_pr, 3300, off), silence(500)}))), "canceller enable")
        << off;
  for (double off : {-35.0, 35.0})
    EXPECT_EQ(actions(run(cat({silence(100), tone(ModemTone::ans_pr, 3300, off), silence(500)}))), "") << off;
}

// Holding (G.165 250 +-150 ms, check): drop-outs up to 100 ms never release; 400 ms of quiet always does.
// Holding level about -36 dBm0: data at -30 dBm0 holds, at -45 dBm0 it does not.
TEST(ToneDisabler, HoldingAndRelease) {
  const Pcm pr = tone(ModemTone::ans_pr, 3300);
  EXPECT_EQ(actions(run(cat({silence(100), pr, noise(500, -20, 2), silence(100), noise(500, -20, 3), silence(400)}))),
            "canceller enable");
  {
    const Trace r = run(cat({silence(100), pr, noise(500, -20, 2), silence(400), noise(500, -20, 3), silence(400)}));
    EXPECT_EQ(actions(r), "canceller enable");  // released in the 400 ms gap; the data alone does not re-disable
    ASSERT_EQ(r.ev.size(), 2u);
    EXPECT_LT(r.ev[1].sample, (100 + 3300 + 500 + 400) * 8u);
  }
  {
    const Trace r = run(cat({silence(100), pr, noise(2000, -30, 4), silence(400)}));
    ASSERT_EQ(r.ev.size(), 2u);
    EXPECT_GT(r.ev[1].sample, (100 + 3300 + 2000) * 8u) << "-30 dBm0 holds";
  }
  {
    const Trace r = run(cat({silence(100), pr, noise(2000, -45, 5), silence(400)}));
    ASSERT_EQ(r.ev.size(), 2u);
    EXPECT_LT(r.ev[1].sample, (100 + 3300 + 400) * 8u) << "-45 dBm0 does not hold";
  }
}

// /ANS synthesised by sox (two sox sines, phase 0 and 50 %, spliced every 450 ms).
TEST(ToneDisabler, SoxAnsPr) {
  if (!test::have_program("sox")) GTEST_SKIP() << "sox not installed (Debian: sox)";
  const std::string dir = test::temp_dir();
  Pcm ab[2];
  for (int k = 0; k < 2; ++k) {
    const std::string p = dir + "/ans" + std::to_string(k) + ".raw";
    char cmd[512];
    std::snprintf(cmd, sizeof cmd, "sox -D -n -r 8000 -e signed -b 16 -c 1 -L -t raw %s synth 3.3 sine 2100 0 %d vol %.6f",
                  p.c_str(), k * 50, dbm0_to_peak(-12) / 32767.0);
    ASSERT_EQ(std::system(cmd), 0);
    std::ifstream f(p, std::ios::binary);
    std::vector<char> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    ab[k].resize(b.size() / 2);
    for (std::size_t i = 0; i < ab[k].size(); ++i)
      ab[k][i] = static_cast<std::int16_t>(static_cast<std::uint8_t>(b[2 * i]) | (static_cast<std::uint8_t>(b[2 * i + 1]) << 8));
  }
  Pcm x(ab[0].size());
  for (std::size_t n = 0; n < x.size(); ++n) x[n] = ab[(n / 3600) % 2][n];
  EXPECT_EQ(actions(run(cat({silence(100), x, silence(500)}))), "canceller enable");
}

// Speech does not disable anything (a few minutes of the recorded prompts, when installed).
TEST(ToneDisabler, SpeechDoesNotDisable) {
  const char* files[] = {"/usr/share/asterisk/sounds/en_US_f_Allison/vm-intro.wav",
                         "/usr/share/asterisk/moh/macroform-the_simplicity.wav"};
  int used = 0;
  for (const char* path : files) {
    std::ifstream f(path, std::ios::binary);
    if (!f) continue;
    std::vector<char> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (b.size() < 44) continue;
    Pcm x((b.size() - 44) / 2);  // 8 kHz 16-bit mono WAV: samples after the 44-byte header
    for (std::size_t i = 0; i < x.size(); ++i)
      x[i] = static_cast<std::int16_t>(static_cast<std::uint8_t>(b[44 + 2 * i]) | (static_cast<std::uint8_t>(b[45 + 2 * i]) << 8));
    EXPECT_EQ(actions(run(x)), "") << path;
    ++used;
  }
  if (!used) GTEST_SKIP() << "no recorded speech: install asterisk-core-sounds-en-wav and asterisk-moh-opsound-wav";
}

TEST(ToneDisabler, BlockSizeIndependent) {
  const Pcm x = cat({silence(130), tone(ModemTone::ans, 3300), noise(300, -20, 9), silence(400),
                     tone(ModemTone::ansam_pr, 3300), silence(400)});
  const Trace ref = run(x, 4096);
  EXPECT_EQ(actions(ref), "nlp enable canceller enable");
  for (std::size_t bs : {1u, 7u, 160u}) {
    const Trace r = run(x, bs);
    ASSERT_EQ(r.ev.size(), ref.ev.size()) << bs;
    for (std::size_t i = 0; i < r.ev.size(); ++i) {
      EXPECT_EQ(r.ev[i].action, ref.ev[i].action);
      EXPECT_EQ(r.ev[i].sample, ref.ev[i].sample);
    }
  }
}

// End to end with the echo canceller: follow() bypasses it while the disabler disables the canceller.
TEST(ToneDisabler, EchoCancellerFollows) {
  EchoCanceller ec;
  ToneDisabler td;
  const Pcm far = cat({silence(100), tone(ModemTone::ans_pr, 3300), silence(500)});
  Pcm out(160);
  bool bypassed_seen = false;
  auto sink = [](const ToneDisablerEvent&) {};
  for (std::size_t i = 0; i + 160 <= far.size(); i += 160) {
    const std::span<const std::int16_t> blk(far.data() + i, 160);
    td.process(blk, sink);
    ec.follow(td);
    ec.process(blk, blk, out);
    bypassed_seen |= ec.bypassed();
    if (ec.bypassed()) {
      EXPECT_TRUE(std::equal(out.begin(), out.end(), blk.begin()));
    }
  }
  EXPECT_TRUE(bypassed_seen);
  EXPECT_FALSE(ec.bypassed());
}

TEST(ToneDisabler, RejectsBadConfigNamingTheField) {
  ToneDisablerConfig c;
  c.release_ms = 0;
  try {
    ToneDisabler td(c);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("release_ms"), std::string::npos);
  }
}

}  // namespace
}  // namespace linedsp
