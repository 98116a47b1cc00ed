// Modem and fax tones: generator against textbook formulas; detector against signals from the generator, from
// sox (an independent synthesiser) and from spandsp's modem_connect_tones_tx / fsk_tx where installed; tolerance
// probes on both sides of V.25 / V.8 / T.30 (figures: REFERENCES.md "Fax and modem tones", signals/modem_tone.hpp);
// noise; G.711 round trip; talk-off on recorded speech and music; block-size independence; bank = channels.
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "codecs/g711.hpp"
#include "dsp/level.hpp"
#include "signals/modem_tone_detector.hpp"
#include "signals/modem_tone_generator.hpp"
#include "support/paths.hpp"

#if LINEDSP_HAVE_SPANDSP
#include <spandsp.h>
#endif

namespace linedsp {
namespace {

using Pcm = std::vector<std::int16_t>;
constexpr double kTwoPi = 2.0 * std::numbers::pi;

Pcm silence(double ms, int fs = 8000) { return Pcm(static_cast<std::size_t>(ms * fs / 1000.0), 0); }
void append(Pcm& a, const Pcm& b) { a.insert(a.end(), b.begin(), b.end()); }

Pcm generate(ModemToneGeneratorConfig c, int ms) {
  c.duration_ms = ms;
  ModemToneGenerator g(c);
  Pcm x(static_cast<std::size_t>(ms) * static_cast<std::size_t>(c.sample_rate_hz) / 1000);
  EXPECT_EQ(g.generate(x), x.size());
  return x;
}
Pcm generate(ModemTone t, int ms) {
  ModemToneGeneratorConfig c;
  c.tone = t;
  return generate(c, ms);
}

// 200 ms of silence, the signal, 300 ms of silence.
Pcm framed(const Pcm& x, int fs = 8000) {
  Pcm out = silence(200, fs);
  append(out, x);
  append(out, silence(300, fs));
  return out;
}

std::vector<ModemToneEvent> detect(const Pcm& x, std::size_t block = 160, ModemToneDetectorConfig cfg = {}) {
  ModemToneDetector det(cfg);
  std::vector<ModemToneEvent> ev;
  auto sink = [&](const ModemToneEvent& e) { ev.push_back(e); };
  for (std::size_t i = 0; i < x.size(); i += block)
    det.process(std::span(x.data() + i, std::min(block, x.size() - i)), sink);
  det.finish(sink);
  return ev;
}

// The tones begun, in order, as names ("ans-pr cng").
std::string begun(const std::vector<ModemToneEvent>& ev) {
  std::string s;
  for (const auto& e : ev)
    if (e.begin) s += (s.empty() ? "" : " ") + std::string(modem_tone_name(e.tone));
  return s;
}

const ModemToneEvent* first(const std::vector<ModemToneEvent>& ev, ModemTone t, bool begin) {
  for (const auto& e : ev)
    if (e.tone == t && e.begin == begin) return &e;
  return nullptr;
}

// Noise at `snr_db` below the mean power of the signal's non-silent samples.
void add_noise_snr(Pcm& x, double snr_db, unsigned seed) {
  double p = 0;
  std::size_t n = 0;
  for (auto v : x)
    if (v != 0) p += double(v) * v, ++n;
  std::mt19937 rng(seed);
  std::normal_distribution<double> g(0.0, std::sqrt(p / std::max<std::size_t>(n, 1) / std::pow(10.0, snr_db / 10)));
  for (auto& v : x) v = static_cast<std::int16_t>(std::clamp(std::lround(v + g(rng)), -32768L, 32767L));
}

void add_noise(Pcm& x, double snr_db, double signal_dbm0, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> n(0.0, std::sqrt(dbm0_to_power(signal_dbm0 - snr_db)));
  for (auto& v : x) v = static_cast<std::int16_t>(std::clamp(std::lround(v + n(rng)), -32768L, 32767L));
}

// ---- sox: an independent synthesiser --------------------------------------------------------------------------

Pcm read_raw(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<char> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  Pcm x(b.size() / 2);
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<std::int16_t>(static_cast<std::uint8_t>(b[2 * i]) | (static_cast<std::uint8_t>(b[2 * i + 1]) << 8));
  return x;
}

// `sox -n ... synth SEC sine F 0 PHASE%` per segment (phase in percent of a cycle, sox's own parameter), the
// segments concatenated by sox, then optionally `tremolo 15 D`. sox's tremolo swings the gain from 1 down to
// 1 - D/100, so a modulation depth m (envelope 1 +- m) is D = 200 m / (1 + m): 33.33 for V.8's 20 %.
struct SoxSegment {
  double seconds, freq_hz, phase_pct;
  bool silent = false;
};
Pcm sox(const std::vector<SoxSegment>& segs, double dbm0, double am_rate = 0, double am_depth = 0) {
  const std::string dir = test::temp_dir();
  char t[64] = "";
  if (am_depth > 0) std::snprintf(t, sizeof t, " tremolo %.4f %.4f", am_rate, 200.0 * am_depth / (1.0 + am_depth));
  if (segs.size() == 1 && !segs[0].silent) {  // one sox run
    const std::string p = dir + "/one.raw";
    char cmd[512];
    std::snprintf(cmd, sizeof cmd, "sox -D -n -r 8000 -e signed -b 16 -c 1 -L -t raw %s synth %.6f sine %.4f 0 %.6f vol %.6f%s",
                  p.c_str(), segs[0].seconds, segs[0].freq_hz, segs[0].phase_pct,
                  dbm0_to_peak(dbm0) / 32767.0 * (1.0 + am_depth), t);
    if (std::system(cmd) != 0) return {};
    return read_raw(p);
  }
  std::string files;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const std::string p = dir + "/seg" + std::to_string(i) + ".raw";
    char cmd[512];
    if (segs[i].silent)
      std::snprintf(cmd, sizeof cmd, "sox -D -n -r 8000 -e signed -b 16 -c 1 -L -t raw %s trim 0 %.6f", p.c_str(),
                    segs[i].seconds);
    else
      std::snprintf(cmd, sizeof cmd,
                    "sox -D -n -r 8000 -e signed -b 16 -c 1 -L -t raw %s synth %.6f sine %.4f 0 %.6f vol %.6f",
                    p.c_str(), segs[i].seconds, segs[i].freq_hz, segs[i].phase_pct,
                    dbm0_to_peak(dbm0) / 32767.0 * (1.0 + am_depth));
    if (std::system(cmd) != 0) return {};
    files += " -t raw -r 8000 -e signed -b 16 -c 1 -L " + p;
  }
  const std::string out = dir + "/sox_out.raw";
  const std::string cmd = "sox -D" + files + " -t raw -r 8000 -e signed -b 16 -c 1 -L " + out + t;
  if (std::system((cmd + " 2>/dev/null").c_str()) != 0) return {};
  return read_raw(out);
}

// 2100 Hz (+offset) for `seconds`, with a reversal of `rev_deg` every `interval` s. 180 degrees: two sox sines
// (phase 0 and phase 50 %, each with the same tremolo) spliced at the reversal instants. Other steps: segments whose
// start phase continues the carrier (f * t cycles) plus the reversals so far, concatenated by sox.
Pcm sox_answer(double seconds, double offset_hz, double interval, double rev_deg, double am_depth = 0,
               double am_rate = 15.0, double dbm0 = -12.0) {
  const double f = 2100.0 + offset_hz;
  if (rev_deg == 0 || interval >= seconds) return sox({{seconds, f, 0}}, dbm0, am_rate, am_depth);
  if (rev_deg == 180) {
    const Pcm a = sox({{seconds, f, 0}}, dbm0, am_rate, am_depth);
    const Pcm b = sox({{seconds, f, 50}}, dbm0, am_rate, am_depth);
    Pcm x(std::min(a.size(), b.size()));
    const auto per = static_cast<std::size_t>(std::lround(interval * 8000));
    for (std::size_t n = 0; n < x.size(); ++n) x[n] = (n / per) % 2 ? b[n] : a[n];
    return x;
  }
  std::vector<SoxSegment> segs;
  int i = 0;
  for (double t = 0; t < seconds - 1e-9; t += interval, ++i) {
    const double len = std::min(interval, seconds - t);
    double cycles = f * t + i * rev_deg / 360.0;
    cycles -= std::floor(cycles);
    segs.push_back({len, f, 100.0 * cycles});
  }
  return sox(segs, dbm0, am_rate, am_depth);
}

// T.30 CNG by one sox run: `synth ON sine F pad 0 OFF repeat N-1`.
Pcm sox_cng(double f, double on, double off, int bursts, double dbm0 = -12.0) {
  const std::string p = test::temp_dir() + "/cng.raw";
  char cmd[512];
  std::snprintf(cmd, sizeof cmd,
                "sox -D -n -r 8000 -e signed -b 16 -c 1 -L -t raw %s synth %.6f sine %.4f vol %.6f pad 0 %.6f repeat %d "
                "2>/dev/null",
                p.c_str(), on, f, dbm0_to_peak(dbm0) / 32767.0, off, bursts - 1);
  if (std::system(cmd) != 0) return {};
  return read_raw(p);
}

#define REQUIRE_SOX() \
  if (!test::have_program("sox")) GTEST_SKIP() << "sox not installed (Debian: sox)"

// ---- generator -------------------------------------------------------------------------------------------------

// V.25 / REFERENCES.md: /ANS reverses the 2100 Hz phase by 180 degrees every 450 ms, the first 450 ms after the
// start; checked sample by sample against the textbook formula A sin(2 pi f n / fs + pi floor(n / 3600)).
TEST(ModemToneGenerator, AnsPrIsPhaseExactAgainstFormula) {
  const Pcm x = generate(ModemTone::ans_pr, 2000);
  const double a = dbm0_to_peak(kModemToneLevelDbm0);
  int worst = 0;
  for (std::size_t n = 0; n < x.size(); ++n) {
    const double ref = a * std::sin(kTwoPi * 2100.0 * n / 8000.0 + std::numbers::pi * static_cast<double>(n / 3600));
    worst = std::max(worst, static_cast<int>(std::abs(x[n] - std::lround(ref))));
  }
  EXPECT_LE(worst, 1);
}

// V.8: ANSam is 2100 Hz with a 15 Hz envelope of depth 20 %: measured by least squares (envelope-independent
// oracle: mean of x^2 over whole 2100 Hz cycles is env^2 / 2).
TEST(ModemToneGenerator, AnsamEnvelopeAndLevel) {
  const Pcm x = generate(ModemTone::ansam, 1000);
  double lo = 1e9, hi = 0;
  for (std::size_t i = 0; i + 80 <= x.size(); i += 4) {
    double p = 0;
    for (std::size_t k = 0; k < 80; ++k) p += double(x[i + k]) * x[i + k];
    const double env = std::sqrt(2 * p / 80);
    lo = std::min(lo, env);
    hi = std::max(hi, env);
  }
  const double carrier = (hi + lo) / 2, depth = (hi - lo) / (hi + lo);
  EXPECT_NEAR(depth, 0.20, 0.01);  // 10 ms averaging shrinks a 15 Hz envelope by sinc(0.15) = 0.96
  EXPECT_NEAR(20 * std::log10(carrier / dbm0_to_peak(0)), kModemToneLevelDbm0, 0.2);
}

// T.30 CNG: 1100 Hz, 0.5 s on, 3 s off, to the sample; level per the configuration.
TEST(ModemToneGenerator, CngCadenceExact) {
  const Pcm x = generate(ModemTone::cng, 7000);
  std::vector<std::size_t> on_runs, off_runs;
  std::size_t run = 0;
  bool on = true;
  // A burst is where the signal is non-zero in any 4-sample window (1100 Hz has no 4 consecutive zeros).
  for (std::size_t n = 0; n < x.size(); ++n) {
    bool now_on = false;
    for (std::size_t k = n; k < std::min(n + 4, x.size()); ++k) now_on |= x[k] != 0;
    if (n >= 4000 && n < 4004) now_on = false;  // the burst's last samples: judged by the run below
    if (now_on != on && run > 8) {
      (on ? on_runs : off_runs).push_back(run);
      run = 0;
      on = now_on;
    }
    ++run;
  }
  ASSERT_GE(on_runs.size(), 2u);
  ASSERT_GE(off_runs.size(), 1u);
  EXPECT_NEAR(static_cast<double>(on_runs[0]), 4000.0, 4.0);
  EXPECT_NEAR(static_cast<double>(off_runs[0]), 24000.0, 4.0);
  double p = 0;
  for (std::size_t n = 0; n < 4000; ++n) p += double(x[n]) * x[n];
  EXPECT_NEAR(power_to_dbm0(p / 4000), kModemToneLevelDbm0, 0.05);
}

// V.21 channel 2: mark 1650 Hz, space 1850 Hz, 300 bit/s; the flag 0x7E repeated. Each bit's frequency checked by
// a naive DFT over the middle of the bit (both candidate frequencies).
TEST(ModemToneGenerator, V21FlagsBitByBit) {
  const Pcm x = generate(ModemTone::v21_flags, 400);
  const double bit = 8000.0 / 300.0;
  std::string bits;
  for (int b = 0; b < 110; ++b) {
    const auto s = static_cast<std::size_t>(b * bit + 4), e = static_cast<std::size_t>((b + 1) * bit - 4);
    auto power = [&](double f) {
      double re = 0, im = 0;
      for (std::size_t n = s; n < e; ++n) {
        re += x[n] * std::cos(kTwoPi * f * n / 8000);
        im += x[n] * std::sin(kTwoPi * f * n / 8000);
      }
      return re * re + im * im;
    };
    bits += power(1650) > power(1850) ? '1' : '0';
  }
  std::string expect;
  for (int b = 0; b < 110; ++b) expect += ((0x7E >> (b % 8)) & 1) ? '1' : '0';
  EXPECT_EQ(bits, expect);
}

TEST(ModemToneGenerator, RejectsBadConfig) {
  ModemToneGeneratorConfig c;
  c.sample_rate_hz = 11025;
  try {
    ModemToneGenerator g(c);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("sample_rate_hz"), std::string::npos);
  }
  c = {};
  c.am_depth = 1.5;
  EXPECT_THROW(ModemToneGenerator{c}, std::invalid_argument);
}

