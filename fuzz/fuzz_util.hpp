// fuzz/fuzz_util.hpp — helpers shared by the libFuzzer targets: the first bytes of an input choose the block
// sizes a detector is fed with (so block-size independence and partial blocks are fuzzed too), the rest are
// the samples (int16 little-endian).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace linedsp::fuzz {

struct Input {
  std::vector<std::int16_t> samples;
  std::uint8_t sizes[4] = {1, 1, 1, 1};  // block sizes cycle through these (1..256 samples each)
  std::uint8_t selector = 0;             // a free byte for the target (an option, a channel count ...)
};

inline Input split(const std::uint8_t* data, std::size_t size) {
  Input in;
  std::size_t used = 0;
  for (int i = 0; i < 4 && used < size; ++i) in.sizes[i] = data[used++];
  if (used < size) in.selector = data[used++];
  in.samples.resize((size - used) / 2);
  if (!in.samples.empty()) std::memcpy(in.samples.data(), data + used, in.samples.size() * 2);
  return in;
}

// Calls f(span) over consecutive blocks of `v` whose sizes cycle through in.sizes (+1: never empty).
template <class F>
void for_blocks(const Input& in, std::span<const std::int16_t> v, F&& f) {
  std::size_t pos = 0, k = 0;
  while (pos < v.size()) {
    const std::size_t n = std::min<std::size_t>(std::size_t(in.sizes[k++ & 3]) + 1, v.size() - pos);
    f(v.subspan(pos, n));
    pos += n;
  }
}

// Detectors treat inputs of a few thousand samples in microseconds; long inputs are repeated by libFuzzer's
// -max_len anyway. Longer runs of one value (silence, DC, full scale) are what reach the cadence logic, so an
// input may ask for its samples to be stretched: each sample repeated (selector & 0x3f) + 1 times.
inline std::vector<std::int16_t> stretched(const Input& in, std::size_t cap = 1 << 20) {
  const std::size_t rep = std::size_t(in.selector & 0x3f) * 8 + 1;
  std::vector<std::int16_t> out;
  out.reserve(std::min(cap, in.samples.size() * rep));
  for (std::int16_t s : in.samples)
    for (std::size_t r = 0; r < rep && out.size() < cap; ++r) out.push_back(s);
  return out;
}

}  // namespace linedsp::fuzz
