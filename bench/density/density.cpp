// bench/density/density.cpp — the density workloads, their checks, the peak measurement and the run
// (bench/density/density.hpp says what each is; docs/benchmark.md how to read the numbers).
#include "bench/density/density.hpp"

#include "bench/density/peak.hpp"

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <immintrin.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "codecs/g711.hpp"
#include "dsp/goertzel.hpp"
#include "signals/dtmf_detector.hpp"
#include "signals/dtmf_generator.hpp"
#include "signals/echo_canceller.hpp"
#include "signals/g168.hpp"
#include "signals/modem_tone_detector.hpp"
#include "signals/modem_tone_generator.hpp"
#include "signals/progress_detector.hpp"
#include "signals/tone_generator.hpp"
#include "signals/tone_plan.hpp"

#if defined(LINEDSP_HAVE_SPANDSP)
#include <spandsp.h>
#endif
#if defined(LINEDSP_HAVE_SPEEXDSP)
#include <speex/speex_echo.h>
#endif

namespace linedsp::bench {
namespace {

constexpr double kSeconds = 4.0;
constexpr std::size_t kSamples = 32000;  // kSeconds at 8 kHz, a whole number of frames
constexpr std::array<double, 8> kDtmfHz = {697, 770, 852, 941, 1209, 1336, 1477, 1633};  // Q.23

std::string& data_dir_ref() {
  static std::string d = "data";
  return d;
}

std::vector<std::string> wavs(const char* dir) {
  std::vector<std::string> files;
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec))
    for (const auto& e : std::filesystem::directory_iterator(dir, ec))
      if (e.path().extension() == ".wav") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

const TonePlan& us_plan() {
  static const TonePlan p = load_country_plan(data_dir_ref(), "us");
  return p;
}

std::int16_t clamp16(float v) { return static_cast<std::int16_t>(std::lround(std::clamp(v, -32768.0f, 32767.0f))); }

// Channel `ch`'s copy of `one`: plus +-1 LSB of its own dither (channels are not bit-identical).
void channel_copy(const std::vector<std::int16_t>& one, std::size_t ch, std::int16_t* out, std::size_t stride) {
  std::uint32_t r = 0x9e3779b9u * static_cast<std::uint32_t>(ch + 1);
  for (std::size_t i = 0; i < one.size(); ++i) {
    r = r * 1664525u + 1013904223u;
    const int d = static_cast<int>(r >> 30) - 1;  // -1, 0, 1, 2 -> clamp to -1..1
    out[i * stride] = static_cast<std::int16_t>(std::clamp(one[i] + std::min(d, 1), -32768, 32767));
  }
}
// N channels interleaved by frame (sample i of channel c at i * N + c).
std::vector<std::int16_t> interleaved(const std::vector<std::int16_t>& one, std::size_t channels) {
  std::vector<std::int16_t> x(one.size() * channels);
  for (std::size_t c = 0; c < channels; ++c) channel_copy(one, c, x.data() + c, channels);
  return x;
}
// N channels one after the other (channel c's samples at c * L).
std::vector<std::int16_t> planar(const std::vector<std::int16_t>& one, std::size_t channels) {
  std::vector<std::int16_t> x(one.size() * channels);
  for (std::size_t c = 0; c < channels; ++c) channel_copy(one, c, x.data() + c * one.size(), 1);
  return x;
}
std::vector<std::uint8_t> law_copies(const std::vector<std::uint8_t>& one, std::size_t channels) {
  std::vector<std::uint8_t> x;
  x.reserve(one.size() * channels);
  for (std::size_t c = 0; c < channels; ++c) x.insert(x.end(), one.begin(), one.end());
  return x;
}
std::vector<std::uint8_t> law_interleaved(const std::vector<std::uint8_t>& one, std::size_t channels) {
  std::vector<std::uint8_t> x(one.size() * channels);
  for (std::size_t i = 0; i < one.size(); ++i)
    for (std::size_t c = 0; c < channels; ++c) x[i * channels + c] = one[i];
  return x;
}

// int16 -> float (SSE2 is part of every x86-64; GCC -O2 does not vectorise the plain loop).
void to_float(const std::int16_t* in, float* out, std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
    _mm_storeu_ps(out + i, _mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpacklo_epi16(v, v), 16)));
    _mm_storeu_ps(out + i + 4, _mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpackhi_epi16(v, v), 16)));
  }
  for (; i < n; ++i) out[i] = in[i];
}

// The same with AVX2 sign extension (function-level target attributes, as bench/goertzel_bench.cpp's
// peak loops; chosen by the workload's ISA, only called where the CPU has it).
__attribute__((target("avx2"))) void to_float_avx2(const std::int16_t* in, float* out, std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(out + i, _mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i)))));
  for (; i < n; ++i) out[i] = in[i];
}
using ToFloat = void (*)(const std::int16_t*, float*, std::size_t) noexcept;
ToFloat to_float_for(Isa isa) {
  switch (isa) {
    case Isa::avx512:  // AVX-512's 16-wide form measured no faster (and GCC 12 warns inside its intrinsics)
    case Isa::avx2: return to_float_avx2;
    default: return to_float;
  }
}

// Position in the looped input, in samples of one channel.
struct Cursor {
  std::size_t pos = 0;
  std::size_t next() noexcept {
    const std::size_t p = pos;
    pos = pos + kFrameSamples >= kSamples ? 0 : pos + kFrameSamples;
    return p;
  }
};

// ---- linedsp workloads ---------------------------------------------------------------------------------

// One G.711 kernel (encode or decode) over N channels' planar 20 ms frames. G.711 keeps no state: a channel
// costs its 20 ms buffers (linear in, law out or the reverse).
template <class In, class Out>
class G711Bank final : public Workload {
 public:
  using Kernel = void (*)(const In*, Out*, std::size_t) noexcept;
  G711Bank(Kernel kernel, std::vector<In> in, std::size_t n)
      : kernel_(kernel), n_(n), in_(std::move(in)), out_(n * kFrameSamples) {}
  void frame() noexcept override {
    const std::size_t p = cur_.next();
    for (std::size_t c = 0; c < n_; ++c) kernel_(&in_[c * kSamples + p], &out_[c * kFrameSamples], kFrameSamples);
    benchmark::DoNotOptimize(out_.data());
  }
  double bytes_per_channel() const override { return kFrameSamples * 3.0; }

 private:
  Kernel kernel_;
  std::size_t n_;
  std::vector<In> in_;
  std::vector<Out> out_;
  Cursor cur_;
};

// The DTMF frequencies' Goertzel filters on N channels (lanes across channels): per frame int16 -> float, the
// recursion, the powers, reset — what a detector does per block.
class GoertzelWorkload final : public Workload {
 public:
  GoertzelWorkload(Isa isa, std::size_t n)
      : n_(n), pcm_(interleaved(line_signal().near, n)), bank_(kDtmfHz, 8000.0, n, isa), x_(kFrameSamples * n),
        powers_(kDtmfHz.size() * n), convert_(to_float_for(isa)) {}
  void frame() noexcept override {
    const std::size_t p = cur_.next();
    convert_(&pcm_[p * n_], x_.data(), x_.size());
    bank_.process(x_);
    bank_.powers(powers_);
    bank_.reset();
    benchmark::DoNotOptimize(powers_.data());
  }
  double bytes_per_channel() const override {
    return double(2 * sizeof(float) * kDtmfHz.size()) + double(sizeof(float) * kDtmfHz.size()) / double(n_);
  }
  const std::vector<float>& powers() const { return powers_; }

