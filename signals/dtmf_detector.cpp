#include "signals/dtmf_detector.hpp"

#include <algorithm>
#include <array>
#include <numbers>
#include <stdexcept>
#include <string>

#include "dsp/level.hpp"

// Same float results whatever the compiler flags (-march=native): no FMA contraction, so the bank and the
// one-channel detector, and every block split, agree bit for bit.
#pragma GCC optimize("fp-contract=off")

namespace linedsp {

struct detail::DtmfTables {
  float coeff[8], cos_w[8], sin_w[8], nominal_advance[8];  // advance: w * half (radians, wrapped)
  std::complex<float> rot[8];                               // exp(-j w half): joins two half-blocks
  float freq[8];
  float rate, half;
};

namespace {
constexpr double kFreqs[8] = {697, 770, 852, 941, 1209, 1336, 1477, 1633};
constexpr char kKeys[4][4] = {{'1', '2', '3', 'A'}, {'4', '5', '6', 'B'}, {'7', '8', '9', 'C'}, {'*', '0', '#', 'D'}};
constexpr int kBeginHits = 4;
constexpr int kEndMisses = 5;

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
    t.nominal_advance[f] = static_cast<float>(std::remainder(w * half, 2.0 * std::numbers::pi));
    t.rot[f] = std::polar(1.0f, static_cast<float>(-w * half));
    t.freq[f] = static_cast<float>(kFreqs[f]);
  }
  return t;
}
const detail::DtmfTables kTables8k = make_tables(8000);
const detail::DtmfTables kTables16k = make_tables(16000);

float wrap(float a) noexcept {
  constexpr float pi = std::numbers::pi_v<float>;
  while (a > pi) a -= 2 * pi;
  while (a <= -pi) a += 2 * pi;
  return a;
}
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
  th.normal_twist = static_cast<float>(std::pow(10.0, (c.normal_twist_db + 1.0) / 10.0));
  th.reverse_twist = static_cast<float>(std::pow(10.0, (c.reverse_twist_db + 1.0) / 10.0));
  th.fraction = static_cast<float>(c.min_tone_fraction);
  th.margin = static_cast<float>(std::pow(10.0, c.min_group_margin_db / 10.0));
  th.max_dev = static_cast<float>(c.max_deviation_pct / 100.0);
  return th;
}

namespace {
char judge(const DtmfTables& t, const DtmfThresholds& th, const std::complex<float>* prev,
           const std::complex<float>* cur, float energy_sum) noexcept {
  // Window of the last two half-blocks: X = X_prev + exp(-j w H) X_cur; mean-square tone power 2|X|^2/N^2.
  const float n = 2.0f * t.half;
  const float norm = 2.0f / (n * n);
  float p[8];
  for (int f = 0; f < 8; ++f) {
    // Written out (not std::complex operator*) so no library NaN path changes the arithmetic.
    const float re = prev[f].real() + (t.rot[f].real() * cur[f].real() - t.rot[f].imag() * cur[f].imag());
    const float im = prev[f].imag() + (t.rot[f].real() * cur[f].imag() + t.rot[f].imag() * cur[f].real());
    p[f] = (re * re + im * im) * norm;
  }
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
  const float mean_square = energy_sum / n;
  if (pr + pc < th.fraction * mean_square) return 0;
  // Frequency from the phase advance between the two half-blocks: arg(cur * conj(prev)).
  for (int f : {row, col}) {
    const float re = cur[f].real() * prev[f].real() + cur[f].imag() * prev[f].imag();
    const float im = cur[f].imag() * prev[f].real() - cur[f].real() * prev[f].imag();
    const float advance = std::atan2(im, re);
    const float dev_hz = wrap(advance - t.nominal_advance[f]) * t.rate / (2.0f * std::numbers::pi_v<float> * t.half);
    if (std::abs(dev_hz) > th.max_dev * t.freq[f]) return 0;
  }
  return kKeys[row][col - 4];
}
}  // namespace

DtmfDecision dtmf_end_half(const DtmfTables& t, const DtmfThresholds& th, DtmfTrack& tr, float* s1, float* s2,
                           std::size_t stride, float energy, std::uint64_t clock, unsigned half) noexcept {
  std::complex<float> cur[8];
  for (int f = 0; f < 8; ++f) {
    float& a = s1[static_cast<std::size_t>(f) * stride];
    float& b = s2[static_cast<std::size_t>(f) * stride];
    cur[f] = goertzel_complex(a, b, t.cos_w[f], t.sin_w[f]);
    a = b = 0;
  }
  DtmfDecision d;
  if (tr.have_prev) {
    const char hit = judge(t, th, tr.prev, cur, tr.prev_energy + energy);
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
  }
  for (int f = 0; f < 8; ++f) tr.prev[f] = cur[f];
  tr.prev_energy = energy;
  tr.have_prev = true;
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

DtmfDetectorBank::DtmfDetectorBank(const DtmfDetectorConfig& c, std::size_t channels, Isa isa)
    : th_(detail::dtmf_thresholds(c)),
      t_(&detail::dtmf_tables(c.sample_rate_hz)),
      k_(&goertzel_kernels(isa)),
      n_(channels),
      half_(static_cast<std::uint16_t>(51 * c.sample_rate_hz / 8000)) {
  if (channels < 1 || channels > 65536)
    throw std::invalid_argument("channels: must be 1..65536, not " + std::to_string(channels));
  s1_.assign(8 * n_, 0.0f);
  s2_.assign(8 * n_, 0.0f);
  energy_.assign(n_, 0.0f);
  scratch_.assign(kChunkFrames * n_, 0.0f);
  tracks_.assign(n_, detail::DtmfTrack{});
}

void DtmfDetectorBank::reset() noexcept {
  std::fill(s1_.begin(), s1_.end(), 0.0f);
  std::fill(s2_.begin(), s2_.end(), 0.0f);
  std::fill(energy_.begin(), energy_.end(), 0.0f);
  std::fill(tracks_.begin(), tracks_.end(), detail::DtmfTrack{});
  pos_ = 0;
  clock_ = 0;
}

std::size_t DtmfDetectorBank::bytes_per_channel() const noexcept {
  const std::size_t heap = (s1_.capacity() + s2_.capacity() + energy_.capacity() + scratch_.capacity()) * sizeof(float) +
                           tracks_.capacity() * sizeof(detail::DtmfTrack);
  return (heap + sizeof(*this) + n_ - 1) / n_;
}

void DtmfDetectorBank::feed(const std::int16_t* x, std::size_t frames) noexcept {
  float* xs = scratch_.data();
  float* e = energy_.data();
  const std::size_t n = n_;
  for (std::size_t i = 0; i < frames; ++i) {
    const std::int16_t* in = x + i * n;
    float* out = xs + i * n;
    for (std::size_t ch = 0; ch < n; ++ch) {  // per channel: the same sample-by-sample sum as DtmfDetector
      const float v = static_cast<float>(in[ch]);
      out[ch] = v;
      e[ch] += v * v;
    }
  }
  k_->multi(xs, frames, n, t_->coeff, 8, s1_.data(), s2_.data());
  pos_ = static_cast<std::uint16_t>(pos_ + frames);
  clock_ += frames;
}

}  // namespace linedsp
