// signals/progress_detector.cpp — see the header for the method.
#include "signals/progress_detector.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

#include "dsp/fast_atan2.hpp"
#include "dsp/level.hpp"
#include "signals/kernels/progress_kernels.hpp"

namespace linedsp {

const ProgressKernels& progress_kernels(Isa isa) noexcept {
  static const ProgressKernels k[4] = {
      {detail::progress_block_single_scalar, detail::progress_block_multi_scalar, Isa::scalar, false},
      {detail::progress_block_single_sse2, detail::progress_block_multi_sse2, Isa::sse2, false},
      {detail::progress_block_single_avx2, detail::progress_block_multi_avx2, Isa::avx2, true},
      {detail::progress_block_single_avx512, detail::progress_block_multi_avx512, Isa::avx512, true},
  };
  const auto i = static_cast<std::size_t>(isa);
  return (i < 4 && isa_supported(isa)) ? k[i] : k[0];
}

const ProgressKernels& progress_reference_kernels(bool fused) noexcept {
  static const ProgressKernels kFused{detail::progress_block_single_scalar_fused,
                                      detail::progress_block_multi_scalar_fused, Isa::scalar, true};
  return fused ? kFused : progress_kernels(Isa::scalar);
}

namespace detail {

namespace {
constexpr std::size_t kSub = kProgressSub;  // sub-blocks per block
constexpr double kBlockMs = 20.0;
constexpr double kCloseHz = 45.0;          // components closer than this: judged on 40 ms bins
constexpr double kSitAltHz = 25.0;         // SIT: four bins 25 Hz apart, centred on nominal (+-12.5, +-37.5)
constexpr double kSitAltTolHz = 15.0;      // each: accepted +-50 Hz overall (+-52.5 with margin)
constexpr double kMaxTolHz = 22.0;
constexpr double kMinEnvelopeDepth = 0.3;  // close signatures: (max-min)/(max+min) of 5 ms magnitudes over 40 ms
constexpr double kEdgeRatio = 0.25;        // a block under this fraction of its neighbour's tone power is an edge
constexpr std::size_t kMaxComps = 4;
constexpr std::size_t kHistory = 8;
constexpr std::size_t kEnvBlocks = 4;      // 5 ms magnitudes kept over 80 ms (AM modulation-frequency fit)
constexpr double kNearHz = 50.0;           // onset smear: a tone's first blocks may match a neighbouring signature
constexpr std::uint64_t kAmReviseBlocks = kEnvBlocks;  // a run's AM rate may be revised while it is this young
constexpr double kAmSwitchMargin = 0.05;   // AM rival with the same carrier replaces the held one by this much fit
constexpr double kShortBurstMs = 250.0;    // a repeating cadence of one burst up to this long (with tolerance) and
constexpr double kLongPauseMs = 1500.0;    // a pause at least this long is confirmed on its second burst
constexpr std::uint64_t kForever = std::numeric_limits<std::uint64_t>::max();
}  // namespace

struct Comp {
  std::array<std::uint16_t, 4> alt{};  // filter indices
  std::uint8_t nalt = 0;
  double nominal_hz = 0;
  double level_dbm0 = 0;
  double tol_hz = 0;
  bool check_phase = true;  // close signatures: AM sidebands leak into each other's 40 ms bins; only the carrier
  double twist_lo = 0, twist_hi = 0;  // power ratio to component 0 accepted: 10^((plan difference -+ max_twist) / 10)
};

struct Signature {
  std::array<Comp, kMaxComps> comps{};
  std::uint8_t ncomp = 0;
  bool close = false;  // components closer than kCloseHz: judged on 40 ms bins and must beat / be modulated
  bool sit = false;
  bool am_carrier = false;  // AM with sidebands >= 20 Hz out: the carrier must exceed both sidebands by 3 dB
  bool am = false;          // AM carrier with two sidebands: the carrier's 5 ms envelope must follow fm_hz
  double fm_hz = 0;         // modulation frequency (carrier - lower sideband)
  bool am_rivals = false;   // other AM signatures share the carrier (merged plans): ranked by envelope fit
  int cls = 0;         // equivalence class: signatures with the same nominal frequencies
};

struct Elem {
  int sig = -1;  // signature class; -1 = silence
  std::uint64_t min = 0, max = 0;  // samples
  bool continuous = false;
  bool operator==(const Elem&) const = default;
};

struct CTone {
  ToneKind kind;
  std::uint16_t index;
  std::vector<Elem> el;
  bool repeat;
  std::uint32_t needed;
  std::uint16_t twin = 0;  // first tone with the identical compiled cadence (indistinguishable: reported as that one)
};

struct ProgressPlan {
  TonePlan plan;
  ProgressDetectorConfig cfg;
  double rate = 8000;
  std::size_t n = 160, sub_len = 40;
  std::size_t m = 0, m16 = 0;  // filters, padded
  std::vector<double> freq;
  std::vector<float> coeff;                       // m16
  std::vector<float> cos_w, sin_w;                // m16
  std::vector<float> rot_re, rot_im;              // [j * m16 + f] = exp(-i w j S)
  std::vector<float> half_re, half_im;            // m16: exp(i w S / 2)
  ProgressConsts kc_single{}, kc_multi{};         // kernel views of the tables above
  std::vector<std::uint16_t> n40;                 // filters with need40 set
  double screen_ratio = 0;                        // no signature can pass unless a bin holds this share
  double hz_per_rad = 0;                          // rate / (2 pi n): phase advance per block -> Hz
  std::vector<std::complex<float>> rot_n;         // exp(-i w N)
  std::vector<double> adv;                        // w N modulo 2 pi (expected phase advance per block)
  std::vector<Signature> sigs;
  std::vector<std::uint8_t> grows;  // [a * nsigs + b]: class b's frequencies include class a's (b extends a)
  std::vector<std::uint8_t> am_sib;  // [a * nsigs + b]: AM classes a != b with the same carrier (rates differ)
  std::vector<std::uint8_t> near;    // [a * nsigs + b]: every component of each within kNearHz of one of the other's
  std::vector<std::uint16_t> envf;   // filters whose 5 ms magnitudes are kept (close signatures, AM carriers)
  std::size_t env_blocks = 2;        // blocks of them kept: 2, or kEnvBlocks when AM signatures have rivals
  std::vector<CTone> tones;
  const ProgressKernels* k = nullptr;
  double min_power = 0;              // cfg.min_level_dbm0 as mean power
  std::vector<std::uint8_t> need40;  // per filter: used by a close signature (40 ms bins, 5 ms envelope)
};

struct RunInfo {
  int label = -1;
  std::uint64_t start = 0, end = 0;
  float freq_hz = 0, level_dbm0 = -100;
};

struct Matcher {
  bool synced = false;
  std::uint32_t pos = 0;
  std::uint32_t matched = 0;
  std::uint64_t start = 0;
  std::uint64_t last_on_end = 0;
  std::array<float, 4> seg_hz{};
  std::uint8_t nseg = 0;
  float level_dbm0 = -100;
  bool pending = false;  // played-once tone complete, waiting for a competitor to fail
};

struct ProgressChannel {
  std::vector<std::int16_t> buf;  // one block (single-channel form)
  std::size_t fill = 0;
  std::uint64_t block_index = 0;
  std::vector<std::complex<float>> prev_x, cur_x;  // m
  std::vector<float> env;                          // m * plan env_blocks * kSub: 5 ms magnitudes, oldest block first
  std::uint32_t tone_blocks = 0;                   // consecutive blocks (to this one) that passed the screen
  std::vector<std::complex<float>> x40, prev_x40;  // m: 40 ms bins ending at this / the previous block
  std::vector<std::uint8_t> passed, passed_prev;   // per signature: passed on this / the previous block
  double prev_e = 0;
  bool has_prev = false;
  // One-block delay for edge trimming: block j-1 (pending) and j-2 (before).
  int lab_prev2 = -1, lab_prev = -1;
  float pow_prev2 = 0, pow_prev = 0;
  float freq_prev = 0, level_prev = -100;
  bool have_pending = false;
  // Run builder.
  RunInfo run;                 // current run (end = running)
  double run_freq_sum = 0;
  std::uint32_t run_freq_n = 0;
  int cand_label = -1;
  std::uint64_t cand_start = 0;
  float cand_freq = 0, cand_level = -100;
  bool cand = false;
  std::vector<Matcher> matchers;
  int active = -1;
  std::vector<double> pk20, pk40;  // m: |X|^2 of this block's 20 ms and 40 ms bins

