// Real-time contract (DESIGN.md "Processors"): EchoCanceller::process and EchoCancellerBank::process never
// allocate, including through echo path changes, double talk, resets of the background filter and
// reset()/freeze/bypass. Checked with a counting global operator new in this test executable.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "signals/echo_canceller.hpp"
#include "signals/g168.hpp"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace linedsp {
namespace {

TEST(EchoCancellerRealtime, ProcessDoesNotAllocate) {
  const auto far = g168::to_int16(g168::composite_source_signal(3.0, -10.0));
  auto echo_f = g168::convolve(g168::composite_source_signal(3.0, -10.0), g168::echo_path(3, 6.0, 100));
  const auto talker = g168::composite_source_signal(3.0, -15.0, true, 8000, 3);
  for (std::size_t i = 8000; i < 16000; ++i) echo_f[i] += talker[i];
  const auto near = g168::to_int16(echo_f);
  std::vector<std::int16_t> out(far.size()), far2(far.size() * 2), near2(far.size() * 2), out2(far.size() * 2);
  for (std::size_t i = 0; i < far.size(); ++i) {
    far2[2 * i] = far2[2 * i + 1] = far[i];
    near2[2 * i] = near2[2 * i + 1] = near[i];
  }
  EchoCanceller ec{EchoCancellerConfig{}};
  EchoCancellerBank bank{2, EchoCancellerConfig{}};
  const long before = g_allocations.load();
  for (std::size_t i = 0; i < far.size(); i += 160) {
    const std::size_t len = std::min<std::size_t>(160, far.size() - i);
    ec.process(std::span(far).subspan(i, len), std::span(near).subspan(i, len), std::span(out).subspan(i, len));
    if (i == 12000) ec.set_frozen(true);
    if (i == 14400) ec.set_bypass(true);
    if (i == 16000) ec.reset();
  }
  bank.process(far2, near2, out2);
  EXPECT_EQ(g_allocations.load() - before, 0);
}

}  // namespace
}  // namespace linedsp
