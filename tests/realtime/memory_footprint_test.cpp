// tests/realtime/memory_footprint_test.cpp — memory per channel of each component (DESIGN.md "Memory per channel
// is small, fixed, and documented per component"), measured as the heap bytes a `new T(...)` leaves live: the
// object itself (sizeof) plus every buffer it owns, counted by this executable's own global operator new/delete
// (each allocation records its requested size). The table printed here is the one in docs/embedding.md
// ("Memory per channel"); the test fails when a documented figure is more than 25 % off the measurement, so the
// document cannot drift from the code (update the table from this test's output when a component changes).
//
// It also checks the components' own figures where they report one (memory_bytes(), bytes_per_channel()) are
// within 25 % of the measurement.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <new>
#include <sstream>
#include <string>

#include "codecs/plc.hpp"
#include "codecs/rfc4733.hpp"
#include "devices/sim_line.hpp"
#include "ports/fxo_port.hpp"
#include "ports/fxs_port.hpp"
#include "signals/callerid.hpp"
#include "signals/callerid_bank.hpp"
#include "signals/dtmf_detector.hpp"
#include "signals/dtmf_generator.hpp"
#include "signals/echo_canceller.hpp"
#include "signals/fsk.hpp"
#include "signals/modem_tone_detector.hpp"
#include "signals/modem_tone_generator.hpp"
#include "signals/progress_detector.hpp"
#include "signals/ring.hpp"
#include "signals/tone_disabler.hpp"
#include "signals/tone_generator.hpp"
#include "signals/tone_plan.hpp"
#include "support/paths.hpp"