// ---- detection of our own signals, with the delays the header documents ----------------------------------

struct Expect {
  ModemTone tone;
  int ms;
  double max_delay_ms;
};

TEST(ModemToneDetector, EveryToneFromGeneratorWithDocumentedDelay) {
  for (const Expect& ex : {Expect{ModemTone::ans, 3300, 510}, Expect{ModemTone::ans_pr, 3300, 465},
                           Expect{ModemTone::ansam, 3300, 510}, Expect{ModemTone::ansam_pr, 3300, 465},
                           Expect{ModemTone::cng, 4000, 530}, Expect{ModemTone::v21_flags, 1000, 150}}) {
    SCOPED_TRACE(modem_tone_name(ex.tone));
    const Pcm x = framed(generate(ex.tone, ex.ms));
    const auto ev = detect(x);
    EXPECT_EQ(begun(ev), modem_tone_name(ex.tone));
    const auto* b = first(ev, ex.tone, true);
    const auto* e = first(ev, ex.tone, false);
    ASSERT_TRUE(b && e);
    EXPECT_NEAR(static_cast<double>(b->sample), 1600.0, 40.0) << "onset";
    const double delay_ms = (static_cast<double>(b->decided_sample) - 1600.0) / 8.0;
    EXPECT_LE(delay_ms, ex.max_delay_ms);
    std::printf("%-9s detected after %.1f ms, level %.1f dBm0, %.1f Hz, depth %.3f, count %u\n",
                modem_tone_name(ex.tone), delay_ms, b->level_dbm0, b->frequency_hz, b->am_depth, e->count);
    const double expect_ms = ex.ms;  // CNG: bursts at 0 and 3.5 s, the event spans both
    EXPECT_NEAR(static_cast<double>(e->duration_samples) / 8.0, expect_ms, 40.0) << "duration";
    if (ex.tone != ModemTone::v21_flags) {
      EXPECT_NEAR(b->level_dbm0, kModemToneLevelDbm0, 0.5);
    }
  }
}

