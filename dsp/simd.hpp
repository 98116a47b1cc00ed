// dsp/simd.hpp — run-time choice of SIMD kernels.
//
// Every SIMD kernel in linedsp exists once per instruction set in its own translation unit
// (kernels/*_scalar.cpp is the specification; *_sse2.cpp, *_avx2.cpp, *_avx512.cpp get their ISA flags
// from CMake and nothing else does). A module publishes a table of function pointers per Isa; a
// processor takes the table for `active_isa()` when it is constructed, so the audio path pays one
// indirect call per block and nothing per sample.
//
// `active_isa()` is the best ISA the CPU has, or what the environment variable LINEDSP_SIMD forces
// (scalar|sse2|avx2|avx512). Tests and benchmarks construct processors for a specific Isa or use
// ScopedIsa to force one.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace linedsp {

enum class Isa : unsigned char { scalar = 0, sse2 = 1, avx2 = 2, avx512 = 3 };

struct CpuFeatures {
  bool sse2 = false;
  bool avx2 = false;    // with FMA
  bool avx512 = false;  // F + BW + DQ + VL, with OS support for the ZMM state
  static CpuFeatures detect() noexcept;
};

// Pure: the best Isa a CPU with these features runs (unit-testable without the CPU).
Isa best_isa(const CpuFeatures& cpu) noexcept;
// Every Isa this CPU can run, scalar first.
std::vector<Isa> available_isas();
bool isa_supported(Isa isa) noexcept;

// The Isa processors use: LINEDSP_SIMD if set and supported by the CPU, else best_isa(detect()).
// An unknown or unsupported LINEDSP_SIMD value falls back to the best ISA and warns once on stderr.
Isa active_isa() noexcept;

const char* isa_name(Isa isa) noexcept;
std::optional<Isa> parse_isa(std::string_view name) noexcept;

// Forces active_isa() for the lifetime of the object (tests, benchmarks). Not thread-safe; not for
// use while other threads construct processors.
class ScopedIsa {
 public:
  explicit ScopedIsa(Isa isa) noexcept;
  ~ScopedIsa();
  ScopedIsa(const ScopedIsa&) = delete;
  ScopedIsa& operator=(const ScopedIsa&) = delete;

 private:
  int previous_;
};

// Sets flush-to-zero and denormals-are-zero for the calling thread while alive, restoring the previous
// mode after. Processors with recursive float state use it around their inner loops so decaying
// signals never fall into the slow denormal path.
class ScopedDenormalsOff {
 public:
  ScopedDenormalsOff() noexcept;
  ~ScopedDenormalsOff();
  ScopedDenormalsOff(const ScopedDenormalsOff&) = delete;
  ScopedDenormalsOff& operator=(const ScopedDenormalsOff&) = delete;

 private:
  unsigned int saved_;
};

}  // namespace linedsp
