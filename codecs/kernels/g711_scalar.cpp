// codecs/kernels/g711_scalar.cpp — the batch reference: the one-sample reference functions in a loop.
#include "codecs/g711.hpp"
#include "codecs/kernels/g711_kernels.hpp"

namespace linedsp::detail {

void g711_encode_ulaw_scalar(const std::int16_t* in, std::uint8_t* out, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) out[i] = encode_ulaw(in[i]);
}
void g711_encode_alaw_scalar(const std::int16_t* in, std::uint8_t* out, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) out[i] = encode_alaw(in[i]);
}
void g711_decode_ulaw_scalar(const std::uint8_t* in, std::int16_t* out, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) out[i] = decode_ulaw(in[i]);
}
void g711_decode_alaw_scalar(const std::uint8_t* in, std::int16_t* out, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) out[i] = decode_alaw(in[i]);
}

}  // namespace linedsp::detail