 private:
  std::size_t n_;
  std::vector<std::int16_t> pcm_;
  MultiChannelGoertzelBank bank_;
  std::vector<float> x_, powers_;
  ToFloat convert_;
  Cursor cur_;
};

class DtmfWorkload final : public Workload {
 public:
  DtmfWorkload(Isa isa, std::size_t n) : n_(n), pcm_(interleaved(line_signal().near, n)), bank_({}, n, isa) {}
  void frame() noexcept override {
    const std::size_t p = cur_.next();
    auto sink = [this](const DtmfChannelEvent&) { ++events_; };
    bank_.process(std::span<const std::int16_t>(&pcm_[p * n_], kFrameSamples * n_), sink);
    benchmark::DoNotOptimize(events_);
  }
  double bytes_per_channel() const override { return double(bank_.bytes_per_channel()); }

 private:
  std::size_t n_;
  std::vector<std::int16_t> pcm_;
  DtmfDetectorBank bank_;
  std::uint64_t events_ = 0;
  Cursor cur_;
};

class ProgressWorkload final : public Workload {
 public:
  ProgressWorkload(Isa isa, std::size_t n)
      : n_(n), pcm_(interleaved(line_signal().near, n)), bank_(us_plan(), n, {}, isa) {}
  void frame() noexcept override {
    const std::size_t p = cur_.next();
    auto sink = [this](const ProgressBankEvent&) { ++events_; };
    bank_.process(std::span<const std::int16_t>(&pcm_[p * n_], kFrameSamples * n_), sink);
    benchmark::DoNotOptimize(events_);
  }
  double bytes_per_channel() const override { return double(bank_.bytes_per_channel()); }

 private:
  std::size_t n_;
  std::vector<std::int16_t> pcm_;
  ProgressDetectorBank bank_;
  std::uint64_t events_ = 0;
  Cursor cur_;
};

class ModemWorkload final : public Workload {
 public:
  ModemWorkload(Isa isa, std::size_t n) : n_(n), pcm_(interleaved(line_signal().near, n)), bank_({}, n, isa) {}
  void frame() noexcept override {
    const std::size_t p = cur_.next();
    auto sink = [this](const ModemToneBankEvent&) { ++events_; };
    bank_.process(std::span<const std::int16_t>(&pcm_[p * n_], kFrameSamples * n_), sink);
    benchmark::DoNotOptimize(events_);
  }
  double bytes_per_channel() const override { return double(bank_.memory_bytes()) / double(n_); }

 private:
  std::size_t n_;
  std::vector<std::int16_t> pcm_;
  ModemToneDetectorBank bank_;
  std::uint64_t events_ = 0;
  Cursor cur_;
};

EchoCancellerConfig ec_config(int tail_ms) {
  EchoCancellerConfig c;
  c.tail_ms = tail_ms;
  return c;
}

class EchoWorkload final : public Workload {
 public:
  EchoWorkload(Isa isa, std::size_t n, int tail_ms)
      : n_(n), far_(interleaved(line_signal().far, n)), near_(interleaved(line_signal().near, n)),
        out_(kFrameSamples * n), bank_(n, ec_config(tail_ms), isa) {}
  void frame() noexcept override {
    const std::size_t p = cur_.next();
    const std::size_t len = kFrameSamples * n_;
    bank_.process(std::span<const std::int16_t>(&far_[p * n_], len), std::span<const std::int16_t>(&near_[p * n_], len),
                  out_);
    benchmark::DoNotOptimize(out_.data());
  }
  double bytes_per_channel() const override { return double(bank_.memory_bytes()) / double(n_); }

 private:
  std::size_t n_;
  std::vector<std::int16_t> far_, near_, out_;
  EchoCancellerBank bank_;
  Cursor cur_;
};

// The gateway channel, N at once, interleaved by frame throughout: G.711 mu-law decode of the network side, the
// echo canceller (64 ms), DTMF + call-progress (US plan) + modem-tone detection on the cleaned line side, G.711
// mu-law encode of the cleaned line side back to the network.
class GatewayWorkload final : public Workload {
 public:
  GatewayWorkload(Isa isa, std::size_t n)
      : n_(n), k_(g711_kernels(isa)), rx_(law_interleaved(line_signal().rx_law, n)),
        near_(interleaved(line_signal().near, n)), far_(kFrameSamples * n), clean_(kFrameSamples * n),
        tx_(kFrameSamples * n), ec_(n, ec_config(64), isa), dtmf_({}, n, isa), progress_(us_plan(), n, {}, isa),
        modem_({}, n, isa), digits_(n), residual_(n, 0.0) {}

  void frame() noexcept override { step(cur_.next()); }
  double bytes_per_channel() const override {
    const double n = double(n_);
    return double(ec_.memory_bytes()) / n + double(dtmf_.bytes_per_channel()) +
           double(progress_.bytes_per_channel()) + double(modem_.memory_bytes()) / n + kFrameSamples * 5.0;
  }

  // One pass over the whole signal from this (fresh) state, recording digits and residual energy per channel.
  GatewayPass pass() {
    recording_ = true;
    for (std::size_t p = 0; p < kSamples; p += kFrameSamples) step(p);
    recording_ = false;
    return {digits_, residual_};
  }

 private:
  void step(std::size_t p) noexcept {
    const std::size_t len = kFrameSamples * n_;
    k_.decode_ulaw(&rx_[p * n_], far_.data(), len);
    ec_.process(far_, std::span<const std::int16_t>(&near_[p * n_], len), clean_);
    auto on_dtmf = [this](const DtmfChannelEvent& e) {
      ++events_;
      if (recording_ && e.event.begin && digits_[e.channel].size() < 16) digits_[e.channel] += e.event.digit;
    };
    auto on_progress = [this](const ProgressBankEvent&) { ++events_; };
    auto on_modem = [this](const ModemToneBankEvent&) { ++events_; };
    dtmf_.process(clean_, on_dtmf);
    progress_.process(clean_, on_progress);
    modem_.process(clean_, on_modem);
    k_.encode_ulaw(clean_.data(), tx_.data(), len);
    if (recording_)
      for (std::size_t i = 0; i < len; ++i) residual_[i % n_] += double(clean_[i]) * clean_[i];
    benchmark::DoNotOptimize(tx_.data());
  }

  std::size_t n_;
  const G711Kernels& k_;
  std::vector<std::uint8_t> rx_;
  std::vector<std::int16_t> near_, far_, clean_;
  std::vector<std::uint8_t> tx_;
  EchoCancellerBank ec_;
  DtmfDetectorBank dtmf_;
  ProgressDetectorBank progress_;
  ModemToneDetectorBank modem_;
  std::uint64_t events_ = 0;
  bool recording_ = false;
  std::vector<std::string> digits_;
  std::vector<double> residual_;
  Cursor cur_;
};

// ---- peers ---------------------------------------------------------------------------------------------

#if defined(LINEDSP_HAVE_SPANDSP)
// spandsp's g711_encode or g711_decode, one g711_state_t per channel, over the same planar frames as G711Bank.
template <class In, class Out>
class SpanG711 final : public Workload {
 public:
  using Codec = int (*)(g711_state_t*, Out*, const In*, int);
  SpanG711(Codec codec, std::vector<In> in, std::size_t n)
      : codec_(codec), n_(n), in_(std::move(in)), out_(n * kFrameSamples) {
    for (std::size_t c = 0; c < n; ++c) g_.push_back(g711_init(nullptr, G711_ULAW));
  }
  ~SpanG711() override {
    for (auto* g : g_) g711_free(g);
  }
  void frame() noexcept override {
    const std::size_t p = cur_.next();
    for (std::size_t c = 0; c < n_; ++c) codec_(g_[c], &out_[c * kFrameSamples], &in_[c * kSamples + p], int(kFrameSamples));
    benchmark::DoNotOptimize(out_.data());
  }
  double bytes_per_channel() const override { return double(malloc_usable_size(g_[0])) + kFrameSamples * 3.0; }

