// AVX2 Goertzel kernels: 8 lanes (filters or channels), per lane the scalar specification's operations.
#include <immintrin.h>

// Bit-identical to the scalar specification: never fuse the multiply and add.
#pragma GCC optimize("fp-contract=off")

#include "dsp/kernels/goertzel_simd.inl"

namespace {
struct VAvx2 {
  using Reg = __m256;
  static constexpr std::size_t kWidth = 8, kBankGroup = 4, kMultiGroup = 4;
  static Reg load(const float* p) noexcept { return _mm256_loadu_ps(p); }
  static void store(float* p, Reg v) noexcept { _mm256_storeu_ps(p, v); }
  static Reg set1(float v) noexcept { return _mm256_set1_ps(v); }
  static Reg add(Reg a, Reg b) noexcept { return _mm256_add_ps(a, b); }
  static Reg sub(Reg a, Reg b) noexcept { return _mm256_sub_ps(a, b); }
  static Reg mul(Reg a, Reg b) noexcept { return _mm256_mul_ps(a, b); }
};
}  // namespace

namespace linedsp::detail {

void goertzel_bank_avx2(const float* x, std::size_t n, const float* coeff, float* s1, float* s2,
                        std::size_t m) noexcept {
  GoertzelSimd<VAvx2>::bank(x, n, coeff, s1, s2, m);
}

void goertzel_multi_avx2(const float* x, std::size_t n, std::size_t channels, const float* coeff, std::size_t m,
                         float* s1, float* s2) noexcept {
  GoertzelSimd<VAvx2>::multi(x, n, channels, coeff, m, s1, s2);
}

void goertzel_powers_avx2(const float* s1, const float* s2, const float* coeff, std::size_t m, std::size_t channels,
                          float* out) noexcept {
  GoertzelSimd<VAvx2>::powers(s1, s2, coeff, m, channels, out);
}

}  // namespace linedsp::detail
