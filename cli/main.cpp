// linedsp — the command. Sub-commands live in cmd_*.cpp and register themselves (command.hpp).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <string>

#include "cli/analyzer.hpp"
#include "cli/command.hpp"

namespace linedsp::cli {

std::vector<CommandSpec>& command_registry() {
  static std::vector<CommandSpec> registry;
  return registry;
}

std::vector<AnalyzerSpec>& analyzer_registry() {
  static std::vector<AnalyzerSpec> registry;
  return registry;
}

std::string data_dir() {
  if (const char* env = std::getenv("LINEDSP_DATA_DIR"); env && *env) return env;
  return LINEDSP_DATA_DIR;
}

}  // namespace linedsp::cli

int main(int argc, char** argv) {
  using namespace linedsp::cli;
  CLI::App app{"linedsp — telephony DSP for analog lines: detect DTMF, call-progress and modem tones and "
               "caller ID in recordings; generate signals; transcode G.711; cancel line echo."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("linedsp 0.1.0"));

  auto specs = command_registry();
  std::sort(specs.begin(), specs.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  // "generate/tone" registers `tone` under `generate` (created on first use).
  std::map<CLI::App*, Runner> runners;
  std::map<std::string, CLI::App*> groups;
  for (auto& spec : specs) {
    CLI::App* parent = &app;
    std::string leaf = spec.name;
    if (auto slash = spec.name.find('/'); slash != std::string::npos) {
      const std::string group = spec.name.substr(0, slash);
      leaf = spec.name.substr(slash + 1);
      auto it = groups.find(group);
      if (it == groups.end()) {
        CLI::App* g = app.add_subcommand(group, "Generate signals to a file");
        g->require_subcommand(1);
        it = groups.emplace(group, g).first;
      }
      parent = it->second;
    }
    CLI::App* sub = parent->add_subcommand(leaf, spec.description);
    runners[sub] = spec.setup(*sub);
  }

  // An unknown sub-command (`linedsp bogus`, `linedsp generate bogus`) would reach CLI11 as a stray positional and
  // be reported as "A subcommand is required"; name it instead. Only the first word of each level is a command
  // (the top level and the generate group take no positionals of their own).
  {
    CLI::App* level = &app;
    for (int i = 1; i < argc && level; ++i) {
      const std::string word = argv[i];
      if (word.empty() || word[0] == '-') break;
      CLI::App* sub = nullptr;
      for (CLI::App* s : level->get_subcommands({}))
        if (s->check_name(word)) sub = s;
      if (!sub) {
        std::string known;
        for (CLI::App* s : level->get_subcommands({})) known += (known.empty() ? "" : ", ") + s->get_name();
        const std::string where = level == &app ? "" : level->get_name() + " ";
        std::fprintf(stderr, "linedsp: %s%s: unknown command (known: %s; see linedsp --help)\n", where.c_str(),
                     word.c_str(), known.c_str());
        return kExitUsage;
      }
      level = groups.count(sub->get_name()) && groups.at(sub->get_name()) == sub ? sub : nullptr;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "linedsp: %s (see linedsp --help)\n", e.what());
    return kExitUsage;
  }

  for (auto& [sub, run] : runners) {
    if (sub->parsed()) {
      try {
        return run();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "linedsp: %s\n", e.what());
        return kExitError;
      }
    }
  }
  return kExitUsage;
}
