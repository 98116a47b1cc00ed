// A whole gateway channel on 20 ms frames (issue 7): G.711 mu-law decode of the network side, line echo
// canceller with a 64 ms tail, DTMF + call-progress (US plan) + modem/fax-tone detection on the cleaned line
// side, G.711 mu-law encode back to the network. channels_per_core = audio seconds per CPU second (the real-time
// 8 kHz channels one core carries); bytes_per_channel = the state one channel owns.
//
// The same chain built from spandsp 0.0.6 (g711, echo_can 512 taps, dtmf_rx, super_tone_rx with the US plan,
// modem_connect_tones_rx for CNG, ANSam/PR and CED/preamble — what ours listens for in one detector) runs in the
// same executable, so the ratio comes from one run: compare BM_GatewayChannel/<isa> with
// BM_GatewayChannel_spandsp (target: >= 8x).
//
// Signals: the network side is 10 s of recorded speech (asterisk sounds; G.168 CSS if absent); the line side is
// its echo (100-sample bulk delay, 10 dB ERL) plus recorded music at -10 dB and the digits 1 2 3 (Q.23 levels,
// 80 ms) dialled by the phone. After timing, each ISA's run must hear exactly "123" and its echo-cancelled
// output must be within 1 dB of the scalar run's residual energy, so a fast-but-wrong kernel fails loudly.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "codecs/g711.hpp"
#include "dsp/simd.hpp"
#include "signals/dtmf_detector.hpp"
#include "signals/dtmf_generator.hpp"
#include "signals/echo_canceller.hpp"
#include "signals/g168.hpp"
#include "signals/modem_tone_detector.hpp"
#include "signals/progress_detector.hpp"
#include "signals/tone_plan.hpp"

#if defined(LINEDSP_HAVE_SPANDSP)
#include <spandsp.h>
#endif

