// Goertzel filters (dsp/goertzel.hpp): every SIMD kernel equals the scalar specification bit for bit, the
// banks do not depend on how input is split into blocks, the multi-channel bank equals a one-channel bank
// per channel, and the power and complex value equal the DFT of the block computed independently (a naive
// double-precision DFT for any frequency, KissFFT's kiss_fftr for bin-centred ones) at 8 and 16 kHz.
#include <gtest/gtest.h>
#include <kiss_fftr.h>

#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "dsp/goertzel.hpp"
#include "dsp/level.hpp"

namespace linedsp {
namespace {

std::vector<float> random_pcm(std::size_t n, std::mt19937& rng, float peak = 32767.0f) {
  std::uniform_real_distribution<float> d(-peak, peak);
  std::vector<float> v(n);
  for (auto& s : v) s = std::round(d(rng));
  return v;
}

std::vector<float> random_coeffs(std::size_t m, std::mt19937& rng) {
  std::uniform_real_distribution<double> d(50.0, 3950.0);
  std::vector<float> c(m);
  for (auto& v : c) v = goertzel_coeff(d(rng), 8000.0);
  return c;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Naive double-precision DFT of x at frequency f (any real f): X = sum x[n] exp(-j 2 pi f n / fs).
std::complex<double> naive_dft(const std::vector<float>& x, double f_hz, double fs_hz) {
  std::complex<double> acc = 0.0;
  const double w = 2.0 * std::numbers::pi * f_hz / fs_hz;
  for (std::size_t i = 0; i < x.size(); ++i) acc += double(x[i]) * std::polar(1.0, -w * double(i));
  return acc;
}

double energy(const std::vector<float>& x) {
  double e = 0.0;
  for (float v : x) e += double(v) * double(v);
  return e;
}

// --- SIMD variants against the scalar specification -------------------------------------------------------

class GoertzelKernelIsa : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!isa_supported(GetParam())) GTEST_SKIP() << isa_name(GetParam()) << " is not available on this CPU";
  }
};

// Spec: dsp/kernels/goertzel_kernels.hpp — each variant repeats the scalar operation order per lane, so the
// state after any input is identical bit for bit (not merely within a tolerance). Sizes straddle every lane
// count (4, 8, 16) and group (x4); pointers are deliberately misaligned by one float.
TEST_P(GoertzelKernelIsa, BankEqualsScalarBitForBit) {
  const auto& k = goertzel_kernels(GetParam());
  ASSERT_EQ(k.isa, GetParam());
  std::mt19937 rng(1234);
  int cases = 0;
  for (std::size_t m : {1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u, 13u, 16u, 17u, 31u, 33u, 64u, 65u, 70u, 100u}) {
    for (std::size_t n : {0u, 1u, 2u, 7u, 51u, 160u, 333u}) {
      const auto x = random_pcm(n + 1, rng);
      const auto c = random_coeffs(m + 1, rng);
      auto s1 = random_pcm(m + 1, rng, 1000.0f), s2 = random_pcm(m + 1, rng, 1000.0f);
      auto r1 = s1, r2 = s2;
      k.bank(x.data() + 1, n, c.data() + 1, s1.data() + 1, s2.data() + 1, m);
      goertzel_kernels(Isa::scalar).bank(x.data() + 1, n, c.data() + 1, r1.data() + 1, r2.data() + 1, m);
      ASSERT_TRUE(same_bits(s1, r1) && same_bits(s2, r2)) << "m=" << m << " n=" << n;
      ++cases;
    }
  }
  EXPECT_EQ(cases, 17 * 7);
}

TEST_P(GoertzelKernelIsa, MultiChannelEqualsScalarBitForBit) {
  const auto& k = goertzel_kernels(GetParam());
  std::mt19937 rng(99);
  for (std::size_t channels : {1u, 3u, 4u, 7u, 8u, 15u, 16u, 17u, 33u, 50u}) {
    for (std::size_t m : {1u, 3u, 4u, 8u, 9u, 17u}) {
      for (std::size_t n : {0u, 1u, 7u, 160u}) {
        const auto x = random_pcm(n * channels + 1, rng);
        const auto c = random_coeffs(m, rng);
        auto s1 = random_pcm(m * channels + 1, rng, 1000.0f), s2 = random_pcm(m * channels + 1, rng, 1000.0f);
        auto r1 = s1, r2 = s2;
        k.multi(x.data() + 1, n, channels, c.data(), m, s1.data() + 1, s2.data() + 1);
        goertzel_kernels(Isa::scalar).multi(x.data() + 1, n, channels, c.data(), m, r1.data() + 1, r2.data() + 1);
        ASSERT_TRUE(same_bits(s1, r1) && same_bits(s2, r2)) << "channels=" << channels << " m=" << m << " n=" << n;
      }
    }
  }
}

