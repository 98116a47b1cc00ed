// DtmfDetectorBank (the density form, DESIGN.md "Density path") against N separate DtmfDetector objects:
// identical events on every channel, for every ISA this CPU runs and every block split; and the real-time
// contract (DESIGN.md "Processors"): process() allocates nothing, for the bank and the one-channel form.
//
// The oracle is the one-channel detector forced to the scalar kernels (the specification); the signals put
// many decisions near the thresholds (deviation around the 2.5 % limit, levels around the -30 dBm0 floor,
// twist around the 9 dB limit, noise), so a lane that computed even one bit differently would show.
#include <gtest/gtest.h>

#include <atomic>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdlib>
#include <new>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "dsp/level.hpp"
#include "signals/dtmf_detector.hpp"
#include "signals/dtmf_generator.hpp"
#include "signals/kernels/dtmf_kernels.hpp"
#include "support/paths.hpp"

// Allocation counter for the real-time test: every global operator new in this executable passes here.
namespace {
std::atomic<long> g_allocations{0};
}
// The replacements pair malloc with free, which GCC's heuristic cannot see through.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace linedsp {
namespace {

// One channel's test signal: digits with random deviation, level, twist, timing and noise (seeded).
std::vector<std::int16_t> channel_signal(unsigned seed, std::size_t samples) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const std::string keys = "0123456789*#ABCD";
  std::vector<double> x(samples, 0.0);
  std::size_t t = static_cast<std::size_t>(u(rng) * 400);
  while (t < samples) {
    const char d = keys[static_cast<std::size_t>(u(rng) * 16) % 16];
    double lo = 0, hi = 0;
    DtmfGenerator::frequencies(d, lo, hi);
    const double dev = (u(rng) - 0.5) * 6.0;            // -3 .. +3 %: both sides of the 2.5 % limit
    const double level = -34.0 + u(rng) * 30.0;          // -34 .. -4 dBm0: both sides of the -30 floor
    const double twist = (u(rng) - 0.5) * 22.0;          // -11 .. +11 dB
    const auto on = static_cast<std::size_t>(120 + u(rng) * 600);  // 15 .. 90 ms
    const double a1 = dbm0_to_peak(level), a2 = dbm0_to_peak(level - twist);
    const double p1 = u(rng) * 6.28, p2 = u(rng) * 6.28;
    for (std::size_t i = 0; i < on && t + i < samples; ++i) {
      const double n = static_cast<double>(i);
      x[t + i] = a1 * std::sin(2 * std::numbers::pi * lo * (1 + dev / 100) * n / 8000 + p1) +
                 a2 * std::sin(2 * std::numbers::pi * hi * (1 + dev / 100) * n / 8000 + p2);
    }
    t += on + static_cast<std::size_t>(80 + u(rng) * 600);
  }
  std::normal_distribution<double> g(0.0, std::sqrt(dbm0_to_power(-45.0 + 10.0 * u(rng))));
  std::vector<std::int16_t> pcm(samples);
  for (std::size_t i = 0; i < samples; ++i)
    pcm[i] = static_cast<std::int16_t>(std::lround(std::clamp(x[i] + g(rng), -32768.0, 32767.0)));
  return pcm;
}

struct Ev {
  char digit;
  bool begin;
  std::uint64_t sample, duration;
  bool operator==(const Ev&) const = default;
};

std::vector<Ev> single(const std::vector<std::int16_t>& pcm) {
  DtmfDetector det(DtmfDetectorConfig{}, Isa::scalar);
  std::vector<Ev> out;
  auto sink = [&](const DtmfEvent& e) { out.push_back({e.digit, e.begin, e.sample, e.duration_samples}); };
  det.process(pcm, sink);
  det.finish(sink);
  return out;
}

std::vector<std::vector<Ev>> bank(const std::vector<std::int16_t>& interleaved, std::size_t channels, Isa isa,
                                  std::size_t block_frames) {
  DtmfDetectorBank b(DtmfDetectorConfig{}, channels, isa);
  std::vector<std::vector<Ev>> out(channels);
  auto sink = [&](const DtmfChannelEvent& c) {
    out[c.channel].push_back({c.event.digit, c.event.begin, c.event.sample, c.event.duration_samples});
  };
  const std::size_t frames = interleaved.size() / channels;
  for (std::size_t f = 0; f < frames; f += block_frames) {
    const std::size_t n = std::min(block_frames, frames - f);
    b.process(std::span(interleaved).subspan(f * channels, n * channels), sink);
  }
  b.finish(sink);
  return out;
}

