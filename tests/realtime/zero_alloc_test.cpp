// tests/realtime/zero_alloc_test.cpp — the real-time contract (DESIGN.md "Processors", issue 7): after
// construction, the process/generate calls of every audio-path component, of both ports over a simulated line and
// of a whole gateway channel make no heap allocation (global operator new in every form and, outside ASan builds,
// the malloc family: tests/support/alloc_counter.hpp), for every ISA this CPU runs (ScopedIsa plus the explicit Isa
// argument where a constructor takes one). Counting starts at the first process call (no uncounted warm-up), and
// the inputs make each component report events (digits, tones, caller ID, rings, port state changes), so the event
// paths run under the counter too; each test asserts those events happened, so a silent component cannot pass by
// doing nothing. The noexcept part of the contract is checked at compile time (static_assert below).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "codecs/g711.hpp"
#include "codecs/plc.hpp"
#include "codecs/rfc4733.hpp"
#include "devices/sim_line.hpp"
#include "dsp/goertzel.hpp"
#include "dsp/simd.hpp"
#include "ports/fxo_port.hpp"
#include "ports/fxs_port.hpp"
#include "signals/callerid.hpp"
#include "signals/callerid_bank.hpp"
#include "signals/cas.hpp"
#include "signals/dtmf_detector.hpp"
#include "signals/dtmf_generator.hpp"
#include "signals/echo_canceller.hpp"
#include "signals/fsk.hpp"
#include "signals/g168.hpp"
#include "signals/modem_tone_detector.hpp"
#include "signals/modem_tone_generator.hpp"
#include "signals/progress_detector.hpp"
#include "signals/ring.hpp"
#include "signals/tone_disabler.hpp"
#include "signals/tone_generator.hpp"
#include "signals/tone_plan.hpp"
#include "support/alloc_counter.hpp"
#include "support/paths.hpp"

LINEDSP_COUNT_ALLOCATIONS();

