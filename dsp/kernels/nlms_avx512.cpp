// AVX-512 NLMS kernels: 16 lanes, masked tail; sums in 16 partial sums then a fixed tree.
// GCC 12's avx512fintrin.h builds shuffles on a self-initialised _mm512_undefined_ps(), which -Wuninitialized
// reports at every inlined use; the value is never read (all lanes are written by the shuffle).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include "dsp/kernels/nlms_kernels.hpp"

namespace linedsp::detail {

namespace {
inline __mmask16 tail_mask(std::size_t left) noexcept {
  return static_cast<__mmask16>((1u << left) - 1u);
}
// Fixed-order tree sum of the 16 lanes: lane i plus lane i+8, then +4, +2, +1 (GCC 12's
// _mm512_reduce_add_ps trips -Wmaybe-uninitialized). In registers: each level adds the vector to itself with
// lanes swapped at that distance (256-bit halves, 128-bit quarters, then 64 and 32 bits inside each quarter),
// so lane 0 ends with exactly the sums, in the same order, that a store-and-add tree would form.
inline float hsum(__m512 v) noexcept {
  v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, 0x4E));
  v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, 0xB1));
  v = _mm512_add_ps(v, _mm512_permute_ps(v, 0x4E));
  v = _mm512_add_ps(v, _mm512_permute_ps(v, 0xB1));
  return _mm512_cvtss_f32(v);
}
}  // namespace

float nlms_adapt_filter_avx512(float* w, const float* g, const float* xo, const float* xn, float a, std::size_t n,
                               float* p) noexcept {
  const __m512 va = _mm512_set1_ps(a);
  __m512 y0 = _mm512_setzero_ps(), y1 = _mm512_setzero_ps(), e0 = _mm512_setzero_ps(), e1 = _mm512_setzero_ps();
  std::size_t k = 0;
  for (; k + 32 <= n; k += 32) {
    const __m512 g0 = _mm512_loadu_ps(g + k), g1 = _mm512_loadu_ps(g + k + 16);
    const __m512 xn0 = _mm512_loadu_ps(xn + k), xn1 = _mm512_loadu_ps(xn + k + 16);
    __m512 w0 = _mm512_loadu_ps(w + k), w1 = _mm512_loadu_ps(w + k + 16);
    w0 = _mm512_fmadd_ps(_mm512_mul_ps(va, g0), _mm512_loadu_ps(xo + k), w0);
    w1 = _mm512_fmadd_ps(_mm512_mul_ps(va, g1), _mm512_loadu_ps(xo + k + 16), w1);
    _mm512_storeu_ps(w + k, w0);
    _mm512_storeu_ps(w + k + 16, w1);
    y0 = _mm512_fmadd_ps(w0, xn0, y0);
    y1 = _mm512_fmadd_ps(w1, xn1, y1);
    e0 = _mm512_fmadd_ps(_mm512_mul_ps(g0, xn0), xn0, e0);
    e1 = _mm512_fmadd_ps(_mm512_mul_ps(g1, xn1), xn1, e1);
  }
  for (; k < n; k += 16) {
    const __mmask16 m = n - k >= 16 ? static_cast<__mmask16>(0xffff) : tail_mask(n - k);
    const __m512 g0 = _mm512_maskz_loadu_ps(m, g + k);
    const __m512 xn0 = _mm512_maskz_loadu_ps(m, xn + k);
    __m512 w0 = _mm512_maskz_loadu_ps(m, w + k);
    w0 = _mm512_fmadd_ps(_mm512_mul_ps(va, g0), _mm512_maskz_loadu_ps(m, xo + k), w0);
    _mm512_mask_storeu_ps(w + k, m, w0);
    y0 = _mm512_fmadd_ps(w0, xn0, y0);
    e0 = _mm512_fmadd_ps(_mm512_mul_ps(g0, xn0), xn0, e0);
  }
  *p = hsum(_mm512_add_ps(e0, e1));
  return hsum(_mm512_add_ps(y0, y1));
}