// goertzel_kernels.hpp: the powers kernel repeats goertzel_power()'s operation order per lane, so it equals
// the inline function bit for bit, in the bank layout (channels = 1) and the multi layout, odd sizes.
TEST_P(GoertzelKernelIsa, PowersEqualInlinePowerBitForBit) {
  const auto& k = goertzel_kernels(GetParam());
  std::mt19937 rng(21);
  for (std::size_t channels : {1u, 3u, 16u, 17u, 40u}) {
    for (std::size_t m : {1u, 5u, 8u, 17u, 33u}) {
      const auto c = random_coeffs(m, rng);
      const auto s1 = random_pcm(m * channels, rng, 1e6f), s2 = random_pcm(m * channels, rng, 1e6f);
      std::vector<float> out(m * channels), expect(m * channels);
      k.powers(s1.data(), s2.data(), c.data(), m, channels, out.data());
      for (std::size_t f = 0; f < m; ++f)
        for (std::size_t ch = 0; ch < channels; ++ch)
          expect[f * channels + ch] = goertzel_power(s1[f * channels + ch], s2[f * channels + ch], c[f]);
      ASSERT_TRUE(same_bits(out, expect)) << "channels=" << channels << " m=" << m;
    }
  }
  // The classes' bulk accessors use it: same values as the per-filter accessor.
  const std::vector<double> freqs = {697, 770, 852, 941, 1209};
  MultiChannelGoertzelBank mc(freqs, 8000.0, 5, GetParam());
  const auto x = random_pcm(5 * 100, rng);
  mc.process(x);
  std::vector<float> all(freqs.size() * 5);
  mc.powers(all);
  for (std::size_t f = 0; f < freqs.size(); ++f)
    for (std::size_t ch = 0; ch < 5; ++ch) ASSERT_EQ(all[f * 5 + ch], mc.power(f, ch));
}

// Real-time contract (DESIGN.md): results do not depend on how the caller splits the input (1, 7, 160,
// 4096-sample blocks and random splits give the same bits as one call).
TEST_P(GoertzelKernelIsa, BanksIndependentOfBlockSplit) {
  std::mt19937 rng(7);
  const std::vector<double> freqs = {697, 770, 852, 941, 1209, 1336, 1477, 1633, 350, 440, 480, 620, 1400};
  const std::size_t channels = 19;
  const std::size_t frames = 8000;
  const auto mono = random_pcm(frames, rng);
  const auto inter = random_pcm(frames * channels, rng);
  GoertzelBank whole(freqs, 8000.0, GetParam());
  whole.process(mono);
  MultiChannelGoertzelBank whole_mc(freqs, 8000.0, channels, GetParam());
  whole_mc.process(inter);
  std::vector<float> pw(freqs.size()), pb(freqs.size());
  whole.powers(pw);
  for (std::size_t split : {1u, 7u, 160u, 4096u, 0u}) {
    GoertzelBank b(freqs, 8000.0, GetParam());
    MultiChannelGoertzelBank mc(freqs, 8000.0, channels, GetParam());
    std::uniform_int_distribution<std::size_t> len(0, 300);
    for (std::size_t pos = 0; pos < frames;) {
      const std::size_t step = std::min(frames - pos, split ? split : len(rng));
      b.process(std::span(mono).subspan(pos, step));
      mc.process(std::span(inter).subspan(pos * channels, step * channels));
      pos += step;
    }
    b.powers(pb);
    for (std::size_t f = 0; f < freqs.size(); ++f) {
      ASSERT_EQ(pb[f], pw[f]) << "split " << split << " filter " << f;
      for (std::size_t ch = 0; ch < channels; ++ch)
        ASSERT_EQ(mc.power(f, ch), whole_mc.power(f, ch)) << "split " << split << " filter " << f << " ch " << ch;
    }
  }
}

