// bench/soak/soak_main.cpp — `linedsp_soak [--hours H] [--channels N] [--start-sample S] [--seed K]`: the soak of
// bench/soak/soak.hpp (default 24 h of audio on each of 16 channels, clocks crossing 2^32), a summary on stdout,
// exit 0 when every injected event was detected once, on time, nothing else was, and RSS did not grow; 1 otherwise;
// 2 on bad arguments.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "bench/soak/soak.hpp"
#include "dsp/simd.hpp"

int main(int argc, char** argv) {
  linedsp::soak::SoakConfig cfg;
  cfg.data_dir = LINEDSP_SOURCE_DIR "/data";
  if (const char* env = std::getenv("LINEDSP_DATA_DIR"); env && *env) cfg.data_dir = env;
  CLI::App app{"linedsp_soak — hours of simulated audio through the detector banks, events checked against the schedule"};
  app.add_option("--hours", cfg.hours, "Simulated audio per channel, hours")->check(CLI::Range(0.001, 10000.0));
  app.add_option("--channels", cfg.channels, "Channels in the bank")->check(CLI::Range(1, 1024));
  app.add_option("--start-sample", cfg.start_sample, "Clock at the start of the schedule (silence fed up to it)");
  app.add_option("--seed", cfg.seed, "Schedule seed");
  app.add_option("--speech-dir", cfg.speech_dir, "Folder of 8 kHz mono WAV speech (empty: none)");
  app.add_option("--rss-slack-kb", cfg.rss_slack_kb, "Allowed RSS growth after the first sample");
  app.add_option("--dump", cfg.dump_path, "Write one channel's input (s16le) to this file ...");
  app.add_option("--dump-channel", cfg.dump_channel, "... of this channel ...");
  app.add_option("--dump-from", cfg.dump_from, "... from this sample ...");
  app.add_option("--dump-samples", cfg.dump_samples, "... for this many samples");
  bool quiet = false;
  app.add_flag("-q,--quiet", quiet, "No progress line per simulated hour");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  cfg.progress = !quiet;
  try {
    linedsp::soak::Soak soak(cfg);
    const auto r = soak.run();
    const double hours = double(r.samples_per_channel) / (3600.0 * linedsp::soak::kRate);
    std::printf("linedsp_soak: %.2f h of audio x %zu channels = %.1f channel-hours, isa %s, speech %s\n", hours,
                r.channels, hours * double(r.channels), linedsp::isa_name(linedsp::active_isa()),
                r.speech ? "yes" : "no (not installed)");
    std::printf("  clocks: samples %llu .. %llu (2^32 = %llu %s), fast-forward %.1f s wall, %llu events in it\n",
                (unsigned long long)r.first_sample, (unsigned long long)r.last_sample, 1ull << 32,
                r.first_sample < (1ull << 32) && r.last_sample > (1ull << 32) ? "crossed" : "not crossed",
                r.fast_forward_wall_s, (unsigned long long)r.fast_forward_events);
    std::printf("  segments %llu (speech %llu)\n", (unsigned long long)r.segments, (unsigned long long)r.speech_segments);
    std::printf("  %-9s %10s %10s %7s %7s %7s %14s %14s\n", "detector", "injected", "detected", "missed", "extra",
                "wrong", "max|begin err|", "max|dur err|");
    for (std::size_t d = 0; d < linedsp::soak::kDets; ++d) {
      const auto& s = r.det[d];
      std::printf("  %-9s %10llu %10llu %7llu %7llu %7llu %8lld (<=%lld) %8lld (<=%lld)\n",
                  linedsp::soak::det_name(linedsp::soak::Det(d)), (unsigned long long)s.injected,
                  (unsigned long long)s.detected, (unsigned long long)s.missed, (unsigned long long)s.extra,
                  (unsigned long long)s.wrong, (long long)s.max_begin_err,
                  (long long)linedsp::soak::kTolerance[d].begin, (long long)s.max_dur_err,
                  (long long)linedsp::soak::kTolerance[d].duration);
    }
    std::printf("  rss: first %ld kB, last %ld kB, max %ld kB (growth %ld kB, allowed %ld)\n", r.rss_first_kb,
                r.rss_last_kb, r.rss_max_kb, r.rss_grew_kb(), r.slack_kb);
    std::printf("  wall %.1f s (%.0fx real time per channel, %.0f channels' real time)\n", r.wall_s,
                hours * 3600.0 / r.wall_s, hours * 3600.0 * double(r.channels) / r.wall_s);
    for (const auto& p : r.problems) std::printf("  problem: %s\n", p.c_str());
    std::printf("%s\n", r.ok() ? "PASS" : "FAIL");
    return r.ok() ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "linedsp_soak: %s\n", e.what());
    return 2;
  }
}
