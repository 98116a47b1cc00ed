#include "dsp/goertzel.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "dsp/kernels/goertzel_kernels.hpp"

namespace linedsp {

namespace {
constexpr GoertzelKernels kScalar{detail::goertzel_bank_scalar, detail::goertzel_multi_scalar, Isa::scalar,
                                  detail::goertzel_powers_scalar};
constexpr GoertzelKernels kSse2{detail::goertzel_bank_sse2, detail::goertzel_multi_sse2, Isa::sse2,
                                  detail::goertzel_powers_sse2};
constexpr GoertzelKernels kAvx2{detail::goertzel_bank_avx2, detail::goertzel_multi_avx2, Isa::avx2,
                                  detail::goertzel_powers_avx2};
constexpr GoertzelKernels kAvx512{detail::goertzel_bank_avx512, detail::goertzel_multi_avx512, Isa::avx512,
                                  detail::goertzel_powers_avx512};

std::vector<float> coefficients(std::span<const double> freqs_hz, double rate_hz) {
  if (!(rate_hz > 0.0)) throw std::invalid_argument("rate_hz: must be positive");
  std::vector<float> c;
  c.reserve(freqs_hz.size());
  for (std::size_t i = 0; i < freqs_hz.size(); ++i) {
    if (!(freqs_hz[i] > 0.0 && freqs_hz[i] < rate_hz / 2.0))
      throw std::invalid_argument("freqs_hz[" + std::to_string(i) + "]: " + std::to_string(freqs_hz[i]) +
                                  " Hz is not between 0 and half the sample rate");
    c.push_back(goertzel_coeff(freqs_hz[i], rate_hz));
  }
  return c;
}
}  // namespace

const GoertzelKernels& goertzel_kernels(Isa isa) noexcept {
  switch (isa) {
    case Isa::scalar: return kScalar;
    case Isa::sse2: return kSse2;
    case Isa::avx2: return kAvx2;
    case Isa::avx512: return kAvx512;
  }
  return kScalar;
}

float goertzel_coeff(double freq_hz, double rate_hz) noexcept {
  return static_cast<float>(2.0 * std::cos(2.0 * std::numbers::pi * freq_hz / rate_hz));
}

Goertzel::Goertzel(double freq_hz, double rate_hz) noexcept
    : coeff_(goertzel_coeff(freq_hz, rate_hz)),
      cos_w_(static_cast<float>(std::cos(2.0 * std::numbers::pi * freq_hz / rate_hz))),
      sin_w_(static_cast<float>(std::sin(2.0 * std::numbers::pi * freq_hz / rate_hz))) {}

void Goertzel::process(std::span<const float> x) noexcept {
  detail::goertzel_bank_scalar(x.data(), x.size(), &coeff_, &s1_, &s2_, 1);
}

std::complex<float> Goertzel::value() const noexcept { return goertzel_complex(s1_, s2_, cos_w_, sin_w_); }

GoertzelBank::GoertzelBank(std::span<const double> freqs_hz, double rate_hz, Isa isa)
    : m_(freqs_hz.size()), coeff_(coefficients(freqs_hz, rate_hz)), s1_(m_), s2_(m_), k_(&goertzel_kernels(isa)) {}

void GoertzelBank::process(std::span<const float> x) noexcept {
  k_->bank(x.data(), x.size(), coeff_.data(), s1_.data(), s2_.data(), m_);
}

void GoertzelBank::powers(std::span<float> out) const noexcept {
  if (out.size() >= m_) {
    k_->powers(s1_.data(), s2_.data(), coeff_.data(), m_, 1, out.data());
    return;
  }
  for (std::size_t f = 0; f < out.size(); ++f) out[f] = goertzel_power(s1_[f], s2_[f], coeff_[f]);
}

void GoertzelBank::reset() noexcept {
  std::fill(s1_.begin(), s1_.end(), 0.0f);
  std::fill(s2_.begin(), s2_.end(), 0.0f);
}

MultiChannelGoertzelBank::MultiChannelGoertzelBank(std::span<const double> freqs_hz, double rate_hz,
                                                   std::size_t channels, Isa isa)
    : m_(freqs_hz.size()),
      n_(channels),
      coeff_(coefficients(freqs_hz, rate_hz)),
      s1_(m_ * n_),
      s2_(m_ * n_),
      k_(&goertzel_kernels(isa)) {
  if (channels == 0) throw std::invalid_argument("channels: must be at least 1");
}

void MultiChannelGoertzelBank::process(std::span<const float> x) noexcept {
  k_->multi(x.data(), x.size() / n_, n_, coeff_.data(), m_, s1_.data(), s2_.data());
}

float MultiChannelGoertzelBank::power(std::size_t f, std::size_t ch) const noexcept {
  return goertzel_power(s1_[f * n_ + ch], s2_[f * n_ + ch], coeff_[f]);
}

void MultiChannelGoertzelBank::powers(std::span<float> out) const noexcept {
  if (out.size() >= m_ * n_) k_->powers(s1_.data(), s2_.data(), coeff_.data(), m_, n_, out.data());
}

void MultiChannelGoertzelBank::reset() noexcept {
  std::fill(s1_.begin(), s1_.end(), 0.0f);
  std::fill(s2_.begin(), s2_.end(), 0.0f);
}

}  // namespace linedsp
