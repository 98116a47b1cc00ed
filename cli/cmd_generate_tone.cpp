// `linedsp generate tone NAME --country CC -o OUT [--duration S]`: any tone of any plan (signals/tone_generator.hpp),
// sample-accurate cadence, phase continuous, 8 or 16 kHz. NAME is the plan's key (dial, busy, ringback,
// congestion, special_dial, call_waiting, sit ...) or a kind name.
#include <memory>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "devices/audio_file.hpp"
#include "signals/tone_generator.hpp"
#include "signals/tone_plan.hpp"

namespace linedsp::cli {
namespace {

struct Options {
  std::string name, country = "us", tones, output, encoding = "pcm16";
  int rate = 8000;
  double duration = 0.0, gain = 0.0;
};

int run(const Options& o) {
  const TonePlan plan = o.tones.empty() ? load_country_plan(data_dir(), o.country) : load_tone_plan(o.tones);
  const Tone* t = plan.find(o.name);
  if (!t) {
    std::string alt = o.name;
    for (auto& c : alt)
      if (c == '-') c = '_';
    t = plan.find(alt);
  }
  if (!t)
    if (auto kind = parse_tone_kind(o.name)) t = plan.find(*kind);
  if (!t) {
    std::string names;
    for (const auto& x : plan.tones) names += " " + x.name;
    std::fprintf(stderr, "linedsp: generate tone: plan '%s' has no tone '%s' (it has:%s)\n", plan.country.c_str(),
                 o.name.c_str(), names.c_str());
    return kExitUsage;
  }
  ToneGeneratorConfig cfg;
  cfg.sample_rate_hz = o.rate;
  cfg.gain_db = o.gain;
  ToneGenerator gen(*t, cfg);
  double seconds = o.duration;
  if (seconds <= 0) {
    if (gen.total_samples()) seconds = static_cast<double>(gen.total_samples()) / o.rate;
    else seconds = t->continuous() || t->cycle_ms() == 0 ? 5.0 : std::max(5.0, 3.0 * t->cycle_ms() / 1000.0);
  }
  const auto encoding = parse_sample_encoding(o.encoding);
  AudioFileWriter out(o.output, AudioFileSpec{o.rate, 1, *encoding});
  std::uint64_t left = static_cast<std::uint64_t>(std::llround(seconds * o.rate));
  std::vector<std::int16_t> buf(static_cast<std::size_t>(o.rate) / 50);
  while (left > 0) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size()));
    const std::size_t got = gen.generate(std::span<std::int16_t>(buf.data(), want));
    std::fill(buf.begin() + static_cast<std::ptrdiff_t>(got), buf.begin() + static_cast<std::ptrdiff_t>(want), 0);
    out.write(std::span<const std::int16_t>(buf.data(), want));
    left -= want;
  }
  out.commit();
  return kExitOk;
}

const Registration kRegistration{"generate/tone", "Generate a call-progress tone of a country's plan", [](CLI::App& app) {
  auto o = std::make_shared<Options>();
  app.add_option("name", o->name, "Tone: dial, special_dial, ringback, busy, congestion, call_waiting, sit, ...")->required();
  app.add_option("--country", o->country, "Country (ISO 3166 alpha-2)")->capture_default_str();
  app.add_option("--tones", o->tones, "A tone plan file (TOML) instead of the shipped plans");
  app.add_option("-o,--output", o->output, "Output file (.wav, .au, .flac, .raw/.ul/.al; - = stdout)")->required();
  app.add_option("--duration", o->duration, "Seconds (default: the whole tone if played once, else 5 s or 3 cycles)")
      ->check(CLI::Range(0.0, 3600.0));
  app.add_option("--rate", o->rate, "Sample rate, Hz")->check(CLI::IsMember({8000, 16000}))->capture_default_str();
  app.add_option("--gain", o->gain, "dB added to the plan's levels")->check(CLI::Range(-60.0, 20.0));
  app.add_option("--encoding", o->encoding, "Sample encoding")->check(CLI::IsMember({"pcm16", "ulaw", "alaw"}))->capture_default_str();
  return [o] { return run(*o); };
}};

}  // namespace
}  // namespace linedsp::cli
