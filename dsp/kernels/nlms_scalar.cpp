// Scalar NLMS kernels: the specification (dsp/nlms.hpp). Plain left-to-right float sums.
#include <cmath>

#include "dsp/kernels/nlms_kernels.hpp"

namespace linedsp::detail {

float nlms_adapt_filter_scalar(float* w, const float* g, const float* xo, const float* xn, float a, std::size_t n,
                               float* p) noexcept {
  float y = 0.0f, e = 0.0f;
  for (std::size_t k = 0; k < n; ++k) {
    const float wk = w[k] + a * g[k] * xo[k];
    w[k] = wk;
    y += wk * xn[k];
    e += g[k] * xn[k] * xn[k];
  }
  *p = e;
  return y;
}

float nlms_filter_scalar(const float* w, const float* g, const float* xn, std::size_t n, float* p) noexcept {
  float y = 0.0f, e = 0.0f;
  for (std::size_t k = 0; k < n; ++k) {
    y += w[k] * xn[k];
    e += g[k] * xn[k] * xn[k];
  }
  *p = e;
  return y;
}

void nlms_gains_scalar(const float* w, float* g, std::size_t n, float alpha) noexcept {
  float l1 = 0.0f;
  for (std::size_t k = 0; k < n; ++k) l1 += std::fabs(w[k]);
  const NlmsGainConstants c = nlms_gain_constants(l1, n, alpha);
  for (std::size_t k = 0; k < n; ++k) g[k] = c.floor + c.slope * std::fabs(w[k]);
}


float nlms_dot_scalar(const float* w, const float* x, std::size_t n) noexcept {
  float y = 0.0f;
  for (std::size_t k = 0; k < n; ++k) y += w[k] * x[k];
  return y;
}

float nlms_pair_scalar(float* w, const float* wf, const float* g, const float* xo, const float* xn, float a,
                       std::size_t n, float* p, float* yf) noexcept {
  float y = 0.0f, e = 0.0f, f = 0.0f;
  for (std::size_t k = 0; k < n; ++k) {
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

// Sample t uses the window x[k + 1], sample t + 1 the window x[k] (dsp/nlms.hpp). Each sum is its own plain
// left-to-right sum whichever parts run.
void nlms_pair2_scalar(float* w, const float* wf, const float* g, const float* x, float a1, float a2, std::size_t n,
                       int parts, float* s) noexcept {
  float y0 = 0.0f, p0 = 0.0f, f0 = 0.0f, y1 = 0.0f, c = 0.0f, p1 = 0.0f, f1 = 0.0f;
  for (std::size_t k = 0; k < n; ++k) {
    float wk = w[k];
    if (parts & 1) {
      wk += g[k] * (a1 * x[k + 2] + a2 * x[k + 3]);
      w[k] = wk;
      y0 += wk * x[k + 1];
      p0 += g[k] * x[k + 1] * x[k + 1];
      f0 += wf[k] * x[k + 1];
    }
    if (parts & 2) {
      y1 += wk * x[k];
      c += g[k] * x[k + 1] * x[k];
      p1 += g[k] * x[k] * x[k];
      f1 += wf[k] * x[k];
    }
  }
  if (parts & 1) {
    s[0] = y0;
    s[1] = p0;
    s[2] = f0;
  }
  if (parts & 2) {
    s[3] = y1;
    s[4] = c;
    s[5] = p1;
    s[6] = f1;
  }
}

// adapt_filter's update, then gains() (the same expressions in the same order).
void nlms_update_gains_scalar(float* w, float* g, const float* xo, float a, std::size_t n, float alpha) noexcept {
  for (std::size_t k = 0; k < n; ++k) w[k] = w[k] + a * g[k] * xo[k];
  nlms_gains_scalar(w, g, n, alpha);
}
}  // namespace linedsp::detail
