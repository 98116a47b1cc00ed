// dsp/nlms.hpp — kernels of the (proportionate) normalised LMS adaptive FIR filter.
//
// One filter of n taps w[0..n) over a far-end history window x[k] = x(t-k) (newest first). The
// proportionate family (IPNLMS, Benesty & Gay 2002) updates tap k with its own gain g[k]:
//
//   w[k] += mu * e(t) * g[k] * x(t-k) / (sum_k g[k] x(t-k)^2 + delta)
//   g[k]  = (1 - alpha) / (2 n) + (1 + alpha) |w[k]| / (2 sum_j |w[j]| + eps)      (sum_k g[k] = 1)
//
// alpha = -1 gives g[k] = 1/n, i.e. plain NLMS; alpha -> +1 is PNLMS-like. The sample loop fuses the
// update for sample t-1 with the filter output for sample t (the windows differ by one sample), so the
// taps are read and written once per sample:
//
//   adapt_filter:  w[k] += a * g[k] * xo[k];  returns y = sum w[k] xn[k];  *p = sum g[k] xn[k]^2
//   filter:        returns y = sum w[k] xn[k];  *p = sum g[k] xn[k]^2      (no update: a == 0)
//   gains:         g from w as above (returns nothing); the caller recomputes p after.
//   dot:           y = sum w[k] x[k] (a second, non-adapting filter over the same window)
//
// The scalar kernels are the specification (plain left-to-right sums in float); the SSE2/AVX2/AVX-512
// variants sum in 4/8/16 interleaved partial sums (AVX-512 dot: 4 x 16, pair: 2 x 16) then a fixed tree, so they differ from scalar by
// rounding only: |y_isa - y_scalar| <= 1e-5 * sum_k |w[k] xn[k]| + 1e-30 (tests/signals/echo_kernels_test.cpp).
// No allocation, no alignment requirement, any n >= 0.
#pragma once

#include <cstddef>

#include "dsp/simd.hpp"

namespace linedsp {

struct NlmsKernels {
  float (*adapt_filter)(float* w, const float* g, const float* xo, const float* xn, float a, std::size_t n,
                        float* p) noexcept;
  float (*filter)(const float* w, const float* g, const float* xn, std::size_t n, float* p) noexcept;
  void (*gains)(const float* w, float* g, std::size_t n, float alpha) noexcept;
  float (*dot)(const float* w, const float* x, std::size_t n) noexcept;  // sum w[k] x[k]
  // adapt_filter for w plus the output of a second filter wf over the same window, in one pass:
  //   w[k] += a g[k] xo[k];  returns sum w[k] xn[k];  *p = sum g[k] xn[k]^2;  *yf = sum wf[k] xn[k]
  // xo must be xn + 1 (the one-sample-older window of the same history, xn[0..n] readable): the AVX-512
  // variant builds xo from the vectors of xn it has loaded instead of loading it.
  float (*adapt_filter_pair)(float* w, const float* wf, const float* g, const float* xo, const float* xn, float a,
                             std::size_t n, float* p, float* yf) noexcept;
  Isa isa;
};

const NlmsKernels& nlms_kernels(Isa isa) noexcept;

}  // namespace linedsp
