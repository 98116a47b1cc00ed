// AVX-512 FSK correlator front end: 16 output samples per step, each lane doing the scalar operations in the scalar
// order (separate mul and add, so no FMA contraction changes the rounding); the tail runs the scalar kernel.
// Contraction of mul+add into FMA would change rounding versus the scalar specification.
#pragma GCC optimize("fp-contract=off")
#include <immintrin.h>

#include "signals/kernels/fsk_kernels.hpp"

namespace linedsp::detail {

void fsk_front_avx512(const float* x, std::size_t n, std::size_t window, const float* mc, const float* ms,
                    const float* sc, const float* ss, float* d, float* e) noexcept {
  std::size_t i = 0;
  const __m512 one = _mm512_set1_ps(1.0f);
  for (; i + 16 <= n; i += 16) {
    __m512 zmc = _mm512_setzero_ps(), zms = zmc, zsc = zmc, zss = zmc;
    for (std::size_t k = 0; k < window; ++k) {
      const __m512 v = _mm512_loadu_ps(x + i + k);
      zmc = _mm512_add_ps(zmc, _mm512_mul_ps(v, _mm512_loadu_ps(mc + i + k)));
      zms = _mm512_add_ps(zms, _mm512_mul_ps(v, _mm512_loadu_ps(ms + i + k)));
      zsc = _mm512_add_ps(zsc, _mm512_mul_ps(v, _mm512_loadu_ps(sc + i + k)));
      zss = _mm512_add_ps(zss, _mm512_mul_ps(v, _mm512_loadu_ps(ss + i + k)));
    }
    const __m512 em = _mm512_add_ps(_mm512_mul_ps(zmc, zmc), _mm512_mul_ps(zms, zms));
    const __m512 es = _mm512_add_ps(_mm512_mul_ps(zsc, zsc), _mm512_mul_ps(zss, zss));
    const __m512 en = _mm512_add_ps(em, es);
    _mm512_storeu_ps(e + i, en);
    _mm512_storeu_ps(d + i, _mm512_div_ps(_mm512_sub_ps(em, es), _mm512_add_ps(en, one)));
  }
  fsk_front_scalar(x + i, n - i, window, mc + i, ms + i, sc + i, ss + i, d + i, e + i);
}

}  // namespace linedsp::detail
