// The DAHDI backend driven through its system-call seam by a fake channel that follows DAHDI's user
// API as the kernel implements it (dahdi-base.c): DAHDI_SPECIFY binds the file to a channel;
// read() returns one block of audio, or fails with errno ELAST while a signalling event is queued,
// which DAHDI_GETEVENT then dequeues; DAHDI_HOOK takes DAHDI_OFFHOOK/ONHOOK/FLASH/RING/RINGOFF.
#include <gtest/gtest.h>

#if LINEDSP_HAVE_DAHDI
#include <dahdi/user.h>
#include <fcntl.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <deque>
#include <map>
#include <vector>

#include "devices/dahdi_device.hpp"

namespace {

using linedsp::DahdiAudioMode;
using linedsp::DahdiConfig;
using linedsp::DahdiDevice;
using linedsp::DahdiPortKind;
using linedsp::LineEventKind;

// Independent mu-law decoder written from ITU-T G.711 Table 2a (segment/quantisation arithmetic with
// the bias of 33 on a 14-bit scale), to check law-mode audio without trusting codecs/.
std::int16_t reference_ulaw_decode(std::uint8_t code) {
  const int u = ~code & 0xff;
  const int segment = (u >> 4) & 7;
  const int mantissa = u & 15;
  const int magnitude = (((2 * mantissa + 33) << segment) - 33);  // 14-bit units, 0..8158
  const int value = (u & 0x80) ? -magnitude : magnitude;
  return static_cast<std::int16_t>(value * 4);  // 14-bit left-justified in 16 bits
}

class FakeDahdi final : public linedsp::DahdiSyscalls {
 public:
  int sigtype = DAHDI_SIG_FXOKS;  // an FXS port (FXO signalling)
  int channels_present = 24;
  bool present = true;
  std::vector<std::pair<unsigned long, int>> ioctls;  // request, int argument
  std::deque<std::int16_t> audio;                     // what the "card" delivers
  std::multimap<std::uint64_t, int> pending_events;   // event due at the frame count
  std::uint64_t frames_delivered = 0;
  std::vector<std::uint8_t> written;
  int block = 160;
  int linear = 0;
  int law = DAHDI_LAW_MULAW;
  int channel = 0;
  std::vector<int> cadence;