TEST(ModemToneDetector, SixteenKilohertz) {
  for (ModemTone t : {ModemTone::ans_pr, ModemTone::ansam, ModemTone::cng, ModemTone::v21_flags}) {
    ModemToneGeneratorConfig g;
    g.tone = t;
    g.sample_rate_hz = 16000;
    ModemToneDetectorConfig d;
    d.sample_rate_hz = 16000;
    EXPECT_EQ(begun(detect(framed(generate(g, 3300), 16000), 160, d)), modem_tone_name(t));
  }
}

// ---- sox-synthesised signals ---------------------------------------------------------------------------------

// T.30 CNG from sox: 1100 Hz bursts of 0.5 s with 3 s silences (three bursts).
TEST(ModemToneDetector, SoxCng) {
  REQUIRE_SOX();
  const Pcm x = sox_cng(1100, 0.5, 3.0, 3);
  ASSERT_EQ(x.size(), 3u * 28000u);
  const auto ev = detect(framed(x));
  EXPECT_EQ(begun(ev), "cng");
  const auto* e = first(ev, ModemTone::cng, false);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->count, 3u);
  EXPECT_NEAR(e->duration_samples / 8.0, 7500.0, 20.0);
}

// V.25 ANS / T.30 CED, /ANS (segments with sox's phase parameter), V.8 ANSam and /ANSam (sox tremolo), all from sox.
TEST(ModemToneDetector, SoxAnswerTones) {
  REQUIRE_SOX();
  EXPECT_EQ(begun(detect(framed(sox_answer(3.3, 0, 3.3, 0)))), "ans");
  EXPECT_EQ(begun(detect(framed(sox_answer(3.3, 0, 0.45, 180)))), "ans-pr");
  EXPECT_EQ(begun(detect(framed(sox_answer(3.3, 0, 3.3, 0, 0.20)))), "ansam");
  EXPECT_EQ(begun(detect(framed(sox_answer(3.3, 0, 0.45, 180, 0.20)))), "ansam-pr");
}

