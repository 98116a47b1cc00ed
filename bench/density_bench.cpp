// The density rows of `linedsp bench` (bench/density/density.hpp) in the Google Benchmark executable: the same
// registered workloads, named density/<component>/<implementation> (threads:1 = one core; threads:N = one bank
// per usable CPU, each thread pinned), at the best ISA (LINEDSP_SIMD forces another), 32 channels per bank.
// Each linedsp row runs its correctness check after timing and fails with SkipWithError when wrong.
// `linedsp bench` turns these counters into the table, the ratios and the limit rows.
#include <benchmark/benchmark.h>

#include <string>

#include "bench/density/density.hpp"

namespace {

const bool registered = [] {
  linedsp::bench::set_data_dir(std::string(LINEDSP_SOURCE_DIR) + "/data");
  linedsp::bench::Options o;
  o.isa = linedsp::active_isa();
  o.min_time_s = 0.5;
  o.repetitions = 1;
  o.check_in_benchmark = true;
  linedsp::bench::register_benchmarks(o);
  return true;
}();

}  // namespace
