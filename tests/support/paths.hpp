// tests/support/paths.hpp — where tests find data that is not in the repository.
#pragma once

#include <optional>
#include <string>
#include "support/sanitizer.hpp"

namespace linedsp::test {

// The ITU-T G.191 G.711 vectors folder: $LINEDSP_ITU_VECTORS, else ../shared/itu-vectors/g711 beside
// the source tree. nullopt when absent (a user's clone): tests GTEST_SKIP() with a message.
std::optional<std::string> itu_g711_vectors_dir();

// Source tree root (for data/ files).
std::string source_dir();

// The built `linedsp` command.
std::string cli_path();

// A fresh empty temporary directory, removed at process exit.
std::string temp_dir();

// Whether a program is on PATH (sox ...).
bool have_program(const std::string& name);

}  // namespace linedsp::test

namespace linedsp::test {
// True in sanitizer builds (ASan is ~3x slower): long sweeps and corpus runs may use a subset there,
// saying so in their output.
constexpr bool kSanitizerBuild =
#if LINEDSP_TEST_ASAN
    true;
#else
    false;
#endif
}  // namespace linedsp::test