float nlms_filter_avx512(const float* w, const float* g, const float* xn, std::size_t n, float* p) noexcept {
  __m512 y0 = _mm512_setzero_ps(), y1 = _mm512_setzero_ps(), e0 = _mm512_setzero_ps(), e1 = _mm512_setzero_ps();
  std::size_t k = 0;
  for (; k + 32 <= n; k += 32) {
    const __m512 xn0 = _mm512_loadu_ps(xn + k), xn1 = _mm512_loadu_ps(xn + k + 16);
    y0 = _mm512_fmadd_ps(_mm512_loadu_ps(w + k), xn0, y0);
    y1 = _mm512_fmadd_ps(_mm512_loadu_ps(w + k + 16), xn1, y1);
    e0 = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_loadu_ps(g + k), xn0), xn0, e0);
    e1 = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_loadu_ps(g + k + 16), xn1), xn1, e1);
  }
  for (; k < n; k += 16) {
    const __mmask16 m = n - k >= 16 ? static_cast<__mmask16>(0xffff) : tail_mask(n - k);
    const __m512 xn0 = _mm512_maskz_loadu_ps(m, xn + k);
    y0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w + k), xn0, y0);
    e0 = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_maskz_loadu_ps(m, g + k), xn0), xn0, e0);
  }
  *p = hsum(_mm512_add_ps(e0, e1));
  return hsum(_mm512_add_ps(y0, y1));
}

void nlms_gains_avx512(const float* w, float* g, std::size_t n, float alpha) noexcept {
  // Plain moves for the full vectors, masked ones only for the last, partial vector (the same sums in the
  // same order as masking every vector).
  __m512 s = _mm512_setzero_ps();
  std::size_t k = 0;
  for (; k + 16 <= n; k += 16) s = _mm512_add_ps(s, _mm512_abs_ps(_mm512_loadu_ps(w + k)));
  const __mmask16 m = tail_mask(n - k);
  if (k < n) s = _mm512_add_ps(s, _mm512_abs_ps(_mm512_maskz_loadu_ps(m, w + k)));
  const NlmsGainConstants c = nlms_gain_constants(hsum(s), n, alpha);
  const __m512 fl = _mm512_set1_ps(c.floor), sl = _mm512_set1_ps(c.slope);
  for (k = 0; k + 16 <= n; k += 16) _mm512_storeu_ps(g + k, _mm512_fmadd_ps(sl, _mm512_abs_ps(_mm512_loadu_ps(w + k)), fl));
  if (k < n) _mm512_mask_storeu_ps(g + k, m, _mm512_fmadd_ps(sl, _mm512_abs_ps(_mm512_maskz_loadu_ps(m, w + k)), fl));
}

}  // namespace linedsp::detail

namespace linedsp::detail {
// The canceller's per-sample kernels (dot, pair) run on short active windows (~200 taps). dot: four
// accumulators (chains a quarter as long), combined as (a0 + a1) + (a2 + a3) before the lane tree. pair: two
// accumulators per sum and plain (unmasked) moves except for the last, partial vector: measured at 192 taps,
// four accumulators with masked moves throughout took ~20 % longer (masked moves do not fold into the FMAs,
// and its three sums x 4 accumulators crowd the registers); throughput, not the chain, bounds it.
float nlms_dot_avx512(const float* w, const float* x, std::size_t n) noexcept {
  __m512 y0 = _mm512_setzero_ps(), y1 = y0, y2 = y0, y3 = y0;
  std::size_t k = 0;
  for (; k + 64 <= n; k += 64) {
    y0 = _mm512_fmadd_ps(_mm512_loadu_ps(w + k), _mm512_loadu_ps(x + k), y0);
    y1 = _mm512_fmadd_ps(_mm512_loadu_ps(w + k + 16), _mm512_loadu_ps(x + k + 16), y1);
    y2 = _mm512_fmadd_ps(_mm512_loadu_ps(w + k + 32), _mm512_loadu_ps(x + k + 32), y2);
    y3 = _mm512_fmadd_ps(_mm512_loadu_ps(w + k + 48), _mm512_loadu_ps(x + k + 48), y3);
  }
  const auto part = [&](std::size_t at, __m512 acc) {
    if (at >= n) return acc;
    const __mmask16 m = n - at >= 16 ? static_cast<__mmask16>(0xffff) : tail_mask(n - at);
    return _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w + at), _mm512_maskz_loadu_ps(m, x + at), acc);
  };
  y0 = part(k, y0);
  y1 = part(k + 16, y1);
  y2 = part(k + 32, y2);
  y3 = part(k + 48, y3);
  return hsum(_mm512_add_ps(_mm512_add_ps(y0, y1), _mm512_add_ps(y2, y3)));
}

