// codecs/g711.cpp — the scalar reference, following ITU-T G.191's g711.c arithmetic step by step.
#include "codecs/g711.hpp"

#include <algorithm>

#include "codecs/kernels/g711_kernels.hpp"

namespace linedsp {

std::uint8_t encode_ulaw(std::int16_t x) noexcept {
  // 14-bit magnitude (one's complement for negatives) plus the bias of 33, clipped to 13 bits.
  int absno = (x < 0 ? (~x) >> 2 : x >> 2) + 33;
  if (absno > 0x1FFF) absno = 0x1FFF;
  int segno = 1;
  for (int i = absno >> 6; i != 0; i >>= 1) ++segno;
  const int high_nibble = 0x8 - segno;
  const int low_nibble = 0xF - ((absno >> segno) & 0xF);
  int code = (high_nibble << 4) | low_nibble;
  if (x >= 0) code |= 0x80;
  return static_cast<std::uint8_t>(code);
}

std::int16_t decode_ulaw(std::uint8_t code) noexcept {
  const int sign = code < 0x80 ? -1 : 1;
  const int mantissa_all = ~code;
  const int exponent = (mantissa_all >> 4) & 0x7;
  const int segment = exponent + 1;
  const int mantissa = mantissa_all & 0xF;
  const int step = 4 << segment;
  return static_cast<std::int16_t>(sign * ((0x80 << exponent) + step * mantissa + step / 2 - 4 * 33));
}

std::uint8_t encode_alaw(std::int16_t x) noexcept {
  int ix = x < 0 ? (~x) >> 4 : x >> 4;  // 12-bit magnitude, one's complement for negatives
  if (ix > 15) {
    int iexp = 1;
    while (ix > 16 + 15) {
      ix >>= 1;
      ++iexp;
    }
    ix -= 16;
    ix += iexp << 4;
  }
  if (x >= 0) ix |= 0x80;
  return static_cast<std::uint8_t>(ix ^ 0x55);  // even-bit inversion
}

std::int16_t decode_alaw(std::uint8_t code) noexcept {
  int ix = (code ^ 0x55) & 0x7F;
  const int iexp = ix >> 4;
  int mant = ix & 0xF;
  if (iexp > 0) mant += 16;
  mant = (mant << 4) + 0x8;
  if (iexp > 1) mant <<= (iexp - 1);
  return static_cast<std::int16_t>(code > 127 ? mant : -mant);
}

namespace {
constexpr G711Kernels kScalar{detail::g711_encode_ulaw_scalar, detail::g711_encode_alaw_scalar,
                              detail::g711_decode_ulaw_scalar, detail::g711_decode_alaw_scalar, Isa::scalar};
constexpr G711Kernels kSse2{detail::g711_encode_ulaw_sse2, detail::g711_encode_alaw_sse2,
                            detail::g711_decode_ulaw_sse2, detail::g711_decode_alaw_sse2, Isa::sse2};
constexpr G711Kernels kAvx2{detail::g711_encode_ulaw_avx2, detail::g711_encode_alaw_avx2,
                            detail::g711_decode_ulaw_avx2, detail::g711_decode_alaw_avx2, Isa::avx2};
constexpr G711Kernels kAvx512{detail::g711_encode_ulaw_avx512, detail::g711_encode_alaw_avx512,
                              detail::g711_decode_ulaw_avx512, detail::g711_decode_alaw_avx512, Isa::avx512};
}  // namespace

const G711Kernels& g711_kernels(Isa isa) noexcept {
  switch (isa) {
    case Isa::scalar: return kScalar;
    case Isa::sse2: return kSse2;
    case Isa::avx2: return kAvx2;
    case Isa::avx512: return kAvx512;
  }
  return kScalar;
}

std::size_t g711_encode(Law law, std::span<const std::int16_t> in, std::span<std::uint8_t> out) noexcept {
  const std::size_t n = std::min(in.size(), out.size());
  const G711Kernels& k = g711_kernels(active_isa());
  (law == Law::ulaw ? k.encode_ulaw : k.encode_alaw)(in.data(), out.data(), n);
  return n;
}

std::size_t g711_decode(Law law, std::span<const std::uint8_t> in, std::span<std::int16_t> out) noexcept {
  const std::size_t n = std::min(in.size(), out.size());
  const G711Kernels& k = g711_kernels(active_isa());
  (law == Law::ulaw ? k.decode_ulaw : k.decode_alaw)(in.data(), out.data(), n);
  return n;
}

}  // namespace linedsp
