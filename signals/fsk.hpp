// signals/fsk.hpp — voice-band FSK for caller ID: Bell 202 (Telcordia GR-30) and ITU-T V.23 (ETSI EN 300 659-1),
// modulator and demodulator with asynchronous (start/stop bit) framing.
//
// Bell 202: mark (binary 1) 1200 Hz, space (binary 0) 2200 Hz, 1200 bit/s (+-1 %), sent at about -13.5 dBm.
// V.23 (mode 2, forward channel): mark 1300 Hz, space 2100 Hz, 1200 bit/s.
// Characters are 1 start bit (space), 8 data bits LSB first, 1 stop bit (mark). Channel seizure is alternating
// 0/1 starting with 0 (30 bytes of 0x55 with their start and stop bits = 300 bits); the mark signal is steady 1s.
//
// Demodulator: a quadrature correlator. For each sample the input is correlated with complex exponentials at the
// mark and space frequencies over a window of one bit; the soft decision is
//     d = (|Zm|^2 - |Zs|^2) / (|Zm|^2 + |Zs|^2),   in [-1, 1], positive = mark,
// which is independent of the signal level. A UART on d hunts for a mark->space crossing (located to a fraction
// of a sample by interpolation), re-synchronises on every start bit (clock recovery per character, so a +-1 %
// bit-rate error costs at most 0.1 bit by the stop bit), samples each bit at its centre, and checks the stop
// bit. In-band energy (|Zm|^2 + |Zs|^2, smoothed) gates the carrier. Envelope (measured by tests/signals/fsk_test
// and callerid_test): level 0 to -40 dBm0 (carrier threshold FskConfig::min_level_dbm0, default -45 dBm0); no byte
// error at 15 dB SNR (white noise 0-4 kHz, through mu-law), whole messages at 12 dB (Bell 202 also at 10 dB);
// frequency and bit rate +-1 % error-free, +-2 % with at most 2 % of bytes lost.
//
// The correlator front end is a SIMD kernel (signals/kernels/fsk_kernels.hpp), one per ISA, chosen at
// construction; the variants are bit-exact with scalar (same operation order, no FMA contraction).
// Results do not depend on how the input is split into blocks.
//
// Per-channel memory: memory_bytes() (about 2.9 kB for Bell 202, 3.5 kB for V.23; the benchmark prints it).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "dsp/simd.hpp"
#include "signals/event.hpp"

namespace linedsp {

enum class FskModem : std::uint8_t { bell202, v23 };
const char* fsk_modem_name(FskModem modem) noexcept;

struct FskConfig {
  int sample_rate_hz = 8000;
  int mark_hz = 1200;        // binary 1 (Bell 202; V.23 is 1300)
  int space_hz = 2200;       // binary 0 (Bell 202; V.23 is 2100)
  double baud = 1200.0;      // bit/s
  double level_dbm0 = -13.5; // modulator output level (GR-30: about -13.5 dBm)
  double min_level_dbm0 = -45.0;  // demodulator: carrier below this is ignored

  static FskConfig bell202() { return FskConfig{}; }
  static FskConfig v23() {
    FskConfig c;
    c.mark_hz = 1300;
    c.space_hz = 2100;
    return c;
  }
  static FskConfig for_modem(FskModem m) { return m == FskModem::v23 ? v23() : bell202(); }
};

// Validates a config; throws std::invalid_argument naming the field.
void validate(const FskConfig& cfg);

// ---------------------------------------------------------------------------------------------------------
// Modulator: a queue of bits (sized at construction) turned into phase-continuous FSK.
class FskModulator {
 public:
  explicit FskModulator(const FskConfig& cfg, std::size_t capacity_bits = 8192);

  // Queueing returns false (and queues nothing) when the bits do not fit.
  bool queue_bit(bool mark) noexcept;
  bool queue_seizure(std::size_t bits) noexcept;  // alternating 0,1,0,1 ... starting with space
  bool queue_marks(std::size_t bits) noexcept;    // steady mark
  bool queue_byte(std::uint8_t byte, int stop_bits = 1) noexcept;  // start bit, 8 data bits LSB first, stop bit(s)
  bool queue_bytes(std::span<const std::uint8_t> bytes, int stop_bits = 1) noexcept;