TEST(DtmfDetectorBank, SameEventsAsSeparateDetectorsEveryIsaAndBlockSize) {
  const std::size_t samples = test::kSanitizerBuild ? 8000 : 24000;  // 1 s (sanitizer build) or 3 s per channel
  for (std::size_t channels : {1u, 3u, 16u, 37u}) {
    std::vector<std::vector<std::int16_t>> ch(channels);
    std::vector<std::vector<Ev>> want(channels);
    std::size_t total_events = 0;
    for (std::size_t c = 0; c < channels; ++c) {
      ch[c] = channel_signal(static_cast<unsigned>(1000 * channels + c), samples);
      want[c] = single(ch[c]);
      total_events += want[c].size();
    }
    ASSERT_GT(total_events, 2 * channels) << "the signals must produce digits for the comparison to mean anything";
    std::vector<std::int16_t> inter(samples * channels);
    for (std::size_t f = 0; f < samples; ++f)
      for (std::size_t c = 0; c < channels; ++c) inter[f * channels + c] = ch[c][f];
    for (Isa isa : available_isas())
      for (std::size_t block : {1u, 7u, 160u, 4096u}) {
        if (channels > 16 && block == 1) continue;  // slow and adds nothing over 16 channels
        const auto got = bank(inter, channels, isa, block);
        for (std::size_t c = 0; c < channels; ++c)
          EXPECT_EQ(got[c], want[c]) << channels << " channels, channel " << c << ", " << isa_name(isa) << ", block "
                                     << block;
      }
  }
}

// STYLE.md section 6: every ISA variant of the kernels equals the scalar lane code of its flavour (the
// specification; unfused for SSE2, fused for AVX2 and AVX-512: signals/kernels/dtmf_kernels.hpp) bit for bit. feed: seeded random samples and state, channel counts that leave partial groups (1, 5, 16, 23, 40),
// 1..17 frames, the input and the state misaligned by one element. judge: realistic states (digits with
// random deviation, level, twist, noise fed through the scalar feed), so that many windows sit near the
// thresholds and the codes are a mix of digits and nothing; the codes and the whole state after each
// half-block must match, at 8 and 16 kHz.
TEST(DtmfKernels, EveryIsaMatchesScalarBitForBit) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> pcm(-32768, 32767), small(-3000, 3000);
  std::uniform_real_distribution<float> st(-3e5f, 3e5f);
  int checked = 0;
  long digit_codes = 0, judged = 0;
  for (Isa isa : available_isas()) {
    if (isa == Isa::scalar) continue;
    const detail::DtmfKernels& v = detail::dtmf_kernels(isa);
    ASSERT_EQ(v.isa, isa);
    EXPECT_EQ(v.fused, isa == Isa::avx2 || isa == Isa::avx512) << isa_name(isa);
    const detail::DtmfKernels& ref = detail::dtmf_reference_kernels(v.fused);
    for (int rate : {8000, 16000}) {
      const detail::DtmfTables& t = detail::dtmf_tables(rate);
      DtmfDetectorConfig cfg;
      cfg.sample_rate_hz = rate;
      const detail::DtmfThresholds th = detail::dtmf_thresholds(cfg);
      for (std::size_t channels : {1u, 5u, 16u, 23u, 40u}) {
        const std::size_t floats = channels * detail::kDtmfLaneFloats;
        for (std::size_t frames = 1; frames <= 17; frames += 4) {
          std::vector<std::int16_t> x(frames * channels + 1);
          for (auto& s : x) s = static_cast<std::int16_t>(pcm(rng));
          std::vector<float> a(floats + 1), b;
          for (auto& y : a) y = st(rng);
          for (std::size_t g = 0; g * 16 < channels; ++g) {  // the sum row holds integers
            const std::size_t L = std::min<std::size_t>(16, channels - 16 * g);
            for (std::size_t l = 0; l < L; ++l)
              a[1 + g * 16 * detail::kDtmfLaneFloats + detail::kDtmfRowSum * L + l] = static_cast<float>(small(rng));
          }
          b = a;
          ref.feed(x.data() + 1, frames, channels, t, a.data() + 1);
          v.feed(x.data() + 1, frames, channels, t, b.data() + 1);
          ASSERT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(float)))
              << isa_name(isa) << " feed, " << channels << " channels, " << frames << " frames";
          ++checked;
        }
        // judge on realistic states: 1 s of each channel's digits, half-block by half-block.
        const std::size_t half = static_cast<std::size_t>(t.half);
        const std::size_t samples = 8000 * static_cast<std::size_t>(rate / 8000) / half * half;
        std::vector<std::int16_t> inter(samples * channels);
        for (std::size_t c = 0; c < channels; ++c) {
          const auto one = channel_signal(static_cast<unsigned>(77 * channels + c + rate), samples);
          for (std::size_t f = 0; f < samples; ++f) inter[f * channels + c] = one[f];
        }
        std::vector<float> a(floats, 0.0f), b(floats, 0.0f);
        std::vector<std::uint8_t> ca(channels), cb(channels);
        for (std::size_t h = 0; h < samples / half; ++h) {
          ref.feed(inter.data() + h * half * channels, half, channels, t, a.data());
          v.feed(inter.data() + h * half * channels, half, channels, t, b.data());
          ref.judge(a.data(), channels, t, th, ca.data());
          v.judge(b.data(), channels, t, th, cb.data());
          ASSERT_EQ(ca, cb) << isa_name(isa) << " judge codes, " << channels << " channels, half-block " << h;
          ASSERT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(float)))
              << isa_name(isa) << " judge state, " << channels << " channels, half-block " << h;
          for (auto code : ca) digit_codes += code != 0;
          judged += static_cast<long>(channels);
        }
        ++checked;
      }
    }
  }
  if (checked == 0) GTEST_SKIP() << "this CPU runs no SIMD variant";
  std::printf("dtmf kernels: %d cases bit-identical to the scalar lane code of their flavour on every SIMD ISA of "
              "this CPU; %ld of %ld windows "
              "judged held a digit\n", checked, digit_codes, judged);
  EXPECT_GT(digit_codes, judged / 20) << "the judge comparison needs windows that hold digits";
  EXPECT_LT(digit_codes, judged / 2) << "and windows that do not";
}