 private:
  Codec codec_;
  std::size_t n_;
  std::vector<In> in_;
  std::vector<Out> out_;
  std::vector<g711_state_t*> g_;
  Cursor cur_;
};

// spandsp 0.0.6: one goertzel_state_t per filter; goertzel_update over the frame, goertzel_result (which also
// resets) per filter.
class SpanGoertzel final : public Workload {
 public:
  explicit SpanGoertzel(std::size_t n) : n_(n), pcm_(planar(line_signal().near, n)), st_(n * kDtmfHz.size()), powers_(st_.size()) {
    for (std::size_t f = 0; f < kDtmfHz.size(); ++f) make_goertzel_descriptor(&desc_[f], float(kDtmfHz[f]), int(kFrameSamples));
    for (std::size_t i = 0; i < st_.size(); ++i) goertzel_init(&st_[i], &desc_[i % kDtmfHz.size()]);
  }
  void frame() noexcept override {
    const std::size_t p = cur_.next();
    for (std::size_t c = 0; c < n_; ++c)
      for (std::size_t f = 0; f < kDtmfHz.size(); ++f) {
        auto* s = &st_[c * kDtmfHz.size() + f];
        goertzel_update(s, &pcm_[c * kSamples + p], int(kFrameSamples));
        powers_[c * kDtmfHz.size() + f] = float(goertzel_result(s));
      }
    benchmark::DoNotOptimize(powers_.data());
  }
  double bytes_per_channel() const override { return double(sizeof(goertzel_state_t) * kDtmfHz.size()); }

 private:
  std::size_t n_;
  std::vector<std::int16_t> pcm_;
  std::array<goertzel_descriptor_t, 8> desc_{};
  std::vector<goertzel_state_t> st_;
  std::vector<float> powers_;
  Cursor cur_;
};

class SpanDtmf final : public Workload {
 public:
  explicit SpanDtmf(std::size_t n) : n_(n), pcm_(planar(line_signal().near, n)) {
    for (std::size_t c = 0; c < n; ++c)
      rx_.push_back(dtmf_rx_init(nullptr, [](void* u, const char*, int len) { *static_cast<int*>(u) += len; }, &digits_));
  }
  ~SpanDtmf() override {
    for (auto* r : rx_) dtmf_rx_free(r);
  }
  void frame() noexcept override {
    const std::size_t p = cur_.next();
    for (std::size_t c = 0; c < n_; ++c) dtmf_rx(rx_[c], &pcm_[c * kSamples + p], int(kFrameSamples));
    benchmark::DoNotOptimize(digits_);
  }
  double bytes_per_channel() const override { return double(malloc_usable_size(rx_[0])); }

 private:
  std::size_t n_;
  std::vector<std::int16_t> pcm_;
  std::vector<dtmf_rx_state_t*> rx_;
  int digits_ = 0;
  Cursor cur_;
};

// super_tone_rx descriptors for the US plan (as bench/progress_bench.cpp): each element (f1, f2, min ms, max ms),
// frequency 0 = silence (super_tone_rx.c).
super_tone_rx_descriptor_t* us_descriptor() {
  auto* desc = super_tone_rx_make_descriptor(nullptr);
  auto add = [&](std::initializer_list<std::array<int, 4>> els) {
    const int t = super_tone_rx_add_tone(desc);
    for (const auto& e : els) super_tone_rx_add_element(desc, t, e[0], e[1], e[2], e[3]);
  };
  add({{350, 440, 1000, 0}});
  add({{440, 480, 1760, 2240}, {0, 0, 3560, 4440}});
  add({{480, 620, 410, 590}, {0, 0, 410, 590}});
  add({{480, 620, 185, 315}, {0, 0, 185, 315}});
  add({{950, 0, 260, 400}, {1400, 0, 260, 400}, {1800, 0, 260, 400}});
  add({{440, 0, 230, 370}, {0, 0, 500, 0}});
  return desc;
}

void count_event(void* u, int, int, int) { ++*static_cast<std::uint64_t*>(u); }

class SpanProgress final : public Workload {
 public:
  explicit SpanProgress(std::size_t n) : n_(n), pcm_(planar(line_signal().near, n)), desc_(us_descriptor()) {
    for (std::size_t c = 0; c < n; ++c) rx_.push_back(super_tone_rx_init(nullptr, desc_, count_event, &events_));
  }
  ~SpanProgress() override {
    for (auto* r : rx_) super_tone_rx_free(r);
    super_tone_rx_free_descriptor(desc_);
  }
  void frame() noexcept override {
    const std::size_t p = cur_.next();
    for (std::size_t c = 0; c < n_; ++c) super_tone_rx(rx_[c], &pcm_[c * kSamples + p], int(kFrameSamples));
    benchmark::DoNotOptimize(events_);
  }
  double bytes_per_channel() const override { return double(malloc_usable_size(rx_[0])); }

 private:
  std::size_t n_;
  std::vector<std::int16_t> pcm_;
  super_tone_rx_descriptor_t* desc_;
  std::vector<super_tone_rx_state_t*> rx_;
  std::uint64_t events_ = 0;
  Cursor cur_;
};

// The three receivers spandsp needs to cover what ours listens for: CNG, ANSam/PR (ANS, ANSam, /ANS, /ANSam),
// CED or V.21 preamble.
constexpr int kSpanModemTypes[] = {MODEM_CONNECT_TONES_FAX_CNG, MODEM_CONNECT_TONES_ANSAM_PR,
                                   MODEM_CONNECT_TONES_FAX_CED_OR_PREAMBLE};

class SpanModem final : public Workload {
 public:
  explicit SpanModem(std::size_t n) : n_(n), pcm_(planar(line_signal().near, n)) {
    for (std::size_t c = 0; c < n; ++c)
      for (int t : kSpanModemTypes) rx_.push_back(modem_connect_tones_rx_init(nullptr, t, count_event, &events_));
  }
  ~SpanModem() override {
    for (auto* r : rx_) modem_connect_tones_rx_free(r);
  }
  void frame() noexcept override {
    const std::size_t p = cur_.next();
    for (std::size_t c = 0; c < n_; ++c)
      for (std::size_t k = 0; k < 3; ++k) modem_connect_tones_rx(rx_[c * 3 + k], &pcm_[c * kSamples + p], int(kFrameSamples));
    benchmark::DoNotOptimize(events_);
  }
  double bytes_per_channel() const override {
    return double(malloc_usable_size(rx_[0]) + malloc_usable_size(rx_[1]) + malloc_usable_size(rx_[2]));
  }

 private:
  std::size_t n_;
  std::vector<std::int16_t> pcm_;
  std::vector<modem_connect_tones_rx_state_t*> rx_;
  std::uint64_t events_ = 0;
  Cursor cur_;
};