namespace {

using namespace linedsp;

constexpr std::size_t kFrame = 160;  // 20 ms
constexpr double kSeconds = 10.0;

std::vector<std::string> wavs(const char* dir) {
  std::vector<std::string> files;
  if (std::filesystem::is_directory(dir))
    for (const auto& e : std::filesystem::directory_iterator(dir))
      if (e.path().extension() == ".wav") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

struct Input {
  std::vector<std::uint8_t> rx_law;  // network -> gateway, mu-law
  std::vector<std::int16_t> near;    // line -> gateway: echo + near talker + digits
};

const Input& input() {
  static const Input in = [] {
    Input r;
    const auto speech_files = wavs("/usr/share/asterisk/sounds/en_US_f_Allison");
    const auto music_files = wavs("/usr/share/asterisk/moh");
    std::vector<float> far = speech_files.empty() ? g168::composite_source_signal(kSeconds, -15.0)
                                                  : g168::concatenate_audio(speech_files, kSeconds);
    far.resize(static_cast<std::size_t>(kSeconds * 8000));
    std::vector<float> music = music_files.empty() ? std::vector<float>(far.size(), 0.0f)
                                                   : g168::concatenate_audio(music_files, kSeconds);
    music.resize(far.size(), 0.0f);
    const auto far16 = g168::to_int16(far);
    r.rx_law.resize(far16.size());
    g711_encode(Law::ulaw, far16, r.rx_law);
    std::vector<std::int16_t> far_dec(far16.size());
    g711_decode(Law::ulaw, r.rx_law, far_dec);
    DtmfGenerator phone{};
    std::vector<std::int16_t> digits(far.size(), 0);
    phone.queue("123");
    phone.generate(std::span(digits).subspan(4 * 8000, 8000));
    r.near.resize(far.size());
    const float erl = std::pow(10.0f, -10.0f / 20.0f), music_gain = std::pow(10.0f, -10.0f / 20.0f);
    for (std::size_t i = 0; i < far.size(); ++i) {
      const float echo = i >= 100 ? erl * far_dec[i - 100] : 0.0f;
      const float v = echo + music_gain * music[i] + digits[i];
      r.near[i] = static_cast<std::int16_t>(std::clamp(v, -32768.0f, 32767.0f));
    }
    return r;
  }();
  return in;
}

const TonePlan& us_plan() {
  static const TonePlan p = load_country_plan(std::string(LINEDSP_SOURCE_DIR) + "/data", "us");
  return p;
}

// One gateway channel, everything sized at construction.
struct Channel {
  explicit Channel(Isa isa)
      : ec(EchoCancellerConfig{}, isa), dtmf(DtmfDetectorConfig{}, isa), progress(us_plan(), {}, isa), modem({}, isa) {}
  EchoCanceller ec;
  DtmfDetector dtmf;
  ProgressDetector progress;
  ModemToneDetector modem;
  std::array<std::int16_t, kFrame> far{}, clean{};
  std::array<std::uint8_t, kFrame> tx{};
  std::uint64_t events = 0;
  char digits[16] = {};
  std::size_t ndigits = 0;

  void frame(const std::uint8_t* rx_law, const std::int16_t* near) noexcept {
    g711_decode(Law::ulaw, {rx_law, kFrame}, far);
    ec.process(far, {near, kFrame}, clean);
    auto on_dtmf = [&](const DtmfEvent& e) {
      ++events;
      if (e.begin && ndigits + 1 < sizeof digits) digits[ndigits++] = e.digit;
    };
    auto on_progress = [&](const ProgressEvent&) { ++events; };
    auto on_modem = [&](const ModemToneEvent&) { ++events; };
    dtmf.process(clean, on_dtmf);
    progress.process(clean, on_progress);
    modem.process(clean, on_modem);
    g711_encode(Law::ulaw, clean, tx);
  }
  std::size_t bytes() const noexcept {
    return ec.memory_bytes() + sizeof(DtmfDetector) + progress.bytes_per_channel() + modem.memory_bytes() +
           sizeof(far) + sizeof(clean) + sizeof(tx);
  }
};

struct RunResult {
  std::string digits;
  double residual_energy = 0.0;  // of the cleaned line side, whole run
};

RunResult run_once(Isa isa) {
  const ScopedIsa scoped(isa);
  const Input& in = input();
  Channel ch(isa);
  RunResult r;
  for (std::size_t i = 0; i + kFrame <= in.near.size(); i += kFrame) {
    ch.frame(&in.rx_law[i], &in.near[i]);
    for (auto v : ch.clean) r.residual_energy += double(v) * v;
  }
  r.digits.assign(ch.digits, ch.ndigits);
  return r;
}

void BM_GatewayChannel(benchmark::State& state) {
  const Isa isa = static_cast<Isa>(state.range(0));
  if (!isa_supported(isa)) {
    state.SkipWithError("CPU lacks this ISA");
    return;
  }
  state.SetLabel(isa_name(isa));
  const Input& in = input();
  const ScopedIsa scoped(isa);
  Channel ch(isa);
  for (auto _ : state) {
    for (std::size_t i = 0; i + kFrame <= in.near.size(); i += kFrame) ch.frame(&in.rx_law[i], &in.near[i]);
    benchmark::DoNotOptimize(ch.events);
  }
  const double audio_s = double(state.iterations()) * double(in.near.size()) / 8000.0;
  state.counters["channels_per_core"] = benchmark::Counter(audio_s, benchmark::Counter::kIsRate);
  state.counters["bytes_per_channel"] = double(ch.bytes());
  // Check after timing: this ISA hears the dialled digits and cancels like the scalar reference.
  const RunResult got = run_once(isa), ref = run_once(Isa::scalar);
  if (got.digits != "123") {
    state.SkipWithError(("heard \"" + got.digits + "\", not \"123\"").c_str());
  } else if (std::abs(10.0 * std::log10((got.residual_energy + 1.0) / (ref.residual_energy + 1.0))) > 1.0) {
    state.SkipWithError("echo-cancelled output differs from the scalar run by more than 1 dB");
  }
}
BENCHMARK(BM_GatewayChannel)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);

#if defined(LINEDSP_HAVE_SPANDSP)
// Sends stdout and stderr to /dev/null while alive (spandsp 0.0.6's echo canceller prints per sample).
class Silence {
 public:
  Silence() : out_(dup(1)), err_(dup(2)) {
    std::fflush(stdout);
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    close(null);
  }
  ~Silence() {
    std::fflush(stdout);
    dup2(out_, 1);
    dup2(err_, 2);
    close(out_);
    close(err_);
  }

