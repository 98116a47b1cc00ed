#include "signals/dtmf_detector.hpp"

#include <algorithm>
#include <array>
#include <new>
#include <numbers>
#include <stdexcept>
#include <string>

#include "dsp/level.hpp"
#include "signals/kernels/dtmf_kernels.hpp"

// Same float results whatever the compiler flags (-march=native): no FMA contraction, so the bank and the
// one-channel detector, and every block split, agree bit for bit.
#pragma GCC optimize("fp-contract=off")

namespace linedsp {

namespace {
constexpr double kFreqs[8] = {697, 770, 852, 941, 1209, 1336, 1477, 1633};
constexpr int kBeginHits = 4;
constexpr int kEndMisses = 5;
// Over a 12.75 ms window the weaker tone's measured level moves by up to about +-2 dB with the leakage of
// the stronger one (941 Hz is 3.4 bins from 1209 Hz): the twist limits get this allowance so that 8 dB
// normal / 4 dB reverse operate for every digit and phase (tests/signals/dtmf_detector_test, twist sweep).
constexpr double kTwistAllowanceDb = 2.5;

detail::DtmfTables make_tables(int rate) {
  detail::DtmfTables t{};
  const int half = 51 * rate / 8000;
  t.rate = static_cast<float>(rate);
  t.half = static_cast<float>(half);
  for (int f = 0; f < 8; ++f) {
    const double w = 2.0 * std::numbers::pi * kFreqs[f] / rate;
    t.coeff[f] = goertzel_coeff(kFreqs[f], rate);
    t.cos_w[f] = static_cast<float>(std::cos(w));
    t.sin_w[f] = static_cast<float>(std::sin(w));
    t.rot_re[f] = static_cast<float>(std::cos(-w * half));
    t.rot_im[f] = static_cast<float>(std::sin(-w * half));
    t.freq[f] = static_cast<float>(kFreqs[f]);
    // A half-block of ones through the filter (in double), read as the complex value the judge reads.
    double s1 = 0, s2 = 0;
    for (int i = 0; i < half; ++i) {
      const double s0 = 1.0 + 2.0 * std::cos(w) * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    t.dc_re[f] = static_cast<float>(s1 - s2 * std::cos(w));
    t.dc_im[f] = static_cast<float>(s2 * std::sin(w));
  }
  const float n = 2.0f * t.half;
  t.norm = 2.0f / (n * n);
  return t;
}
const detail::DtmfTables kTables8k = make_tables(8000);
const detail::DtmfTables kTables16k = make_tables(16000);

}  // namespace

DtmfDetectorConfig DtmfDetectorConfig::profile(std::string_view name) {
  DtmfDetectorConfig c;
  if (name == "att" || name == "bellcore" || name.empty()) return c;
  if (name == "ntt") {  // Q.24 NTT column: 1.8 % operate / 3.0 % not; 5 dB twist; 24 ms reject
    c.max_deviation_pct = 2.4;
    c.normal_twist_db = c.reverse_twist_db = 5.0;
    return c;
  }
  if (name == "etsi") {
    c.normal_twist_db = c.reverse_twist_db = 6.0;
    return c;
  }
  if (name == "australia") {
    c.normal_twist_db = c.reverse_twist_db = 10.0;
    return c;
  }
  throw std::invalid_argument("profile: unknown DTMF profile '" + std::string(name) +
                              "' (att, ntt, etsi, australia)");
}

namespace detail {

const DtmfTables& dtmf_tables(int rate) noexcept { return rate == 16000 ? kTables16k : kTables8k; }

DtmfThresholds dtmf_thresholds(const DtmfDetectorConfig& c) {
  if (c.sample_rate_hz != 8000 && c.sample_rate_hz != 16000)
    throw std::invalid_argument("sample_rate_hz: must be 8000 or 16000, not " + std::to_string(c.sample_rate_hz));
  if (!(c.min_level_dbm0 < 0 && c.min_level_dbm0 > -80)) throw std::invalid_argument("min_level_dbm0: must be in (-80, 0)");
  if (!(c.normal_twist_db >= 0 && c.normal_twist_db <= 20)) throw std::invalid_argument("normal_twist_db: must be 0..20");
  if (!(c.reverse_twist_db >= 0 && c.reverse_twist_db <= 20)) throw std::invalid_argument("reverse_twist_db: must be 0..20");
  if (!(c.max_deviation_pct > 0 && c.max_deviation_pct <= 5)) throw std::invalid_argument("max_deviation_pct: must be in (0, 5]");
  if (!(c.min_tone_fraction > 0 && c.min_tone_fraction < 1)) throw std::invalid_argument("min_tone_fraction: must be in (0, 1)");
  if (!(c.min_group_margin_db >= 0 && c.min_group_margin_db <= 30))
    throw std::invalid_argument("min_group_margin_db: must be 0..30");
  DtmfThresholds th;
  th.min_power = static_cast<float>(dbm0_to_power(c.min_level_dbm0));
  th.normal_twist = static_cast<float>(std::pow(10.0, (c.normal_twist_db + kTwistAllowanceDb) / 10.0));
  th.reverse_twist = static_cast<float>(std::pow(10.0, (c.reverse_twist_db + kTwistAllowanceDb) / 10.0));
  th.fraction = static_cast<float>(c.min_tone_fraction);
  th.margin = static_cast<float>(std::pow(10.0, c.min_group_margin_db / 10.0));
  // A tone off by d Hz advances 2 pi d H / rate radians more than nominal over a half-block of H samples.
  const int half = 51 * c.sample_rate_hz / 8000;
  for (int f = 0; f < 8; ++f) {
    const double phase = 2.0 * std::numbers::pi * kFreqs[f] * c.max_deviation_pct / 100.0 * half / c.sample_rate_hz;
    th.cos_max_dev[f] = static_cast<float>(std::cos(std::min(phase, std::numbers::pi)));
  }
  return th;
}

void dtmf_feed(const DtmfKernels& k, const std::int16_t* x, std::size_t frames, std::size_t channels,
               const DtmfTables& t, float* state) noexcept {
  k.feed(x, frames, channels, t, state);
}
void dtmf_judge(const DtmfKernels& k, float* state, std::size_t channels, const DtmfTables& t,
                const DtmfThresholds& th, std::uint8_t* codes) noexcept {
  k.judge(state, channels, t, th, codes);
}

DtmfDecision dtmf_step(DtmfTrack& tr, char hit, std::uint64_t clock, unsigned half) noexcept {
  DtmfDecision d;
  const std::uint64_t window_end = clock;
  const std::uint64_t window_start = clock - 2u * half;
  if (hit && hit == tr.cand) {
    if (tr.hits < 255) ++tr.hits;
  } else {
    tr.cand = hit;
    tr.hits = hit ? 1 : 0;
    tr.cand_start = window_start;
  }
  if (tr.current) {
    if (hit == tr.current) {
      tr.misses = 0;
      tr.last_hit_end = window_end;
    } else if (++tr.misses >= kEndMisses) {
      d.kind = DtmfDecision::end;
      d.digit = tr.current;
      d.sample = tr.begin;
      d.duration = tr.last_hit_end - tr.begin;
      tr.current = 0;
    }
  }
  if (!tr.current && tr.cand && tr.hits >= kBeginHits) {
    tr.current = tr.cand;
    tr.begin = tr.cand_start;
    tr.last_hit_end = window_end;
    tr.misses = 0;
    if (d.kind == DtmfDecision::end) {
      d.kind = DtmfDecision::end_begin;
      d.next_digit = tr.current;
      d.next_sample = tr.begin;
    } else {
      d.kind = DtmfDecision::begin;
      d.digit = tr.current;
      d.sample = tr.begin;
    }
  }
  return d;
}

}  // namespace detail

DtmfDetector::DtmfDetector(const DtmfDetectorConfig& c, Isa isa)
    : th_(detail::dtmf_thresholds(c)),
      half_(static_cast<std::uint16_t>(51 * c.sample_rate_hz / 8000)),
      k_(&detail::dtmf_kernels(isa)) {}

void DtmfDetector::reset() noexcept {
  pos_ = 0;
  std::fill(std::begin(st_), std::end(st_), 0.0f);
  clock_ = 0;
  track_ = detail::DtmfTrack{};
}

detail::DtmfDecision DtmfDetector::end_half() noexcept {
  std::uint8_t code = 0;
  k_->judge(st_, 1, tables(), th_, &code);
  pos_ = 0;
  if (clock_ < 2u * half_) return {};  // the first half-block: no window yet
  if ((code | static_cast<unsigned char>(track_.cand) | static_cast<unsigned char>(track_.current)) == 0) return {};
  return detail::dtmf_step(track_, code ? detail::kDtmfKeys[code - 1] : 0, clock_, half_);
}

void DtmfDetectorBank::AlignedFree::operator()(float* p) const noexcept { ::operator delete[](p, std::align_val_t{64}); }

DtmfDetectorBank::DtmfDetectorBank(const DtmfDetectorConfig& c, std::size_t channels, Isa isa)
    : th_(detail::dtmf_thresholds(c)),
      half_(static_cast<std::uint16_t>(51 * c.sample_rate_hz / 8000)),
      n_(static_cast<std::uint32_t>(channels)),
      t_(&detail::dtmf_tables(c.sample_rate_hz)),
      k_(&detail::dtmf_kernels(isa)) {
  if (channels < 1 || channels > 65536)
    throw std::invalid_argument("channels: must be 1..65536, not " + std::to_string(channels));
  const std::size_t floats = n_ * detail::kDtmfLaneFloats;
  state_.reset(static_cast<float*>(::operator new[](floats * sizeof(float), std::align_val_t{64})));
  tracks_ = std::make_unique<detail::DtmfTrack[]>(n_);
  codes_ = std::make_unique<std::uint8_t[]>(n_);
  reset();
}

void DtmfDetectorBank::reset() noexcept {
  std::fill(state_.get(), state_.get() + std::size_t{n_} * detail::kDtmfLaneFloats, 0.0f);
  std::fill(tracks_.get(), tracks_.get() + n_, detail::DtmfTrack{});
  std::fill(codes_.get(), codes_.get() + n_, std::uint8_t{0});
  pos_ = 0;
  clock_ = 0;
}

std::size_t DtmfDetectorBank::bytes_per_channel() const noexcept {
  const std::size_t heap = std::size_t{n_} * (detail::kDtmfLaneFloats * sizeof(float) + sizeof(detail::DtmfTrack) + 1);
  return (heap + sizeof(*this) + n_ - 1) / n_;
}

namespace detail {
const DtmfKernels& dtmf_kernels(Isa isa) noexcept {
  static constexpr DtmfKernels kTable[4] = {{dtmf_feed_scalar, dtmf_judge_scalar, Isa::scalar, false},
                                            {dtmf_feed_sse2, dtmf_judge_sse2, Isa::sse2, false},
                                            {dtmf_feed_avx2, dtmf_judge_avx2, Isa::avx2, true},
                                            {dtmf_feed_avx512, dtmf_judge_avx512, Isa::avx512, true}};
  return kTable[isa_supported(isa) ? static_cast<int>(isa) : 0];
}
const DtmfKernels& dtmf_reference_kernels(bool fused) noexcept {
  static constexpr DtmfKernels kFused{dtmf_feed_scalar_fused, dtmf_judge_scalar, Isa::scalar, true};
  return fused ? kFused : dtmf_kernels(Isa::scalar);
}
}  // namespace detail

}  // namespace linedsp
