// dsp/simd.hpp run-time dispatch: the pure choice function, names, ScopedIsa, FTZ/DAZ, and what LINEDSP_SIMD does
// when it names nothing or an ISA this CPU lacks (fall back to the best ISA with one warning on stderr, never
// run an illegal instruction). The environment cases run in a fresh child process (gtest "threadsafe" death
// tests re-execute this binary), because active_isa() reads LINEDSP_SIMD once per process.
#include <gtest/gtest.h>

#include <cfloat>
#include <cstdlib>
#include <string>

#include "dsp/simd.hpp"

namespace linedsp {
namespace {

TEST(Simd, BestIsaIsPureAndOrdered) {
  EXPECT_EQ(best_isa(CpuFeatures{}), Isa::scalar);
  EXPECT_EQ(best_isa(CpuFeatures{true, false, false}), Isa::sse2);
  EXPECT_EQ(best_isa(CpuFeatures{true, true, false}), Isa::avx2);
  EXPECT_EQ(best_isa(CpuFeatures{true, true, true}), Isa::avx512);
}

TEST(Simd, NamesRoundTrip) {
  for (Isa i : {Isa::scalar, Isa::sse2, Isa::avx2, Isa::avx512}) EXPECT_EQ(parse_isa(isa_name(i)), i);
  EXPECT_FALSE(parse_isa("neon").has_value());
  EXPECT_FALSE(parse_isa("").has_value());
}

TEST(Simd, AvailableIsasStartWithScalarAndAreSupported) {
  const auto v = available_isas();
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(v.front(), Isa::scalar);
  for (Isa i : v) EXPECT_TRUE(isa_supported(i)) << isa_name(i);
#if defined(__x86_64__)
  EXPECT_TRUE(isa_supported(Isa::sse2)) << "SSE2 is part of x86-64";
#endif
}

TEST(Simd, ScopedIsaForcesAndRestores) {
  const Isa before = active_isa();
  {
    const ScopedIsa s(Isa::scalar);
    EXPECT_EQ(active_isa(), Isa::scalar);
    {
      const ScopedIsa inner(Isa::sse2);
      EXPECT_EQ(active_isa(), Isa::sse2);
    }
    EXPECT_EQ(active_isa(), Isa::scalar);
  }
  EXPECT_EQ(active_isa(), before);
}

// FTZ/DAZ: a subnormal product is flushed to zero inside the scope and not outside it.
TEST(Simd, ScopedDenormalsOffFlushesSubnormals) {
  volatile float tiny = FLT_MIN;
  volatile float half = 0.5f;
  EXPECT_GT(tiny * half, 0.0f) << "gradual underflow outside the scope";
  {
    const ScopedDenormalsOff ftz;
    EXPECT_EQ(tiny * half, 0.0f);
  }
  EXPECT_GT(tiny * half, 0.0f) << "mode restored";
}

// Runs in a re-executed child with LINEDSP_SIMD set: exits 0 if active_isa() is the CPU's best ISA.
[[noreturn]] void exit_with_active_is_best() {
  std::exit(active_isa() == best_isa(CpuFeatures::detect()) ? 0 : 1);
}

class SimdEnv : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
  void TearDown() override { unsetenv("LINEDSP_SIMD"); }
};

TEST_F(SimdEnv, UnknownNameFallsBackToBestWithWarning) {
  setenv("LINEDSP_SIMD", "mmx", 1);
  EXPECT_EXIT(exit_with_active_is_best(), ::testing::ExitedWithCode(0), "LINEDSP_SIMD=mmx is not one of");
}

TEST_F(SimdEnv, UnsupportedIsaFallsBackToBestWithWarning) {
  Isa missing = Isa::scalar;
  for (Isa i : {Isa::avx512, Isa::avx2, Isa::sse2})
    if (!isa_supported(i)) missing = i;
  if (missing == Isa::scalar) GTEST_SKIP() << "this CPU runs every ISA linedsp has; nothing to force";
  setenv("LINEDSP_SIMD", isa_name(missing), 1);
  EXPECT_EXIT(exit_with_active_is_best(), ::testing::ExitedWithCode(0), "is not supported by this CPU");
}

TEST_F(SimdEnv, SupportedIsaIsObeyed) {
  setenv("LINEDSP_SIMD", "scalar", 1);
  EXPECT_EXIT(std::exit(active_isa() == Isa::scalar ? 0 : 1), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace linedsp
