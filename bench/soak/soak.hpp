// bench/soak/soak.hpp — the soak run shared by `linedsp_soak` (bench/soak/soak_main.cpp, hours of audio) and
// its short ctest (tests/robustness/soak_test.cpp, minutes of audio): one bank of N channels through the four
// density-path receivers (DtmfDetectorBank, ProgressDetectorBank on the US plan, ModemToneDetectorBank,
// CallerIdReceiverBank), fed a generated schedule per channel, every detector's events checked against what
// was injected.
//
// Schedule (deterministic, seeded per channel): segments one after another, each followed by a guard of at
// least kGuardMs of noise only:
//   dtmf    1-8 random digits (of 16), tone 45-100 ms, pause 45-100 ms, each tone at -20..-6 dBm0
//           (Q.24 must-operate envelope: >= 40 ms on, >= 40 ms pause, 0..-25 dBm0)
//   busy    US busy (480+620 Hz, 500/500 ms, data/tones/us.toml) for 3-7 cycles
//   dial    US dial tone (350+440 Hz) for 1.5-4 s
//   ans     V.25 answer tone 2100 Hz, no reversals, 1-4 s
//   cid     Bell 202 MDMF caller-ID spill (seizure 300 bits, marks 180, message: date, 10-digit number, name)
//   speech  2-8 s of recorded speech (asterisk-core-sounds-en-wav, when installed); nothing may be detected
//   quiet   0.5-4 s of noise alone
// over white noise at kNoiseDbm0 everywhere. Expectations per segment: exactly the injected events from the
// detector that owns them, and nothing from any detector anywhere else.
//
// Event times. Each begin must fall within the detector's documented latency window of the injected start,
// and each duration within its window of the injected duration (the tolerance table below, per detector, cites
// the header that documents it). The largest error seen is reported per detector.
//
// Sample clocks. The detectors count samples from 0 in uint64; to prove nothing truncates them, the run first
// feeds every bank digital silence up to `start_sample` (default 2^32 - 10 min of audio), so the schedule
// crosses 2^32 ten minutes in. Schedule times are absolute sample indices.
//
// Memory: RSS (/proc/self/statm) sampled every simulated `rss_every_s`; after the first sample (everything
// allocated) it must not grow by more than rss_slack_kb. The run allocates nothing per block: expectations
// live in fixed rings, clips in vectors sized at construction.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "devices/file_device.hpp"
#include "dsp/level.hpp"
#include "signals/callerid.hpp"
#include "signals/callerid_bank.hpp"
#include "signals/dtmf_detector.hpp"
#include "signals/dtmf_generator.hpp"
#include "signals/modem_tone_detector.hpp"
#include "signals/modem_tone_generator.hpp"
#include "signals/progress_detector.hpp"
#include "signals/tone_generator.hpp"
#include "signals/tone_plan.hpp"