namespace linedsp {
namespace {

using test::AllocationCounter;
using Pcm = std::vector<std::int16_t>;
constexpr std::size_t kFrame = 160;  // 20 ms at 8 kHz

// An event sink that only counts (never allocates).
struct Count {
  std::size_t n = 0;
  template <class E>
  void operator()(const E&) noexcept { ++n; }
};

// ---- noexcept on every process function (compile time) -------------------------------------------------------
template <class T>
T& ref() noexcept;  // declared only: for noexcept(...) checks
using CSpan = std::span<const std::int16_t>;
using MSpan = std::span<std::int16_t>;
using FSpan = std::span<const float>;
static_assert(noexcept(g711_encode(Law::ulaw, CSpan{}, std::span<std::uint8_t>{})));
static_assert(noexcept(g711_decode(Law::alaw, std::span<const std::uint8_t>{}, MSpan{})));
static_assert(noexcept(ref<G711Plc>().good_frame(CSpan{}, MSpan{})));
static_assert(noexcept(ref<G711Plc>().lost_frame(MSpan{})));
static_assert(noexcept(ref<TelephoneEventSender>().begin('1', 0, 0, ref<Count>())));
static_assert(noexcept(ref<TelephoneEventSender>().end(0, ref<Count>())));
static_assert(noexcept(ref<TelephoneEventSender>().advance(0, ref<Count>())));
static_assert(noexcept(ref<TelephoneEventReceiver>().receive(0u, false, std::span<const std::uint8_t>{}, ref<Count>())));
static_assert(noexcept(ref<TelephoneEventReceiver>().advance(0u, ref<Count>())));
static_assert(noexcept(ref<Goertzel>().process(FSpan{})));
static_assert(noexcept(ref<GoertzelBank>().process(FSpan{})));
static_assert(noexcept(ref<MultiChannelGoertzelBank>().process(FSpan{})));
static_assert(noexcept(ref<DtmfGenerator>().generate(MSpan{})));
static_assert(noexcept(ref<DtmfDetector>().process(CSpan{}, ref<Count>())));
static_assert(noexcept(ref<DtmfDetectorBank>().process(CSpan{}, ref<Count>())));
static_assert(noexcept(ref<ToneGenerator>().generate(MSpan{})));
static_assert(noexcept(ref<ProgressDetector>().process(CSpan{}, ref<Count>())));
static_assert(noexcept(ref<ProgressDetectorBank>().process(CSpan{}, ref<Count>())));
static_assert(noexcept(ref<RingCadenceGenerator>().generate(MSpan{}, ref<Count>())));
static_assert(noexcept(ref<RingDetector>().process(CSpan{}, ref<Count>())));
static_assert(noexcept(ref<RingDetector>().on_line_event(LineEvent{}, ref<Count>())));
static_assert(noexcept(ref<ModemToneGenerator>().generate(MSpan{})));
static_assert(noexcept(ref<ModemToneDetector>().process(CSpan{}, ref<Count>())));
static_assert(noexcept(ref<ModemToneDetectorBank>().process(CSpan{}, ref<Count>())));
static_assert(noexcept(ref<ToneDisabler>().process(CSpan{}, ref<Count>())));
static_assert(noexcept(ref<FskModulator>().generate(MSpan{})));
static_assert(noexcept(ref<FskDemodulator>().process(CSpan{}, ref<Count>())));
static_assert(noexcept(ref<CallerIdSender>().generate(MSpan{})));
static_assert(noexcept(ref<CallerIdSender>().start(std::span<const std::uint8_t>{})));
static_assert(noexcept(ref<CallerIdReceiver>().process(CSpan{}, ref<Count>())));
static_assert(noexcept(ref<CallerIdReceiverBank>().process(CSpan{}, ref<Count>())));
static_assert(noexcept(ref<CasGenerator>().generate(MSpan{})));
static_assert(noexcept(ref<CasDetector>().process(CSpan{}, ref<Count>())));
static_assert(noexcept(ref<EchoCanceller>().process(CSpan{}, CSpan{}, MSpan{})));
static_assert(noexcept(ref<EchoCancellerBank>().process(CSpan{}, CSpan{}, MSpan{})));
static_assert(noexcept(ref<FxsPort>().process(CSpan{}, MSpan{}, CSpan{}, MSpan{}, ref<Count>())));
static_assert(noexcept(ref<FxsPort>().on_line_event(LineEvent{})));
static_assert(noexcept(ref<FxsPort>().ring(nullptr)));
static_assert(noexcept(ref<FxoPort>().process(CSpan{}, MSpan{}, CSpan{}, MSpan{}, ref<Count>())));
static_assert(noexcept(ref<FxoPort>().on_line_event(LineEvent{})));
static_assert(noexcept(ref<FxoPort>().dial(std::string_view{})));
static_assert(noexcept(ref<SimLine>().process(CSpan{}, CSpan{}, MSpan{}, MSpan{}, MSpan{})));

// ---- inputs (built before counting; building them may allocate) ------------------------------------------------
const TonePlan& us_plan() {
  static const TonePlan plan = load_country_plan(test::source_dir() + "/data", "us");
  return plan;
}

Pcm silence(double seconds) { return Pcm(static_cast<std::size_t>(seconds * 8000.0), 0); }

void append(Pcm& a, const Pcm& b) { a.insert(a.end(), b.begin(), b.end()); }

Pcm dtmf_signal(const char* digits) {
  DtmfGenerator gen{DtmfGeneratorConfig{}};
  gen.queue(digits);
  Pcm out = silence(0.2);
  Pcm body(static_cast<std::size_t>(8000 * 0.2 * (std::char_traits<char>::length(digits) + 1)));
  gen.generate(body);
  append(out, body);
  append(out, silence(0.3));
  return out;
}

Pcm tone_signal(const char* name, double seconds) {
  const Tone* t = us_plan().find(name);
  if (t == nullptr) throw std::runtime_error(std::string("us plan has no ") + name);
  return generate_tone(*t, seconds);
}

Pcm modem_signal(ModemTone tone, double seconds) {
  ModemToneGeneratorConfig cfg;
  cfg.tone = tone;
  ModemToneGenerator gen{cfg};
  Pcm out(static_cast<std::size_t>(seconds * 8000.0));
  gen.generate(out);
  return out;
}

CallerIdMessage cid_message() {
  CallerIdMessage m;
  m.date_time = "11231050";
  m.number = "5551234567";
  m.name = "EMBEDDED TEST";
  return m;
}

Pcm cid_signal(FskModem modem) {
  CallerIdSenderConfig cfg;
  cfg.modem = modem;
  Pcm out = silence(0.3);
  append(out, callerid_fsk_spill(encode_callerid(cid_message(), CallerIdFormat::mdmf), cfg));
  append(out, silence(0.3));
  return out;
}

Pcm interleave(const Pcm& x, std::size_t channels) {
  Pcm out(x.size() * channels);
  for (std::size_t i = 0; i < x.size(); ++i)
    for (std::size_t c = 0; c < channels; ++c) out[i * channels + c] = x[i];
  return out;
}

std::vector<float> to_float(const Pcm& x) { return {x.begin(), x.end()}; }

// Runs f(offset, length) over x in 20 ms frames (the last may be shorter) under the allocation counter and
// returns the allocations counted.
template <class F>
std::size_t counted_frames(std::size_t total, std::size_t frame, F&& f) {
  AllocationCounter::begin();
  for (std::size_t i = 0; i < total; i += frame) f(i, std::min(frame, total - i));
  return AllocationCounter::end();
}

// Runs body(isa) once per ISA available on this CPU with that ISA forced.
template <class F>
void for_each_isa(F&& body) {
  ASSERT_TRUE(AllocationCounter::installed());
  if (!AllocationCounter::counts_malloc())
    std::printf("note: AddressSanitizer build: operator new is counted, the malloc family is not\n");
  for (const Isa isa : available_isas()) {
    SCOPED_TRACE(isa_name(isa));
    ScopedIsa scoped{isa};
    body(isa);
  }
}

// The counter itself must see an allocation, or every zero below proves nothing.
TEST(ZeroAllocation, CounterSeesNewAndMalloc) {
  ASSERT_TRUE(AllocationCounter::installed());
  AllocationCounter::begin();
  auto* p = new std::vector<int>(100);
  delete p;
  EXPECT_GE(AllocationCounter::end(), 2u);  // the vector object and its buffer
  if (AllocationCounter::counts_malloc()) {
    AllocationCounter::begin();
    void* volatile m = std::malloc(64);
    std::free(m);
    EXPECT_EQ(AllocationCounter::end(), 1u);
  }
}

// ---- codecs ---------------------------------------------------------------------------------------------------
TEST(ZeroAllocation, G711EncodeDecode) {
  const Pcm speech = g168::to_int16(g168::composite_source_signal(1.0, -15.0));
  std::vector<std::uint8_t> codes(speech.size());
  Pcm back(speech.size());
  for_each_isa([&](Isa) {
    const std::size_t allocs = counted_frames(speech.size(), kFrame, [&](std::size_t i, std::size_t n) {
      for (const Law law : {Law::ulaw, Law::alaw}) {
        g711_encode(law, std::span(speech).subspan(i, n), std::span(codes).subspan(i, n));
        g711_decode(law, std::span<const std::uint8_t>(codes).subspan(i, n), std::span(back).subspan(i, n));
      }
    });
    EXPECT_EQ(allocs, 0u);
    EXPECT_NEAR(back[4000], speech[4000], std::abs(speech[4000]) / 16 + 16);  // A-law round trip really ran
  });
}

TEST(ZeroAllocation, G711PlcGoodAndLostFrames) {
  const Pcm speech = g168::to_int16(g168::composite_source_signal(2.0, -15.0));
  Pcm out(speech.size());
  G711Plc plc;
  std::size_t lost = 0;
  const std::size_t allocs = counted_frames(speech.size() / kFrame * kFrame, kFrame, [&](std::size_t i, std::size_t n) {
    const std::size_t k = i / kFrame;
    if (k % 7 == 3 || k % 11 == 5) {  // single and, where the patterns meet, consecutive losses
      plc.lost_frame(std::span(out).subspan(i, n));
      ++lost;
    } else {
      plc.good_frame(std::span(speech).subspan(i, n), std::span(out).subspan(i, n));
    }
  });
  EXPECT_EQ(allocs, 0u);
  EXPECT_GT(lost, 10u);
}

TEST(ZeroAllocation, Rfc4733SenderAndReceiver) {
  TelephoneEventSender tx{TelephoneEventSenderConfig{}};
  TelephoneEventReceiver rx{TelephoneEventReceiverConfig{}};
  std::size_t packets = 0;
  Count digits;
  auto to_rx = [&](const TelephoneEventPacket& p) {
    ++packets;
    rx.receive(p.timestamp, p.marker, p.payload, digits);
  };
  const char keys[] = "123*#0";
  const std::size_t total = 8000 * 4;
  const std::size_t allocs = counted_frames(total, kFrame, [&](std::size_t i, std::size_t n) {
    const std::size_t slot = i / 4000;  // one digit per 0.5 s: 120 ms on
    if (slot < 6 && i % 4000 == 0) tx.begin(keys[slot], i, i + n, to_rx);
    if (slot < 6 && i % 4000 == 960) tx.end(i, to_rx);
    tx.advance(i + n, to_rx);
    rx.advance(static_cast<std::uint32_t>(i + n), digits);
  });
  EXPECT_EQ(allocs, 0u);
  EXPECT_GE(packets, 6u * 4u);  // begin, update(s), 3 end packets per digit
  EXPECT_EQ(digits.n, 12u);     // begin and end of each digit
}

// ---- dsp ------------------------------------------------------------------------------------------------------
TEST(ZeroAllocation, GoertzelSingleBankMultiChannel) {
  const std::vector<float> x = to_float(dtmf_signal("5"));
  const std::vector<float> x4 = to_float(interleave(dtmf_signal("5"), 4));
  const std::array<double, 8> freqs{697, 770, 852, 941, 1209, 1336, 1477, 1633};
  for_each_isa([&](Isa isa) {
    Goertzel one{770.0, 8000.0};
    GoertzelBank bank{freqs, 8000.0, isa};
    MultiChannelGoertzelBank multi{freqs, 8000.0, 4, isa};
    std::array<float, 8> p{};
    std::array<float, 32> p4{};
    float sum = 0.0f;
    const std::size_t allocs = counted_frames(x.size(), 102, [&](std::size_t i, std::size_t n) {
      one.process(std::span(x).subspan(i, n));
      bank.process(std::span(x).subspan(i, n));
      multi.process(std::span(x4).subspan(i * 4, n * 4));
      bank.powers(p);
      multi.powers(p4);
      sum += one.power() + p[1] + p4[4] + multi.power(1, 3);
      one.reset();
      bank.reset();
      multi.reset();
    });
    EXPECT_EQ(allocs, 0u);
    EXPECT_GT(sum, 0.0f);
  });
}

// ---- DTMF -----------------------------------------------------------------------------------------------------
TEST(ZeroAllocation, DtmfGeneratorDetectorBank) {
  const Pcm digits = dtmf_signal("159*#D");
  const Pcm digits3 = interleave(digits, 3);
  for_each_isa([&](Isa isa) {
    DtmfGenerator gen{DtmfGeneratorConfig{}};
    DtmfDetector det{DtmfDetectorConfig{}, isa};
    DtmfDetectorBank bank{DtmfDetectorConfig{}, 3, isa};
    Count ev, bank_ev;
    Pcm gen_out(kFrame);
    std::size_t generated = 0;
    const std::size_t allocs = counted_frames(digits.size(), kFrame, [&](std::size_t i, std::size_t n) {
      if (i == 0) gen.queue("0123456789");
      generated += gen.generate(std::span(gen_out).first(n));
      det.process(std::span(digits).subspan(i, n), ev);
      bank.process(std::span(digits3).subspan(i * 3, n * 3), bank_ev);
    });
    AllocationCounter::begin();
    det.finish(ev);
    bank.finish(bank_ev);
    det.reset();
    bank.reset();
    EXPECT_EQ(allocs + AllocationCounter::end(), 0u);
    EXPECT_EQ(ev.n, 12u);          // 6 digits, begin + end
    EXPECT_EQ(bank_ev.n, 36u);     // the same on 3 channels
    EXPECT_GT(generated, 8000u);   // ten 80 ms digits with 80 ms pauses
  });
}

// ---- call progress and ring ------------------------------------------------------------------------------------
TEST(ZeroAllocation, ToneGeneratorProgressDetectorBank) {
  Pcm x = tone_signal("busy", 3.0);
  append(x, silence(0.5));
  append(x, tone_signal("ringback", 13.0));
  append(x, silence(0.5));
  const Pcm x2 = interleave(x, 2);
  for_each_isa([&](Isa isa) {
    const Tone* dial = us_plan().find(ToneKind::dial);
    ASSERT_NE(dial, nullptr);
    ToneGenerator gen{*dial};
    ProgressDetector det{us_plan(), ProgressDetectorConfig{}, isa};
    ProgressDetectorBank bank{us_plan(), 2, ProgressDetectorConfig{}, isa};
    Count ev, bank_ev;
    Pcm gen_out(kFrame);
    std::vector<float> gen_f(kFrame);
    const std::size_t allocs = counted_frames(x.size(), kFrame, [&](std::size_t i, std::size_t n) {
      gen.generate(std::span(gen_out).first(n));
      gen.generate(std::span(gen_f).first(n));
      det.process(std::span(x).subspan(i, n), ev);
      bank.process(std::span(x2).subspan(i * 2, n * 2), bank_ev);
    });
    AllocationCounter::begin();
    det.finish(ev);
    bank.finish(bank_ev);
    EXPECT_EQ(allocs + AllocationCounter::end(), 0u);
    EXPECT_GE(ev.n, 4u);  // busy begin/end, ringback begin/end
    EXPECT_EQ(bank_ev.n, 2 * ev.n);
  });
}

TEST(ZeroAllocation, RingGeneratorAndDetector) {
  const RingPattern* normal = us_plan().find_ring("normal");
  ASSERT_NE(normal, nullptr);
  RingCadenceGenerator gen{*normal};
  RingDetector det{us_plan()};
  RingDetector from_events{us_plan()};
  Pcm wave(kFrame);
  Count edges, rings, rings_from_events;
  auto edge = [&](const LineEvent& e) {
    ++edges.n;
    from_events.on_line_event(e, rings_from_events);
  };
  const std::size_t allocs = counted_frames(8000 * 20, kFrame, [&](std::size_t i, std::size_t n) {
    gen.generate(std::span(wave).first(n), edge);
    det.process(std::span(wave).first(n), rings);
    from_events.advance_to(i + n, rings_from_events);
  });
  EXPECT_EQ(allocs, 0u);
  EXPECT_GE(edges.n, 6u);  // 2 s on / 4 s off: 4 rings in 20 s
  EXPECT_GE(rings.n, 9u);  // burst begin/end and cycles
  EXPECT_GE(rings_from_events.n, 9u);
}

// ---- modem tones ----------------------------------------------------------------------------------------------
TEST(ZeroAllocation, ModemToneGeneratorDetectorBankDisabler) {
  Pcm x = modem_signal(ModemTone::cng, 4.0);
  append(x, silence(0.5));
  append(x, modem_signal(ModemTone::ans_pr, 3.3));
  append(x, silence(1.0));
  const Pcm x2 = interleave(x, 2);
  for_each_isa([&](Isa isa) {
    ModemToneGeneratorConfig gcfg;
    gcfg.tone = ModemTone::ansam_pr;
    ModemToneGenerator gen{gcfg};
    ModemToneDetector det{ModemToneDetectorConfig{}, isa};
    ModemToneDetectorBank bank{ModemToneDetectorConfig{}, 2, isa};
    ToneDisabler disabler{ToneDisablerConfig{}, isa};
    Count ev, bank_ev, dis_ev;
    Pcm gen_out(kFrame);
    const std::size_t allocs = counted_frames(x.size(), kFrame, [&](std::size_t i, std::size_t n) {
      gen.generate(std::span(gen_out).first(n));
      det.process(std::span(x).subspan(i, n), ev);
      bank.process(std::span(x2).subspan(i * 2, n * 2), bank_ev);
      disabler.process(std::span(x).subspan(i, n), dis_ev);
    });
    AllocationCounter::begin();
    det.finish(ev);
    bank.finish(bank_ev);
    EXPECT_EQ(allocs + AllocationCounter::end(), 0u);
    EXPECT_GE(ev.n, 4u);       // cng and ans-pr, begin and end
    EXPECT_EQ(bank_ev.n, 2 * ev.n);
    EXPECT_GE(dis_ev.n, 2u);   // disable on /ANS, enable after it
  });
}

// ---- FSK and caller ID ----------------------------------------------------------------------------------------
TEST(ZeroAllocation, FskCallerIdSenderReceiverBankCas) {
  const auto message = encode_callerid(cid_message(), CallerIdFormat::mdmf);
  for (const FskModem modem : {FskModem::bell202, FskModem::v23}) {
    SCOPED_TRACE(fsk_modem_name(modem));
    const Pcm spill = cid_signal(modem);
    const Pcm spill2 = interleave(spill, 2);
    for_each_isa([&](Isa isa) {
      FskModulator mod{FskConfig::for_modem(modem)};
      FskDemodulator demod{FskConfig::for_modem(modem), isa};
      CallerIdSenderConfig scfg;
      scfg.modem = modem;
      CallerIdSender sender{scfg};
      CallerIdReceiverConfig rcfg;
      rcfg.modem = modem;
      CallerIdReceiver rx{rcfg, isa};
      CallerIdReceiverBank bank{rcfg, 2, isa};
      Count fsk_ev, bank_ev;
      std::size_t ok = 0;
      auto on_cid = [&](const CallerIdEvent& e) {
        if (!e.begin && e.status == CallerIdStatus::ok && e.message.number.view() == "5551234567") ++ok;
      };
      Pcm out(kFrame);
      std::size_t sent = 0;
      const std::size_t allocs = counted_frames(spill.size(), kFrame, [&](std::size_t i, std::size_t n) {
        if (i == 0) {
          sender.start(message);
          mod.queue_seizure(30);
          mod.queue_marks(20);
          mod.queue_bytes(message);
        }
        sent += sender.generate(std::span(out).first(n));
        mod.generate(std::span(out).first(n));
        demod.process(std::span(spill).subspan(i, n), fsk_ev);
        rx.process(std::span(spill).subspan(i, n), on_cid);
        bank.process(std::span(spill2).subspan(i * 2, n * 2), bank_ev);
      });
      EXPECT_EQ(allocs, 0u);
      EXPECT_EQ(ok, 1u);
      EXPECT_EQ(bank_ev.n, 4u);  // begin and end on each channel
      EXPECT_GT(fsk_ev.n, message.size());
      EXPECT_GT(sent, 8000u * 300u / 1200u);
    });
  }
}

TEST(ZeroAllocation, CasGeneratorAndDetector) {
  CasGenerator gen{CasGeneratorConfig::bellcore_cas()};
  CasGenerator etsi{CasGeneratorConfig::etsi_dtas()};
  CasDetector det{CasDetectorConfig{}};
  Count ev;
  Pcm buf(kFrame);
  const std::size_t allocs = counted_frames(8000 * 2, kFrame, [&](std::size_t i, std::size_t n) {
    if (i == 0) gen.start();
    if (i == 8000) etsi.start();
    std::fill(buf.begin(), buf.end(), std::int16_t{0});
    gen.generate(std::span(buf).first(n));
    if (i >= 8000) etsi.generate(std::span(buf).first(n));
    det.process(std::span(buf).first(n), ev);
  });
  EXPECT_EQ(allocs, 0u);
  EXPECT_EQ(ev.n, 4u);  // two alerts, begin and end
}

// ---- echo canceller -------------------------------------------------------------------------------------------
TEST(ZeroAllocation, EchoCancellerAndBank) {
  const auto far_f = g168::composite_source_signal(3.0, -10.0);
  auto echo = g168::convolve(far_f, g168::echo_path(4, 6.0, 80));
  const auto talker = g168::composite_source_signal(3.0, -15.0, true, 8000, 7);
  for (std::size_t i = 12000; i < 18000 && i < echo.size(); ++i) echo[i] += talker[i];  // double talk
  const Pcm far = g168::to_int16(far_f);
  const Pcm near = g168::to_int16(echo);
  const std::size_t n_all = std::min(far.size(), near.size());
  const Pcm far2 = interleave(Pcm(far.begin(), far.begin() + n_all), 2);
  const Pcm near2 = interleave(Pcm(near.begin(), near.begin() + n_all), 2);
  for_each_isa([&](Isa isa) {
    EchoCancellerConfig cfg;
    cfg.tail_ms = 64;
    EchoCanceller ec{cfg, isa};
    EchoCancellerBank bank{2, cfg, isa};
    Pcm out(kFrame), out2(2 * kFrame);
    const std::size_t allocs = counted_frames(n_all, kFrame, [&](std::size_t i, std::size_t n) {
      ec.process(std::span(far).subspan(i, n), std::span(near).subspan(i, n), std::span(out).first(n));
      bank.process(std::span(far2).subspan(2 * i, 2 * n), std::span(near2).subspan(2 * i, 2 * n),
                   std::span(out2).first(2 * n));
      if (i == 19200) ec.set_bypass(true);
      if (i == 20800) ec.set_bypass(false);
    });
    EXPECT_EQ(allocs, 0u);
    EXPECT_GT(ec.erle_estimate_db(), 6.0f);  // it did adapt under the counter
  });
}

// ---- ports over a simulated line ------------------------------------------------------------------------------
struct KindCount {
  std::array<std::size_t, 32> n{};
  void operator()(const PortEvent& e) noexcept { ++n[static_cast<std::size_t>(e.kind) & 31u]; }
  std::size_t operator[](PortEventKind k) const noexcept { return n[static_cast<std::size_t>(k)]; }
};

// FXS: the phone goes off-hook (dial tone), dials "5551234#" (digits, number), hangs up; the port rings it with
// caller ID; the phone answers (ring trip); the VoIP side sends /ANS (modem tone, canceller bypassed); hang-up.
TEST(ZeroAllocation, FxsPortWithSimLine) {
  const Pcm ans = modem_signal(ModemTone::ans_pr, 3.0);
  const CallerIdMessage cid = cid_message();
  for_each_isa([&](Isa) {
    SimLineConfig lc;
    lc.exchange_erl_db = 12.0;  // the port hears the hybrid echo of what it sends
    SimLine line{lc};
    FxsPort fxs{us_plan(), line.exchange(), FxsPortConfig::for_country(us_plan())};
    DtmfGenerator phone_dtmf{DtmfGeneratorConfig{}};
    CallerIdReceiver phone_cid{CallerIdReceiverConfig{}};
    Count cid_at_phone;
    KindCount ev;
    Pcm rx(kFrame, 0), tx(kFrame), voip_in(kFrame), voip_out(kFrame), phone_tx(kFrame), phone_rx(kFrame, 0);
    const std::size_t total = 8000 * 20;
    const std::size_t allocs = counted_frames(total, kFrame, [&](std::size_t i, std::size_t) {
      const std::size_t ms = i / 8;
      if (ms == 200) line.phone().off_hook();
      if (ms == 1000) phone_dtmf.queue("5551234#");
      if (ms == 3500) line.phone().on_hook();
      if (ms == 6000) fxs.ring(&cid);
      if (ms == 13000) line.phone().off_hook();
      if (ms == 18000) line.phone().on_hook();
      while (auto e = line.exchange().poll_event()) fxs.on_line_event(*e);
      while (auto e = line.phone().poll_event()) (void)e;
      std::fill(voip_in.begin(), voip_in.end(), std::int16_t{0});
      if (ms >= 14000 && ms < 17000) std::copy_n(ans.begin() + (i - 14000 * 8), kFrame, voip_in.begin());
      fxs.process(rx, tx, voip_in, voip_out, ev);
      std::fill(phone_tx.begin(), phone_tx.end(), std::int16_t{0});
      phone_dtmf.generate(phone_tx);
      line.process(tx, phone_tx, rx, phone_rx);
      phone_cid.process(phone_rx, cid_at_phone);
    });
    EXPECT_EQ(allocs, 0u);
    EXPECT_GE(ev[PortEventKind::off_hook], 2u);
    EXPECT_GE(ev[PortEventKind::dial_tone], 1u);
    EXPECT_EQ(ev[PortEventKind::digit], 8u);
    EXPECT_EQ(ev[PortEventKind::number], 1u);
    EXPECT_GE(ev[PortEventKind::hang_up], 2u);
    EXPECT_GE(ev[PortEventKind::ringing], 1u);
    EXPECT_EQ(ev[PortEventKind::cid_sent], 1u);
    EXPECT_EQ(ev[PortEventKind::answered], 1u);
    EXPECT_GE(ev[PortEventKind::modem_tone], 1u);
    EXPECT_EQ(cid_at_phone.n, 2u);  // the phone decoded the spill (begin, end)
  });
}

// FXO: the exchange rings with caller ID between rings; the port answers after 2 rings; the exchange sends /ANS,
// then reverses polarity (disconnect). Then the port dials "123": the exchange gives dial tone, hears the digits,
// sends ringback and answers with a polarity reversal (far answer); the port hangs up.
TEST(ZeroAllocation, FxoPortWithSimLine) {
  const Pcm ans = modem_signal(ModemTone::ans_pr, 3.0);
  const auto cid_msg = encode_callerid(cid_message(), CallerIdFormat::mdmf);
  const RingPattern* normal = us_plan().find_ring("normal");
  ASSERT_NE(normal, nullptr);
  const RingCadence cadence = to_ring_cadence(*normal);
  for_each_isa([&](Isa) {
    SimLineConfig lc;
    lc.phone_erl_db = 12.0;
    SimLine line{lc};
    FxoPort fxo{us_plan(), line.phone(), FxoPortConfig::for_country(us_plan())};
    CallerIdSender ex_cid{CallerIdSenderConfig{}};
    ToneGenerator ex_dial{*us_plan().find(ToneKind::dial)};
    ToneGenerator ex_ringback{*us_plan().find(ToneKind::ringback)};
    DtmfDetector ex_dtmf{DtmfDetectorConfig{}};
    enum class Ex { idle, ringing, call_in, dial_tone, digits, ringback, call_out } ex = Ex::idle;
    std::size_t ex_digits = 0, ans_at = 0;
    std::uint64_t last_digit_ms = 0;
    bool reversed = false;
    KindCount ev;
    Pcm rx(kFrame, 0), tx(kFrame), voip_in(kFrame, 0), voip_out(kFrame), ex_tx(kFrame), ex_rx(kFrame, 0);
    const std::size_t total = 8000 * 40;
    const std::size_t allocs = counted_frames(total, kFrame, [&](std::size_t i, std::size_t) {
      const std::size_t ms = i / 8;
      if (ms == 500) {
        line.exchange().ring(cadence);
        ex = Ex::ringing;
      }
      if (ms == 3000 && ex == Ex::ringing) ex_cid.start(cid_msg);
      if (ans_at != 0 && ms == ans_at + 4000) {
        reversed = !reversed;
        line.exchange().reverse_polarity(reversed);  // far-end disconnect
      }
      if (ms == 22000) fxo.dial("123");
      while (auto e = line.phone().poll_event()) fxo.on_line_event(*e);
      while (auto e = line.exchange().poll_event()) {
        if (e->kind == LineEventKind::hook_off) {
          if (ex == Ex::ringing) {
            line.exchange().ring_off();
            ex = Ex::call_in;
            ans_at = ms;
          } else {
            ex = Ex::dial_tone;
            ex_dial.reset();
          }
        } else if (e->kind == LineEventKind::hook_on) {
          ex = Ex::idle;
          if (reversed) line.exchange().reverse_polarity(reversed = false);
        }
      }
      std::fill(ex_tx.begin(), ex_tx.end(), std::int16_t{0});
      if (!ex_cid.idle()) ex_cid.generate(ex_tx);
      else if (ex == Ex::call_in && ms >= ans_at + 500 && ms < ans_at + 3500)
        std::copy_n(ans.begin() + (i - (ans_at + 500) * 8), kFrame, ex_tx.begin());
      else if (ex == Ex::dial_tone) ex_dial.generate(ex_tx);
      else if (ex == Ex::ringback) ex_ringback.generate(ex_tx);
      if (ex == Ex::digits && ms > last_digit_ms + 1000) {
        ex = Ex::ringback;
        ex_ringback.reset();
        last_digit_ms = ms;
      }
      if (ex == Ex::ringback && ms > last_digit_ms + 7000) {
        ex = Ex::call_out;
        line.exchange().reverse_polarity(reversed = true);  // answer supervision
      }
      if (ex == Ex::call_out && ms == last_digit_ms + 10000) fxo.hang_up();
      fxo.process(rx, tx, voip_in, voip_out, ev);
      line.process(ex_tx, tx, ex_rx, rx);
      auto on_digit = [&](const DtmfEvent& d) {
        if (!d.begin) return;
        ++ex_digits;
        last_digit_ms = ms;
        if (ex == Ex::dial_tone || ex == Ex::digits) ex = Ex::digits;
      };
      ex_dtmf.process(ex_rx, on_digit);
    });
    EXPECT_EQ(allocs, 0u);
    EXPECT_GE(ev[PortEventKind::ring], 2u);
    EXPECT_EQ(ev[PortEventKind::cid_received], 1u);
    EXPECT_GE(ev[PortEventKind::answered], 1u);
    EXPECT_GE(ev[PortEventKind::modem_tone], 1u);
    EXPECT_GE(ev[PortEventKind::disconnect], 1u);
    EXPECT_EQ(ev[PortEventKind::seized], 1u);
    EXPECT_EQ(ev[PortEventKind::dial_tone_detected], 1u);
    EXPECT_EQ(ev[PortEventKind::dialled], 1u);
    EXPECT_EQ(ex_digits, 3u);
    EXPECT_GE(ev[PortEventKind::ringback], 1u);
    EXPECT_EQ(ev[PortEventKind::far_answer], 1u);
    EXPECT_GE(ev[PortEventKind::released], 2u);
  });
}

// ---- the whole gateway channel --------------------------------------------------------------------------------
// Network -> line: mu-law packets (every 9th lost: G.711 Appendix I PLC), RFC 4733 packets -> DTMF generator.
// Line -> network: echo canceller (64 ms) -> DTMF + call-progress + modem-tone detectors (a digit is muted from its
// begin event and sent as RFC 4733 packets, which loop back into the receiver above) -> mu-law. 20 ms frames.
TEST(ZeroAllocation, GatewayChannel) {
  auto far_f = g168::composite_source_signal(12.0, -15.0);
  for (std::size_t i = 13600; i < 39200; ++i) far_f[i] = 0.0f;  // the far party pauses while the line sends busy
  std::vector<std::uint8_t> far_codes(far_f.size());
  g711_encode(Law::ulaw, g168::to_int16(far_f), far_codes);
  auto near_f = g168::convolve(far_f, g168::echo_path(5, 10.0, 40));
  near_f.resize(far_f.size());
  Pcm events_in = silence(0.5);
  append(events_in, dtmf_signal("123"));
  append(events_in, tone_signal("busy", 3.0));
  append(events_in, silence(0.5));
  append(events_in, modem_signal(ModemTone::ans_pr, 3.3));
  for (std::size_t i = 0; i < events_in.size() && i < near_f.size(); ++i) near_f[i] += events_in[i];
  const Pcm near = g168::to_int16(near_f);
  const std::size_t total = near.size() / kFrame * kFrame;

  for_each_isa([&](Isa isa) {
    G711Plc plc;
    EchoCancellerConfig ecfg;
    ecfg.tail_ms = 64;
    EchoCanceller ec{ecfg, isa};
    DtmfDetector dtmf{DtmfDetectorConfig{}, isa};
    ProgressDetector progress{us_plan(), ProgressDetectorConfig{}, isa};
    ModemToneDetector modem{ModemToneDetectorConfig{}, isa};
    TelephoneEventSender rtp_tx{TelephoneEventSenderConfig{}};
    TelephoneEventReceiver rtp_rx{TelephoneEventReceiverConfig{}};
    DtmfGenerator regen{DtmfGeneratorConfig{}};
    Pcm dec(kFrame), to_line(kFrame), clean(kFrame), tone(kFrame);
    std::array<std::uint8_t, kFrame> to_net{};
    std::size_t digits = 0, packets = 0, regenerated = 0, muted = 0;
    Count prog_ev, modem_ev;
    std::uint64_t now = 0;
    bool mute = false;
    auto on_rtp_digit = [&](const TelephoneEventDigit& d) {
      if (d.begin) {
        const char s[2] = {d.digit, 0};
        regen.queue(s);
        ++regenerated;
      }
    };
    auto on_packet = [&](const TelephoneEventPacket& p) {
      ++packets;
      rtp_rx.receive(p.timestamp, p.marker, p.payload, on_rtp_digit);
    };
    auto on_digit = [&](const DtmfEvent& d) {
      if (d.begin) {
        ++digits;
        mute = true;
        rtp_tx.begin(d.digit, d.sample, now, on_packet);
      } else {
        mute = false;
        rtp_tx.end(d.sample + d.duration_samples, on_packet);
      }
    };
    auto ignore_digit = [](const TelephoneEventDigit&) noexcept {};
    const std::size_t allocs = counted_frames(total, kFrame, [&](std::size_t i, std::size_t n) {
      now = i + n;
      // network -> line
      if ((i / kFrame) % 9 == 4) {
        plc.lost_frame(to_line);
      } else {
        g711_decode(Law::ulaw, std::span<const std::uint8_t>(far_codes).subspan(i, n), dec);
        plc.good_frame(dec, to_line);
      }
      if (regen.generate(tone) > 0)
        for (std::size_t k = 0; k < n; ++k) to_line[k] = static_cast<std::int16_t>((to_line[k] + tone[k]) / 2);
      // line -> network
      ec.process(to_line, std::span(near).subspan(i, n), clean);
      dtmf.process(clean, on_digit);
      progress.process(clean, prog_ev);
      modem.process(clean, modem_ev);
      if (mute || dtmf.current_digit() != 0) {
        std::fill(clean.begin(), clean.end(), std::int16_t{0});
        ++muted;
      }
      rtp_tx.advance(now, on_packet);
      rtp_rx.advance(static_cast<std::uint32_t>(now), ignore_digit);
      g711_encode(Law::ulaw, clean, to_net);
    });
    EXPECT_EQ(allocs, 0u);
    EXPECT_EQ(digits, 3u);
    EXPECT_GE(packets, 3u * 4u);
    EXPECT_EQ(regenerated, 3u);
    EXPECT_GT(muted, 0u);
    EXPECT_GE(prog_ev.n, 1u);   // busy confirmed
    EXPECT_GE(modem_ev.n, 1u);  // /ANS
  });
}

}  // namespace
}  // namespace linedsp
