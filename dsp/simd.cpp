#include "dsp/simd.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <xmmintrin.h>
#define LINEDSP_X86 1
#endif

namespace linedsp {

namespace {

#if LINEDSP_X86
unsigned long long xgetbv0() noexcept {
  unsigned int eax = 0, edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<unsigned long long>(edx) << 32) | eax;
}
#endif

constexpr int kNoOverride = -1;
std::atomic<int> g_forced{kNoOverride};

}  // namespace

CpuFeatures CpuFeatures::detect() noexcept {
  CpuFeatures f;
#if LINEDSP_X86
  unsigned int a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  f.sse2 = (d >> 26) & 1u;
  const bool osxsave = (c >> 27) & 1u;
  const bool fma = (c >> 12) & 1u;
  const bool avx = (c >> 28) & 1u;
  if (!osxsave || !avx) return f;
  const unsigned long long xcr0 = xgetbv0();
  const bool ymm_os = (xcr0 & 0x6) == 0x6;
  const bool zmm_os = (xcr0 & 0xe6) == 0xe6;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return f;
  const bool avx2 = (b >> 5) & 1u;
  const bool avx512f = (b >> 16) & 1u, avx512dq = (b >> 17) & 1u;
  const bool avx512bw = (b >> 30) & 1u, avx512vl = (b >> 31) & 1u;
  f.avx2 = ymm_os && avx2 && fma;
  f.avx512 = f.avx2 && zmm_os && avx512f && avx512dq && avx512bw && avx512vl;
#endif
  return f;
}

Isa best_isa(const CpuFeatures& cpu) noexcept {
  if (cpu.avx512) return Isa::avx512;
  if (cpu.avx2) return Isa::avx2;
  if (cpu.sse2) return Isa::sse2;
  return Isa::scalar;
}

bool isa_supported(Isa isa) noexcept {
  static const CpuFeatures cpu = CpuFeatures::detect();
  switch (isa) {
    case Isa::scalar: return true;
    case Isa::sse2: return cpu.sse2;
    case Isa::avx2: return cpu.avx2;
    case Isa::avx512: return cpu.avx512;
  }
  return false;
}

std::vector<Isa> available_isas() {
  std::vector<Isa> out;
  for (Isa i : {Isa::scalar, Isa::sse2, Isa::avx2, Isa::avx512})
    if (isa_supported(i)) out.push_back(i);
  return out;
}

const char* isa_name(Isa isa) noexcept {
  switch (isa) {
    case Isa::scalar: return "scalar";
    case Isa::sse2: return "sse2";
    case Isa::avx2: return "avx2";
    case Isa::avx512: return "avx512";
  }
  return "?";
}

std::optional<Isa> parse_isa(std::string_view name) noexcept {
  for (Isa i : {Isa::scalar, Isa::sse2, Isa::avx2, Isa::avx512})
    if (name == isa_name(i)) return i;
  return std::nullopt;
}

Isa active_isa() noexcept {
  const int forced = g_forced.load(std::memory_order_relaxed);
  if (forced != kNoOverride) return static_cast<Isa>(forced);
  static const Isa chosen = [] {
    const Isa best = best_isa(CpuFeatures::detect());
    const char* env = std::getenv("LINEDSP_SIMD");
    if (env == nullptr || *env == '\0') return best;
    const auto want = parse_isa(env);
    if (!want) {
      std::fprintf(stderr, "linedsp: LINEDSP_SIMD=%s is not one of scalar|sse2|avx2|avx512; using %s\n", env,
                   isa_name(best));
      return best;
    }
    if (!isa_supported(*want)) {
      std::fprintf(stderr, "linedsp: LINEDSP_SIMD=%s is not supported by this CPU; using %s\n", env,
                   isa_name(best));
      return best;
    }
    return *want;
  }();
  return chosen;
}

ScopedIsa::ScopedIsa(Isa isa) noexcept : previous_(g_forced.exchange(static_cast<int>(isa))) {}
ScopedIsa::~ScopedIsa() { g_forced.store(previous_); }

ScopedDenormalsOff::ScopedDenormalsOff() noexcept : saved_(0) {
#if LINEDSP_X86
  saved_ = _mm_getcsr();
  _mm_setcsr(saved_ | 0x8040u);  // FTZ (bit 15) | DAZ (bit 6)
#endif
}
ScopedDenormalsOff::~ScopedDenormalsOff() {
#if LINEDSP_X86
  _mm_setcsr(saved_);
#endif
}

}  // namespace linedsp