// The two flavours of the lane code (fused multiply-add for AVX2/AVX-512, separately rounded for scalar and
// SSE2) differ by rounding only: on realistic states (the digits with random deviation, level, twist and noise
// above, many windows near a threshold) they judge the same digit in every window, at 8 and 16 kHz, and their
// filter values agree to 1e-4 of the window's largest. Plain scalar code: runs on every CPU.
TEST(DtmfKernels, FusedAndUnfusedFlavoursJudgeTheSameDigits) {
  const detail::DtmfKernels& fu = detail::dtmf_reference_kernels(true);
  const detail::DtmfKernels& un = detail::dtmf_reference_kernels(false);
  ASSERT_TRUE(fu.fused);
  ASSERT_FALSE(un.fused);
  long windows = 0, digits = 0, differ = 0, bits_differ = 0;
  double worst = 0;
  for (int rate : {8000, 16000}) {
    const detail::DtmfTables& t = detail::dtmf_tables(rate);
    DtmfDetectorConfig cfg;
    cfg.sample_rate_hz = rate;
    const detail::DtmfThresholds th = detail::dtmf_thresholds(cfg);
    const std::size_t channels = 16;
    const std::size_t half = static_cast<std::size_t>(t.half);
    const std::size_t samples = (test::kSanitizerBuild ? 8000 : 40000) * static_cast<std::size_t>(rate / 8000) / half * half;
    std::vector<std::int16_t> inter(samples * channels);
    for (std::size_t c = 0; c < channels; ++c) {
      const auto one = channel_signal(static_cast<unsigned>(313 * c + rate), samples);
      for (std::size_t f = 0; f < samples; ++f) inter[f * channels + c] = one[f];
    }
    const std::size_t floats = channels * detail::kDtmfLaneFloats;
    std::vector<float> a(floats, 0.0f), b(floats, 0.0f);
    std::vector<std::uint8_t> ca(channels), cb(channels);
    for (std::size_t h = 0; h < samples / half; ++h) {
      fu.feed(inter.data() + h * half * channels, half, channels, t, a.data());
      un.feed(inter.data() + h * half * channels, half, channels, t, b.data());
      // the filter state just before the judge: the values both flavours judge
      float peak = 1.0f, dev = 0.0f;
      for (std::size_t i = 0; i < 16 * channels; ++i) {
        peak = std::max(peak, std::abs(a[i]));
        dev = std::max(dev, std::abs(a[i] - b[i]));
      }
      worst = std::max(worst, double(dev) / peak);
      bits_differ += std::memcmp(a.data(), b.data(), 16 * channels * sizeof(float)) != 0;
      fu.judge(a.data(), channels, t, th, ca.data());
      un.judge(b.data(), channels, t, th, cb.data());
      for (std::size_t c = 0; c < channels; ++c) {
        differ += ca[c] != cb[c];
        digits += ca[c] != 0;
        ++windows;
      }
    }
  }
  std::printf("dtmf flavours: %ld windows (%ld with a digit): %ld judged differently; filter values differ in %ld "
              "half-blocks, by at most %.2g of the largest\n", windows, digits, differ, bits_differ, worst);
  EXPECT_GT(bits_differ, 0) << "the flavours must round differently for this comparison to mean anything";
  EXPECT_GT(digits, windows / 20) << "windows that hold digits";
  EXPECT_EQ(differ, 0);
  EXPECT_LT(worst, 1e-4);
}

