// ITU-T G.711 Appendix I (09/99) packet-loss concealment, tested against the behaviour the Appendix
// describes (numbers as summarised in REFERENCES.md): 10 ms frames, 3.75 ms output delay, pitch 40..120
// samples, repetition of the last pitch period, gain falling 20 % per 10 ms from the second erased
// frame, silence after 60 ms, and an overlap-add on the first good frame of a quarter period plus 4 ms
// per extra erased frame (at most 10 ms). Oracles are constructed signals (exactly periodic waveforms
// whose true continuation is known) and recorded speech (asterisk-core-sounds-en-wav); spandsp's plc is
// a cross-check whose agreement is reported, not required to be identity.
#include <gtest/gtest.h>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <numeric>
#include <random>
#include <vector>

#include "codecs/plc.hpp"
#include "support/paths.hpp"

#if LINEDSP_HAVE_SPANDSP
#include <spandsp.h>
#endif

namespace linedsp {
namespace {

constexpr std::size_t kFrame = G711Plc::kFrameSamples;
constexpr std::size_t kDelay = G711Plc::kDelaySamples;

// Runs x through the PLC; lost[f] says whether 10 ms frame f is lost. frames_per_call groups frames
// into one call (a run of equal good/lost status only). Output is aligned with the input timeline: the
// returned y[n] is the PLC output sample n + 30 (so y == x where nothing is lost).
std::vector<std::int16_t> run_plc(const std::vector<std::int16_t>& x, const std::vector<bool>& lost,
                                  std::size_t frames_per_call = 1, G711Plc* plc_out = nullptr) {
  G711Plc local;
  G711Plc& plc = plc_out ? *plc_out : local;
  const std::size_t frames = x.size() / kFrame;
  std::vector<std::int16_t> out(frames * kFrame);
  std::size_t f = 0;
  while (f < frames) {
    std::size_t run = 1;
    while (run < frames_per_call && f + run < frames && lost[f + run] == lost[f]) ++run;
    std::span<std::int16_t> o(out.data() + f * kFrame, run * kFrame);
    if (lost[f]) {
      EXPECT_EQ(plc.lost_frame(o), run * kFrame);
    } else {
      EXPECT_EQ(plc.good_frame(std::span<const std::int16_t>(x.data() + f * kFrame, run * kFrame), o),
                run * kFrame);
    }
    f += run;
  }
  std::vector<std::int16_t> y(out.size() - kDelay);
  std::copy(out.begin() + kDelay, out.end(), y.begin());
  return y;
}

// An exactly periodic waveform of period p samples (a few harmonics with fixed phases).
std::vector<std::int16_t> periodic(std::size_t p, std::size_t n, double amplitude = 8000.0) {
  std::vector<std::int16_t> x(n);
  const double kTwoPi = 6.283185307179586;
  for (std::size_t i = 0; i < n; ++i) {
    const double ph = kTwoPi * static_cast<double>(i % p) / static_cast<double>(p);
    const double v = std::sin(ph) + 0.5 * std::sin(2 * ph + 1.0) + 0.25 * std::sin(3 * ph + 2.0);
    x[i] = static_cast<std::int16_t>(std::lround(amplitude * v / 1.75));
  }
  return x;
}

std::vector<std::int16_t> noise(std::size_t n, unsigned seed, double rms = 3000.0) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> d(0.0, rms);
  std::vector<std::int16_t> x(n);
  for (auto& v : x) v = static_cast<std::int16_t>(std::clamp(std::lround(d(rng)), -32768L, 32767L));
  return x;
}

// The Appendix's gain at sample i of the k-th erased frame (k from 0): 1 in the first frame, then
// falling linearly by 0.2 per frame (0.0025 per sample), 0 from the 7th frame (after 60 ms).
double appendix_gain(int k, std::size_t i) {
  if (k == 0) return 1.0;
  if (k >= G711Plc::kSilentAfterFrames) return 0.0;
  return 1.0 - 0.2 * (k - 1) - 0.0025 * static_cast<double>(i);
}

double energy(const std::int16_t* p, std::size_t n) {
  double e = 0;
  for (std::size_t i = 0; i < n; ++i) e += static_cast<double>(p[i]) * p[i];
  return e;
}

// Speech from the Asterisk prompts (8 kHz mono 16-bit WAV), up to max_seconds.
std::vector<std::int16_t> load_speech(double max_seconds) {
  namespace fs = std::filesystem;
  const fs::path dir = "/usr/share/asterisk/sounds/en_US_f_Allison";
  std::vector<std::int16_t> all;
  if (!fs::exists(dir)) return all;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".wav") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  const auto limit = static_cast<std::size_t>(max_seconds * 8000);
  for (const auto& f : files) {
    SF_INFO info{};
    SNDFILE* sf = sf_open(f.c_str(), SFM_READ, &info);
    if (!sf) continue;
    if (info.samplerate == 8000 && info.channels == 1) {
      std::vector<std::int16_t> buf(static_cast<std::size_t>(info.frames));
      buf.resize(static_cast<std::size_t>(sf_read_short(sf, buf.data(), info.frames)));
      all.insert(all.end(), buf.begin(), buf.end());
    }
    sf_close(sf);
    if (all.size() >= limit) break;
  }
  all.resize(std::min(all.size(), limit) / kFrame * kFrame);
  return all;
}

