// `linedsp bench` (issue 7, density benchmark): the output contract, not the speed. Speed is never asserted here
// (bench/ measures it); these tests check that the rows a capacity planner reads are complete and consistent:
//  - JSON: one object with a `rows` array; every row has component, implementation, channels_per_core,
//    channels_all_cores, bytes_per_channel; numbers positive; component names from issue 7's list; a `limit`
//    row for goertzel-bank whose arithmetic is the textbook Goertzel recursion (s0 = x - s2 + c*s1: one multiply
//    and two adds per filter per sample) over the eight DTMF frequencies of ITU-T Q.23 Table 1: 24 operations
//    per sample; a spandsp row beside each linedsp row where spandsp is installed;
//  - the table and the SVG bar chart (one bar per row) are produced;
//  - bad options: an unknown component is a usage error (exit 2), an unwritable --json path a processing error
//    (exit 1), each with a one-line message.
// Builds without benchmarks (the sanitizer build) print one line and exit 1.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "cli/cli_test_util.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"

namespace linedsp::test {
namespace {

[[maybe_unused]] std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + what.size())) ++n;
  return n;
}

[[maybe_unused]] std::size_t line_count(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

#if defined(LINEDSP_HAVE_BENCH)

const std::set<std::string> kComponents = {"g711-encode", "g711-decode", "goertzel-bank", "dtmf",           "progress",
                                           "modem",       "echo-64ms",   "echo-128ms",    "gateway-channel"};

TEST(BenchCli, QuickJsonRowsFollowTheSchema) {
  const auto r = run_cli({"bench", "--quick", "--components", "g711-encode,goertzel-bank", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);  // throws (fails the test) unless stdout is one JSON document
  ASSERT_TRUE(j.is_object());
  ASSERT_TRUE(j.contains("rows") && j["rows"].is_array());
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& row : j["rows"]) {
    for (const char* f : {"component", "implementation", "channels_per_core", "channels_all_cores", "bytes_per_channel"})
      ASSERT_TRUE(row.contains(f)) << "row lacks " << f << ": " << row.dump();
    const std::string comp = row["component"], impl = row["implementation"];
    EXPECT_TRUE(kComponents.count(comp)) << comp;
    EXPECT_TRUE(comp == "g711-encode" || comp == "goertzel-bank") << "not asked for: " << comp;
    EXPECT_TRUE(impl == "linedsp" || impl == "spandsp" || impl == "speexdsp" || impl == "limit") << impl;
    for (const char* f : {"channels_per_core", "channels_all_cores", "bytes_per_channel"}) {
      ASSERT_TRUE(row[f].is_number()) << row.dump();
      EXPECT_GT(row[f].get<double>(), 0.0) << f << " in " << row.dump();
    }
    EXPECT_FALSE(row.contains("error")) << row.dump();
    EXPECT_TRUE(seen.insert({comp, impl}).second) << "duplicate row " << comp << "/" << impl;
  }
  EXPECT_TRUE(seen.count({"g711-encode", "linedsp"}));
  EXPECT_TRUE(seen.count({"goertzel-bank", "linedsp"}));
  EXPECT_TRUE(seen.count({"goertzel-bank", "limit"}));
  // G.711 is table lookups and bit operations, no floating-point arithmetic: no limit row.
  EXPECT_FALSE(seen.count({"g711-encode", "limit"}));
#if defined(LINEDSP_HAVE_SPANDSP)
  EXPECT_TRUE(seen.count({"g711-encode", "spandsp"}));
  EXPECT_TRUE(seen.count({"goertzel-bank", "spandsp"}));
#endif

  // The limit row: the measured peak over (operations per sample x 8000 samples/s), with the Goertzel count
  // derived above (8 filters x 3 operations).
  const double peak = j.at("peak_flops_per_core").get<double>();
  EXPECT_GT(peak, 0.0);
  double ours = 0, peer = 0;
  for (const auto& row : j["rows"]) {
    if (row["component"] != "goertzel-bank") continue;
    if (row["implementation"] == "limit") {
      EXPECT_DOUBLE_EQ(row.at("ops_per_sample").get<double>(), 8 * 3.0);
      EXPECT_NEAR(row["channels_per_core"].get<double>(), peak / (24.0 * 8000.0), 1e-6 * peak / (24.0 * 8000.0));
    }
    if (row["implementation"] == "linedsp") ours = row["channels_per_core"];
    if (row["implementation"] == "spandsp") peer = row["channels_per_core"];
  }
  // A peer row's ratio is linedsp's channels per core over the peer's, from the same run.
  for (const auto& row : j["rows"])
    if (row["component"] == "goertzel-bank" && row["implementation"] == "spandsp") {
      ASSERT_TRUE(row.contains("ratio"));
      EXPECT_NEAR(row["ratio"].get<double>(), ours / peer, 1e-9 * ours / peer);
    }
}

TEST(BenchCli, TablePlotAndJsonFileFromOneRun) {
  const std::string dir = temp_dir();
  const std::string svg = dir + "/density.svg", json = dir + "/density.json";
  const auto r = run_cli({"bench", "--quick", "--components", "goertzel-bank", "--plot", svg, "--json", json});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The table on stdout: a header and one line per row, each starting with the component name.
  const auto rows = nlohmann::json::parse(read_file(json)).at("rows");
  ASSERT_FALSE(rows.empty());
  EXPECT_NE(r.out.find("component"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("channels/core"), std::string::npos) << r.out;
  std::size_t table_rows = 0;
  for (const auto& line : lines_of(r.out)) table_rows += line.rfind("goertzel-bank ", 0) == 0;
  EXPECT_EQ(table_rows, rows.size()) << r.out;
  // The SVG: XML-ish, one bar per row, no temporary file left behind.
  const std::string s = read_file(svg);
  ASSERT_EQ(s.rfind("<svg", 0), 0u) << s.substr(0, 80);
  EXPECT_NE(s.find("</svg>"), std::string::npos);
  EXPECT_EQ(count(s, "class=\"bar\""), rows.size());
  EXPECT_EQ(count(s, "<text"), count(s, "</text>"));
  EXPECT_EQ(count(s, "<rect"), count(s, "/>") - count(s, "<line"));
  for (const auto& e : std::filesystem::directory_iterator(dir))
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << e.path();
}

TEST(BenchCli, UnknownComponentIsAUsageError) {
  const auto r = run_cli({"bench", "--quick", "--components", "nonsense"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("nonsense"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(BenchCli, UnknownIsaIsAUsageError) {
  const auto r = run_cli({"bench", "--quick", "--isa", "mmx"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
}

TEST(BenchCli, UnwritableJsonPathIsAnError) {
  const std::string path = temp_dir() + "/no-such-dir/rows.json";
  const auto r = run_cli({"bench", "--quick", "--components", "g711-encode", "--json", path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
  EXPECT_TRUE(read_file(path).empty());
}

#else

TEST(BenchCli, BuildWithoutBenchmarksSaysSo) {
  std::printf("this build has no benchmarks (LINEDSP_BUILD_BENCH=OFF): checking the one-line refusal only\n");
  const auto r = run_cli({"bench", "--quick", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "linedsp bench: this build has no benchmarks (configure with -DLINEDSP_BUILD_BENCH=ON)\n");
}

#endif

}  // namespace
}  // namespace linedsp::test