// DESIGN.md "Density path": the channel-batched form equals the one-channel form, per channel, bit for bit.
TEST_P(GoertzelKernelIsa, MultiChannelBankEqualsOneBankPerChannel) {
  std::mt19937 rng(11);
  const std::vector<double> freqs = {697, 770, 852, 941, 1209, 1336, 1477, 1633, 2100};
  const std::size_t channels = 21, frames = 410;
  const auto inter = random_pcm(frames * channels, rng);
  MultiChannelGoertzelBank mc(freqs, 8000.0, channels, GetParam());
  mc.process(inter);
  std::vector<float> mono(frames), p(freqs.size());
  for (std::size_t ch = 0; ch < channels; ++ch) {
    for (std::size_t i = 0; i < frames; ++i) mono[i] = inter[i * channels + ch];
    GoertzelBank b(freqs, 8000.0, Isa::scalar);
    b.process(mono);
    b.powers(p);
    for (std::size_t f = 0; f < freqs.size(); ++f) ASSERT_EQ(mc.power(f, ch), p[f]) << "ch " << ch << " f " << f;
  }
}

INSTANTIATE_TEST_SUITE_P(AllIsas, GoertzelKernelIsa, ::testing::Values(Isa::scalar, Isa::sse2, Isa::avx2, Isa::avx512),
                         [](const auto& info) { return std::string(isa_name(info.param)); });

// --- Against an independent DFT ---------------------------------------------------------------------------

// Error bounds, from the float recursion's measured behaviour (2000 random frequencies per rate and length,
// 22000-peak tone + noise; worst cases in brackets) and stated as a fraction of Parseval's upper bound
// N * sum(x^2) on any bin's power:
//   100 Hz <= f <= fs/2 - 100 Hz:             2e-4   [measured <= 5.8e-5]
//   50..100 Hz and fs/2-100..fs/2-50 Hz:      5e-3   [measured <= 1.5e-3] — the recursion's error grows
//                                                    as the poles near z = +-1 (c -> +-2)
// White input (no tone on the bin), as in the KissFFT comparison:  2e-6 at any bin.
constexpr double kBandTolerance = 2e-4;
constexpr double kEdgeTolerance = 5e-3;
constexpr double kWhiteTolerance = 2e-6;

struct DftCase {
  double rate_hz;
  std::size_t n;
};

class GoertzelDft : public ::testing::TestWithParam<DftCase> {};

// Goertzel (1958) / textbook identity: after N samples, s1^2 + s2^2 - c s1 s2 = |X(f)|^2 for any real f,
// bin-centred or not. Oracle: naive double-precision DFT. Input: a tone at the probe frequency plus noise
// (a large bin) and pure noise (a small bin), so both relative and absolute errors are exercised.
TEST_P(GoertzelDft, PowerEqualsNaiveDftAtAnyFrequency) {
  const auto [fs, n] = GetParam();
  std::mt19937 rng(static_cast<unsigned>(fs + n));
  std::uniform_real_distribution<double> fd(50.0, fs / 2.0 - 50.0);
  const std::size_t first_bin = static_cast<std::size_t>(std::ceil(100.0 * double(n) / fs));
  std::normal_distribution<double> noise(0.0, 300.0);
  double worst = 0.0;
  for (int trial = 0; trial < 60; ++trial) {
    const double f = trial < 4 ? fs / double(n) * double(first_bin + trial * 7) : fd(rng);  // first few on a bin
    const bool in_band = f >= 100.0 && f <= fs / 2.0 - 100.0;
    const bool tone = trial % 2 == 0;
    std::vector<float> x(n);
    const double amp = dbm0_to_peak(-3.0);
    for (std::size_t i = 0; i < n; ++i)
      x[i] = float(std::round((tone ? amp * std::sin(2 * std::numbers::pi * f * double(i) / fs + 0.3) : 0.0) +
                              noise(rng)));
    const std::vector<double> freqs = {f};
    for (Isa isa : available_isas()) {
      GoertzelBank b(freqs, fs, isa);
      b.process(x);
      float p = 0.0f;
      b.powers(std::span(&p, 1));
      const double ref = std::norm(naive_dft(x, f, fs));
      const double err = std::abs(double(p) - ref) / (double(n) * energy(x));
      worst = std::max(worst, err);
      ASSERT_LE(err, in_band ? kBandTolerance : kEdgeTolerance)
          << isa_name(isa) << " f=" << f << " ref=" << ref << " got=" << p;
      if (tone && in_band) {
        ASSERT_NEAR(double(p) / ref, 1.0, 5e-4) << "tone bin, relative (0.002 dB)";
      }
    }
  }
  std::printf("fs=%g N=%zu: worst |P - |X|^2| / (N sum x^2) = %.3g\n", fs, n, worst);
}