// ---- tolerance probes: accept inside, reject outside ---------------------------------------------------------

// V.25: ANS 2100 +-15 Hz must operate; the G.164 disabler band about +-21 Hz (REFERENCES.md, check) too; 35 Hz
// off is outside both and must not be reported as an answer tone. Generated by sox.
TEST(ModemToneDetector, V25AnsFrequencyTolerance) {
  REQUIRE_SOX();
  for (double off : {-21.0, -15.0, 15.0, 21.0}) {
    EXPECT_EQ(begun(detect(framed(sox_answer(3.3, off, 3.3, 0)))), "ans") << off;
    EXPECT_EQ(begun(detect(framed(sox_answer(3.3, off, 0.45, 180)))), "ans-pr") << off;
  }
  for (double off : {-35.0, 35.0, -60.0, 60.0}) EXPECT_EQ(begun(detect(framed(sox_answer(3.3, off, 3.3, 0)))), "") << off;
}

// V.25: reversals every 450 +-25 ms must give ans-pr; 400 and 500 ms (outside) must not (the tone is then plain
// ans). V.25's 180 +-10 degree step must count; a 90 degree jump must not.
TEST(ModemToneDetector, V25ReversalIntervalAndAngle) {
  REQUIRE_SOX();
  for (double iv : {0.425, 0.440, 0.460, 0.475})
    EXPECT_EQ(begun(detect(framed(sox_answer(3.3, 0, iv, 180)))), "ans-pr") << iv;
  for (double iv : {0.400, 0.500}) EXPECT_EQ(begun(detect(framed(sox_answer(3.3, 0, iv, 180)))), "ans") << iv;
  for (double deg : {170.0, 190.0}) EXPECT_EQ(begun(detect(framed(sox_answer(3.3, 0, 0.45, deg)))), "ans-pr") << deg;
  EXPECT_EQ(begun(detect(framed(sox_answer(3.3, 0, 0.45, 90)))), "ans");
}

