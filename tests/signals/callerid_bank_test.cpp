// DESIGN.md density path: the N-channel caller-ID bank gives the same events as N independent receivers.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "dsp/level.hpp"
#include "signals/callerid_bank.hpp"

namespace linedsp {
namespace {

TEST(CallerIdReceiverBank, SameEventsAsIndependentReceivers) {
  constexpr std::size_t kCh = 5;
  std::mt19937 rng(3);
  std::normal_distribution<double> noise(0.0, std::sqrt(dbm0_to_power(-45.0)));
  // Channel c carries a spill for number "55500c" starting at a different offset; channel 4 only noise.
  std::vector<std::vector<std::int16_t>> mono(kCh, std::vector<std::int16_t>(16000, 0));
  for (std::size_t c = 0; c + 1 < kCh; ++c) {
    CallerIdMessage m;
    m.date_time = "01020304";
    m.number = "55500" + std::to_string(c);
    const auto spill = callerid_fsk_spill(encode_callerid(m, CallerIdFormat::mdmf), CallerIdSenderConfig{});
    std::copy(spill.begin(), spill.end(), mono[c].begin() + static_cast<std::ptrdiff_t>(300 + 977 * c));
  }
  std::vector<std::int16_t> inter(16000 * kCh);
  for (std::size_t i = 0; i < 16000; ++i)
    for (std::size_t c = 0; c < kCh; ++c)
      inter[i * kCh + c] = static_cast<std::int16_t>(std::clamp(mono[c][i] + noise(rng), -32768.0, 32767.0));

  std::vector<std::vector<CallerIdEvent>> want(kCh), got(kCh);
  for (std::size_t c = 0; c < kCh; ++c) {
    CallerIdReceiver rx{CallerIdReceiverConfig{}};
    std::vector<std::int16_t> ch(16000);
    for (std::size_t i = 0; i < 16000; ++i) ch[i] = inter[i * kCh + c];
    auto sink = [&](const CallerIdEvent& e) { want[c].push_back(e); };
    rx.process(ch, sink);
  }
  CallerIdReceiverBank bank(CallerIdReceiverConfig{}, kCh);
  auto sink = [&](const CallerIdBankEvent& e) { got[e.channel].push_back(e.event); };
  for (std::size_t f = 0; f < 16000; f += 333)  // odd block size, not a multiple of the bank's 160
    bank.process(std::span<const std::int16_t>(inter.data() + f * kCh, std::min<std::size_t>(333, 16000 - f) * kCh),
                 sink);
  for (std::size_t c = 0; c < kCh; ++c) {
    ASSERT_EQ(got[c].size(), want[c].size()) << "channel " << c;
    for (std::size_t i = 0; i < got[c].size(); ++i) {
      EXPECT_EQ(got[c][i].begin, want[c][i].begin);
      EXPECT_EQ(got[c][i].sample, want[c][i].sample);
      EXPECT_EQ(got[c][i].status, want[c][i].status);
      EXPECT_EQ(got[c][i].message.number, want[c][i].message.number);
    }
    if (c + 1 < kCh) {
      ASSERT_EQ(got[c].size(), 2u);
      EXPECT_EQ(got[c][1].message.number.str(), "55500" + std::to_string(c));
    } else {
      EXPECT_TRUE(got[c].empty());
    }
  }
}

}  // namespace
}  // namespace linedsp
