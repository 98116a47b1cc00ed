// tests/capi — the C API (capi/linedsp.h) as a C caller sees it: status codes and messages for bad
// arguments, no exception or crash across the boundary, thread-local last error, events into caller
// arrays (overflow reported), block-size independence, no allocation in process calls, and each wrapped
// processor doing its job on independently synthesised signals (textbook sine sums, not our generators).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <numbers>
#include <string>
#include <thread>
#include <vector>

#include "capi/linedsp.h"
#include "codecs/g711.hpp"
#include "dsp/level.hpp"
#include "support/alloc_counter.hpp"
#include "support/paths.hpp"

LINEDSP_COUNT_ALLOCATIONS();

namespace {

constexpr double kRate = 8000.0;

// Textbook tone: sum of sines at the given per-tone level (dBm0 via the G.711 0 dBm0 definition).
void add_tones(std::vector<double>& x, std::size_t start, std::size_t len, std::initializer_list<double> freqs_hz,
               double level_dbm0) {
  const double a = linedsp::dbm0_to_peak(level_dbm0);
  for (double f : freqs_hz) {
    for (std::size_t i = 0; i < len && start + i < x.size(); ++i) {
      x[start + i] += a * std::sin(2.0 * std::numbers::pi * f * static_cast<double>(i) / kRate);
    }
  }
}

std::vector<std::int16_t> to_pcm(const std::vector<double>& x) {
  std::vector<std::int16_t> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = static_cast<std::int16_t>(std::lround(x[i]));
  return out;
}

// Q.23 frequencies (REFERENCES.md): rows 697 770 852 941, columns 1209 1336 1477 1633.
std::vector<std::int16_t> dtmf_signal(const char* digits) {
  static const char* keys = "123A456B789C*0#D";
  const double rows[] = {697, 770, 852, 941}, cols[] = {1209, 1336, 1477, 1633};
  const std::size_t on = 640, off = 640;  // 80 ms / 80 ms
  std::vector<double> x((std::strlen(digits) + 1) * (on + off), 0.0);
  for (std::size_t d = 0; digits[d] != 0; ++d) {
    const auto k = static_cast<std::size_t>(std::strchr(keys, digits[d]) - keys);
    add_tones(x, off + d * (on + off), on, {rows[k / 4]}, -10.0);
    add_tones(x, off + d * (on + off), on, {cols[k % 4]}, -8.0);
  }
  return to_pcm(x);
}

std::vector<linedsp_dtmf_event> run_dtmf(const std::vector<std::int16_t>& pcm, std::size_t block) {
  linedsp_dtmf_detector* det = nullptr;
  EXPECT_EQ(linedsp_dtmf_detector_create(8000, nullptr, &det), LINEDSP_OK);
  std::vector<linedsp_dtmf_event> all;
  linedsp_dtmf_event ev[16];
  for (std::size_t i = 0; i < pcm.size(); i += block) {
    std::size_t count = 0;
    EXPECT_EQ(linedsp_dtmf_detector_process(det, pcm.data() + i, std::min(block, pcm.size() - i), ev, 16, &count),
              LINEDSP_OK);
    all.insert(all.end(), ev, ev + count);
  }
  std::size_t count = 0;
  EXPECT_EQ(linedsp_dtmf_detector_finish(det, ev, 16, &count), LINEDSP_OK);
  all.insert(all.end(), ev, ev + count);
  linedsp_dtmf_detector_destroy(det);
  return all;
}

}  // namespace