// spandsp 0.0.6 echo_can, one sample per call. Its state is opaque: the struct (malloc'd) plus echo.c's
// separately allocated arrays, four int16 tap sets, one int32 set and an int16 history per tap: ~14 bytes/tap.
class SpanEcho final : public Workload {
 public:
  SpanEcho(std::size_t n, int tail_ms)
      : n_(n), taps_(tail_ms * 8), far_(planar(line_signal().far, n)), near_(planar(line_signal().near, n)),
        out_(n * kFrameSamples) {
    for (std::size_t c = 0; c < n; ++c) ec_.push_back(echo_can_init(taps_, ECHO_CAN_USE_ADAPTION));
  }
  ~SpanEcho() override {
    for (auto* e : ec_) echo_can_free(e);
  }
  void frame() noexcept override {
    const std::size_t p = cur_.next();
    for (std::size_t c = 0; c < n_; ++c) {
      const std::int16_t* f = &far_[c * kSamples + p];
      const std::int16_t* d = &near_[c * kSamples + p];
      std::int16_t* o = &out_[c * kFrameSamples];
      for (std::size_t i = 0; i < kFrameSamples; ++i) o[i] = echo_can_update(ec_[c], f[i], d[i]);
    }
    benchmark::DoNotOptimize(out_.data());
  }
  double bytes_per_channel() const override { return double(malloc_usable_size(ec_[0])) + 14.0 * taps_; }

 private:
  std::size_t n_;
  int taps_;
  std::vector<std::int16_t> far_, near_, out_;
  std::vector<echo_can_state_t*> ec_;
  Cursor cur_;
};

// What Debian's spandsp 0.0.6 echo_can_update also does per sample: two debug lines on stdout ("echo is %d",
// "Narrowband score %4d %5d at %d"). Measured alone so the report can show spandsp's echo and gateway rows with
// that cost taken out, too.
class SpanDebugPrint final : public Workload {
 public:
  explicit SpanDebugPrint(std::size_t n) : n_(n) {}
  void frame() noexcept override {
    for (std::size_t c = 0; c < n_; ++c)
      for (std::size_t i = 0; i < kFrameSamples; ++i) {
        ++k_;
        std::printf("echo is %d\n", int(k_ & 7));
        std::printf("Narrowband score %4d %5d at %d\n", int(k_ & 3), int(k_ & 15), int(k_));
      }
  }
  double bytes_per_channel() const override { return 0; }

 private:
  std::size_t n_;
  std::uint64_t k_ = 0;
};

// The gateway chain from spandsp 0.0.6 (g711, echo_can 512 taps, dtmf_rx, super_tone_rx with the US plan,
// modem_connect_tones_rx x 3), one channel.
struct SpanChannel {
  explicit SpanChannel(super_tone_rx_descriptor_t* desc) {
    g711_dec = g711_init(nullptr, G711_ULAW);
    g711_enc = g711_init(nullptr, G711_ULAW);
    ec = echo_can_init(512, ECHO_CAN_USE_ADAPTION);
    dtmf = dtmf_rx_init(nullptr, &SpanChannel::on_digits, this);
    tones = super_tone_rx_init(nullptr, desc, count_event, &events);
    for (int t : kSpanModemTypes) modem.push_back(modem_connect_tones_rx_init(nullptr, t, count_event, &events));
  }
  ~SpanChannel() {
    for (auto* m : modem) modem_connect_tones_rx_free(m);
    super_tone_rx_free(tones);
    dtmf_rx_free(dtmf);
    echo_can_free(ec);
    g711_free(g711_enc);
    g711_free(g711_dec);
  }
  SpanChannel(const SpanChannel&) = delete;
  SpanChannel& operator=(const SpanChannel&) = delete;
  static void on_digits(void* u, const char* d, int len) {
    auto* self = static_cast<SpanChannel*>(u);
    for (int i = 0; i < len && self->digits.size() < 15; ++i) self->digits += d[i];
  }
  void frame(const std::uint8_t* rx_law, const std::int16_t* near) noexcept {
    g711_decode(g711_dec, far, rx_law, int(kFrameSamples));
    for (std::size_t i = 0; i < kFrameSamples; ++i) clean[i] = echo_can_update(ec, far[i], near[i]);
    dtmf_rx(dtmf, clean, int(kFrameSamples));
    super_tone_rx(tones, clean, int(kFrameSamples));
    for (auto* m : modem) modem_connect_tones_rx(m, clean, int(kFrameSamples));
    g711_encode(g711_enc, tx, clean, int(kFrameSamples));
  }
  double bytes() const {
    double b = double(malloc_usable_size(g711_dec) + malloc_usable_size(g711_enc) + malloc_usable_size(ec) +
                      malloc_usable_size(dtmf) + malloc_usable_size(tones)) +
               14.0 * 512;
    for (auto* m : modem) b += double(malloc_usable_size(m));
    return b + sizeof(far) + sizeof(clean) + sizeof(tx);
  }
  g711_state_t *g711_dec, *g711_enc;
  echo_can_state_t* ec;
  dtmf_rx_state_t* dtmf;
  super_tone_rx_state_t* tones;
  std::vector<modem_connect_tones_rx_state_t*> modem;
  std::int16_t far[kFrameSamples]{}, clean[kFrameSamples]{};
  std::uint8_t tx[kFrameSamples]{};
  std::uint64_t events = 0;
  std::string digits;
};

class SpanGateway final : public Workload {
 public:
  explicit SpanGateway(std::size_t n)
      : n_(n), rx_(law_copies(line_signal().rx_law, n)), near_(planar(line_signal().near, n)), desc_(us_descriptor()) {
    for (std::size_t c = 0; c < n; ++c) ch_.push_back(std::make_unique<SpanChannel>(desc_));
  }
  ~SpanGateway() override {
    ch_.clear();
    super_tone_rx_free_descriptor(desc_);
  }
  void frame() noexcept override {
    const std::size_t p = cur_.next();
    for (std::size_t c = 0; c < n_; ++c) ch_[c]->frame(&rx_[c * kSamples + p], &near_[c * kSamples + p]);
    benchmark::DoNotOptimize(ch_[0]->events);
  }
  double bytes_per_channel() const override { return ch_[0]->bytes(); }
  std::string digits(std::size_t c) const { return ch_[c]->digits; }

 private:
  std::size_t n_;
  std::vector<std::uint8_t> rx_;
  std::vector<std::int16_t> near_;
  super_tone_rx_descriptor_t* desc_;
  std::vector<std::unique_ptr<SpanChannel>> ch_;
  Cursor cur_;
};
#endif

