#include "signals/dtmf_detector.hpp"

#include <algorithm>
#include <array>
#include <numbers>
#include <stdexcept>
#include <string>

#include "dsp/level.hpp"

namespace linedsp {

struct DtmfDetector::Tables {
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

DtmfDetector::Tables make_tables(int rate) {
  DtmfDetector::Tables t{};
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
const DtmfDetector::Tables kTables8k = make_tables(8000);
const DtmfDetector::Tables kTables16k = make_tables(16000);

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

DtmfDetector::DtmfDetector(const DtmfDetectorConfig& c, Isa isa) : k_(&goertzel_kernels(isa)) {
  if (c.sample_rate_hz != 8000 && c.sample_rate_hz != 16000)
    throw std::invalid_argument("sample_rate_hz: must be 8000 or 16000, not " + std::to_string(c.sample_rate_hz));
  if (!(c.min_level_dbm0 < 0 && c.min_level_dbm0 > -80)) throw std::invalid_argument("min_level_dbm0: must be in (-80, 0)");
  if (!(c.normal_twist_db >= 0 && c.normal_twist_db <= 20)) throw std::invalid_argument("normal_twist_db: must be 0..20");
  if (!(c.reverse_twist_db >= 0 && c.reverse_twist_db <= 20)) throw std::invalid_argument("reverse_twist_db: must be 0..20");
  if (!(c.max_deviation_pct > 0 && c.max_deviation_pct <= 5)) throw std::invalid_argument("max_deviation_pct: must be in (0, 5]");
  if (!(c.min_tone_fraction > 0 && c.min_tone_fraction < 1)) throw std::invalid_argument("min_tone_fraction: must be in (0, 1)");
  if (!(c.min_group_margin_db >= 0 && c.min_group_margin_db <= 30))
    throw std::invalid_argument("min_group_margin_db: must be 0..30");
  t_ = c.sample_rate_hz == 8000 ? &kTables8k : &kTables16k;
  half_ = static_cast<std::uint16_t>(51 * c.sample_rate_hz / 8000);
  min_power_ = static_cast<float>(dbm0_to_power(c.min_level_dbm0));
  normal_twist_ = static_cast<float>(std::pow(10.0, (c.normal_twist_db + 1.0) / 10.0));
  reverse_twist_ = static_cast<float>(std::pow(10.0, (c.reverse_twist_db + 1.0) / 10.0));
  fraction_ = static_cast<float>(c.min_tone_fraction);
  margin_ = static_cast<float>(std::pow(10.0, c.min_group_margin_db / 10.0));
  max_dev_ = static_cast<float>(c.max_deviation_pct / 100.0);
}

void DtmfDetector::reset() noexcept {
  const auto* t = t_;
  const auto* k = k_;
  const auto keep = std::array{min_power_, normal_twist_, reverse_twist_, fraction_, margin_, max_dev_};
  const auto half = half_;
  *this = DtmfDetector(DtmfDetectorConfig{}, Isa::scalar);  // zero state (no allocation: plain members)
  t_ = t;
  k_ = k;
  half_ = half;
  min_power_ = keep[0], normal_twist_ = keep[1], reverse_twist_ = keep[2], fraction_ = keep[3], margin_ = keep[4],
  max_dev_ = keep[5];
}

void DtmfDetector::feed(std::span<const std::int16_t> pcm) noexcept {
  float x[128];
  for (std::size_t i = 0; i < pcm.size();) {
    const std::size_t n = std::min<std::size_t>(pcm.size() - i, 128);
    float e = 0;
    for (std::size_t k = 0; k < n; ++k) {
      x[k] = static_cast<float>(pcm[i + k]);
      e += x[k] * x[k];
    }
    energy_ += e;
    k_->bank(x, n, t_->coeff, s1_, s2_, 8);
    i += n;
  }
  pos_ = static_cast<std::uint16_t>(pos_ + pcm.size());
  clock_ += pcm.size();
}

char DtmfDetector::judge(const std::complex<float>* cur_) const noexcept {
  // Window of the last two half-blocks: X = X_prev + exp(-j w H) X_cur; mean-square tone power 2|X|^2/N^2.
  const float n = 2.0f * t_->half;
  const float norm = 2.0f / (n * n);
  float p[8];
  for (int f = 0; f < 8; ++f) p[f] = std::norm(prev_[f] + t_->rot[f] * cur_[f]) * norm;
  int row = 0, col = 4;
  for (int f = 1; f < 4; ++f)
    if (p[f] > p[row]) row = f;
  for (int f = 5; f < 8; ++f)
    if (p[f] > p[col]) col = f;
  const float pr = p[row], pc = p[col];
  if (pr < min_power_ || pc < min_power_) return 0;
  if (pr > pc * normal_twist_ || pc > pr * reverse_twist_) return 0;
  for (int f = 0; f < 4; ++f)
    if (f != row && p[f] * margin_ > pr) return 0;
  for (int f = 4; f < 8; ++f)
    if (f != col && p[f] * margin_ > pc) return 0;
  const float mean_square = (prev_energy_ + energy_) / n;
  if (pr + pc < fraction_ * mean_square) return 0;
  // Frequency from the phase advance between the two half-blocks.
  for (int f : {row, col}) {
    const float advance = std::arg(cur_[f] * std::conj(prev_[f]));
    const float dev_hz = wrap(advance - t_->nominal_advance[f]) * t_->rate / (2.0f * std::numbers::pi_v<float> * t_->half);
    if (std::abs(dev_hz) > max_dev_ * t_->freq[f]) return 0;
  }
  return kKeys[row][col - 4];
}

DtmfDetector::Decision DtmfDetector::end_half() noexcept {
  std::complex<float> cur[8];
  for (int f = 0; f < 8; ++f) {
    cur[f] = goertzel_complex(s1_[f], s2_[f], t_->cos_w[f], t_->sin_w[f]);
    s1_[f] = s2_[f] = 0;
  }
  Decision d;
  if (have_prev_) {
    const char hit = judge(cur);
    const std::uint64_t window_end = clock_;
    const std::uint64_t window_start = clock_ - 2u * half_;
    if (hit && hit == cand_) {
      if (hits_ < 255) ++hits_;
    } else {
      cand_ = hit;
      hits_ = hit ? 1 : 0;
      cand_start_ = window_start;
    }
    if (current_) {
      if (hit == current_) {
        misses_ = 0;
        last_hit_end_ = window_end;
      } else if (++misses_ >= kEndMisses) {
        d.kind = Decision::end;
        d.digit = current_;
        d.sample = begin_;
        d.duration = last_hit_end_ - begin_;
        current_ = 0;
      }
    }
    if (!current_ && cand_ && hits_ >= kBeginHits) {
      current_ = cand_;
      begin_ = cand_start_;
      last_hit_end_ = window_end;
      misses_ = 0;
      if (d.kind == Decision::end) {
        d.kind = Decision::end_begin;
        d.next_digit = current_;
        d.next_sample = begin_;
      } else {
        d.kind = Decision::begin;
        d.digit = current_;
        d.sample = begin_;
      }
    }
  }
  for (int f = 0; f < 8; ++f) prev_[f] = cur[f];
  prev_energy_ = energy_;
  energy_ = 0;
  have_prev_ = true;
  pos_ = 0;
  return d;
}

}  // namespace linedsp
