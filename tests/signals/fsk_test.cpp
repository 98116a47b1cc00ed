// FSK modem (signals/fsk.hpp): Bell 202 and V.23 modulator and demodulator.
//
// Oracles: the byte stream sent (random bytes, so nothing is "captured once"); a textbook DFT for the
// modulator's tone frequencies; spandsp's FSK receiver (fsk_rx with preset FSK_BELL202 / FSK_V23CH1) for our
// modulator's output where spandsp is installed; a naive G.711 mu-law companding formula for the channel.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstdio>
#include <numbers>
#include <random>
#include <vector>

#include "dsp/level.hpp"
#include "signals/fsk.hpp"
#include "signals/kernels/fsk_kernels.hpp"
#include "support/paths.hpp"

#if defined(LINEDSP_HAVE_SPANDSP)
#include <spandsp.h>
#endif

namespace linedsp {
namespace {

std::vector<std::uint8_t> random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng() & 0xFF);
  return v;
}

// Silence, 80 mark bits, the bytes, 10 mark bits, silence.
std::vector<std::int16_t> modulate(const FskConfig& cfg, const std::vector<std::uint8_t>& bytes) {
  FskModulator mod(cfg, 100 + bytes.size() * 10);
  EXPECT_TRUE(mod.queue_marks(80));
  EXPECT_TRUE(mod.queue_bytes(bytes));
  EXPECT_TRUE(mod.queue_marks(10));
  std::vector<std::int16_t> pcm(400, 0);
  std::vector<std::int16_t> block(160);
  while (!mod.idle()) {
    const std::size_t n = mod.generate(block);
    pcm.insert(pcm.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(n));
  }
  pcm.resize(pcm.size() + 400, 0);
  return pcm;
}

struct Received {
  std::vector<std::uint8_t> bytes;
  int framing_errors = 0;
  int carrier_on = 0;
  std::vector<FskEvent> events;
};

Received demodulate(const FskConfig& cfg, const std::vector<std::int16_t>& pcm, std::size_t block = 160,
                    Isa isa = active_isa()) {
  FskDemodulator demod(cfg, isa);
  Received r;
  auto sink = [&](const FskEvent& e) {
    r.events.push_back(e);
    if (e.kind == FskEvent::Kind::carrier_on) ++r.carrier_on;
    if (e.kind != FskEvent::Kind::byte) return;
    if (!e.framing_ok) ++r.framing_errors;
    r.bytes.push_back(e.byte);
  };
  for (std::size_t i = 0; i < pcm.size(); i += block) {
    const std::size_t n = std::min(block, pcm.size() - i);
    demod.process(std::span<const std::int16_t>(pcm.data() + i, n), sink);
  }
  return r;
}

// Textbook G.711 mu-law (continuous companding law, mu = 255, 8-bit quantised): the channel a real line adds.
std::int16_t mulaw_channel(double v) {
  const double mu = 255.0;
  const double x = std::clamp(v / 32768.0, -1.0, 1.0);
  const double y = std::copysign(std::log1p(mu * std::abs(x)) / std::log1p(mu), x);
  const double q = std::round(y * 127.0) / 127.0;
  const double back = std::copysign((std::pow(1.0 + mu, std::abs(q)) - 1.0) / mu, q);
  return static_cast<std::int16_t>(std::lround(std::clamp(back * 32768.0, -32768.0, 32767.0)));
}

// Adds white Gaussian noise (flat 0-4 kHz) at `snr_db` below the FSK signal's power, then the mu-law channel.
std::vector<std::int16_t> add_noise(const std::vector<std::int16_t>& pcm, double signal_dbm0, double snr_db,
                                    unsigned seed) {
  std::mt19937 rng(seed);
  const double noise_power = dbm0_to_power(signal_dbm0) / std::pow(10.0, snr_db / 10.0);
  std::normal_distribution<double> gauss(0.0, std::sqrt(noise_power));
  std::vector<std::int16_t> out(pcm.size());
  for (std::size_t i = 0; i < pcm.size(); ++i) out[i] = mulaw_channel(pcm[i] + gauss(rng));
  return out;
}