// ---- byte-counting global operator new/delete (this executable only) -------------------------------------------
namespace {
constinit thread_local long long t_live_bytes = 0;

// noinline: keeps GCC from tracking the header words across the inlined new/delete pair (-Warray-bounds).
[[gnu::noinline]] void* counted_alloc(std::size_t n, std::size_t align) {
  if (align < 16) align = 16;
  char* raw = static_cast<char*>(std::malloc(n + align + 16));
  if (raw == nullptr) return nullptr;
  std::uintptr_t p = reinterpret_cast<std::uintptr_t>(raw) + 16;
  p = (p + align - 1) / align * align;
  reinterpret_cast<void**>(p)[-2] = raw;
  reinterpret_cast<std::size_t*>(p)[-1] = n;
  t_live_bytes += static_cast<long long>(n);
  return reinterpret_cast<void*>(p);
}

[[gnu::noinline]] void counted_free(void* p) noexcept {
  if (p == nullptr) return;
  const std::uintptr_t header = reinterpret_cast<std::uintptr_t>(p) - 16;
  void* raw = nullptr;
  std::size_t n = 0;
  std::memcpy(&raw, reinterpret_cast<const void*>(header), sizeof raw);
  std::memcpy(&n, reinterpret_cast<const void*>(header + 8), sizeof n);
  t_live_bytes -= static_cast<long long>(n);
  std::free(raw);
}
}  // namespace

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  if (void* p = counted_alloc(n, 0)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = counted_alloc(n, 0)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, std::align_val_t a) {
  if (void* p = counted_alloc(n, static_cast<std::size_t>(a))) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) {
  if (void* p = counted_alloc(n, static_cast<std::size_t>(a))) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n, 0); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n, 0); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return counted_alloc(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return counted_alloc(n, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept { counted_free(p); }
void operator delete[](void* p) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { counted_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { counted_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { counted_free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { counted_free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { counted_free(p); }
#pragma GCC diagnostic pop

namespace linedsp {
namespace {

// Bytes live after `new T(args...)` (object + owned buffers), divided by `channels`.
template <class T, class... A>
double footprint(std::size_t channels, A&&... args) {
  const long long before = t_live_bytes;
  T* obj = new T(std::forward<A>(args)...);
  const long long bytes = t_live_bytes - before;
  delete obj;
  return double(bytes) / double(channels);
}

const TonePlan& us_plan() {
  static const TonePlan plan = load_country_plan(test::source_dir() + "/data", "us");
  return plan;
}

std::map<std::string, double> measure() {
  std::map<std::string, double> m;
  EchoCancellerConfig ec64, ec128;
  ec64.tail_ms = 64;
  ec128.tail_ms = 128;
  m["G711Plc"] = footprint<G711Plc>(1);
  m["TelephoneEventSender"] = footprint<TelephoneEventSender>(1, TelephoneEventSenderConfig{});
  m["TelephoneEventReceiver"] = footprint<TelephoneEventReceiver>(1, TelephoneEventReceiverConfig{});
  m["DtmfDetector"] = footprint<DtmfDetector>(1, DtmfDetectorConfig{});
  m["DtmfDetectorBank (per channel of 32)"] = footprint<DtmfDetectorBank>(32, DtmfDetectorConfig{}, 32);
  m["DtmfGenerator"] = footprint<DtmfGenerator>(1, DtmfGeneratorConfig{});
  m["ToneGenerator"] = footprint<ToneGenerator>(1, *us_plan().find("busy"));
  m["ProgressDetector (us plan)"] = footprint<ProgressDetector>(1, us_plan());
  m["ProgressDetectorBank (per channel of 32)"] = footprint<ProgressDetectorBank>(32, us_plan(), 32);
  m["ModemToneDetector"] = footprint<ModemToneDetector>(1, ModemToneDetectorConfig{});
  m["ModemToneDetectorBank (per channel of 32)"] =
      footprint<ModemToneDetectorBank>(32, ModemToneDetectorConfig{}, 32);
  m["ModemToneGenerator"] = footprint<ModemToneGenerator>(1, ModemToneGeneratorConfig{});
  m["ToneDisabler"] = footprint<ToneDisabler>(1, ToneDisablerConfig{});
  m["RingCadenceGenerator"] = footprint<RingCadenceGenerator>(1, *us_plan().find_ring("normal"));
  m["RingDetector"] = footprint<RingDetector>(1, us_plan());
  m["CallerIdReceiver"] = footprint<CallerIdReceiver>(1, CallerIdReceiverConfig{});
  m["CallerIdReceiverBank (per channel of 32)"] =
      footprint<CallerIdReceiverBank>(32, CallerIdReceiverConfig{}, 32);
  m["CallerIdSender"] = footprint<CallerIdSender>(1, CallerIdSenderConfig{});
  m["EchoCanceller (64 ms)"] = footprint<EchoCanceller>(1, ec64);
  m["EchoCanceller (128 ms)"] = footprint<EchoCanceller>(1, ec128);
  m["EchoCancellerBank (64 ms, per channel of 32)"] = footprint<EchoCancellerBank>(32, 32, ec64);
  SimLine line;
  m["FxsPort (us)"] = footprint<FxsPort>(1, us_plan(), line.exchange(), FxsPortConfig::for_country(us_plan()));
  m["FxoPort (us)"] = footprint<FxoPort>(1, us_plan(), line.phone(), FxoPortConfig::for_country(us_plan()));
  m["SimLine"] = footprint<SimLine>(1);
  // A gateway channel as tests/realtime/zero_alloc_test.cpp and bench/gateway_bench.cpp build it.
  m["gateway channel (G711Plc + EC 64 ms + DTMF + progress + modem + RFC 4733 both ways)"] =
      m["G711Plc"] + m["EchoCanceller (64 ms)"] + m["DtmfDetector"] + m["ProgressDetector (us plan)"] +
      m["ModemToneDetector"] + m["TelephoneEventSender"] + m["TelephoneEventReceiver"];
  return m;
}

// The "Memory per channel" table of docs/embedding.md: rows "| <key> | <bytes> | ..." (bytes may contain spaces).
std::map<std::string, double> documented() {
  std::ifstream in(test::source_dir() + "/docs/embedding.md");
  std::map<std::string, double> doc;
  std::string line;
  bool in_table = false;
  while (std::getline(in, line)) {
    if (line.rfind("## Memory per channel", 0) == 0) in_table = true;
    else if (line.rfind("## ", 0) == 0) in_table = false;
    if (!in_table || line.rfind("| ", 0) != 0) continue;
    std::stringstream ss(line.substr(2));
    std::string key, bytes;
    std::getline(ss, key, '|');
    std::getline(ss, bytes, '|');
    while (!key.empty() && key.back() == ' ') key.pop_back();
    if (key.size() > 2 && key.front() == '`') key.erase(0, 1);
    if (auto p = key.find('`'); p != std::string::npos) key.erase(p, 1);
    std::string digits;
    for (char c : bytes)
      if (c >= '0' && c <= '9') digits += c;
    if (!digits.empty()) doc[key] = std::stod(digits);
  }
  return doc;
}

TEST(MemoryFootprint, DocumentedTableMatchesMeasurement) {
  const auto m = measure();
  const auto doc = documented();
  std::printf("| Component | bytes per channel |\n|---|---:|\n");
  for (const auto& [k, v] : m) std::printf("| `%s` | %.0f |\n", k.c_str(), v);
  ASSERT_FALSE(doc.empty()) << "docs/embedding.md has no '## Memory per channel' table";
  for (const auto& [k, v] : m) {
    const auto it = doc.find(k);
    if (it == doc.end()) {
      ADD_FAILURE() << "docs/embedding.md does not list " << k << " (measured " << v << " bytes)";
      continue;
    }
    EXPECT_NEAR(it->second, v, 0.25 * v + 16) << k;
  }
  for (const auto& [k, v] : doc) EXPECT_TRUE(m.count(k)) << "docs/embedding.md lists " << k << ", not measured here";
}

// The components' own reports (used by the benchmarks' bytes_per_channel) agree with the measurement.
TEST(MemoryFootprint, SelfReportedFiguresAgree) {
  EchoCancellerConfig ec64;
  ec64.tail_ms = 64;
  EchoCanceller ec{ec64};
  const double ec_measured = footprint<EchoCanceller>(1, ec64);
  EXPECT_NEAR(double(ec.memory_bytes()), ec_measured, 0.25 * ec_measured);
  CallerIdReceiver rx{CallerIdReceiverConfig{}};
  const double rx_measured = footprint<CallerIdReceiver>(1, CallerIdReceiverConfig{});
  EXPECT_NEAR(double(rx.memory_bytes()), rx_measured, 0.25 * rx_measured);
  ModemToneDetector md{ModemToneDetectorConfig{}};
  const double md_measured = footprint<ModemToneDetector>(1, ModemToneDetectorConfig{});
  EXPECT_NEAR(double(md.memory_bytes()), md_measured, 0.25 * md_measured);
  ProgressDetector pd{us_plan()};
  const double pd_measured = footprint<ProgressDetector>(1, us_plan());
  std::printf("ProgressDetector::bytes_per_channel() = %zu, measured %.0f (the difference is the shared plan)\n",
              pd.bytes_per_channel(), pd_measured);
  EXPECT_LE(double(pd.bytes_per_channel()), pd_measured * 1.25);
}

}  // namespace
}  // namespace linedsp
