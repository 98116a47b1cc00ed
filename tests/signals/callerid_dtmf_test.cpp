// DTMF caller ID (signals/callerid_dtmf.hpp): digit strings and their assembly from detected digits.
// Oracle: the digit-string variants as documented independently in spandsp's adsi.h (A<number>C with D<redirect>
// and B<special>, "00" not available / "10" restricted; A<number>#, D1# / D2# / D3#; D<number>C; <number>#),
// written out by hand here.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "signals/callerid_dtmf.hpp"
#include "signals/callerid_procedure.hpp"
#include "signals/dtmf_detector.hpp"
#include "signals/dtmf_generator.hpp"

#include <cmath>
#include <random>

#include "dsp/level.hpp"

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

// End to end through audio: the digit string sent with DtmfGenerator (70 ms on / 70 ms off, check the national
// spec) after a line reversal (procedure "dtmf"), with noise 20 dB below, received with DtmfDetector and assembled
// here, for every format; block-size independent.
std::vector<CallerIdEvent> receive_dtmf_audio(const std::vector<std::int16_t>& pcm, DtmfCallerIdFormat format,
                                              std::size_t block) {
  DtmfDetector det{DtmfDetectorConfig{}};
  DtmfCallerIdReceiverConfig rc;
  rc.format = format;
  DtmfCallerIdReceiver rx(rc);
  std::vector<CallerIdEvent> out;
  auto sink = [&](const CallerIdEvent& e) {
    if (!e.begin) out.push_back(e);
  };
  auto on_digit = [&](const DtmfEvent& e) {
    if (e.begin) rx.digit(e.digit, e.sample, sink);
  };
  for (std::size_t i = 0; i < pcm.size(); i += block) {
    det.process(std::span<const std::int16_t>(pcm.data() + i, std::min(block, pcm.size() - i)), on_digit);
    rx.advance(det.samples(), sink);
  }
  det.finish(on_digit);
  rx.advance(det.samples() + 100000, sink);
  return out;
}

TEST(DtmfCallerIdAudio, RoundTripThroughDtmfGeneratorAndDetector) {
  std::mt19937 rng(2);
  for (auto format : {DtmfCallerIdFormat::a_c, DtmfCallerIdFormat::a_hash, DtmfCallerIdFormat::d_c,
                      DtmfCallerIdFormat::hash}) {
    const std::string digits = encode_dtmf_callerid(number("4570123456"), format);
    DtmfGeneratorConfig gc;
    gc.on_ms = 70;
    gc.off_ms = 70;
    DtmfGenerator gen(gc);
    ASSERT_TRUE(gen.queue(digits));
    std::vector<std::int16_t> data(digits.size() * 140 * 8 + 800);
    data.resize(gen.generate(data));
    const auto steps = callerid_procedure(CallerIdProcedure::dtmf, CallerIdTiming{},
                                          static_cast<std::uint32_t>(data.size() / 8));
    auto audio = render_callerid_procedure(steps, data).pcm;
    std::normal_distribution<double> noise(0.0, std::sqrt(dbm0_to_power(-9.0 - 20.0)));
    for (auto& x : audio) x = static_cast<std::int16_t>(std::clamp(x + noise(rng), -32768.0, 32767.0));
    const auto ref = receive_dtmf_audio(audio, format, 160);
    ASSERT_EQ(ref.size(), 1u) << dtmf_callerid_format_name(format);
    EXPECT_EQ(ref[0].status, CallerIdStatus::ok);
    EXPECT_EQ(ref[0].message.number.view(), "4570123456");
    for (std::size_t block : {1u, 7u, 4096u}) {
      const auto ev = receive_dtmf_audio(audio, format, block);
      ASSERT_EQ(ev.size(), 1u) << block;
      EXPECT_EQ(ev[0].sample, ref[0].sample);
      EXPECT_EQ(ev[0].message.number, ref[0].message.number);
    }
  }
}

}  // namespace
}  // namespace linedsp
