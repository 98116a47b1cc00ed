// Caller-ID signalling procedures (signals/callerid_procedure.hpp), checked against the timing figures of
// REFERENCES.md "Caller ID" and, end to end, by running the alert-tone detector and the FSK receiver on the
// rendered line audio.
#include <gtest/gtest.h>

#include <vector>

#include "signals/callerid.hpp"
#include "signals/callerid_procedure.hpp"

namespace linedsp {
namespace {

using K = CallerIdStep::Kind;

std::uint64_t ms_of(const std::vector<CallerIdStep>& s, std::size_t from, std::size_t to) {
  std::uint64_t ms = 0;
  for (std::size_t i = from; i < to; ++i) ms += s[i].duration_ms;
  return ms;
}
std::size_t find(const std::vector<CallerIdStep>& s, K k, std::size_t from = 0) {
  for (std::size_t i = from; i < s.size(); ++i)
    if (s[i].kind == k) return i;
  return s.size();
}

// GR-30 Type I (REFERENCES.md): data in the silent interval after the first ring, starting about 0.5 s after it,
// ending before the second ring.
TEST(CallerIdProcedure, BellcoreBetweenFirstAndSecondRing) {
  const auto s = callerid_procedure(CallerIdProcedure::bellcore_on_hook, CallerIdTiming{}, 700);
  const std::size_t r1 = find(s, K::ring), d = find(s, K::data), r2 = find(s, K::ring, r1 + 1);
  ASSERT_LT(r1, d);
  ASSERT_LT(d, r2);
  ASSERT_LT(r2, s.size());
  EXPECT_EQ(ms_of(s, r1 + 1, d), 500u);
  EXPECT_EQ(ms_of(s, r1 + 1, r2), 4000u);  // US cadence silence
  EXPECT_GE(ms_of(s, d + 1, r2), 200u);
  EXPECT_THROW(callerid_procedure(CallerIdProcedure::bellcore_on_hook, CallerIdTiming{}, 3600), std::invalid_argument);
}

// EN 300 659-1 (REFERENCES.md): polarity reversal, DT-AS 88-110 ms, data, then the first ring.
TEST(CallerIdProcedure, EtsiDtasBeforeFirstRing) {
  const auto s = callerid_procedure(CallerIdProcedure::etsi_dtas, CallerIdTiming{}, 700);
  const std::size_t rev = find(s, K::polarity_reversal), a = find(s, K::alert_tone), d = find(s, K::data),
                    r = find(s, K::ring);
  ASSERT_TRUE(rev < a && a < d && d < r && r < s.size());
  EXPECT_GE(s[a].duration_ms, 88u);
  EXPECT_LE(s[a].duration_ms, 110u);
}

// GR-30 Type II (REFERENCES.md): CAS 75-85 ms, the phone's ACK within 100 ms lasting 55-65 ms, FSK within 500 ms.
TEST(CallerIdProcedure, CallWaitingCasAckAndData) {
  const auto s = callerid_procedure(CallerIdProcedure::call_waiting, CallerIdTiming{}, 400);
  const std::size_t cas = find(s, K::alert_tone), ack = find(s, K::wait_ack), d = find(s, K::data);
  ASSERT_TRUE(cas < ack && ack < d && d < s.size());
  EXPECT_GE(s[cas].duration_ms, 75u);
  EXPECT_LE(s[cas].duration_ms, 85u);
  EXPECT_GE(s[ack].duration_ms, 100u + 65u - 5u);  // long enough to hear a full ACK that starts late
  EXPECT_LE(ms_of(s, ack + 1, d), 500u);
  EXPECT_EQ(find(s, K::ring), s.size());  // off-hook: no ringing
}

// End to end, ETSI with DT-AS on V.23: the rendered line audio gives one alert (valid duration) that ends before
// the FSK message, and the message decodes.
TEST(CallerIdProcedure, EtsiDtasAudioDecodes) {
  CallerIdMessage m;
  m.date_time = "11230815";
  m.number = "0123456789";
  m.name = "TEST";
  const auto bytes = encode_callerid(m, CallerIdFormat::mdmf);
  CallerIdSenderConfig sc;
  sc.modem = FskModem::v23;
  const auto spill = callerid_fsk_spill(bytes, sc);
  const auto steps = callerid_procedure(CallerIdProcedure::etsi_dtas, CallerIdTiming{},
                                        static_cast<std::uint32_t>(spill.size() / 8));
  const auto audio = render_callerid_procedure(steps, spill, 8000, CasGeneratorConfig::etsi_dtas());
  CasDetector cas{CasDetectorConfig{}};
  std::vector<CasEvent> alerts;
  auto cas_sink = [&](const CasEvent& e) { alerts.push_back(e); };
  cas.process(audio.pcm, cas_sink);
  CallerIdReceiverConfig rc;
  rc.modem = FskModem::v23;
  CallerIdReceiver rx(rc);
  std::vector<CallerIdEvent> msgs;
  auto rx_sink = [&](const CallerIdEvent& e) {
    if (!e.begin) msgs.push_back(e);
  };
  rx.process(audio.pcm, rx_sink);
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_TRUE(alerts[1].valid);
  ASSERT_EQ(msgs.size(), 1u);
  ASSERT_EQ(msgs[0].status, CallerIdStatus::ok);
  EXPECT_EQ(msgs[0].message.number.view(), "0123456789");
  EXPECT_LT(alerts[1].sample + alerts[1].duration_samples, msgs[0].sample);
  // The marks place the data where the receiver found the message: after seizure + marks (480 bits).
  const auto& data_mark = audio.marks[find(steps, K::data)];
  EXPECT_NEAR(double(msgs[0].sample), double(data_mark.sample) + 480 * 8000.0 / 1200.0, 8.0);
}

}  // namespace
}  // namespace linedsp