// V.8: ANSam is AM at 15 +-0.1 Hz, depth 20 % (check: +-1 %). Inside: 19 %, 21 %, 14.9 and 15.1 Hz -> ansam.
// Outside: 5 % depth, or 25 Hz modulation -> plain ans.
TEST(ModemToneDetector, V8AnsamModulationTolerance) {
  for (double depth : {0.19, 0.21}) {
    ModemToneGeneratorConfig c;
    c.tone = ModemTone::ansam;
    c.am_depth = depth;
    EXPECT_EQ(begun(detect(framed(generate(c, 3300)))), "ansam") << depth;
  }
  for (double rate : {14.9, 15.1}) {
    ModemToneGeneratorConfig c;
    c.tone = ModemTone::ansam_pr;
    c.am_rate_hz = rate;
    EXPECT_EQ(begun(detect(framed(generate(c, 3300)))), "ansam-pr") << rate;
  }
  ModemToneGeneratorConfig c;
  c.tone = ModemTone::ansam;
  c.am_depth = 0.05;
  EXPECT_EQ(begun(detect(framed(generate(c, 3300)))), "ans");
  c.am_depth = 0.2;
  c.am_rate_hz = 25;
  EXPECT_EQ(begun(detect(framed(generate(c, 3300)))), "ans");
  if (test::have_program("sox")) {  // the same through sox's tremolo
    EXPECT_EQ(begun(detect(framed(sox_answer(3.3, 0, 3.3, 0, 0.19)))), "ansam");
    EXPECT_EQ(begun(detect(framed(sox_answer(3.3, 0, 3.3, 0, 0.21, 15.1)))), "ansam");
    EXPECT_EQ(begun(detect(framed(sox_answer(3.3, 0, 3.3, 0, 0.05)))), "ans");
  }
}

// T.30 CNG: 1100 +-38 Hz and 0.5 s +-15 % on must operate; 1200 Hz, 300 ms and 800 ms bursts must not.
// 3 s +-15 % silences keep one event; a 2 s silence breaks the cadence (a new event).
TEST(ModemToneDetector, T30CngTolerance) {
  REQUIRE_SOX();
  auto cng = [](double f, double on, double off, int bursts) { return detect(framed(sox_cng(f, on, off, bursts))); };
  for (double f : {1062.0, 1138.0}) EXPECT_EQ(begun(cng(f, 0.5, 3.0, 1)), "cng") << f;
  for (double on : {0.425, 0.575}) EXPECT_EQ(begun(cng(1100, on, 3.0, 1)), "cng") << on;
  for (double f : {1000.0, 1200.0}) EXPECT_EQ(begun(cng(f, 0.5, 3.0, 1)), "") << f;
  for (double on : {0.3, 0.8}) EXPECT_EQ(begun(cng(1100, on, 3.0, 1)), "") << on;
  for (double off : {2.55, 3.45}) {
    const auto ev = cng(1100, 0.5, off, 3);
    EXPECT_EQ(begun(ev), "cng") << off;
    const auto* e = first(ev, ModemTone::cng, false);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->count, 3u) << off;
  }
  EXPECT_EQ(begun(cng(1100, 0.5, 2.0, 2)), "cng cng");
}

// Levels: every tone operates from 0 dBm0 down to -40 dBm0 and not at -50 dBm0 (min_level_dbm0 = -43).
TEST(ModemToneDetector, LevelRange) {
  for (int t = 0; t < kModemToneCount; ++t) {
    const auto tone = static_cast<ModemTone>(t);
    for (double dbm0 : {0.0, -40.0, -50.0}) {
      ModemToneGeneratorConfig c;
      c.tone = tone;
      c.level_dbm0 = dbm0;
      EXPECT_EQ(begun(detect(framed(generate(c, 3300)))), dbm0 > -45 ? modem_tone_name(tone) : "")
          << modem_tone_name(tone) << " at " << dbm0 << " dBm0";
    }
  }
}

// Noise: white Gaussian noise over the 4 kHz band at 10 dB SNR (to the tone), 5 seeds per tone; and the signal
// through a G.711 A-law and mu-law round trip.
TEST(ModemToneDetector, NoiseAndG711) {
  for (int t = 0; t < kModemToneCount; ++t) {
    const auto tone = static_cast<ModemTone>(t);
    int ok = 0;
    for (unsigned seed = 1; seed <= 5; ++seed) {
      Pcm x = framed(generate(tone, 3300));
      add_noise(x, 10.0, kModemToneLevelDbm0, seed);
      ok += begun(detect(x)) == modem_tone_name(tone);
    }
    EXPECT_EQ(ok, 5) << modem_tone_name(tone) << " at 10 dB SNR";
    Pcm a = framed(generate(tone, 3300)), u = a;
    for (auto& v : a) v = decode_alaw(encode_alaw(v));
    for (auto& v : u) v = decode_ulaw(encode_ulaw(v));
    EXPECT_EQ(begun(detect(a)), modem_tone_name(tone)) << "A-law";
    EXPECT_EQ(begun(detect(u)), modem_tone_name(tone)) << "mu-law";
  }
}