namespace linedsp::soak {

inline constexpr int kRate = 8000;
inline constexpr int kGuardMs = 2000;
inline constexpr double kNoiseDbm0 = -50.0;

enum class Det : std::uint8_t { dtmf, progress, modem, cid };
inline constexpr std::size_t kDets = 4;
inline const char* det_name(Det d) {
  static const char* n[] = {"dtmf", "progress", "modem", "cid"};
  return n[std::size_t(d)];
}

// Tolerances (samples) on begin time and duration, from each detector's header:
//  dtmf (signals/dtmf_detector.hpp): begin stamped at the start of the first agreeing 102-sample window, end at
//    the end of the last: one window (102) each way, two for the duration (both ends).
//  progress (signals/progress_detector.hpp): 20 ms blocks (160): begin = first sample of the tone, end = sample
//    after its last tone-on part, both to the block: one block for the begin, two for the duration.
//  modem (signals/modem_tone_detector.hpp): 5 ms blocks (40): onset and end to the block, plus the block DFT's
//    own smearing: two blocks for the begin, four for the duration.
//  cid (signals/callerid.hpp): begin = start of the type byte's start bit: one bit (7 samples at 1200 bit/s);
//    duration = type byte to checksum end: two bits.
struct Tolerance {
  std::int64_t begin, duration;
};
inline constexpr std::array<Tolerance, kDets> kTolerance = {{{102, 204}, {160, 320}, {80, 160}, {7, 14}}};

struct SoakConfig {
  double hours = 24.0;                   // simulated audio per channel
  std::size_t channels = 16;
  std::uint64_t start_sample = (std::uint64_t(1) << 32) - std::uint64_t(600) * kRate;
  std::uint64_t seed = 1;
  std::string data_dir;                  // shipped data (tones/us.toml)
  std::string speech_dir = "/usr/share/asterisk/sounds/en_US_f_Allison";  // skipped when absent
  double rss_every_s = 600.0;            // simulated seconds between RSS samples
  long rss_slack_kb = 256;               // allowed growth after the first sample
  bool progress = false;                 // a line per simulated hour on stderr
  std::array<Tolerance, kDets> tolerance = kTolerance;  // tests shrink one to prove the checks are live
  // Writes one channel's input (s16le) for samples [dump_from, dump_from + dump_samples) to dump_path, to replay a
  // mismatch the summary names (linedsp detect --raw s16le --rate 8000 FILE).
  std::string dump_path;
  std::size_t dump_channel = 0;
  std::uint64_t dump_from = 0, dump_samples = 0;
};

struct Expect {
  Det det = Det::dtmf;
  int value = 0;                // digit char, ToneKind, ModemTone, or index into the CID messages
  std::uint64_t start = 0, duration = 0, deadline = 0;
  bool begun = false;
  std::uint64_t got_start = 0;
};

struct DetStats {
  std::uint64_t injected = 0, detected = 0, missed = 0, extra = 0, wrong = 0;
  std::int64_t max_begin_err = 0, max_dur_err = 0;
};

struct SoakResult {
  std::array<DetStats, kDets> det{};
  std::uint64_t samples_per_channel = 0, first_sample = 0, last_sample = 0;
  std::size_t channels = 0;
  double wall_s = 0, fast_forward_wall_s = 0;
  long rss_first_kb = 0, rss_last_kb = 0, rss_max_kb = 0;
  std::uint64_t segments = 0, speech_segments = 0;
  bool speech = false;
  std::vector<std::string> problems;  // the first few mismatches, described
  std::uint64_t fast_forward_events = 0;  // events heard in the digital silence before the schedule (must be 0)
  long slack_kb = 0;
  long rss_grew_kb() const { return std::max(0L, rss_max_kb - rss_first_kb); }
  bool events_ok() const {
    for (const auto& d : det)
      if (d.missed || d.extra || d.wrong || d.detected != d.injected) return false;
    return fast_forward_events == 0;
  }
  bool ok() const { return events_ok() && rss_grew_kb() <= slack_kb; }
};

inline long rss_kb() {
  long pages_total = 0, pages_rss = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages_total, &pages_rss) != 2) pages_rss = 0;
    std::fclose(f);
  }
  return pages_rss * 4;
}

struct Rng {  // xorshift64*: deterministic, independent of the standard library
  std::uint64_t s;
  explicit Rng(std::uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull) {}
  std::uint64_t next() {
    s ^= s >> 12, s ^= s << 25, s ^= s >> 27;
    return s * 0x2545F4914F6CDD1Dull;
  }
  int range(int lo, int hi) { return lo + int(next() % std::uint64_t(hi - lo + 1)); }  // inclusive
  double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
};

// The CID messages the schedule sends (fixed set, so matching compares against a known message).
inline std::vector<CallerIdMessage> cid_messages() {
  std::vector<CallerIdMessage> v;
  const char* names[] = {"ALLISON", "SOAK TEST", "O'BRIEN J", "LINEDSP"};
  for (int i = 0; i < 8; ++i) {
    CallerIdMessage m;
    m.type = kCidMdmfCallerId;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d%02d%02d%02d", 1 + i, 10 + i, 8 + i, 5 * i);
    m.date_time = std::string_view(buf, 8);
    std::snprintf(buf, sizeof buf, "555%07d", 1234 * (i + 1));
    m.number = std::string_view(buf);
    m.name = names[i % 4];
    v.push_back(m);
  }
  return v;
}

