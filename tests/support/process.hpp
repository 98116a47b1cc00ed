// tests/support/process.hpp — run a program as a user would (the built `linedsp`, sox ...) and collect
// its exit code, output and peak memory.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace linedsp::test {

struct ProcessResult {
  int exit_code = -1;     // -1: killed by a signal (signal in term_signal)
  int term_signal = 0;
  std::string out, err;   // stdout and stderr
  long max_rss_kb = 0;    // the child's peak resident set (getrusage ru_maxrss via wait4)
};

// Feeds the child's stdin: called repeatedly, returns the next chunk, empty when done.
using StdinFeeder = std::function<std::string()>;

// Runs argv[0] (a path, or a name looked up on PATH) with the arguments. `stdin_data` is written to its
// standard input (closed after), or `feeder`'s chunks when given. Never throws for the child's failures.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& stdin_data = "",
                          const StdinFeeder& feeder = {});

// The built `linedsp` with these arguments.
ProcessResult run_cli(const std::vector<std::string>& args, const std::string& stdin_data = "");

// Reads / writes a whole file (binary); read_file returns "" when missing.
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& contents);

}  // namespace linedsp::test
