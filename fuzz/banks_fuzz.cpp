// fuzz/banks_fuzz.cpp — the density path, differentially: each bank (DtmfDetectorBank, ProgressDetectorBank on
// the US-style plan, ModemToneDetectorBank, CallerIdReceiverBank) with a fuzzer-chosen channel count (1..9, odd
// counts leave SIMD lanes partly empty) fed arbitrary interleaved samples in fuzzer-chosen block sizes (partial
// frames included), against one single-channel detector per channel fed the same channel whole. DESIGN.md: both
// forms produce identical events; any difference (count, order, digit/tone, sample, duration) aborts.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "fuzz/fuzz_util.hpp"
#include "signals/callerid.hpp"
#include "signals/callerid_bank.hpp"
#include "signals/dtmf_detector.hpp"
#include "signals/modem_tone_detector.hpp"
#include "signals/progress_detector.hpp"
#include "signals/tone_plan.hpp"

namespace {

const linedsp::TonePlan& plan() {
  static const linedsp::TonePlan p = linedsp::parse_tone_plan(
      "country = \"us\"\nname = \"fuzz\"\n"
      "[tones.dial]\nfreqs = [350, 440]\nlevel_dbm0 = -13.0\n"
      "[tones.busy]\nfreqs = [480, 620]\ncadence = [500, 500]\nlevel_dbm0 = -24.0\n"
      "[tones.ringback]\nfreqs = [440, 480]\ncadence = [2000, 4000]\nlevel_dbm0 = -19.0\n",
      "fuzz-plan.toml");
  return p;
}

struct Rec {
  std::uint64_t a = 0, b = 0, c = 0;
  int v = 0;
  bool operator==(const Rec&) const = default;
};

void require(bool ok) {
  if (!ok) std::abort();
}

// Feeds the interleaved input to the bank in fuzzer-chosen chunks, cut at whole frames only (a bank's contract:
// a partial trailing frame is ignored, so the harness keeps it for the next chunk as a caller must).
template <class F>
void for_frame_blocks(const linedsp::fuzz::Input& in, std::span<const std::int16_t> v, std::size_t ch, F&& f) {
  std::size_t pos = 0, k = 0;
  while (pos < v.size()) {
    const std::size_t frames = std::size_t(in.sizes[k++ & 3]) % 64 + 1;
    const std::size_t n = std::min(frames * ch, v.size() - pos);
    f(v.subspan(pos, n));
    pos += n;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = linedsp::fuzz::split(data, size);
  const std::size_t ch = std::size_t(in.selector % 9) + 1;
  const int which = (in.selector / 9) % 4;
  auto v = linedsp::fuzz::stretched(linedsp::fuzz::Input{in.samples, {1, 1, 1, 1}, std::uint8_t(in.selector & 7)},
                                    std::size_t(1) << 17);
  v.resize(v.size() / ch * ch);
  const std::span<const std::int16_t> s(v);
  std::vector<std::vector<std::int16_t>> mono(ch);
  for (std::size_t i = 0; i < s.size(); ++i) mono[i % ch].push_back(s[i]);
  std::vector<std::vector<Rec>> bank(ch), single(ch);

  if (which == 0) {
    linedsp::DtmfDetectorBank b(linedsp::DtmfDetectorConfig{}, ch);
    auto sink = [&](const linedsp::DtmfChannelEvent& e) {
      require(e.channel < ch);
      bank[e.channel].push_back({e.event.sample, e.event.duration_samples, e.event.begin, e.event.digit});
    };
    for_frame_blocks(in, s, ch, [&](auto blk) { b.process(blk, sink); });
    for (std::size_t c = 0; c < ch; ++c) {
      linedsp::DtmfDetector d;
      auto one = [&](const linedsp::DtmfEvent& e) { single[c].push_back({e.sample, e.duration_samples, e.begin, e.digit}); };
      d.process(mono[c], one);
    }
  } else if (which == 1) {
    linedsp::ProgressDetectorBank b(plan(), ch);
    auto sink = [&](const linedsp::ProgressBankEvent& e) {
      require(e.channel < ch);
      bank[e.channel].push_back({e.event.sample, e.event.confirmed_sample, e.event.begin, int(e.event.tone)});
    };
    for_frame_blocks(in, s, ch, [&](auto blk) { b.process(blk, sink); });
    b.finish(sink);
    for (std::size_t c = 0; c < ch; ++c) {
      linedsp::ProgressDetector d(plan());
      auto one = [&](const linedsp::ProgressEvent& e) {
        single[c].push_back({e.sample, e.confirmed_sample, e.begin, int(e.tone)});
      };
      d.process(mono[c], one);
      d.finish(one);
    }
  } else if (which == 2) {
    linedsp::ModemToneDetectorBank b(linedsp::ModemToneDetectorConfig{}, ch);
    auto sink = [&](const linedsp::ModemToneBankEvent& e) {
      require(e.channel < ch);
      bank[e.channel].push_back({e.event.sample, e.event.duration_samples, e.event.begin, int(e.event.tone)});
    };
    for_frame_blocks(in, s, ch, [&](auto blk) { b.process(blk, sink); });
    b.finish(sink);
    for (std::size_t c = 0; c < ch; ++c) {
      linedsp::ModemToneDetector d;
      auto one = [&](const linedsp::ModemToneEvent& e) {
        single[c].push_back({e.sample, e.duration_samples, e.begin, int(e.tone)});
      };
      d.process(mono[c], one);
      d.finish(one);
    }
  } else {
    linedsp::CallerIdReceiverBank b(linedsp::CallerIdReceiverConfig{}, ch);
    auto sink = [&](const linedsp::CallerIdBankEvent& e) {
      require(e.channel < ch);
      bank[e.channel].push_back({e.event.sample, e.event.duration_samples, e.event.begin, int(e.event.status)});
    };
    for_frame_blocks(in, s, ch, [&](auto blk) { b.process(blk, sink); });
    for (std::size_t c = 0; c < ch; ++c) {
      linedsp::CallerIdReceiver d(linedsp::CallerIdReceiverConfig{});
      auto one = [&](const linedsp::CallerIdEvent& e) {
        single[c].push_back({e.sample, e.duration_samples, e.begin, int(e.status)});
      };
      d.process(mono[c], one);
    }
  }
  for (std::size_t c = 0; c < ch; ++c) require(bank[c] == single[c]);
  return 0;
}
