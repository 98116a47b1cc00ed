#include "signals/dtmf_detector.hpp"

#include <algorithm>
#include <array>
#include <numbers>
#include <stdexcept>
#include <string>

#include "dsp/level.hpp"
#include "signals/kernels/dtmf_kernels.hpp"

// Same float results whatever the compiler flags (-march=native): no FMA contraction, so the bank and the
// one-channel detector, and every block split, agree bit for bit.
#pragma GCC optimize("fp-contract=off")

namespace linedsp {

struct detail::DtmfTables {
  float coeff[8], cos_w[8], sin_w[8];
  float rot_re[8], rot_im[8];  // exp(-j w half): joins two half-blocks (and removes the nominal phase advance)
  float freq[8];
  float rate, half;
};

namespace {
constexpr double kFreqs[8] = {697, 770, 852, 941, 1209, 1336, 1477, 1633};
constexpr char kKeys[4][4] = {{'1', '2', '3', 'A'}, {'4', '5', '6', 'B'}, {'7', '8', '9', 'C'}, {'*', '0', '#', 'D'}};
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
  }
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

float dtmf_norm(const DtmfTables& t) noexcept {
  const float n = 2.0f * t.half;
  return 2.0f / (n * n);
}

void dtmf_current(const DtmfTables& t, const float* s1, const float* s2, float* cur_re, float* cur_im) noexcept {
  for (int f = 0; f < 8; ++f) {
    cur_re[f] = s1[f] - s2[f] * t.cos_w[f];
    cur_im[f] = s2[f] * t.sin_w[f];
  }
}

char dtmf_classify(const DtmfTables& t, const DtmfThresholds& th, const DtmfWindow& w, float energy_sum) noexcept {
  const float* p = w.p;
  int row = 0, col = 4;
  for (int f = 1; f < 4; ++f)
    if (p[f] > p[row]) row = f;
  for (int f = 5; f < 8; ++f)
    if (p[f] > p[col]) col = f;
  const float pr = p[row], pc = p[col];
  if (pr < th.min_power || pc < th.min_power) return 0;
  if (pr > pc * th.normal_twist || pc > pr * th.reverse_twist) return 0;
  for (int f = 0; f < 4; ++f)
    if (f != row && p[f] * th.margin > pr) return 0;
  for (int f = 4; f < 8; ++f)
    if (f != col && p[f] * th.margin > pc) return 0;
  const float mean_square = energy_sum / (2.0f * t.half);
  if (pr + pc < th.fraction * mean_square) return 0;
  // Frequency from the phase advance between the two half-blocks: z = cur_rot * conj(prev) has angle
  // 2 pi (f - f_nominal) H / rate; accept |angle| <= the limit, i.e. Re z >= cos(limit) |z|, squared.
  for (int f : {row, col}) {
    const float re = w.rot_re[f] * w.prev_re[f] + w.rot_im[f] * w.prev_im[f];
    const float im = w.rot_im[f] * w.prev_re[f] - w.rot_re[f] * w.prev_im[f];
    const float c = th.cos_max_dev[f];
    const float lhs = re * re, rhs = c * c * (re * re + im * im);
    const bool ok = c >= 0 ? (re >= 0 && lhs >= rhs) : (re >= 0 || lhs <= rhs);
    if (!ok) return 0;
  }
  return kKeys[row][col - 4];
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
      t_(&detail::dtmf_tables(c.sample_rate_hz)),
      k_(&goertzel_kernels(isa)),
      half_(static_cast<std::uint16_t>(51 * c.sample_rate_hz / 8000)) {}

void DtmfDetector::reset() noexcept {
  pos_ = 0;
  energy_ = 0;
  std::fill(std::begin(s1_), std::end(s1_), 0.0f);
  std::fill(std::begin(s2_), std::end(s2_), 0.0f);
  std::fill(std::begin(prev_re_), std::end(prev_re_), 0.0f);
  std::fill(std::begin(prev_im_), std::end(prev_im_), 0.0f);
  clock_ = 0;
  track_ = detail::DtmfTrack{};
}

void DtmfDetector::feed(std::span<const std::int16_t> pcm) noexcept {
  float x[128];
  for (std::size_t i = 0; i < pcm.size();) {
    const std::size_t n = std::min<std::size_t>(pcm.size() - i, 128);
    float e = energy_;  // summed sample by sample in order: the same float result for any block split
    for (std::size_t k = 0; k < n; ++k) {
      x[k] = static_cast<float>(pcm[i + k]);
      e += x[k] * x[k];
    }
    energy_ = e;
    k_->bank(x, n, t_->coeff, s1_, s2_, 8);
    i += n;
  }
  pos_ = static_cast<std::uint16_t>(pos_ + pcm.size());
  clock_ += pcm.size();
}

detail::DtmfDecision DtmfDetector::end_half() noexcept {
  const auto& t = *t_;
  float cre[8], cim[8];
  detail::dtmf_current(t, s1_, s2_, cre, cim);
  detail::DtmfDecision d;
  if (track_.have_prev) {
    detail::DtmfWindow w;
    const float norm = detail::dtmf_norm(t);
    for (int f = 0; f < 8; ++f) {
      w.rot_re[f] = t.rot_re[f] * cre[f] - t.rot_im[f] * cim[f];
      w.rot_im[f] = t.rot_re[f] * cim[f] + t.rot_im[f] * cre[f];
      w.prev_re[f] = prev_re_[f];
      w.prev_im[f] = prev_im_[f];
      const float re = prev_re_[f] + w.rot_re[f], im = prev_im_[f] + w.rot_im[f];
      w.p[f] = (re * re + im * im) * norm;
    }
    const char hit = detail::dtmf_classify(t, th_, w, track_.prev_energy + energy_);
    d = detail::dtmf_step(track_, hit, clock_, half_);
  }
  for (int f = 0; f < 8; ++f) {
    prev_re_[f] = cre[f];
    prev_im_[f] = cim[f];
    s1_[f] = s2_[f] = 0;
  }
  track_.prev_energy = energy_;
  track_.have_prev = true;
  energy_ = 0;
  pos_ = 0;
  return d;
}

DtmfDetectorBank::DtmfDetectorBank(const DtmfDetectorConfig& c, std::size_t channels, Isa isa)
    : th_(detail::dtmf_thresholds(c)),
      t_(&detail::dtmf_tables(c.sample_rate_hz)),
      k_(&goertzel_kernels(isa)),
      dk_(&detail::dtmf_kernels(isa)),
      n_(channels),
      half_(static_cast<std::uint16_t>(51 * c.sample_rate_hz / 8000)) {
  if (channels < 1 || channels > 65536)
    throw std::invalid_argument("channels: must be 1..65536, not " + std::to_string(channels));
  s1_.assign(8 * n_, 0.0f);
  s2_.assign(8 * n_, 0.0f);
  prev_re_.assign(8 * n_, 0.0f);
  prev_im_.assign(8 * n_, 0.0f);
  energy_.assign(n_, 0.0f);
  scratch_.assign(kChunkFrames * n_, 0.0f);
  tracks_.assign(n_, detail::DtmfTrack{});
}

void DtmfDetectorBank::reset() noexcept {
  for (auto* v : {&s1_, &s2_, &prev_re_, &prev_im_, &energy_}) std::fill(v->begin(), v->end(), 0.0f);
  std::fill(tracks_.begin(), tracks_.end(), detail::DtmfTrack{});
  pos_ = 0;
  clock_ = 0;
}

std::size_t DtmfDetectorBank::bytes_per_channel() const noexcept {
  const std::size_t heap = (s1_.capacity() + s2_.capacity() + prev_re_.capacity() + prev_im_.capacity() +
                            energy_.capacity() + scratch_.capacity()) * sizeof(float) +
                           tracks_.capacity() * sizeof(detail::DtmfTrack);
  return (heap + sizeof(*this) + n_ - 1) / n_;
}

void DtmfDetectorBank::feed(const std::int16_t* x, std::size_t frames) noexcept {
  dk_->feed(x, frames, n_, scratch_.data(), energy_.data());
  k_->multi(scratch_.data(), frames, n_, t_->coeff, 8, s1_.data(), s2_.data());
  pos_ = static_cast<std::uint16_t>(pos_ + frames);
  clock_ += frames;
}

void DtmfDetectorBank::end_half(std::size_t first, std::size_t count, detail::DtmfDecision* out) noexcept {
  // The window pass across the group's channels (per-ISA kernel, the same float operations as
  // DtmfDetector::end_half); then the per-channel decisions, the classifier only where both groups have a
  // tone above the minimum level (the classifier's own first test, so nothing changes).
  static_assert(kGroup == detail::kDtmfGroup);
  const auto& t = *t_;
  const detail::DtmfWindowConsts consts{t.cos_w, t.sin_w, t.rot_re, t.rot_im, detail::dtmf_norm(t), th_.min_power};
  detail::DtmfGroupWindow g;
  dk_->window(s1_.data() + first, s2_.data() + first, prev_re_.data() + first, prev_im_.data() + first, n_, count,
              consts, g);
  for (std::size_t c = 0; c < count; ++c) {
    const std::size_t ch = first + c;
    auto& tr = tracks_[ch];
    out[c] = {};
    if (tr.have_prev) {
      char hit = 0;
      if (g.gate[c]) {
        detail::DtmfWindow w;
        for (std::size_t f = 0; f < 8; ++f) {
          w.p[f] = g.p[f][c];
          w.rot_re[f] = g.y_re[f][c];
          w.rot_im[f] = g.y_im[f][c];
          w.prev_re[f] = g.prev_re[f][c];
          w.prev_im[f] = g.prev_im[f][c];
        }
        hit = detail::dtmf_classify(t, th_, w, tr.prev_energy + energy_[ch]);
      }
      if (hit || tr.cand || tr.current) {
        out[c] = detail::dtmf_step(tr, hit, clock_, half_);
      } else {
        tr.hits = 0;  // what dtmf_step does with no hit and nothing pending
      }
    }
    tr.prev_energy = energy_[ch];
    tr.have_prev = true;
    energy_[ch] = 0;
  }
}

namespace detail {
const DtmfKernels& dtmf_kernels(Isa isa) noexcept {
  static constexpr DtmfKernels kTable[4] = {{dtmf_feed_scalar, dtmf_window_scalar, Isa::scalar},
                                            {dtmf_feed_sse2, dtmf_window_sse2, Isa::sse2},
                                            {dtmf_feed_avx2, dtmf_window_avx2, Isa::avx2},
                                            {dtmf_feed_avx512, dtmf_window_avx512, Isa::avx512}};
  return kTable[isa_supported(isa) ? static_cast<int>(isa) : 0];
}
}  // namespace detail

}  // namespace linedsp
