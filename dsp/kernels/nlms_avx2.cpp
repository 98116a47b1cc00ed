// AVX2+FMA NLMS kernels: 8 lanes x 2 accumulators, scalar tail; horizontal sum in a fixed tree.
#include <immintrin.h>

#include <cmath>

#include "dsp/kernels/nlms_kernels.hpp"

namespace linedsp::detail {

namespace {
inline float hsum(__m256 v) noexcept {
  const __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
  __m128 s = _mm_add_ps(lo, hi);
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}
inline __m256 vabs(__m256 v) noexcept { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v); }
}  // namespace

float nlms_adapt_filter_avx2(float* w, const float* g, const float* xo, const float* xn, float a, std::size_t n,
                             float* p) noexcept {
  const __m256 va = _mm256_set1_ps(a);
  __m256 y0 = _mm256_setzero_ps(), y1 = _mm256_setzero_ps(), e0 = _mm256_setzero_ps(), e1 = _mm256_setzero_ps();
  std::size_t k = 0;
  for (; k + 16 <= n; k += 16) {
    const __m256 g0 = _mm256_loadu_ps(g + k), g1 = _mm256_loadu_ps(g + k + 8);
    const __m256 xn0 = _mm256_loadu_ps(xn + k), xn1 = _mm256_loadu_ps(xn + k + 8);
    __m256 w0 = _mm256_fmadd_ps(_mm256_mul_ps(va, g0), _mm256_loadu_ps(xo + k), _mm256_loadu_ps(w + k));
    __m256 w1 = _mm256_fmadd_ps(_mm256_mul_ps(va, g1), _mm256_loadu_ps(xo + k + 8), _mm256_loadu_ps(w + k + 8));
    _mm256_storeu_ps(w + k, w0);
    _mm256_storeu_ps(w + k + 8, w1);
    y0 = _mm256_fmadd_ps(w0, xn0, y0);
    y1 = _mm256_fmadd_ps(w1, xn1, y1);
    e0 = _mm256_fmadd_ps(_mm256_mul_ps(g0, xn0), xn0, e0);
    e1 = _mm256_fmadd_ps(_mm256_mul_ps(g1, xn1), xn1, e1);
  }
  float y = hsum(_mm256_add_ps(y0, y1)), e = hsum(_mm256_add_ps(e0, e1));
  for (; k < n; ++k) {
    const float wk = w[k] + a * g[k] * xo[k];
    w[k] = wk;
    y += wk * xn[k];
    e += g[k] * xn[k] * xn[k];
  }
  *p = e;
  return y;
}

float nlms_filter_avx2(const float* w, const float* g, const float* xn, std::size_t n, float* p) noexcept {
  __m256 y0 = _mm256_setzero_ps(), y1 = _mm256_setzero_ps(), e0 = _mm256_setzero_ps(), e1 = _mm256_setzero_ps();
  std::size_t k = 0;
  for (; k + 16 <= n; k += 16) {
    const __m256 xn0 = _mm256_loadu_ps(xn + k), xn1 = _mm256_loadu_ps(xn + k + 8);
    y0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + k), xn0, y0);
    y1 = _mm256_fmadd_ps(_mm256_loadu_ps(w + k + 8), xn1, y1);
    e0 = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_loadu_ps(g + k), xn0), xn0, e0);
    e1 = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_loadu_ps(g + k + 8), xn1), xn1, e1);
  }
  float y = hsum(_mm256_add_ps(y0, y1)), e = hsum(_mm256_add_ps(e0, e1));
  for (; k < n; ++k) {
    y += w[k] * xn[k];
    e += g[k] * xn[k] * xn[k];
  }
  *p = e;
  return y;
}

void nlms_gains_avx2(const float* w, float* g, std::size_t n, float alpha) noexcept {
  __m256 s = _mm256_setzero_ps();
  std::size_t k = 0;
  for (; k + 8 <= n; k += 8) s = _mm256_add_ps(s, vabs(_mm256_loadu_ps(w + k)));
  float l1 = hsum(s);
  for (; k < n; ++k) l1 += std::fabs(w[k]);
  const NlmsGainConstants c = nlms_gain_constants(l1, n, alpha);
  const __m256 fl = _mm256_set1_ps(c.floor), sl = _mm256_set1_ps(c.slope);
  for (k = 0; k + 8 <= n; k += 8) _mm256_storeu_ps(g + k, _mm256_fmadd_ps(sl, vabs(_mm256_loadu_ps(w + k)), fl));
  for (; k < n; ++k) g[k] = c.floor + c.slope * std::fabs(w[k]);
}

}  // namespace linedsp::detail

namespace linedsp::detail {
float nlms_dot_avx2(const float* w, const float* x, std::size_t n) noexcept {
  __m256 y0 = _mm256_setzero_ps(), y1 = _mm256_setzero_ps();
  std::size_t k = 0;
  for (; k + 16 <= n; k += 16) {
    y0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + k), _mm256_loadu_ps(x + k), y0);
    y1 = _mm256_fmadd_ps(_mm256_loadu_ps(w + k + 8), _mm256_loadu_ps(x + k + 8), y1);
  }
  float y = hsum(_mm256_add_ps(y0, y1));
  for (; k < n; ++k) y += w[k] * x[k];
  return y;
}
}  // namespace linedsp::detail

namespace linedsp::detail {
float nlms_pair_avx2(float* w, const float* wf, const float* g, const float* xo, const float* xn, float a,
                     std::size_t n, float* p, float* yf) noexcept {
  const __m256 va = _mm256_set1_ps(a);
  __m256 y0 = _mm256_setzero_ps(), y1 = _mm256_setzero_ps(), e0 = _mm256_setzero_ps(), e1 = _mm256_setzero_ps();
  __m256 f0 = _mm256_setzero_ps(), f1 = _mm256_setzero_ps();
  std::size_t k = 0;
  for (; k + 16 <= n; k += 16) {
    const __m256 g0 = _mm256_loadu_ps(g + k), g1 = _mm256_loadu_ps(g + k + 8);
    const __m256 xn0 = _mm256_loadu_ps(xn + k), xn1 = _mm256_loadu_ps(xn + k + 8);
    const __m256 w0 = _mm256_fmadd_ps(_mm256_mul_ps(va, g0), _mm256_loadu_ps(xo + k), _mm256_loadu_ps(w + k));
    const __m256 w1 = _mm256_fmadd_ps(_mm256_mul_ps(va, g1), _mm256_loadu_ps(xo + k + 8), _mm256_loadu_ps(w + k + 8));
    _mm256_storeu_ps(w + k, w0);
    _mm256_storeu_ps(w + k + 8, w1);
    y0 = _mm256_fmadd_ps(w0, xn0, y0);
    y1 = _mm256_fmadd_ps(w1, xn1, y1);
    e0 = _mm256_fmadd_ps(_mm256_mul_ps(g0, xn0), xn0, e0);
    e1 = _mm256_fmadd_ps(_mm256_mul_ps(g1, xn1), xn1, e1);
    f0 = _mm256_fmadd_ps(_mm256_loadu_ps(wf + k), xn0, f0);
    f1 = _mm256_fmadd_ps(_mm256_loadu_ps(wf + k + 8), xn1, f1);
  }
  float y = hsum(_mm256_add_ps(y0, y1)), e = hsum(_mm256_add_ps(e0, e1)), f = hsum(_mm256_add_ps(f0, f1));
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
