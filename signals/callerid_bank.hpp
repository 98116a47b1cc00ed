// signals/callerid_bank.hpp — caller-ID reception for N channels in one call (the density path of DESIGN.md):
// input interleaved by frame (x[frame * channels + ch]), events tagged with their channel.
//
// Design note: the FSK correlator is vectorised along time within a channel (signals/kernels/fsk_*.cpp: 8 or 16
// output samples per instruction), so lanes across channels would add nothing; the bank de-interleaves each
// block into per-channel scratch (sized at construction) and runs one CallerIdReceiver per channel. Events are
// identical to N independent receivers (tests/signals/callerid_bank_test.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "signals/callerid.hpp"

namespace linedsp {

struct CallerIdBankEvent {
  std::size_t channel = 0;
  CallerIdEvent event;
};

class CallerIdReceiverBank {
 public:
  static constexpr std::size_t kBlockFrames = 160;  // de-interleave granularity (20 ms)

  CallerIdReceiverBank(const CallerIdReceiverConfig& cfg, std::size_t channels, Isa isa = active_isa());

  // `interleaved` holds whole frames: size() must be a multiple of channels() (a partial last frame is ignored).
  template <EventSink<CallerIdBankEvent> Sink>
  void process(std::span<const std::int16_t> interleaved, Sink& sink) noexcept {
    const std::size_t n_ch = rx_.size();
    const std::size_t frames = interleaved.size() / n_ch;
    for (std::size_t f0 = 0; f0 < frames; f0 += kBlockFrames) {
      const std::size_t nf = frames - f0 < kBlockFrames ? frames - f0 : kBlockFrames;
      for (std::size_t ch = 0; ch < n_ch; ++ch) {
        std::int16_t* dst = scratch_.data() + ch * kBlockFrames;
        const std::int16_t* src = interleaved.data() + f0 * n_ch + ch;
        for (std::size_t i = 0; i < nf; ++i) dst[i] = src[i * n_ch];
      }
      for (std::size_t ch = 0; ch < n_ch; ++ch) {
        auto tag = [&sink, ch](const CallerIdEvent& e) { sink(CallerIdBankEvent{ch, e}); };
        rx_[ch].process(std::span<const std::int16_t>(scratch_.data() + ch * kBlockFrames, nf), tag);
      }
    }
  }
  std::size_t channels() const noexcept { return rx_.size(); }
  void reset() noexcept;
  void reset(std::size_t channel) noexcept { rx_[channel].reset(); }
  std::size_t memory_bytes() const noexcept;

 private:
  std::vector<CallerIdReceiver> rx_;
  std::vector<std::int16_t> scratch_;
};

}  // namespace linedsp
