// Scalar FSK correlator front end: the specification (see fsk_kernels.hpp).
#include "signals/kernels/fsk_kernels.hpp"

namespace linedsp::detail {

void fsk_front_scalar(const float* x, std::size_t n, std::size_t window, const float* mc, const float* ms,
                      const float* sc, const float* ss, float* d, float* e) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    float zmc = 0.0f, zms = 0.0f, zsc = 0.0f, zss = 0.0f;
    for (std::size_t k = 0; k < window; ++k) {
      const float v = x[i + k];
      zmc = zmc + v * mc[i + k];
      zms = zms + v * ms[i + k];
      zsc = zsc + v * sc[i + k];
      zss = zss + v * ss[i + k];
    }
    const float em = zmc * zmc + zms * zms;
    const float es = zsc * zsc + zss * zss;
    e[i] = em + es;
    d[i] = (em - es) / (e[i] + 1.0f);
  }
}

}  // namespace linedsp::detail
