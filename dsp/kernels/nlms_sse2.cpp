// SSE2 NLMS kernels: 4 lanes x 2 accumulators (no FMA: multiply then add), scalar tail.
#include <emmintrin.h>

#include <cmath>

#include "dsp/kernels/nlms_kernels.hpp"

namespace linedsp::detail {

namespace {
inline float hsum(__m128 s) noexcept {
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}
inline __m128 vabs(__m128 v) noexcept { return _mm_andnot_ps(_mm_set1_ps(-0.0f), v); }
}  // namespace

float nlms_adapt_filter_sse2(float* w, const float* g, const float* xo, const float* xn, float a, std::size_t n,
                             float* p) noexcept {
  const __m128 va = _mm_set1_ps(a);
  __m128 y0 = _mm_setzero_ps(), y1 = _mm_setzero_ps(), e0 = _mm_setzero_ps(), e1 = _mm_setzero_ps();
  std::size_t k = 0;
  for (; k + 8 <= n; k += 8) {
    const __m128 g0 = _mm_loadu_ps(g + k), g1 = _mm_loadu_ps(g + k + 4);
    const __m128 xn0 = _mm_loadu_ps(xn + k), xn1 = _mm_loadu_ps(xn + k + 4);
    const __m128 w0 = _mm_add_ps(_mm_loadu_ps(w + k), _mm_mul_ps(_mm_mul_ps(va, g0), _mm_loadu_ps(xo + k)));
    const __m128 w1 = _mm_add_ps(_mm_loadu_ps(w + k + 4), _mm_mul_ps(_mm_mul_ps(va, g1), _mm_loadu_ps(xo + k + 4)));
    _mm_storeu_ps(w + k, w0);
    _mm_storeu_ps(w + k + 4, w1);
    y0 = _mm_add_ps(y0, _mm_mul_ps(w0, xn0));
    y1 = _mm_add_ps(y1, _mm_mul_ps(w1, xn1));
    e0 = _mm_add_ps(e0, _mm_mul_ps(_mm_mul_ps(g0, xn0), xn0));
    e1 = _mm_add_ps(e1, _mm_mul_ps(_mm_mul_ps(g1, xn1), xn1));
  }
  float y = hsum(_mm_add_ps(y0, y1)), e = hsum(_mm_add_ps(e0, e1));
  for (; k < n; ++k) {
    const float wk = w[k] + a * g[k] * xo[k];
    w[k] = wk;
    y += wk * xn[k];
    e += g[k] * xn[k] * xn[k];
  }
  *p = e;
  return y;
}

float nlms_filter_sse2(const float* w, const float* g, const float* xn, std::size_t n, float* p) noexcept {
  __m128 y0 = _mm_setzero_ps(), y1 = _mm_setzero_ps(), e0 = _mm_setzero_ps(), e1 = _mm_setzero_ps();
  std::size_t k = 0;
  for (; k + 8 <= n; k += 8) {
    const __m128 xn0 = _mm_loadu_ps(xn + k), xn1 = _mm_loadu_ps(xn + k + 4);
    y0 = _mm_add_ps(y0, _mm_mul_ps(_mm_loadu_ps(w + k), xn0));
    y1 = _mm_add_ps(y1, _mm_mul_ps(_mm_loadu_ps(w + k + 4), xn1));
    e0 = _mm_add_ps(e0, _mm_mul_ps(_mm_mul_ps(_mm_loadu_ps(g + k), xn0), xn0));
    e1 = _mm_add_ps(e1, _mm_mul_ps(_mm_mul_ps(_mm_loadu_ps(g + k + 4), xn1), xn1));
  }
  float y = hsum(_mm_add_ps(y0, y1)), e = hsum(_mm_add_ps(e0, e1));
  for (; k < n; ++k) {
    y += w[k] * xn[k];
    e += g[k] * xn[k] * xn[k];
  }
  *p = e;
  return y;
}

void nlms_gains_sse2(const float* w, float* g, std::size_t n, float alpha) noexcept {
  __m128 s = _mm_setzero_ps();
  std::size_t k = 0;
  for (; k + 4 <= n; k += 4) s = _mm_add_ps(s, vabs(_mm_loadu_ps(w + k)));
  float l1 = hsum(s);
  for (; k < n; ++k) l1 += std::fabs(w[k]);
  const NlmsGainConstants c = nlms_gain_constants(l1, n, alpha);
  const __m128 fl = _mm_set1_ps(c.floor), sl = _mm_set1_ps(c.slope);
  for (k = 0; k + 4 <= n; k += 4) _mm_storeu_ps(g + k, _mm_add_ps(fl, _mm_mul_ps(sl, vabs(_mm_loadu_ps(w + k)))));
  for (; k < n; ++k) g[k] = c.floor + c.slope * std::fabs(w[k]);
}

}  // namespace linedsp::detail

