// Real-time contract (DESIGN.md "Processors"): process()/generate() of the caller-ID receiver, sender, FSK
// demodulator, alert-tone detector and DTMF caller-ID assembler never allocate. Checked with a counting global
// operator new in this test executable.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "signals/callerid.hpp"
#include "signals/callerid_dtmf.hpp"
#include "signals/cas.hpp"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

// The replacements pair malloc with free, which GCC's heuristic cannot see through.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace linedsp {
namespace {

TEST(CallerIdRealtime, ProcessingDoesNotAllocate) {
  CallerIdMessage m;
  m.date_time = "11231030";
  m.number = "5551234567";
  m.name = "NO ALLOC";
  const auto bytes = encode_callerid(m, CallerIdFormat::mdmf);
  CallerIdSender tx{CallerIdSenderConfig{}};
  CallerIdReceiver rx{CallerIdReceiverConfig{}};
  CasGenerator cas_tx{CasGeneratorConfig{}};
  CasDetector cas_rx{CasDetectorConfig{}};
  DtmfCallerIdReceiver dtmf_rx{DtmfCallerIdReceiverConfig{}};
  std::vector<std::int16_t> pcm(16000, 0);
  int messages = 0, alerts = 0;
  auto sink = [&](const CallerIdEvent& e) { messages += !e.begin && e.status == CallerIdStatus::ok; };
  auto cas_sink = [&](const CasEvent& e) { alerts += e.begin; };

  const long before = g_allocations.load();
  cas_tx.start();
  std::size_t n = cas_tx.generate(pcm);
  ASSERT_TRUE(tx.start(bytes));
  n += 800;
  n += tx.generate(std::span(pcm).subspan(n));
  for (std::size_t i = 0; i < pcm.size(); i += 160) {
    const std::span<const std::int16_t> block(pcm.data() + i, std::min<std::size_t>(160, pcm.size() - i));
    rx.process(block, sink);
    cas_rx.process(block, cas_sink);
  }
  rx.end_of_stream(sink);
  for (char d : std::string_view("A5551234C")) dtmf_rx.digit(d, 1000, sink);
  const long after = g_allocations.load();

  EXPECT_EQ(after - before, 0) << "allocations on the audio path";
  EXPECT_EQ(messages, 2);  // the FSK message and the DTMF one
  EXPECT_EQ(alerts, 1);
  EXPECT_LT(n, pcm.size());
}

}  // namespace
}  // namespace linedsp