// One 16-tap vector of the pair kernel. xo (the history one sample older) is xn shifted by one float: it is
// built from this vector of xn and the next (valignd) instead of being loaded, so each 16 taps load xn once
// (measured: the second, always misaligned load of the same history made the kernel load-bound, ~15 % at 512
// taps). LOAD/STORE are the plain forms in the main loop and the masked ones for the last, partial vector
// (masked moves with an all-ones mask in the main loop cost ~17 %, measured: they do not fold into the FMAs).
#define LINEDSP_PAIR_LANE(Y, E, F, AT, XN, XNEXT, LOAD, STORE)                                              \
  {                                                                                                         \
    const __m512 g0 = LOAD(g + (AT));                                                                       \
    const __m512 xo0 = _mm512_castsi512_ps(                                                                 \
        _mm512_alignr_epi32(_mm512_castps_si512(XNEXT), _mm512_castps_si512(XN), 1));                       \
    const __m512 w0 = _mm512_fmadd_ps(_mm512_mul_ps(va, g0), xo0, LOAD(w + (AT)));                          \
    STORE(w + (AT), w0);                                                                                    \
    Y = _mm512_fmadd_ps(w0, XN, Y);                                                                         \
    E = _mm512_fmadd_ps(_mm512_mul_ps(g0, XN), XN, E);                                                      \
    F = _mm512_fmadd_ps(LOAD(wf + (AT)), XN, F);                                                            \
  }
#define LINEDSP_LOAD(P) _mm512_loadu_ps(P)
#define LINEDSP_STORE(P, V) _mm512_storeu_ps(P, V)
#define LINEDSP_MLOAD(P) _mm512_maskz_loadu_ps(m, P)
#define LINEDSP_MSTORE(P, V) _mm512_mask_storeu_ps(P, m, V)

// xo must equal xn + 1 (the canceller's history; dsp/nlms.hpp): xn[0..n] is read (n + 1 floats), xo is not.
float nlms_pair_avx512(float* w, const float* wf, const float* g, const float* xo, const float* xn, float a,
                       std::size_t n, float* p, float* yf) noexcept {
  (void)xo;
  const __m512 va = _mm512_set1_ps(a);
  __m512 y0 = _mm512_setzero_ps(), y1 = y0, e0 = y0, e1 = y0, f0 = y0, f1 = y0;
  if (n == 0) {
    *p = 0.0f;
    *yf = 0.0f;
    return 0.0f;
  }
  // The vector of xn after the one at k: plain while it lies within xn[0..n], else only its valid floats.
  const auto next = [&](std::size_t k) {
    const std::size_t at = k + 16;
    if (at + 16 <= n + 1) return _mm512_loadu_ps(xn + at);
    return _mm512_maskz_loadu_ps(tail_mask(n + 1 - at), xn + at);
  };
  __m512 x0 = n >= 16 ? _mm512_loadu_ps(xn) : _mm512_maskz_loadu_ps(tail_mask(n + 1), xn);
  std::size_t k = 0;
  for (; k + 48 <= n + 1; k += 32) {  // both vectors full and the one after them readable in full
    const __m512 x1 = _mm512_loadu_ps(xn + k + 16), x2 = _mm512_loadu_ps(xn + k + 32);
    LINEDSP_PAIR_LANE(y0, e0, f0, k, x0, x1, LINEDSP_LOAD, LINEDSP_STORE)
    LINEDSP_PAIR_LANE(y1, e1, f1, k + 16, x1, x2, LINEDSP_LOAD, LINEDSP_STORE)
    x0 = x2;
  }
  // The remaining full vectors (alternating accumulators as above), then possibly a partial one.
  bool second = false;
  for (; k + 16 <= n; k += 16) {
    const __m512 x1 = next(k);
    if (second) {
      LINEDSP_PAIR_LANE(y1, e1, f1, k, x0, x1, LINEDSP_LOAD, LINEDSP_STORE)
    } else {
      LINEDSP_PAIR_LANE(y0, e0, f0, k, x0, x1, LINEDSP_LOAD, LINEDSP_STORE)
    }
    second = !second;
    x0 = x1;
  }
  if (k < n) {
    // x0 holds xn[k..n] (n - k + 1 <= 16 floats, zero beyond), all xo needs for the n - k taps left.
    const __mmask16 m = tail_mask(n - k);
    const __m512 zero = _mm512_setzero_ps();
    if (second) {
      LINEDSP_PAIR_LANE(y1, e1, f1, k, x0, zero, LINEDSP_MLOAD, LINEDSP_MSTORE)
    } else {
      LINEDSP_PAIR_LANE(y0, e0, f0, k, x0, zero, LINEDSP_MLOAD, LINEDSP_MSTORE)
    }
  }
  *p = hsum(_mm512_add_ps(e0, e1));
  *yf = hsum(_mm512_add_ps(f0, f1));
  return hsum(_mm512_add_ps(y0, y1));
}
#undef LINEDSP_LOAD
#undef LINEDSP_STORE
#undef LINEDSP_MLOAD
#undef LINEDSP_MSTORE
#undef LINEDSP_PAIR_LANE
}  // namespace linedsp::detail

