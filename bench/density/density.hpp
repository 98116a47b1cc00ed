// bench/density/density.hpp — the channel-density workloads (issue 7), defined once and measured by both the
// `linedsp bench` command (cli/cmd_bench.cpp) and the Google Benchmark executable (bench/density_bench.cpp,
// bench/gateway_bench.cpp).
//
// A row is one component (g711-encode, g711-decode, goertzel-bank, dtmf, progress, modem, echo-64ms,
// echo-128ms, gateway-channel) done by one implementation (linedsp, spandsp, speexdsp). Its workload is a bank
// of N channels processing a fixed recorded line signal (line_signal(): 4 s, looped) in 20 ms frames; one
// Google Benchmark iteration is one frame for every channel. Measured twice: one thread (channels one core
// sustains = audio seconds per CPU second) and one bank per CPU the process may use, each thread pinned to its
// own CPU with pthread_setaffinity_np (channels all cores sustain = audio seconds per wall second, summed).
// `limit` rows are computed, not timed: the machine's arithmetic peak (independent FMA chains at the widest
// ISA, measured in the same run on one core and on all) divided by the component's operations per sample x
// 8000 (docs/benchmark.md derives each count).
//
// Correctness guard: after timing, every linedsp row runs its check (the gateway hears the digits it was given,
// kernels equal the scalar ones, detectors report the tones that were sent and the scalar events); a failing
// row is reported failed, never as a fast number.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dsp/simd.hpp"

namespace linedsp::bench {

inline constexpr std::size_t kFrameSamples = 160;  // 20 ms at 8 kHz
inline constexpr double kFrameSeconds = 0.020;

// Component names, in report order (the JSON contract).
const std::vector<std::string>& component_names();

// One channel's recorded line signal (4 s at 8 kHz): the network side is recorded speech (asterisk sounds;
// the G.168 composite source signal if absent) in mu-law; the line side is its echo (100-sample bulk delay,
// 10 dB ERL) plus, in turn, the US dial tone (0.1-1.4 s), the digits 1 2 3 (Q.23 levels, from 1.6 s), a fax CNG
// burst (1100 Hz, 0.5 s, from 2.4 s) and recorded music at -10 dB (from 3.0 s).
struct LineSignal {
  std::vector<std::uint8_t> rx_law;  // network -> gateway, mu-law
  std::vector<std::int16_t> far;     // rx_law decoded (what the echo canceller's reference sees)
  std::vector<std::int16_t> near;    // line -> gateway
  std::vector<std::int16_t> echo_only;  // the echo alone (echo canceller checks)
  std::string digits;                   // dialled in `near`
};
const LineSignal& line_signal();

// Where the tone plans live (data/); set before the first workload is made.
void set_data_dir(std::string dir);

// A bank of channels of one component; frame() processes the next 20 ms of every channel (input looped).
class Workload {
 public:
  virtual ~Workload() = default;
  virtual void frame() noexcept = 0;
  virtual double bytes_per_channel() const = 0;
};

// The gateway channel (component gateway-channel), for bench/gateway_bench.cpp's per-ISA runs.
std::unique_ptr<Workload> make_gateway(Isa isa, std::size_t channels);
struct GatewayPass {
  std::vector<std::string> digits;     // per channel, the DTMF digits heard (begin events)
  std::vector<double> residual_energy;  // per channel, energy of the echo-cancelled line side
};
// A fresh linedsp gateway bank, one pass over the whole signal.
GatewayPass gateway_pass(Isa isa, std::size_t channels);
#if defined(LINEDSP_HAVE_SPANDSP)
std::unique_ptr<Workload> make_spandsp_gateway(std::size_t channels);
std::string spandsp_gateway_digits(std::size_t channels);  // channel 0's digits after one pass
#endif

// Sends standard output and error to /dev/null while any instance is alive (spandsp 0.0.6's echo canceller
// prints per sample); thread-safe, nestable.
class QuietStdio {
 public:
  QuietStdio();
  ~QuietStdio();
  QuietStdio(const QuietStdio&) = delete;
  QuietStdio& operator=(const QuietStdio&) = delete;
};

struct RowSpec {
  std::string component;
  std::string implementation;  // linedsp | spandsp | speexdsp
  // Makes a bank of `channels` channels; linedsp rows use `isa`.
  std::function<std::unique_ptr<Workload>(Isa isa, std::size_t channels)> make;
  // linedsp rows: "" when the output of a fresh bank over the whole signal is right, else why not.
  std::function<std::string(Isa isa, std::size_t channels)> check;
};

// Every workload this build can run (peers only where installed), in report order.
const std::vector<RowSpec>& row_specs();

// Arithmetic per sample of each component's kernel, for the limit rows (docs/benchmark.md); 0: no limit row.
double ops_per_sample(std::string_view component);
// The state that arithmetic needs per channel (the limit rows' bytes_per_channel).
double limit_bytes_per_channel(std::string_view component);

// Floating-point operations the calling thread runs per CPU second in independent FMA chains (2 ops per lane
// per instruction) at the widest ISA this CPU has; `passes` loop passes; returns the ops done.
double peak_flops_kernel(std::size_t passes);

// ---- registration and runs ------------------------------------------------------------------------------

struct Options {
  std::vector<std::string> components;  // empty: all
  Isa isa = Isa::scalar;                // for linedsp rows
  std::size_t channels = 32;            // per bank
  double min_time_s = 0.3;              // per measurement
  int repetitions = 5;                  // the median is reported
  int threads = 0;                      // all-cores measurement; 0: the CPUs this process may use
  bool all_cores = true;
  bool check_in_benchmark = false;      // run the linedsp check inside each benchmark (Google Benchmark exe)
};

// The CPUs this process may run on (sched_getaffinity), in order.
std::vector<int> usable_cpus();

// Registers the peak and every selected row with Google Benchmark as "density/<component>/<implementation>"
// (and "density/peak/fma"), once per thread count. Throws std::invalid_argument for an unknown component.
// Returns how many benchmarks it registered.
std::size_t register_benchmarks(const Options& o);

struct Row {
  std::string component, implementation, isa;
  double channels_per_core = 0, channels_all_cores = 0, bytes_per_channel = 0;
  double ratio = 0;      // peer rows: linedsp / peer; limit rows: limit / linedsp (channels per core); 0: none
  double ops_per_sample = 0;  // limit rows
  // spandsp echo and gateway rows: Debian's spandsp 0.0.6 prints two debug lines per sample from echo_can_update
  // (to /dev/null here); the same printing measured alone and taken out (0: not applicable).
  double channels_per_core_without_print = 0, ratio_without_print = 0;
  std::string error;     // non-empty: the row failed (its check, or the run)
};

struct Report {
  std::vector<Row> rows;
  double peak_flops_per_core = 0, peak_flops_all_cores = 0;
  int threads = 1;
  std::string best_isa, isa;
};

// Registers (register_benchmarks), runs every registered benchmark with a collecting reporter, runs the
// checks once per linedsp row, and builds the rows (limit rows from the peak). Standard output and error
// are sent to /dev/null while the benchmarks run (spandsp 0.0.6's echo canceller prints per sample).
Report run(const Options& o);

}  // namespace linedsp::bench
