// fuzz/rfc4733_fuzz.cpp — RFC 4733 telephone-event payloads: the decoder on any bytes, and a receiver fed a
// sequence of packets (each: 4-byte timestamp delta, 1 byte marker+length, payload) as from a hostile peer.
// Every begin it reports must be followed by exactly one end.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "codecs/rfc4733.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  linedsp::TelephoneEvent e;
  (void)linedsp::decode_telephone_event(std::span<const std::uint8_t>(data, size), e);
  linedsp::TelephoneEventReceiver rx;
  int open = 0;
  auto sink = [&](const linedsp::TelephoneEventDigit& d) {
    open += d.begin ? 1 : -1;
    if (open < 0 || open > 1) std::abort();
  };
  // The peer's timestamps are hostile (any jump, backwards too); the receiver's clock `now` follows the stream as
  // a gateway's playout clock does: it only moves forward (RTP wrap-aware), 20 ms per packet at least. (The first
  // version advanced to each packet's timestamp, backwards included: fuzz finding rfc4733-1, a harness error,
  // tests/robustness/fuzz_regressions_test.cpp.)
  std::uint32_t ts = 0, now = 0;
  std::size_t pos = 0;
  while (pos + 5 <= size) {
    const std::uint32_t delta = std::uint32_t(data[pos]) | std::uint32_t(data[pos + 1]) << 8 |
                                std::uint32_t(data[pos + 2]) << 16 | std::uint32_t(data[pos + 3]) << 24;
    const bool marker = data[pos + 4] & 0x80;
    const std::size_t len = std::min<std::size_t>(data[pos + 4] & 0x0f, size - pos - 5);
    pos += 5;
    ts += delta;
    rx.receive(ts, marker, std::span<const std::uint8_t>(data + pos, len), sink);
    now += 160;
    if (static_cast<std::int32_t>(ts - now) > 0) now = ts;
    rx.advance(now, sink);
    pos += len;
  }
  // A begin must end by timeout as the clock goes on: four steps of 2^30 visit every quarter of the RTP timestamp
  // space, so one of them lands between the timeout and 2^31 after the open event, wherever the peer put it.
  for (int i = 0; i < 4; ++i) {
    now += 0x40000000u;
    rx.advance(now, sink);
  }
  if (open != 0) std::abort();  // a begin never ended (timeout must end it)
  return 0;
}
