// codecs/kernels/g711_kernels.hpp — batch G.711 kernels, one set per instruction set.
#pragma once

#include <cstddef>
#include <cstdint>

namespace linedsp::detail {

#define LINEDSP_G711_KERNELS(isa)                                                                     \
  void g711_encode_ulaw_##isa(const std::int16_t* in, std::uint8_t* out, std::size_t n) noexcept;    \
  void g711_encode_alaw_##isa(const std::int16_t* in, std::uint8_t* out, std::size_t n) noexcept;    \
  void g711_decode_ulaw_##isa(const std::uint8_t* in, std::int16_t* out, std::size_t n) noexcept;    \
  void g711_decode_alaw_##isa(const std::uint8_t* in, std::int16_t* out, std::size_t n) noexcept;

LINEDSP_G711_KERNELS(scalar)
LINEDSP_G711_KERNELS(sse2)
LINEDSP_G711_KERNELS(avx2)
LINEDSP_G711_KERNELS(avx512)
#undef LINEDSP_G711_KERNELS


}  // namespace linedsp::detail