  // Writes FSK until the queue runs dry or `out` is full; returns the samples written.
  std::size_t generate(std::span<std::int16_t> out) noexcept;
  bool idle() const noexcept { return count_ == 0 && bit_left_ <= 0.0; }
  std::size_t queued_bits() const noexcept { return count_; }
  void reset() noexcept;

 private:
  bool push(bool bit) noexcept;
  FskConfig cfg_;
  std::vector<std::uint8_t> bits_;  // ring buffer
  std::size_t head_ = 0, count_ = 0;
  double amplitude_;
  double phase_ = 0.0;        // radians, kept in [0, 2 pi)
  double bit_left_ = 0.0;     // samples left of the current bit
  double samples_per_bit_;
  bool current_ = true;
};

// ---------------------------------------------------------------------------------------------------------
// Demodulator events.
struct FskEvent {
  enum class Kind : std::uint8_t { carrier_on, carrier_off, byte };
  Kind kind = Kind::byte;
  std::uint8_t byte = 0;
  bool framing_ok = true;       // stop bit was a mark
  std::uint16_t idle_bits = 0;  // mark bit-times (saturating) between the previous character (or carrier on) and
                                // this start bit; 0 for back-to-back characters
  std::uint64_t sample = 0;     // carrier: where it changed; byte: start of its start bit (estimated)
};

struct FskKernels;  // signals/kernels/fsk_kernels.hpp

class FskDemodulator {
 public:
  static constexpr std::size_t kMaxPeriod = 400;   // reference table period limit (samples)
  static constexpr std::size_t kMaxWindow = 16;    // correlator window limit (samples)
  static constexpr std::size_t kChunk = 64;        // samples per front-end call

  explicit FskDemodulator(const FskConfig& cfg, Isa isa = active_isa());

  template <EventSink<FskEvent> Sink>
  void process(std::span<const std::int16_t> pcm, Sink& sink) noexcept {
    while (!pcm.empty() || chunk_pos_ < chunk_len_) {
      FskEvent ev;
      bool have = false;
      const std::size_t used = run(pcm, ev, have);
      if (have) sink(ev);
      pcm = pcm.subspan(used);
    }
  }
  void reset() noexcept;

  bool carrier() const noexcept { return carrier_; }
  std::uint64_t samples() const noexcept { return n_; }
  const FskConfig& config() const noexcept { return cfg_; }
  Isa isa() const noexcept { return isa_; }
  // Per-channel memory: the object and its reference table.
  std::size_t memory_bytes() const noexcept { return sizeof(*this) + table_.capacity() * sizeof(float); }

 private:
  // Processes samples until one event happens (then `have` is set) or the input ends; returns samples used.
  std::size_t run(std::span<const std::int16_t> pcm, FskEvent& ev, bool& have) noexcept;
  void front_end(const std::int16_t* x, std::size_t n) noexcept;

  FskConfig cfg_;
  const FskKernels* k_;
  Isa isa_;
  std::size_t period_, window_;
  float samples_per_bit_;
  float energy_on_, energy_off_;
  float energy_alpha_;
  // Reference table, extended by kChunk + window so a chunk never wraps: [mark cos | mark sin | space cos | space
  // sin], each table_len_ = period_ + kChunk + kMaxWindow long (allocated at construction).
  std::size_t table_len_ = 0;
  std::vector<float> table_;
  std::array<float, kMaxWindow + kChunk> x_{};  // window-1 history followed by the chunk
  std::array<float, kChunk> d_{}, e_{};          // front-end outputs for the current chunk
  std::size_t chunk_len_ = 0, chunk_pos_ = 0;
  std::size_t phase_ = 0;                         // table index of the next input sample

  // UART and carrier state.
  std::uint64_t n_ = 0;           // samples consumed (index of the next sample)
  float prev_d_ = 1.0f;
  float energy_ = 0.0f;           // smoothed in-band energy
  bool carrier_ = false;
  enum class Uart : std::uint8_t { hunt, bits } uart_ = Uart::hunt;
  float char_energy_ = 0.0f;      // smoothed energy when the current character started
  double start_t_ = 0.0;          // fractional sample time of the start-bit crossing
  int bit_ = 0;                   // next bit to sample (0 = start bit centre)
  std::uint16_t shift_ = 0;
  double idle_from_t_ = 0.0;      // where the line went idle (last stop-bit centre or carrier on)
};

}  // namespace linedsp