namespace linedsp::detail {
namespace {
// Sums of eight vectors' lanes: lane 4j of the result is the sum of v_j's lanes, lane 4j+1 that of v_{4+j}
// (j = 0..3). 256-bit halves, then 128-bit quarters, then pairs and single lanes within each quarter.
inline __m512 reduce8(__m512 v0, __m512 v1, __m512 v2, __m512 v3, __m512 v4, __m512 v5, __m512 v6,
                      __m512 v7) noexcept {
  const auto halves = [](__m512 a, __m512 b) {  // [a lo+hi (8 lanes), b lo+hi (8 lanes)]
    return _mm512_add_ps(_mm512_shuffle_f32x4(a, b, 0x44), _mm512_shuffle_f32x4(a, b, 0xEE));
  };
  const auto quarters = [](__m512 ab, __m512 cd) {  // quarter j: the j-th input's 4 partial sums
    return _mm512_add_ps(_mm512_shuffle_f32x4(ab, cd, 0x88), _mm512_shuffle_f32x4(ab, cd, 0xDD));
  };
  const __m512 u0 = quarters(halves(v0, v1), halves(v2, v3)), u1 = quarters(halves(v4, v5), halves(v6, v7));
  const __m512 z = _mm512_add_ps(_mm512_unpacklo_ps(u0, u1), _mm512_unpackhi_ps(u0, u1));
  return _mm512_add_ps(z, _mm512_permute_ps(z, 0x4E));
}

// One 16-tap vector of the two-sample pass (dsp/nlms.hpp). X1 = x[k..k+16) (sample t+1's window), XNEXT the
// following 16 floats; sample t's window and the two older ones are X1 shifted by 1, 2, 3 floats (valignd), so
// the history is loaded once per vector for both samples and both pending updates. M masks the taps (all ones
// but for the last, partial vector); lanes outside it load as 0 and leave every sum unchanged.
template <int Parts, bool Masked>
inline void pair2_vector(float* w, const float* wf, const float* g, std::size_t at, __mmask16 m, __m512 x1,
                         __m512 xnext, __m512 va1, __m512 va2, __m512& y0, __m512& p0, __m512& f0, __m512& y1,
                         __m512& c, __m512& p1, __m512& f1) noexcept {
  const auto load = [&](const float* ptr) { return Masked ? _mm512_maskz_loadu_ps(m, ptr) : _mm512_loadu_ps(ptr); };
  const auto shift = [&](int by) {
    const __m512i a = _mm512_castps_si512(xnext), b = _mm512_castps_si512(x1);
    switch (by) {
      case 1: return _mm512_castsi512_ps(_mm512_alignr_epi32(a, b, 1));
      case 2: return _mm512_castsi512_ps(_mm512_alignr_epi32(a, b, 2));
      default: return _mm512_castsi512_ps(_mm512_alignr_epi32(a, b, 3));
    }
  };
  const __m512 gv = load(g + at), wfv = load(wf + at);
  const __m512 x0 = shift(1);
  __m512 wv = load(w + at);
  const __m512 gx0 = _mm512_mul_ps(gv, x0);
  if constexpr ((Parts & 1) != 0) {
    const __m512 v = _mm512_fmadd_ps(va2, shift(3), _mm512_mul_ps(va1, shift(2)));
    wv = _mm512_fmadd_ps(gv, v, wv);
    if constexpr (Masked) {
      _mm512_mask_storeu_ps(w + at, m, wv);
    } else {
      _mm512_storeu_ps(w + at, wv);
    }
    y0 = _mm512_fmadd_ps(wv, x0, y0);
    p0 = _mm512_fmadd_ps(gx0, x0, p0);
    f0 = _mm512_fmadd_ps(wfv, x0, f0);
  }
  if constexpr ((Parts & 2) != 0) {
    y1 = _mm512_fmadd_ps(wv, x1, y1);
    c = _mm512_fmadd_ps(gx0, x1, c);
    p1 = _mm512_fmadd_ps(_mm512_mul_ps(gv, x1), x1, p1);
    f1 = _mm512_fmadd_ps(wfv, x1, f1);
  }
}

// Vector j of the window goes to accumulator set j % 2 whichever parts run, so every sum is formed in the same
// order for parts 1, 2 and 3.
template <int Parts>
void pair2_impl(float* w, const float* wf, const float* g, const float* x, float a1, float a2, std::size_t n,
                float* s) noexcept {
  const __m512 va1 = _mm512_set1_ps(a1), va2 = _mm512_set1_ps(a2);
  // The two outputs (on the per-sample chain: output -> error -> step -> next pass) in four accumulators each,
  // vector j into set j % 4; the other sums in two, vector j into set j % 2.
  __m512 y0a = _mm512_setzero_ps(), p0a = y0a, f0a = y0a, y1a = y0a, ca = y0a, p1a = y0a, f1a = y0a;
  __m512 y0b = y0a, p0b = y0a, f0b = y0a, y1b = y0a, cb = y0a, p1b = y0a, f1b = y0a;
  __m512 y0c = y0a, y1c = y0a, y0d = y0a, y1d = y0a;
  const std::size_t avail = n + 3;  // x[0..n+2]
  const auto xload = [&](std::size_t at) {
    if (at >= avail) return _mm512_setzero_ps();
    if (at + 16 <= avail) return _mm512_loadu_ps(x + at);
    return _mm512_maskz_loadu_ps(tail_mask(avail - at), x + at);
  };
  constexpr __mmask16 kAll = 0xffff;
  __m512 cur = xload(0);
  std::size_t k = 0;
  for (; k + 64 <= n && k + 80 <= avail; k += 64) {
    const __m512 x1 = _mm512_loadu_ps(x + k + 16), x2 = _mm512_loadu_ps(x + k + 32), x3 = _mm512_loadu_ps(x + k + 48),
                 x4 = _mm512_loadu_ps(x + k + 64);
    pair2_vector<Parts, false>(w, wf, g, k, kAll, cur, x1, va1, va2, y0a, p0a, f0a, y1a, ca, p1a, f1a);
    pair2_vector<Parts, false>(w, wf, g, k + 16, kAll, x1, x2, va1, va2, y0b, p0b, f0b, y1b, cb, p1b, f1b);
    pair2_vector<Parts, false>(w, wf, g, k + 32, kAll, x2, x3, va1, va2, y0c, p0a, f0a, y1c, ca, p1a, f1a);
    pair2_vector<Parts, false>(w, wf, g, k + 48, kAll, x3, x4, va1, va2, y0d, p0b, f0b, y1d, cb, p1b, f1b);
    cur = x4;
  }
  // At most five vectors are left (the loop stops only within 77 taps of the end); the last may be partial.
#define LINEDSP_PAIR2_REST(Y, SET)                                                                             \
  if (k < n) {                                                                                                 \
    const __m512 nxt = xload(k + 16);                                                                          \
    if (k + 16 <= n) {                                                                                         \
      pair2_vector<Parts, false>(w, wf, g, k, kAll, cur, nxt, va1, va2, y0##Y, p0##SET, f0##SET, y1##Y,         \
                                 c##SET, p1##SET, f1##SET);                                                    \
    } else {                                                                                                   \
      pair2_vector<Parts, true>(w, wf, g, k, tail_mask(n - k), cur, nxt, va1, va2, y0##Y, p0##SET, f0##SET,    \
                                y1##Y, c##SET, p1##SET, f1##SET);                                              \
    }                                                                                                          \
    cur = nxt;                                                                                                 \
    k += 16;                                                                                                   \
  }
  LINEDSP_PAIR2_REST(a, a)
  LINEDSP_PAIR2_REST(b, b)
  LINEDSP_PAIR2_REST(c, a)
  LINEDSP_PAIR2_REST(d, b)
  LINEDSP_PAIR2_REST(a, a)
#undef LINEDSP_PAIR2_REST
  y0a = _mm512_add_ps(y0a, y0c);
  y0b = _mm512_add_ps(y0b, y0d);
  y1a = _mm512_add_ps(y1a, y1c);
  y1b = _mm512_add_ps(y1b, y1d);
  // The seven sums at once (a transposed tree: 15 shuffles instead of seven lane trees' 28); each sum is still
  // reduced from its own lanes only, so parts 1, 2 and 3 give the same values.
  alignas(64) float out[16];
  _mm512_store_ps(out, reduce8(_mm512_add_ps(y0a, y0b), _mm512_add_ps(p0a, p0b), _mm512_add_ps(f0a, f0b),
                               _mm512_add_ps(y1a, y1b), _mm512_add_ps(ca, cb), _mm512_add_ps(p1a, p1b),
                               _mm512_add_ps(f1a, f1b), _mm512_setzero_ps()));
  if constexpr ((Parts & 1) != 0) {
    s[0] = out[0];
    s[1] = out[4];
    s[2] = out[8];
  }
  if constexpr ((Parts & 2) != 0) {
    s[3] = out[12];
    s[4] = out[1];
    s[5] = out[5];
    s[6] = out[9];
  }
}
}  // namespace

void nlms_pair2_avx512(float* w, const float* wf, const float* g, const float* x, float a1, float a2, std::size_t n,
                       int parts, float* s) noexcept {
  switch (parts) {
    case 1: pair2_impl<1>(w, wf, g, x, a1, a2, n, s); break;
    case 2: pair2_impl<2>(w, wf, g, x, a1, a2, n, s); break;
    default: pair2_impl<3>(w, wf, g, x, a1, a2, n, s); break;
  }
}
}  // namespace linedsp::detail

namespace linedsp::detail {
// adapt_filter's update (the same FMA) and gains() (the same single accumulator over the full vectors, then the
// masked last one, and the same write pass), fused into gains()'s first pass.
void nlms_update_gains_avx512(float* w, float* g, const float* xo, float a, std::size_t n, float alpha) noexcept {
  const __m512 va = _mm512_set1_ps(a);
  __m512 s = _mm512_setzero_ps();
  std::size_t k = 0;
  for (; k + 16 <= n; k += 16) {
    const __m512 w0 = _mm512_fmadd_ps(_mm512_mul_ps(va, _mm512_loadu_ps(g + k)), _mm512_loadu_ps(xo + k),
                                      _mm512_loadu_ps(w + k));
    _mm512_storeu_ps(w + k, w0);
    s = _mm512_add_ps(s, _mm512_abs_ps(w0));
  }
  const __mmask16 m = tail_mask(n - k);
  if (k < n) {
    const __m512 w0 = _mm512_fmadd_ps(_mm512_mul_ps(va, _mm512_maskz_loadu_ps(m, g + k)),
                                      _mm512_maskz_loadu_ps(m, xo + k), _mm512_maskz_loadu_ps(m, w + k));
    _mm512_mask_storeu_ps(w + k, m, w0);
    s = _mm512_add_ps(s, _mm512_abs_ps(w0));
  }
  const NlmsGainConstants c = nlms_gain_constants(hsum(s), n, alpha);
  const __m512 fl = _mm512_set1_ps(c.floor), sl = _mm512_set1_ps(c.slope);
  for (k = 0; k + 16 <= n; k += 16) _mm512_storeu_ps(g + k, _mm512_fmadd_ps(sl, _mm512_abs_ps(_mm512_loadu_ps(w + k)), fl));
  if (k < n) _mm512_mask_storeu_ps(g + k, m, _mm512_fmadd_ps(sl, _mm512_abs_ps(_mm512_maskz_loadu_ps(m, w + k)), fl));
}
}  // namespace linedsp::detail

#pragma GCC diagnostic pop