std::size_t byte_errors(const std::vector<std::uint8_t>& sent, const std::vector<std::uint8_t>& got) {
  // Bytes the UART frames from noise before or after the payload are not counted: the payload is aligned where
  // it matches best (the caller-ID message layer, not the UART, rejects noise-made characters).
  if (got.size() < sent.size()) return sent.size();
  std::size_t best = sent.size();
  for (std::size_t off = 0; off + sent.size() <= got.size(); ++off) {
    std::size_t errors = 0;
    for (std::size_t i = 0; i < sent.size(); ++i) errors += sent[i] != got[off + i];
    best = std::min(best, errors);
  }
  return best;
}

// Frequency of the strongest DFT bin (textbook DFT, 1 Hz grid near `guess`) over pcm[from, from+len).
double dft_peak_hz(const std::vector<std::int16_t>& pcm, std::size_t from, std::size_t len, double guess) {
  double best_f = 0.0, best_p = -1.0;
  for (double f = guess - 60.0; f <= guess + 60.0; f += 1.0) {
    std::complex<double> acc{};
    for (std::size_t n = 0; n < len; ++n)
      acc += static_cast<double>(pcm[from + n]) * std::polar(1.0, -2.0 * std::numbers::pi * f * n / 8000.0);
    if (std::norm(acc) > best_p) best_p = std::norm(acc), best_f = f;
  }
  return best_f;
}

// Telcordia GR-30 / Bell 202: mark 1200 Hz, space 2200 Hz; ITU-T V.23: mark 1300 Hz, space 2100 Hz
// (REFERENCES.md "Caller ID"). The modulator's steady tones measured by an independent DFT.
TEST(FskModulator, MarkAndSpaceFrequenciesBell202AndV23) {
  for (auto [cfg, mark, space] : {std::tuple{FskConfig::bell202(), 1200.0, 2200.0},
                                  std::tuple{FskConfig::v23(), 1300.0, 2100.0}}) {
    FskModulator mod(cfg);
    mod.queue_marks(120);
    for (int i = 0; i < 120; ++i) mod.queue_bit(false);
    std::vector<std::int16_t> pcm(1600);
    ASSERT_EQ(mod.generate(pcm), pcm.size());
    EXPECT_NEAR(dft_peak_hz(pcm, 40, 700, mark), mark, 2.0);
    EXPECT_NEAR(dft_peak_hz(pcm, 840, 700, space), space, 2.0);
  }
}

// GR-30: transmit level about -13.5 dBm; phase-continuous FSK keeps a constant envelope, so the level of a
// random bit stream equals that of a sine at the configured level (no phase jumps, no amplitude dips).
TEST(FskModulator, LevelAndPhaseContinuity) {
  FskConfig cfg = FskConfig::bell202();
  FskModulator mod(cfg);
  const auto bytes = random_bytes(40, 1);
  mod.queue_bytes(bytes);
  std::vector<std::int16_t> pcm(4000);
  const std::size_t n = mod.generate(pcm);
  double power = 0.0;
  for (std::size_t i = 0; i < n; ++i) power += double(pcm[i]) * pcm[i];
  EXPECT_NEAR(power_to_dbm0(power / double(n)), -13.5, 0.1);
  // Phase continuity: no sample-to-sample step larger than the largest step of a 2200 Hz sine at this level.
  const double peak = dbm0_to_peak(-13.5);
  const double max_step = 2.0 * peak * std::sin(std::numbers::pi * 2200.0 / 8000.0) + 1.0;
  for (std::size_t i = 1; i < n; ++i) ASSERT_LE(std::abs(pcm[i] - pcm[i - 1]), max_step) << "at sample " << i;
}