// KissFFT (kiss_fftr, an independent FFT) gives X[k] for every bin of the same block; the Goertzel at
// f = k fs / N equals |X[k]|^2 within the same bound, and its complex value times exp(-j w (N-1)) equals
// X[k] (the phase convention documented in dsp/goertzel.hpp).
TEST_P(GoertzelDft, BinCentredEqualsKissFft) {
  const auto [fs, n_param] = GetParam();
  const std::size_t n = n_param + n_param % 2;  // kiss_fftr needs an even length (205 -> 206)
  std::mt19937 rng(5);
  std::vector<float> x = random_pcm(n, rng, 8000.0f);
  kiss_fftr_cfg cfg = kiss_fftr_alloc(int(n), 0, nullptr, nullptr);
  ASSERT_NE(cfg, nullptr);
  std::vector<kiss_fft_cpx> spec(n / 2 + 1);
  kiss_fftr(cfg, x.data(), spec.data());
  kiss_fftr_free(cfg);
  const double scale = double(n) * energy(x);
  for (std::size_t k = 1; k < n / 2; k += std::max<std::size_t>(1, n / 40)) {
    const double f = double(k) * fs / double(n);
    Goertzel g(f, fs);
    g.process(x);
    const std::complex<double> ref(spec[k].r, spec[k].i);
    EXPECT_LE(std::abs(double(g.power()) - std::norm(ref)) / scale, kWhiteTolerance) << "bin " << k;
    const double w = 2.0 * std::numbers::pi * f / fs;
    const std::complex<double> v(g.value().real(), g.value().imag());
    const std::complex<double> x_k = v * std::polar(1.0, -w * double(n - 1));
    EXPECT_LE(std::abs(x_k - ref), 2e-3 * std::sqrt(scale)) << "bin " << k << " value " << x_k << " vs " << ref;
  }
}

INSTANTIATE_TEST_SUITE_P(Rates, GoertzelDft,
                         ::testing::Values(DftCase{8000, 205}, DftCase{8000, 160}, DftCase{8000, 1024},
                                           DftCase{16000, 410}, DftCase{16000, 320}, DftCase{16000, 1024}),
                         [](const auto& info) {
                           return std::to_string(int(info.param.rate_hz)) + "Hz_N" + std::to_string(info.param.n);
                         });

// A single Goertzel equals the one-channel bank's filter (same scalar recursion).
TEST(Goertzel, SingleEqualsBankFilter) {
  std::mt19937 rng(3);
  const auto x = random_pcm(500, rng);
  Goertzel g(1336.0, 8000.0);
  g.process(x);
  const std::vector<double> f = {1336.0};
  GoertzelBank b(f, 8000.0, Isa::scalar);
  b.process(x);
  float p = 0.0f;
  b.powers(std::span(&p, 1));
  EXPECT_EQ(g.power(), p);
  g.reset();
  EXPECT_EQ(g.power(), 0.0f);
}

// Construction validates (DESIGN.md "Processors"): the message names the bad field.
TEST(Goertzel, ConstructorsNameTheBadField) {
  auto message = [](auto&& make) -> std::string {
    try {
      make();
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "no exception";
  };
  const std::vector<double> bad = {1000.0, 4000.0};
  const std::vector<double> good = {1000.0};
  EXPECT_NE(message([&] { GoertzelBank b(bad, 8000.0); }).find("freqs_hz[1]"), std::string::npos);
  EXPECT_NE(message([&] { GoertzelBank b(good, 0.0); }).find("rate_hz"), std::string::npos);
  EXPECT_NE(message([&] { MultiChannelGoertzelBank b(good, 8000.0, 0); }).find("channels"), std::string::npos);
  EXPECT_EQ(message([&] { GoertzelBank b(good, 16000.0); }), "no exception");
}

}  // namespace
}  // namespace linedsp