TEST(CApi, BadArgumentsGiveStatusAndMessageNamingTheField) {
  linedsp_echo_canceller* ec = reinterpret_cast<linedsp_echo_canceller*>(0x1);
  EXPECT_EQ(linedsp_echo_canceller_create(8000, 500, &ec), LINEDSP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(ec, nullptr);
  EXPECT_NE(std::string(linedsp_last_error()).find("tail_ms"), std::string::npos) << linedsp_last_error();

  linedsp_dtmf_detector* det = nullptr;
  EXPECT_EQ(linedsp_dtmf_detector_create(11025, nullptr, &det), LINEDSP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(linedsp_last_error()).find("sample_rate_hz"), std::string::npos) << linedsp_last_error();
  EXPECT_EQ(linedsp_dtmf_detector_create(8000, "no-such-profile", &det), LINEDSP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(linedsp_dtmf_detector_create(8000, nullptr, nullptr), LINEDSP_ERR_INVALID_ARGUMENT);

  linedsp_progress_detector* prog = nullptr;
  EXPECT_EQ(linedsp_progress_detector_create("/nonexistent/plan.toml", 8000, &prog), LINEDSP_ERR_IO);
  EXPECT_EQ(linedsp_progress_detector_create_from_toml("this is [not toml", 8000, &prog), LINEDSP_ERR_INVALID_ARGUMENT);
  EXPECT_STRNE(linedsp_last_error(), "");

  linedsp_callerid_receiver* rx = nullptr;
  EXPECT_EQ(linedsp_callerid_receiver_create(static_cast<linedsp_fsk_modem>(7), 8000, 1, &rx),
            LINEDSP_ERR_INVALID_ARGUMENT);
  linedsp_dtmf_generator* gen = nullptr;
  EXPECT_EQ(linedsp_dtmf_generator_create(8000, 10.0, -8.0, 80, 80, &gen), LINEDSP_ERR_INVALID_ARGUMENT);

  // NULL handles and buffers: status, never a crash.
  std::size_t count = 99;
  EXPECT_EQ(linedsp_dtmf_detector_process(nullptr, nullptr, 0, nullptr, 0, &count), LINEDSP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(count, 0u);
  EXPECT_EQ(linedsp_echo_canceller_process(nullptr, nullptr, nullptr, nullptr, 0), LINEDSP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(linedsp_g711_encode(LINEDSP_ULAW, nullptr, nullptr, 10), 0u);
  EXPECT_EQ(linedsp_g711_decode(static_cast<linedsp_law>(9), nullptr, nullptr, 0), 0u);
  linedsp_dtmf_detector_destroy(nullptr);  // like free(NULL)
  EXPECT_STREQ(linedsp_status_name(LINEDSP_ERR_OVERFLOW), "event overflow");
}

TEST(CApi, LastErrorIsPerThread) {
  linedsp_echo_canceller* ec = nullptr;
  ASSERT_EQ(linedsp_echo_canceller_create(8000, 1, &ec), LINEDSP_ERR_INVALID_ARGUMENT);
  std::string other = "unset";
  std::thread([&] { other = linedsp_last_error(); }).join();
  EXPECT_EQ(other, "");
  EXPECT_STRNE(linedsp_last_error(), "");
}

// ITU-T G.711 Tables 1a/2a via the C++ reference (itself checked against the G.191 vectors in tests/codecs):
// the C batch functions equal it for every input, at an odd length and offset.
TEST(CApi, G711BatchEqualsReferenceForEveryInput) {
  std::vector<std::int16_t> pcm(65536 + 3);
  for (std::size_t i = 0; i < 65536; ++i) pcm[i + 3] = static_cast<std::int16_t>(i - 32768);
  std::vector<std::uint8_t> codes(pcm.size());
  for (linedsp_law law : {LINEDSP_ULAW, LINEDSP_ALAW}) {
    ASSERT_EQ(linedsp_g711_encode(law, pcm.data() + 3, codes.data() + 1, 65536), 65536u);
    for (std::size_t i = 0; i < 65536; ++i) {
      const auto want = law == LINEDSP_ULAW ? linedsp::encode_ulaw(pcm[i + 3]) : linedsp::encode_alaw(pcm[i + 3]);
      ASSERT_EQ(codes[i + 1], want) << "x=" << pcm[i + 3];
    }
    std::uint8_t all[256];
    std::int16_t dec[256];
    for (int c = 0; c < 256; ++c) all[c] = static_cast<std::uint8_t>(c);
    ASSERT_EQ(linedsp_g711_decode(law, all, dec, 256), 256u);
    for (int c = 0; c < 256; ++c) {
      const auto want = law == LINEDSP_ULAW ? linedsp::decode_ulaw(all[c]) : linedsp::decode_alaw(all[c]);
      ASSERT_EQ(dec[c], want) << "code " << c;
    }
  }
}

// ITU-T Q.24 (operate at Q.23 levels, 80 ms on / 80 ms off): every digit, begin/end pairs with the
// tone's start and duration, the same events for 1-, 7-, 160- and 4096-sample blocks (DESIGN.md).
TEST(CApi, DtmfDetectorHearsTextbookDigitsWhateverTheBlockSize) {
  const char* digits = "0123456789*#ABCD";
  const auto pcm = dtmf_signal(digits);
  const auto ref = run_dtmf(pcm, 160);
  std::string heard;
  for (const auto& e : ref) {
    if (e.begin) {
      heard += e.digit;
    } else {
      EXPECT_NEAR(static_cast<double>(e.duration_samples), 640.0, 80.0) << e.digit;  // 80 ms +- 10 ms
    }
  }
  EXPECT_EQ(heard, digits);
  ASSERT_EQ(ref.size(), 2 * std::strlen(digits));
  for (std::size_t k = 0; k < std::strlen(digits); ++k) {
    EXPECT_NEAR(static_cast<double>(ref[2 * k].sample), 640.0 + 1280.0 * static_cast<double>(k), 80.0);
  }
  for (std::size_t block : {1u, 7u, 4096u}) {
    const auto got = run_dtmf(pcm, block);
    ASSERT_EQ(got.size(), ref.size()) << "block " << block;
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].digit, ref[i].digit);
      EXPECT_EQ(got[i].begin, ref[i].begin);
      EXPECT_EQ(got[i].sample, ref[i].sample);
      EXPECT_EQ(got[i].duration_samples, ref[i].duration_samples);
    }
  }
}

TEST(CApi, EventOverflowIsReportedNotWritten) {
  const auto pcm = dtmf_signal("55");
  linedsp_dtmf_detector* det = nullptr;
  ASSERT_EQ(linedsp_dtmf_detector_create(8000, "att", &det), LINEDSP_OK);
  linedsp_dtmf_event ev[2] = {};
  ev[1].digit = 'x';  // sentinel: capacity 1 must not write here
  std::size_t count = 0;
  EXPECT_EQ(linedsp_dtmf_detector_process(det, pcm.data(), pcm.size(), ev, 1, &count), LINEDSP_ERR_OVERFLOW);
  EXPECT_EQ(count, 1u);
  EXPECT_EQ(ev[0].digit, '5');
  EXPECT_EQ(ev[1].digit, 'x');
  linedsp_dtmf_detector_destroy(det);
}

// Q.23 generator through the C API, read back by a naive DFT at the two nominal frequencies.
TEST(CApi, DtmfGeneratorSendsQ23Frequencies) {
  linedsp_dtmf_generator* gen = nullptr;
  ASSERT_EQ(linedsp_dtmf_generator_create(8000, -10.0, -8.0, 100, 100, &gen), LINEDSP_OK);
  EXPECT_EQ(linedsp_dtmf_generator_queue(gen, "5x"), LINEDSP_ERR_INVALID_ARGUMENT);
  ASSERT_EQ(linedsp_dtmf_generator_queue(gen, "5"), LINEDSP_OK);
  EXPECT_EQ(linedsp_dtmf_generator_idle(gen), 0);
  std::vector<std::int16_t> out(1600);
  linedsp_dtmf_generator_generate(gen, out.data(), out.size());
  EXPECT_EQ(linedsp_dtmf_generator_idle(gen), 1);
  auto level_dbm0 = [&](double f) {  // naive DFT over the 100 ms tone (800 samples: whole cycles of 5 Hz bins)
    double re = 0, im = 0;
    for (std::size_t n = 0; n < 800; ++n) {
      re += out[n] * std::cos(2 * std::numbers::pi * f * n / kRate);
      im += out[n] * std::sin(2 * std::numbers::pi * f * n / kRate);
    }
    const double amp = 2.0 * std::hypot(re, im) / 800.0;
    return 20.0 * std::log10(amp / linedsp::dbm0_to_peak(0.0));
  };
  EXPECT_NEAR(level_dbm0(770.0), -10.0, 0.5);   // '5' = 770 + 1336 Hz
  EXPECT_NEAR(level_dbm0(1336.0), -8.0, 0.5);
  EXPECT_LT(level_dbm0(697.0), -30.0);
  linedsp_dtmf_generator_destroy(gen);
}

// US plan (data/tones/us.toml: busy 480+620 Hz, 0.5 s on / 0.5 s off, ANSI T1.401): a textbook busy
// tone at -24 dBm0 per component is reported as "busy".
TEST(CApi, ProgressDetectorReportsBusyFromPlanFile) {
  linedsp_progress_detector* det = nullptr;
  const std::string plan = linedsp::test::source_dir() + "/data/tones/us.toml";
  ASSERT_EQ(linedsp_progress_detector_create(plan.c_str(), 8000, &det), LINEDSP_OK) << linedsp_last_error();
  std::vector<double> x(6 * 8000, 0.0);
  for (int c = 0; c < 6; ++c) add_tones(x, static_cast<std::size_t>(c) * 8000, 4000, {480.0, 620.0}, -24.0);
  const auto pcm = to_pcm(x);
  std::vector<linedsp_progress_event> ev(16);
  std::size_t count = 0;
  ASSERT_EQ(linedsp_progress_detector_process(det, pcm.data(), pcm.size(), ev.data(), ev.size(), &count), LINEDSP_OK);
  ASSERT_GE(count, 1u);
  EXPECT_EQ(ev[0].begin, 1);
  EXPECT_STREQ(ev[0].kind, "busy");
  EXPECT_NEAR(ev[0].level_dbm0, -24.0, 1.5);
  linedsp_progress_detector_destroy(det);
}

// ITU-T V.25 answer tone: 2100 Hz without phase reversals (plain ANS), 3 s at -12 dBm0.
TEST(CApi, ModemDetectorReportsV25Answer) {
  linedsp_modem_detector* det = nullptr;
  ASSERT_EQ(linedsp_modem_detector_create(8000, &det), LINEDSP_OK);
  std::vector<double> x(4 * 8000, 0.0);
  add_tones(x, 4000, 3 * 8000, {2100.0}, -12.0);
  const auto pcm = to_pcm(x);
  std::vector<linedsp_modem_event> ev(16);
  std::size_t count = 0;
  ASSERT_EQ(linedsp_modem_detector_process(det, pcm.data(), pcm.size(), ev.data(), ev.size(), &count), LINEDSP_OK);
  ASSERT_GE(count, 2u);
  EXPECT_STREQ(ev[0].tone, "ans");
  EXPECT_EQ(ev[0].begin, 1);
  EXPECT_NEAR(static_cast<double>(ev[0].sample), 4000.0, 80.0);
  EXPECT_NEAR(ev[0].frequency_hz, 2100.0, 2.0);
  EXPECT_EQ(ev[count - 1].begin, 0);
  EXPECT_NEAR(static_cast<double>(ev[count - 1].duration_samples), 24000.0, 160.0);
  linedsp_modem_detector_destroy(det);
}

// Echo canceller: bypass passes the near end through bit for bit; otherwise an echo of white noise
// (2 ms, -6 dB) is reduced by more than 20 dB after 1 s (G.168 asks far more; tests/signals measure it).
TEST(CApi, EchoCancellerCancelsAndBypasses) {
  linedsp_echo_canceller* ec = nullptr;
  ASSERT_EQ(linedsp_echo_canceller_create(8000, 64, &ec), LINEDSP_OK);
  const std::size_t n = 3 * 8000;
  std::vector<std::int16_t> far(n), near(n, 0), out(n);
  std::uint32_t r = 1;
  for (auto& v : far) {
    r = r * 1664525u + 1013904223u;
    v = static_cast<std::int16_t>(static_cast<std::int32_t>(r >> 16) % 4001 - 2000);
  }
  for (std::size_t i = 16; i < n; ++i) near[i] = static_cast<std::int16_t>(far[i - 16] / 2);
  for (std::size_t i = 0; i < n; i += 160) {
    ASSERT_EQ(linedsp_echo_canceller_process(ec, &far[i], &near[i], &out[i], 160), LINEDSP_OK);
  }
  double pe = 0, pn = 0;
  for (std::size_t i = 8000; i < n; ++i) {
    pn += double(near[i]) * near[i];
    pe += double(out[i]) * out[i];
  }
  EXPECT_GT(10 * std::log10(pn / (pe + 1.0)), 20.0);
  EXPECT_GT(linedsp_echo_canceller_memory_bytes(ec), 512u * sizeof(float));  // 64 ms = 512 taps
  ASSERT_EQ(linedsp_echo_canceller_set_bypass(ec, 1), LINEDSP_OK);
  ASSERT_EQ(linedsp_echo_canceller_process(ec, far.data(), near.data(), out.data(), 8000), LINEDSP_OK);
  EXPECT_EQ(std::memcmp(out.data(), near.data(), 8000 * sizeof(std::int16_t)), 0);
  linedsp_echo_canceller_destroy(ec);
}

// Real-time contract through the C boundary: process calls allocate nothing (issue 7).
TEST(CApi, ProcessCallsDoNotAllocate) {
  ASSERT_TRUE(linedsp::test::AllocationCounter::installed());
  linedsp_dtmf_detector* det = nullptr;
  linedsp_modem_detector* modem = nullptr;
  linedsp_echo_canceller* ec = nullptr;
  linedsp_callerid_receiver* rx = nullptr;
  linedsp_progress_detector* prog = nullptr;
  const std::string plan = linedsp::test::source_dir() + "/data/tones/us.toml";
  ASSERT_EQ(linedsp_dtmf_detector_create(8000, nullptr, &det), LINEDSP_OK);
  ASSERT_EQ(linedsp_modem_detector_create(8000, &modem), LINEDSP_OK);
  ASSERT_EQ(linedsp_echo_canceller_create(8000, 128, &ec), LINEDSP_OK);
  ASSERT_EQ(linedsp_callerid_receiver_create(LINEDSP_FSK_BELL202, 8000, 1, &rx), LINEDSP_OK);
  ASSERT_EQ(linedsp_progress_detector_create(plan.c_str(), 8000, &prog), LINEDSP_OK);
  const auto pcm = dtmf_signal("19#");
  std::vector<std::int16_t> out(pcm.size());
  std::vector<std::uint8_t> law(pcm.size());
  linedsp_dtmf_event de[8];
  linedsp_modem_event me[8];
  linedsp_callerid_event ce[4];
  linedsp_progress_event pe[8];
  std::size_t count = 0;
  linedsp::test::AllocationCounter::begin();
  for (std::size_t i = 0; i + 160 <= pcm.size(); i += 160) {
    linedsp_g711_encode(LINEDSP_ULAW, &pcm[i], &law[i], 160);
    linedsp_g711_decode(LINEDSP_ULAW, &law[i], &out[i], 160);
    linedsp_echo_canceller_process(ec, &pcm[i], &out[i], &out[i], 160);
    linedsp_dtmf_detector_process(det, &pcm[i], 160, de, 8, &count);
    linedsp_modem_detector_process(modem, &pcm[i], 160, me, 8, &count);
    linedsp_callerid_receiver_process(rx, &pcm[i], 160, ce, 4, &count);
    linedsp_progress_detector_process(prog, &pcm[i], 160, pe, 8, &count);
  }
  linedsp_dtmf_detector_process(nullptr, nullptr, 0, nullptr, 0, &count);  // the error path too
  EXPECT_EQ(linedsp::test::AllocationCounter::end(), 0u);
  linedsp_dtmf_detector_destroy(det);
  linedsp_modem_detector_destroy(modem);
  linedsp_echo_canceller_destroy(ec);
  linedsp_callerid_receiver_destroy(rx);
  linedsp_progress_detector_destroy(prog);
}
