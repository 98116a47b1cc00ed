// sse2 call-progress block kernels: progress_kernels_impl.hpp over 4 float lanes; per lane the same operations as
// the scalar specification (progress_scalar.cpp).
#include <emmintrin.h>

// Bit-identical to the scalar specification: GCC must not fuse the multiply and add into an FMA.
#pragma GCC optimize("fp-contract=off")
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic")
#include "signals/kernels/progress_kernels_impl.hpp"

namespace linedsp::detail {

namespace {
struct Vsse2 {
  using T = __m128;
  static constexpr std::size_t W = 4;
  static T zero() noexcept { return _mm_setzero_ps(); }
  static T set1(float v) noexcept { return _mm_set1_ps(v); }
  static T load(const float* p) noexcept { return _mm_loadu_ps(p); }
  static void store(float* p, T v) noexcept { _mm_storeu_ps(p, v); }
  static T add(T a, T b) noexcept { return _mm_add_ps(a, b); }
  static T sub(T a, T b) noexcept { return _mm_sub_ps(a, b); }
  static T mul(T a, T b) noexcept { return _mm_mul_ps(a, b); }
  static T madd(T a, T b, T c) noexcept { return _mm_add_ps(_mm_mul_ps(a, b), c); }  // unfused flavour
  static T sqrt(T a) noexcept { return _mm_sqrt_ps(a); }
};
}  // namespace

void progress_block_single_sse2(const std::int16_t* x, const ProgressConsts& k, float* scratch,
                                const ProgressOut& out) noexcept {
  progress_single_impl<Vsse2>(x, k, scratch, out);
}

void progress_block_multi_sse2(const std::int16_t* x, std::size_t channels, const ProgressConsts& k, float* scratch,
                               const ProgressOut& out) noexcept {
  progress_multi_impl<Vsse2>(x, channels, k, scratch, out);
}

}  // namespace linedsp::detail
