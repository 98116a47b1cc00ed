// signals/g168.hpp — the ITU-T G.168 test harness: echo path models (Annex D), composite source signal
// (Annex C / §6.4.1.x), the level measurement device (§6.4.1.2.1), and ERLE measurement over time.
//
// Sources of the numbers (cited again where they are defined in g168.cpp):
//  - echo path models D.2-D.9: the impulse responses and their gains K_i as tabulated in G.168 Annex D
//    (2002 numbering), transcribed from the copy published with spandsp (spandsp/g168models.h, which
//    tests/signals/g168_models_test.cpp compares against where installed);
//  - CSS: Tables C.1 (voiced, single talk) and C.3 (voiced, double talk) at 44.1 kHz, the pseudo-noise
//    spectrum of Figure C.2, and the timing of §C: 48.62 ms voiced + 200 ms noise + 101.38 ms pause (350 ms),
//    repeated with inverted sign (C.3: 72.69 + 200 + 127.31 = 400 ms);
//  - level meter band-pass: §6.4.1.2.1 coefficients, 35 ms time constant.
// The harness is deterministic (fixed seeds).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "signals/echo_canceller.hpp"

namespace linedsp::g168 {

inline constexpr int kFirstModel = 2;  // Annex D.2
inline constexpr int kLastModel = 9;   // Annex D.9

// Raw model: coefficient * K_i (about 0 dB ERL for the CSS). model in [2, 9]; throws otherwise.
std::vector<float> echo_path_model(int model);
// Impulse response at 8 kHz scaled to `erl_db` below the raw model and delayed by `delay_samples`.
std::vector<float> echo_path(int model, double erl_db, int delay_samples);

// Composite source signal, `seconds` long at `rate_hz` (8000 or 16000), active parts (voiced + noise) at
// `level_dbm0` RMS. double_talk selects the Table C.3 variant (400 ms period).
std::vector<float> composite_source_signal(double seconds, double level_dbm0, bool double_talk = false,
                                           int rate_hz = 8000, std::uint32_t seed = 1);

// Gaussian white noise at `level_dbm0` (deterministic).
std::vector<float> white_noise(std::size_t n, double level_dbm0, std::uint32_t seed);

// y[n] = sum_k h[k] x[n-k], same length as x (the echo a hybrid returns).
std::vector<float> convolve(std::span<const float> x, std::span<const float> h);

// Band-limited resampling (libsoxr, high quality).
std::vector<float> resample(std::span<const float> x, int from_hz, int to_hz);

// Round and saturate to int16.
std::vector<std::int16_t> to_int16(std::span<const float> x);

// A mono or first-channel read of an audio file (libsndfile) as float in int16 units; throws
// std::runtime_error naming the file. rate_hz receives the file's rate.
std::vector<float> read_audio(const std::string& path, int& rate_hz);
// The first `seconds` of the concatenated files (each resampled to 8 kHz when needed).
std::vector<float> concatenate_audio(std::span<const std::string> paths, double seconds);

// G.168 §6.4.1.2.1 level measurement device: the band-pass FIR then a 35 ms single-pole power average.
class LevelMeter {
 public:
  LevelMeter();
  float process(float x) noexcept;  // returns the level in dBm0 after this sample
  float dbm0() const noexcept;
  void reset() noexcept;

 private:
  std::vector<float> hist_;
  std::size_t pos_ = 0;
  float power_ = 0.0f, factor_;
};

// RMS level in dBm0 of a span (no filtering).
double level_dbm0(std::span<const float> x);

// ERLE over time: echo = the echo alone as it reached the canceller, residual = canceller output minus
// everything that is not echo (near talker, noise). Windows of `window_s`; windows whose echo is below
// `min_echo_dbm0` are skipped (CSS pauses).
struct ErleTrace {
  std::vector<float> t_s;       // window end times
  std::vector<float> erle_db;   // per window
  float time_to_20_db = -1.0f;  // first window end at which ERLE >= 20 dB (-1: never)
  float time_to_30_db = -1.0f;
  float steady_db = 0.0f;       // energy ratio over the last `steady_s`
};
ErleTrace measure_erle(std::span<const float> echo, std::span<const float> residual, int rate_hz,
                       double window_s = 0.05, double steady_s = 2.0, double min_echo_dbm0 = -50.0);

// One run of the canceller over far (Rin) with echo path h and a near-end signal (Sgen, may be empty) added
// to the echo; returns the output (Sout) as float. Optional per-sample callback hooks are not needed by the
// tests; they drive the canceller object directly when they need control mid-run.
std::vector<float> run_canceller(EchoCanceller& ec, std::span<const float> far, std::span<const float> echo,
                                 std::span<const float> near_talker);

}  // namespace linedsp::g168