  int open(const char* path, int flags) noexcept override {
    if (!present || std::strcmp(path, "/dev/dahdi/channel") != 0) {
      errno = ENOENT;
      return -1;
    }
    EXPECT_EQ(flags & O_ACCMODE, O_RDWR);
    return 7;
  }
  int close(int fd) noexcept override {
    EXPECT_EQ(fd, 7);
    return 0;
  }
  int ioctl(int fd, unsigned long request, void* arg) noexcept override {
    EXPECT_EQ(fd, 7);
    int* value = static_cast<int*>(arg);
    if (request == DAHDI_SPECIFY) {
      if (*value < 1 || *value > channels_present) {
        errno = EINVAL;
        return -1;
      }
      channel = *value;
    } else if (request == DAHDI_SET_BLOCKSIZE) {
      block = *value;
    } else if (request == DAHDI_SETLINEAR) {
      linear = *value;
    } else if (request == DAHDI_SETLAW) {
      law = *value;
    } else if (request == DAHDI_GET_PARAMS) {
      auto* p = static_cast<dahdi_params*>(arg);
      p->sigtype = sigtype;
      p->rxisoffhook = 0;
      ioctls.emplace_back(request, 0);
      return 0;
    } else if (request == DAHDI_GETEVENT) {
      auto it = pending_events.begin();
      if (it != pending_events.end() && it->first <= frames_delivered) {
        *value = it->second;
        pending_events.erase(it);
      } else {
        *value = DAHDI_EVENT_NONE;
      }
      return 0;
    } else if (request == DAHDI_SETCADENCE) {
      auto* c = static_cast<dahdi_ring_cadence*>(arg);
      cadence.assign(c->ringcadence, c->ringcadence + DAHDI_MAX_CADENCE);
      ioctls.emplace_back(request, 0);
      return 0;
    }
    ioctls.emplace_back(request, value ? *value : 0);
    return 0;
  }
  ssize_t read(int fd, void* buffer, std::size_t bytes) noexcept override {
    EXPECT_EQ(fd, 7);
    if (!pending_events.empty() && pending_events.begin()->first <= frames_delivered) {
      errno = ELAST;  // DAHDI: "an event is pending; call DAHDI_GETEVENT"
      return -1;
    }
    const std::size_t width = linear ? 2 : 1;
    std::size_t n = std::min({bytes / width, static_cast<std::size_t>(block), audio.size()});
    // A block never runs past the next event: the kernel stamps events between blocks.
    if (!pending_events.empty()) n = std::min<std::size_t>(n, pending_events.begin()->first - frames_delivered);
    if (n == 0) {
      errno = EAGAIN;
      return -1;
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (linear) {
        static_cast<std::int16_t*>(buffer)[i] = audio.front();
      } else {
        static_cast<std::uint8_t*>(buffer)[i] = static_cast<std::uint8_t>(audio.front());
      }
      audio.pop_front();
    }
    frames_delivered += n;
    return static_cast<ssize_t>(n * width);
  }
  ssize_t write(int fd, const void* buffer, std::size_t bytes) noexcept override {
    EXPECT_EQ(fd, 7);
    auto* b = static_cast<const std::uint8_t*>(buffer);
    written.insert(written.end(), b, b + bytes);
    return static_cast<ssize_t>(bytes);
  }
  bool did(unsigned long request, int value) const {
    for (auto& [r, v] : ioctls)
      if (r == request && v == value) return true;
    return false;
  }
};

TEST(DahdiDevice, OpensChannelAsTheUserApiPrescribes) {
  FakeDahdi fake;
  DahdiDevice dev(DahdiConfig{.channel = 5, .block_size_samples = 80}, fake);
  EXPECT_EQ(fake.channel, 5);
  EXPECT_TRUE(fake.did(DAHDI_SET_BLOCKSIZE, 80));
  EXPECT_TRUE(fake.did(DAHDI_SETLINEAR, 1));
  EXPECT_EQ(dev.name(), "dahdi:5");
  // FXO signalling (DAHDI_SIG_FXOKS) faces a phone: this project calls that an FXS port.
  EXPECT_EQ(dev.port_kind(), DahdiPortKind::fxs);
  EXPECT_TRUE(dev.capabilities().ring_control);
  EXPECT_FALSE(dev.capabilities().hook_control);
}

TEST(DahdiDevice, MissingDriverOrChannelIsAOneLineError) {
  FakeDahdi fake;
  fake.present = false;
  try {
    DahdiDevice dev(DahdiConfig{.channel = 3}, fake);
    FAIL() << "opened a device that is not there";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("dahdi:3: /dev/dahdi/channel"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("DAHDI driver loaded"), std::string::npos) << e.what();
  }
  FakeDahdi small;
  small.channels_present = 4;
  EXPECT_THROW(DahdiDevice(DahdiConfig{.channel = 9}, small), std::runtime_error);
  EXPECT_THROW(DahdiDevice(DahdiConfig{.channel = 0}, small), std::runtime_error);
  FakeDahdi digital;
  digital.sigtype = DAHDI_SIG_CLEAR;
  EXPECT_THROW(DahdiDevice(DahdiConfig{.channel = 1}, digital), std::runtime_error);
}

TEST(DahdiDevice, LinearAudioAndEventsAreStampedWithTheFrameTheyHappenedAt) {
  FakeDahdi fake;
  for (int i = 0; i < 1000; ++i) fake.audio.push_back(static_cast<std::int16_t>(i * 7 - 3000));
  fake.pending_events.emplace(320, DAHDI_EVENT_RINGOFFHOOK);  // the phone goes off-hook
  fake.pending_events.emplace(700, DAHDI_EVENT_WINKFLASH);    // a hook flash
  fake.pending_events.emplace(700, DAHDI_EVENT_ONHOOK);       // then hangs up
  fake.pending_events.emplace(900, DAHDI_EVENT_DTMFDOWN | '5');  // hardware DTMF: not ours, dropped
  DahdiDevice dev(DahdiConfig{.channel = 1}, fake);

  std::vector<std::int16_t> got(1000);
  std::size_t total = 0;
  while (total < got.size()) {
    const std::size_t n = dev.read(std::span(got).subspan(total, std::min<std::size_t>(160, got.size() - total)));
    if (n == 0) break;
    total += n;
  }
  ASSERT_EQ(total, 1000u) << dev.error();
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(got[static_cast<std::size_t>(i)], i * 7 - 3000) << i;

  auto e1 = dev.poll_event();
  ASSERT_TRUE(e1);
  EXPECT_EQ(e1->kind, LineEventKind::hook_off);
  EXPECT_EQ(e1->frame, 320u);
  auto e2 = dev.poll_event();
  ASSERT_TRUE(e2);
  EXPECT_EQ(e2->kind, LineEventKind::flash);
  EXPECT_EQ(e2->frame, 700u);
  auto e3 = dev.poll_event();
  ASSERT_TRUE(e3);
  EXPECT_EQ(e3->kind, LineEventKind::hook_on);
  EXPECT_EQ(e3->frame, 700u);
  EXPECT_FALSE(dev.poll_event());
  EXPECT_EQ(dev.dropped_events(), 1u);
}

TEST(DahdiDevice, UlawModeDecodesPerG711) {
  FakeDahdi fake;
  for (int c = 0; c < 256; ++c) fake.audio.push_back(static_cast<std::int16_t>(c));
  DahdiDevice dev(DahdiConfig{.channel = 2, .mode = DahdiAudioMode::ulaw}, fake);
  EXPECT_TRUE(fake.did(DAHDI_SETLINEAR, 0));
  EXPECT_TRUE(fake.did(DAHDI_SETLAW, DAHDI_LAW_MULAW));
  std::vector<std::int16_t> got(256);
  std::size_t total = 0;
  while (total < 256) {
    const std::size_t n = dev.read(std::span(got).subspan(total));
    ASSERT_GT(n, 0u);
    total += n;
  }
  for (int c = 0; c < 256; ++c)
    EXPECT_EQ(got[static_cast<std::size_t>(c)], reference_ulaw_decode(static_cast<std::uint8_t>(c))) << c;
}

TEST(DahdiDevice, FxsPortRingsWithTheGivenCadenceAndReversesPolarity) {
  FakeDahdi fake;
  DahdiDevice dev(DahdiConfig{.channel = 1}, fake);
  linedsp::RingCadence uk;  // UK double ring: 400 on, 200 off, 400 on, 2000 off
  for (std::uint32_t ms : {400u, 200u, 400u, 2000u}) uk.segments_ms[uk.count++] = ms;
  ASSERT_TRUE(dev.ring(uk));
  EXPECT_EQ((std::vector<int>(fake.cadence.begin(), fake.cadence.begin() + 5)),
            (std::vector<int>{400, 200, 400, 2000, 0}));
  EXPECT_TRUE(fake.did(DAHDI_HOOK, DAHDI_RING));
  ASSERT_TRUE(dev.ring_off());
  EXPECT_TRUE(fake.did(DAHDI_HOOK, DAHDI_RINGOFF));
  ASSERT_TRUE(dev.reverse_polarity(true));
  EXPECT_TRUE(fake.did(DAHDI_SETPOLARITY, 1));
  EXPECT_FALSE(dev.off_hook()) << "an FXS port has no hook switch of its own";
}

TEST(DahdiDevice, FxoPortSeizesFlashesAndSeesRingPolarityAndLoopDrop) {
  FakeDahdi fake;
  fake.sigtype = DAHDI_SIG_FXSKS;  // FXS signalling faces the exchange: an FXO port
  for (int i = 0; i < 800; ++i) fake.audio.push_back(0);
  fake.pending_events.emplace(100, DAHDI_EVENT_RINGBEGIN);
  fake.pending_events.emplace(400, DAHDI_EVENT_POLARITY);
  fake.pending_events.emplace(600, DAHDI_EVENT_ONHOOK);  // loop current gone while we are off-hook
  DahdiDevice dev(DahdiConfig{.channel = 4}, fake);
  EXPECT_EQ(dev.port_kind(), DahdiPortKind::fxo);
  EXPECT_FALSE(dev.flash()) << "flash needs the line seized first";
  std::vector<std::int16_t> buf(160);
  std::size_t total = 0;
  while (total < 300) total += dev.read(buf);
  ASSERT_TRUE(dev.off_hook());
  EXPECT_TRUE(fake.did(DAHDI_HOOK, DAHDI_OFFHOOK));
  ASSERT_TRUE(dev.flash());
  EXPECT_TRUE(fake.did(DAHDI_HOOK, DAHDI_FLASH));
  while (total < 800) {
    const std::size_t n = dev.read(buf);
    if (n == 0) break;
    total += n;
  }
  std::vector<std::pair<LineEventKind, std::uint64_t>> events;
  while (auto e = dev.poll_event()) events.emplace_back(e->kind, e->frame);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0], std::make_pair(LineEventKind::ring_begin, std::uint64_t{100}));
  EXPECT_EQ(events[1], std::make_pair(LineEventKind::polarity, std::uint64_t{400}));
  EXPECT_EQ(events[2], std::make_pair(LineEventKind::loop_drop, std::uint64_t{600}));
  EXPECT_FALSE(dev.ring(linedsp::RingCadence{})) << "an FXO port cannot ring";
}

TEST(DahdiDevice, LawModeWritesEncodeEveryFrame) {
  FakeDahdi fake;
  DahdiDevice dev(DahdiConfig{.channel = 1, .block_size_samples = 40, .mode = DahdiAudioMode::ulaw}, fake);
  std::vector<std::int16_t> tone(100);
  for (std::size_t i = 0; i < tone.size(); ++i)
    tone[i] = static_cast<std::int16_t>(8000 * std::sin(0.3 * static_cast<double>(i)));
  ASSERT_EQ(dev.write(tone), 100u);
  ASSERT_EQ(fake.written.size(), 100u);
  for (std::size_t i = 0; i < tone.size(); ++i)  // decoding what was sent lands within half a step
    EXPECT_NEAR(reference_ulaw_decode(fake.written[i]), tone[i], 1 + std::abs(tone[i]) / 16.0) << i;
}

}  // namespace

#else
TEST(DahdiDevice, Skipped) { GTEST_SKIP() << "DAHDI user headers not installed (Debian: dahdi-source)"; }
#endif
