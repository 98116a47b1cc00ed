// `linedsp info FILE...`: what a recording is and how loud: container, encoding, rate, channels,
// duration, and per channel the peak and RMS level in dBFS and dBm0 and the clipped samples.
//
// dBFS here is relative to full-scale amplitude 32768 for both peak and RMS (a full-scale square wave
// is 0 dBFS RMS, a full-scale sine -3.01 dBFS RMS). dBm0 is the RMS power against the G.711 digital
// milliwatt (dsp/level.hpp: a sine of peak 32768*10^(-3.17/20) is 0 dBm0). "clipped" counts samples at
// full scale (+32767 / -32768) plus float samples beyond +-1.0 that reading had to clip.
// Levels are measured at the file's own rate (no resampling). --json prints one JSON object per file.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "cli/command.hpp"
#include "devices/file_device.hpp"
#include "dsp/level.hpp"

namespace linedsp::cli {
namespace {

struct Options {
  std::vector<std::string> files;
  std::string raw;
  int rate = 0, channels = 1;
  bool json = false;
};

double db(double ratio) { return ratio > 0 ? 20.0 * std::log10(ratio) : -std::numeric_limits<double>::infinity(); }

std::string fmt_db(double v) {
  if (!std::isfinite(v)) return "-inf";
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

bool info_one(const std::string& path, const Options& o) {
  try {
    FileOpenOptions fo;
    fo.target_rate_hz = 0;
    if (!o.raw.empty()) fo.raw = RawFormat{*parse_raw_encoding(o.raw), o.rate, o.channels};
    FileDevice dev(path, fo);
    const auto ch = static_cast<std::size_t>(dev.format().channels);
    std::vector<double> sum_sq(ch, 0.0);
    std::vector<int> peak(ch, 0);
    std::vector<std::uint64_t> at_full_scale(ch, 0);
    std::vector<std::int16_t> buf(4096 * ch);
    std::uint64_t frames = 0;
    for (std::size_t n; (n = dev.read(buf)) > 0;) {
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t c = 0; c < ch; ++c) {
          const int v = buf[i * ch + c];
          sum_sq[c] += static_cast<double>(v) * v;
          peak[c] = std::max(peak[c], std::abs(v));
          at_full_scale[c] += v == 32767 || v == -32768;
        }
      frames += n;
    }
    if (!dev.error().empty()) throw std::runtime_error(path + ": " + dev.error());
    const FileInfo& fi = dev.info();
    const double seconds = static_cast<double>(frames) / fi.sample_rate_hz;
    nlohmann::ordered_json j;
    j["file"] = path;
    j["container"] = fi.container;
    j["encoding"] = fi.encoding;
    j["rate"] = fi.sample_rate_hz;
    j["channels"] = fi.channels;
    j["frames"] = frames;
    j["duration"] = seconds;
    j["clipped_on_read"] = dev.clipped_samples();
    nlohmann::ordered_json levels = nlohmann::ordered_json::array();
    for (std::size_t c = 0; c < ch; ++c) {
      const double mean_sq = frames ? sum_sq[c] / static_cast<double>(frames) : 0.0;
      nlohmann::ordered_json l;
      l["channel"] = c;
      l["peak_dbfs"] = db(peak[c] / 32768.0);
      l["rms_dbfs"] = db(std::sqrt(mean_sq) / 32768.0);
      l["rms_dbm0"] = mean_sq > 0 ? power_to_dbm0(mean_sq) : -std::numeric_limits<double>::infinity();
      l["full_scale_samples"] = at_full_scale[c];
      levels.push_back(l);
    }
    if (o.json) {
      for (auto& l : levels)
        for (auto& [k, v] : l.items())
          if (v.is_number_float() && !std::isfinite(v.get<double>())) v = nullptr;  // JSON has no -inf
      j["levels"] = levels;
      std::printf("%s\n", j.dump().c_str());
      return true;
    }
    std::printf("%s\n  format    %s, %s\n  rate      %d Hz\n  channels  %d\n  duration  %.3f s (%llu frames)\n",
                path.c_str(), fi.container.c_str(), fi.encoding.c_str(), fi.sample_rate_hz, fi.channels, seconds,
                static_cast<unsigned long long>(frames));
    for (const auto& l : levels)
      std::printf("  ch%-2d     peak %s dBFS, RMS %s dBFS = %s dBm0, %llu samples at full scale\n",
                  l["channel"].get<int>(), fmt_db(l["peak_dbfs"].get<double>()).c_str(),
                  fmt_db(l["rms_dbfs"].get<double>()).c_str(), fmt_db(l["rms_dbm0"].get<double>()).c_str(),
                  static_cast<unsigned long long>(l["full_scale_samples"].get<std::uint64_t>()));
    if (dev.clipped_samples() > 0)
      std::printf("  clipped   %llu float samples beyond +-1.0\n", static_cast<unsigned long long>(dev.clipped_samples()));
    return true;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "linedsp: %s\n", e.what());
    return false;
  }
}

int run(const Options& o) {
  if (!o.raw.empty() && o.rate <= 0) {
    std::fprintf(stderr, "linedsp: info: --raw needs --rate HZ\n");
    return kExitUsage;
  }
  bool ok = true;
  for (const auto& f : o.files) ok = info_one(f, o) && ok;
  return ok ? kExitOk : kExitError;
}

const Registration kRegistration{
    "info", "Show a recording's format, duration and levels (peak/RMS dBFS, dBm0, clipping)", [](CLI::App& app) {
      auto o = std::make_shared<Options>();
      app.add_option("files", o->files, "Audio files (anything libsndfile reads; - with --raw = stdin)")->required();
      app.add_flag("--json", o->json, "One JSON object per file");
      app.add_option("--raw", o->raw, "Input is headerless: s16le, ulaw or alaw")
          ->check(CLI::IsMember({"s16le", "pcm16", "sln", "ulaw", "alaw"}));
      app.add_option("--rate", o->rate, "Sample rate of headerless input, Hz")->check(CLI::Range(4000, 384000));
      app.add_option("--channels", o->channels, "Channels of headerless input")->check(CLI::Range(1, 64))->capture_default_str();
      return [o] { return run(*o); };
    }};

}  // namespace
}  // namespace linedsp::cli
