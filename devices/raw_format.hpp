// devices/raw_format.hpp — headerless sample streams (a pipe, a .raw/.sln/.ul/.al file): what the bytes
// are, and decoding them. s16le is signed 16-bit little-endian; ulaw/alaw are ITU-T G.711 codes, decoded
// by codecs/g711 (G.191 bit-exact).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "devices/audio_file.hpp"

namespace linedsp {

struct RawFormat {
  SampleEncoding encoding = SampleEncoding::pcm16;  // pcm16 = s16le
  int sample_rate_hz = 8000;
  int channels = 1;
};

// "s16le" (also "pcm16", "s16", "sln"), "ulaw" ("mulaw", "mu-law"), "alaw" ("a-law").
std::optional<SampleEncoding> parse_raw_encoding(std::string_view name) noexcept;

constexpr std::size_t raw_bytes_per_sample(SampleEncoding e) noexcept { return e == SampleEncoding::pcm16 ? 2 : 1; }

// Decodes whole samples of `bytes` into `out` as int16 (min of what fits). Returns samples written.
std::size_t decode_raw(SampleEncoding e, std::span<const std::uint8_t> bytes, std::span<std::int16_t> out) noexcept;
// Encodes samples into `out` (bytes). Returns samples encoded (min of what fits).
std::size_t encode_raw(SampleEncoding e, std::span<const std::int16_t> in, std::span<std::uint8_t> out) noexcept;

}  // namespace linedsp
