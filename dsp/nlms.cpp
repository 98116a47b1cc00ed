#include "dsp/nlms.hpp"

#include "dsp/kernels/nlms_kernels.hpp"

namespace linedsp {

namespace {
// The one-sample kernels every ISA has.
#define LINEDSP_NLMS_ONE_SAMPLE(isa)                                                                           \
  .adapt_filter = detail::nlms_adapt_filter_##isa, .filter = detail::nlms_filter_##isa,                        \
  .gains = detail::nlms_gains_##isa, .dot = detail::nlms_dot_##isa, .adapt_filter_pair = detail::nlms_pair_##isa
constexpr NlmsKernels kScalar{LINEDSP_NLMS_ONE_SAMPLE(scalar), .adapt_filter_pair2 = detail::nlms_pair2_scalar,
                              .update_gains = detail::nlms_update_gains_scalar, .isa = Isa::scalar};
constexpr NlmsKernels kSse2{LINEDSP_NLMS_ONE_SAMPLE(sse2), .isa = Isa::sse2};
constexpr NlmsKernels kAvx2{LINEDSP_NLMS_ONE_SAMPLE(avx2), .isa = Isa::avx2};
constexpr NlmsKernels kAvx512{LINEDSP_NLMS_ONE_SAMPLE(avx512), .adapt_filter_pair2 = detail::nlms_pair2_avx512,
                              .update_gains = detail::nlms_update_gains_avx512, .isa = Isa::avx512};
#undef LINEDSP_NLMS_ONE_SAMPLE
}  // namespace

const NlmsKernels& nlms_kernels(Isa isa) noexcept {
  switch (isa) {
    case Isa::scalar: return kScalar;
    case Isa::sse2: return kSse2;
    case Isa::avx2: return kAvx2;
    case Isa::avx512: return kAvx512;
  }
  return kScalar;
}

}  // namespace linedsp