TEST(FskDemodulator, RoundTripBell202AndV23) {
  for (auto cfg : {FskConfig::bell202(), FskConfig::v23()}) {
    const auto bytes = random_bytes(200, 7);
    const auto r = demodulate(cfg, modulate(cfg, bytes));
    EXPECT_EQ(r.carrier_on, 1);
    EXPECT_EQ(r.framing_errors, 0);
    EXPECT_EQ(r.bytes, bytes);
  }
}

// DESIGN.md: 16 kHz is supported by computing coefficients for it.
TEST(FskDemodulator, RoundTripAt16kHz) {
  for (auto cfg : {FskConfig::bell202(), FskConfig::v23()}) {
    cfg.sample_rate_hz = 16000;
    const auto bytes = random_bytes(100, 8);
    const auto r = demodulate(cfg, add_noise(modulate(cfg, bytes), cfg.level_dbm0, 25.0, 4));
    EXPECT_EQ(byte_errors(bytes, r.bytes), 0u) << cfg.mark_hz;
  }
}

// Decode over the level range. REFERENCES.md gives the GR-30 send level (about -13.5 dBm) only; the receive
// range asserted here (0 to -40 dBm0, i.e. +13.5 dB to -26.5 dB around the send level, covering long loops) is
// linedsp's envelope, wider than the -32..-1 dBm often quoted for CPE receivers (check: GR-30 receiver clause).
TEST(FskDemodulator, DecodesAcrossLevelRange0ToMinus40Dbm0) {
  for (auto cfg : {FskConfig::bell202(), FskConfig::v23()}) {
    for (double level = 0.0; level >= -40.0; level -= 5.0) {
      FskConfig tx = cfg;
      tx.level_dbm0 = level;
      const auto bytes = random_bytes(60, static_cast<unsigned>(100 - level));
      const auto r = demodulate(cfg, add_noise(modulate(tx, bytes), level, 40.0, 3));
      EXPECT_EQ(byte_errors(bytes, r.bytes), 0u) << fsk_modem_name(cfg.mark_hz == 1300 ? FskModem::v23 : FskModem::bell202)
                                                  << " at " << level << " dBm0";
    }
  }
}

// Below the configured carrier threshold (default -45 dBm0) nothing is reported.
TEST(FskDemodulator, IgnoresSignalBelowCarrierThreshold) {
  FskConfig tx = FskConfig::bell202();
  tx.level_dbm0 = -55.0;
  const auto r = demodulate(FskConfig::bell202(), modulate(tx, random_bytes(30, 9)));
  EXPECT_EQ(r.carrier_on, 0);
  EXPECT_TRUE(r.bytes.empty());
}

// Noise: at 20 and 15 dB SNR (white, 0-4 kHz, through mu-law) no byte error in 2000 bytes. REFERENCES.md gives
// no SNR for caller ID, so 15 dB (the Q.24 DTMF figure in REFERENCES.md) is our requirement; 12 and 10 dB are
// printed for the record (where errors start).
TEST(FskDemodulator, ByteErrorsInWhiteNoise) {
  const std::size_t nbytes = test::kSanitizerBuild ? 400 : 2000;
  if (test::kSanitizerBuild) std::printf("sanitizer build: %zu bytes per SNR point instead of 2000\n", nbytes);
  for (auto cfg : {FskConfig::bell202(), FskConfig::v23()}) {
    const auto bytes = random_bytes(nbytes, 11);
    const auto clean = modulate(cfg, bytes);
    for (double snr : {20.0, 15.0, 12.0, 10.0}) {
      const auto r = demodulate(cfg, add_noise(clean, cfg.level_dbm0, snr, 5));
      const std::size_t errors = byte_errors(bytes, r.bytes);
      std::printf("%s SNR %4.1f dB: %zu byte errors in %zu\n", cfg.mark_hz == 1300 ? "V.23    " : "Bell 202", snr,
                  errors, nbytes);
      if (snr >= 15.0) { EXPECT_EQ(errors, 0u) << "SNR " << snr; }
      // 12 dB (fsk.hpp: whole messages at 12 dB): isolated bit errors only, at most 0.1 % of the bytes. A lost
      // stop->start hand-over shifts the alignment and costs hundreds (V.23 lost 153 here before ed74a41).
      if (snr >= 12.0 && snr < 15.0) { EXPECT_LE(errors, nbytes / 1000) << "SNR " << snr; }
    }
  }
}

