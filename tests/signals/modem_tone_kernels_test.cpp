// Modem-tone front end kernels (signals/kernels/modem_tone_*.cpp): every ISA variant the CPU has is bit-identical
// to the scalar specification on seeded random blocks; the scalar one equals a naive double-precision DFT and
// dsp/goertzel.hpp's Goertzel power (an independent implementation of the same bin) within float rounding.
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
  std::vector<float> x, table;
  std::size_t len, rows;
};

Case make_case(std::size_t n_used, std::size_t rows, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-32768.0f, 32767.0f);
  Case c;
  c.len = (n_used + 15) / 16 * 16;
  c.rows = rows;
  c.x.assign(c.len + 1, 0.0f);  // +1: the kernels are also run on x + 1 (misaligned)
  for (std::size_t i = 0; i < n_used; ++i) c.x[i] = u(rng);
  c.table.assign(rows * c.len, 0.0f);
  std::uniform_real_distribution<float> t(-1.0f, 1.0f);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t i = 0; i < n_used; ++i) c.table[r * c.len + i] = t(rng);
  return c;
}

TEST(ModemToneKernels, EveryIsaBitIdenticalToScalar) {
  const auto& ref = modem_tone_kernels(Isa::scalar);
  for (Isa isa : {Isa::sse2, Isa::avx2, Isa::avx512}) {
    if (!isa_supported(isa)) {
      std::printf("%s: not on this CPU, skipped\n", isa_name(isa));
      continue;
    }
    const auto& k = modem_tone_kernels(isa);
    ASSERT_EQ(k.isa, isa);
    for (std::size_t n : {16u, 40u, 48u, 80u, 160u, 512u})
      for (unsigned seed = 1; seed <= 20; ++seed) {
        Case c = make_case(n, 9, seed);
        for (std::size_t off : {0u, 1u}) {  // aligned and misaligned input
          std::vector<float> xs(c.x.begin() + static_cast<std::ptrdiff_t>(off), c.x.end());
          xs.resize(c.len);
          std::vector<float> a(c.rows + 1), b(c.rows + 1);
          ref.dft(xs.data(), c.len, c.table.data(), c.rows, a.data());
          k.dft(xs.data(), c.len, c.table.data(), c.rows, b.data());
          ASSERT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0)
              << isa_name(isa) << " n=" << n << " seed=" << seed << " off=" << off;
        }
      }
  }
}

// With cos / -sin rows the kernel is the block DFT: compared with a naive double DFT and with the Goertzel power.
TEST(ModemToneKernels, ScalarIsTheDftAndMatchesGoertzel) {
  constexpr double kFs = 8000.0;
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-20000.0f, 20000.0f);
  for (double f : {1100.0, 1650.0, 1850.0, 2100.0, 2117.0}) {
    const std::size_t n = 40, len = 48;
    std::vector<float> x(len, 0.0f), table(2 * len, 0.0f);
    for (std::size_t i = 0; i < n; ++i) {
      x[i] = u(rng);
      table[i] = static_cast<float>(std::cos(2 * std::numbers::pi * f * i / kFs));
      table[len + i] = static_cast<float>(-std::sin(2 * std::numbers::pi * f * i / kFs));
    }
    float out[3];
    modem_tone_kernels(Isa::scalar).dft(x.data(), len, table.data(), 2, out);
    double re = 0, im = 0, e = 0;
    for (std::size_t i = 0; i < n; ++i) {
      re += x[i] * std::cos(2 * std::numbers::pi * f * i / kFs);
      im -= x[i] * std::sin(2 * std::numbers::pi * f * i / kFs);
      e += double(x[i]) * x[i];
    }
    const double scale = std::sqrt(e);  // error bound scale: |x| * sqrt(n) * eps
    EXPECT_NEAR(out[0], re, 1e-5 * scale * 8) << f;
    EXPECT_NEAR(out[1], im, 1e-5 * scale * 8) << f;
    EXPECT_NEAR(out[2], e, 1e-6 * e) << f;
    Goertzel g(f, kFs);
    g.process(std::span(x.data(), n));
    const double p = double(out[0]) * out[0] + double(out[1]) * out[1];
    EXPECT_NEAR(g.power(), p, 1e-4 * p + 1e-3 * e) << f;
  }
}

}  // namespace
}  // namespace linedsp