// ---- contract ----------------------------------------------------------------------------------------------

// A call's worth of signals: CNG, then /ANSam, then V.21 flags, then ANS; identical events for any block size.
Pcm call_sequence() {
  Pcm x = silence(100);
  append(x, generate(ModemTone::cng, 4000));
  append(x, generate(ModemTone::ansam_pr, 3300));
  append(x, silence(75));
  append(x, generate(ModemTone::v21_flags, 1000));
  append(x, silence(500));
  append(x, generate(ModemTone::ans, 3000));
  append(x, silence(200));
  return x;
}

bool same(const ModemToneEvent& a, const ModemToneEvent& b) {
  return a.tone == b.tone && a.begin == b.begin && a.sample == b.sample && a.duration_samples == b.duration_samples &&
         a.decided_sample == b.decided_sample && a.level_dbm0 == b.level_dbm0 && a.frequency_hz == b.frequency_hz &&
         a.am_depth == b.am_depth && a.count == b.count;
}

TEST(ModemToneDetector, BlockSizeIndependent) {
  const Pcm x = call_sequence();
  const auto ref = detect(x, 4096);
  EXPECT_EQ(begun(ref), "cng ansam-pr v21-flags ans");
  for (std::size_t bs : {1u, 7u, 160u}) {
    const auto ev = detect(x, bs);
    ASSERT_EQ(ev.size(), ref.size()) << bs;
    for (std::size_t i = 0; i < ev.size(); ++i) EXPECT_TRUE(same(ev[i], ref[i])) << "block " << bs << " event " << i;
  }
}

// Batched bank = independent detectors, channel by channel (different signals per channel).
TEST(ModemToneDetector, BankEqualsChannels) {
  const std::size_t n_ch = 5;
  std::vector<Pcm> ch(n_ch);
  ch[0] = call_sequence();
  ch[1] = framed(generate(ModemTone::ans_pr, 3300));
  ch[2] = framed(generate(ModemTone::cng, 8000));
  ch[3] = framed(generate(ModemTone::v21_flags, 2000));
  ch[4] = silence(100);
  add_noise(ch[4], 0, -30, 7);
  std::size_t len = 0;
  for (auto& c : ch) len = std::max(len, c.size());
  for (auto& c : ch) c.resize(len, 0);
  Pcm inter(len * n_ch);
  for (std::size_t i = 0; i < len; ++i)
    for (std::size_t c = 0; c < n_ch; ++c) inter[i * n_ch + c] = ch[c][i];
  ModemToneDetectorBank bank({}, n_ch);
  std::vector<std::vector<ModemToneEvent>> got(n_ch);
  auto sink = [&](const ModemToneBankEvent& e) { got[e.channel].push_back(e.event); };
  for (std::size_t f = 0; f < len; f += 333)
    bank.process(std::span(inter.data() + f * n_ch, std::min<std::size_t>(333, len - f) * n_ch), sink);
  bank.finish(sink);
  for (std::size_t c = 0; c < n_ch; ++c) {
    const auto ref = detect(ch[c]);
    ASSERT_EQ(got[c].size(), ref.size()) << c;
    for (std::size_t i = 0; i < ref.size(); ++i) EXPECT_TRUE(same(got[c][i], ref[i])) << "channel " << c;
  }
  EXPECT_FALSE(got[1].empty());
}

// Every ISA's front end gives the same events (the kernels are bit-identical; see modem_tone_kernels_test).
TEST(ModemToneDetector, SameEventsOnEveryIsa) {
  const Pcm x = call_sequence();
  ModemToneDetector ref_det({}, Isa::scalar);
  std::vector<ModemToneEvent> ref;
  auto rs = [&](const ModemToneEvent& e) { ref.push_back(e); };
  ref_det.process(x, rs);
  ref_det.finish(rs);
  for (Isa isa : available_isas()) {
    ModemToneDetector det({}, isa);
    std::vector<ModemToneEvent> ev;
    auto s = [&](const ModemToneEvent& e) { ev.push_back(e); };
    det.process(x, s);
    det.finish(s);
    ASSERT_EQ(ev.size(), ref.size()) << isa_name(isa);
    for (std::size_t i = 0; i < ev.size(); ++i) EXPECT_TRUE(same(ev[i], ref[i])) << isa_name(isa);
  }
}

TEST(ModemToneDetector, RejectsBadConfigNamingTheField) {
  ModemToneDetectorConfig c;
  c.sample_rate_hz = 44100;
  try {
    ModemToneDetector d(c);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("sample_rate_hz"), std::string::npos);
  }
  c = {};
  c.min_reversal_deg = 60;
  try {
    ModemToneDetector d(c);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("min_reversal_deg"), std::string::npos);
  }
}

TEST(ModemToneDetector, StatePerChannelIsSmall) {
  ModemToneDetector d;
  std::printf("modem-tone detector: %zu bytes per channel (+ %zu bytes of tables shared by all channels)\n",
              d.memory_bytes(), ModemToneDetector::shared_table_bytes(8000));
  EXPECT_LE(d.memory_bytes(), 2048u);
}

// ---- talk-off ----------------------------------------------------------------------------------------------