class Soak {
 public:
  explicit Soak(const SoakConfig& cfg)
      : cfg_(cfg),
        plan_(load_country_plan(cfg.data_dir, "us")),
        dtmf_(DtmfDetectorConfig{}, cfg.channels),
        progress_(plan_, cfg.channels),
        modem_(ModemToneDetectorConfig{}, cfg.channels),
        cid_(CallerIdReceiverConfig{}, cfg.channels),
        messages_(cid_messages()) {
    busy_ = plan_.find(ToneKind::busy);
    dial_ = plan_.find(ToneKind::dial);
    if (!busy_ || !dial_) throw std::runtime_error("us tone plan lacks busy or dial");
    make_noise();
    load_speech();
    for (const auto& m : messages_) {
      CallerIdSender tx(CallerIdSenderConfig{});
      const auto bytes = encode_callerid(m, CallerIdFormat::mdmf);
      tx.start(bytes);
      std::vector<std::int16_t> clip(8000 * 3);
      const std::size_t n = tx.generate(clip);
      clip.resize(n);
      cid_clips_.push_back(std::move(clip));
    }
    chans_.resize(cfg.channels);
    for (std::size_t c = 0; c < cfg.channels; ++c) {
      chans_[c].rng = Rng(cfg.seed * 1000003 + c);
      chans_[c].clip.assign(kMaxClip, 0);  // touch every page now, so RSS holds still after the first sample
      chans_[c].clip.clear();
      chans_[c].noise_pos = std::size_t(chans_[c].rng.next() % noise_.size());
    }
    frame_.resize(kBlock * cfg.channels);
    if (!cfg.dump_path.empty() && !(dump_ = std::fopen(cfg.dump_path.c_str(), "wb")))
      throw std::runtime_error(cfg.dump_path + ": cannot create");
  }
  ~Soak() {
    if (dump_) std::fclose(dump_);
  }
  Soak(const Soak&) = delete;
  Soak& operator=(const Soak&) = delete;

