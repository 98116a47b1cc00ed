// The file read path (devices/file_device): open a 60 s recording and read it all as 8 kHz int16, as
// `linedsp detect` does. Cases: 8 kHz 16-bit WAV (no resampling), 8 kHz mu-law WAV (codecs/g711 decode),
// 44.1 kHz and 16 kHz WAV resampled by libsoxr HQ. The baseline is libsndfile alone reading the same file
// with sf_readf_short (no checks, no resampling) — the floor any reader built on it can reach.
// channels_per_core = audio seconds read per CPU second; bytes_per_channel = the reader's own buffers
// (libsoxr's filter state not included). Output is checked against libsndfile's after timing.
#include <benchmark/benchmark.h>
#include <sndfile.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "devices/file_device.hpp"
#include "devices/sample_stream.hpp"

namespace {

constexpr int kSeconds = 60;

struct TempWav {
  std::string path;
  TempWav(int rate, int subformat) {
    char tmpl[] = "/tmp/linedsp-bench-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    ::close(fd);
    path = tmpl;
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | subformat;
    SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
    std::mt19937 rng(1);
    std::normal_distribution<double> g(0.0, 2000.0);
    std::vector<short> x(static_cast<std::size_t>(rate));
    double y = 0;
    for (int s = 0; s < kSeconds; ++s) {
      for (auto& v : x) {
        y = 0.9 * y + g(rng);
        v = static_cast<short>(std::clamp(y, -32768.0, 32767.0));
      }
      sf_write_short(f, x.data(), static_cast<sf_count_t>(x.size()));
    }
    sf_close(f);
  }
  ~TempWav() { std::remove(path.c_str()); }
};

void counters(benchmark::State& state, double bytes) {
  state.counters["channels_per_core"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kSeconds, benchmark::Counter::kIsRate);
  state.counters["bytes_per_channel"] = bytes;
}

std::vector<short> sndfile_all(const std::string& path) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  std::vector<short> v(static_cast<std::size_t>(info.frames));
  sf_readf_short(f, v.data(), info.frames);
  sf_close(f);
  return v;
}

void BM_FileDeviceRead(benchmark::State& state, int rate, int subformat) {
  const TempWav wav(rate, subformat);
  std::vector<std::int16_t> buf(1024);
  for (auto _ : state) {
    linedsp::FileDevice dev(wav.path);
    while (dev.read(buf) > 0) benchmark::DoNotOptimize(buf.data());
  }
  const double block = linedsp::detail::ResamplingReader::kBlockFrames;
  counters(state, block * 4 * (rate == 8000 ? 1.0 : 1.0 + 8000.0 / rate) + (subformat == SF_FORMAT_ULAW ? block * 3 : 0));
  // Check: at 8 kHz the samples are libsndfile's (G.711 decoders agree on decoding); resampled, the length.
  linedsp::FileDevice dev(wav.path);
  std::vector<std::int16_t> all;
  for (std::size_t n; (n = dev.read(buf)) > 0;) all.insert(all.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
  if (rate == 8000) {
    const auto ref = sndfile_all(wav.path);
    if (!std::equal(all.begin(), all.end(), ref.begin(), ref.end())) state.SkipWithError("differs from libsndfile");
  } else if (all.size() != static_cast<std::size_t>(kSeconds) * 8000) {
    state.SkipWithError("wrong length after resampling");
  }
}

void BM_LibsndfileRead(benchmark::State& state, int rate, int subformat) {
  const TempWav wav(rate, subformat);
  std::vector<short> buf(1024);
  for (auto _ : state) {
    SF_INFO info{};
    SNDFILE* f = sf_open(wav.path.c_str(), SFM_READ, &info);
    while (sf_readf_short(f, buf.data(), 1024) > 0) benchmark::DoNotOptimize(buf.data());
    sf_close(f);
  }
  counters(state, 1024 * 2);
}

BENCHMARK_CAPTURE(BM_FileDeviceRead, wav8k_pcm16, 8000, SF_FORMAT_PCM_16)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_LibsndfileRead, wav8k_pcm16, 8000, SF_FORMAT_PCM_16)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_FileDeviceRead, wav8k_ulaw, 8000, SF_FORMAT_ULAW)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_LibsndfileRead, wav8k_ulaw, 8000, SF_FORMAT_ULAW)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_FileDeviceRead, wav16k_resampled, 16000, SF_FORMAT_PCM_16)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_FileDeviceRead, wav44k_resampled, 44100, SF_FORMAT_PCM_16)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_LibsndfileRead, wav44k_no_resampling, 44100, SF_FORMAT_PCM_16)->Unit(benchmark::kMillisecond);

}  // namespace