namespace linedsp::detail {
float nlms_dot_sse2(const float* w, const float* x, std::size_t n) noexcept {
  __m128 y0 = _mm_setzero_ps(), y1 = _mm_setzero_ps();
  std::size_t k = 0;
  for (; k + 8 <= n; k += 8) {
    y0 = _mm_add_ps(y0, _mm_mul_ps(_mm_loadu_ps(w + k), _mm_loadu_ps(x + k)));
    y1 = _mm_add_ps(y1, _mm_mul_ps(_mm_loadu_ps(w + k + 4), _mm_loadu_ps(x + k + 4)));
  }
  float y = hsum(_mm_add_ps(y0, y1));
  for (; k < n; ++k) y += w[k] * x[k];
  return y;
}
}  // namespace linedsp::detail

namespace linedsp::detail {
float nlms_pair_sse2(float* w, const float* wf, const float* g, const float* xo, const float* xn, float a,
                     std::size_t n, float* p, float* yf) noexcept {
  const __m128 va = _mm_set1_ps(a);
  __m128 y0 = _mm_setzero_ps(), y1 = _mm_setzero_ps(), e0 = _mm_setzero_ps(), e1 = _mm_setzero_ps();
  __m128 f0 = _mm_setzero_ps(), f1 = _mm_setzero_ps();
  std::size_t k = 0;
  for (; k + 8 <= n; k += 8) {
    const __m128 g0 = _mm_loadu_ps(g + k), g1 = _mm_loadu_ps(g + k + 4);
    const __m128 xn0 = _mm_loadu_ps(xn + k), xn1 = _mm_loadu_ps(xn + k + 4);
    const __m128 w0 = _mm_add_ps(_mm_loadu_ps(w + k), _mm_mul_ps(_mm_mul_ps(va, g0), _mm_loadu_ps(xo + k)));
    const __m128 w1 = _mm_add_ps(_mm_loadu_ps(w + k + 4), _mm_mul_ps(_mm_mul_ps(va, g1), _mm_loadu_ps(xo + k + 4)));
    _mm_storeu_ps(w + k, w0);
    _mm_storeu_ps(w + k + 4, w1);
    y0 = _mm_add_ps(y0, _mm_mul_ps(w0, xn0));
    y1 = _mm_add_ps(y1, _mm_mul_ps(w1, xn1));
    e0 = _mm_add_ps(e0, _mm_mul_ps(_mm_mul_ps(g0, xn0), xn0));
    e1 = _mm_add_ps(e1, _mm_mul_ps(_mm_mul_ps(g1, xn1), xn1));
    f0 = _mm_add_ps(f0, _mm_mul_ps(_mm_loadu_ps(wf + k), xn0));
    f1 = _mm_add_ps(f1, _mm_mul_ps(_mm_loadu_ps(wf + k + 4), xn1));
  }
  float y = hsum(_mm_add_ps(y0, y1)), e = hsum(_mm_add_ps(e0, e1)), f = hsum(_mm_add_ps(f0, f1));
  for (; k < n; ++k) {
    const float wk = w[k] + a * g[k] * xo[k];
    w[k] = wk;
    y += wk * xn[k];
    e += g[k] * xn[k] * xn[k];
    f += wf[k] * xn[k];
  }
  *p = e;
  *yf = f;
  return y;
}
}  // namespace linedsp::detail