// False alarms on recorded speech (asterisk-core-sounds-en-wav) and music on hold (asterisk-moh-opsound-wav):
// limit 0 tone events of any type over the corpus (~0.7 h; a subset under sanitizers).
TEST(ModemToneDetector, TalkOffOnRecordedSpeechAndMusic) {
  std::vector<std::filesystem::path> files;
  for (const char* dir : {"/usr/share/asterisk/sounds/en_US_f_Allison", "/usr/share/asterisk/moh"}) {
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec); !ec && it != std::filesystem::end(it); ++it)
      if (it->path().extension() == ".wav") files.push_back(it->path());
  }
  if (files.empty())
    GTEST_SKIP() << "no recorded speech: install asterisk-core-sounds-en-wav and asterisk-moh-opsound-wav";
  std::sort(files.begin(), files.end());
  const std::size_t stride = test::kSanitizerBuild ? 8 : 1;
  std::uint64_t samples = 0;
  int alarms[kModemToneCount] = {};
  std::string which;
  for (std::size_t fi = 0; fi < files.size(); fi += stride) {
    SF_INFO info{};
    SNDFILE* f = sf_open(files[fi].c_str(), SFM_READ, &info);
    if (!f) continue;
    if (info.samplerate != 8000 || info.channels != 1) {
      sf_close(f);
      continue;
    }
    ModemToneDetector det;
    auto sink = [&](const ModemToneEvent& e) {
      if (!e.begin) return;
      ++alarms[static_cast<int>(e.tone)];
      which += files[fi].filename().string() + ":" + modem_tone_name(e.tone) + " ";
    };
    std::vector<std::int16_t> buf(4096);
    for (sf_count_t n; (n = sf_read_short(f, buf.data(), 4096)) > 0;) {
      det.process(std::span(buf.data(), static_cast<std::size_t>(n)), sink);
      samples += static_cast<std::uint64_t>(n);
    }
    det.finish(sink);
    sf_close(f);
  }
  const double hours = static_cast<double>(samples) / 8000.0 / 3600.0;
  int total = 0;
  std::printf("talk-off over %.2f h of speech and music%s:", hours, stride > 1 ? " (sanitizer subset)" : "");
  for (int t = 0; t < kModemToneCount; ++t) {
    std::printf(" %s %.1f/h", modem_tone_name(static_cast<ModemTone>(t)), alarms[t] / hours);
    total += alarms[t];
  }
  std::printf("\n");
  EXPECT_GT(hours, test::kSanitizerBuild ? 0.05 : 0.5);
  EXPECT_EQ(total, 0) << which;
}

#if LINEDSP_HAVE_SPANDSP
// ---- third-party generator and receiver: spandsp -------------------------------------------------------------

Pcm spandsp_tx(int type, int ms) {
  modem_connect_tones_tx_state_t* tx = modem_connect_tones_tx_init(nullptr, type);
  Pcm x(static_cast<std::size_t>(ms) * 8);
  const int got = modem_connect_tones_tx(tx, x.data(), static_cast<int>(x.size()));
  modem_connect_tones_tx_free(tx);
  x.resize(static_cast<std::size_t>(std::max(got, 0)));
  return x;
}

// spandsp's modem_connect_tones_tx as a third-party generator of CNG, ANS, /ANS, ANSam, /ANSam.
TEST(ModemToneDetector, SpandspGeneratedTones) {
  EXPECT_EQ(begun(detect(framed(spandsp_tx(MODEM_CONNECT_TONES_FAX_CNG, 4000)))), "cng");
  EXPECT_EQ(begun(detect(framed(spandsp_tx(MODEM_CONNECT_TONES_ANS, 3300)))), "ans");
  EXPECT_EQ(begun(detect(framed(spandsp_tx(MODEM_CONNECT_TONES_ANS_PR, 3300)))), "ans-pr");
  EXPECT_EQ(begun(detect(framed(spandsp_tx(MODEM_CONNECT_TONES_ANSAM, 3300)))), "ansam");
  EXPECT_EQ(begun(detect(framed(spandsp_tx(MODEM_CONNECT_TONES_ANSAM_PR, 3300)))), "ansam-pr");
}

// spandsp's V.21 channel 2 modulator (fsk_tx) sending HDLC flags (hdlc_tx idles with flags).
TEST(ModemToneDetector, SpandspV21Flags) {
  hdlc_tx_state_t* hdlc = hdlc_tx_init(nullptr, false, 1, false, nullptr, nullptr);
  hdlc_tx_flags(hdlc, 40);
  fsk_tx_state_t* fsk = fsk_tx_init(nullptr, &preset_fsk_specs[FSK_V21CH2], (get_bit_func_t) hdlc_tx_get_bit, hdlc);
  Pcm x(8000);
  fsk_tx(fsk, x.data(), static_cast<int>(x.size()));
  fsk_tx_free(fsk);
  hdlc_tx_free(hdlc);
  const auto ev = detect(framed(x));
  EXPECT_EQ(begun(ev), "v21-flags");
}

struct Probe {
  const char* what;
  Pcm pcm;
  const char* expect;  // our name; "" = nothing
};

