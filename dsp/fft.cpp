#include "dsp/fft.hpp"

#include <kiss_fftr.h>

#include <new>
#include <stdexcept>
#include <utility>

namespace linedsp {

static_assert(sizeof(kiss_fft_cpx) == sizeof(std::complex<float>), "kiss_fft_cpx is two floats");
static_assert(sizeof(kiss_fft_scalar) == sizeof(float), "linedsp uses KissFFT's float build (kissfft-float)");

RealFft::RealFft(std::size_t n) : n_(n) {
  if (n < 2 || n % 2 != 0 || n > (std::size_t{1} << 26)) throw std::invalid_argument("n: must be even, 2 .. 2^26");
  fwd_ = kiss_fftr_alloc(static_cast<int>(n), 0, nullptr, nullptr);
  inv_ = kiss_fftr_alloc(static_cast<int>(n), 1, nullptr, nullptr);
  if (fwd_ == nullptr || inv_ == nullptr) {
    release();
    throw std::bad_alloc();
  }
}

RealFft::~RealFft() { release(); }

RealFft::RealFft(RealFft&& o) noexcept
    : n_(std::exchange(o.n_, 0)),
      fwd_(std::exchange(o.fwd_, nullptr)),
      inv_(std::exchange(o.inv_, nullptr)) {}

RealFft& RealFft::operator=(RealFft&& o) noexcept {
  if (this != &o) {
    release();
    n_ = std::exchange(o.n_, 0);
    fwd_ = std::exchange(o.fwd_, nullptr);
    inv_ = std::exchange(o.inv_, nullptr);
  }
  return *this;
}

void RealFft::release() noexcept {
  kiss_fftr_free(fwd_);
  kiss_fftr_free(inv_);
  fwd_ = inv_ = nullptr;
}

bool RealFft::forward(std::span<const float> in, std::span<std::complex<float>> out) noexcept {
  if (fwd_ == nullptr || in.size() != n_ || out.size() < bins()) return false;
  kiss_fftr(static_cast<kiss_fftr_cfg>(fwd_), in.data(), reinterpret_cast<kiss_fft_cpx*>(out.data()));
  return true;
}

bool RealFft::inverse(std::span<const std::complex<float>> in, std::span<float> out) noexcept {
  if (inv_ == nullptr || in.size() < bins() || out.size() < n_) return false;
  kiss_fftri(static_cast<kiss_fftr_cfg>(inv_), reinterpret_cast<const kiss_fft_cpx*>(in.data()), out.data());
  const float scale = 1.0f / static_cast<float>(n_);
  for (std::size_t t = 0; t < n_; ++t) out[t] *= scale;
  return true;
}

}  // namespace linedsp
