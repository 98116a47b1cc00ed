#include "signals/callerid_bank.hpp"

#include <stdexcept>

namespace linedsp {

CallerIdReceiverBank::CallerIdReceiverBank(const CallerIdReceiverConfig& cfg, std::size_t channels, Isa isa) {
  if (channels == 0 || channels > 4096) throw std::invalid_argument("channels: 1..4096");
  rx_.reserve(channels);
  for (std::size_t i = 0; i < channels; ++i) rx_.emplace_back(cfg, isa);
  scratch_.assign(channels * kBlockFrames, 0);
}

void CallerIdReceiverBank::reset() noexcept {
  for (auto& r : rx_) r.reset();
}

std::size_t CallerIdReceiverBank::memory_bytes() const noexcept {
  std::size_t b = sizeof(*this) + scratch_.capacity() * sizeof(std::int16_t);
  for (const auto& r : rx_) b += r.memory_bytes();
  return b;
}

}  // namespace linedsp