// Cross-check with spandsp's modem_connect_tones_rx on the same signals: each probe is given to the spandsp
// receiver configured for the tone expected (or for ANS-PR / CNG when nothing is expected) and to ours.
TEST(ModemToneDetector, ComparedWithSpandspReceiver) {
  REQUIRE_SOX();
  std::vector<Probe> probes;
  probes.push_back({"ans +15 Hz", framed(sox_answer(3.3, 15, 3.3, 0)), "ans"});
  probes.push_back({"ans -15 Hz", framed(sox_answer(3.3, -15, 3.3, 0)), "ans"});
  probes.push_back({"ans +35 Hz", framed(sox_answer(3.3, 35, 3.3, 0)), ""});
  probes.push_back({"ans-pr 425 ms", framed(sox_answer(3.3, 0, 0.425, 180)), "ans-pr"});
  probes.push_back({"ans-pr 475 ms", framed(sox_answer(3.3, 0, 0.475, 180)), "ans-pr"});
  probes.push_back({"reversals 400 ms", framed(sox_answer(3.3, 0, 0.400, 180)), "ans"});
  probes.push_back({"reversals 90 deg", framed(sox_answer(3.3, 0, 0.45, 90)), "ans"});
  probes.push_back({"ansam", framed(sox_answer(3.3, 0, 3.3, 0, 0.2)), "ansam"});
  probes.push_back({"ansam-pr", framed(sox_answer(3.3, 0, 0.45, 180, 0.2)), "ansam-pr"});
  probes.push_back({"ansam 25 Hz", framed(sox_answer(3.3, 0, 3.3, 0, 0.2, 25)), "ans"});
  {
    Pcm x = framed(sox_answer(3.3, 0, 0.45, 180, 0.2));
    add_noise_snr(x, 6, 3);
    probes.push_back({"ansam-pr 6 dB SNR", x, "ansam-pr"});
    x = framed(sox_answer(3.3, 0, 0.45, 180));
    add_noise_snr(x, 6, 4);
    probes.push_back({"ans-pr 6 dB SNR", x, "ans-pr"});
  }
  {
    probes.push_back({"cng", framed(sox_cng(1100, 0.5, 3.0, 2)), "cng"});
    probes.push_back({"cng +38 Hz", framed(sox_cng(1138, 0.5, 3.0, 1)), "cng"});
    probes.push_back({"cng -38 Hz", framed(sox_cng(1062, 0.5, 3.0, 1)), "cng"});
    probes.push_back({"1200 Hz burst", framed(sox_cng(1200, 0.5, 3.0, 1)), ""});
    probes.push_back({"1100 Hz for 2 s", framed(sox_cng(1100, 2.0, 1.0, 1)), ""});
    probes.push_back({"1100 Hz 300 ms", framed(sox_cng(1100, 0.3, 3.0, 1)), ""});
  }
  int ours_wrong = 0, theirs_wrong = 0;
  for (const Probe& p : probes) {
    const std::string ours = begun(detect(p.pcm));
    const std::string expect = p.expect;
    int type = MODEM_CONNECT_TONES_ANS_PR;
    if (expect == "ans") type = MODEM_CONNECT_TONES_ANS;
    if (expect == "ansam") type = MODEM_CONNECT_TONES_ANSAM;
    if (expect == "ansam-pr") type = MODEM_CONNECT_TONES_ANSAM_PR;
    if (expect == "cng" || std::string(p.what).find("1") == 0) type = MODEM_CONNECT_TONES_FAX_CNG;
    int hit = MODEM_CONNECT_TONES_NONE;
    auto cb = [](void* user, int code, int, int) {
      if (code != MODEM_CONNECT_TONES_NONE && *static_cast<int*>(user) == MODEM_CONNECT_TONES_NONE)
        *static_cast<int*>(user) = code;
    };
    modem_connect_tones_rx_state_t* rx = modem_connect_tones_rx_init(nullptr, type, cb, &hit);
    modem_connect_tones_rx(rx, p.pcm.data(), static_cast<int>(p.pcm.size()));
    modem_connect_tones_rx_free(rx);
    const bool theirs_ok = expect.empty() ? hit == MODEM_CONNECT_TONES_NONE : hit == type;
    const bool ours_ok = ours == expect;
    ours_wrong += !ours_ok;
    theirs_wrong += !theirs_ok;
    std::printf("%-20s expect %-9s linedsp %-9s %s   spandsp %-14s %s\n", p.what, expect.empty() ? "-" : p.expect,
                ours.empty() ? "-" : ours.c_str(), ours_ok ? "ok" : "WRONG",
                hit == MODEM_CONNECT_TONES_NONE ? "-" : modem_connect_tone_to_str(hit), theirs_ok ? "ok" : "WRONG");
  }
  std::printf("probes wrong: linedsp %d, spandsp %d (of %zu)\n", ours_wrong, theirs_wrong, probes.size());
  EXPECT_EQ(ours_wrong, 0);
  EXPECT_LE(ours_wrong, theirs_wrong);
}
#endif

}  // namespace
}  // namespace linedsp