// Loss pattern on 20 ms packets (two 10 ms frames), Bernoulli with the given rate, fixed seed.
std::vector<bool> packet_losses(std::size_t frames, double rate, unsigned seed) {
  std::mt19937 rng(seed);
  std::bernoulli_distribution lose(rate);
  std::vector<bool> lost(frames, false);
  for (std::size_t f = 4; f + 1 < frames; f += 2) lost[f] = lost[f + 1] = lose(rng);
  return lost;
}

// --- the Appendix's timing ---------------------------------------------------------------------------

// G.711 App. I: output is delayed by 3.75 ms (30 samples) so a concealment can overlap-add into
// speech not yet played; while nothing is lost, the output is exactly the input 30 samples later.
TEST(G711PlcAppendixI, GoodFramesPassThroughDelayedBy3_75ms) {
  const auto x = noise(8000, 1);
  G711Plc plc;
  std::vector<std::int16_t> y(x.size());
  for (std::size_t at = 0; at < x.size(); at += 160)
    plc.good_frame(std::span(x).subspan(at, 160), std::span(y).subspan(at, 160));
  for (std::size_t n = 0; n < kDelay; ++n) ASSERT_EQ(y[n], 0) << n;
  for (std::size_t n = kDelay; n < x.size(); ++n) ASSERT_EQ(y[n], x[n - kDelay]) << n;
}

// The unit is the 10 ms frame: a 20 or 30 ms packet in one call gives exactly the output of its 10 ms
// frames one by one; in and out may be the same buffer.
TEST(G711PlcAppendixI, OutputDoesNotDependOnPacketSizeOrAliasing) {
  const auto x = noise(40 * kFrame, 2);
  std::vector<bool> lost(40, false);
  for (std::size_t f : {6u, 7u, 12u, 13u, 14u, 15u, 16u, 17u, 18u, 19u, 25u, 30u, 31u, 32u}) lost[f] = true;
  const auto ref = run_plc(x, lost, 1);
  EXPECT_EQ(run_plc(x, lost, 2), ref);
  EXPECT_EQ(run_plc(x, lost, 3), ref);
  // In place.
  G711Plc plc;
  std::vector<std::int16_t> buf = x;
  for (std::size_t f = 0; f < 40; ++f) {
    std::span<std::int16_t> s(buf.data() + f * kFrame, kFrame);
    if (lost[f]) plc.lost_frame(s);
    else plc.good_frame(s, s);
  }
  EXPECT_TRUE(std::equal(ref.begin(), ref.end(), buf.begin() + kDelay));
}

