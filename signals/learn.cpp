// signals/learn.cpp
#include "signals/learn.hpp"

#include <kiss_fftr.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>
#include <stdexcept>

#include "dsp/level.hpp"

namespace linedsp {

namespace {

// Goertzel power over the selected samples, normalised to a sine's mean power.
double tone_power(std::span<const float> x, double f, double rate) {
  const double w = 2 * std::numbers::pi * f / rate;
  const double c = 2 * std::cos(w);
  double s1 = 0, s2 = 0;
  for (float v : x) {
    const double s0 = v + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const double p = s1 * s1 + s2 * s2 - c * s1 * s2;  // |X|^2
  const double n = static_cast<double>(x.size());
  return 2.0 * p / (n * n);  // sine of amplitude A: |X| = A n / 2 -> A^2 / 2
}

using Runs = std::vector<std::span<const float>>;

// Mean over the contiguous tone-on runs (each its own Goertzel: no phase jumps between bursts).
double runs_power(const Runs& runs, double f, double rate) {
  double s = 0, n = 0;
  for (const auto& r : runs) {
    s += tone_power(r, f, rate) * static_cast<double>(r.size());
    n += static_cast<double>(r.size());
  }
  return n > 0 ? s / n : 0.0;
}

double refine(const Runs& x, double f0, double half_width, double rate) {
  const double g = (std::sqrt(5.0) - 1) / 2;
  double a = f0 - half_width, b = f0 + half_width;
  double c = b - g * (b - a), d = a + g * (b - a);
  double pc = runs_power(x, c, rate), pd = runs_power(x, d, rate);
  for (int i = 0; i < 40 && b - a > 0.01; ++i) {
    if (pc > pd) {
      b = d;
      d = c;
      pd = pc;
      c = b - g * (b - a);
      pc = runs_power(x, c, rate);
    } else {
      a = c;
      c = d;
      pc = pd;
      d = a + g * (b - a);
      pd = runs_power(x, d, rate);
    }
  }
  return (a + b) / 2;
}

std::uint32_t round5(double ms) { return static_cast<std::uint32_t>(std::lround(ms / 5.0) * 5); }

}  // namespace

LearnedTone learn_tone(std::span<const std::int16_t> pcm, int rate) {
  if (rate != 8000 && rate != 16000) throw std::runtime_error("learn: sample rate must be 8000 or 16000 Hz");
  const std::size_t blk = static_cast<std::size_t>(rate / 100);  // 10 ms
  const std::size_t nblk = pcm.size() / blk;
  if (nblk < 20) throw std::runtime_error("learn: recording shorter than 0.2 s");
  // 1. On/off by block energy.
  std::vector<double> e(nblk);
  for (std::size_t b = 0; b < nblk; ++b) {
    double s = 0;
    for (std::size_t i = 0; i < blk; ++i) s += double(pcm[b * blk + i]) * pcm[b * blk + i];
    e[b] = s / static_cast<double>(blk);
  }
  const double emax = *std::max_element(e.begin(), e.end());
  if (emax < dbm0_to_power(-55)) throw std::runtime_error("learn: no tone found (the recording is silent)");
  std::vector<bool> on(nblk);
  for (std::size_t b = 0; b < nblk; ++b) on[b] = e[b] >= emax * std::pow(10.0, -1.2);
  // Tone-on samples (skipping each run's edge blocks) for the spectrum and levels.
  std::vector<float> xs(pcm.begin(), pcm.end());
  Runs x;  // contiguous tone-on stretches, edge blocks dropped
  std::size_t total = 0;
  for (std::size_t b = 1; b + 1 < nblk;) {
    if (!(on[b - 1] && on[b] && on[b + 1])) {
      ++b;
      continue;
    }
    std::size_t e = b;
    while (e + 1 < nblk && on[e - 1] && on[e] && on[e + 1]) ++e;
    x.emplace_back(xs.data() + b * blk, (e - b) * blk);
    total += (e - b) * blk;
    b = e;
  }
  if (total < blk * 4) throw std::runtime_error("learn: tone bursts shorter than 40 ms");
  // 2. Spectrum: Hann-windowed frames of up to 2048 samples inside each run, zero-padded to 8192 (at 8 kHz),
  // powers averaged.
  const std::size_t nfft = rate == 8000 ? 8192 : 16384, frame = nfft / 4;
  std::vector<double> spec(nfft / 2 + 1, 0.0);
  {
    kiss_fftr_cfg cfg = kiss_fftr_alloc(static_cast<int>(nfft), 0, nullptr, nullptr);
    std::vector<float> in(nfft);
    std::vector<kiss_fft_cpx> out(nfft / 2 + 1);
    for (const auto& r : x) {
      for (std::size_t s = 0; s < r.size(); s += frame) {
        const std::size_t len = std::min(frame, r.size() - s);
        if (len < frame / 4 && s > 0) break;
        std::fill(in.begin(), in.end(), 0.0f);
        for (std::size_t i = 0; i < len; ++i)
          in[i] = r[s + i] * static_cast<float>(0.5 - 0.5 * std::cos(2 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(len)));
        kiss_fftr(cfg, in.data(), out.data());
        for (std::size_t k = 0; k < out.size(); ++k) spec[k] += double(out[k].r) * out[k].r + double(out[k].i) * out[k].i;
      }
    }
    kiss_fftr_free(cfg);
  }
  const double bin_hz = static_cast<double>(rate) / static_cast<double>(nfft);
  const std::size_t k_lo = static_cast<std::size_t>(100 / bin_hz), k_hi = static_cast<std::size_t>(3400 / bin_hz);
  double pmax = 0;
  for (std::size_t k = k_lo; k <= k_hi; ++k) pmax = std::max(pmax, spec[k]);
  std::vector<std::size_t> peaks;
  for (std::size_t k = k_lo + 1; k < k_hi; ++k) {
    if (spec[k] < pmax * 0.01 || spec[k] < spec[k - 1] || spec[k] < spec[k + 1]) continue;
    peaks.push_back(k);
  }
  std::sort(peaks.begin(), peaks.end(), [&](auto a, auto b) { return spec[a] > spec[b]; });
  std::vector<std::size_t> keep;
  for (auto k : peaks) {
    bool near = false;
    // Not within 12 Hz of a stronger peak already taken (main lobe of a 2048-sample Hann window: +-7.8 Hz).
    for (auto q : keep) near = near || static_cast<double>(k > q ? k - q : q - k) * bin_hz < 12.0;
    if (!near) keep.push_back(k);
    if (keep.size() == 4) break;
  }
  LearnedTone t;
  for (auto k : keep) {
    const double f = refine(x, static_cast<double>(k) * bin_hz, 2 * bin_hz, rate);
    t.components.push_back({std::round(f * 10) / 10, std::round(power_to_dbm0(runs_power(x, f, rate)) * 10) / 10});
  }
  std::sort(t.components.begin(), t.components.end(), [](auto& a, auto& b) { return a.freq_hz < b.freq_hz; });
  // 3. Cadence: run lengths between the first and the last edge.
  std::vector<std::pair<bool, std::size_t>> runs;
  for (std::size_t b = 0; b < nblk; ++b) {
    if (runs.empty() || runs.back().first != on[b]) runs.push_back({on[b], 0});
    ++runs.back().second;
  }
  std::size_t on_blocks = 0;
  for (bool b : on) on_blocks += b;
  t.on_fraction = static_cast<double>(on_blocks) / static_cast<double>(nblk);
  // Drop the leading and trailing runs (partial, or the silence around the recording).
  std::vector<double> d;
  bool first_on = true;
  for (std::size_t i = 1; i + 1 < runs.size(); ++i) {
    if (d.empty() && !runs[i].first) continue;  // start with an on run
    d.push_back(static_cast<double>(runs[i].second) * 10.0);
    (void)first_on;
  }
  if (d.size() >= 2 && d.size() % 2 == 1) d.pop_back();  // end with an off
  if (runs.size() <= 3 && runs.size() >= 1 && t.on_fraction > 0.5 && d.size() < 2) {
    t.cadence_ms.clear();  // continuous
  } else if (d.size() < 2) {
    // One burst: played once.
    for (const auto& r : runs)
      if (r.first) t.cadence_ms = {round5(static_cast<double>(r.second) * 10.0)};
    t.repeat = false;
  } else {
    std::size_t period = d.size();
    for (std::size_t k = 2; k < d.size(); k += 2) {
      bool ok = true;
      for (std::size_t i = 0; i + k < d.size() && ok; ++i) ok = std::abs(d[i] - d[i + k]) <= 30.0 + 0.1 * d[i];
      if (ok) {
        period = k;
        break;
      }
    }
    for (std::size_t i = 0; i < period; ++i) {
      double s = 0;
      int n = 0;
      for (std::size_t j = i; j < d.size(); j += period, ++n) s += d[j];
      t.cadence_ms.push_back(round5(s / n));
    }
  }
  // 4. Kind, from E.180's ranges (a guess the user can override).
  if (t.cadence_ms.empty()) {
    t.kind = ToneKind::dial;
  } else if (!t.repeat) {
    t.kind = ToneKind::other;
  } else {
    std::uint32_t on_ms = 0, off_ms = 0;
    for (std::size_t i = 0; i < t.cadence_ms.size(); ++i) (i % 2 ? off_ms : on_ms) += t.cadence_ms[i];
    if (off_ms >= 1500) t.kind = ToneKind::ringback;
    else if (t.cadence_ms[0] < 300) t.kind = ToneKind::congestion;
    else t.kind = ToneKind::busy;
  }
  return t;
}

std::string plan_entry(const LearnedTone& t, const std::string& name, const std::string& source) {
  std::ostringstream os;
  os << "[tones." << name << "]\n";
  os << "kind = \"" << tone_kind_name(t.kind) << "\"\n";
  os << "freqs = [";
  for (std::size_t i = 0; i < t.components.size(); ++i) os << (i ? ", " : "") << t.components[i].freq_hz;
  os << "]\n";
  double lmax = -200;
  for (const auto& c : t.components) lmax = std::max(lmax, c.level_dbm0);
  os << "level_dbm0 = " << lmax << "\n";
  if (!t.cadence_ms.empty()) {
    os << "cadence = [";
    for (std::size_t i = 0; i < t.cadence_ms.size(); ++i) os << (i ? ", " : "") << t.cadence_ms[i];
    os << "]\n";
  }
  if (!t.repeat) os << "repeat = false\n";
  os << "source = \"" << source << "\"\n";
  return os.str();
}

}  // namespace linedsp
