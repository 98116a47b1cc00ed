// DTMF caller ID (signals/callerid_dtmf.hpp): digit strings and their assembly from detected digits.
// Oracle: the digit-string variants as documented independently in spandsp's adsi.h (A<number>C with D<redirect>
// and B<special>, "00" not available / "10" restricted; A<number>#, D1# / D2# / D3#; D<number>C; <number>#),
// written out by hand here.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "signals/callerid_dtmf.hpp"

namespace linedsp {
namespace {

CallerIdMessage number(std::string_view n) {
  CallerIdMessage m;
  m.number = n;
  return m;
}

// ETSI EN 300 659-1 annex / national specs (Denmark, Netherlands, Sweden ...): A<number>C and its B/D fields.
TEST(DtmfCallerId, ACFormatStrings) {
  EXPECT_EQ(encode_dtmf_callerid(number("4570123456"), DtmfCallerIdFormat::a_c), "A4570123456C");
  CallerIdMessage r = number("0201234567");
  r.redirecting = "0207654321";
  EXPECT_EQ(encode_dtmf_callerid(r, DtmfCallerIdFormat::a_c), "A0201234567D0207654321C");
  CallerIdMessage p;
  p.number_absent = 'P';
  EXPECT_EQ(encode_dtmf_callerid(p, DtmfCallerIdFormat::a_c), "B10C");
  p.number_absent = 'O';
  EXPECT_EQ(encode_dtmf_callerid(p, DtmfCallerIdFormat::a_c), "B00C");

  auto x = parse_dtmf_callerid("A0201234567D0207654321C", DtmfCallerIdFormat::a_c);
  ASSERT_EQ(x.status, CallerIdStatus::ok);
  EXPECT_EQ(x.message.number.view(), "0201234567");
  EXPECT_EQ(x.message.redirecting.view(), "0207654321");
  x = parse_dtmf_callerid("B10C", DtmfCallerIdFormat::a_c);
  ASSERT_EQ(x.status, CallerIdStatus::ok);
  EXPECT_EQ(x.message.number_absent, 'P');
  x = parse_dtmf_callerid("B00C", DtmfCallerIdFormat::a_c);
  ASSERT_EQ(x.status, CallerIdStatus::ok);
  EXPECT_EQ(x.message.number_absent, 'O');
}

TEST(DtmfCallerId, HashAndDCFormats) {
  EXPECT_EQ(encode_dtmf_callerid(number("5551234"), DtmfCallerIdFormat::a_hash), "A5551234#");
  CallerIdMessage p;
  p.number_absent = 'P';
  EXPECT_EQ(encode_dtmf_callerid(p, DtmfCallerIdFormat::a_hash), "D1#");
  EXPECT_EQ(parse_dtmf_callerid("D1#", DtmfCallerIdFormat::a_hash).message.number_absent, 'P');
  EXPECT_EQ(parse_dtmf_callerid("D2#", DtmfCallerIdFormat::a_hash).message.number_absent, 'O');
  EXPECT_EQ(parse_dtmf_callerid("D3#", DtmfCallerIdFormat::a_hash).message.number_absent, 'O');
  EXPECT_EQ(encode_dtmf_callerid(number("0223456789"), DtmfCallerIdFormat::d_c), "D0223456789C");
  EXPECT_EQ(parse_dtmf_callerid("D0223456789C", DtmfCallerIdFormat::d_c).message.number.view(), "0223456789");
  EXPECT_EQ(encode_dtmf_callerid(number("31201234"), DtmfCallerIdFormat::hash), "31201234#");
  EXPECT_EQ(parse_dtmf_callerid("31201234#", DtmfCallerIdFormat::hash).message.number.view(), "31201234");
}

// Strings that do not follow the format are malformed, never a number.
TEST(DtmfCallerId, MalformedStringsAreNotNumbers) {
  for (const char* s : {"A123", "123C", "AC", "A12B99C", "A1*2C", "C123A", "B1C", ""}) {
    const auto x = parse_dtmf_callerid(s, DtmfCallerIdFormat::a_c);
    EXPECT_EQ(x.status, CallerIdStatus::malformed) << s;
    EXPECT_TRUE(x.message.number.empty()) << s;
  }
  EXPECT_EQ(parse_dtmf_callerid("D9#", DtmfCallerIdFormat::a_hash).status, CallerIdStatus::malformed);
  EXPECT_EQ(parse_dtmf_callerid("12#3", DtmfCallerIdFormat::hash).status, CallerIdStatus::malformed);
  EXPECT_THROW(encode_dtmf_callerid(number("12a"), DtmfCallerIdFormat::a_c), std::invalid_argument);
}

// Assembly from detected digits: begin at the start marker, end at the terminator; a gap longer than max_gap_ms
// (500 ms default) abandons the message as truncated; digits outside a message are ignored.
TEST(DtmfCallerIdReceiver, AssemblesTimesAndTruncates) {
  DtmfCallerIdReceiver rx{DtmfCallerIdReceiverConfig{}};
  std::vector<CallerIdEvent> ev;
  auto sink = [&](const CallerIdEvent& e) { ev.push_back(e); };
  std::uint64_t t = 1000;
  rx.digit('5', t, sink);  // not a start marker: ignored
  for (char d : std::string("A4570123456C")) {
    t += 1120;  // 70 ms on + 70 ms off
    rx.digit(d, t, sink);
  }
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_TRUE(ev[0].begin);
  EXPECT_EQ(ev[0].sample, 2120u);
  EXPECT_EQ(ev[1].status, CallerIdStatus::ok);
  EXPECT_EQ(ev[1].message.number.view(), "4570123456");
  EXPECT_EQ(ev[1].duration_samples, 11u * 1120u);

  ev.clear();
  rx.digit('A', 100000, sink);
  rx.digit('1', 101120, sink);
  rx.advance(101120 + 4000, sink);  // 500 ms: still waiting
  EXPECT_EQ(ev.size(), 1u);
  rx.advance(101120 + 4001, sink);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[1].status, CallerIdStatus::truncated);
  EXPECT_TRUE(ev[1].message.number.empty());
}

}  // namespace
}  // namespace linedsp
