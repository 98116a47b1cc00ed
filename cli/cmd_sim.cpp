// `linedsp sim SCENARIO -o DIR`: runs a scenario (ports/scenario.hpp: a simulated phone on an FXS port, a simulated
// exchange on an FXO port, a gateway with a loopback VoIP side) and writes DIR/fxs.wav and DIR/fxo.wav (3 channels:
// received from the line, sent to the line, echo-cancelled) and DIR/events.jsonl, each atomically. A scenario
// given by name only ("outgoing-call") is looked up in the shipped data/scenarios/. --list names them.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>

#include "cli/command.hpp"
#include "ports/scenario.hpp"
#include "signals/tone_plan.hpp"

namespace linedsp::cli {
namespace {

struct Options {
  std::string scenario, output;
  bool list = false, quiet = false;
};

int run(const Options& o) {
  namespace fs = std::filesystem;
  const fs::path shipped = fs::path(data_dir()) / "scenarios";
  if (o.list) {
    std::vector<std::string> names;
    if (fs::is_directory(shipped))
      for (const auto& e : fs::directory_iterator(shipped))
        if (e.path().extension() == ".toml") names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    for (const auto& n : names) std::printf("%s\n", n.c_str());
    return kExitOk;
  }
  if (o.scenario.empty() || o.output.empty()) {
    std::fprintf(stderr, "linedsp: sim: SCENARIO and -o DIR are required\n");
    return kExitUsage;
  }
  std::string path = o.scenario;
  if (!fs::exists(path) && fs::exists(shipped / (path + ".toml"))) path = (shipped / (path + ".toml")).string();
  // A scenario is configuration, like a tone plan (`detect --tones`): a missing, unreadable or malformed one is a
  // usage error (exit 2), found before anything runs; docs/bad-input.md.
  Scenario sc;
  try {
    sc = load_scenario(path);
    (void)load_country_plan(data_dir(), sc.country);  // its country's tone plan too (an unknown country: 2)
  } catch (const std::exception& e) {
    std::fprintf(stderr, "linedsp: %s\n", e.what());
    return kExitUsage;
  }
  std::error_code ec;
  fs::create_directories(o.output, ec);
  if (!fs::is_directory(o.output)) {
    std::fprintf(stderr, "linedsp: %s: cannot create the output directory\n", o.output.c_str());
    return kExitError;
  }
  const ScenarioResult r = run_scenario(sc, data_dir());
  write_scenario_outputs(r, o.output);
  if (!o.quiet)
    std::fprintf(stderr, "%s: %.1f s simulated, %zu events -> %s/{fxs.wav,fxo.wav,events.jsonl}\n", sc.name.c_str(),
                 static_cast<double>(r.samples) / 8000.0, r.events.size(), o.output.c_str());
  return kExitOk;
}

const Registration kRegistration{"sim", "Run a simulated FXS/FXO call scenario", [](CLI::App& app) {
  auto o = std::make_shared<Options>();
  app.add_option("scenario", o->scenario, "Scenario file (TOML) or the name of a shipped one");
  app.add_option("-o,--output", o->output, "Output directory (fxs.wav, fxo.wav, events.jsonl)");
  app.add_flag("--list", o->list, "List the shipped scenarios");
  app.add_flag("-q,--quiet", o->quiet, "No summary line");
  return [o] { return run(*o); };
}};

}  // namespace
}  // namespace linedsp::cli