#if defined(LINEDSP_HAVE_SPEEXDSP)
// speexdsp's MDF canceller on 20 ms frames. Its state is opaque; MDF keeps ~10 float arrays of (taps + frame)
// plus spectra: about 48 bytes per (tap + frame sample) (an estimate from speexdsp's mdf.c).
class SpeexEcho final : public Workload {
 public:
  SpeexEcho(std::size_t n, int tail_ms)
      : n_(n), taps_(tail_ms * 8), far_(planar(line_signal().far, n)), near_(planar(line_signal().near, n)),
        out_(n * kFrameSamples) {
    for (std::size_t c = 0; c < n; ++c) {
      SpeexEchoState* st = speex_echo_state_init(int(kFrameSamples), taps_);
      int rate = 8000;
      speex_echo_ctl(st, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
      st_.push_back(st);
    }
  }
  ~SpeexEcho() override {
    for (auto* s : st_) speex_echo_state_destroy(s);
  }
  void frame() noexcept override {
    const std::size_t p = cur_.next();
    for (std::size_t c = 0; c < n_; ++c)
      speex_echo_cancellation(st_[c], &near_[c * kSamples + p], &far_[c * kSamples + p], &out_[c * kFrameSamples]);
    benchmark::DoNotOptimize(out_.data());
  }
  double bytes_per_channel() const override { return double(taps_ + int(kFrameSamples)) * 48.0; }

 private:
  std::size_t n_;
  int taps_;
  std::vector<std::int16_t> far_, near_, out_;
  std::vector<SpeexEchoState*> st_;
  Cursor cur_;
};
#endif

// ---- checks (linedsp rows, after timing) ------------------------------------------------------------------

std::string check_g711_encode(Isa isa, std::size_t) {
  const auto& x = line_signal().near;
  std::vector<std::uint8_t> got(x.size()), ref(x.size());
  g711_kernels(isa).encode_ulaw(x.data(), got.data(), x.size());
  g711_kernels(Isa::scalar).encode_ulaw(x.data(), ref.data(), x.size());
  if (got != ref) return "mu-law codes differ from the scalar kernel";
#if defined(LINEDSP_HAVE_SPANDSP)
  // spandsp as the oracle: our code must decode (by spandsp's ulaw_to_linear) no farther from the input than
  // spandsp's own code does (the two break exact ties between levels differently for 127 negative inputs).
  for (std::size_t i = 0; i < x.size(); ++i)
    if (std::abs(x[i] - ulaw_to_linear(got[i])) > std::abs(x[i] - ulaw_to_linear(linear_to_ulaw(x[i]))))
      return "mu-law code " + std::to_string(got[i]) + " for " + std::to_string(x[i]) +
             " is not the nearest level (spandsp's ulaw_to_linear)";
#endif
  return {};
}

std::string check_g711_decode(Isa isa, std::size_t) {
  const auto& law = line_signal().rx_law;
  std::vector<std::int16_t> got(law.size()), ref(law.size());
  g711_kernels(isa).decode_ulaw(law.data(), got.data(), law.size());
  g711_kernels(Isa::scalar).decode_ulaw(law.data(), ref.data(), law.size());
  if (got != ref) return "decoded samples differ from the scalar kernel";
#if defined(LINEDSP_HAVE_SPANDSP)
  for (std::size_t i = 0; i < law.size(); ++i)
    if (got[i] != ulaw_to_linear(law[i])) return "decoded samples differ from spandsp's ulaw_to_linear";
#endif
  return {};
}

std::string check_goertzel(Isa isa, std::size_t n) {
  GoertzelWorkload got(isa, n), ref(Isa::scalar, n);
  for (std::size_t p = 0; p < kSamples; p += kFrameSamples) {
    got.frame();
    ref.frame();
    if (std::memcmp(got.powers().data(), ref.powers().data(), got.powers().size() * sizeof(float)) != 0)
      return "powers differ from the scalar kernel";
  }
  return {};
}

// Events of a fresh detector bank over the whole signal: (channel, begin, kind, sample) packed per event.
template <class Bank, class Event, class Key>
std::vector<std::array<std::uint64_t, 4>> bank_events(Bank& bank, std::size_t n, Key key) {
  const auto x = interleaved(line_signal().near, n);
  std::vector<std::array<std::uint64_t, 4>> ev;
  auto sink = [&](const Event& e) { ev.push_back(key(e)); };
  for (std::size_t p = 0; p < kSamples; p += kFrameSamples)
    bank.process(std::span<const std::int16_t>(&x[p * n], kFrameSamples * n), sink);
  bank.finish(sink);
  return ev;
}

std::string check_dtmf(Isa isa, std::size_t n) {
  auto key = [](const DtmfChannelEvent& e) {
    return std::array<std::uint64_t, 4>{e.channel, e.event.begin, std::uint64_t(e.event.digit), e.event.sample};
  };
  DtmfDetectorBank a({}, n, isa), b({}, n, Isa::scalar);
  const auto got = bank_events<DtmfDetectorBank, DtmfChannelEvent>(a, n, key);
  const auto ref = bank_events<DtmfDetectorBank, DtmfChannelEvent>(b, n, key);
  std::vector<std::string> heard(n);
  for (const auto& e : got)
    if (e[1]) heard[e[0]] += char(e[2]);
  for (std::size_t c = 0; c < n; ++c)
    if (heard[c] != line_signal().digits)
      return "channel " + std::to_string(c) + " heard \"" + heard[c] + "\", not \"" + line_signal().digits + "\"";
  if (got != ref) return "events differ from the scalar kernels'";
  return {};
}

std::string check_progress(Isa isa, std::size_t n) {
  auto key = [](const ProgressBankEvent& e) {
    return std::array<std::uint64_t, 4>{e.channel, e.event.begin, std::uint64_t(e.event.kind), e.event.sample};
  };
  ProgressDetectorBank a(us_plan(), n, {}, isa), b(us_plan(), n, {}, Isa::scalar);
  const auto got = bank_events<ProgressDetectorBank, ProgressBankEvent>(a, n, key);
  const auto ref = bank_events<ProgressDetectorBank, ProgressBankEvent>(b, n, key);
  std::vector<bool> dial(n, false);
  for (const auto& e : got)
    if (e[1] && e[2] == std::uint64_t(ToneKind::dial)) dial[e[0]] = true;
  for (std::size_t c = 0; c < n; ++c)
    if (!dial[c]) return "channel " + std::to_string(c) + " did not report the dial tone";
  if (got != ref) return "events differ from the scalar kernels'";
  return {};
}

std::string check_modem(Isa isa, std::size_t n) {
  auto key = [](const ModemToneBankEvent& e) {
    return std::array<std::uint64_t, 4>{e.channel, e.event.begin, std::uint64_t(e.event.tone), e.event.sample};
  };
  ModemToneDetectorBank a({}, n, isa), b({}, n, Isa::scalar);
  const auto got = bank_events<ModemToneDetectorBank, ModemToneBankEvent>(a, n, key);
  const auto ref = bank_events<ModemToneDetectorBank, ModemToneBankEvent>(b, n, key);
  std::vector<bool> cng(n, false);
  for (const auto& e : got)
    if (e[1] && e[2] == std::uint64_t(ModemTone::cng)) cng[e[0]] = true;
  for (std::size_t c = 0; c < n; ++c)
    if (!cng[c]) return "channel " + std::to_string(c) + " did not report the CNG burst";
  if (got != ref) return "events differ from the scalar kernels'";
  return {};
}

double energy(std::span<const std::int16_t> x) {
  double e = 0;
  for (auto v : x) e += double(v) * v;
  return e;
}

std::string check_echo(Isa isa, std::size_t n, int tail_ms) {
  const LineSignal& s = line_signal();
  // Echo alone: the last second must be at least 10 dB below the echo (ERLE; NLP on, as deployed).
  {
    EchoCanceller ec(ec_config(tail_ms), isa);
    std::vector<std::int16_t> out(kSamples);
    for (std::size_t p = 0; p < kSamples; p += kFrameSamples)
      ec.process(std::span(s.far).subspan(p, kFrameSamples), std::span(s.echo_only).subspan(p, kFrameSamples),
                 std::span(out).subspan(p, kFrameSamples));
    const std::size_t last = kSamples - 8000;
    const double erle = 10.0 * std::log10((energy(std::span(s.echo_only).subspan(last)) + 1.0) /
                                          (energy(std::span(out).subspan(last)) + 1.0));
    if (erle < 10.0) return "ERLE " + std::to_string(erle) + " dB on echo alone (expected >= 10 dB)";
  }
  // The bank on the line signal: residual energy per channel within 1 dB of the scalar build's.
  auto residual = [&](Isa i) {
    const auto far = interleaved(s.far, n), near = interleaved(s.near, n);
    std::vector<std::int16_t> out(far.size());
    EchoCancellerBank bank(n, ec_config(tail_ms), i);
    for (std::size_t p = 0; p < kSamples; p += kFrameSamples) {
      const std::size_t len = kFrameSamples * n;
      bank.process(std::span(far).subspan(p * n, len), std::span(near).subspan(p * n, len),
                   std::span(out).subspan(p * n, len));
    }
    std::vector<double> e(n, 0.0);
    for (std::size_t i2 = 0; i2 < out.size(); ++i2) e[i2 % n] += double(out[i2]) * out[i2];
    return e;
  };
  const auto got = residual(isa), ref = residual(Isa::scalar);
  for (std::size_t c = 0; c < n; ++c)
    if (std::abs(10.0 * std::log10((got[c] + 1.0) / (ref[c] + 1.0))) > 1.0)
      return "channel " + std::to_string(c) + ": residual differs from the scalar build's by more than 1 dB";
  return {};
}

std::string check_gateway(Isa isa, std::size_t n) {
  const GatewayPass got = gateway_pass(isa, n), ref = gateway_pass(Isa::scalar, n);
  for (std::size_t c = 0; c < n; ++c) {
    if (got.digits[c] != line_signal().digits)
      return "channel " + std::to_string(c) + " heard \"" + got.digits[c] + "\", not \"" + line_signal().digits + "\"";
    if (std::abs(10.0 * std::log10((got.residual_energy[c] + 1.0) / (ref.residual_energy[c] + 1.0))) > 1.0)
      return "channel " + std::to_string(c) + ": echo-cancelled output differs from the scalar run by more than 1 dB";
  }
  return {};
}

// ---- running ---------------------------------------------------------------------------------------------

// Pins the calling thread to usable_cpus()[index % n] while alive (only when `pin`), then restores its mask.
class Pin {
 public:
  Pin(int index, bool pin) : pin_(pin) {
    if (!pin_) return;
    pthread_getaffinity_np(pthread_self(), sizeof old_, &old_);
    const auto cpus = usable_cpus();
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpus[std::size_t(index) % cpus.size()], &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  }
  ~Pin() {
    if (pin_) pthread_setaffinity_np(pthread_self(), sizeof old_, &old_);
  }
  Pin(const Pin&) = delete;
  Pin& operator=(const Pin&) = delete;

