// Real-time contract (DESIGN.md "Processors", issue 7): the codecs' audio-path calls never allocate —
// G.711 batch encode/decode on every ISA, G711Plc good/lost frames through losses of every length,
// and the RFC 4733 sender/receiver into caller-owned FixedEventBuffer sinks. Checked with a counting
// global operator new in this test executable.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string_view>
#include <vector>

#include "codecs/g711.hpp"
#include "codecs/plc.hpp"
#include "codecs/rfc4733.hpp"
#include "dsp/simd.hpp"
#include "signals/event.hpp"

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

TEST(CodecsRealtime, G711BatchDoesNotAllocate) {
  std::vector<std::int16_t> x(8000), y(8000);
  std::vector<std::uint8_t> c(8000);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<std::int16_t>(i * 37);
  const long before = g_allocations.load();
  for (Isa isa : {Isa::scalar, Isa::sse2, Isa::avx2, Isa::avx512}) {
    if (!isa_supported(isa)) continue;
    const auto& k = g711_kernels(isa);
    k.encode_ulaw(x.data(), c.data(), x.size());
    k.decode_ulaw(c.data(), y.data(), c.size());
    k.encode_alaw(x.data(), c.data(), x.size());
    k.decode_alaw(c.data(), y.data(), c.size());
  }
  g711_encode(Law::ulaw, x, c);
  g711_decode(Law::alaw, c, y);
  EXPECT_EQ(g_allocations.load() - before, 0);
}

TEST(CodecsRealtime, PlcDoesNotAllocate) {
  std::vector<std::int16_t> x(80 * 200), y(80 * 200);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<std::int16_t>((i * 7919) % 20000 - 10000);
  G711Plc plc;
  const long before = g_allocations.load();
  std::size_t f = 0;
  for (int loss = 0; loss <= 9 && f + 10 < 200; ++loss) {  // losses of 0..9 frames between good ones
    plc.good_frame(std::span(x).subspan(f * 80, 160), std::span(y).subspan(f * 80, 160));
    f += 2;
    for (int i = 0; i < loss; ++i, ++f) plc.lost_frame(std::span(y).subspan(f * 80, 80));
  }
  plc.reset();
  EXPECT_EQ(g_allocations.load() - before, 0);
}

TEST(CodecsRealtime, Rfc4733SenderAndReceiverDoNotAllocate) {
  TelephoneEventSender tx;
  TelephoneEventReceiver rx;
  FixedEventBuffer<TelephoneEventPacket, 64> packets;
  FixedEventBuffer<TelephoneEventDigit, 64> digits;
  const long before = g_allocations.load();
  std::uint64_t t = 0;
  for (char d : std::string_view("0123456789*#ABCD")) {
    tx.begin(d, t, t + 320, packets);
    for (std::uint64_t now = t + 320; now < t + 2000; now += 160) tx.advance(now, packets);
    tx.end(t + 1800, packets);
    for (std::uint64_t now = t + 2000; now < t + 3000; now += 160) tx.advance(now, packets);
    for (const auto& p : packets) rx.receive(p.timestamp, p.marker, p.payload, digits);
    EXPECT_EQ(packets.dropped(), 0u);
    packets.clear();
    t += 3200;
  }
  rx.advance(static_cast<std::uint32_t>(t + 10000), digits);
  EXPECT_EQ(g_allocations.load() - before, 0);
  ASSERT_EQ(digits.size(), 32u);  // and the digits did get through
  for (std::size_t i = 0; i < 32; ++i) {
    EXPECT_EQ(digits[i].digit, "0123456789*#ABCD"[i / 2]);
    EXPECT_EQ(digits[i].begin, i % 2 == 0);
  }
}

}  // namespace
}  // namespace linedsp
