// bench/density/peak.hpp — the machine's arithmetic peak: independent multiply/add or FMA chains per ISA,
// nothing but the arithmetic. Shared by the `limit` rows of `linedsp bench` (density.cpp) and the Goertzel
// suite's BM_PeakFlops / limit counters (bench/goertzel_bench.cpp).
#pragma once

#include <cstddef>

#include "dsp/simd.hpp"

namespace linedsp::bench {

// Runs `passes` passes of the chains and returns the flops of one pass (lanes x ops x chains).
using PeakFn = double (*)(std::size_t passes);

// Separate multiplies and adds (6 + 6 chains, 8 + 8 with AVX-512's 32 registers): the ceiling for kernels that
// must not fuse to stay bit-identical with scalar.
PeakFn peak_muladd_fn(Isa isa);
// Ten FMA chains, 2 flops per lane per instruction; below AVX2 (no FMA) the multiply-add peak.
PeakFn peak_fma_fn(Isa isa);

}  // namespace linedsp::bench
