// Modem-tone front end kernels (signals/kernels/modem_tone_*.cpp): every ISA variant the CPU has is bit-identical
// to the scalar specification on seeded random blocks (misaligned input included); the scalar one equals a naive
// double-precision DFT and dsp/goertzel.hpp's Goertzel power (an independent implementation of the same bin)
// within float rounding and converts the samples exactly; every ISA's block energy equals a naive exact sum.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstring>
#include <numbers>
#include <random>
#include <vector>

#include "dsp/goertzel.hpp"
#include "signals/kernels/modem_tone_kernels.hpp"

namespace linedsp {
namespace {

struct Case {
  std::vector<std::int16_t> x;
  std::vector<float> table;
  std::size_t len;
};

Case make_case(std::size_t len, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> u(-32768, 32767);
  Case c;
  c.len = len;
  c.x.assign(len + 1, 0);  // +1: the kernels are also run on x + 1 (misaligned)
  for (auto& v : c.x) v = static_cast<std::int16_t>(u(rng));
  c.x[1] = -32768;
  c.table.assign(kModemToneRows * len, 0.0f);
  std::uniform_real_distribution<float> t(-1.0f, 1.0f);
  for (auto& v : c.table) v = t(rng);
  return c;
}

// Calls fn(isa, kernels) for each of `isas` this CPU has, saying which it skips.
template <class Fn>
void for_each_available(std::initializer_list<Isa> isas, Fn fn) {
  for (Isa isa : isas) {
    if (!isa_supported(isa)) {
      std::printf("%s: not on this CPU, skipped\n", isa_name(isa));
      continue;
    }
    const auto& k = modem_tone_kernels(isa);
    ASSERT_EQ(k.isa, isa);
    fn(isa, k);
  }
}

TEST(ModemToneKernels, EveryIsaBitIdenticalToScalar) {
  const auto& ref = modem_tone_kernels(Isa::scalar);
  for_each_available({Isa::sse2, Isa::avx2, Isa::avx512}, [&](Isa isa, const ModemToneKernels& k) {
    for (std::size_t n : {8u, 40u, 48u, 80u, 160u, 512u})
      for (unsigned seed = 1; seed <= 20; ++seed) {
        const Case c = make_case(n, seed);
        for (std::size_t off : {0u, 1u}) {  // aligned and misaligned input
          std::vector<float> a(kModemToneRows), b(kModemToneRows), xa(n), xb(n);
          ref.dft(c.x.data() + off, n, c.table.data(), xa.data(), a.data());
          k.dft(c.x.data() + off, n, c.table.data(), xb.data(), b.data());
          ASSERT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0)
              << isa_name(isa) << " n=" << n << " seed=" << seed << " off=" << off;
          ASSERT_EQ(std::memcmp(xa.data(), xb.data(), n * sizeof(float)), 0) << isa_name(isa) << " n=" << n;
        }
      }
  });
}

// The silence screen's energy: every ISA's variant equals a naive 64-bit sum of squares, on random blocks, on
// blocks of -32768 (each pmaddwd pair then sums to 2^31, the unsigned 32-bit edge) and on lengths off the vector
// widths, misaligned input included.
TEST(ModemToneKernels, EnergyEveryIsaEqualsNaiveSum) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> u(-32768, 32767);
  for_each_available({Isa::scalar, Isa::sse2, Isa::avx2, Isa::avx512}, [&](Isa isa, const ModemToneKernels& k) {
    ASSERT_NE(k.energy, nullptr);
    for (std::size_t n : {0u, 1u, 7u, 8u, 16u, 31u, 40u, 48u, 80u, 96u, 160u})
      for (int fill = 0; fill < 3; ++fill)
        for (std::size_t off : {0u, 1u}) {
          std::vector<std::int16_t> x(n + 1);
          for (auto& v : x) v = static_cast<std::int16_t>(fill == 0 ? u(rng) : fill == 1 ? -32768 : 32767);
          std::uint64_t want = 0;
          for (std::size_t i = 0; i < n; ++i) want += static_cast<std::uint64_t>(std::int64_t{x[off + i]} * x[off + i]);
          EXPECT_EQ(k.energy(x.data() + off, n), want) << isa_name(isa) << " n=" << n << " fill=" << fill;
        }
  });
}