 private:
  bool pin_;
  cpu_set_t old_{};
};

void run_row(benchmark::State& st, const RowSpec& spec, const Options& o) {
  const Pin pin(st.thread_index(), st.threads() > 1);
  std::optional<QuietStdio> quiet;
  if (spec.implementation == "spandsp") quiet.emplace();
  std::unique_ptr<Workload> w;
  try {
    w = spec.make(o.isa, o.channels);
  } catch (const std::exception& e) {
    st.SkipWithError(e.what());
    return;
  }
  for (auto _ : st) w->frame();
  const double audio_s = double(st.iterations()) * double(o.channels) * kFrameSeconds;
  st.counters["channels_per_core"] = benchmark::Counter(audio_s, benchmark::Counter::kIsRate);
  st.counters["bytes_per_channel"] = benchmark::Counter(w->bytes_per_channel(), benchmark::Counter::kAvgThreads);
  if (spec.implementation == "linedsp") st.SetLabel(isa_name(o.isa));
  if (o.check_in_benchmark && spec.check && st.thread_index() == 0) {
    const std::string why = spec.check(o.isa, std::min<std::size_t>(o.channels, 16));
    if (!why.empty()) st.SkipWithError(why.c_str());
  }
}

#if defined(LINEDSP_HAVE_SPANDSP)
void run_debug_print(benchmark::State& st, const Options& o) {
  const Pin pin(st.thread_index(), st.threads() > 1);
  const QuietStdio quiet;
  SpanDebugPrint w(o.channels);
  for (auto _ : st) w.frame();
  const double audio_s = double(st.iterations()) * double(o.channels) * kFrameSeconds;
  st.counters["channels_per_core"] = benchmark::Counter(audio_s, benchmark::Counter::kIsRate);
}
#endif

bool prints_per_sample(const RowSpec& r) {
  return r.implementation == "spandsp" && (r.component.rfind("echo-", 0) == 0 || r.component == "gateway-channel");
}

void run_peak(benchmark::State& st) {
  const Pin pin(st.thread_index(), st.threads() > 1);
  double ops = 0;
  for (auto _ : st) ops += peak_flops_kernel(1 << 14);
  st.counters["flops"] = benchmark::Counter(ops, benchmark::Counter::kIsRate);
}

std::vector<const RowSpec*> selected(const Options& o) {
  std::vector<const RowSpec*> out;
  for (const auto& c : o.components)
    if (std::find(component_names().begin(), component_names().end(), c) == component_names().end())
      throw std::invalid_argument("unknown component '" + c + "'");
  for (const auto& s : row_specs())
    if (o.components.empty() || std::find(o.components.begin(), o.components.end(), s.component) != o.components.end())
      out.push_back(&s);
  return out;
}

int all_threads(const Options& o) { return o.threads > 0 ? o.threads : int(usable_cpus().size()); }

void configure(benchmark::internal::Benchmark* b, const Options& o, int threads) {
  b->MinTime(o.min_time_s)->Repetitions(o.repetitions)->Threads(threads);
  if (threads > 1) b->UseRealTime();
  if (o.repetitions > 1) b->ReportAggregatesOnly(true);
}

// Collects the counters of every run: key = name + thread count; the median when repeated.
class Collector final : public benchmark::BenchmarkReporter {
 public:
  struct Result {
    std::map<std::string, double> counters;
    std::string error;
  };
  std::map<std::pair<std::string, int>, Result> results;
  int progress_fd = -1;  // a terminal: one progress line, rewritten per measurement
  std::size_t done = 0, total = 0;
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    if (progress_fd >= 0 && !runs.empty()) {
      char line[160];
      const int n = std::snprintf(line, sizeof line, "\rlinedsp bench: %zu/%zu %-48s", ++done, total,
                                  runs.front().run_name.function_name.c_str());
      if (n > 0 && write(progress_fd, line, std::min<std::size_t>(std::size_t(n), sizeof line - 1)) < 0) progress_fd = -1;
    }
    for (const auto& r : runs) {
      const auto key = std::make_pair(r.run_name.function_name, int(r.threads));
      if (r.error_occurred) {
        results[key].error = r.error_message.empty() ? "the benchmark failed" : r.error_message;
        continue;
      }
      const bool wanted = r.repetitions > 1 ? (r.run_type == Run::RT_Aggregate && r.aggregate_name == "median")
                                            : r.run_type == Run::RT_Iteration;
      if (!wanted) continue;
      for (const auto& [k, c] : r.counters) results[key].counters[k] = c.value;
    }
  }
};

}  // namespace

// Reference-counted: nested or concurrent holders (threads of one benchmark) share one redirection.
namespace {
std::mutex g_quiet_mutex;
int g_quiet_depth = 0, g_quiet_out = -1, g_quiet_err = -1;
}  // namespace

QuietStdio::QuietStdio() {
  const std::lock_guard lock(g_quiet_mutex);
  if (g_quiet_depth++ > 0) return;
  std::fflush(stdout);
  std::fflush(stderr);
  g_quiet_out = dup(1);
  g_quiet_err = dup(2);
  const int null = open("/dev/null", O_WRONLY);
  dup2(null, 1);
  dup2(null, 2);
  close(null);
}
QuietStdio::~QuietStdio() {
  const std::lock_guard lock(g_quiet_mutex);
  if (--g_quiet_depth > 0) return;
  std::fflush(stdout);
  std::fflush(stderr);
  dup2(g_quiet_out, 1);
  dup2(g_quiet_err, 2);
  close(g_quiet_out);
  close(g_quiet_err);
}

std::unique_ptr<Workload> make_gateway(Isa isa, std::size_t channels) {
  return std::make_unique<GatewayWorkload>(isa, channels);
}

