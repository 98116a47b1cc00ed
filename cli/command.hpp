// cli/command.hpp — sub-commands of `linedsp` register themselves here, one cmd_*.cpp each:
//
//   static const linedsp::cli::Registration reg{"cancel", "Cancel line echo ...", [](CLI::App& app) {
//     auto opts = std::make_shared<Options>();
//     app.add_option(...);
//     return [opts] { return run(*opts); };   // returns the exit code
//   }};
// A name "generate/tone" registers `linedsp generate tone` (the `generate` group is made on first use).
//
// Exit codes (DESIGN.md): 0 ok, 1 processing error (bad input file, ...), 2 usage error.
// Errors are one line on stderr: "linedsp: FILE: what is wrong".
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace linedsp::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

using Runner = std::function<int()>;
using Setup = std::function<Runner(CLI::App& sub)>;

struct CommandSpec {
  std::string name;
  std::string description;
  Setup setup;
};

std::vector<CommandSpec>& command_registry();

struct Registration {
  Registration(std::string name, std::string description, Setup setup) {
    command_registry().push_back({std::move(name), std::move(description), std::move(setup)});
  }
};

// Where the shipped data (tone plans, scenarios, samples) lives: $LINEDSP_DATA_DIR, else the source
// tree's data/ (set at build time), else the installed share/linedsp.
std::string data_dir();

}  // namespace linedsp::cli