TEST(G711PlcAppendixI, ProcessesWholeFramesOnlyAndReportsTheCount) {
  G711Plc plc;
  std::vector<std::int16_t> in(200, 100), out(200, -7);
  EXPECT_EQ(plc.good_frame(in, out), 160u);
  EXPECT_EQ(out[160], -7);  // the partial frame is untouched
  EXPECT_EQ(plc.good_frame(std::span(in).first(100), out), 80u);
  EXPECT_EQ(plc.lost_frame(std::span(out).first(79)), 0u);
  EXPECT_EQ(plc.erased_frames(), 0);
}

TEST(G711PlcAppendixI, ResetReturnsToTheInitialState) {
  const auto x = noise(30 * kFrame, 3);
  std::vector<bool> lost(30, false);
  lost[10] = lost[11] = lost[20] = true;
  G711Plc plc;
  run_plc(noise(30 * kFrame, 4), std::vector<bool>(30, true), 1, &plc);
  plc.reset();
  EXPECT_EQ(run_plc(x, lost, 1, &plc), run_plc(x, lost));
}

// --- pitch and repetition ----------------------------------------------------------------------------

// G.711 App. I pitch search over 40..120 samples: on an exactly periodic waveform the period used must
// be the waveform's period or a multiple of it (all repeat it seamlessly).
TEST(G711PlcAppendixI, PitchIsThePeriodOfAPeriodicWaveform) {
  for (std::size_t p : {40u, 45u, 57u, 64u, 83u, 100u, 119u, 120u}) {
    const auto x = periodic(p, 20 * kFrame);
    std::vector<bool> lost(20, false);
    lost[15] = true;
    G711Plc plc;
    run_plc(x, lost, 1, &plc);
    EXPECT_GE(plc.pitch_samples(), 40);
    EXPECT_LE(plc.pitch_samples(), 120);
    EXPECT_EQ(plc.pitch_samples() % static_cast<int>(p), 0) << "period " << p << " pitch " << plc.pitch_samples();
  }
}

// G.711 App. I: an erased frame repeats the last pitch period (2nd and 3rd frames from 2 and 3
// periods), at gain 1 for the first 10 ms, then falling 20 % per 10 ms, and silence after 60 ms. On an
// exactly periodic waveform the repetition is the true continuation, so the concealment must equal the
// waveform times the Appendix's gain schedule (within the 1 LSB of the truncating casts).
TEST(G711PlcAppendixI, ErasureIsTheContinuationTimesTheAttenuationSchedule) {
  for (std::size_t p : {50u, 73u, 111u}) {
    const std::size_t frames = 30, first = 12, count = 9;
    const auto x = periodic(p, frames * kFrame, 12000.0);
    std::vector<bool> lost(frames, false);
    for (std::size_t f = first; f < first + count; ++f) lost[f] = true;
    const auto y = run_plc(x, lost);
    double worst = 0;
    for (std::size_t k = 0; k < count; ++k)
      for (std::size_t i = 0; i < kFrame; ++i) {
        const std::size_t n = (first + k) * kFrame + i;
        const double want = appendix_gain(static_cast<int>(k), i) * x[n];
        worst = std::max(worst, std::abs(y[n] - want));
        if (k >= 6) {
          ASSERT_EQ(y[n], 0) << "period " << p << ": not silent after 60 ms, frame " << k;
        }
      }
    EXPECT_LE(worst, 2.0) << "period " << p;
  }
}

