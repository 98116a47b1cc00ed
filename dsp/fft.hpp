// dsp/fft.hpp — a real FFT of fixed even length n over KissFFT (kiss_fftr, float), behind linedsp's own small
// interface (STYLE.md §7): the plan is made at construction (the only allocation), transforms run into
// caller-provided buffers, noexcept, allocation-free.
//
//   forward:  X[k] = sum_{t<n} x[t] exp(-j 2 pi k t / n),   k = 0 .. n/2        (n/2 + 1 bins, unscaled)
//   inverse:  x[t] = (1/n) sum_{k<n} X[k] exp(+j 2 pi k t / n)  (Hermitian X; scaled so inverse(forward(x)) = x)
#pragma once

#include <complex>
#include <cstddef>
#include <span>

namespace linedsp {

class RealFft {
 public:
  // n even and >= 2; throws std::invalid_argument("n: ...") otherwise, std::bad_alloc if the plan fails.
  explicit RealFft(std::size_t n);
  ~RealFft();
  RealFft(RealFft&& other) noexcept;
  RealFft& operator=(RealFft&& other) noexcept;
  RealFft(const RealFft&) = delete;
  RealFft& operator=(const RealFft&) = delete;

  std::size_t size() const noexcept { return n_; }
  std::size_t bins() const noexcept { return n_ / 2 + 1; }

  // in.size() == size(), out.size() >= bins(). Returns false (and does nothing) on a size mismatch.
  bool forward(std::span<const float> in, std::span<std::complex<float>> out) noexcept;
  // in.size() >= bins() (imaginary parts of bins 0 and n/2 are ignored), out.size() >= size().
  bool inverse(std::span<const std::complex<float>> in, std::span<float> out) noexcept;

 private:
  void release() noexcept;
  std::size_t n_ = 0;
  void* fwd_ = nullptr;  // kiss_fftr_cfg (kept opaque so this header needs no KissFFT include)
  void* inv_ = nullptr;
};

}  // namespace linedsp