// GR-30 / Bell 202 (REFERENCES.md): mark and space +-1 %, bit rate 1200 +-1 %: no byte error at any corner.
// V.23 held to the same +-1 % (its own tolerance, check ITU-T V.23 clause 2). At +-2 % (margin) at most 2 of
// 100 bytes may be lost.
TEST(FskDemodulator, FrequencyAndBitRateTolerance) {
  for (auto cfg : {FskConfig::bell202(), FskConfig::v23()}) {
    for (double fdev : {-0.02, -0.01, 0.0, 0.01, 0.02}) {
      for (double bdev : {-0.02, -0.01, 0.0, 0.01, 0.02}) {
        FskConfig tx = cfg;
        tx.mark_hz = static_cast<int>(std::lround(cfg.mark_hz * (1.0 + fdev)));
        tx.space_hz = static_cast<int>(std::lround(cfg.space_hz * (1.0 + fdev)));
        tx.baud = cfg.baud * (1.0 + bdev);
        const auto bytes = random_bytes(100, 13);
        const auto r = demodulate(cfg, add_noise(modulate(tx, bytes), cfg.level_dbm0, 30.0, 17));
        const bool within_1 = std::abs(fdev) <= 0.011 && std::abs(bdev) <= 0.011;
        EXPECT_LE(byte_errors(bytes, r.bytes), within_1 ? 0u : 2u)
            << cfg.mark_hz << " Hz mark, freq " << fdev * 100 << " %, rate " << bdev * 100 << " %";
      }
    }
  }
}

// UART hand-over from a stop bit to the next start bit (back-to-back characters, GR-30 / EN 300 659 message
// bytes follow each other with no idle mark): at 1200 bit/s and 8 kHz the stop bit is sampled 9.5 bits after the
// start edge and the next edge comes 0.5 bit (3.3 samples) later. Noise or a fast sender moves that mark->space
// crossing to the very sample that evaluates the stop bit, or gives a discriminator sample of exactly 0 on it
// (soak finding soak-cid-1, docs/reliability.md); the next character must still start there. Checked: 12 dB SNR
// (fsk.hpp's envelope: whole messages at 12 dB) over 4 noise seeds x 1000 bytes, at most 2 isolated byte errors
// each (a lost hand-over misaligns everything after it); senders 2.5 % slow and fast (beyond GR-30's +-1 % bit
// rate, REFERENCES.md) at 30 dB SNR: no byte error, no framing error.
TEST(FskDemodulator, BackToBackCharactersSurviveNoiseAndFastSenders) {
  const int seeds = test::kSanitizerBuild ? 1 : 4;
  if (test::kSanitizerBuild) std::printf("sanitizer build: 1 noise seed instead of 4\n");
  for (auto cfg : {FskConfig::bell202(), FskConfig::v23()}) {
    const char* name = cfg.mark_hz == 1300 ? "V.23" : "Bell 202";
    for (int s = 0; s < seeds; ++s) {
      const auto bytes = random_bytes(1000, 40 + static_cast<unsigned>(s));
      const auto r = demodulate(cfg, add_noise(modulate(cfg, bytes), cfg.level_dbm0, 12.0, 60 + s));
      const std::size_t errors = byte_errors(bytes, r.bytes);
      std::printf("%s 12 dB SNR seed %d: %zu byte errors in %zu, %d framing errors\n", name, s, errors,
                  bytes.size(), r.framing_errors);
      EXPECT_LE(errors, 2u) << name << " at 12 dB SNR, seed " << s;
    }
    for (double bdev : {-0.025, 0.025}) {
      FskConfig tx = cfg;
      tx.baud = cfg.baud * (1.0 + bdev);
      const auto bytes = random_bytes(1000, 50);
      const auto r = demodulate(cfg, add_noise(modulate(tx, bytes), cfg.level_dbm0, 30.0, 70));
      EXPECT_EQ(byte_errors(bytes, r.bytes), 0u) << name << " bit rate " << bdev * 100 << " %";
      EXPECT_EQ(r.framing_errors, 0) << name << " bit rate " << bdev * 100 << " %";
    }
  }
}

