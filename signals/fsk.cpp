#include "signals/fsk.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <stdexcept>
#include <string>

#include "dsp/level.hpp"
#include "signals/kernels/fsk_kernels.hpp"

namespace linedsp {

namespace {
constexpr FskKernels kScalar{detail::fsk_front_scalar, Isa::scalar};
constexpr FskKernels kAvx2{detail::fsk_front_avx2, Isa::avx2};
constexpr FskKernels kAvx512{detail::fsk_front_avx512, Isa::avx512};

constexpr double kTwoPi = 2.0 * std::numbers::pi;
// In-band energy more than 7 dB below the character's (or the smoothed carrier's) means the signal stopped; a
// mark/space transition dips it by about 3 dB only.
constexpr float kDropRatio = 0.2f;
}  // namespace

const FskKernels& fsk_kernels(Isa isa) noexcept {
  switch (isa) {
    case Isa::scalar: return kScalar;
    case Isa::sse2: return kScalar;  // no SSE2 variant: AVX2 is the first that pays off here
    case Isa::avx2: return kAvx2;
    case Isa::avx512: return kAvx512;
  }
  return kScalar;
}

const char* fsk_modem_name(FskModem modem) noexcept { return modem == FskModem::v23 ? "v23" : "bell202"; }

void validate(const FskConfig& cfg) {
  if (cfg.sample_rate_hz != 8000 && cfg.sample_rate_hz != 16000)
    throw std::invalid_argument("sample_rate_hz: must be 8000 or 16000");
  const int nyq = cfg.sample_rate_hz / 2;
  if (cfg.mark_hz <= 0 || cfg.mark_hz >= nyq) throw std::invalid_argument("mark_hz: must be in (0, rate/2)");
  if (cfg.space_hz <= 0 || cfg.space_hz >= nyq) throw std::invalid_argument("space_hz: must be in (0, rate/2)");
  if (cfg.mark_hz == cfg.space_hz) throw std::invalid_argument("space_hz: must differ from mark_hz");
  if (!(cfg.baud >= 50.0 && cfg.baud <= cfg.sample_rate_hz / 4.0))
    throw std::invalid_argument("baud: must be in [50, rate/4]");
  if (!(cfg.level_dbm0 <= 3.0 && cfg.level_dbm0 >= -90.0)) throw std::invalid_argument("level_dbm0: must be <= 3");
  if (!(cfg.min_level_dbm0 <= 0.0 && cfg.min_level_dbm0 >= -90.0))
    throw std::invalid_argument("min_level_dbm0: must be in [-90, 0]");
}

// ---------------------------------------------------------------------------------------------------------
FskModulator::FskModulator(const FskConfig& cfg, std::size_t capacity_bits)
    : cfg_(cfg),
      bits_((validate(cfg), capacity_bits)),
      amplitude_(dbm0_to_peak(cfg.level_dbm0)),
      samples_per_bit_(cfg.sample_rate_hz / cfg.baud) {
  if (capacity_bits == 0) throw std::invalid_argument("capacity_bits: must be positive");
}

bool FskModulator::push(bool bit) noexcept {
  if (count_ == bits_.size()) return false;
  bits_[(head_ + count_) % bits_.size()] = bit ? 1 : 0;
  ++count_;
  return true;
}

bool FskModulator::queue_bit(bool mark) noexcept { return push(mark); }

bool FskModulator::queue_seizure(std::size_t bits) noexcept {
  if (bits_.size() - count_ < bits) return false;
  for (std::size_t i = 0; i < bits; ++i) push((i & 1u) != 0);
  return true;
}

bool FskModulator::queue_marks(std::size_t bits) noexcept {
  if (bits_.size() - count_ < bits) return false;
  for (std::size_t i = 0; i < bits; ++i) push(true);
  return true;
}

bool FskModulator::queue_byte(std::uint8_t byte, int stop_bits) noexcept {
  const std::size_t need = 9 + static_cast<std::size_t>(std::max(stop_bits, 1));
  if (bits_.size() - count_ < need) return false;
  push(false);
  for (int i = 0; i < 8; ++i) push(((byte >> i) & 1u) != 0);
  for (int i = 0; i < std::max(stop_bits, 1); ++i) push(true);
  return true;
}

bool FskModulator::queue_bytes(std::span<const std::uint8_t> bytes, int stop_bits) noexcept {
  const std::size_t need = bytes.size() * (9 + static_cast<std::size_t>(std::max(stop_bits, 1)));
  if (bits_.size() - count_ < need) return false;
  for (auto b : bytes) queue_byte(b, stop_bits);
  return true;
}

std::size_t FskModulator::generate(std::span<std::int16_t> out) noexcept {
  const double w_mark = kTwoPi * cfg_.mark_hz / cfg_.sample_rate_hz;
  const double w_space = kTwoPi * cfg_.space_hz / cfg_.sample_rate_hz;
  std::size_t i = 0;
  for (; i < out.size(); ++i) {
    if (bit_left_ <= 0.0) {
      if (count_ == 0) break;
      current_ = bits_[head_] != 0;
      head_ = (head_ + 1) % bits_.size();
      --count_;
      bit_left_ += samples_per_bit_;
    }
    const double v = amplitude_ * std::sin(phase_);
    out[i] = static_cast<std::int16_t>(std::lround(std::clamp(v, -32768.0, 32767.0)));
    phase_ += current_ ? w_mark : w_space;
    if (phase_ >= kTwoPi) phase_ -= kTwoPi;
    bit_left_ -= 1.0;
  }
  return i;
}

void FskModulator::reset() noexcept {
  head_ = count_ = 0;
  phase_ = 0.0;
  bit_left_ = 0.0;
  current_ = true;
}

// ---------------------------------------------------------------------------------------------------------
FskDemodulator::FskDemodulator(const FskConfig& cfg, Isa isa) : cfg_(cfg), k_(&fsk_kernels(isa)), isa_(k_->isa) {
  validate(cfg);
  const int g = std::gcd(cfg.sample_rate_hz, std::gcd(cfg.mark_hz, cfg.space_hz));
  period_ = static_cast<std::size_t>(cfg.sample_rate_hz / g);
  if (period_ > kMaxPeriod)
    throw std::invalid_argument("mark_hz/space_hz: reference period " + std::to_string(period_) +
                                " samples exceeds " + std::to_string(kMaxPeriod) + " (use multiples of 20 Hz)");
  samples_per_bit_ = static_cast<float>(cfg.sample_rate_hz / cfg.baud);
  window_ = static_cast<std::size_t>(std::lround(samples_per_bit_));
  window_ = std::clamp<std::size_t>(window_, 2, kMaxWindow);
  table_len_ = period_ + kChunk + kMaxWindow;
  table_.assign(4 * table_len_, 0.0f);
  const std::size_t kTableLen = table_len_;
  for (std::size_t j = 0; j < kTableLen; ++j) {
    const std::size_t p = j % period_;
    const double am = kTwoPi * cfg.mark_hz * static_cast<double>(p) / cfg.sample_rate_hz;
    const double as = kTwoPi * cfg.space_hz * static_cast<double>(p) / cfg.sample_rate_hz;
    table_[j] = static_cast<float>(std::cos(am));
    table_[kTableLen + j] = static_cast<float>(std::sin(am));
    table_[2 * kTableLen + j] = static_cast<float>(std::cos(as));
    table_[3 * kTableLen + j] = static_cast<float>(std::sin(as));
  }
  // A sine of peak A at one tone gives |Z|^2 ~= (A * window / 2)^2.
  const double a = dbm0_to_peak(cfg.min_level_dbm0) * static_cast<double>(window_) / 2.0;
  energy_on_ = static_cast<float>(a * a);
  energy_off_ = energy_on_ * 0.5f;  // 3 dB hysteresis
  energy_alpha_ = 1.0f / (samples_per_bit_ * 2.0f);
  reset();
}

void FskDemodulator::reset() noexcept {
  x_.fill(0.0f);
  chunk_len_ = chunk_pos_ = 0;
  phase_ = 0;
  n_ = 0;
  prev_d_ = 1.0f;
  energy_ = 0.0f;
  carrier_ = false;
  uart_ = Uart::hunt;
  start_t_ = idle_from_t_ = 0.0;
  bit_ = 0;
  shift_ = 0;
}

void FskDemodulator::front_end(const std::int16_t* x, std::size_t n) noexcept {
  const std::size_t hist = window_ - 1;
  for (std::size_t i = 0; i < n; ++i) x_[hist + i] = static_cast<float>(x[i]);
  // Table index of x_[0] (the oldest history sample).
  const std::size_t p0 = (phase_ + period_ * 2 - hist) % period_;
  const std::size_t len = table_len_;
  k_->front(x_.data(), n, window_, table_.data() + p0, table_.data() + len + p0, table_.data() + 2 * len + p0,
            table_.data() + 3 * len + p0, d_.data(), e_.data());
  for (std::size_t i = 0; i < hist; ++i) x_[i] = x_[n + i];
  phase_ = (phase_ + n) % period_;
  chunk_len_ = n;
  chunk_pos_ = 0;
}

std::size_t FskDemodulator::run(std::span<const std::int16_t> pcm, FskEvent& ev, bool& have) noexcept {
  std::size_t used = 0;
  const double spb = samples_per_bit_;
  for (;;) {
    if (chunk_pos_ == chunk_len_) {
      if (used == pcm.size()) return used;
      const std::size_t n = std::min(kChunk, pcm.size() - used);
      front_end(pcm.data() + used, n);
      used += n;
    }
    while (chunk_pos_ < chunk_len_) {
      const float d = d_[chunk_pos_];
      const float e = e_[chunk_pos_];
      ++chunk_pos_;
      const std::uint64_t t = n_++;
      energy_ += energy_alpha_ * (e - energy_);
      if (!carrier_) {
        if (energy_ > energy_on_) {
          carrier_ = true;
          uart_ = Uart::hunt;
          idle_from_t_ = static_cast<double>(t);
          prev_d_ = d;
          ev = FskEvent{FskEvent::Kind::carrier_on, 0, true, 0, t};
          have = true;
          return used;
        }
        prev_d_ = d;
        continue;
      }
      if (energy_ < energy_off_) {
        carrier_ = false;
        uart_ = Uart::hunt;
        prev_d_ = d;
        ev = FskEvent{FskEvent::Kind::carrier_off, 0, true, 0, t};
        have = true;
        return used;
      }
      const float prev = prev_d_;
      prev_d_ = d;
      const double tt = static_cast<double>(t);
      if (uart_ == Uart::hunt) {
        // A start bit: mark -> space with the in-band energy still near the carrier's (the decay of a carrier
        // that just stopped is not a start bit). Mark and space are split exactly as the bit slicer below splits
        // them (mark = d > 0, so d == 0 is space): with `d < 0` here a discriminator output of exactly 0.0f at
        // the crossing sample (|Zm|^2 == |Zs|^2 in float, about once in 10^7 crossings) hid the start bit, and
        // the UART then framed on a later data bit (soak finding soak-cid-1, docs/reliability.md).
        if (prev > 0.0f && d <= 0.0f && e > kDropRatio * energy_) {
          start_t_ = tt - 1.0 + static_cast<double>(prev / (prev - d));
          char_energy_ = energy_;
          bit_ = 0;
          shift_ = 0;
          uart_ = Uart::bits;
        }
        continue;
      }
      if (e < kDropRatio * char_energy_) {  // the signal went away inside the character: no character
        uart_ = Uart::hunt;
        continue;
      }
      const double target = start_t_ + (bit_ + 0.5) * spb;
      if (tt < target) continue;
      const float v = prev + (d - prev) * static_cast<float>(target - (tt - 1.0));
      const bool mark = v > 0.0f;
      if (bit_ == 0) {
        if (mark) {  // false start
          uart_ = Uart::hunt;
          continue;
        }
      } else if (bit_ <= 8) {
        if (mark) shift_ = static_cast<std::uint16_t>(shift_ | (1u << (bit_ - 1)));
      } else {
        const double idle = std::floor((start_t_ - idle_from_t_) / spb);
        const double delay = (static_cast<double>(window_) - 1.0) / 2.0;
        const double begin = std::max(0.0, start_t_ - delay);
        ev = FskEvent{FskEvent::Kind::byte, static_cast<std::uint8_t>(shift_), mark,
                      static_cast<std::uint16_t>(std::clamp(idle, 0.0, 65535.0)),
                      static_cast<std::uint64_t>(std::llround(begin))};
        idle_from_t_ = target;
        uart_ = Uart::hunt;
        // The next start bit may already have begun between the stop-bit centre and this sample (a sender faster
        // than ours, or noise moving the crossing): the hunt below would only see it from the next sample on, so
        // take the crossing here, interpolated between the stop-bit centre and this sample.
        if (mark && d <= 0.0f && e > kDropRatio * energy_) {
          start_t_ = target + (tt - target) * static_cast<double>(v / (v - d));
          char_energy_ = energy_;
          bit_ = 0;
          shift_ = 0;
          uart_ = Uart::bits;
        }
        have = true;
        return used;
      }
      ++bit_;
    }
  }
}

}  // namespace linedsp
