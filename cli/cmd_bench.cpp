// `linedsp bench`: how many channels this machine carries (issue 7). For each component and for a whole
// gateway channel, on 20 ms frames: the real-time 8 kHz channels one core sustains, the channels all cores
// sustain (one bank per thread, each pinned to its own CPU), and the bytes of state per channel; beside the same
// work done by spandsp (and speexdsp for echo) where installed, with the ratio, and a `limit` row per
// arithmetic component (the machine's measured FMA peak / the component's operations per sample x 8000).
// The workloads are bench/density's, measured with Google Benchmark as a library (the linedsp_benchmarks
// executable registers the same ones). docs/benchmark.md explains every column and op count.
//
//   linedsp bench [--quick] [--components LIST] [--isa NAME] [--channels N] [--json [FILE]] [--plot FILE.svg]
//
// Exit codes: 0 ok, 1 a row failed its correctness check or an output could not be written, 2 usage error.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "dsp/simd.hpp"

#if defined(LINEDSP_HAVE_BENCH)
#include "bench/density/density.hpp"
#endif

namespace linedsp::cli {
namespace {

#if defined(LINEDSP_HAVE_BENCH)

struct Options {
  bool quick = false;
  std::string components, isa, plot;
  std::string json = "";  // "-" or empty with json_set: standard output
  bool json_set = false;
  int channels = 0, repetitions = 0;
  double min_time_s = 0;
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s + ",") {
    if (c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else if (c != ' ') {
      cur += c;
    }
  }
  return out;
}

// Whether `path` can be created or replaced (its directory exists and is writable).
bool writable(const std::string& path) {
  const std::filesystem::path p(path);
  const std::filesystem::path dir = p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return false;
  if (std::filesystem::is_directory(p, ec)) return false;
  return access(dir.c_str(), W_OK) == 0;
}

// Writes `text` to a temporary name beside `path`, then renames it over `path`.
bool write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream f(tmp, std::ios::binary);
    if (!f) return false;
    f << text;
    f.flush();
    if (!f) {
      std::remove(tmp.c_str());
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

std::string fmt(double v, int prec = 0) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", prec, v);
  return b;
}
std::string fmt_ratio(double v) { return v > 0 ? fmt(v, v < 10 ? 2 : 1) + "x" : ""; }

std::string table(const bench::Report& r, const bench::Options& o) {
  std::ostringstream t;
  t << "linedsp bench: 20 ms frames, " << o.channels << " channels per bank, linedsp isa " << r.isa << " (best "
    << r.best_isa << "), " << r.threads << " CPU" << (r.threads == 1 ? "" : "s") << " for all-cores; "
    << (o.repetitions > 1 ? "median of " + std::to_string(o.repetitions) + " runs" : std::string("one run")) << "\n";
  if (r.peak_flops_per_core > 0)
    t << "arithmetic peak (independent FMA chains, " << r.best_isa << "): " << fmt(r.peak_flops_per_core / 1e9, 1)
      << " Gflop/s per core, " << fmt(r.peak_flops_all_cores / 1e9, 1) << " all cores\n";
  char line[256];
  std::snprintf(line, sizeof line, "%-16s %-14s %-7s %15s %19s %14s  %s\n", "component", "implementation", "isa",
                "channels/core", "channels/all-cores", "bytes/channel", "ratio");
  t << line;
  for (const auto& row : r.rows) {
    if (!row.error.empty()) {
      std::snprintf(line, sizeof line, "%-16s %-14s %-7s ", row.component.c_str(), row.implementation.c_str(),
                    row.isa.c_str());
      t << line << "FAILED: " << row.error << "\n";
      continue;
    }
    std::string ratio = fmt_ratio(row.ratio);
    if (!ratio.empty()) ratio += row.implementation == "limit" ? " (limit/linedsp)" : " (linedsp/" + row.implementation + ")";
    std::snprintf(line, sizeof line, "%-16s %-14s %-7s %15s %19s %14s  %s\n", row.component.c_str(),
                  row.implementation.c_str(), row.isa.c_str(), fmt(row.channels_per_core).c_str(),
                  fmt(row.channels_all_cores).c_str(), fmt(row.bytes_per_channel).c_str(), ratio.c_str());
    t << line;
  }
  bool note = false;
  for (const auto& row : r.rows)
    if (row.error.empty() && row.channels_per_core_without_print > 0) {
      if (!note)
        t << "spandsp 0.0.6 (Debian) prints two debug lines per sample in echo_can_update (sent to /dev/null); "
             "measured alone and taken out:\n";
      note = true;
      std::snprintf(line, sizeof line, "  %-16s %-14s %15s channels/core  %s\n", row.component.c_str(),
                    row.implementation.c_str(), fmt(row.channels_per_core_without_print).c_str(),
                    row.ratio_without_print > 0 ? (fmt_ratio(row.ratio_without_print) + " (linedsp/" +
                                                   row.implementation + ")").c_str()
                                                : "");
      t << line;
    }
  return t.str();
}

std::string to_json(const bench::Report& r, const bench::Options& o, bool quick) {
  nlohmann::ordered_json j;
  j["command"] = "linedsp bench";
  j["frame_ms"] = 20;
  j["channels_per_bank"] = o.channels;
  j["isa"] = r.isa;
  j["best_isa"] = r.best_isa;
  j["cpus"] = r.threads;
  j["repetitions"] = o.repetitions;
  j["statistic"] = o.repetitions > 1 ? "median" : "single";
  j["quick"] = quick;
  j["peak_flops_per_core"] = r.peak_flops_per_core;
  j["peak_flops_all_cores"] = r.peak_flops_all_cores;
  auto rows = nlohmann::ordered_json::array();
  for (const auto& row : r.rows) {
    nlohmann::ordered_json x;
    x["component"] = row.component;
    x["implementation"] = row.implementation;
    x["channels_per_core"] = row.channels_per_core;
    x["channels_all_cores"] = row.channels_all_cores;
    x["bytes_per_channel"] = row.bytes_per_channel;
    if (!row.isa.empty()) x["isa"] = row.isa;
    if (row.ratio > 0) {
      x["ratio"] = row.ratio;
      x["ratio_of"] = row.implementation == "limit" ? "limit/linedsp" : "linedsp/" + row.implementation;
    }
    if (row.ops_per_sample > 0) x["ops_per_sample"] = row.ops_per_sample;
    if (row.channels_per_core_without_print > 0) {
      x["channels_per_core_without_debug_print"] = row.channels_per_core_without_print;
      if (row.ratio_without_print > 0) x["ratio_without_debug_print"] = row.ratio_without_print;
    }
    if (!row.error.empty()) x["error"] = row.error;
    rows.push_back(x);
  }
  j["rows"] = rows;
  return j.dump(2) + "\n";
}

// Horizontal bar chart, log scale: channels per core per row, grouped by component.
std::string to_svg(const bench::Report& r) {
  double lo = 1e300, hi = 0;
  for (const auto& row : r.rows)
    if (row.channels_per_core > 0) {
      lo = std::min(lo, row.channels_per_core);
      hi = std::max(hi, row.channels_per_core);
    }
  if (hi <= 0) lo = 1, hi = 10;
  const int d0 = int(std::floor(std::log10(lo))), d1 = std::max(d0 + 1, int(std::ceil(std::log10(hi))));
  const double left = 240, width = 620, bar_h = 16, gap = 4, group_gap = 10, top = 50;
  auto x_of = [&](double v) { return v > 0 ? (std::log10(v) - d0) / (d1 - d0) * width : 0.0; };
  auto colour = [](const std::string& impl) {
    if (impl == "linedsp") return "#1f77b4";
    if (impl == "spandsp") return "#d62728";
    if (impl == "speexdsp") return "#ff7f0e";
    return "#9e9e9e";  // limit
  };
  std::ostringstream body;
  double y = top;
  std::string prev;
  for (const auto& row : r.rows) {
    if (!prev.empty() && row.component != prev) y += group_gap;
    prev = row.component;
    const double w = x_of(row.channels_per_core);
    body << "  <text x=\"" << left - 6 << "\" y=\"" << y + bar_h - 4 << "\" text-anchor=\"end\">" << row.component
         << " · " << row.implementation << "</text>\n";
    body << "  <rect class=\"bar\" data-component=\"" << row.component << "\" data-implementation=\""
         << row.implementation << "\" x=\"" << left << "\" y=\"" << y << "\" width=\"" << fmt(w, 1) << "\" height=\""
         << bar_h << "\" fill=\"" << colour(row.implementation) << "\"/>\n";
    body << "  <text x=\"" << left + w + 4 << "\" y=\"" << y + bar_h - 4 << "\">"
         << (row.error.empty() ? fmt(row.channels_per_core) : std::string("failed")) << "</text>\n";
    y += bar_h + gap;
  }
  const double height = y + 40;
  std::ostringstream s;
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << left + width + 100 << "\" height=\"" << height
    << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  s << "  <text x=\"10\" y=\"20\" font-size=\"14\">linedsp bench: real-time 8 kHz channels per core (log scale), isa "
    << r.isa << "</text>\n";
  s << "  <text x=\"10\" y=\"36\">blue linedsp · red spandsp · orange speexdsp · grey arithmetic limit</text>\n";
  for (int d = d0; d <= d1; ++d) {
    const double x = left + double(d - d0) / (d1 - d0) * width;
    s << "  <line x1=\"" << x << "\" y1=\"" << top - 4 << "\" x2=\"" << x << "\" y2=\"" << y
      << "\" stroke=\"#ddd\"/>\n";
    s << "  <text x=\"" << x << "\" y=\"" << y + 14 << "\" text-anchor=\"middle\">1e" << d << "</text>\n";
  }
  s << body.str() << "</svg>\n";
  return s.str();
}

int run(const Options& opt) {
  bench::Options o;
  o.components = split(opt.components);
  for (const auto& c : o.components)
    if (std::find(bench::component_names().begin(), bench::component_names().end(), c) ==
        bench::component_names().end()) {
      std::string known;
      for (const auto& n : bench::component_names()) known += (known.empty() ? "" : ",") + n;
      std::fprintf(stderr, "linedsp: bench: unknown component '%s' (known: %s)\n", c.c_str(), known.c_str());
      return kExitUsage;
    }
  if (!opt.components.empty() && o.components.empty()) {
    std::fprintf(stderr, "linedsp: bench: --components is empty\n");
    return kExitUsage;
  }
  o.isa = active_isa();
  if (!opt.isa.empty()) {
    const auto isa = parse_isa(opt.isa);
    if (!isa) {
      std::fprintf(stderr, "linedsp: bench: unknown ISA '%s' (scalar, sse2, avx2, avx512)\n", opt.isa.c_str());
      return kExitUsage;
    }
    if (!isa_supported(*isa)) {
      std::fprintf(stderr, "linedsp: bench: this CPU does not run %s\n", opt.isa.c_str());
      return kExitUsage;
    }
    o.isa = *isa;
  }
  o.channels = opt.channels > 0 ? std::size_t(opt.channels) : (opt.quick ? 16 : 32);
  o.min_time_s = opt.min_time_s > 0 ? opt.min_time_s : (opt.quick ? 0.05 : 0.3);
  o.repetitions = opt.repetitions > 0 ? opt.repetitions : (opt.quick ? 1 : 5);
  const bool json_stdout = opt.json_set && (opt.json.empty() || opt.json == "-");
  const bool json_file = opt.json_set && !json_stdout;
  if (json_file && !writable(opt.json)) {
    std::fprintf(stderr, "linedsp: %s: cannot write the JSON report there\n", opt.json.c_str());
    return kExitError;
  }
  if (!opt.plot.empty() && !writable(opt.plot)) {
    std::fprintf(stderr, "linedsp: %s: cannot write the plot there\n", opt.plot.c_str());
    return kExitError;
  }
  bench::set_data_dir(data_dir());
  bench::Report rep;
  try {
    rep = bench::run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "linedsp: bench: %s\n", e.what());
    return kExitError;
  }
  if (json_stdout) {
    std::fputs(to_json(rep, o, opt.quick).c_str(), stdout);
  } else {
    std::fputs(table(rep, o).c_str(), stdout);
  }
  std::fflush(stdout);
  int rc = kExitOk;
  if (json_file && !write_atomically(opt.json, to_json(rep, o, opt.quick))) {
    std::fprintf(stderr, "linedsp: %s: cannot write the JSON report\n", opt.json.c_str());
    rc = kExitError;
  }
  if (!opt.plot.empty() && !write_atomically(opt.plot, to_svg(rep))) {
    std::fprintf(stderr, "linedsp: %s: cannot write the plot\n", opt.plot.c_str());
    rc = kExitError;
  }
  for (const auto& row : rep.rows)
    if (!row.error.empty()) {
      std::fprintf(stderr, "linedsp: bench: %s/%s failed its check: %s\n", row.component.c_str(),
                   row.implementation.c_str(), row.error.c_str());
      rc = kExitError;
    }
  return rc;
}

const Registration reg{
    "bench",
    "Channels per core, per all cores and bytes per channel for each component and a whole gateway channel, "
    "beside spandsp/speexdsp and the machine's arithmetic limit",
    [](CLI::App& app) {
      auto opts = std::make_shared<Options>();
      app.add_flag("--quick", opts->quick, "Short measurements, one run each (under a minute)");
      app.add_option("--components", opts->components,
                     "Comma-separated rows: g711-encode,g711-decode,goertzel-bank,dtmf,progress,modem,echo-64ms,"
                     "echo-128ms,gateway-channel (default: all)");
      app.add_option("--isa", opts->isa, "Force linedsp's SIMD variant: scalar, sse2, avx2, avx512");
      app.add_option("--channels", opts->channels, "Channels per bank (default 32; 16 with --quick)")
          ->check(CLI::Range(1, 4096));
      app.add_option("--repetitions", opts->repetitions, "Runs per measurement, the median reported (default 5)")
          ->check(CLI::Range(1, 100));
      app.add_option("--min-time", opts->min_time_s, "Seconds per run (default 0.3; 0.05 with --quick)")
          ->check(CLI::Range(0.001, 60.0));
      app.add_option("--json", opts->json, "Write the rows as JSON to FILE (standard output when no FILE or -)")
          ->expected(0, 1);
      app.add_option("--plot", opts->plot, "Write a bar chart (channels per core, log scale) to FILE.svg");
      return [opts, &app] {
        if (app.count("--json") > 0) opts->json_set = true;
        return run(*opts);
      };
    }};

#else  // this build has no benchmarks

constexpr const char* kNoBench = "linedsp bench: this build has no benchmarks (configure with -DLINEDSP_BUILD_BENCH=ON)";

const Registration reg{"bench", "Channels per core per component (needs a build with -DLINEDSP_BUILD_BENCH=ON)",
                       [](CLI::App& app) {
                         app.allow_extras();
                         return [] {
                           std::fprintf(stderr, "%s\n", kNoBench);
                           return kExitError;
                         };
                       }};

#endif

}  // namespace
}  // namespace linedsp::cli
