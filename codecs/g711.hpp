// codecs/g711.hpp — ITU-T G.711 mu-law and A-law, bit-exact to the ITU-T G.191 reference software.
//
// Linear samples are 16-bit two's complement; G.711 uses the top 14 (mu-law) or 13 (A-law) bits, and
// like G.191 a negative input is quantised from its one's complement (so -1 codes as the smallest
// negative level, not as zero). The Sun-lineage encoders copied by libsndfile, sox and spandsp round
// negative inputs differently and differ from G.191 at 127 mu-law decision boundaries (tests/codecs
// record exactly where). Decoding returns the 14/13-bit reconstruction value left-justified in 16 bits.
//
// The one-sample functions are the scalar reference. The batch functions pick a kernel for the CPU
// (dsp/simd.hpp: scalar, SSE2, AVX2, AVX-512; LINEDSP_SIMD forces one) and equal the reference on
// every input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dsp/simd.hpp"

namespace linedsp {

enum class Law : std::uint8_t { ulaw, alaw };

std::uint8_t encode_ulaw(std::int16_t x) noexcept;
std::int16_t decode_ulaw(std::uint8_t code) noexcept;
std::uint8_t encode_alaw(std::int16_t x) noexcept;
std::int16_t decode_alaw(std::uint8_t code) noexcept;

// Batch: processes min(in.size(), out.size()) samples and returns that count. Any length, any alignment.
std::size_t g711_encode(Law law, std::span<const std::int16_t> in, std::span<std::uint8_t> out) noexcept;
std::size_t g711_decode(Law law, std::span<const std::uint8_t> in, std::span<std::int16_t> out) noexcept;

// The kernel table behind the batch functions, per instruction set (for tests and benchmarks).
struct G711Kernels {
  void (*encode_ulaw)(const std::int16_t* in, std::uint8_t* out, std::size_t n) noexcept;
  void (*encode_alaw)(const std::int16_t* in, std::uint8_t* out, std::size_t n) noexcept;
  void (*decode_ulaw)(const std::uint8_t* in, std::int16_t* out, std::size_t n) noexcept;
  void (*decode_alaw)(const std::uint8_t* in, std::int16_t* out, std::size_t n) noexcept;
  Isa isa;
};
const G711Kernels& g711_kernels(Isa isa) noexcept;

}  // namespace linedsp
