// `linedsp generate ring --country CC -o OUT`: a ring cadence of a plan as a ring-voltage waveform (volts x 100 per
// sample: 1 unit = 10 mV, signals/ring.hpp) and, with --events FILE, the cadence as line events (JSON Lines
// {"t":..,"frame":..,"event":"ring_begin"|"ring_end"}) for the device layer.
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "devices/audio_file.hpp"
#include "signals/ring.hpp"
#include "signals/tone_plan.hpp"

namespace linedsp::cli {
namespace {

struct Options {
  std::string country = "us", tones, pattern = "normal", output, events;
  int rate = 8000, cycles = 3;
  double vrms = 75.0;
};

int run(const Options& o) {
  const TonePlan plan = o.tones.empty() ? load_country_plan(data_dir(), o.country) : load_tone_plan(o.tones);
  const RingPattern* r = plan.find_ring(o.pattern);
  if (!r) {
    std::string names;
    for (const auto& x : plan.rings) names += " " + x.name;
    std::fprintf(stderr, "linedsp: generate ring: plan '%s' has no ring pattern '%s' (it has:%s)\n",
                 plan.country.c_str(), o.pattern.c_str(), names.c_str());
    return kExitUsage;
  }
  RingGeneratorConfig cfg;
  cfg.sample_rate_hz = o.rate;
  cfg.ring_vrms = o.vrms;
  RingCadenceGenerator gen(*r, cfg);
  AudioFileWriter out(o.output, AudioFileSpec{o.rate, 1, SampleEncoding::pcm16});
  std::ostringstream ev;
  auto sink = [&](const LineEvent& e) {
    ev << "{\"t\":" << static_cast<double>(e.frame) / o.rate << ",\"frame\":" << e.frame << ",\"event\":\""
       << (e.kind == LineEventKind::ring_begin ? "ring_begin" : "ring_end") << "\"}\n";
  };
  std::uint64_t left = gen.cycle_samples() * static_cast<std::uint64_t>(o.cycles);
  std::vector<std::int16_t> buf(static_cast<std::size_t>(o.rate) / 50);
  while (left > 0) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size()));
    gen.generate(std::span<std::int16_t>(buf.data(), n), sink);
    out.write(std::span<const std::int16_t>(buf.data(), n));
    left -= n;
  }
  out.commit();
  if (!o.events.empty()) write_text_file_atomically(o.events, ev.str());
  return kExitOk;
}

const Registration kRegistration{"generate/ring", "Generate a ring cadence as ring voltage (and line events)", [](CLI::App& app) {
  auto o = std::make_shared<Options>();
  app.add_option("--country", o->country, "Country (ISO 3166 alpha-2)")->capture_default_str();
  app.add_option("--tones", o->tones, "A tone plan file (TOML) instead of the shipped plans");
  app.add_option("--pattern", o->pattern, "Ring pattern: normal, distinctive2 ...")->capture_default_str();
  app.add_option("-o,--output", o->output, "Ring-voltage waveform file (volts x 100)")->required();
  app.add_option("--events", o->events, "Also write the ring_begin / ring_end line events (JSON Lines)");
  app.add_option("--cycles", o->cycles, "Cadence cycles")->check(CLI::Range(1, 1000))->capture_default_str();
  app.add_option("--vrms", o->vrms, "Ring voltage, V rms")->check(CLI::Range(1.0, 230.0))->capture_default_str();
  app.add_option("--rate", o->rate, "Sample rate, Hz")->check(CLI::IsMember({8000, 16000}))->capture_default_str();
  return [o] { return run(*o); };
}};

}  // namespace
}  // namespace linedsp::cli
