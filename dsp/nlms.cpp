#include "dsp/nlms.hpp"

#include "dsp/kernels/nlms_kernels.hpp"

namespace linedsp {

namespace {
constexpr NlmsKernels kScalar{detail::nlms_adapt_filter_scalar, detail::nlms_filter_scalar, detail::nlms_gains_scalar, detail::nlms_dot_scalar, detail::nlms_pair_scalar, detail::nlms_update_gains_scalar, detail::nlms_pair2_scalar,
                              Isa::scalar};
constexpr NlmsKernels kSse2{detail::nlms_adapt_filter_sse2, detail::nlms_filter_sse2, detail::nlms_gains_sse2, detail::nlms_dot_sse2, detail::nlms_pair_sse2, nullptr, nullptr,
                            Isa::sse2};
constexpr NlmsKernels kAvx2{detail::nlms_adapt_filter_avx2, detail::nlms_filter_avx2, detail::nlms_gains_avx2, detail::nlms_dot_avx2, detail::nlms_pair_avx2, nullptr, nullptr,
                            Isa::avx2};
constexpr NlmsKernels kAvx512{detail::nlms_adapt_filter_avx512, detail::nlms_filter_avx512, detail::nlms_gains_avx512, detail::nlms_dot_avx512, detail::nlms_pair_avx512, detail::nlms_update_gains_avx512, detail::nlms_pair2_avx512,
                              Isa::avx512};
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
