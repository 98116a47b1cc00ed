// AVX2 FSK correlator front end: 8 output samples per step, each lane doing the scalar operations in the scalar
// order (separate mul and add, so no FMA contraction changes the rounding); the tail runs the scalar kernel.
// Contraction of mul+add into FMA would change rounding versus the scalar specification.
#pragma GCC optimize("fp-contract=off")
#include <immintrin.h>

#include "signals/kernels/fsk_kernels.hpp"

namespace linedsp::detail {

void fsk_front_avx2(const float* x, std::size_t n, std::size_t window, const float* mc, const float* ms,
                    const float* sc, const float* ss, float* d, float* e) noexcept {
  std::size_t i = 0;
  const __m256 one = _mm256_set1_ps(1.0f);
  for (; i + 8 <= n; i += 8) {
    __m256 zmc = _mm256_setzero_ps(), zms = zmc, zsc = zmc, zss = zmc;
    for (std::size_t k = 0; k < window; ++k) {
      const __m256 v = _mm256_loadu_ps(x + i + k);
      zmc = _mm256_add_ps(zmc, _mm256_mul_ps(v, _mm256_loadu_ps(mc + i + k)));
      zms = _mm256_add_ps(zms, _mm256_mul_ps(v, _mm256_loadu_ps(ms + i + k)));
      zsc = _mm256_add_ps(zsc, _mm256_mul_ps(v, _mm256_loadu_ps(sc + i + k)));
      zss = _mm256_add_ps(zss, _mm256_mul_ps(v, _mm256_loadu_ps(ss + i + k)));
    }
    const __m256 em = _mm256_add_ps(_mm256_mul_ps(zmc, zmc), _mm256_mul_ps(zms, zms));
    const __m256 es = _mm256_add_ps(_mm256_mul_ps(zsc, zsc), _mm256_mul_ps(zss, zss));
    const __m256 en = _mm256_add_ps(em, es);
    _mm256_storeu_ps(e + i, en);
    _mm256_storeu_ps(d + i, _mm256_div_ps(_mm256_sub_ps(em, es), _mm256_add_ps(en, one)));
  }
  fsk_front_scalar(x + i, n - i, window, mc + i, ms + i, sc + i, ss + i, d + i, e + i);
}

}  // namespace linedsp::detail
