// tests/capi/capi_generators_ports_test.cpp — the C API's generators (call-progress tones, ring cadence,
// modem/fax tones, caller ID FSK), G.711 Appendix I PLC, RFC 4733 and the FXS/FXO ports (over a simulated line
// and over a caller-supplied line), checked against the standards' numbers with a naive DFT as the level and
// frequency oracle, against the C++ objects they wrap (bit-exact), and by round trips (C caller ID generator ->
// C receiver, C RFC 4733 sender -> C receiver). Also: errors name the argument, and process calls do not allocate.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <complex>
#include <cstring>
#include <numbers>
#include <string>
#include <vector>

#include "capi/linedsp.h"
#include "codecs/plc.hpp"
#include "signals/callerid.hpp"
#include "signals/modem_tone_generator.hpp"
#include "signals/tone_generator.hpp"
#include "signals/tone_plan.hpp"
#include "support/alloc_counter.hpp"
#include "support/paths.hpp"

LINEDSP_COUNT_ALLOCATIONS();

namespace {

using Pcm = std::vector<int16_t>;

// G.711 (and dsp/level.hpp's stated convention): a 0 dBm0 sine has peak 32768 * 10^(-3.17/20).
double dbm0_peak(double dbm0) { return 32768.0 * std::pow(10.0, (-3.17 + dbm0) / 20.0); }

// Textbook DFT amplitude (peak) of x at f over all of x.
double dft_amplitude(const Pcm& x, double f_hz, std::size_t first = 0, std::size_t n = 0) {
  if (n == 0) n = x.size() - first;
  std::complex<double> acc{};
  for (std::size_t i = 0; i < n; ++i)
    acc += double(x[first + i]) * std::polar(1.0, -2.0 * std::numbers::pi * f_hz * double(i) / 8000.0);
  return 2.0 * std::abs(acc) / double(n);
}

std::string data_dir() { return linedsp::test::source_dir() + "/data"; }

struct Plan {
  linedsp_tone_plan* p = nullptr;
  explicit Plan(const char* country) {
    EXPECT_EQ(linedsp_tone_plan_load_country(data_dir().c_str(), country, &p), LINEDSP_OK) << linedsp_last_error();
  }
  ~Plan() { linedsp_tone_plan_destroy(p); }
};

// ---- call-progress tone generator ----------------------------------------------------------------------------
// us.toml (North American precise tone plan, ITU-T E.180 Suppl. / GR-506 as cited there): dial 350 + 440 Hz at
// -13 dBm0 each, continuous.
TEST(CApiGenerators, DialToneHasThePlansFrequenciesAndLevels) {
  Plan us("us");
  ASSERT_STREQ(linedsp_tone_plan_country(us.p), "us");
  linedsp_tone_generator* gen = nullptr;
  ASSERT_EQ(linedsp_tone_generator_create(us.p, "dial", 8000, 0.0, &gen), LINEDSP_OK) << linedsp_last_error();
  Pcm x(8000);
  EXPECT_EQ(linedsp_tone_generator_generate(gen, x.data(), x.size()), x.size());
  EXPECT_NEAR(20 * std::log10(dft_amplitude(x, 350) / dbm0_peak(-13.0)), 0.0, 0.1);
  EXPECT_NEAR(20 * std::log10(dft_amplitude(x, 440) / dbm0_peak(-13.0)), 0.0, 0.1);
  EXPECT_LT(dft_amplitude(x, 480), dbm0_peak(-60.0));
  EXPECT_EQ(linedsp_tone_generator_finished(gen), 0);
  linedsp_tone_generator_destroy(gen);
}

// us.toml busy: 480 + 620 Hz, 500 ms on / 500 ms off: exactly 4000 samples on, 4000 off at 8 kHz; the C
// generator gives the C++ ToneGenerator's samples, whatever the block size.
TEST(CApiGenerators, BusyCadenceIsSampleExactAndEqualsCpp) {
  Plan us("us");
  linedsp_tone_generator* gen = nullptr;
  ASSERT_EQ(linedsp_tone_generator_create(us.p, "busy", 8000, 0.0, &gen), LINEDSP_OK);
  Pcm x(16000);
  for (std::size_t i = 0; i < x.size(); i += 77)
    linedsp_tone_generator_generate(gen, x.data() + i, std::min<std::size_t>(77, x.size() - i));
  const auto plan = linedsp::load_country_plan(data_dir(), "us");
  linedsp::ToneGenerator cpp{*plan.find("busy")};
  Pcm y(x.size());
  cpp.generate(y);
  EXPECT_EQ(x, y);
  auto energy = [&](std::size_t a, std::size_t b) {
    double e = 0;
    for (std::size_t i = a; i < b; ++i) e += double(x[i]) * x[i];
    return e;
  };
  EXPECT_GT(energy(0, 4000), 1e6);
  EXPECT_EQ(energy(4000, 8000), 0.0);
  EXPECT_GT(energy(8000, 12000), 1e6);
  EXPECT_NEAR(20 * std::log10(dft_amplitude(x, 480, 0, 4000) / dbm0_peak(-24.0)), 0.0, 0.2);
  linedsp_tone_generator_destroy(gen);
}

TEST(CApiGenerators, UnknownToneOrCountryNamesTheArgument) {
  Plan us("us");
  linedsp_tone_generator* gen = reinterpret_cast<linedsp_tone_generator*>(1);
  EXPECT_EQ(linedsp_tone_generator_create(us.p, "no-such-tone", 8000, 0.0, &gen), LINEDSP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(gen, nullptr);
  EXPECT_NE(std::string(linedsp_last_error()).find("tone"), std::string::npos);
  EXPECT_EQ(linedsp_tone_generator_create(us.p, "dial", 12345, 0.0, &gen), LINEDSP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(linedsp_last_error()).find("sample_rate_hz"), std::string::npos) << linedsp_last_error();
  linedsp_tone_plan* p = nullptr;
  EXPECT_EQ(linedsp_tone_plan_load_country(data_dir().c_str(), "zz", &p), LINEDSP_ERR_IO);
  EXPECT_NE(std::string(linedsp_last_error()).find("zz"), std::string::npos);
  EXPECT_EQ(linedsp_tone_plan_parse("country = ", &p), LINEDSP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(p, nullptr);
}

// ---- ring cadence ---------------------------------------------------------------------------------------------
// us.toml rings.normal: 2 s on, 4 s off at 20 Hz; 75 V rms is 106.07 V peak = 10607 units of 10 mV.
TEST(CApiGenerators, RingCadenceEdgesAtTheCadencesSamples) {
  Plan us("us");
  linedsp_ring_generator* gen = nullptr;
  ASSERT_EQ(linedsp_ring_generator_create(us.p, nullptr, 8000, 75.0, &gen), LINEDSP_OK) << linedsp_last_error();
  std::array<uint32_t, 8> cad{};
  ASSERT_EQ(linedsp_ring_generator_cadence(gen, cad.data(), cad.size()), 2u);
  EXPECT_EQ(cad[0], 2000u);
  EXPECT_EQ(cad[1], 4000u);
  Pcm wave(8000 * 13);
  std::vector<linedsp_line_event> edges;
  for (std::size_t i = 0; i < wave.size(); i += 160) {
    linedsp_line_event ev[4];
    size_t n = 0;
    ASSERT_EQ(linedsp_ring_generator_generate(gen, wave.data() + i, 160, ev, 4, &n), LINEDSP_OK);
    edges.insert(edges.end(), ev, ev + n);
  }
  ASSERT_EQ(edges.size(), 5u);
  const uint64_t want[] = {0, 16000, 48000, 64000, 96000};
  for (std::size_t k = 0; k < 5; ++k) {
    EXPECT_EQ(edges[k].kind, k % 2 == 0 ? LINEDSP_LINE_RING_BEGIN : LINEDSP_LINE_RING_END);
    EXPECT_EQ(edges[k].sample, want[k]);
  }
  int peak = 0;
  for (std::size_t i = 0; i < 16000; ++i) peak = std::max(peak, std::abs(int(wave[i])));
  EXPECT_NEAR(peak, 75.0 * std::sqrt(2.0) * 100.0, 15.0);
  EXPECT_STREQ(linedsp_line_event_name(LINEDSP_LINE_RING_BEGIN), "ring-begin");
  // Events only (out NULL) give the same edges.
  linedsp_ring_generator_reset(gen);
  linedsp_line_event ev[4];
  size_t n = 0;
  ASSERT_EQ(linedsp_ring_generator_generate(gen, nullptr, 16001, ev, 4, &n), LINEDSP_OK);
  ASSERT_EQ(n, 2u);
  EXPECT_EQ(ev[1].sample, 16000u);
  linedsp_ring_generator_destroy(gen);
}

// ---- modem / fax tones ----------------------------------------------------------------------------------------
// ITU-T V.25: ANS 2100 Hz; T.30: CNG 1100 Hz 0.5 s on / 3 s off. Level as asked (-12 dBm0).
TEST(CApiGenerators, ModemTonesHaveTheirStandardFrequencyLevelAndDuration) {
  linedsp_modem_generator* ans = nullptr;
  ASSERT_EQ(linedsp_modem_generator_create("ans", 8000, -12.0, 1000, &ans), LINEDSP_OK) << linedsp_last_error();
  Pcm x(10000);
  EXPECT_EQ(linedsp_modem_generator_generate(ans, x.data(), x.size()), 8000u);  // 1000 ms
  Pcm on(x.begin(), x.begin() + 8000);
  EXPECT_NEAR(20 * std::log10(dft_amplitude(on, 2100) / dbm0_peak(-12.0)), 0.0, 0.1);
  EXPECT_LT(dft_amplitude(on, 2085), dft_amplitude(on, 2100) / 10);
  linedsp_modem_generator_destroy(ans);

  linedsp_modem_generator* cng = nullptr;
  ASSERT_EQ(linedsp_modem_generator_create("cng", 8000, -12.0, 0, &cng), LINEDSP_OK);
  Pcm c(8000 * 4);
  EXPECT_EQ(linedsp_modem_generator_generate(cng, c.data(), c.size()), c.size());
  EXPECT_NEAR(dft_amplitude(c, 1100, 0, 4000), dbm0_peak(-12.0), dbm0_peak(-12.0) * 0.02);
  EXPECT_LT(dft_amplitude(c, 1100, 4000, 24000), 1.0);  // 3 s off
  EXPECT_GT(dft_amplitude(c, 1100, 28000, 4000), dbm0_peak(-13.0));
  // Equals the C++ generator sample for sample.
  linedsp::ModemToneGeneratorConfig cfg;
  cfg.tone = linedsp::ModemTone::cng;
  cfg.level_dbm0 = -12.0;
  linedsp::ModemToneGenerator cpp{cfg};
  Pcm y(c.size());
  cpp.generate(y);
  EXPECT_EQ(c, y);
  linedsp_modem_generator_destroy(cng);

  linedsp_modem_generator* bad = nullptr;
  EXPECT_EQ(linedsp_modem_generator_create("v90", 8000, -12.0, 0, &bad), LINEDSP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(linedsp_last_error()).find("tone"), std::string::npos);
}

// The C modem generator's /ANS (V.25: 2100 Hz with phase reversals every 450 ms) is recognised by the C detector.
TEST(CApiGenerators, AnsWithReversalsIsDetectedAsAnsPr) {
  linedsp_modem_generator* gen = nullptr;
  ASSERT_EQ(linedsp_modem_generator_create("ans-pr", 8000, -12.0, 3300, &gen), LINEDSP_OK);
  linedsp_modem_detector* det = nullptr;
  ASSERT_EQ(linedsp_modem_detector_create(8000, &det), LINEDSP_OK);
  std::string seen;
  for (int k = 0; k < 250; ++k) {
    int16_t buf[160] = {};
    linedsp_modem_generator_generate(gen, buf, 160);
    linedsp_modem_event ev[8];
    size_t n = 0;
    ASSERT_EQ(linedsp_modem_detector_process(det, buf, 160, ev, 8, &n), LINEDSP_OK);
    for (size_t i = 0; i < n; ++i)
      if (ev[i].begin) seen += std::string(ev[i].tone) + " ";
  }
  EXPECT_NE(seen.find("ans-pr"), std::string::npos) << seen;
  linedsp_modem_detector_destroy(det);
  linedsp_modem_generator_destroy(gen);
}

// ---- caller ID ------------------------------------------------------------------------------------------------
// GR-30 / EN 300 659-3 MDMF: type 0x80, length, parameters (01 date-time, 02 number, 07 name), checksum = two's
// complement of the modulo-256 sum (so all bytes sum to 0). The C encoder gives the same bytes as the C++
// encode_callerid (a separate implementation).
TEST(CApiCallerId, MdmfBytesFollowTheStandardLayout) {
  linedsp_callerid_message m{"11231050", "5551234567", "LINEDSP", 0, 0};
  uint8_t b[128];
  size_t len = 0;
  ASSERT_EQ(linedsp_callerid_encode_mdmf(&m, b, sizeof b, &len), LINEDSP_OK);
  ASSERT_EQ(len, 2u + (2 + 8) + (2 + 10) + (2 + 7) + 1u);
  EXPECT_EQ(b[0], 0x80);
  EXPECT_EQ(b[1], len - 3);
  EXPECT_EQ(b[2], 0x01);
  EXPECT_EQ(b[3], 8);
  EXPECT_EQ(std::memcmp(b + 4, "11231050", 8), 0);
  EXPECT_EQ(b[12], 0x02);
  EXPECT_EQ(b[24], 0x07);
  unsigned sum = 0;
  for (size_t i = 0; i < len; ++i) sum += b[i];
  EXPECT_EQ(sum % 256, 0u);
  linedsp::CallerIdMessage cpp;
  cpp.date_time = "11231050";
  cpp.number = "5551234567";
  cpp.name = "LINEDSP";
  const auto ref = linedsp::encode_callerid(cpp, linedsp::CallerIdFormat::mdmf);
  EXPECT_EQ(std::vector<uint8_t>(b, b + len), ref);
  EXPECT_EQ(linedsp_callerid_encode_mdmf(&m, b, 10, &len), LINEDSP_ERR_INVALID_ARGUMENT);
  std::string long_name(70, 'X');
  linedsp_callerid_message too_long{nullptr, "1", long_name.c_str(), 0, 0};
  EXPECT_EQ(linedsp_callerid_encode_mdmf(&too_long, b, sizeof b, &len), LINEDSP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(linedsp_last_error()).find("msg.name"), std::string::npos);
}

// Round trip: the C generator's spill (Bell 202 per GR-30, V.23 per EN 300 659) is decoded by the C receiver with
// every field intact; an off-hook (type 2) spill by a receiver that does not require the seizure.
TEST(CApiCallerId, GeneratorToReceiverRoundTrip) {
  struct Case {
    linedsp_fsk_modem modem;
    int type2;
  };
  for (const Case c : {Case{LINEDSP_FSK_BELL202, 0}, Case{LINEDSP_FSK_V23, 0}, Case{LINEDSP_FSK_BELL202, 1}}) {
    SCOPED_TRACE(c.modem * 10 + c.type2);
    linedsp_callerid_generator* gen = nullptr;
    ASSERT_EQ(linedsp_callerid_generator_create(c.modem, 8000, -13.5, c.type2, &gen), LINEDSP_OK);
    linedsp_callerid_receiver* rx = nullptr;
    ASSERT_EQ(linedsp_callerid_receiver_create(c.modem, 8000, c.type2 ? 0 : 1, &rx), LINEDSP_OK);
    linedsp_callerid_message m{"01020304", "", "ANONYMOUS", 'P', 0};
    EXPECT_EQ(linedsp_callerid_generator_idle(gen), 1);
    ASSERT_EQ(linedsp_callerid_generator_start(gen, &m), LINEDSP_OK) << linedsp_last_error();
    EXPECT_EQ(linedsp_callerid_generator_start(gen, &m), LINEDSP_ERR_INVALID_ARGUMENT);  // one spill at a time
    std::size_t samples = 0;
    int done = 0;
    linedsp_callerid_event got{};
    for (int k = 0; k < 200; ++k) {
      int16_t buf[160] = {};
      samples += linedsp_callerid_generator_generate(gen, buf, 160);
      linedsp_callerid_event ev[4];
      size_t n = 0;
      ASSERT_EQ(linedsp_callerid_receiver_process(rx, buf, 160, ev, 4, &n), LINEDSP_OK);
      for (size_t i = 0; i < n; ++i)
        if (!ev[i].begin) {
          got = ev[i];
          ++done;
        }
    }
    EXPECT_EQ(linedsp_callerid_generator_idle(gen), 1);
    ASSERT_EQ(done, 1);
    EXPECT_STREQ(got.status, "ok");
    EXPECT_STREQ(got.date_time, "01020304");
    EXPECT_STREQ(got.number, "");
    EXPECT_EQ(got.number_absent, 'P');
    EXPECT_STREQ(got.name, "ANONYMOUS");
    // Spill length: seizure + marks + 10 bits per byte at 1200 bit/s (GR-30 / EN 300 659-2 framing).
    const double bits = (c.type2 ? 0 : 300) + (c.type2 ? 80 : 180) + 10.0 * (2 + 10 + 3 + 11 + 1) + 2;
    EXPECT_NEAR(double(samples), bits * 8000.0 / 1200.0, 8000.0 / 1200.0 * 2);
    linedsp_callerid_receiver_destroy(rx);
    linedsp_callerid_generator_destroy(gen);
  }
}

// ---- PLC ------------------------------------------------------------------------------------------------------
// G.711 Appendix I: output delayed by 3.75 ms (30 samples) while no frame is lost; silence after 60 ms of loss.
// The C handle equals the C++ G711Plc frame for frame.
TEST(CApiPlc, DelayConcealmentAndSilenceAsAppendixI) {
  linedsp_plc* plc = nullptr;
  ASSERT_EQ(linedsp_plc_create(&plc), LINEDSP_OK);
  linedsp::G711Plc cpp;
  Pcm in(160), out(160), ref(160);
  std::vector<int16_t> all_in, all_out;
  for (int k = 0; k < 20; ++k) {
    for (std::size_t i = 0; i < 160; ++i)
      in[i] = int16_t(8000 * std::sin(2 * std::numbers::pi * 200.0 * double(k * 160 + i) / 8000.0));
    const bool lost = k >= 10 && k < 14;  // 80 ms lost
    if (lost) {
      EXPECT_EQ(linedsp_plc_lost_frame(plc, out.data(), 160), 160u);
      cpp.lost_frame(ref);
    } else {
      EXPECT_EQ(linedsp_plc_good_frame(plc, in.data(), out.data(), 160), 160u);
      cpp.good_frame(in, ref);
    }
    EXPECT_EQ(out, ref) << "frame " << k;
    all_in.insert(all_in.end(), in.begin(), in.end());
    all_out.insert(all_out.end(), out.begin(), out.end());
  }
  for (std::size_t i = 30; i < 1600; ++i) ASSERT_EQ(all_out[i], all_in[i - 30]) << i;
  // Lost from sample 1600 (output time 1630); 60 ms (480 samples) later the output is silent.
  for (std::size_t i = 1630 + 480; i < 1600 + 640; ++i) EXPECT_EQ(all_out[i], 0) << i;
  EXPECT_NE(all_out[1700], 0);  // concealed, not muted
  linedsp_plc_destroy(plc);
}

// ---- RFC 4733 -------------------------------------------------------------------------------------------------
// RFC 4733 §2.3 payload: event, E|R|volume, duration (network order); §2.5.1.4 the end packet is sent 3 times;
// the receiver turns the packets back into one begin and one end with the whole duration.
TEST(CApiRfc4733, SenderPacketsFollowTheRfcAndRoundTrip) {
  linedsp_rfc4733_sender* tx = nullptr;
  ASSERT_EQ(linedsp_rfc4733_sender_create(8000, 50, 10, 1000, &tx), LINEDSP_OK);
  linedsp_rfc4733_receiver* rx = nullptr;
  ASSERT_EQ(linedsp_rfc4733_receiver_create(8000, 200, &rx), LINEDSP_OK);
  std::vector<linedsp_rtp_event_packet> packets;
  std::vector<linedsp_rtp_digit> digits;
  auto take = [&](const linedsp_rtp_event_packet* p, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      packets.push_back(p[i]);
      linedsp_rtp_digit d[4];
      size_t m = 0;
      ASSERT_EQ(linedsp_rfc4733_receiver_receive(rx, p[i].timestamp, p[i].marker, p[i].payload, 4, d, 4, &m), LINEDSP_OK);
      digits.insert(digits.end(), d, d + m);
    }
  };
  linedsp_rtp_event_packet p[8];
  size_t n = 0;
  ASSERT_EQ(linedsp_rfc4733_sender_begin(tx, '#', 800, 960, p, 8, &n), LINEDSP_OK);
  take(p, n);
  for (uint64_t t = 1120; t <= 2400; t += 160) {
    ASSERT_EQ(linedsp_rfc4733_sender_advance(tx, t, p, 8, &n), LINEDSP_OK);
    take(p, n);
  }
  ASSERT_EQ(linedsp_rfc4733_sender_end(tx, 2400, p, 8, &n), LINEDSP_OK);  // 200 ms tone
  take(p, n);
  for (uint64_t t = 2560; t <= 4000; t += 160) {
    ASSERT_EQ(linedsp_rfc4733_sender_advance(tx, t, p, 8, &n), LINEDSP_OK);
    take(p, n);
  }
  ASSERT_GE(packets.size(), 4u);
  EXPECT_EQ(packets[0].marker, 1);
  EXPECT_EQ(packets[0].timestamp, 1000u + 800u);
  EXPECT_EQ(packets[0].event, 11);  // '#'
  std::size_t ends = 0;
  for (const auto& q : packets) {
    EXPECT_EQ(q.timestamp, 1800u);
    EXPECT_EQ(q.payload[0], q.event);
    EXPECT_EQ((q.payload[1] & 0x80) != 0, q.end != 0);
    EXPECT_EQ(q.payload[1] & 0x3F, 10);
    EXPECT_EQ((q.payload[2] << 8) | q.payload[3], q.duration);
    if (q.end) {
      ++ends;
      EXPECT_EQ(q.duration, 1600);
    }
  }
  EXPECT_EQ(ends, 3u);
  ASSERT_EQ(digits.size(), 2u);
  EXPECT_EQ(digits[0].digit, '#');
  EXPECT_EQ(digits[0].begin, 1);
  EXPECT_EQ(digits[1].begin, 0);
  EXPECT_EQ(digits[1].duration, 1600u);
  EXPECT_EQ(linedsp_rfc4733_sender_begin(tx, 'x', 0, 0, p, 8, &n), LINEDSP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(linedsp_rfc4733_receiver_receive(rx, 0, 0, p[0].payload, 3, nullptr, 0, &n), LINEDSP_ERR_INVALID_ARGUMENT);
  linedsp_rfc4733_receiver_destroy(rx);
  linedsp_rfc4733_sender_destroy(tx);
}

// ---- ports ----------------------------------------------------------------------------------------------------
struct PortLog {
  std::vector<std::string> kinds;
  std::vector<linedsp_port_event> events;
  void add(const linedsp_port_event* e, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      kinds.emplace_back(e[i].kind);
      events.push_back(e[i]);
    }
  }
  bool has(const std::string& k) const { return std::find(kinds.begin(), kinds.end(), k) != kinds.end(); }
  const linedsp_port_event* find(const std::string& k) const {
    for (const auto& e : events)
      if (k == e.kind) return &e;
    return nullptr;
  }
};

// FXS over the simulated line: the phone goes off-hook and hears dial tone (350 + 440 Hz, us plan) at its end;
// dials 4-1-1 with the C DTMF generator; the port reports the digits and the number.
TEST(CApiPorts, FxsOverSimLineGivesDialToneAndCollectsDigits) {
  Plan us("us");
  linedsp_sim_line* line = nullptr;
  ASSERT_EQ(linedsp_sim_line_create(nullptr, &line), LINEDSP_OK);
  linedsp_fxs_port* fxs = nullptr;
  ASSERT_EQ(linedsp_fxs_port_create(us.p, line, &fxs), LINEDSP_OK) << linedsp_last_error();
  linedsp_dtmf_generator* phone = nullptr;
  ASSERT_EQ(linedsp_dtmf_generator_create(8000, -10, -8, 80, 80, &phone), LINEDSP_OK);
  EXPECT_STREQ(linedsp_fxs_port_state(fxs), "idle");
  Pcm rx(160, 0), tx(160), vin(160, 0), vout(160), ptx(160), prx(160), heard;
  PortLog log;
  for (int k = 0; k < 400; ++k) {  // 8 s
    if (k == 10) {
      ASSERT_EQ(linedsp_sim_line_phone_hook(line, 1), LINEDSP_OK);
    }
    if (k == 100) {
      ASSERT_EQ(linedsp_dtmf_generator_queue(phone, "411"), LINEDSP_OK);
    }
    linedsp_port_event ev[16];
    size_t n = 0;
    ASSERT_EQ(linedsp_fxs_port_process(fxs, rx.data(), tx.data(), vin.data(), vout.data(), 160, ev, 16, &n), LINEDSP_OK);
    log.add(ev, n);
    std::fill(ptx.begin(), ptx.end(), 0);
    linedsp_dtmf_generator_generate(phone, ptx.data(), 160);
    ASSERT_EQ(linedsp_sim_line_process(line, tx.data(), ptx.data(), rx.data(), prx.data(), 160), LINEDSP_OK);
    if (k >= 40 && k < 90) heard.insert(heard.end(), prx.begin(), prx.end());
  }
  EXPECT_TRUE(log.has("off-hook"));
  EXPECT_TRUE(log.has("dial-tone"));
  std::string digits;
  for (const auto& e : log.events)
    if (std::string(e.kind) == "digit") digits += e.digit;
  EXPECT_EQ(digits, "411");
  const auto* number = log.find("number");
  ASSERT_NE(number, nullptr);
  EXPECT_STREQ(number->number, "411");
  // The phone heard dial tone: 350 and 440 Hz at -13 dBm0 less the line's 3 dB loss.
  EXPECT_NEAR(20 * std::log10(dft_amplitude(heard, 350) / dbm0_peak(-16.0)), 0.0, 0.5);
  EXPECT_NEAR(20 * std::log10(dft_amplitude(heard, 440) / dbm0_peak(-16.0)), 0.0, 0.5);
  linedsp_dtmf_generator_destroy(phone);
  linedsp_fxs_port_destroy(fxs);
  linedsp_sim_line_destroy(line);
}

// FXO over the simulated line: the exchange rings (us cadence) and sends caller ID between the first two rings
// (GR-30 on-hook spill, from the C generator); the port decodes it and answers after 2 rings (for_country default).
TEST(CApiPorts, FxoOverSimLineDecodesCallerIdAndAnswers) {
  Plan us("us");
  linedsp_sim_line* line = nullptr;
  ASSERT_EQ(linedsp_sim_line_create(nullptr, &line), LINEDSP_OK);
  linedsp_fxo_port* fxo = nullptr;
  ASSERT_EQ(linedsp_fxo_port_create(us.p, line, &fxo), LINEDSP_OK) << linedsp_last_error();
  linedsp_callerid_generator* cid = nullptr;
  ASSERT_EQ(linedsp_callerid_generator_create(LINEDSP_FSK_BELL202, 8000, -13.5, 0, &cid), LINEDSP_OK);
  linedsp_callerid_message m{"11231200", "2025550123", "SIM EXCHANGE", 0, 0};
  const uint32_t cadence[2] = {2000, 4000};
  Pcm rx(160, 0), tx(160), vin(160, 0), vout(160), etx(160), erx(160);
  PortLog log;
  bool answered_at_exchange = false;
  for (int k = 0; k < 700; ++k) {  // 14 s
    if (k == 5) {
      ASSERT_EQ(linedsp_sim_line_exchange_ring(line, cadence, 2), LINEDSP_OK);
    }
    if (k == 5 + 125) {
      ASSERT_EQ(linedsp_callerid_generator_start(cid, &m), LINEDSP_OK);  // 0.5 s after ring 1
    }
    linedsp_line_event le;
    while (linedsp_sim_line_poll_event(line, 1, &le))
      if (le.kind == LINEDSP_LINE_HOOK_OFF) {
        answered_at_exchange = true;
        linedsp_sim_line_exchange_ring_off(line);
      }
    std::fill(etx.begin(), etx.end(), 0);
    linedsp_callerid_generator_generate(cid, etx.data(), 160);
    linedsp_port_event ev[16];
    size_t n = 0;
    ASSERT_EQ(linedsp_fxo_port_process(fxo, rx.data(), tx.data(), vin.data(), vout.data(), 160, ev, 16, &n), LINEDSP_OK);
    log.add(ev, n);
    ASSERT_EQ(linedsp_sim_line_process(line, etx.data(), tx.data(), erx.data(), rx.data(), 160), LINEDSP_OK);
  }
  const auto* c = log.find("cid-received");
  ASSERT_NE(c, nullptr);
  EXPECT_STREQ(c->number, "2025550123");
  EXPECT_STREQ(c->name, "SIM EXCHANGE");
  EXPECT_TRUE(log.has("ring"));
  EXPECT_TRUE(log.has("answered"));
  EXPECT_TRUE(answered_at_exchange);
  std::string seq;
  for (const auto& e : log.events) seq += std::to_string(double(e.sample) / 8000.0) + " " + e.kind + "; ";
  EXPECT_STREQ(linedsp_fxo_port_state(fxo), "connected") << seq;
  linedsp_callerid_generator_destroy(cid);
  linedsp_fxo_port_destroy(fxo);
  linedsp_sim_line_destroy(line);
}

// Caller-supplied line: the ports ask for controls (poll) and take signalling events from the caller.
TEST(CApiPorts, CallerLineGetsControlsAndGivesEvents) {
  Plan us("us");
  linedsp_fxs_port* fxs = nullptr;
  ASSERT_EQ(linedsp_fxs_port_create(us.p, nullptr, &fxs), LINEDSP_OK);
  Pcm rx(160, 0), tx(160), vin(160, 0), vout(160);
  linedsp_port_event ev[16];
  size_t n = 0;
  ASSERT_EQ(linedsp_fxs_port_ring(fxs, nullptr), LINEDSP_OK);
  PortLog log;
  ASSERT_EQ(linedsp_fxs_port_process(fxs, rx.data(), tx.data(), vin.data(), vout.data(), 160, ev, 16, &n), LINEDSP_OK);
  log.add(ev, n);
  linedsp_line_control ctl{};
  ASSERT_EQ(linedsp_fxs_port_poll_control(fxs, &ctl), 1);
  EXPECT_EQ(ctl.kind, LINEDSP_CONTROL_RING);
  ASSERT_EQ(ctl.count, 2u);  // us.toml rings.normal
  EXPECT_EQ(ctl.cadence_ms[0], 2000u);
  EXPECT_EQ(ctl.cadence_ms[1], 4000u);
  EXPECT_EQ(linedsp_fxs_port_ring(fxs, nullptr), LINEDSP_ERR_INVALID_ARGUMENT);  // already ringing
  ASSERT_EQ(linedsp_fxs_port_line_event(fxs, LINEDSP_LINE_HOOK_OFF, 160), LINEDSP_OK);  // ring trip
  ASSERT_EQ(linedsp_fxs_port_process(fxs, rx.data(), tx.data(), vin.data(), vout.data(), 160, ev, 16, &n), LINEDSP_OK);
  log.add(ev, n);
  EXPECT_TRUE(log.has("answered"));
  EXPECT_STREQ(linedsp_fxs_port_state(fxs), "call");
  bool ring_off = false;
  while (linedsp_fxs_port_poll_control(fxs, &ctl)) ring_off = ring_off || ctl.kind == LINEDSP_CONTROL_RING_OFF;
  EXPECT_TRUE(ring_off);
  EXPECT_EQ(linedsp_fxs_port_line_event(fxs, static_cast<linedsp_line_event_kind>(99), 0), LINEDSP_ERR_INVALID_ARGUMENT);
  linedsp_fxs_port_destroy(fxs);

  linedsp_fxo_port* fxo = nullptr;
  ASSERT_EQ(linedsp_fxo_port_create(us.p, nullptr, &fxo), LINEDSP_OK);
  ASSERT_EQ(linedsp_fxo_port_dial(fxo, "123"), LINEDSP_OK);
  ASSERT_EQ(linedsp_fxo_port_process(fxo, rx.data(), tx.data(), vin.data(), vout.data(), 160, ev, 16, &n), LINEDSP_OK);
  ASSERT_EQ(linedsp_fxo_port_poll_control(fxo, &ctl), 1);
  EXPECT_EQ(ctl.kind, LINEDSP_CONTROL_OFF_HOOK);
  EXPECT_EQ(linedsp_fxo_port_answer(fxo), LINEDSP_ERR_INVALID_ARGUMENT);  // not ringing
  ASSERT_EQ(linedsp_fxo_port_hang_up(fxo), LINEDSP_OK);
  ASSERT_EQ(linedsp_fxo_port_poll_control(fxo, &ctl), 1);
  EXPECT_EQ(ctl.kind, LINEDSP_CONTROL_ON_HOOK);
  EXPECT_STREQ(linedsp_fxo_port_state(fxo), "idle");
  linedsp_fxo_port_destroy(fxo);
}

// The real-time contract through the C boundary: generate/process calls of the new handles do not allocate.
TEST(CApiRealtime, GeneratorAndPortCallsDoNotAllocate) {
  Plan us("us");
  linedsp_tone_generator* tone = nullptr;
  linedsp_modem_generator* modem = nullptr;
  linedsp_callerid_generator* cid = nullptr;
  linedsp_ring_generator* ring = nullptr;
  linedsp_plc* plc = nullptr;
  linedsp_sim_line* line = nullptr;
  linedsp_fxs_port* fxs = nullptr;
  linedsp_fxo_port* fxo = nullptr;
  ASSERT_EQ(linedsp_tone_generator_create(us.p, "ringback", 8000, 0, &tone), LINEDSP_OK);
  ASSERT_EQ(linedsp_modem_generator_create("ansam-pr", 8000, -12, 0, &modem), LINEDSP_OK);
  ASSERT_EQ(linedsp_callerid_generator_create(LINEDSP_FSK_V23, 8000, -13.5, 0, &cid), LINEDSP_OK);
  ASSERT_EQ(linedsp_ring_generator_create(us.p, "normal", 8000, 75, &ring), LINEDSP_OK);
  ASSERT_EQ(linedsp_plc_create(&plc), LINEDSP_OK);
  ASSERT_EQ(linedsp_sim_line_create(nullptr, &line), LINEDSP_OK);
  ASSERT_EQ(linedsp_fxs_port_create(us.p, line, &fxs), LINEDSP_OK);
  ASSERT_EQ(linedsp_fxo_port_create(us.p, nullptr, &fxo), LINEDSP_OK);
  linedsp_callerid_message m{"11231200", "123", "X", 0, 0};
  Pcm a(160), b(160, 0), c(160), d(160, 0), e(160);
  linedsp_port_event ev[16];
  linedsp_line_event le[4];
  linedsp_line_control ctl;
  size_t n = 0;
  linedsp::test::AllocationCounter::begin();
  linedsp_callerid_generator_start(cid, &m);
  linedsp_fxs_port_ring(fxs, &m);
  linedsp_fxo_port_dial(fxo, "5");
  for (int k = 0; k < 300; ++k) {
    linedsp_tone_generator_generate(tone, a.data(), 160);
    linedsp_modem_generator_generate(modem, a.data(), 160);
    linedsp_callerid_generator_generate(cid, a.data(), 160);
    linedsp_ring_generator_generate(ring, a.data(), 160, le, 4, &n);
    if (k % 5 == 2) linedsp_plc_lost_frame(plc, a.data(), 160);
    else linedsp_plc_good_frame(plc, a.data(), a.data(), 160);
    linedsp_fxs_port_process(fxs, b.data(), c.data(), d.data(), e.data(), 160, ev, 16, &n);
    linedsp_sim_line_process(line, c.data(), d.data(), b.data(), a.data(), 160);
    linedsp_fxo_port_process(fxo, b.data(), c.data(), d.data(), e.data(), 160, ev, 16, &n);
    while (linedsp_fxo_port_poll_control(fxo, &ctl)) {
    }
  }
  EXPECT_EQ(linedsp::test::AllocationCounter::end(), 0u);
  linedsp_fxo_port_destroy(fxo);
  linedsp_fxs_port_destroy(fxs);
  linedsp_sim_line_destroy(line);
  linedsp_plc_destroy(plc);
  linedsp_ring_generator_destroy(ring);
  linedsp_callerid_generator_destroy(cid);
  linedsp_modem_generator_destroy(modem);
  linedsp_tone_generator_destroy(tone);
}

}  // namespace