// A missing stop bit is a framing error, reported as such.
TEST(FskDemodulator, MissingStopBitIsFramingError) {
  const FskConfig cfg = FskConfig::bell202();
  FskModulator mod(cfg);
  mod.queue_marks(80);
  mod.queue_byte(0x41);
  mod.queue_bit(false);  // start
  for (int i = 0; i < 8; ++i) mod.queue_bit(false);  // 0x00 data
  mod.queue_bit(false);  // stop bit is space: framing error
  mod.queue_marks(30);
  mod.queue_byte(0x42);
  mod.queue_marks(10);
  std::vector<std::int16_t> pcm(3000, 0);
  const std::size_t n = mod.generate(std::span(pcm).subspan(200));
  ASSERT_TRUE(mod.idle());
  ASSERT_LT(n, 2800u);
  const auto r = demodulate(cfg, pcm);
  ASSERT_EQ(r.bytes.size(), 3u);
  EXPECT_EQ(r.bytes[0], 0x41);
  EXPECT_EQ(r.framing_errors, 1);
  EXPECT_EQ(r.bytes[2], 0x42);
}

// DESIGN.md: results identical whatever the block size (1, 7, 160, 4096 samples).
TEST(FskDemodulator, BlockSizeIndependence) {
  const FskConfig cfg = FskConfig::v23();
  const auto pcm = add_noise(modulate(cfg, random_bytes(100, 21)), cfg.level_dbm0, 15.0, 23);
  const auto ref = demodulate(cfg, pcm, 160);
  for (std::size_t block : {1u, 7u, 4096u}) {
    const auto r = demodulate(cfg, pcm, block);
    ASSERT_EQ(r.events.size(), ref.events.size()) << "block " << block;
    for (std::size_t i = 0; i < r.events.size(); ++i) {
      EXPECT_EQ(r.events[i].kind, ref.events[i].kind);
      EXPECT_EQ(r.events[i].byte, ref.events[i].byte);
      EXPECT_EQ(r.events[i].sample, ref.events[i].sample);
      EXPECT_EQ(r.events[i].idle_bits, ref.events[i].idle_bits);
    }
  }
}

// Every SIMD variant of the correlator front end is bit-identical to scalar (seeded random input, lengths
// 0..300, misaligned pointers).
TEST(FskKernels, VariantsMatchScalar) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-32768.0f, 32767.0f);
  std::vector<float> x(400), t(4 * 400), d0(320), e0(320), d1(320), e1(320);
  for (auto& v : x) v = u(rng);
  for (auto& v : t) v = u(rng) / 32768.0f;
  for (Isa isa : available_isas()) {
    const auto& k = fsk_kernels(isa);
    for (std::size_t n = 0; n <= 300; n += 13) {
      for (std::size_t w : {2u, 7u, 13u}) {
        const std::size_t off = n % 3 + 1;  // misaligned
        detail::fsk_front_scalar(x.data() + off, n, w, t.data() + off, t.data() + 400 + off, t.data() + 800 + off,
                                 t.data() + 1200 + off, d0.data() + 1, e0.data() + 1);
        k.front(x.data() + off, n, w, t.data() + off, t.data() + 400 + off, t.data() + 800 + off,
                t.data() + 1200 + off, d1.data() + 1, e1.data() + 1);
        for (std::size_t i = 1; i <= n; ++i) {
          ASSERT_EQ(d0[i], d1[i]) << isa_name(isa) << " n=" << n << " w=" << w << " i=" << i;
          ASSERT_EQ(e0[i], e1[i]) << isa_name(isa) << " n=" << n << " w=" << w << " i=" << i;
        }
      }
    }
  }
  for (Isa isa : {Isa::avx2, Isa::avx512})
    if (!isa_supported(isa)) std::printf("CPU lacks %s: that variant not tested\n", isa_name(isa));
}

