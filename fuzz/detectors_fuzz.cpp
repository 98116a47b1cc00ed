// fuzz/detectors_fuzz.cpp — every detector fed arbitrary samples in fuzzer-chosen block sizes: DTMF, call
// progress (US plan), modem tones, CAS, ring, FSK/caller ID and the echo canceller (far = the samples, near =
// them reversed). Checks beyond "no crash/UB": begin/end events alternate (never two begins, never an end
// without a begin) and the canceller's output equals its input length. The selector byte's top bits choose one
// detector (so each gets the whole budget in turn) or all.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "fuzz/fuzz_util.hpp"
#include "signals/callerid.hpp"
#include "signals/cas.hpp"
#include "signals/dtmf_detector.hpp"
#include "signals/echo_canceller.hpp"
#include "signals/modem_tone_detector.hpp"
#include "signals/progress_detector.hpp"
#include "signals/ring.hpp"
#include "signals/tone_plan.hpp"

namespace {
using linedsp::fuzz::for_blocks;

const linedsp::TonePlan& plan() {
  static const linedsp::TonePlan p = linedsp::parse_tone_plan(
      "country = \"us\"\nname = \"fuzz\"\n"
      "[tones.dial]\nfreqs = [350, 440]\nlevel_dbm0 = -13.0\n"
      "[tones.busy]\nfreqs = [480, 620]\ncadence = [500, 500]\nlevel_dbm0 = -24.0\n"
      "[rings.normal]\ncadence = [2000, 4000]\n",
      "fuzz-plan.toml");
  return p;
}

void pair_check(bool begin, int& open) {
  open += begin ? 1 : -1;
  if (open < 0 || open > 1) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = linedsp::fuzz::split(data, size);
  // At most 2^16 samples (8 s: several cadence cycles) for the detectors and 2^13 (1 s) for the canceller: the
  // first runs took seconds per input under ASan (33 executions a minute), far too few to explore anything.
  const auto v = linedsp::fuzz::stretched(in, 1 << 16);
  const std::span<const std::int16_t> s(v);
  const int which = in.selector >> 5;  // 0..7: 7 = all
  if (which == 0 || which == 7) {
    linedsp::DtmfDetector det;
    int open = 0;
    auto sink = [&](const linedsp::DtmfEvent& e) { pair_check(e.begin, open); };
    for_blocks(in, s, [&](auto b) { det.process(b, sink); });
  }
  if (which == 1 || which == 7) {
    static linedsp::ProgressDetector det(plan());
    det.reset();
    int open = 0;
    auto sink = [&](const linedsp::ProgressEvent& e) { pair_check(e.begin, open); };
    for_blocks(in, s, [&](auto b) { det.process(b, sink); });
  }
  if (which == 2 || which == 7) {
    linedsp::ModemToneDetector det;
    auto sink = [&](const linedsp::ModemToneEvent&) {};
    for_blocks(in, s, [&](auto b) { det.process(b, sink); });
  }
  if (which == 3 || which == 7) {
    linedsp::CasDetector det(linedsp::CasDetectorConfig{});
    int open = 0;
    auto sink = [&](const linedsp::CasEvent& e) { pair_check(e.begin, open); };
    for_blocks(in, s, [&](auto b) { det.process(b, sink); });
  }
  if (which == 4 || which == 7) {
    linedsp::RingDetector det(plan());
    auto sink = [&](const linedsp::RingEvent&) {};
    for_blocks(in, s, [&](auto b) { det.process(b, sink); });
  }
  if (which == 5 || which == 7) {
    linedsp::CallerIdReceiver rx(linedsp::CallerIdReceiverConfig{});
    auto sink = [&](const linedsp::CallerIdEvent&) {};
    for_blocks(in, s, [&](auto b) { rx.process(b, sink); });
    rx.end_of_stream(sink);
  }
  if (which == 6 || which == 7) {
    static linedsp::EchoCanceller ec;
    ec.reset();
    const auto ec_in = s.first(std::min<std::size_t>(s.size(), 1 << 13));
    std::vector<std::int16_t> near(ec_in.rbegin(), ec_in.rend()), out(ec_in.size());
    std::size_t pos = 0;
    for_blocks(in, ec_in, [&](auto b) {
      ec.process(b, std::span<const std::int16_t>(near.data() + pos, b.size()),
                 std::span<std::int16_t>(out.data() + pos, b.size()));
      pos += b.size();
    });
    for (float t : ec.taps())
      if (!(t == t)) std::abort();  // NaN tap
  }
  return 0;
}