 private:
  int out_, err_;
};

struct SpanChannel {
  SpanChannel() {
    g711_dec = g711_init(nullptr, G711_ULAW);
    g711_enc = g711_init(nullptr, G711_ULAW);
    ec = echo_can_init(512, ECHO_CAN_USE_ADAPTION);  // 64 ms
    dtmf = dtmf_rx_init(nullptr, &SpanChannel::on_digits, this);
    desc = super_tone_rx_make_descriptor(nullptr);
    auto add = [&](std::initializer_list<std::array<int, 4>> els) {  // the US plan as bench/progress_bench.cpp
      const int t = super_tone_rx_add_tone(desc);
      for (const auto& e : els) super_tone_rx_add_element(desc, t, e[0], e[1], e[2], e[3]);
    };
    add({{350, 440, 1000, 0}});
    add({{440, 480, 1760, 2240}, {0, 0, 3560, 4440}});
    add({{480, 620, 410, 590}, {0, 0, 410, 590}});
    add({{480, 620, 185, 315}, {0, 0, 185, 315}});
    add({{950, 0, 260, 400}, {1400, 0, 260, 400}, {1800, 0, 260, 400}});
    add({{440, 0, 230, 370}, {0, 0, 500, 0}});
    tones = super_tone_rx_init(nullptr, desc, [](void* u, int, int, int) { ++static_cast<SpanChannel*>(u)->events; },
                               this);
    for (int t : {MODEM_CONNECT_TONES_FAX_CNG, MODEM_CONNECT_TONES_ANSAM_PR, MODEM_CONNECT_TONES_FAX_CED_OR_PREAMBLE})
      modem.push_back(modem_connect_tones_rx_init(nullptr, t,
                                                  [](void* u, int, int, int) { ++static_cast<SpanChannel*>(u)->events; },
                                                  this));
  }
  ~SpanChannel() {
    for (auto* m : modem) modem_connect_tones_rx_free(m);
    super_tone_rx_free(tones);
    super_tone_rx_free_descriptor(desc);
    dtmf_rx_free(dtmf);
    echo_can_free(ec);
    g711_free(g711_enc);
    g711_free(g711_dec);
  }
  static void on_digits(void* u, const char* d, int len) {
    auto* self = static_cast<SpanChannel*>(u);
    for (int i = 0; i < len && self->digits.size() < 15; ++i) self->digits += d[i];
  }
  void frame(const std::uint8_t* rx_law, const std::int16_t* near) {
    g711_decode(g711_dec, far, rx_law, kFrame);
    for (std::size_t i = 0; i < kFrame; ++i) clean[i] = echo_can_update(ec, far[i], near[i]);
    dtmf_rx(dtmf, clean, kFrame);
    super_tone_rx(tones, clean, kFrame);
    for (auto* m : modem) modem_connect_tones_rx(m, clean, kFrame);
    g711_encode(g711_enc, tx, clean, kFrame);
  }
  // State structs (malloc'd) plus echo.c's separately allocated arrays: four int16 tap sets, one int32 set and
  // an int16 FIR history per tap (spandsp 0.0.6 echo.c), estimated as 14 bytes per tap.
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
  super_tone_rx_descriptor_t* desc;
  super_tone_rx_state_t* tones;
  std::vector<modem_connect_tones_rx_state_t*> modem;
  std::int16_t far[kFrame]{}, clean[kFrame]{};
  std::uint8_t tx[kFrame]{};
  std::uint64_t events = 0;
  std::string digits;
};

void BM_GatewayChannel_spandsp(benchmark::State& state) {
  const Input& in = input();
  SpanChannel ch;
  {
    const Silence quiet;
    for (auto _ : state) {
      for (std::size_t i = 0; i + kFrame <= in.near.size(); i += kFrame) ch.frame(&in.rx_law[i], &in.near[i]);
      benchmark::DoNotOptimize(ch.events);
    }
  }
  const double audio_s = double(state.iterations()) * double(in.near.size()) / 8000.0;
  state.counters["channels_per_core"] = benchmark::Counter(audio_s, benchmark::Counter::kIsRate);
  state.counters["bytes_per_channel"] = ch.bytes();
  state.SetLabel("spandsp heard " + ch.digits.substr(0, 3));
}
BENCHMARK(BM_GatewayChannel_spandsp)->Unit(benchmark::kMillisecond);
#endif

}  // namespace
