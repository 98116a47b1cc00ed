#include "support/paths.hpp"

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <unistd.h>

namespace fs = std::filesystem;

namespace linedsp::test {

std::optional<std::string> itu_g711_vectors_dir() {
  if (const char* env = std::getenv("LINEDSP_ITU_VECTORS"); env && *env) {
    fs::path p(env);
    if (fs::exists(p / "sweep.src")) return p.string();
    if (fs::exists(p / "g711" / "sweep.src")) return (p / "g711").string();
    return std::nullopt;
  }
  fs::path p = fs::path(LINEDSP_SOURCE_DIR).parent_path() / "shared" / "itu-vectors" / "g711";
  if (fs::exists(p / "sweep.src")) return p.string();
  return std::nullopt;
}

std::string source_dir() { return LINEDSP_SOURCE_DIR; }
std::string cli_path() { return LINEDSP_CLI_PATH; }

namespace {
struct TempRoot {
  fs::path path;
  TempRoot() {
    std::string tmpl = (fs::temp_directory_path() / "linedsp-test-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempRoot() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};
}  // namespace

std::string temp_dir() {
  static TempRoot root;
  static std::mutex mu;
  static int counter = 0;
  std::lock_guard lock(mu);
  fs::path p = root.path / std::to_string(counter++);
  fs::create_directories(p);
  return p.string();
}

bool have_program(const std::string& name) {
  const std::string cmd = "command -v " + name + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

}  // namespace linedsp::test