  void reset(std::size_t n, std::size_t m, std::size_t ntones, std::size_t nsigs, std::size_t eb) {
    passed.assign(nsigs, 0);
    passed_prev.assign(nsigs, 0);
    buf.assign(n, 0);
    fill = 0;
    block_index = 0;
    prev_x.assign(m, {});
    cur_x.assign(m, {});
    env.assign(m * eb * kSub, 0.0f);
    tone_blocks = 0;
    x40.assign(m, {});
    prev_x40.assign(m, {});
    prev_e = 0;
    has_prev = false;
    lab_prev2 = lab_prev = -1;
    pow_prev2 = pow_prev = 0;
    freq_prev = 0;
    level_prev = -100;
    have_pending = false;
    run = RunInfo{};
    run.label = -1;
    run_freq_sum = 0;
    run_freq_n = 0;
    cand = false;
    cand_label = -1;
    matchers.assign(ntones, Matcher{});
    active = -1;
    pk20.assign(m, 0.0);
    pk40.assign(m, 0.0);
  }
  std::size_t bytes(std::size_t n, std::size_t m, std::size_t ntones, std::size_t nsigs) const {
    return sizeof(*this) + 2 * nsigs + n * sizeof(std::int16_t) + 2 * m * sizeof(std::complex<float>) +
           ntones * sizeof(Matcher) + env.size() * sizeof(float) + 2 * m * sizeof(std::complex<float>) +
           2 * m * sizeof(double);
  }
};

namespace {

// Plain complex product (std::complex's operator* calls __mulsc3 for its NaN/inf rules without -ffast-math).
inline std::complex<float> cmul(std::complex<float> a, std::complex<float> b) noexcept {
  return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

double wrap_pi(double a) {
  while (a > std::numbers::pi) a -= 2 * std::numbers::pi;
  while (a < -std::numbers::pi) a += 2 * std::numbers::pi;
  return a;
}

std::uint16_t add_filter(ProgressPlan& p, double f) {
  for (std::size_t i = 0; i < p.freq.size(); ++i)
    if (std::abs(p.freq[i] - f) < 0.5) return static_cast<std::uint16_t>(i);
  p.freq.push_back(f);
  return static_cast<std::uint16_t>(p.freq.size() - 1);
}

int add_signature(ProgressPlan& p, const std::vector<ToneComponent>& comps, bool sit, bool am) {
  std::vector<ToneComponent> c = comps;
  std::sort(c.begin(), c.end(), [](auto& a, auto& b) { return a.freq_hz < b.freq_hz; });
  if (c.size() > kMaxComps) throw std::invalid_argument("TonePlan.tones.freqs: more than 4 components");
  for (std::size_t i = 0; i < p.sigs.size(); ++i) {
    const auto& s = p.sigs[i];
    if (s.ncomp != c.size() || s.sit != sit) continue;
    bool same = true;
    for (std::size_t j = 0; j < c.size() && same; ++j) same = std::abs(s.comps[j].nominal_hz - c[j].freq_hz) < 0.5;
    if (same) return static_cast<int>(i);
  }
  Signature s;
  s.sit = sit;
  s.ncomp = static_cast<std::uint8_t>(c.size());
  for (std::size_t j = 0; j < c.size(); ++j) {
    Comp& k = s.comps[j];
    k.nominal_hz = c[j].freq_hz;
    k.level_dbm0 = c[j].level_dbm0;
    if (sit && c.size() == 1) {
      k.alt = {add_filter(p, k.nominal_hz - 1.5 * kSitAltHz), add_filter(p, k.nominal_hz - 0.5 * kSitAltHz),
               add_filter(p, k.nominal_hz + 0.5 * kSitAltHz), add_filter(p, k.nominal_hz + 1.5 * kSitAltHz)};
      k.nalt = 4;
      k.tol_hz = kSitAltTolHz;
    } else {
      k.alt[0] = add_filter(p, k.nominal_hz);
      k.nalt = 1;
      // Capped below the +-25 Hz the 20 ms phase measurement can resolve.
      k.tol_hz = std::min(kMaxTolHz, k.nominal_hz * p.cfg.freq_tolerance_pct / 100.0 + p.cfg.freq_tolerance_hz);
    }
    if (j > 0 && c[j].freq_hz - c[j - 1].freq_hz < kCloseHz) s.close = true;
  }
  for (std::size_t j = 1; j < s.ncomp; ++j) {
    const double diff = s.comps[j].level_dbm0 - s.comps[0].level_dbm0;
    s.comps[j].twist_lo = std::pow(10.0, (diff - p.cfg.max_twist_db) / 10.0);
    s.comps[j].twist_hi = std::pow(10.0, (diff + p.cfg.max_twist_db) / 10.0);
  }
  if (am && s.ncomp == 3) {
    s.comps[0].check_phase = false;
    s.comps[2].check_phase = false;
    s.am_carrier = s.comps[1].nominal_hz - s.comps[0].nominal_hz >= 20.0;
    s.am = true;
    s.fm_hz = s.comps[1].nominal_hz - s.comps[0].nominal_hz;
  }
  s.cls = static_cast<int>(p.sigs.size());
  for (std::size_t i = 0; i < p.sigs.size(); ++i) {
    const auto& o = p.sigs[i];
    if (o.ncomp != s.ncomp) continue;
    bool same = true;
    for (std::size_t j = 0; j < s.ncomp && same; ++j) same = std::abs(o.comps[j].nominal_hz - s.comps[j].nominal_hz) < 0.5;
    if (same) {
      s.cls = o.cls;
      break;
    }
  }
  p.sigs.push_back(s);
  return static_cast<int>(p.sigs.size() - 1);
}

void compile(ProgressPlan& p, Isa isa) {
  const auto& cfg = p.cfg;
  if (cfg.sample_rate_hz != 8000 && cfg.sample_rate_hz != 16000)
    throw std::invalid_argument("ProgressDetectorConfig.sample_rate_hz: must be 8000 or 16000");
  if (!(cfg.min_purity > 0.1 && cfg.min_purity < 1.0))
    throw std::invalid_argument("ProgressDetectorConfig.min_purity: must be in (0.1, 1)");
  if (!(cfg.min_level_dbm0 < 0.0 && cfg.min_level_dbm0 > -70.0))
    throw std::invalid_argument("ProgressDetectorConfig.min_level_dbm0: must be in (-70, 0)");
  if (!(cfg.max_twist_db > 0.0)) throw std::invalid_argument("ProgressDetectorConfig.max_twist_db: must be > 0");
  if (!(cfg.freq_tolerance_pct >= 0.0 && cfg.freq_tolerance_pct <= 5.0))
    throw std::invalid_argument("ProgressDetectorConfig.freq_tolerance_pct: must be in 0..5");
  if (!(cfg.freq_tolerance_hz >= 0.0 && cfg.freq_tolerance_hz <= 20.0))
    throw std::invalid_argument("ProgressDetectorConfig.freq_tolerance_hz: must be in 0..20");
  if (!(cfg.cadence_tolerance_pct >= 0.0 && cfg.cadence_tolerance_pct < 50.0))
    throw std::invalid_argument("ProgressDetectorConfig.cadence_tolerance_pct: must be in [0, 50)");
  if (cfg.cadence_tolerance_ms < 0) throw std::invalid_argument("ProgressDetectorConfig.cadence_tolerance_ms: must be >= 0");
  if (cfg.sit_segment_tolerance_ms < 0)
    throw std::invalid_argument("ProgressDetectorConfig.sit_segment_tolerance_ms: must be >= 0");
  if (cfg.confirm_cycles < 1 || cfg.confirm_cycles > 8)
    throw std::invalid_argument("ProgressDetectorConfig.confirm_cycles: must be in 1..8");
  if (cfg.min_continuous_ms < 100) throw std::invalid_argument("ProgressDetectorConfig.min_continuous_ms: must be >= 100");
  if (p.plan.tones.empty()) throw std::invalid_argument("TonePlan.tones: empty");
  if (p.plan.tones.size() > 65535) throw std::invalid_argument("TonePlan.tones: too many");

  p.rate = cfg.sample_rate_hz;
  p.n = static_cast<std::size_t>(p.rate * kBlockMs / 1000.0);
  p.sub_len = p.n / kSub;
  const double spms = p.rate / 1000.0;
  auto tol = [&](double ms, bool sit) {
    double t = ms * cfg.cadence_tolerance_pct / 100.0 + cfg.cadence_tolerance_ms;
    if (sit) t = std::max(t, static_cast<double>(cfg.sit_segment_tolerance_ms));
    return t;
  };
  // Per tone: elements with signatures; short silences merged into the previous element.
  struct Raw {
    int sig;
    double ms;
    bool cont;
  };
  std::vector<std::vector<Raw>> raws;
  for (std::size_t ti = 0; ti < p.plan.tones.size(); ++ti) {
    const Tone& t = p.plan.tones[ti];
    const bool sit = t.kind == ToneKind::sit;
    std::vector<Raw> raw;
    for (const auto& seg : t.segments) {
      const int sig = seg.silent() ? -1 : add_signature(p, seg.components, sit, t.am);
      const bool cont = seg.duration_ms == 0;
      if (!raw.empty() && sig == -1 && seg.duration_ms < 2 * kBlockMs) {  // bridged by the detector
        raw.back().ms += seg.duration_ms;
        continue;
      }
      if (!raw.empty() && raw.back().sig == sig && !raw.back().cont) {
        raw.back().ms += seg.duration_ms;
        raw.back().cont = cont;
        continue;
      }
      raw.push_back({sig, static_cast<double>(seg.duration_ms), cont});
    }
    if (!t.repeat || raw.back().cont)
      while (raw.size() > 1 && raw.back().sig == -1) raw.pop_back();
    // A repeating cadence whose merged pattern is one tone element (e.g. 650/25 ms) is continuous.
    if (t.repeat && raw.size() == 1) raw[0].cont = true;
    raws.push_back(raw);
  }
  // Longest finite tone-on element per signature (continuous confirmation must outlast it).
  std::vector<double> longest(p.sigs.size(), 0.0);
  for (const auto& raw : raws)
    for (const auto& r : raw)
      if (r.sig >= 0 && !r.cont) longest[p.sigs[static_cast<std::size_t>(r.sig)].cls] = std::max(longest[p.sigs[static_cast<std::size_t>(r.sig)].cls], r.ms + tol(r.ms, false));
  for (std::size_t ti = 0; ti < raws.size(); ++ti) {
    const Tone& t = p.plan.tones[ti];
    const bool sit = t.kind == ToneKind::sit;
    CTone ct{t.kind, static_cast<std::uint16_t>(ti), {}, t.repeat, 0};
    for (std::size_t i = 0; i < raws[ti].size(); ++i) {
      const Raw& r = raws[ti][i];
      Elem e;
      e.sig = r.sig >= 0 ? p.sigs[static_cast<std::size_t>(r.sig)].cls : -1;
      e.continuous = r.cont;
      if (r.cont) {
        const double min_ms = i == 0 ? std::max<double>(cfg.min_continuous_ms, longest[p.sigs[static_cast<std::size_t>(r.sig)].cls] + kBlockMs)
                                     : std::max(200.0, longest[p.sigs[static_cast<std::size_t>(r.sig)].cls] + kBlockMs);
        e.min = static_cast<std::uint64_t>(min_ms * spms);
        e.max = kForever;
      } else {
        const double tl = tol(r.ms, sit && r.sig >= 0);
        e.min = static_cast<std::uint64_t>(std::max(0.0, r.ms - tl) * spms);
        e.max = static_cast<std::uint64_t>((r.ms + tl) * spms);
      }
      ct.el.push_back(e);
    }
    const bool cont = ct.el.back().continuous;
    ct.repeat = t.repeat && !cont;
    const auto len = static_cast<std::uint32_t>(ct.el.size());
    if (ct.repeat && (t.kind == ToneKind::busy || t.kind == ToneKind::congestion))
      ct.needed = static_cast<std::uint32_t>(cfg.confirm_cycles) * len;
    else if (ct.repeat && len == 2 && ct.el[0].sig >= 0 && ct.el[1].sig < 0 &&
             ct.el[0].max <= static_cast<std::uint64_t>(kShortBurstMs * spms) &&
             ct.el[1].min >= static_cast<std::uint64_t>(kLongPauseMs * spms))
      ct.needed = 3;  // one short burst and a long pause (UK call waiting 400 Hz 100/4000): confirmed on the 2nd burst
    else
      ct.needed = len;
    ct.twin = static_cast<std::uint16_t>(p.tones.size());
    for (std::size_t o = 0; o < p.tones.size(); ++o)
      if (p.tones[o].el == ct.el && p.tones[o].repeat == ct.repeat) {
        ct.twin = p.tones[o].twin;
        break;
      }
    p.tones.push_back(std::move(ct));
  }
  const std::size_t ns = p.sigs.size();
  p.grows.assign(ns * ns, 0);
  for (std::size_t a = 0; a < ns; ++a)
    for (std::size_t b = 0; b < ns; ++b) {
      const auto& sa = p.sigs[a];
      const auto& sb = p.sigs[b];
      if (sb.ncomp <= sa.ncomp) continue;
      bool all = true;
      for (std::size_t i = 0; i < sa.ncomp && all; ++i) {
        bool found = false;
        for (std::size_t j = 0; j < sb.ncomp; ++j) found = found || std::abs(sa.comps[i].nominal_hz - sb.comps[j].nominal_hz) < 0.5;
        all = found;
      }
      p.grows[static_cast<std::size_t>(sa.cls) * ns + static_cast<std::size_t>(sb.cls)] = all;
    }
  p.am_sib.assign(ns * ns, 0);
  for (std::size_t a = 0; a < ns; ++a)
    for (std::size_t b = 0; b < ns; ++b) {
      const auto& sa = p.sigs[a];
      const auto& sb = p.sigs[b];
      if (sa.cls == sb.cls || !sa.am || !sb.am || std::abs(sa.comps[1].nominal_hz - sb.comps[1].nominal_hz) >= 0.5)
        continue;
      p.am_sib[static_cast<std::size_t>(sa.cls) * ns + static_cast<std::size_t>(sb.cls)] = 1;
      p.sigs[a].am_rivals = true;
    }
  p.near.assign(ns * ns, 0);
  auto covers = [](const Signature& x, const Signature& y) {
    for (std::size_t i = 0; i < x.ncomp; ++i) {
      bool found = false;
      for (std::size_t j = 0; j < y.ncomp; ++j) found = found || std::abs(x.comps[i].nominal_hz - y.comps[j].nominal_hz) <= kNearHz;
      if (!found) return false;
    }
    return true;
  };
  for (std::size_t a = 0; a < ns; ++a)
    for (std::size_t b = 0; b < ns; ++b)
      if (p.sigs[a].cls != p.sigs[b].cls && !p.sigs[a].sit && !p.sigs[b].sit && covers(p.sigs[a], p.sigs[b]) &&
          covers(p.sigs[b], p.sigs[a]))
        p.near[static_cast<std::size_t>(p.sigs[a].cls) * ns + static_cast<std::size_t>(p.sigs[b].cls)] = 1;
  // Filters.
  p.m = p.freq.size();
  if (p.m == 0) throw std::invalid_argument("TonePlan.tones: no frequencies");
  p.m16 = (p.m + 15) / 16 * 16;
  p.coeff.assign(p.m16, 0.0f);
  p.cos_w.assign(p.m16, 0.0f);
  p.sin_w.assign(p.m16, 0.0f);
  p.rot_re.assign(kSub * p.m16, 0.0f);
  p.rot_im.assign(kSub * p.m16, 0.0f);
  p.half_re.assign(p.m16, 0.0f);
  p.half_im.assign(p.m16, 0.0f);
  p.rot_n.resize(p.m);
  p.adv.resize(p.m);
  for (std::size_t f = 0; f < p.m; ++f) {
    if (!(p.freq[f] > 0 && p.freq[f] < p.rate / 2))
      throw std::invalid_argument("TonePlan.tones.freqs: frequency outside (0, rate/2)");
    const double w = 2 * std::numbers::pi * p.freq[f] / p.rate;
    p.coeff[f] = static_cast<float>(2 * std::cos(w));
    p.cos_w[f] = static_cast<float>(std::cos(w));
    p.sin_w[f] = static_cast<float>(std::sin(w));
    for (std::size_t j = 0; j < kSub; ++j) {
      const auto r = std::polar(1.0f, static_cast<float>(-w * static_cast<double>(j * p.sub_len)));
      p.rot_re[j * p.m16 + f] = r.real();
      p.rot_im[j * p.m16 + f] = r.imag();
    }
    p.rot_n[f] = std::polar(1.0f, static_cast<float>(-w * static_cast<double>(p.n)));
    p.half_re[f] = static_cast<float>(std::cos(w * static_cast<double>(p.sub_len / 2)));
    p.half_im[f] = static_cast<float>(std::sin(w * static_cast<double>(p.sub_len / 2)));
    p.adv[f] = std::remainder(w * static_cast<double>(p.n), 2 * std::numbers::pi);  // in [-pi, pi]: one wrap step
  }
  p.k = &progress_kernels(isa);
  p.hz_per_rad = p.rate / (2 * std::numbers::pi * static_cast<double>(p.n));
  p.min_power = dbm0_to_power(cfg.min_level_dbm0);
  p.need40.assign(p.m, 0);
  for (const auto& sg : p.sigs)
    if (sg.close)
      for (std::size_t ci = 0; ci < sg.ncomp; ++ci)
        for (std::size_t a = 0; a < sg.comps[ci].nalt; ++a) p.need40[sg.comps[ci].alt[a]] = 1;
  for (std::size_t f = 0; f < p.m; ++f)
    if (p.need40[f]) p.n40.push_back(static_cast<std::uint16_t>(f));
  std::vector<std::uint8_t> keep_env = p.need40;
  for (const auto& sg : p.sigs)
    if (sg.am_rivals) keep_env[sg.comps[1].alt[0]] = 1;
  for (std::size_t f = 0; f < p.m; ++f)
    if (keep_env[f]) p.envf.push_back(static_cast<std::uint16_t>(f));
  for (const auto& sg : p.sigs)
    if (sg.am_rivals) p.env_blocks = kEnvBlocks;
  // A signature passes only if its components' shares sum to its purity floor: one of them holds at least
  // floor / components (and is above the level floor).
  p.screen_ratio = 1.0;
  for (const auto& sg : p.sigs) {
    const double need = sg.close ? cfg.min_purity - 0.1 : cfg.min_purity;
    p.screen_ratio = std::min(p.screen_ratio, need / sg.ncomp);
  }
  p.kc_single = ProgressConsts{p.coeff.data(),  p.cos_w.data(),   p.sin_w.data(), p.rot_re.data(),
                               p.rot_im.data(), p.half_re.data(), p.half_im.data(), p.m16,
                               p.m16,           p.sub_len};
  p.kc_multi = p.kc_single;
  p.kc_multi.m = p.m;
}

struct Emitter {
  void* ctx;
  void (*fn)(void*, const ProgressEvent&);
  void operator()(const ProgressEvent& e) const { fn(ctx, e); }
};

class Engine {
 public:
  Engine(const ProgressPlan& p, ProgressChannel& c, Emitter emit) : p_(p), c_(c), emit_(emit) {}

  // The kernel's outputs for this channel: X of filter f at xre/xim[f * xs], env of (f, sub j) at env[f * ef + j * ej].
  void block(const float* xre, const float* xim, const float* env_in, std::size_t xs, std::size_t ef, std::size_t ej,
             double energy) {
    const std::size_t m = p_.m;
    for (std::size_t f = 0; f < m; ++f) c_.cur_x[f] = {xre[f * xs], xim[f * xs]};
    for (const std::uint16_t f : p_.envf) {
      const std::size_t eb = p_.env_blocks;
      float* env = c_.env.data() + f * eb * kSub;
      for (std::size_t j = 0; j + kSub < eb * kSub; ++j) env[j] = env[j + kSub];
      for (std::size_t j = 0; j < kSub; ++j) env[(eb - 1) * kSub + j] = env_in[f * ef + j * ej];
    }
    for (const std::uint16_t f : p_.n40) {
      c_.prev_x40[f] = c_.x40[f];
      c_.x40[f] = c_.prev_x[f] + cmul(p_.rot_n[f], c_.cur_x[f]);
    }
    const std::uint64_t j = c_.block_index;
    // Evaluate signatures on this block (needs the previous one).
    int label = -1;
    float power = 0, freq = 0, level = -100;
    std::swap(c_.passed, c_.passed_prev);
    std::fill(c_.passed.begin(), c_.passed.end(), std::uint8_t{0});
    float fit = 0;  // unused here (the evaluation's AM fit of the chosen signature)
    if (c_.has_prev && energy > 1e-3) evaluate(energy, label, power, freq, level, fit);
    else c_.tone_blocks = 0;
    // Trim the pending block (j-1) if it is an edge, then hand it to the run builder.
    if (c_.have_pending) {
      int lp = c_.lab_prev;
      if (lp >= 0) {
        float ref = 0;
        if (c_.lab_prev2 == lp) ref = std::max(ref, c_.pow_prev2);
        if (label == lp) ref = std::max(ref, power);
        if (ref > 0 && c_.pow_prev < kEdgeRatio * ref) lp = -1;
      }
      push_block(j - 1, lp >= 0 ? p_.sigs[static_cast<std::size_t>(lp)].cls : -1, c_.freq_prev, c_.level_prev);
    }
    c_.lab_prev2 = c_.lab_prev;
    c_.pow_prev2 = c_.pow_prev;
    c_.lab_prev = label;
    c_.pow_prev = power;
    c_.freq_prev = freq;
    c_.level_prev = level;
    c_.have_pending = true;
    std::swap(c_.prev_x, c_.cur_x);
    c_.prev_e = energy;
    c_.has_prev = true;
    ++c_.block_index;
  }

  void finish(std::uint64_t total_samples) {
    if (c_.active >= 0) {
      const CTone& t = p_.tones[static_cast<std::size_t>(c_.active)];
      Matcher& mt = c_.matchers[static_cast<std::size_t>(c_.active)];
      std::uint64_t end = mt.last_on_end;
      const Elem& e = t.el[mt.pos];
      if (c_.run.label >= 0 && c_.run.label == e.sig) end = total_samples;  // still sounding
      if (c_.cand && c_.cand_label == e.sig && e.sig >= 0) end = total_samples;
      end_event(c_.active, std::max(end, mt.start));
    }
  }

 private:
  // AM: the share of the carrier's 5 ms envelope variance (over the last 40-80 ms: the blocks since the tone began,
  // at least two) that a sinusoid at the modulation frequency explains (least squares on 1, cos, sin). The plan's
  // rate gives ~1; a rate 8 Hz off over 80 ms (400x25 against 400x33, 400x16) well under 0.8.
  double am_fit(const Signature& s) const {
    const std::size_t eb = p_.env_blocks;
    const std::size_t blocks = std::clamp<std::size_t>(c_.tone_blocks, 2, eb);
    const std::size_t k = blocks * kSub;
    const float* env = c_.env.data() + s.comps[1].alt[0] * eb * kSub + (eb - blocks) * kSub;
    const double dt = 1.0 / (static_cast<double>(kSub) * 1000.0 / kBlockMs);  // seconds per 5 ms magnitude
    double a[3][4] = {};
    double mean = 0;
    for (std::size_t i = 0; i < k; ++i) mean += env[i];
    mean /= static_cast<double>(k);
    double tot = 0;
    for (std::size_t i = 0; i < k; ++i) {
      const double ph = 2 * std::numbers::pi * s.fm_hz * dt * static_cast<double>(i);
      const double b[3] = {1.0, std::cos(ph), std::sin(ph)};
      const double y = env[i] - mean;
      tot += y * y;
      for (std::size_t r = 0; r < 3; ++r) {
        for (std::size_t q = 0; q < 3; ++q) a[r][q] += b[r] * b[q];
        a[r][3] += b[r] * y;
      }
    }
    if (!(tot > 0)) return 0;
    // Gauss-Jordan on the 3x3 normal equations (well conditioned: >= 40 ms against a >= 12.5 ms period).
    for (std::size_t i = 0; i < 3; ++i) {
      std::size_t piv = i;
      for (std::size_t r = i + 1; r < 3; ++r)
        if (std::abs(a[r][i]) > std::abs(a[piv][i])) piv = r;
      if (std::abs(a[piv][i]) < 1e-12) return 0;
      for (std::size_t q = 0; q < 4; ++q) std::swap(a[i][q], a[piv][q]);
      for (std::size_t r = 0; r < 3; ++r) {
        if (r == i) continue;
        const double g = a[r][i] / a[i][i];
        for (std::size_t q = i; q < 4; ++q) a[r][q] -= g * a[i][q];
      }
    }
    // Explained sum of squares = coefficients . (B^T y) (B^T y kept from before elimination is not: recompute).
    double c[3];
    for (std::size_t i = 0; i < 3; ++i) c[i] = a[i][3] / a[i][i];
    double res = 0;
    for (std::size_t i = 0; i < k; ++i) {
      const double ph = 2 * std::numbers::pi * s.fm_hz * dt * static_cast<double>(i);
      const double e = env[i] - mean - (c[0] + c[1] * std::cos(ph) + c[2] * std::sin(ph));
      res += e * e;
    }
    return 1.0 - res / tot;
  }

  void evaluate(double energy, int& label, float& power, float& freq, float& level, float& fit_out) {
    const double n = static_cast<double>(p_.n);
    const double e40 = energy + c_.prev_e;
    // Powers once per block, and the screen: speech, music, noise and silence stop here.
    const double r20 = 2.0 / (n * energy), w20 = 2.0 / (n * n);
    const double r40 = 1.0 / (n * e40), w40 = 1.0 / (2 * n * n);
    bool any = false;
    for (std::size_t f = 0; f < p_.m; ++f) {
      const double pk = std::norm(c_.cur_x[f]);
      c_.pk20[f] = pk;
      any = any || (pk * r20 >= p_.screen_ratio && pk * w20 >= p_.min_power);
    }
    for (const std::uint16_t f : p_.n40) {
      const double pk = std::norm(c_.x40[f]);
      c_.pk40[f] = pk;
      any = any || (pk * r40 >= p_.screen_ratio && pk * w40 >= p_.min_power);
    }
    if (!any) {
      c_.tone_blocks = 0;
      return;
    }
    ++c_.tone_blocks;
    int best_n = 0;
    double best_purity = 0, best_pmax = 0;
    for (std::size_t si = 0; si < p_.sigs.size(); ++si) {
      const Signature& s = p_.sigs[si];
      // Close signatures are judged on 40 ms bins and the 5 ms envelope over 40 ms: on a tone's first block (the
      // previous one did not pass the screen) half of that is silence, any envelope "varies", and the bins are
      // smeared (425x24 onsets passed as 400x16), so they wait for the tone's second block.
      if (s.close && c_.tone_blocks < 2) continue;
      // Cheap screen first (powers only): purity and the level floor. Speech, music and noise stop here.
      double purity = 0, pw = 0;
      double cp[kMaxComps];
      std::size_t fi[kMaxComps];
      bool ok = true;
      for (std::size_t ci = 0; ci < s.ncomp && ok; ++ci) {
        const Comp& c = s.comps[ci];
        double best_ratio = -1, best_pow = 0;
        std::size_t best_f = c.alt[0];
        for (std::size_t a = 0; a < c.nalt; ++a) {
          const std::size_t f = c.alt[a];
          double ratio, pwr;
          if (s.close) {
            const double p40 = c_.pk40[f];
            ratio = p40 * r40;
            pwr = p40 * w40;
          } else {
            const double pk = c_.pk20[f];
            ratio = pk * r20;
            pwr = pk * w20;
          }
          if (ratio > best_ratio) {
            best_ratio = ratio;
            best_pow = pwr;
            best_f = f;
          }
        }
        if (best_pow < p_.min_power) ok = false;
        purity += best_ratio;
        pw += best_pow;
        cp[ci] = best_pow;
        fi[ci] = best_f;
      }
      if (!ok) continue;
      const double need = s.close ? p_.cfg.min_purity - 0.1 : p_.cfg.min_purity;
      if (purity < need) continue;
      // Frequencies: phase advance over one block, of the 20 ms bins, or of the 40 ms bins (hop 20 ms) for close
      // components, whose 40 ms bins are orthogonal at the nominal spacing.
      double meas_best = 0, pmax = -1;
      for (std::size_t ci = 0; ci < s.ncomp && ok; ++ci) {
        const Comp& c = s.comps[ci];
        const std::size_t f = fi[ci];
        double meas = p_.freq[f];
        if (!s.close || c.check_phase) {
          const std::complex<float> cur = s.close ? c_.x40[f] : c_.cur_x[f];
          const std::complex<float> prv = s.close ? c_.prev_x40[f] : c_.prev_x[f];
          if (std::norm(prv) >= 0.1 * std::norm(cur)) {
            const std::complex<float> z = cmul(cur, std::conj(prv));
            const double d = wrap_pi(fast_atan2(z.imag(), z.real()) - p_.adv[f]);
            meas = p_.freq[f] + d * p_.hz_per_rad;
            ok = std::abs(meas - p_.freq[f]) <= c.tol_hz;
            if (s.sit) ok = ok && std::abs(meas - c.nominal_hz) <= 1.5 * kSitAltHz + kSitAltTolHz;
            else ok = ok && std::abs(meas - c.nominal_hz) <= c.tol_hz;
          }
        }
        if (cp[ci] > pmax) {
          pmax = cp[ci];
          meas_best = meas - c.nominal_hz;  // offset from nominal (the components of a tone share it)
        }
      }
      if (!ok) continue;
      if (s.close) {  // two tones 25-45 Hz apart beat, an AM tone is modulated: a single tone between is neither
        const float* env = c_.env.data() + s.comps[0].alt[0] * p_.env_blocks * kSub + (p_.env_blocks - 2) * kSub;
        const auto [lo, hi] = std::minmax_element(env, env + 2 * kSub);
        if (*hi <= 0.0f || (*hi - *lo) / (*hi + *lo) < kMinEnvelopeDepth) continue;
      }
      // Twist: 10 log10(cp_i / cp_0) within max_twist_db of the plan's level difference, as power ratios.
      for (std::size_t ci = 1; ci < s.ncomp && ok; ++ci)
        if (cp[ci] < s.comps[ci].twist_lo * cp[0] || cp[ci] > s.comps[ci].twist_hi * cp[0]) ok = false;
      if (!ok) continue;
      // Two tones either side of an AM carrier (413+438 Hz against 425x24) fill the carrier bin no more than the
      // sideband bins; a real AM tone's carrier (depth <= 1) is 6 dB above each sideband.
      if (s.am_carrier && cp[1] < 2.0 * std::max(cp[0], cp[2])) continue;
      // AM with rivals (same carrier, other rates): how well the envelope follows this one's rate.
      const double fit = s.am_rivals ? am_fit(s) : 0.0;
      c_.passed[si] = 1;
      // Best: most components, then purest; but the previous block's signature, while it passes, is replaced only
      // by one with more components that passed on the previous block too (no flip-flop between overlapping
      // signatures on a beating tone, e.g. 413+438 Hz against 425x24).
      // AM signatures with the same carrier and other rates (merged plans: 400x16, 400x25, 400x33) are ranked by
      // their envelope fit instead, and the held one yields to a rival that fits better by a margin, so that the
      // choice made on the tone's first blocks (a 40 ms envelope) is revised as the 80 ms envelope fills.
      int rank = s.ncomp;
      double score = s.am_rivals ? 1.0 + fit : purity;
      const bool sib = c_.lab_prev >= 0 &&
                       p_.am_sib[static_cast<std::size_t>(p_.sigs[static_cast<std::size_t>(c_.lab_prev)].cls) * p_.sigs.size() +
                                 static_cast<std::size_t>(s.cls)];
      if (static_cast<int>(si) == c_.lab_prev) {
        rank = 16;
        score += kAmSwitchMargin;
      } else if (sib && c_.passed_prev[si]) {
        rank = 16;
      } else if (c_.lab_prev >= 0 && c_.passed_prev[si] && s.ncomp > p_.sigs[static_cast<std::size_t>(c_.lab_prev)].ncomp) {
        rank = 17;
      }
      if (rank > best_n || (rank == best_n && score > best_purity)) {
        fit_out = static_cast<float>(fit);
        best_n = rank;
        best_purity = score;
        label = static_cast<int>(si);
        power = static_cast<float>(pw);
        freq = static_cast<float>(meas_best);
        best_pmax = pmax;
      }
    }
    if (label >= 0) level = static_cast<float>(power_to_dbm0(best_pmax));
  }

  std::size_t pair(int a, int b) const {
    return static_cast<std::size_t>(a) * p_.sigs.size() + static_cast<std::size_t>(b);
  }
  // Classes a (held) and b (new) as above; onset: a is a candidate's first block after silence.
  bool related(int a, int b, bool onset) const {
    const Signature& sa = p_.sigs[static_cast<std::size_t>(a)];
    return p_.am_sib[pair(a, b)] || p_.grows[pair(a, b)] ||
           ((sa.am || sa.close || onset) && (p_.grows[pair(b, a)] || p_.near[pair(a, b)]));
  }

  // Run builder: block jb has final label lab. A one-block deviation is bridged.
  void push_block(std::uint64_t jb, int lab, float freq, float level) {
    const std::uint64_t n = p_.n;
    // A young run (its first kAmReviseBlocks blocks) takes the label of a block that is a related signature: an AM
    // tone's rate revised (same carrier, another rate; see evaluate: the first blocks judge a 40-60 ms envelope), a
    // superset of its components (an AM tone's carrier alone on the tone's first block), or, for a run of an AM or
    // close signature, a subset or a neighbour (components within kNearHz: a tone's onset, half silence in the 40 ms
    // bins, looked modulated or smeared; 425x24 starting in its envelope's trough passed as 400x16). Later, a
    // block fitting another AM rate better (a tone's last, partial block) counts as the run's own.
    if (!c_.cand && lab >= 0 && c_.run.label >= 0 && lab != c_.run.label) {
      const bool young = c_.run.end - c_.run.start <= kAmReviseBlocks * n;
      if (young && related(c_.run.label, lab, false)) c_.run.label = lab;
      else if (p_.am_sib[pair(c_.run.label, lab)]) lab = c_.run.label;
    }
    // The same on a candidate tone run's first blocks after silence (a new tone's onset, whatever its signature):
    // the candidate takes this block's label, from its first block; a further block with that label confirms it.
    if (c_.cand && c_.run.label < 0 && lab >= 0 && c_.cand_label >= 0 && lab != c_.cand_label &&
        related(c_.cand_label, lab, true) && jb * n - c_.cand_start < kAmReviseBlocks * n) {
      c_.cand_label = lab;
      c_.cand_freq = freq;
      c_.cand_level = level;
      running(jb, c_.cand_start);  // the silence before it ended where the candidate began
      return;
    }
    if (!c_.cand) {
      if (lab == c_.run.label) {
        extend(jb, freq, level);
      } else {
        c_.cand = true;
        c_.cand_label = lab;
        c_.cand_start = jb * n;
        c_.cand_freq = freq;
        c_.cand_level = level;
      }
    } else if (lab == c_.cand_label && lab >= 0 && c_.run.label >= 0 && c_.run.end - c_.run.start <= 3 * n &&
               p_.grows[static_cast<std::size_t>(c_.run.label) * p_.sigs.size() + static_cast<std::size_t>(lab)]) {
      // A tone whose first blocks matched a subset of its components (an AM tone's carrier before its
      // sidebands were resolved): the run was this signature from its start.
      c_.run.label = lab;
      c_.run.end = (jb + 1) * n;
      accumulate(c_.cand_freq, c_.cand_level);
      accumulate(freq, level);
      c_.cand = false;
    } else if (lab == c_.cand_label) {
      // Commit: the current run is complete.
      RunInfo done = c_.run;
      done.end = c_.cand_start;
      if (c_.run_freq_n) done.freq_hz = static_cast<float>(c_.run_freq_sum / c_.run_freq_n);
      c_.run = RunInfo{c_.cand_label, c_.cand_start, (jb + 1) * n, 0, -100};
      c_.run_freq_sum = 0;
      c_.run_freq_n = 0;
      accumulate(c_.cand_freq, c_.cand_level);
      accumulate(freq, level);
      c_.cand = false;
      run_complete(done);
    } else {
      // Bridge the one-block deviation.
      extend(jb - 1, 0, -100);
      c_.cand = false;
      if (lab == c_.run.label) {
        extend(jb, freq, level);
      } else {
        c_.cand = true;
        c_.cand_label = lab;
        c_.cand_start = jb * n;
        c_.cand_freq = freq;
        c_.cand_level = level;
      }
    }
    running(jb);
  }
  void extend(std::uint64_t jb, float freq, float level) {
    c_.run.end = (jb + 1) * p_.n;
    accumulate(freq, level);
  }
  void accumulate(float freq, float level) {
    if (c_.run.label >= 0 && level > -99.0f) {
      c_.run_freq_sum += freq;
      ++c_.run_freq_n;
      c_.run.level_dbm0 = std::max(c_.run.level_dbm0, level);
    }
  }

  static bool fits(const Elem& e, int label, std::uint64_t dur) {
    return e.sig == label && dur >= e.min && dur <= e.max;
  }

  // Measured frequencies: SIT, one per segment; other tones, each component of this run's signature.
  void record_on(Matcher& mt, const CTone& t, const RunInfo& r) {
    mt.last_on_end = r.end;
    mt.level_dbm0 = r.level_dbm0;
    const Signature& sg = p_.sigs[static_cast<std::size_t>(r.label)];
    if (t.kind == ToneKind::sit) {
      if (mt.nseg < 4) mt.seg_hz[mt.nseg++] = static_cast<float>(sg.comps[0].nominal_hz + r.freq_hz);
    } else {
      mt.nseg = sg.ncomp;
      for (std::size_t i = 0; i < sg.ncomp; ++i) mt.seg_hz[i] = static_cast<float>(sg.comps[i].nominal_hz + r.freq_hz);
    }
  }

  // Another tone, of a different kind and cadence, that the signal so far still fits: confirming now would be a
  // guess (e.g. 425 Hz 500/500 busy against 425/450/50 special dial, until the off passes 95 ms).
  // Only a tone whose alignment began no later than this one's competes (one that re-aligned later explains less
  // of the signal).
  bool competitor_alive(std::size_t ti) const {
    const RunInfo& r = c_.run;
    const std::uint64_t dur = r.end - r.start;
    const CTone& t = p_.tones[ti];
    const Matcher& mt = c_.matchers[ti];
    for (std::size_t u = 0; u < p_.tones.size(); ++u) {
      const CTone& o = p_.tones[u];
      if (u == ti || o.twin == t.twin || o.kind == t.kind) continue;
      const Matcher& mu = c_.matchers[u];
      if (!mu.synced || mu.pending || mu.start > mt.start) continue;
      const Elem& e = o.el[mu.pos];
      if (e.sig == r.label && dur <= e.max) return true;
    }
    return false;
  }
  bool may_begin(std::size_t ti) const {
    return c_.active < 0 && p_.tones[ti].twin == ti && !competitor_alive(ti);
  }

  void run_complete(const RunInfo& r) {
    const std::uint64_t dur = r.end - r.start;
    const bool was_active = c_.active >= 0;
    for (std::size_t ti = 0; ti < p_.tones.size(); ++ti) {
      const CTone& t = p_.tones[ti];
      Matcher& mt = c_.matchers[ti];
      const auto len = static_cast<std::uint32_t>(t.el.size());
      bool advanced = false;
      if (mt.pending) continue;
      // A silence of up to two blocks inside a tone-on element (SIT gaps of 15-30 ms) is not a cadence element.
      if (mt.synced && r.label < 0 && dur <= 2 * p_.n && t.el[mt.pos].sig >= 0) continue;
      if (mt.synced) {
        const Elem& e = t.el[mt.pos];
        if (fits(e, r.label, dur)) {
          ++mt.matched;
          if (r.label >= 0) record_on(mt, t, r);
          advanced = true;
          if (++mt.pos == len) {
            if (t.repeat) {
              mt.pos = 0;
            } else {
              // Played once: complete.
              if (static_cast<int>(ti) == c_.active) {
                end_event(c_.active, mt.last_on_end);
                mt = Matcher{};
              } else if (!was_active && mt.matched >= t.needed && t.twin == ti) {
                mt.pending = true;  // decided in the pass below, after every matcher has seen this run
              } else {
                mt = Matcher{};
              }
              continue;
            }
          }
        }
      }
      if (!advanced) {
        if (static_cast<int>(ti) == c_.active) end_event(c_.active, mt.last_on_end);
        mt = Matcher{};
        if (r.label >= 0) {
          const std::uint32_t qmax = t.repeat ? len : 1;
          for (std::uint32_t q = 0; q < qmax; ++q) {
            if (!fits(t.el[q], r.label, dur) || t.el[q].continuous) continue;
            mt.synced = true;
            mt.matched = 1;
            mt.start = r.start;
            record_on(mt, t, r);
            mt.pos = q + 1;
            if (mt.pos == len) {
              if (t.repeat) {
                mt.pos = 0;
              } else if (!was_active && mt.matched >= t.needed && t.twin == ti) {
                mt.pending = true;
              } else {
                mt = Matcher{};
              }
            }
            break;
          }
        }
      }
      if (mt.synced && !mt.pending && !was_active && may_begin(ti) && mt.matched >= t.needed)
        begin_event(static_cast<int>(ti), r.end);
    }
    if (!was_active) fire_pending(r.end);
  }

  void fire_pending(std::uint64_t now) {
    for (std::size_t ti = 0; ti < p_.tones.size(); ++ti) {
      Matcher& mt = c_.matchers[ti];
      if (!mt.pending || !may_begin(ti)) continue;
      begin_event(static_cast<int>(ti), now);
      end_event(static_cast<int>(ti), mt.last_on_end);
      c_.matchers[ti] = Matcher{};
    }
  }

  // Checks on the open run after block jb (until `end`, if given).
  void running(std::uint64_t jb, std::uint64_t end = 0) {
    const RunInfo& r = c_.run;
    const std::uint64_t now = end ? end : (jb + 1) * p_.n;
    const std::uint64_t dur = now - r.start;
    for (std::size_t ti = 0; ti < p_.tones.size(); ++ti) {
      const CTone& t = p_.tones[ti];
      Matcher& mt = c_.matchers[ti];
      if (!mt.synced && t.el[0].continuous && r.label >= 0 && r.label == t.el[0].sig) {
        mt = Matcher{};
        mt.synced = true;
        mt.start = r.start;
      }
      if (!mt.synced || mt.pending) continue;
      const Elem& e = t.el[mt.pos];
      if (e.sig != r.label) continue;
      if (dur > e.max) {
        if (static_cast<int>(ti) == c_.active) end_event(c_.active, mt.last_on_end);
        mt = Matcher{};
        continue;
      }
      if ((e.sig < 0 || e.continuous) && dur >= e.min && mt.matched + 1 >= t.needed && may_begin(ti)) {
        if (e.sig >= 0 && e.continuous) {
          RunInfo cur = r;
          if (c_.run_freq_n) cur.freq_hz = static_cast<float>(c_.run_freq_sum / c_.run_freq_n);
          const std::uint64_t keep = mt.last_on_end;
          record_on(mt, t, cur);
          mt.last_on_end = keep;
        }
        begin_event(static_cast<int>(ti), now, mt.matched + 1);
      }
    }
    if (c_.active < 0) fire_pending(now);
  }

  void begin_event(int ti, std::uint64_t now, std::uint32_t elements = 0) {
    const CTone& t = p_.tones[static_cast<std::size_t>(ti)];
    const Matcher& mt = c_.matchers[static_cast<std::size_t>(ti)];
    ProgressEvent ev;
    ev.begin = true;
    ev.kind = t.kind;
    ev.tone = t.index;
    ev.sample = mt.start;
    ev.confirmed_sample = now;
    ev.elements = elements ? elements : mt.matched;
    fill(ev, t, mt);
    c_.active = ti;
    // Other alignments over the same stretch of signal are explained by this tone.
    for (std::size_t u = 0; u < c_.matchers.size(); ++u)
      if (static_cast<int>(u) != ti && c_.matchers[u].start >= mt.start) c_.matchers[u] = Matcher{};
    emit_(ev);
  }
  void end_event(int ti, std::uint64_t end) {
    const CTone& t = p_.tones[static_cast<std::size_t>(ti)];
    const Matcher& mt = c_.matchers[static_cast<std::size_t>(ti)];
    ProgressEvent ev;
    ev.begin = false;
    ev.kind = t.kind;
    ev.tone = t.index;
    ev.sample = std::max(end, mt.start);
    ev.confirmed_sample = ev.sample;
    ev.elements = mt.matched;
    fill(ev, t, mt);
    c_.active = -1;
    emit_(ev);
  }
  static void fill(ProgressEvent& ev, const CTone&, const Matcher& mt) {
    ev.frequency_count = mt.nseg;
    ev.frequencies_hz = mt.seg_hz;
    ev.level_dbm0 = mt.level_dbm0;
  }

  const ProgressPlan& p_;
  ProgressChannel& c_;
  Emitter emit_;
};

}  // namespace

// DC-removed block energy from exact integer sums.
double energy_from_sums(std::int64_t sum, std::int64_t sq, std::size_t n) {
  const double s = static_cast<double>(sum);
  return std::max(0.0, static_cast<double>(sq) - s * s / static_cast<double>(n));
}

namespace {

}  // namespace
}  // namespace detail

// ---- one channel ----

ProgressDetector::ProgressDetector(const TonePlan& plan, const ProgressDetectorConfig& cfg, Isa isa) {
  auto p = std::make_shared<detail::ProgressPlan>();
  p->plan = plan;
  p->cfg = cfg;
  detail::compile(*p, isa);
  plan_ = p;
  ch_ = std::make_unique<detail::ProgressChannel>();
  work_.assign((2 + detail::kSub) * p->m16 + p->n, 0.0f);
  reset();
}

ProgressDetector::~ProgressDetector() = default;
ProgressDetector::ProgressDetector(ProgressDetector&&) noexcept = default;
ProgressDetector& ProgressDetector::operator=(ProgressDetector&&) noexcept = default;

void ProgressDetector::reset() noexcept {
  ch_->reset(plan_->n, plan_->m, plan_->tones.size(), plan_->sigs.size(), plan_->env_blocks);
}
const TonePlan& ProgressDetector::plan() const noexcept { return plan_->plan; }
std::size_t ProgressDetector::block_samples() const noexcept { return plan_->n; }
std::size_t ProgressDetector::filter_count() const noexcept { return plan_->m; }
std::size_t ProgressDetector::bytes_per_channel() const noexcept {
  return ch_->bytes(plan_->n, plan_->m, plan_->tones.size(), plan_->sigs.size()) + work_.size() * sizeof(float);
}

std::size_t ProgressDetector::feed(std::span<const std::int16_t> pcm) noexcept {
  auto& c = *ch_;
  const std::size_t take = std::min(pcm.size(), plan_->n - c.fill);
  std::copy_n(pcm.data(), take, c.buf.data() + c.fill);
  c.fill += take;
  return take;
}

bool ProgressDetector::block_ready() const noexcept { return ch_->fill == plan_->n; }

void ProgressDetector::block(void* ctx, Emit emit) noexcept {
  const auto& p = *plan_;
  auto& c = *ch_;
  float* xre = work_.data();
  float* xim = xre + p.m16;
  float* env = xim + p.m16;
  float* scratch = env + detail::kSub * p.m16;
  p.k->single(c.buf.data(), p.kc_single, scratch, detail::ProgressOut{xre, xim, env, &sums_[0], &sums_[1]});
  const double e = detail::energy_from_sums(sums_[0], sums_[1], p.n);
  detail::Engine eng(p, c, detail::Emitter{ctx, emit});
  eng.block(xre, xim, env, 1, 1, p.m16, e);
  c.fill = 0;
}

void ProgressDetector::finish_impl(void* ctx, Emit emit) noexcept {
  const auto& p = *plan_;
  auto& c = *ch_;
  detail::Engine eng(p, c, detail::Emitter{ctx, emit});
  eng.finish(c.block_index * p.n + c.fill);
}

// ---- bank ----

ProgressDetectorBank::ProgressDetectorBank(const TonePlan& plan, std::size_t channels, const ProgressDetectorConfig& cfg,
                                           Isa isa)
    : n_(channels), npad_((channels + 15) / 16 * 16) {
  if (channels == 0 || channels > 4096) throw std::invalid_argument("ProgressDetectorBank.channels: must be in 1..4096");
  auto p = std::make_shared<detail::ProgressPlan>();
  p->plan = plan;
  p->cfg = cfg;
  detail::compile(*p, isa);
  plan_ = p;
  chans_.resize(n_);
  x_.assign(p->n * npad_, 0);
  work_.assign((2 + detail::kSub) * p->m * npad_ + p->n * npad_, 0.0f);
  sums_.assign(2 * npad_, 0);
  reset();
}

ProgressDetectorBank::~ProgressDetectorBank() = default;

void ProgressDetectorBank::reset() noexcept {
  for (auto& c : chans_) c.reset(plan_->n, plan_->m, plan_->tones.size(), plan_->sigs.size(), plan_->env_blocks);
  for (auto& c : chans_) c.buf.clear();  // the bank buffers interleaved
  fill_ = 0;
}

std::size_t ProgressDetectorBank::bytes_per_channel() const noexcept {
  const auto& p = *plan_;
  return chans_[0].bytes(0, p.m, p.tones.size(), p.sigs.size()) +
         (x_.size() * sizeof(std::int16_t) + work_.size() * sizeof(float) + sums_.size() * sizeof(std::int64_t)) / n_;
}

std::size_t ProgressDetectorBank::feed(std::span<const std::int16_t> in) noexcept {
  if (fill_ == 0 && n_ == npad_ && in.size() >= plan_->n * n_) {  // a whole block in the caller's buffer: read it there
    src_ = in.data();
    fill_ = plan_->n;
    return plan_->n * n_;
  }
  src_ = x_.data();
  const std::size_t frames = std::min(in.size() / n_, plan_->n - fill_);
  std::int16_t* dst = x_.data() + fill_ * npad_;
  if (n_ == npad_) {
    std::copy_n(in.data(), frames * n_, dst);
  } else {
    for (std::size_t f = 0; f < frames; ++f, dst += npad_)
      for (std::size_t ch = 0; ch < n_; ++ch) dst[ch] = in[f * n_ + ch];
  }
  fill_ += frames;
  return frames == 0 ? in.size() : frames * n_;  // a partial frame is dropped (caller error)
}

bool ProgressDetectorBank::block_ready() const noexcept { return fill_ == plan_->n; }

void ProgressDetectorBank::block(void* ctx, Emit emit) noexcept {
  const auto& p = *plan_;
  float* xre = work_.data();
  float* xim = xre + p.m * npad_;
  float* env = xim + p.m * npad_;
  float* scratch = env + detail::kSub * p.m * npad_;
  std::int64_t* sum = sums_.data();
  std::int64_t* sumsq = sum + npad_;
  p.k->multi(src_, npad_, p.kc_multi, scratch, detail::ProgressOut{xre, xim, env, sum, sumsq});
  struct Ctx {
    void* ctx;
    Emit emit;
    std::uint32_t ch;
  };
  for (std::size_t ch = 0; ch < n_; ++ch) {
    Ctx cc{ctx, emit, static_cast<std::uint32_t>(ch)};
    const double e = detail::energy_from_sums(sum[ch], sumsq[ch], p.n);
    detail::Engine eng(p, chans_[ch],
                       detail::Emitter{&cc, [](void* q, const ProgressEvent& ev) {
                                         auto* c = static_cast<Ctx*>(q);
                                         c->emit(c->ctx, ProgressBankEvent{c->ch, ev});
                                       }});
    eng.block(xre + ch, xim + ch, env + ch, npad_, detail::kSub * npad_, npad_, e);
  }
  fill_ = 0;
}

void ProgressDetectorBank::finish_impl(void* ctx, Emit emit) noexcept {
  const auto& p = *plan_;
  struct Ctx {
    void* ctx;
    Emit emit;
    std::uint32_t ch;
  };
  for (std::size_t ch = 0; ch < n_; ++ch) {
    Ctx cc{ctx, emit, static_cast<std::uint32_t>(ch)};
    detail::Engine eng(p, chans_[ch],
                       detail::Emitter{&cc, [](void* q, const ProgressEvent& ev) {
                                         auto* c = static_cast<Ctx*>(q);
                                         c->emit(c->ctx, ProgressBankEvent{c->ch, ev});
                                       }});
    eng.finish(chans_[ch].block_index * p.n + fill_);
  }
}

}  // namespace linedsp