// The whole demodulator gives the same events under every ISA.
TEST(FskDemodulator, SameEventsUnderEveryIsa) {
  const FskConfig cfg = FskConfig::bell202();
  const auto pcm = add_noise(modulate(cfg, random_bytes(100, 31)), cfg.level_dbm0, 12.0, 37);
  const auto ref = demodulate(cfg, pcm, 160, Isa::scalar);
  for (Isa isa : available_isas()) {
    const auto r = demodulate(cfg, pcm, 160, isa);
    EXPECT_EQ(r.bytes, ref.bytes) << isa_name(isa);
    EXPECT_EQ(r.events.size(), ref.events.size()) << isa_name(isa);
  }
}

TEST(FskConfigValidation, NamesTheBadField) {
  FskConfig c;
  c.mark_hz = 5000;
  try {
    FskDemodulator d(c);
    FAIL() << "accepted mark_hz 5000";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("mark_hz"), std::string::npos);
  }
  c = FskConfig{};
  c.baud = 0;
  EXPECT_THROW(FskModulator m(c), std::invalid_argument);
}

#if defined(LINEDSP_HAVE_SPANDSP)
// Independent receiver: spandsp's fsk_rx (FSK_BELL202 / FSK_V23CH1 presets, synchronous bit mode with its own
// clock recovery) turns our modulator's output into bits; a textbook UART (start 0, 8 data LSB first, stop 1)
// frames them. The payload must come out intact.
struct SpanRx {
  std::vector<int> bits;
};
void span_put_bit(void* user, int bit) {
  if (bit < 0) return;  // status codes (carrier up/down ...)
  static_cast<SpanRx*>(user)->bits.push_back(bit & 1);
}
std::vector<std::uint8_t> textbook_uart(const std::vector<int>& bits) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 1; i + 9 < bits.size();) {
    if (bits[i - 1] == 1 && bits[i] == 0) {
      unsigned v = 0;
      for (int k = 0; k < 8; ++k) v |= static_cast<unsigned>(bits[i + 1 + k]) << k;
      if (bits[i + 9] == 1) out.push_back(static_cast<std::uint8_t>(v));
      i += 10;
    } else {
      ++i;
    }
  }
  return out;
}

TEST(FskModulator, SpandspFskRxDecodesOurSignal) {
  for (auto [cfg, preset] : {std::tuple{FskConfig::bell202(), FSK_BELL202}, std::tuple{FskConfig::v23(), FSK_V23CH1}}) {
    const auto bytes = random_bytes(100, 41);
    const auto pcm = modulate(cfg, bytes);
    SpanRx rx;
    fsk_rx_state_t* s = fsk_rx_init(nullptr, &preset_fsk_specs[preset], FSK_FRAME_MODE_SYNC, span_put_bit, &rx);
    ASSERT_NE(s, nullptr);
    std::vector<std::int16_t> copy = pcm;
    fsk_rx(s, copy.data(), static_cast<int>(copy.size()));
    fsk_rx_free(s);
    EXPECT_EQ(byte_errors(bytes, textbook_uart(rx.bits)), 0u) << (preset == FSK_BELL202 ? "bell202" : "v23");
  }
}
#endif

}  // namespace
}  // namespace linedsp
