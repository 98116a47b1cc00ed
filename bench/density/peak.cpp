// bench/density/peak.cpp — see peak.hpp.
#include "bench/density/peak.hpp"

#include <benchmark/benchmark.h>
#include <immintrin.h>

namespace linedsp::bench {
namespace {

// One volatile load each, so the compiler can neither fold x*1 nor x+0 nor hoist the loop away.
volatile float g_one = 1.0f, g_zero = 0.0f;

// Peak loops return lanes * ops per pass; `passes` passes. Independent multiply chains and add chains
// (6 + 6 where there are 16 vector registers, 8 + 8 with AVX-512's 32), or ten FMA chains: enough to
// cover a 4-cycle latency on 2-3 ports without spilling.
double peak_muladd_scalar(std::size_t passes) {
  float m[6], a[6];
  const float one = g_one, zero = g_zero;
  for (int k = 0; k < 6; ++k) m[k] = a[k] = float(k + 1);
  for (std::size_t i = 0; i < passes; ++i) {
#pragma GCC unroll 6
    for (int k = 0; k < 6; ++k) {
      m[k] = m[k] * one;
      a[k] = a[k] + zero;
      __asm__ volatile("" : "+x"(m[k]), "+x"(a[k]));
    }
  }
  float s = 0;
  for (int k = 0; k < 6; ++k) s += m[k] + a[k];
  benchmark::DoNotOptimize(s);
  return 12.0;
}

__attribute__((target("sse2"))) double peak_muladd_sse2(std::size_t passes) {
  __m128 m[6], a[6];
  const __m128 one = _mm_set1_ps(g_one), zero = _mm_set1_ps(g_zero);
  for (int k = 0; k < 6; ++k) m[k] = a[k] = _mm_set1_ps(float(k + 1));
  for (std::size_t i = 0; i < passes; ++i) {
#pragma GCC unroll 6
    for (int k = 0; k < 6; ++k) {
      m[k] = _mm_mul_ps(m[k], one);
      a[k] = _mm_add_ps(a[k], zero);
    }
  }
  __m128 s = _mm_setzero_ps();
  for (int k = 0; k < 6; ++k) s = _mm_add_ps(s, _mm_add_ps(m[k], a[k]));
  benchmark::DoNotOptimize(s);
  return 12.0 * 4;
}

__attribute__((target("avx2"))) double peak_muladd_avx2(std::size_t passes) {
  __m256 m[6], a[6];
  const __m256 one = _mm256_set1_ps(g_one), zero = _mm256_set1_ps(g_zero);
  for (int k = 0; k < 6; ++k) m[k] = a[k] = _mm256_set1_ps(float(k + 1));
  for (std::size_t i = 0; i < passes; ++i) {
#pragma GCC unroll 6
    for (int k = 0; k < 6; ++k) {
      m[k] = _mm256_mul_ps(m[k], one);
      a[k] = _mm256_add_ps(a[k], zero);
    }
  }
  __m256 s = _mm256_setzero_ps();
  for (int k = 0; k < 6; ++k) s = _mm256_add_ps(s, _mm256_add_ps(m[k], a[k]));
  benchmark::DoNotOptimize(s);
  return 12.0 * 8;
}

__attribute__((target("avx512f"))) double peak_muladd_avx512(std::size_t passes) {
  __m512 m[8], a[8];
  const __m512 one = _mm512_set1_ps(g_one), zero = _mm512_set1_ps(g_zero);
  for (int k = 0; k < 8; ++k) m[k] = a[k] = _mm512_set1_ps(float(k + 1));
  for (std::size_t i = 0; i < passes; ++i) {
#pragma GCC unroll 8
    for (int k = 0; k < 8; ++k) {
      m[k] = _mm512_mul_ps(m[k], one);
      a[k] = _mm512_add_ps(a[k], zero);
    }
  }
  __m512 s = _mm512_setzero_ps();
  for (int k = 0; k < 8; ++k) s = _mm512_add_ps(s, _mm512_add_ps(m[k], a[k]));
  benchmark::DoNotOptimize(s);
  return 16.0 * 16;
}

// FMA: 2 flops per lane per instruction, ten chains.
__attribute__((target("avx2,fma"))) double peak_fma_avx2(std::size_t passes) {
  __m256 v[10];
  const __m256 one = _mm256_set1_ps(g_one), zero = _mm256_set1_ps(g_zero);
  for (int k = 0; k < 10; ++k) v[k] = _mm256_set1_ps(float(k + 1));
  for (std::size_t i = 0; i < passes; ++i) {
#pragma GCC unroll 10
    for (int k = 0; k < 10; ++k) v[k] = _mm256_fmadd_ps(v[k], one, zero);
  }
  __m256 s = _mm256_setzero_ps();
  for (int k = 0; k < 10; ++k) s = _mm256_add_ps(s, v[k]);
  benchmark::DoNotOptimize(s);
  return 10.0 * 8 * 2;
}

__attribute__((target("avx512f"))) double peak_fma_avx512(std::size_t passes) {
  __m512 v[10];
  const __m512 one = _mm512_set1_ps(g_one), zero = _mm512_set1_ps(g_zero);
  for (int k = 0; k < 10; ++k) v[k] = _mm512_set1_ps(float(k + 1));
  for (std::size_t i = 0; i < passes; ++i) {
#pragma GCC unroll 10
    for (int k = 0; k < 10; ++k) v[k] = _mm512_fmadd_ps(v[k], one, zero);
  }
  __m512 s = _mm512_setzero_ps();
  for (int k = 0; k < 10; ++k) s = _mm512_add_ps(s, v[k]);
  benchmark::DoNotOptimize(s);
  return 10.0 * 16 * 2;
}

}  // namespace

PeakFn peak_muladd_fn(Isa isa) {
  switch (isa) {
    case Isa::sse2: return peak_muladd_sse2;
    case Isa::avx2: return peak_muladd_avx2;
    case Isa::avx512: return peak_muladd_avx512;
    default: return peak_muladd_scalar;
  }
}
PeakFn peak_fma_fn(Isa isa) {
  switch (isa) {
    case Isa::avx2: return peak_fma_avx2;
    case Isa::avx512: return peak_fma_avx512;
    default: return peak_muladd_fn(isa);  // no FMA below AVX2: a multiply and an add are the peak
  }
}

}  // namespace linedsp::bench