// The bank's de-interleave: the scalar variant against a naive index formula, every ISA's variant byte-identical to
// it, for channel counts on and off multiples of 8, frame counts on and off multiples of 8, misaligned source.
TEST(ModemToneKernels, DeinterleaveEveryIsaEqualsNaiveIndexing) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> u(-32768, 32767);
  for_each_available({Isa::scalar, Isa::sse2, Isa::avx2, Isa::avx512}, [&](Isa isa, const ModemToneKernels& k) {
    ASSERT_NE(k.deinterleave, nullptr);
    for (std::size_t ch : {1u, 3u, 8u, 13u, 16u, 24u, 33u})
      for (std::size_t frames : {1u, 7u, 8u, 41u, 160u})
        for (std::size_t off : {0u, 1u}) {
          std::vector<std::int16_t> src(ch * frames + 1);
          for (auto& v : src) v = static_cast<std::int16_t>(u(rng));
          const std::size_t stride = 160;
          std::vector<std::int16_t> got(ch * stride, 0x5555), want(ch * stride, 0x5555);
          for (std::size_t c = 0; c < ch; ++c)
            for (std::size_t i = 0; i < frames; ++i) want[c * stride + i] = src[off + i * ch + c];
          k.deinterleave(src.data() + off, ch, frames, got.data(), stride);
          ASSERT_EQ(got, want) << isa_name(isa) << " channels=" << ch << " frames=" << frames << " off=" << off;
        }
  });
}

// With cos / -sin rows the kernel is the block DFT: compared with a naive double DFT and with the Goertzel power.
TEST(ModemToneKernels, ScalarIsTheDftAndMatchesGoertzel) {
  constexpr double kFs = 8000.0;
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> u(-20000, 20000);
  for (double f : {1100.0, 1650.0, 1850.0, 2100.0, 2117.0}) {
    const std::size_t n = 40;
    std::vector<std::int16_t> x(n);
    std::vector<float> table(kModemToneRows * n, 0.0f), xf(n);
    for (std::size_t i = 0; i < n; ++i) {
      x[i] = static_cast<std::int16_t>(u(rng));
      table[i * kModemToneRows + 3] = static_cast<float>(std::cos(2 * std::numbers::pi * f * i / kFs));
      table[i * kModemToneRows + 4] = static_cast<float>(-std::sin(2 * std::numbers::pi * f * i / kFs));
    }
    float out[kModemToneRows];
    modem_tone_kernels(Isa::scalar).dft(x.data(), n, table.data(), xf.data(), out);
    double re = 0, im = 0, e = 0;
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_EQ(xf[i], static_cast<float>(x[i]));
      re += x[i] * std::cos(2 * std::numbers::pi * f * i / kFs);
      im -= x[i] * std::sin(2 * std::numbers::pi * f * i / kFs);
      e += double(x[i]) * x[i];
    }
    const double scale = std::sqrt(e);  // error bound scale: |x| * sqrt(n) * eps
    EXPECT_EQ(out[0], 0.0f);            // rows with zero tables stay zero
    EXPECT_NEAR(out[3], re, 1e-5 * scale * 8) << f;
    EXPECT_NEAR(out[4], im, 1e-5 * scale * 8) << f;
    Goertzel g(f, kFs);
    g.process(std::span(xf.data(), n));
    const double p = double(out[3]) * out[3] + double(out[4]) * out[4];
    EXPECT_NEAR(g.power(), p, 1e-4 * p + 1e-3 * e) << f;
  }
}

}  // namespace
}  // namespace linedsp