  SoakResult run() {
    SoakResult r;
    r.channels = cfg_.channels;
    r.speech = !speech_.empty();
    r.slack_kb = cfg_.rss_slack_kb;
    const auto t0 = std::chrono::steady_clock::now();
    fast_forward(cfg_.start_sample);
    const auto t1 = std::chrono::steady_clock::now();
    r.fast_forward_wall_s = std::chrono::duration<double>(t1 - t0).count();
    r.fast_forward_events = ff_extra_;
    clock_ = cfg_.start_sample;
    r.first_sample = clock_;
    for (auto& ch : chans_) ch.next_segment_at = clock_;
    const auto total = std::uint64_t(cfg_.hours * 3600.0 * kRate);
    const auto rss_every = std::uint64_t(cfg_.rss_every_s * kRate);
    std::uint64_t next_rss = clock_ + rss_every, next_hour = clock_ + 3600ull * kRate;
    result_ = &r;
    while (clock_ - r.first_sample < total) {
      generate_block(r);
      step_block();
      clock_ += kBlock;
      check_deadlines(r);
      if (clock_ >= next_rss) {
        const long kb = rss_kb();
        if (r.rss_first_kb == 0) r.rss_first_kb = kb;
        r.rss_max_kb = std::max(r.rss_max_kb, kb);
        r.rss_last_kb = kb;
        next_rss += rss_every;
      }
      if (cfg_.progress && clock_ >= next_hour) {
        next_hour += 3600ull * kRate;
        const double h = double(clock_ - r.first_sample) / (3600.0 * kRate);
        std::fprintf(stderr, "soak: %.0f h x %zu ch, %.0f s wall, rss %ld kB, events dtmf %llu progress %llu modem %llu cid %llu\n",
                     h, cfg_.channels,
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), rss_kb(),
                     (unsigned long long)r.det[0].detected, (unsigned long long)r.det[1].detected,
                     (unsigned long long)r.det[2].detected, (unsigned long long)r.det[3].detected);
      }
    }
    // Let everything in flight finish: no new segments; the last clips play out, then a guard of noise.
    std::uint64_t drain_until = clock_;
    for (auto& ch : chans_) {
      ch.next_segment_at = UINT64_MAX;
      drain_until = std::max(drain_until, ch.clip_start + ch.clip.size());
    }
    drain_until += std::uint64_t(kGuardMs) * kRate / 1000 + kBlock;
    while (clock_ < drain_until) {
      generate_block(r);
      step_block();
      clock_ += kBlock;
      check_deadlines(r);
    }
    check_deadlines(r, true);
    r.last_sample = clock_;
    r.samples_per_channel = clock_ - r.first_sample;
    if (r.rss_first_kb == 0) r.rss_first_kb = r.rss_max_kb = r.rss_last_kb = rss_kb();
    r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    result_ = nullptr;
    return r;
  }

  std::uint64_t clock() const { return clock_; }

 private:
  static constexpr std::size_t kBlock = 160;
  static constexpr std::size_t kRing = 32;
  static constexpr std::size_t kMaxClip = 10 * kRate;
  enum class Seg : std::uint8_t { dtmf, busy, dial, ans, cid, speech, quiet };

  struct Channel {
    Rng rng{0};
    std::vector<std::int16_t> clip;   // current segment's signal (without noise)
    std::size_t clip_pos = 0;
    std::uint64_t clip_start = 0;     // absolute sample of clip[0]
    std::uint64_t next_segment_at = 0;
    std::size_t noise_pos = 0;
    std::array<Expect, kRing> ring{};
    std::size_t head = 0, count = 0;
  };

  void make_noise() {
    Rng rng(cfg_.seed ^ 0xabcdef);
    const double rms = dbm0_rms(kNoiseDbm0);
    noise_.resize(1 << 16);
    // Uniform white noise of the stated rms (uniform on [-a, a] has rms a / sqrt(3)).
    for (auto& s : noise_) s = float((rng.uniform() * 2.0 - 1.0) * rms * std::sqrt(3.0));
  }
  static double dbm0_rms(double dbm0) { return dbm0_to_peak(dbm0) / std::sqrt(2.0); }

  void load_speech() {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (cfg_.speech_dir.empty() || !fs::is_directory(cfg_.speech_dir, ec)) return;
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(cfg_.speech_dir, ec))
      if (e.path().extension() == ".wav") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    std::vector<std::int16_t> buf(1024);
    for (const auto& f : files) {
      if (speech_.size() > std::size_t(120) * kRate) break;  // two minutes are plenty of variety
      try {
        FileDevice dev(f);
        if (dev.format().channels != 1) continue;
        for (std::size_t n; (n = dev.read(buf)) > 0;) speech_.insert(speech_.end(), buf.begin(), buf.begin() + n);
      } catch (const std::exception&) {
      }
    }
  }

  void expect(Channel& ch, Det d, int value, std::uint64_t start, std::uint64_t duration) {
    if (ch.count == kRing) {  // cannot happen: segments are short and expectations expire at their deadline
      problem("internal: expectation ring full");
      return;
    }
    Expect& e = ch.ring[(ch.head + ch.count++) % kRing];
    e = Expect{d, value, start, duration, start + duration + std::uint64_t(kGuardMs) * kRate / 1000, false, 0};
    ++result_->det[std::size_t(d)].injected;
  }

  void problem(const std::string& s) {
    if (result_ && result_->problems.size() < 20) result_->problems.push_back(s);
  }

  // Picks the next segment of a channel, renders its clip and registers what it must produce.
  void start_segment(std::size_t c) {
    Channel& ch = chans_[c];
    Rng& rng = ch.rng;
    ch.clip.clear();
    ch.clip_pos = 0;
    ch.clip_start = clock_cursor_;
    const int pick = rng.range(0, 99);
    Seg seg = pick < 30 ? Seg::dtmf : pick < 42 ? Seg::busy : pick < 52 ? Seg::dial : pick < 62 ? Seg::ans
            : pick < 77 ? Seg::cid : pick < 90 ? Seg::speech : Seg::quiet;
    if (seg == Seg::speech && speech_.empty()) seg = Seg::quiet;
    ++result_->segments;
    switch (seg) {
      case Seg::dtmf: {
        static const char kDigits[] = "0123456789*#ABCD";
        const int n = rng.range(1, 8);
        for (int i = 0; i < n; ++i) {
          DtmfGeneratorConfig g;
          g.on_ms = rng.range(45, 100);
          g.off_ms = rng.range(45, 100);
          g.low_level_dbm0 = -6.0 - rng.range(0, 14);
          g.high_level_dbm0 = g.low_level_dbm0 + rng.range(-3, 3) * 0.5;  // twist within +-1.5 dB
          const char d = kDigits[rng.range(0, 15)];
          DtmfGenerator gen(g);
          gen.queue(std::string_view(&d, 1));
          const std::size_t on = std::size_t(g.on_ms) * kRate / 1000, off = std::size_t(g.off_ms) * kRate / 1000;
          const std::size_t at = ch.clip.size();
          ch.clip.resize(at + on + off);
          gen.generate(std::span<std::int16_t>(ch.clip.data() + at, on + off));
          expect(ch, Det::dtmf, d, ch.clip_start + at, on);
        }
        break;
      }
      case Seg::busy:
      case Seg::dial: {
        const bool busy = seg == Seg::busy;
        ToneGenerator gen(busy ? *busy_ : *dial_);
        const std::size_t len = busy ? std::size_t(rng.range(3, 7)) * kRate : std::size_t(rng.range(1500, 4000)) * 8;
        ch.clip.resize(len);
        gen.generate(ch.clip);
        // Busy ends after the last 500 ms on part (the clip is whole cycles: its last 500 ms are silence).
        const std::size_t on_len = busy ? len - kRate / 2 : len;
        expect(ch, Det::progress, int(busy ? ToneKind::busy : ToneKind::dial), ch.clip_start, on_len);
        break;
      }
      case Seg::ans: {
        ModemToneGeneratorConfig g;
        g.tone = ModemTone::ans;
        g.duration_ms = rng.range(1000, 4000);
        ModemToneGenerator gen(g);
        ch.clip.resize(std::size_t(g.duration_ms) * 8);
        ch.clip.resize(gen.generate(ch.clip));
        expect(ch, Det::modem, int(ModemTone::ans), ch.clip_start, ch.clip.size());
        break;
      }
      case Seg::cid: {
        const int m = rng.range(0, int(cid_clips_.size()) - 1);
        const auto& clip = cid_clips_[std::size_t(m)];
        ch.clip.assign(clip.begin(), clip.end());
        // Type byte starts after seizure (300) and marks (180) at 1200 bit/s; the message's bytes are 10 bits each
        // (start, 8 data, 1 stop), checksum included.
        const double spb = double(kRate) / 1200.0;
        const std::size_t bytes = encode_callerid(messages_[std::size_t(m)], CallerIdFormat::mdmf).size();
        const auto start = std::uint64_t(std::llround(480 * spb));
        const auto dur = std::uint64_t(std::llround(double(bytes) * 10.0 * spb));
        expect(ch, Det::cid, m, ch.clip_start + start, dur);
        break;
      }
      case Seg::speech: {
        const std::size_t len = std::size_t(rng.range(2, 8)) * kRate;
        const std::size_t from = std::size_t(rng.next() % (speech_.size() - std::min(len, speech_.size() - 1)));
        const std::size_t n = std::min(len, speech_.size() - from);
        ch.clip.assign(speech_.begin() + std::ptrdiff_t(from), speech_.begin() + std::ptrdiff_t(from + n));
        ++result_->speech_segments;
        break;
      }
      case Seg::quiet:
        ch.clip.assign(std::size_t(rng.range(500, 4000)) * 8, 0);
        break;
    }
    ch.next_segment_at = ch.clip_start + ch.clip.size() + std::uint64_t(kGuardMs) * kRate / 1000 +
                         std::uint64_t(rng.range(0, 1000)) * 8;
  }

  void generate_block(SoakResult&) {
    const std::size_t n_ch = chans_.size();
    for (std::size_t c = 0; c < n_ch; ++c) {
      Channel& ch = chans_[c];
      for (std::size_t i = 0; i < kBlock; ++i) {
        clock_cursor_ = clock_ + i;
        if (clock_cursor_ == ch.next_segment_at) start_segment(c);
        float x = noise_[ch.noise_pos];
        ch.noise_pos = (ch.noise_pos + 1) & (noise_.size() - 1);
        if (ch.clip_pos < ch.clip.size() && clock_cursor_ >= ch.clip_start) x += float(ch.clip[ch.clip_pos++]);
        const float y = std::clamp(std::nearbyint(x), -32768.0f, 32767.0f);
        frame_[i * n_ch + c] = static_cast<std::int16_t>(y);
        if (dump_ && c == cfg_.dump_channel && clock_cursor_ >= cfg_.dump_from &&
            clock_cursor_ - cfg_.dump_from < cfg_.dump_samples)
          std::fwrite(&frame_[i * n_ch + c], 2, 1, dump_);
      }
    }
  }

  void step_block() {
    const std::span<const std::int16_t> in(frame_);
    auto dtmf_sink = [this](const DtmfChannelEvent& e) {
      on_event(e.channel, Det::dtmf, e.event.begin, e.event.digit, e.event.sample,
               e.event.begin ? 0 : e.event.duration_samples);
    };
    auto progress_sink = [this](const ProgressBankEvent& e) {
      const auto& ev = e.event;
      Channel& ch = chans_[e.channel];
      if (ev.begin) {
        on_event(e.channel, Det::progress, true, int(ev.kind), ev.sample, 0);
      } else {  // end: `sample` is the sample after the tone's last on part; duration = that - begin
        const Expect* open = find_open(ch, Det::progress);
        on_event(e.channel, Det::progress, false, int(ev.kind), ev.sample, open ? ev.sample - open->got_start : 0);
      }
    };
    auto modem_sink = [this](const ModemToneBankEvent& e) {
      on_event(e.channel, Det::modem, e.event.begin, int(e.event.tone), e.event.sample,
               e.event.begin ? 0 : e.event.duration_samples);
    };
    auto cid_sink = [this](const CallerIdBankEvent& e) {
      const auto& ev = e.event;
      int value = -1;
      if (!ev.begin) {
        if (ev.status != CallerIdStatus::ok) value = -2;
        for (std::size_t m = 0; m < messages_.size() && value == -1; ++m)
          if (same(ev.message, messages_[m])) value = int(m);
      }
      on_event(e.channel, Det::cid, ev.begin, value, ev.sample, ev.begin ? 0 : ev.duration_samples);
    };
    dtmf_.process(in, dtmf_sink);
    progress_.process(in, progress_sink);
    modem_.process(in, modem_sink);
    cid_.process(in, cid_sink);
  }

  static bool same(const CallerIdMessage& a, const CallerIdMessage& b) {
    return a.type == b.type && a.date_time == b.date_time && a.number == b.number && a.name == b.name;
  }

  static Expect* find_open(Channel& ch, Det d) {
    for (std::size_t k = 0; k < ch.count; ++k) {
      Expect& e = ch.ring[(ch.head + k) % kRing];
      if (e.det == d && e.begun) return &e;
    }
    return nullptr;
  }

  void remove(Channel& ch, const Expect* which) {
    std::size_t k = 0;
    while (k < ch.count && &ch.ring[(ch.head + k) % kRing] != which) ++k;
    for (; k + 1 < ch.count; ++k) ch.ring[(ch.head + k) % kRing] = ch.ring[(ch.head + k + 1) % kRing];
    --ch.count;
  }

  void on_event(std::size_t c, Det d, bool begin, int value, std::uint64_t sample, std::uint64_t duration) {
    SoakResult& r = *result_;
    DetStats& st = r.det[std::size_t(d)];
    Channel& ch = chans_[c];
    const Tolerance tol = cfg_.tolerance[std::size_t(d)];
    char msg[256];
    if (begin) {
      // The oldest expectation of this detector not yet begun.
      Expect* e = nullptr;
      for (std::size_t k = 0; k < ch.count && !e; ++k) {
        Expect& x = ch.ring[(ch.head + k) % kRing];
        if (x.det == d && !x.begun) e = &x;
      }
      const std::int64_t err = e ? std::int64_t(sample) - std::int64_t(e->start) : 0;
      if (!e || std::int64_t(std::llabs(err)) > tol.begin || find_open(ch, d)) {
        ++st.extra;
        std::snprintf(msg, sizeof msg, "ch %zu %s: unexpected begin value %d at sample %llu%s", c, det_name(d), value,
                      (unsigned long long)sample, e ? " (an expected one is further away)" : "");
        problem(msg);
        return;
      }
      st.max_begin_err = std::max(st.max_begin_err, std::int64_t(std::llabs(err)));
      e->begun = true;
      e->got_start = sample;
      if (d != Det::cid && value != e->value) {
        ++st.wrong;
        std::snprintf(msg, sizeof msg, "ch %zu %s: begin value %d, injected %d at sample %llu", c, det_name(d), value,
                      e->value, (unsigned long long)e->start);
        problem(msg);
      }
      return;
    }
    Expect* e = find_open(ch, d);
    if (!e) {
      ++st.extra;
      std::snprintf(msg, sizeof msg, "ch %zu %s: end without begin at sample %llu", c, det_name(d),
                    (unsigned long long)sample);
      problem(msg);
      return;
    }
    const std::int64_t derr = std::int64_t(duration) - std::int64_t(e->duration);
    const bool value_ok = d == Det::cid ? value == e->value : value == e->value;
    if (std::int64_t(std::llabs(derr)) > tol.duration || !value_ok) {
      ++st.wrong;
      std::snprintf(msg, sizeof msg, "ch %zu %s: end value %d (injected %d), duration %llu (injected %llu) at %llu", c,
                    det_name(d), value, e->value, (unsigned long long)duration, (unsigned long long)e->duration,
                    (unsigned long long)e->start);
      problem(msg);
    } else {
      ++st.detected;
      st.max_dur_err = std::max(st.max_dur_err, std::int64_t(std::llabs(derr)));
    }
    remove(ch, e);
  }

  void check_deadlines(SoakResult& r, bool all = false) {
    for (std::size_t c = 0; c < chans_.size(); ++c) {
      Channel& ch = chans_[c];
      while (ch.count > 0) {
        Expect& e = ch.ring[ch.head];
        if (!all && e.deadline > clock_) break;
        ++r.det[std::size_t(e.det)].missed;
        char msg[160];
        std::snprintf(msg, sizeof msg, "ch %zu %s: injected value %d at sample %llu (%llu long) %s", c,
                      det_name(e.det), e.value, (unsigned long long)e.start, (unsigned long long)e.duration,
                      e.begun ? "began but never ended" : "missed");
        problem(msg);
        ch.head = (ch.head + 1) % kRing;
        --ch.count;
      }
    }
  }

  // Digital silence up to `until` through every bank (events here are extras: there is nothing to hear).
  void fast_forward(std::uint64_t until) {
    SoakResult dummy;
    result_ = &dummy;
    std::vector<std::int16_t> zeros(4096 * chans_.size(), 0);
    const std::span<const std::int16_t> in(zeros);
    std::uint64_t extra = 0;
    auto any = [&extra](const auto&) { ++extra; };
    std::uint64_t at = 0;
    while (at < until) {
      const std::uint64_t n = std::min<std::uint64_t>(4096, until - at);
      const auto part = in.first(std::size_t(n) * chans_.size());
      dtmf_.process(part, any);
      progress_.process(part, any);
      modem_.process(part, any);
      cid_.process(part, any);
      at += n;
    }
    ff_extra_ = extra;
    result_ = nullptr;
  }

 public:
  std::uint64_t fast_forward_events() const { return ff_extra_; }

 private:
  SoakConfig cfg_;
  TonePlan plan_;
  const Tone* busy_ = nullptr;
  const Tone* dial_ = nullptr;
  DtmfDetectorBank dtmf_;
  ProgressDetectorBank progress_;
  ModemToneDetectorBank modem_;
  CallerIdReceiverBank cid_;
  std::vector<CallerIdMessage> messages_;
  std::vector<std::vector<std::int16_t>> cid_clips_;
  std::vector<float> noise_;
  std::vector<std::int16_t> speech_;
  std::vector<Channel> chans_;
  std::vector<std::int16_t> frame_;
  std::uint64_t clock_ = 0, clock_cursor_ = 0, ff_extra_ = 0;
  SoakResult* result_ = nullptr;
  FILE* dump_ = nullptr;
};

}  // namespace linedsp::soak