GatewayPass gateway_pass(Isa isa, std::size_t channels) { return GatewayWorkload(isa, channels).pass(); }

#if defined(LINEDSP_HAVE_SPANDSP)
std::unique_ptr<Workload> make_spandsp_gateway(std::size_t channels) { return std::make_unique<SpanGateway>(channels); }
std::string spandsp_gateway_digits(std::size_t channels) {
  SpanGateway g(channels);
  for (std::size_t p = 0; p < kSamples; p += kFrameSamples) g.frame();
  return g.digits(0);
}
#endif

const std::vector<std::string>& component_names() {
  static const std::vector<std::string> names = {"g711-encode", "g711-decode", "goertzel-bank",
                                                 "dtmf",        "progress",    "modem",
                                                 "echo-64ms",   "echo-128ms",  "gateway-channel"};
  return names;
}

void set_data_dir(std::string dir) { data_dir_ref() = std::move(dir); }

const LineSignal& line_signal() {
  static const LineSignal s = [] {
    LineSignal r;
    const auto speech = wavs("/usr/share/asterisk/sounds/en_US_f_Allison");
    const auto music_files = wavs("/usr/share/asterisk/moh");
    std::vector<float> far = speech.empty() ? g168::composite_source_signal(kSeconds, -15.0)
                                            : g168::concatenate_audio(speech, kSeconds);
    far.resize(kSamples, 0.0f);
    std::vector<float> music = music_files.empty() ? std::vector<float>(kSamples, 0.0f)
                                                   : g168::concatenate_audio(music_files, kSeconds);
    music.resize(kSamples, 0.0f);
    const auto far16 = g168::to_int16(far);
    r.rx_law.resize(kSamples);
    g711_encode(Law::ulaw, far16, r.rx_law);
    r.far.resize(kSamples);
    g711_decode(Law::ulaw, r.rx_law, r.far);
    // Line-side events.
    std::vector<float> events(kSamples, 0.0f);
    auto put = [&](std::size_t at, const std::vector<std::int16_t>& v) {
      for (std::size_t i = 0; i < v.size() && at + i < kSamples; ++i) events[at + i] += float(v[i]);
    };
    if (const Tone* dial = us_plan().find(ToneKind::dial)) {
      auto v = generate_tone(*dial, 1.3);
      put(800, v);
    }
    r.digits = "123";
    {
      DtmfGenerator phone{};
      phone.queue(r.digits);
      std::vector<std::int16_t> v(8000, 0);
      phone.generate(v);
      put(12800, v);
    }
    {
      ModemToneGeneratorConfig c;
      c.tone = ModemTone::cng;
      c.duration_ms = 500;
      ModemToneGenerator g(c);
      std::vector<std::int16_t> v(4000, 0);
      g.generate(v);
      put(19200, v);
    }
    const float erl = std::pow(10.0f, -10.0f / 20.0f), music_gain = std::pow(10.0f, -10.0f / 20.0f);
    r.near.resize(kSamples);
    r.echo_only.resize(kSamples);
    for (std::size_t i = 0; i < kSamples; ++i) {
      const float echo = i >= 100 ? erl * float(r.far[i - 100]) : 0.0f;
      r.echo_only[i] = clamp16(echo);
      r.near[i] = clamp16(echo + (i >= 24000 ? music_gain * music[i] : 0.0f) + events[i]);
    }
    return r;
  }();
  return s;
}

const std::vector<RowSpec>& row_specs() {
  static const std::vector<RowSpec> specs = [] {
    std::vector<RowSpec> v;
    auto ours = [&](std::string comp, std::function<std::unique_ptr<Workload>(Isa, std::size_t)> make,
                    std::function<std::string(Isa, std::size_t)> check) {
      v.push_back({std::move(comp), "linedsp", std::move(make), std::move(check)});
    };
    auto peer = [&](std::string comp, std::string impl, std::function<std::unique_ptr<Workload>(std::size_t)> make) {
      v.push_back({std::move(comp), std::move(impl), [make](Isa, std::size_t n) { return make(n); }, {}});
    };
    (void)peer;
    ours("g711-encode", [](Isa i, std::size_t n) {
          return std::make_unique<G711Bank<std::int16_t, std::uint8_t>>(g711_kernels(i).encode_ulaw,
                                                                         planar(line_signal().near, n), n);
        }, check_g711_encode);
#if defined(LINEDSP_HAVE_SPANDSP)
    peer("g711-encode", "spandsp", [](std::size_t n) {
      return std::make_unique<SpanG711<std::int16_t, std::uint8_t>>(::g711_encode, planar(line_signal().near, n), n);
    });
#endif
    ours("g711-decode", [](Isa i, std::size_t n) {
          return std::make_unique<G711Bank<std::uint8_t, std::int16_t>>(g711_kernels(i).decode_ulaw,
                                                                         law_copies(line_signal().rx_law, n), n);
        }, check_g711_decode);
#if defined(LINEDSP_HAVE_SPANDSP)
    peer("g711-decode", "spandsp", [](std::size_t n) {
      return std::make_unique<SpanG711<std::uint8_t, std::int16_t>>(::g711_decode, law_copies(line_signal().rx_law, n), n);
    });
#endif
    ours("goertzel-bank", [](Isa i, std::size_t n) { return std::make_unique<GoertzelWorkload>(i, n); }, check_goertzel);
#if defined(LINEDSP_HAVE_SPANDSP)
    peer("goertzel-bank", "spandsp", [](std::size_t n) { return std::make_unique<SpanGoertzel>(n); });
#endif
    ours("dtmf", [](Isa i, std::size_t n) { return std::make_unique<DtmfWorkload>(i, n); }, check_dtmf);
#if defined(LINEDSP_HAVE_SPANDSP)
    peer("dtmf", "spandsp", [](std::size_t n) { return std::make_unique<SpanDtmf>(n); });
#endif
    ours("progress", [](Isa i, std::size_t n) { return std::make_unique<ProgressWorkload>(i, n); }, check_progress);
#if defined(LINEDSP_HAVE_SPANDSP)
    peer("progress", "spandsp", [](std::size_t n) { return std::make_unique<SpanProgress>(n); });
#endif
    ours("modem", [](Isa i, std::size_t n) { return std::make_unique<ModemWorkload>(i, n); }, check_modem);
#if defined(LINEDSP_HAVE_SPANDSP)
    peer("modem", "spandsp", [](std::size_t n) { return std::make_unique<SpanModem>(n); });
#endif
    for (int tail : {64, 128}) {
      const std::string comp = "echo-" + std::to_string(tail) + "ms";
      ours(comp, [tail](Isa i, std::size_t n) { return std::make_unique<EchoWorkload>(i, n, tail); },
           [tail](Isa i, std::size_t n) { return check_echo(i, n, tail); });
#if defined(LINEDSP_HAVE_SPANDSP)
      peer(comp, "spandsp", [tail](std::size_t n) { return std::make_unique<SpanEcho>(n, tail); });
#endif
#if defined(LINEDSP_HAVE_SPEEXDSP)
      peer(comp, "speexdsp", [tail](std::size_t n) { return std::make_unique<SpeexEcho>(n, tail); });
#endif
    }
    ours("gateway-channel", make_gateway, check_gateway);
#if defined(LINEDSP_HAVE_SPANDSP)
    peer("gateway-channel", "spandsp", [](std::size_t n) { return std::make_unique<SpanGateway>(n); });
#endif
    return v;
  }();
  return specs;
}

namespace {
double progress_filters() {
  static const double f = [] {
    try {
      return double(ProgressDetector(us_plan(), {}, Isa::scalar).filter_count());
    } catch (const std::exception&) {
      return 0.0;
    }
  }();
  return f;
}
}  // namespace