// G.711 App. I, first good frame after an erasure of k frames: the synthetic signal (at the gain it had
// reached) is cross-faded into the real one over a quarter period + 4 ms per erased frame beyond the
// first, at most 10 ms; after that the output is the input exactly.
TEST(G711PlcAppendixI, RecoveryOverlapAddLengthAndShape) {
  const std::size_t p = 64;  // quarter period 16
  for (int k = 1; k <= 8; ++k) {
    const std::size_t frames = 30, first = 12;
    const auto x = periodic(p, frames * kFrame, 12000.0);
    std::vector<bool> lost(frames, false);
    for (std::size_t f = first; f < first + static_cast<std::size_t>(k); ++f) lost[f] = true;
    G711Plc plc;
    const auto y = run_plc(x, lost, 1, &plc);
    ASSERT_EQ(plc.pitch_samples() % static_cast<int>(p), 0);
    const std::size_t quarter = static_cast<std::size_t>(plc.pitch_samples()) / 4;
    const std::size_t olen = std::min<std::size_t>(quarter + 32 * static_cast<std::size_t>(k - 1), 80);
    const double g = std::max(0.0, 1.0 - 0.2 * (k - 1));
    const std::size_t start = (first + static_cast<std::size_t>(k)) * kFrame;
    for (std::size_t i = 0; i < olen; ++i) {
      const double w = static_cast<double>(i + 1) / static_cast<double>(olen);
      // For a 60 ms or longer loss the synthetic signal is silent (gain 0): only the fade-in remains.
      const double want = ((1.0 - w) * g + w) * x[start + i];
      EXPECT_NEAR(y[start + i], want, 2.0) << "k=" << k << " i=" << i;
    }
    for (std::size_t n = start + olen; n < y.size(); ++n) ASSERT_EQ(y[n], x[n]) << "k=" << k << " n=" << n;
  }
}

// G.711 App. I: silence after 60 ms — on noise (no pitch), a long loss gives exact zeros from 60 ms
// after its start, and non-silent concealment before.
TEST(G711PlcAppendixI, SilenceAfter60msOnAnySignal) {
  const auto x = noise(40 * kFrame, 5);
  std::vector<bool> lost(40, false);
  for (std::size_t f = 10; f < 30; ++f) lost[f] = true;
  const auto y = run_plc(x, lost);
  for (std::size_t n = 16 * kFrame; n < 30 * kFrame; ++n) ASSERT_EQ(y[n], 0) << n;
  for (std::size_t k = 0; k < 5; ++k)
    EXPECT_GT(energy(&y[(10 + k) * kFrame], kFrame), 1e-3 * energy(&x[10 * kFrame], kFrame)) << k;
}

// --- recorded speech ---------------------------------------------------------------------------------

struct SpeechCase {
  std::vector<std::int16_t> x;
  std::vector<bool> lost;
};

const SpeechCase& speech_case() {
  static const SpeechCase c = [] {
    SpeechCase s;
    s.x = load_speech(test::kSanitizerBuild ? 20.0 : 90.0);
    s.lost = packet_losses(s.x.size() / kFrame, 0.1, 7);
    return s;
  }();
  return c;
}

// A frame is "voiced" for these measures when it and the frame before carry speech (above -40 dBm0
// mean power, about 300 rms).
bool loud(const std::vector<std::int16_t>& x, std::size_t f) {
  return energy(&x[f * kFrame], kFrame) / kFrame > 300.0 * 300.0;
}

// Step at sample n (between n-1 and n) relative to the same signal's local slope: the mean |first
// difference| over the 5 ms either side, the step itself excluded. A click is a step much larger than
// its neighbours.
double edge_jump_ratio(const std::vector<std::int16_t>& y, std::size_t n) {
  double slope = 0;
  for (std::size_t i = n - 40; i < n + 40; ++i)
    if (i != n) slope += std::abs(y[i] - y[i - 1]);
  slope /= 79.0;
  return std::abs(y[n] - y[n - 1]) / (slope + 20.0);
}

