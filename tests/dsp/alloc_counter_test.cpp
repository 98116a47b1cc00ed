// tests/support/alloc_counter.hpp counts what it claims (a counter that cannot see an allocation would make
// every "zero allocations" test vacuous), and the real-time contract of DESIGN.md "Processors" for the
// Goertzel banks, biquad, DC blocker, level meter and FFT: processing allocates nothing.
#include <gtest/gtest.h>
#include <kiss_fftr.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "dsp/biquad.hpp"
#include "dsp/dc_blocker.hpp"
#include "dsp/fft.hpp"
#include "dsp/goertzel.hpp"
#include "dsp/level_meter.hpp"
#include "support/alloc_counter.hpp"

LINEDSP_COUNT_ALLOCATIONS();

namespace linedsp {
namespace {

using test::AllocationCounter;

TEST(AllocationCounter, IsInstalledByTheMacro) { EXPECT_TRUE(AllocationCounter::installed()); }

// Makes a pointer escape, so the compiler may not elide the new/delete pair around it (C++14 [expr.new]/10
// allows that, and clang does it for pointers nothing observes).
void escape(void* p) { asm volatile("" : : "r"(p) : "memory"); }

// Every operator new form is counted, once each.
TEST(AllocationCounter, CountsEveryOperatorNewForm) {
  AllocationCounter::begin();
  int* a = new int(1);
  escape(a);
  int* b = new int[10];
  escape(b);
  int* c = new (std::nothrow) int(2);
  escape(c);
  struct alignas(128) Wide {
    float v[32];
  };
  Wide* d = new Wide;
  escape(d);
  Wide* e = new Wide[3];
  escape(e);
  auto f = std::make_unique<std::vector<double>>(100);  // two: the vector object and its storage
  const std::size_t n = AllocationCounter::end();
  EXPECT_EQ(n, 7u);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(d) % 128, 0u) << "aligned new keeps its alignment";
  delete a;
  delete[] b;
  delete c;
  delete d;
  delete[] e;
}

// Nothing outside begin()..end(), and deallocations are counted separately.
TEST(AllocationCounter, CountsOnlyBetweenBeginAndEnd) {
  auto* before = new long(1);
  AllocationCounter::begin();
  delete before;
  const std::size_t freed = AllocationCounter::deallocations();
  const std::size_t counted = AllocationCounter::end();
  auto* after = new std::string(100, 'y');  // two allocations (object and buffer), not counted
  const std::size_t later = AllocationCounter::allocations();
  delete after;
  EXPECT_EQ(freed, 1u);
  EXPECT_EQ(counted, 0u);
  EXPECT_EQ(later, 0u);
}

// Only the calling thread is counted: a worker's allocations do not leak into this thread's count.
TEST(AllocationCounter, CountsOnlyTheCurrentThread) {
  std::thread worker;  // created before counting (std::thread allocates its state)
  AllocationCounter::begin();
  std::vector<int> local(1000);
  const std::size_t mine = AllocationCounter::allocations();
  AllocationCounter::end();
  EXPECT_EQ(mine, 1u);
  std::size_t worker_count = 99;
  worker = std::thread([&] {
    AllocationCounter::begin();
    std::vector<int> v(10);
    worker_count = AllocationCounter::end();
  });
  worker.join();
  EXPECT_EQ(worker_count, 1u);
}

// The malloc family (what C libraries such as KissFFT, libsndfile and spandsp use) is counted too, except
// under AddressSanitizer whose runtime owns malloc (then it says so and checks only operator new).
TEST(AllocationCounter, CountsMallocFamilyFromCLibraries) {
  if (!AllocationCounter::counts_malloc()) GTEST_SKIP() << "ASan build: the malloc family is the sanitizer's; not counted";
  AllocationCounter::begin();
  void* p = std::malloc(10);
  p = std::realloc(p, 1000);
  void* q = std::calloc(4, 4);
  void* r = std::aligned_alloc(64, 256);
  void* s = nullptr;
  ASSERT_EQ(posix_memalign(&s, 64, 100), 0);
  kiss_fftr_cfg cfg = kiss_fftr_alloc(256, 0, nullptr, nullptr);  // KissFFT mallocs its plan
  const std::size_t n = AllocationCounter::end();
  EXPECT_GE(n, 6u);
  EXPECT_GT(n, 5u) << "kiss_fftr_alloc's malloc inside libkissfft was not seen";
  kiss_fftr_free(cfg);
  std::free(p);
  std::free(q);
  std::free(r);
  std::free(s);
}

// DESIGN.md "Processors": process() is allocation-free. Both Goertzel banks, every ISA this CPU runs, odd
// sizes, many block lengths (construction, which may allocate, happens before counting).
TEST(GoertzelRealtime, BanksProcessWithoutAllocating) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> d(-20000.0f, 20000.0f);
  std::vector<float> x(4096 * 13);
  for (auto& v : x) v = d(rng);
  const std::vector<double> freqs = {697, 770, 852, 941, 1209, 1336, 1477, 1633, 350, 440, 480};
  for (Isa isa : available_isas()) {
    GoertzelBank bank(freqs, 8000.0, isa);
    MultiChannelGoertzelBank multi(freqs, 8000.0, 13, isa);
    std::vector<float> powers(freqs.size());
    Goertzel single(1000.0, 8000.0);
    AllocationCounter::begin();
    for (std::size_t block : {1u, 7u, 160u, 4096u}) {
      bank.process(std::span(x).first(block));
      multi.process(std::span(x).first(block * 13));
      single.process(std::span(x).first(block));
      bank.powers(powers);
    }
    bank.reset();
    multi.reset();
    const std::size_t n = AllocationCounter::end();
    EXPECT_EQ(n, 0u) << isa_name(isa);
  }
}

// The same contract for the other dsp/ pieces (constructed first; only processing is counted).
TEST(DspRealtime, BiquadDcBlockerLevelMeterFftProcessWithoutAllocating) {
  std::vector<float> x(4096), y(4096);
  std::vector<std::int16_t> pcm(4096), pcm_out(4096);
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = float((i * 7919) % 20000) - 10000.0f;
    pcm[i] = static_cast<std::int16_t>(x[i]);
  }
  Biquad bq(BiquadConfig{});
  DcBlocker dc;
  LevelMeter meter;
  RealFft fft(256);
  std::vector<std::complex<float>> spec(fft.bins());
  AllocationCounter::begin();
  for (std::size_t block : {1u, 7u, 160u, 4096u}) {
    bq.process(std::span(x).first(block), std::span(y).first(block));
    dc.process(std::span(x).first(block), std::span(y).first(block));
    dc.process(std::span(pcm).first(block), std::span(pcm_out).first(block));
    meter.process(std::span(pcm).first(block));
  }
  fft.forward(std::span(x).first(256), spec);
  fft.inverse(spec, std::span(y).first(256));
  const double level = meter.level_dbm0();
  bq.reset();
  dc.reset();
  meter.reset();
  const std::size_t n = AllocationCounter::end();
  EXPECT_EQ(n, 0u);
  EXPECT_GT(level, -20.0);
}

}  // namespace
}  // namespace linedsp
