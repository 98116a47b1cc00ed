// tests/robustness/fuzz_regressions_test.cpp — every input a fuzz target (fuzz/, docs/reliability.md) failed on,
// replayed with the assertion the fuzzer broke. The bytes are the reproducer libFuzzer wrote, inline.
#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <vector>

#include "codecs/rfc4733.hpp"

namespace linedsp::test {
namespace {

// rfc4733-1 (rfc4733_fuzz, 60 s run, 4th execution): a telephone-event begin (event 1, duration 160, no end bit)
// followed by packets whose timestamps jump 0xe8a0000a (backwards, as RTP wraps), then +2, then +0x038a0204.
// The first harness moved the receiver's clock to each packet's timestamp, backwards too, so advance() was never
// called with a clock past the event and the digit never ended. The receiver's contract (codecs/rfc4733.hpp,
// advance(): "ends an event that timed out"): with a clock that follows the stream forwards only, as a gateway's
// playout clock does, the begin gets exactly one end, by timeout, at the duration last heard (160).
TEST(FuzzRegressions, Rfc4733HostileTimestampJumpsStillEndTheDigit) {
  const std::vector<std::uint8_t> data = {0x00, 0x00, 0x00, 0x00, 0x84, 0x01, 0x0a, 0x00, 0xa0,
                                          0x0a, 0x00, 0xa0, 0xe8, 0x03, 0x00, 0x00, 0x84, 0x02,
                                          0x00, 0x00, 0x00, 0x00, 0x04, 0x02, 0x8a, 0x03, 0x20};
  TelephoneEventReceiver rx;
  std::vector<TelephoneEventDigit> events;
  auto sink = [&](const TelephoneEventDigit& d) { events.push_back(d); };
  std::uint32_t ts = 0, now = 0;
  std::size_t pos = 0;
  while (pos + 5 <= data.size()) {
    const std::uint32_t delta = std::uint32_t(data[pos]) | std::uint32_t(data[pos + 1]) << 8 |
                                std::uint32_t(data[pos + 2]) << 16 | std::uint32_t(data[pos + 3]) << 24;
    const bool marker = data[pos + 4] & 0x80;
    const std::size_t len = std::min<std::size_t>(data[pos + 4] & 0x0f, data.size() - pos - 5);
    pos += 5;
    ts += delta;
    rx.receive(ts, marker, std::span<const std::uint8_t>(data.data() + pos, len), sink);
    now += 160;
    if (static_cast<std::int32_t>(ts - now) > 0) now = ts;
    rx.advance(now, sink);
    pos += len;
  }
  for (int i = 0; i < 4; ++i) rx.advance(now += 0x40000000u, sink);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(events[0].begin);
  EXPECT_FALSE(events[1].begin);
  EXPECT_EQ(events[0].digit, '1');
  EXPECT_EQ(events[1].digit, '1');
  EXPECT_EQ(events[1].duration, 160u);
  EXPECT_FALSE(rx.active());
}

}  // namespace
}  // namespace linedsp::test