// No discontinuity at frame edges (issue 7): at every edge where concealment starts or ends, the step
// between adjacent output samples, relative to the output's own neighbouring steps, is distributed as
// in the unbroken speech at the same edges. A naive concealment (repeating the last 10 ms) is measured
// the same way and must fail, so the test can fail.
TEST(G711PlcSpeech, NoDiscontinuityAtFrameEdges) {
  const auto& c = speech_case();
  if (c.x.empty()) GTEST_SKIP() << "asterisk-core-sounds-en-wav not installed";
  if (test::kSanitizerBuild) std::printf("[sanitizer build: 20 s of speech instead of 90 s]\n");
  const auto y = run_plc(c.x, c.lost);
  // Naive: repeat the last good 10 ms frame for every lost frame.
  std::vector<std::int16_t> naive = c.x;
  for (std::size_t f = 1; f < c.lost.size(); ++f)
    if (c.lost[f]) std::copy_n(&naive[(f - 1) * kFrame], kFrame, &naive[f * kFrame]);

  std::vector<double> ours, theirs, original;
  for (std::size_t f = 2; f + 2 < c.lost.size(); ++f) {
    if (c.lost[f] == c.lost[f - 1] || !loud(c.x, f - 1)) continue;
    const std::size_t n = f * kFrame;
    ours.push_back(edge_jump_ratio(y, n));
    theirs.push_back(edge_jump_ratio(naive, n));
    original.push_back(edge_jump_ratio(c.x, n));
  }
  ASSERT_GT(ours.size(), 50u);
  auto pct = [](std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
  };
  std::printf("edge step / local slope over %zu edges: ours median %.2f p95 %.2f max %.2f; "
              "repeat-last-frame median %.2f p95 %.2f max %.2f; the unbroken speech median %.2f p95 %.2f max %.2f\n",
              ours.size(), pct(ours, 0.5), pct(ours, 0.95), pct(ours, 1.0), pct(theirs, 0.5), pct(theirs, 0.95),
              pct(theirs, 1.0), pct(original, 0.5), pct(original, 0.95), pct(original, 1.0));
  // Steps at our edges look like steps in unbroken speech at the same places ...
  EXPECT_LT(pct(ours, 0.5), 1.2 * pct(original, 0.5));
  EXPECT_LT(pct(ours, 0.95), 1.2 * pct(original, 0.95));
  EXPECT_LT(pct(ours, 1.0), 1.5 * pct(original, 1.0));
  // ... and the measure does see a naive seam.
  EXPECT_GT(pct(theirs, 0.95), 2.0 * pct(original, 0.95));
}

// Energy envelope on voiced speech (issue 7; G.711 App. I gain schedule): the first concealed 10 ms
// keeps the level of the speech it replaces, and in 60 ms losses frames 2..5 fall 20 % per 10 ms
// relative to the first (in amplitude: mean power ratio = mean of the squared linear gain ramp).
TEST(G711PlcSpeech, EnergyEnvelopeOfConcealment) {
  const auto& c = speech_case();
  if (c.x.empty()) GTEST_SKIP() << "asterisk-core-sounds-en-wav not installed";
  const auto y = run_plc(c.x, c.lost);
  std::vector<double> first_db;
  for (std::size_t f = 2; f < c.lost.size(); ++f)
    if (c.lost[f] && !c.lost[f - 1] && loud(c.x, f - 1) && loud(c.x, f))
      first_db.push_back(10 * std::log10(energy(&y[f * kFrame], kFrame) / energy(&c.x[f * kFrame], kFrame)));
  ASSERT_GT(first_db.size(), 20u);
  std::sort(first_db.begin(), first_db.end());
  const double median = first_db[first_db.size() / 2];
  std::printf("first concealed 10 ms vs the lost speech, over %zu losses: median %.2f dB, p10 %.2f, p90 %.2f\n",
              first_db.size(), median, first_db[first_db.size() / 10], first_db[first_db.size() * 9 / 10]);
  EXPECT_LT(std::abs(median), 3.0);

  // 60 ms losses in voiced speech: one every 400 ms.
  std::vector<std::vector<double>> ratio_db(6);
  std::vector<bool> lost(c.lost.size(), false);
  for (std::size_t f = 20; f + 6 < lost.size(); f += 40)
    if (loud(c.x, f - 1)) std::fill_n(lost.begin() + static_cast<long>(f), 6, true);
  const auto z = run_plc(c.x, lost);
  for (std::size_t f = 20; f + 6 < lost.size(); f += 40) {
    if (!lost[f]) continue;
    const double e0 = energy(&z[f * kFrame], kFrame);
    if (e0 <= 0) continue;
    for (int k = 1; k < 6; ++k)
      ratio_db[static_cast<std::size_t>(k)].push_back(
          10 * std::log10(std::max(energy(&z[(f + static_cast<std::size_t>(k)) * kFrame], kFrame), 1e-9) / e0));
  }
  ASSERT_GT(ratio_db[1].size(), 10u);
  for (int k = 1; k < 6; ++k) {
    double g2 = 0;
    for (std::size_t i = 0; i < kFrame; ++i) g2 += appendix_gain(k, i) * appendix_gain(k, i);
    const double want_db = 10 * std::log10(g2 / kFrame);
    auto v = ratio_db[static_cast<std::size_t>(k)];
    std::sort(v.begin(), v.end());
    const double med = v[v.size() / 2];
    std::printf("erased frame %d: median level %.2f dB re first concealed frame (Appendix gain: %.2f dB)\n", k + 1,
                med, want_db);
    EXPECT_NEAR(med, want_db, 1.5) << "frame " << k;
  }
}