TEST(DtmfDetectorBank, ConfigErrorsNameTheField) {
  try {
    DtmfDetectorBank b(DtmfDetectorConfig{}, 0);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("channels"), std::string::npos);
  }
  DtmfDetectorConfig c;
  c.max_deviation_pct = 9;
  try {
    DtmfDetectorBank b(c, 4);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("max_deviation_pct"), std::string::npos);
  }
}

// Issue 3 target: strictly under 256 bytes of state per channel, by the documented per-channel sizes:
// sizeof(DtmfDetector) for one channel (any configuration: the type does not change with it), and
// DtmfDetectorBank::bytes_per_channel() (heap and object share) for every bank size from 2 channels up.
TEST(DtmfDetectorBank, StatePerChannelUnder256Bytes) {
  static_assert(sizeof(DtmfDetector) < 256);
  std::size_t worst = 0, worst_n = 0;
  for (int rate : {8000, 16000}) {
    DtmfDetectorConfig c;
    c.sample_rate_hz = rate;
    for (std::size_t n = 2; n <= 4096; n += n < 300 ? 1 : 379) {
      DtmfDetectorBank b(c, n);
      if (b.bytes_per_channel() > worst) worst = b.bytes_per_channel(), worst_n = n;
      EXPECT_LT(b.bytes_per_channel(), 256u) << n << " channels, " << rate << " Hz";
    }
  }
  DtmfDetectorBank b256(DtmfDetectorConfig{}, 256);
  std::printf("state per channel: DtmfDetector %zu B; DtmfDetectorBank %zu B at 256 channels, worst %zu B (%zu channels)\n",
              sizeof(DtmfDetector), b256.bytes_per_channel(), worst, worst_n);
}

// DESIGN.md real-time contract: process() and finish() allocate nothing (after construction), whatever
// happens in the signal (digits begin and end during the run).
TEST(DtmfRealTime, ProcessDoesNotAllocate) {
  const std::size_t channels = 8;
  std::vector<std::int16_t> inter(16000 * channels);
  std::vector<std::int16_t> one(16000);
  DtmfGenerator gen;
  ASSERT_TRUE(gen.queue("1234567890"));
  gen.generate(one);
  for (std::size_t f = 0; f < one.size(); ++f)
    for (std::size_t c = 0; c < channels; ++c) inter[f * channels + c] = one[f];
  DtmfDetector det;
  DtmfDetectorBank b(DtmfDetectorConfig{}, channels);
  FixedEventBuffer<DtmfEvent, 64> events;
  FixedEventBuffer<DtmfChannelEvent, 256> bank_events;
  const long before = g_allocations.load();
  for (std::size_t i = 0; i < one.size(); i += 160) det.process(std::span(one).subspan(i, 160), events);
  det.finish(events);
  for (std::size_t i = 0; i < inter.size(); i += 160 * channels)
    b.process(std::span(inter).subspan(i, 160 * channels), bank_events);
  b.finish(bank_events);
  EXPECT_EQ(g_allocations.load() - before, 0);
  EXPECT_EQ(events.size(), 20u);  // 10 digits, begin and end: the run did real work
  EXPECT_EQ(bank_events.size(), 20u * channels);
}

}  // namespace
}  // namespace linedsp
