// RFC 4733 telephone-event payloads: the §2.3 payload layout (bytes worked out by hand from the RFC's
// Figure 1), the §3.2 DTMF event codes, the sender's packet sequence (§2.5.1: marker on the first
// packet, every packet stamped with the event's start, updates carrying the duration so far, §2.5.1.3
// segments of long events, §2.5.1.4 the final packet three times) and the receiver (§2.5.2) under
// duplicates, loss, reordering and RTP timestamp wrap — checked against the digit schedule that
// produced the packets (the oracle), not against captured output.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "codecs/rfc4733.hpp"

namespace linedsp {
namespace {

struct Packets {
  std::vector<TelephoneEventPacket> v;
  void operator()(const TelephoneEventPacket& p) { v.push_back(p); }
};

struct Digits {
  std::vector<TelephoneEventDigit> v;
  void operator()(const TelephoneEventDigit& d) { v.push_back(d); }
};

// --- §2.3 payload ------------------------------------------------------------------------------------

// RFC 4733 §2.3 Figure 1: event (8 bits) | E | R | volume (6 bits) | duration (16 bits, network order).
TEST(Rfc4733Payload, Section2_3LayoutByHand) {
  std::array<std::uint8_t, 4> b{};
  ASSERT_EQ(encode_telephone_event({5, true, false, 10, 800}, b), 4u);
  EXPECT_EQ(b, (std::array<std::uint8_t, 4>{0x05, 0x8A, 0x03, 0x20}));  // 800 = 0x0320, E|10 = 0x8A
  ASSERT_EQ(encode_telephone_event({11, false, true, 63, 0xFFFF}, b), 4u);
  EXPECT_EQ(b, (std::array<std::uint8_t, 4>{0x0B, 0x7F, 0xFF, 0xFF}));  // R|63 = 0x7F
  ASSERT_EQ(encode_telephone_event({16, false, false, 0, 160}, b), 4u);
  EXPECT_EQ(b, (std::array<std::uint8_t, 4>{0x10, 0x00, 0x00, 0xA0}));

  TelephoneEvent e;
  const std::array<std::uint8_t, 4> in{0x0C, 0xC5, 0x12, 0x34};
  ASSERT_TRUE(decode_telephone_event(in, e));
  EXPECT_EQ(e, (TelephoneEvent{12, true, true, 5, 0x1234}));
}

TEST(Rfc4733Payload, EveryFirstHalfRoundTripsAndShortBuffersAreRefused) {
  for (int b0 = 0; b0 < 256; ++b0)
    for (int b1 = 0; b1 < 256; ++b1) {
      const std::array<std::uint8_t, 4> in{static_cast<std::uint8_t>(b0), static_cast<std::uint8_t>(b1),
                                           static_cast<std::uint8_t>(b0 ^ 0x5A), static_cast<std::uint8_t>(b1)};
      TelephoneEvent e;
      ASSERT_TRUE(decode_telephone_event(in, e));
      ASSERT_EQ(e.event, b0);
      ASSERT_EQ(e.end, (b1 & 0x80) != 0);
      ASSERT_EQ(e.reserved, (b1 & 0x40) != 0);
      ASSERT_EQ(e.volume, b1 & 0x3F);
      ASSERT_EQ(e.duration, ((b0 ^ 0x5A) << 8) | b1);
      std::array<std::uint8_t, 4> out{};
      ASSERT_EQ(encode_telephone_event(e, out), 4u);
      ASSERT_EQ(out, in);
    }
  std::array<std::uint8_t, 3> small{};
  TelephoneEvent e;
  EXPECT_EQ(encode_telephone_event(e, small), 0u);
  EXPECT_FALSE(decode_telephone_event(small, e));
}

// RFC 4733 §3.2 (DTMF events): 0-9 -> 0-9, * -> 10, # -> 11, A-D -> 12-15; 16 is flash (not a digit).
TEST(Rfc4733Payload, Section3_2DtmfEventCodes) {
  const std::string digits = "0123456789*#ABCD";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    EXPECT_EQ(dtmf_event_code(digits[i]), static_cast<int>(i));
    EXPECT_EQ(dtmf_event_digit(static_cast<std::uint8_t>(i)), digits[i]);
  }
  EXPECT_EQ(dtmf_event_code('b'), 13);
  for (char c : {'E', 'e', ' ', '\0', '+', 'p'}) EXPECT_EQ(dtmf_event_code(c), -1) << c;
  EXPECT_EQ(dtmf_event_digit(kTelephoneEventFlash), '\0');
  EXPECT_EQ(dtmf_event_digit(255), '\0');
}

// --- sender §2.5.1 -----------------------------------------------------------------------------------

// A digit '7' from sample 1000 to 2600 (200 ms), confirmed 40 ms late at 1320, audio in 20 ms blocks,
// 50 ms updates. Expected packets worked out from §2.5.1 by hand: first packet at 1320 with the marker
// and duration 320; updates at 1720, 2120, 2520 (durations 720, 1120, 1520); the final packet (E,
// duration 1600) at the end and twice more, 50 ms apart (§2.5.1.4); all stamped 1000 + offset, which
// here wraps past 2^32.
TEST(Rfc4733Sender, Section2_5_1PacketSequenceForOneDigit) {
  TelephoneEventSenderConfig cfg;
  cfg.timestamp_offset = 0xFFFFFF00u;
  TelephoneEventSender tx(cfg);
  ASSERT_EQ(tx.packet_interval_samples(), 400u);
  Packets out;
  for (std::uint64_t now = 160; now <= 4000; now += 160) {
    if (now == 1440) tx.begin('7', 1000, 1320, out);  // reported within the block ending at 1440
    if (now == 2720) tx.end(2600, out);
    tx.advance(now, out);
  }
  struct Want { bool marker; bool end; std::uint16_t duration; };
  const std::vector<Want> want{{true, false, 320},  {false, false, 720}, {false, false, 1120},
                               {false, false, 1520}, {false, true, 1600}, {false, true, 1600},
                               {false, true, 1600}};
  ASSERT_EQ(out.v.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    const auto& p = out.v[i];
    EXPECT_EQ(p.timestamp, static_cast<std::uint32_t>(0xFFFFFF00u + 1000u)) << i;
    EXPECT_EQ(p.timestamp, 744u) << i;
    EXPECT_EQ(p.marker, want[i].marker) << i;
    EXPECT_EQ(p.event.end, want[i].end) << i;
    EXPECT_EQ(p.event.duration, want[i].duration) << i;
    EXPECT_EQ(p.event.event, 7) << i;
    EXPECT_EQ(p.event.volume, 10) << i;
    EXPECT_FALSE(p.event.reserved) << i;  // §2.3: R is sent as 0
    TelephoneEvent decoded;
    ASSERT_TRUE(decode_telephone_event(p.payload, decoded));
    EXPECT_EQ(decoded, p.event) << i;
  }
  EXPECT_FALSE(tx.active());
}

// RFC 4733 §2.5.1.3: a 10 s event (80,000 units > 0xFFFF) is split: the first segment is reported with
// duration 0xFFFF, the rest as a segment stamped start + 0xFFFF without the marker, ending with
// duration 80,000 - 65,535 = 14,465.
TEST(Rfc4733Sender, Section2_5_1_3LongEventIsSegmented) {
  TelephoneEventSender tx;
  Packets out;
  tx.begin('#', 8000, 8000, out);
  for (std::uint64_t now = 8000; now <= 88000; now += 160) {
    if (now == 88000) tx.end(88000, out);
    tx.advance(now, out);
  }
  for (std::uint64_t now = 88000; now <= 90000; now += 160) tx.advance(now, out);
  ASSERT_FALSE(out.v.empty());
  EXPECT_TRUE(out.v.front().marker);
  EXPECT_EQ(std::count_if(out.v.begin(), out.v.end(), [](auto& p) { return p.marker; }), 1);
  std::uint16_t last = 0;
  bool saw_max = false;
  for (const auto& p : out.v) {
    if (p.timestamp == 8000) {
      EXPECT_FALSE(p.event.end);
      EXPECT_GE(p.event.duration, last);
      last = p.event.duration;
      saw_max = saw_max || p.event.duration == 0xFFFF;
    } else {
      EXPECT_EQ(p.timestamp, 8000u + 0xFFFFu);
    }
  }
  EXPECT_TRUE(saw_max);
  const auto ends = std::count_if(out.v.begin(), out.v.end(), [](auto& p) { return p.event.end; });
  EXPECT_EQ(ends, 3);
  EXPECT_EQ(out.v.back().event.duration, 80000 - 0xFFFF);
  EXPECT_EQ(out.v.back().timestamp, 8000u + 0xFFFFu);

  // The receiver joins the segments into one 80,000-unit digit.
  TelephoneEventReceiver rx;
  Digits d;
  for (const auto& p : out.v) rx.receive(p.timestamp, p.marker, p.payload, d);
  ASSERT_EQ(d.v.size(), 2u);
  EXPECT_TRUE(d.v[0].begin);
  EXPECT_EQ(d.v[1].duration, 80000u);
  EXPECT_EQ(d.v[1].timestamp, 8000u);
}

// A new digit while the previous one has not been ended ends it at the new one's start; pending
// repeated end packets are sent before the new digit's first packet.
TEST(Rfc4733Sender, BackToBackDigitsKeepTheirOrder) {
  TelephoneEventSender tx;
  Packets out;
  tx.begin('1', 0, 320, out);
  tx.advance(800, out);
  tx.end(800, out);           // first end packet
  tx.begin('2', 1120, 1440, out);  // the two repeats of '1' go out first
  tx.begin('3', 2400, 2720, out);  // '2' never ended: ended at 2400
  std::vector<std::pair<int, bool>> seq;
  for (const auto& p : out.v) seq.emplace_back(p.event.event, p.event.end);
  const std::vector<std::pair<int, bool>> want{{1, false}, {1, false}, {1, true}, {1, true}, {1, true},
                                               {2, false}, {2, true},  {2, true}, {2, true}, {3, false}};
  EXPECT_EQ(seq, want);
  EXPECT_EQ(out.v[6].event.duration, 2400 - 1120);
}

TEST(Rfc4733Sender, ConfigIsValidated) {
  auto bad = [](auto mutate, const char* field) {
    TelephoneEventSenderConfig c;
    mutate(c);
    try {
      TelephoneEventSender tx(c);
      ADD_FAILURE() << field << " accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  bad([](auto& c) { c.packet_interval_ms = 0; }, "packet_interval_ms");
  bad([](auto& c) { c.volume = 64; }, "volume");
  bad([](auto& c) { c.end_packets = 0; }, "end_packets");
  bad([](auto& c) { c.sample_rate_hz = 100; }, "sample_rate_hz");
  EXPECT_THROW(TelephoneEventReceiver(TelephoneEventReceiverConfig{8000, 0}), std::invalid_argument);
}

// --- receiver §2.5.2 ---------------------------------------------------------------------------------

std::array<std::uint8_t, 4> payload(std::uint8_t event, bool end, std::uint16_t duration) {
  std::array<std::uint8_t, 4> b{};
  encode_telephone_event({event, end, false, 10, duration}, b);
  return b;
}

// §2.5.1.4 / §2.5.2: the three copies of the final packet (and redundant copies of updates) are one
// digit: one begin, one end with the final duration.
TEST(Rfc4733Receiver, DuplicateEndPacketsGiveOneEnd) {
  TelephoneEventReceiver rx;
  Digits d;
  rx.receive(1000, true, payload(7, false, 160), d);
  rx.receive(1000, false, payload(7, false, 480), d);
  rx.receive(1000, false, payload(7, false, 480), d);
  for (int i = 0; i < 3; ++i) rx.receive(1000, false, payload(7, true, 640), d);
  ASSERT_EQ(d.v.size(), 2u);
  EXPECT_TRUE(d.v[0].begin);
  EXPECT_EQ(d.v[0].digit, '7');
  EXPECT_EQ(d.v[0].timestamp, 1000u);
  EXPECT_FALSE(d.v[1].begin);
  EXPECT_EQ(d.v[1].duration, 640u);
}

// §2.5.2: the first packet (with the marker) lost — the digit still begins at the event's timestamp;
// an older update arriving after a newer one does not shorten it; a packet of an ended digit arriving
// late does not start it again.
TEST(Rfc4733Receiver, LossAndReorderingNeverDuplicateOrShortenADigit) {
  TelephoneEventReceiver rx;
  Digits d;
  rx.receive(5000, false, payload(3, false, 800), d);  // marker packet lost
  rx.receive(5000, false, payload(3, false, 400), d);  // older update, late
  rx.receive(5000, false, payload(3, true, 1200), d);
  rx.receive(5000, true, payload(3, false, 160), d);   // the very first packet, very late
  rx.receive(4000, true, payload(9, true, 320), d);    // an earlier event, late: already past
  ASSERT_EQ(d.v.size(), 2u);
  EXPECT_EQ(d.v[0].digit, '3');
  EXPECT_EQ(d.v[0].timestamp, 5000u);
  EXPECT_EQ(d.v[1].duration, 1200u);
}

// All end packets lost: the next digit ends the previous one at the duration last heard; with no next
// digit, the timeout ends it.
TEST(Rfc4733Receiver, LostEndPacketsAreRecovered) {
  TelephoneEventReceiver rx;
  Digits d;
  rx.receive(0, true, payload(1, false, 400), d);
  rx.receive(0, false, payload(1, false, 800), d);
  rx.receive(2000, true, payload(2, false, 160), d);
  ASSERT_EQ(d.v.size(), 3u);
  EXPECT_FALSE(d.v[1].begin);
  EXPECT_EQ(d.v[1].digit, '1');
  EXPECT_EQ(d.v[1].duration, 800u);
  EXPECT_TRUE(d.v[2].begin);
  EXPECT_EQ(d.v[2].digit, '2');
  rx.advance(2000 + 160 + 1600, d);  // exactly the 200 ms timeout: not yet
  EXPECT_EQ(d.v.size(), 3u);
  rx.advance(2000 + 160 + 1601, d);
  ASSERT_EQ(d.v.size(), 4u);
  EXPECT_EQ(d.v[3].duration, 160u);
  EXPECT_FALSE(rx.active());
}

// RTP timestamps wrap at 2^32 (RFC 3550): an event just after the wrap is newer, not older.
TEST(Rfc4733Receiver, TimestampWrapIsNewer) {
  TelephoneEventReceiver rx;
  Digits d;
  rx.receive(0xFFFFFE00u, true, payload(4, true, 320), d);
  rx.receive(0x00000100u, true, payload(5, true, 320), d);
  ASSERT_EQ(d.v.size(), 4u);
  EXPECT_EQ(d.v[2].digit, '5');
  EXPECT_EQ(d.v[2].timestamp, 0x100u);
}

// Sender to receiver through a lossy, reordering, duplicating network: every digit of a random schedule
// of which any packet arrives in time is reported exactly once with its exact start; its duration is
// exact when an end packet arrives in time, and otherwise at most the duration last updated (§2.5.2).
TEST(Rfc4733RoundTrip, RandomDigitsThroughALossyReorderingNetwork) {
  std::mt19937 rng(4733);
  const std::string alphabet = "0123456789*#ABCD";
  for (int trial = 0; trial < 50; ++trial) {
    struct Truth { char digit; std::uint64_t start, end; };
    std::vector<Truth> truth;
    std::uint64_t t = 800;
    for (int i = 0; i < 12; ++i) {
      const std::uint64_t on = 320 + rng() % 2000, off = 320 + rng() % 800;
      truth.push_back({alphabet[rng() % alphabet.size()], t, t + on});
      t += on + off;
    }
    TelephoneEventSenderConfig cfg;
    cfg.timestamp_offset = static_cast<std::uint32_t>(rng());
    cfg.packet_interval_ms = trial % 2 ? 20 : 50;
    TelephoneEventSender tx(cfg);
    struct Sent { TelephoneEventPacket p; std::size_t digit; };
    std::vector<Sent> sent;
    auto sink = [&](const TelephoneEventPacket& p) {  // label each packet with its digit by timestamp
      std::size_t i = 0;
      while (i < truth.size() && static_cast<std::uint32_t>(cfg.timestamp_offset + truth[i].start) != p.timestamp) ++i;
      ASSERT_LT(i, truth.size());
      sent.push_back({p, i});
    };
    std::size_t next = 0;
    bool on = false;
    for (std::uint64_t now = 160; now < t + 2000; now += 160) {
      if (!on && next < truth.size() && truth[next].start + 320 <= now) {
        tx.begin(truth[next].digit, truth[next].start, now, sink);
        on = true;
      }
      if (on && truth[next].end + 320 <= now) {
        tx.end(truth[next].end, sink);
        on = false;
        ++next;
      }
      tx.advance(now, sink);
    }
    // Network: lose 25 %, duplicate 10 %, swap neighbours 20 %.
    std::vector<Sent> net;
    for (const auto& s : sent) {
      if (rng() % 4 == 0) continue;
      net.push_back(s);
      if (rng() % 10 == 0) net.push_back(s);
    }
    for (std::size_t i = 1; i < net.size(); ++i)
      if (rng() % 5 == 0) std::swap(net[i - 1], net[i]);

    TelephoneEventReceiver rx;
    Digits got;
    for (const auto& s : net) rx.receive(s.p.timestamp, s.p.marker, s.p.payload, got);
    rx.advance(static_cast<std::uint32_t>(cfg.timestamp_offset + t + 10000), got);

    // What the receiver can know: a packet of a digit counts if it arrives before any packet of a later
    // digit (after that the digit is over for the receiver, §2.5.2).
    std::vector<bool> any(truth.size(), false), end_arrived(truth.size(), false);
    std::size_t latest = 0;
    for (const auto& s : net) {
      if (s.digit < latest) continue;
      latest = s.digit;
      any[s.digit] = true;
      end_arrived[s.digit] = end_arrived[s.digit] || s.p.event.end;
    }
    std::size_t k = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
      if (!any[i]) continue;
      ASSERT_LT(k + 1, got.v.size()) << "trial " << trial << " digit " << i;
      const auto& b = got.v[k];
      const auto& e = got.v[k + 1];
      const auto ts = static_cast<std::uint32_t>(cfg.timestamp_offset + truth[i].start);
      EXPECT_TRUE(b.begin);
      EXPECT_FALSE(e.begin);
      EXPECT_EQ(b.digit, truth[i].digit) << "trial " << trial << " digit " << i;
      EXPECT_EQ(b.timestamp, ts);
      EXPECT_EQ(e.timestamp, ts);
      const std::uint64_t dur = truth[i].end - truth[i].start;
      if (end_arrived[i]) {
        EXPECT_EQ(e.duration, dur) << "trial " << trial << " digit " << i;
      } else {
        EXPECT_LE(e.duration, dur + 320) << "trial " << trial << " digit " << i;  // updates run to the report
      }
      k += 2;
    }
    EXPECT_EQ(k, got.v.size()) << "trial " << trial;
  }
}

}  // namespace
}  // namespace linedsp
