// `linedsp learn FILE [--name NAME] [--kind KIND]`: measure an unknown tone (signals/learn.hpp) and print a tone-plan
// entry for it; save it (with a `country = "..."` line) as a TOML file and use it with `linedsp detect --tones`.
#include <sndfile.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "signals/learn.hpp"

namespace linedsp::cli {
namespace {

struct Options {
  std::string file, name = "learned", kind;
  bool full = false;
};

int run(const Options& o) {
  SF_INFO info{};
  SNDFILE* f = sf_open(o.file.c_str(), SFM_READ, &info);
  if (!f) throw std::runtime_error(o.file + ": " + sf_strerror(nullptr));
  std::vector<std::int16_t> all(static_cast<std::size_t>(info.frames) * static_cast<std::size_t>(info.channels));
  const sf_count_t got = sf_readf_short(f, all.data(), info.frames);
  sf_close(f);
  std::vector<std::int16_t> ch0(static_cast<std::size_t>(got));
  for (std::size_t i = 0; i < ch0.size(); ++i) ch0[i] = all[i * static_cast<std::size_t>(info.channels)];
  if (info.samplerate != 8000 && info.samplerate != 16000)
    throw std::runtime_error(o.file + ": sample rate " + std::to_string(info.samplerate) + " Hz (learn needs 8000 or 16000)");
  LearnedTone t;
  try {
    t = learn_tone(ch0, info.samplerate);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(o.file + ": " + e.what());
  }
  if (!o.kind.empty()) {
    auto k = parse_tone_kind(o.kind);
    if (!k) {
      std::fprintf(stderr, "linedsp: learn: unknown kind '%s'\n", o.kind.c_str());
      return kExitUsage;
    }
    t.kind = *k;
  }
  if (o.full) std::printf("country = \"%s\"\nname = \"learned from %s\"\n\n", o.name.c_str(), o.file.c_str());
  std::fputs(plan_entry(t, o.name, "measured by linedsp learn from " + o.file).c_str(), stdout);
  return kExitOk;
}

const Registration kRegistration{"learn", "Measure an unknown tone and print a tone-plan entry for it", [](CLI::App& app) {
  auto o = std::make_shared<Options>();
  app.add_option("file", o->file, "Recording of the tone (8 or 16 kHz; first channel)")->required()->check(CLI::ExistingFile);
  app.add_option("--name", o->name, "Key of the entry ([tones.NAME])")->capture_default_str();
  app.add_option("--kind", o->kind, "dial, special-dial, ringback, busy, congestion, call-waiting, sit, other (default: guessed)");
  app.add_flag("--plan", o->full, "Print a whole plan file (country = NAME) rather than one entry");
  return [o] { return run(*o); };
}};

}  // namespace
}  // namespace linedsp::cli