#if LINEDSP_HAVE_SPANDSP
// Cross-check with spandsp's plc (plc_rx/plc_fillin, its own variant of the same idea: pitch repetition
// with attenuation, no delay). The two are different algorithms, so agreement is reported as a
// correlation over concealed samples; each is also scored against the speech it replaced.
TEST(G711PlcSpeech, CrossCheckWithSpandspPlc) {
  if (test::kSanitizerBuild)
    GTEST_SKIP() << "spandsp 0.0.6 plc_fillin calls memcpy on overlapping ranges (its bug, not ours), which "
                    "ASan reports; the cross-check runs in the normal build";
  const auto& c = speech_case();
  if (c.x.empty()) GTEST_SKIP() << "asterisk-core-sounds-en-wav not installed";
  const auto ours = run_plc(c.x, c.lost);
  std::vector<std::int16_t> sd(c.x.size());
  plc_state_t* s = plc_init(nullptr);
  ASSERT_NE(s, nullptr);
  for (std::size_t f = 0; f < c.lost.size(); ++f) {
    std::int16_t* p = sd.data() + f * kFrame;
    if (c.lost[f]) {
      plc_fillin(s, p, static_cast<int>(kFrame));
    } else {
      std::copy_n(&c.x[f * kFrame], kFrame, p);
      plc_rx(s, p, static_cast<int>(kFrame));
    }
  }
  plc_free(s);
  // Concealed samples of losses starting in voiced speech (the first 20 ms of each loss).
  double oo = 0, ss = 0, os = 0, xx = 0, ox = 0, sx = 0;
  for (std::size_t f = 2; f + 1 < c.lost.size(); ++f) {
    if (!(c.lost[f] && !c.lost[f - 1] && loud(c.x, f - 1))) continue;
    for (std::size_t n = f * kFrame; n < (f + 2) * kFrame && n < ours.size(); ++n) {
      const double a = ours[n], b = sd[n], r = c.x[n];
      oo += a * a; ss += b * b; os += a * b; xx += r * r; ox += a * r; sx += b * r;
    }
  }
  ASSERT_GT(xx, 0);
  const double corr = os / std::sqrt(oo * ss);
  const double ours_vs_x = ox / std::sqrt(oo * xx), spandsp_vs_x = sx / std::sqrt(ss * xx);
  std::printf("concealed voiced speech: correlation ours~spandsp %.3f; with the lost speech: ours %.3f, "
              "spandsp %.3f; level re lost speech: ours %.2f dB, spandsp %.2f dB\n",
              corr, ours_vs_x, spandsp_vs_x, 10 * std::log10(oo / xx), 10 * std::log10(ss / xx));
  // Both repeat the last pitch period: they must agree far better than unrelated signals would.
  EXPECT_GT(corr, 0.5);
  EXPECT_GT(ours_vs_x, 0.0);
}
#endif

}  // namespace
}  // namespace linedsp