// docs/benchmark.md derives these.
double ops_per_sample(std::string_view c) {
  if (c == "goertzel-bank") return 8 * 3.0;
  if (c == "dtmf") return 8 * 3.0 + 2.0;
  if (c == "progress") return progress_filters() * 3.0 + 2.0;
  if (c == "modem") return 4 * 4.0 + 2.0;
  if (c == "echo-64ms") return 512 * 4.0;
  if (c == "echo-128ms") return 1024 * 4.0;
  if (c == "gateway-channel") return ops_per_sample("echo-64ms") + ops_per_sample("dtmf") + ops_per_sample("progress") +
                                     ops_per_sample("modem");
  return 0.0;
}

double limit_bytes_per_channel(std::string_view c) {
  if (c == "goertzel-bank") return 8 * 2 * 4.0;
  if (c == "dtmf") return 8 * 2 * 4.0 + 4.0;
  if (c == "progress") return progress_filters() * 2 * 4.0 + 4.0;
  if (c == "modem") return 4 * 2 * 4.0 + 4.0;
  if (c == "echo-64ms") return 2 * 512 * 4.0;
  if (c == "echo-128ms") return 2 * 1024 * 4.0;
  if (c == "gateway-channel")
    return limit_bytes_per_channel("echo-64ms") + limit_bytes_per_channel("dtmf") +
           limit_bytes_per_channel("progress") + limit_bytes_per_channel("modem");
  return 0.0;
}

double peak_flops_kernel(std::size_t passes) {
  static const PeakFn fn = peak_fma_fn(best_isa(CpuFeatures::detect()));
  return fn(passes) * double(passes);
}

std::vector<int> usable_cpus() {
  std::vector<int> cpus;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &set)) cpus.push_back(c);
  if (cpus.empty()) cpus.push_back(0);
  return cpus;
}

std::size_t register_benchmarks(const Options& o) {
  std::size_t registered = 0;
  const auto rows = selected(o);
  const int threads = all_threads(o);
  std::vector<int> counts = {1};
  if (o.all_cores && threads > 1) counts.push_back(threads);
  bool any_limit = false;
  for (const auto* r : rows) any_limit = any_limit || ops_per_sample(r->component) > 0;
#if defined(LINEDSP_HAVE_SPANDSP)
  if (std::any_of(rows.begin(), rows.end(), [](const RowSpec* r) { return prints_per_sample(*r); })) {
    configure(benchmark::RegisterBenchmark("density/debug-print/spandsp",
                                           [o](benchmark::State& st) { run_debug_print(st, o); }),
              o, 1);
    ++registered;
  }
#endif
  for (int t : counts) {
    if (any_limit) {
      configure(benchmark::RegisterBenchmark("density/peak/fma", run_peak), o, t);
      ++registered;
    }
    for (const auto* r : rows) {
      const std::string name = "density/" + r->component + "/" + r->implementation;
      configure(benchmark::RegisterBenchmark(name.c_str(), [r, o](benchmark::State& st) { run_row(st, *r, o); }), o, t);
      ++registered;
    }
  }
  return registered;
}

Report run(const Options& o) {
  const auto rows = selected(o);  // throws for an unknown component before anything runs
  Report rep;
  rep.threads = all_threads(o);
  rep.best_isa = isa_name(best_isa(CpuFeatures::detect()));
  rep.isa = isa_name(o.isa);
  line_signal();  // outside the timing (reads the recordings)
  Collector col;
  if (isatty(2)) col.progress_fd = dup(2);
  {
    const QuietStdio quiet;
    col.total = register_benchmarks(o);
    static bool initialised = false;
    if (!initialised) {
      int argc = 1;
      char name[] = "linedsp-bench";
      char* argv[] = {name, nullptr};
      benchmark::Initialize(&argc, argv);
      initialised = true;
    }
    benchmark::RunSpecifiedBenchmarks(&col);
    benchmark::ClearRegisteredBenchmarks();
  }
  if (col.progress_fd >= 0) {
    const char clear[] = "\r                                                                              \r";
    const bool ok = write(col.progress_fd, clear, sizeof clear - 1) >= 0;
    (void)ok;  // a progress line that cannot be cleared is harmless
    close(col.progress_fd);
  }
  const int all = o.all_cores && rep.threads > 1 ? rep.threads : 1;
  auto get = [&](const std::string& name, int t, const char* counter, std::string* error) {
    const auto it = col.results.find({name, t});
    if (it == col.results.end()) {
      if (error && error->empty()) *error = "not measured";
      return 0.0;
    }
    if (error && !it->second.error.empty() && error->empty()) *error = it->second.error;
    const auto c = it->second.counters.find(counter);
    return c == it->second.counters.end() ? 0.0 : c->second;
  };
  rep.peak_flops_per_core = get("density/peak/fma", 1, "flops", nullptr);
  rep.peak_flops_all_cores = get("density/peak/fma", all, "flops", nullptr);
  std::map<std::string, double> ours_core;
  for (const auto* r : rows) {
    Row row;
    row.component = r->component;
    row.implementation = r->implementation;
    row.isa = r->implementation == "linedsp" ? rep.isa : "";
    const std::string name = "density/" + r->component + "/" + r->implementation;
    row.channels_per_core = get(name, 1, "channels_per_core", &row.error);
    row.channels_all_cores = get(name, all, "channels_per_core", &row.error);
    row.bytes_per_channel = get(name, 1, "bytes_per_channel", nullptr);
    if (prints_per_sample(*r) && row.error.empty()) {
      const double print_rate = get("density/debug-print/spandsp", 1, "channels_per_core", nullptr);
      if (print_rate > row.channels_per_core && row.channels_per_core > 0)
        row.channels_per_core_without_print = 1.0 / (1.0 / row.channels_per_core - 1.0 / print_rate);
    }
    if (r->check && row.error.empty()) {
      try {
        row.error = r->check(o.isa, std::min<std::size_t>(o.channels, 16));
      } catch (const std::exception& e) {
        row.error = e.what();
      }
    }
    if (r->implementation == "linedsp" && row.error.empty()) ours_core[r->component] = row.channels_per_core;
    rep.rows.push_back(row);
  }
  // Ratios, and the limit rows after each component's last row.
  std::vector<Row> out;
  for (std::size_t i = 0; i < rep.rows.size(); ++i) {
    Row row = rep.rows[i];
    const auto it = ours_core.find(row.component);
    if (row.implementation != "linedsp" && it != ours_core.end() && row.channels_per_core > 0)
      row.ratio = it->second / row.channels_per_core;
    if (it != ours_core.end() && row.channels_per_core_without_print > 0)
      row.ratio_without_print = it->second / row.channels_per_core_without_print;
    out.push_back(row);
    const bool last = i + 1 == rep.rows.size() || rep.rows[i + 1].component != row.component;
    const double ops = ops_per_sample(row.component);
    if (last && ops > 0 && rep.peak_flops_per_core > 0) {
      Row lim;
      lim.component = row.component;
      lim.implementation = "limit";
      lim.isa = rep.best_isa;
      lim.ops_per_sample = ops;
      lim.channels_per_core = rep.peak_flops_per_core / (ops * 8000.0);
      lim.channels_all_cores = rep.peak_flops_all_cores / (ops * 8000.0);
      lim.bytes_per_channel = limit_bytes_per_channel(row.component);
      if (it != ours_core.end() && it->second > 0) lim.ratio = lim.channels_per_core / it->second;
      out.push_back(lim);
    }
  }
  rep.rows = std::move(out);
  return rep;
}

}  // namespace linedsp::bench
