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
  // Two samples per pass, exact (not a delayed update): samples t and t + 1 of the canceller's background and
  // foreground filters. x is the window of sample t + 1 (x[k] = x(t+1-k)); x[0..n+2] readable. parts selects
  // the first half (1: the update and sample t's sums), the second (2: sample t + 1's sums, from the taps the
  // first half left) or both (3); each sum is formed in the same order whichever parts run, so running 1 then
  // 2 gives bit for bit what 3 gives (a caller's block may end between the two samples).
  //   part 1:  w[k] += g[k] (a1 x[k+2] + a2 x[k+3])    pending updates of samples t-1 (a1) and t-2 (a2)
  //            s[0] = sum w[k] x[k+1]   s[1] = sum g[k] x[k+1]^2   s[2] = sum wf[k] x[k+1]
  //   part 2:  s[3] = sum w[k] x[k]     s[4] = sum g[k] x[k+1] x[k]   s[5] = sum g[k] x[k]^2   s[6] = sum wf[k] x[k]
  // Sample t + 1's background output after sample t's update a_t is s[3] + a_t s[4]. nullptr where the ISA has
  // no such kernel (SSE2, AVX2: the canceller then runs one sample per pass).
  void (*adapt_filter_pair2)(float* w, const float* wf, const float* g, const float* x, float a1, float a2,
                             std::size_t n, int parts, float* s) noexcept = nullptr;
  // The two-sample pass's pending update, then fresh gains (it applies sample n-2's update at its control
  // blocks): w[k] += a g[k] xo[k] with the old gains, then g from the updated w as gains() does, bit for bit the
  // same as adapt_filter then gains. nullptr where adapt_filter_pair2 is.
  void (*update_gains)(float* w, float* g, const float* xo, float a, std::size_t n, float alpha) noexcept = nullptr;
  Isa isa;
};

const NlmsKernels& nlms_kernels(Isa isa) noexcept;

}  // namespace linedsp
