#include "devices/raw_format.hpp"

#include <algorithm>

#include "codecs/g711.hpp"

namespace linedsp {

std::optional<SampleEncoding> parse_raw_encoding(std::string_view name) noexcept {
  if (name == "sln") return SampleEncoding::pcm16;
  return parse_sample_encoding(name);
}

std::size_t decode_raw(SampleEncoding e, std::span<const std::uint8_t> bytes, std::span<std::int16_t> out) noexcept {
  if (e == SampleEncoding::pcm16) {
    const std::size_t n = std::min(bytes.size() / 2, out.size());
    for (std::size_t i = 0; i < n; ++i)
      out[i] = static_cast<std::int16_t>(static_cast<std::uint16_t>(bytes[2 * i] | (bytes[2 * i + 1] << 8)));
    return n;
  }
  return g711_decode(e == SampleEncoding::ulaw ? Law::ulaw : Law::alaw, bytes, out);
}

std::size_t encode_raw(SampleEncoding e, std::span<const std::int16_t> in, std::span<std::uint8_t> out) noexcept {
  if (e == SampleEncoding::pcm16) {
    const std::size_t n = std::min(in.size(), out.size() / 2);
    for (std::size_t i = 0; i < n; ++i) {
      const auto u = static_cast<std::uint16_t>(in[i]);
      out[2 * i] = static_cast<std::uint8_t>(u & 0xff);
      out[2 * i + 1] = static_cast<std::uint8_t>(u >> 8);
    }
    return n;
  }
  return g711_encode(e == SampleEncoding::ulaw ? Law::ulaw : Law::alaw, in, out);
}

}  // namespace linedsp
