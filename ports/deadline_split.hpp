// ports/deadline_split.hpp — how FxsPort and FxoPort make their timers sample-exact at any block size: a block
// is run as pieces that end at the port's next deadline, with the timers due fired between pieces.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>

namespace linedsp::detail {

// `fire()` fires the timers due now (before every piece and once after the last); `until()` is the samples to
// the next deadline (> 0 after fire()); `piece(rx, tx, voip_in, voip_out)` runs one piece. voip_in may be
// shorter than the block: a piece past its end gets an empty span.
template <class Fire, class Until, class Piece>
void run_to_deadlines(std::span<const std::int16_t> rx, std::span<std::int16_t> tx,
                      std::span<const std::int16_t> voip_in, std::span<std::int16_t> voip_out, Fire fire, Until until,
                      Piece piece) noexcept {
  const std::size_t n = std::min({rx.size(), tx.size(), voip_out.size()});
  std::size_t pos = 0;
  for (;;) {
    fire();
    if (pos >= n) break;
    std::size_t len = n - pos;
    const std::uint64_t left = until();
    if (left < len) len = static_cast<std::size_t>(left);
    const std::span<const std::int16_t> vin =
        pos < voip_in.size() ? voip_in.subspan(pos, std::min(len, voip_in.size() - pos)) : std::span<const std::int16_t>{};
    piece(rx.subspan(pos, len), tx.subspan(pos, len), vin, voip_out.subspan(pos, len));
    pos += len;
  }
}

}  // namespace linedsp::detail
