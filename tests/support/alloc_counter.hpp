// tests/support/alloc_counter.hpp — counts heap allocations made by the current thread between
// AllocationCounter::begin() and end(), so a test can prove a process() call never allocates (DESIGN.md
// "Processors", issue 7's real-time contract).
//
// Use: expand LINEDSP_COUNT_ALLOCATIONS() once, at global scope, in the test .cpp that wants counting. It
// defines the replaceable global operator new/delete (every form: plain, array, nothrow, sized, aligned)
// and, outside AddressSanitizer builds, malloc/calloc/realloc/reallocarray/free/aligned_alloc/
// posix_memalign/memalign/valloc/pvalloc forwarding to glibc's __libc_* entry points — so allocations
// through malloc from C code (libsndfile, KissFFT, spandsp ...) are counted too. Under ASan the malloc
// family belongs to the sanitizer runtime and is not replaced (operator new still is, which ASan allows):
// AllocationCounter::counts_malloc() says which. Only executables that expand the macro get the
// replacements; this header and alloc_counter.cpp define no allocation symbol themselves (a symbol like
// `malloc` in a static support library would be pulled into every test executable).
//
//   LINEDSP_COUNT_ALLOCATIONS()
//   TEST(X, ProcessDoesNotAllocate) {
//     linedsp::test::AllocationCounter::begin();
//     det.process(pcm, sink);
//     EXPECT_EQ(linedsp::test::AllocationCounter::end(), 0u);
//   }
#pragma once

#include <cstddef>
#include <new>
#include "support/sanitizer.hpp"

namespace linedsp::test {

class AllocationCounter {
 public:
  // Starts counting on the calling thread (from zero). Other threads are never counted.
  static void begin() noexcept;
  // Stops counting and returns the number of allocations (new or malloc family) since begin().
  static std::size_t end() noexcept;
  // Allocations and deallocations counted so far in the current begin()..end() span.
  static std::size_t allocations() noexcept;
  static std::size_t deallocations() noexcept;
  // Whether LINEDSP_COUNT_ALLOCATIONS() is expanded in this executable (else nothing is ever counted).
  static bool installed() noexcept;
  // Whether the malloc family is counted too (false in AddressSanitizer builds, see above).
  static bool counts_malloc() noexcept;
};

// RAII form: counts while alive.  { ScopedAllocationCount c; work(); EXPECT_EQ(c.allocations(), 0u); }
class ScopedAllocationCount {
 public:
  ScopedAllocationCount() noexcept { AllocationCounter::begin(); }
  ~ScopedAllocationCount() { AllocationCounter::end(); }
  std::size_t allocations() const noexcept { return AllocationCounter::allocations(); }
  ScopedAllocationCount(const ScopedAllocationCount&) = delete;
  ScopedAllocationCount& operator=(const ScopedAllocationCount&) = delete;
};

namespace detail {
void note_allocation() noexcept;
void note_deallocation() noexcept;
void mark_installed(bool counts_malloc) noexcept;
// Raw allocation for the operator new replacements: glibc's allocator directly (not counted again), or
// malloc under ASan.
void* raw_alloc(std::size_t size, std::size_t align) noexcept;
void raw_free(void* p) noexcept;
}  // namespace detail

}  // namespace linedsp::test

#if LINEDSP_TEST_ASAN
#define LINEDSP_ALLOC_COUNTER_MALLOC_HOOKS_ 0
#else
#define LINEDSP_ALLOC_COUNTER_MALLOC_HOOKS_ 1
#endif

// clang-format off
#define LINEDSP_ALLOC_COUNTER_NEW_(size, align)                                   \
  do {                                                                            \
    ::linedsp::test::detail::note_allocation();                                   \
    if (void* p_ = ::linedsp::test::detail::raw_alloc((size), (align))) return p_;\
  } while (0)

#define LINEDSP_ALLOC_COUNTER_OPERATORS_()                                                                     \
  _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wmismatched-new-delete\"")                \
  void* operator new(std::size_t n) { LINEDSP_ALLOC_COUNTER_NEW_(n, 0); throw std::bad_alloc(); }              \
  void* operator new[](std::size_t n) { LINEDSP_ALLOC_COUNTER_NEW_(n, 0); throw std::bad_alloc(); }            \
  void* operator new(std::size_t n, const std::nothrow_t&) noexcept { LINEDSP_ALLOC_COUNTER_NEW_(n, 0); return nullptr; } \
  void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { LINEDSP_ALLOC_COUNTER_NEW_(n, 0); return nullptr; } \
  void* operator new(std::size_t n, std::align_val_t a) { LINEDSP_ALLOC_COUNTER_NEW_(n, std::size_t(a)); throw std::bad_alloc(); } \
  void* operator new[](std::size_t n, std::align_val_t a) { LINEDSP_ALLOC_COUNTER_NEW_(n, std::size_t(a)); throw std::bad_alloc(); } \
  void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { LINEDSP_ALLOC_COUNTER_NEW_(n, std::size_t(a)); return nullptr; } \
  void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { LINEDSP_ALLOC_COUNTER_NEW_(n, std::size_t(a)); return nullptr; } \
  void operator delete(void* p) noexcept { ::linedsp::test::detail::raw_free(p); }                              \
  void operator delete[](void* p) noexcept { ::linedsp::test::detail::raw_free(p); }                            \
  void operator delete(void* p, const std::nothrow_t&) noexcept { ::linedsp::test::detail::raw_free(p); }       \
  void operator delete[](void* p, const std::nothrow_t&) noexcept { ::linedsp::test::detail::raw_free(p); }     \
  void operator delete(void* p, std::size_t) noexcept { ::linedsp::test::detail::raw_free(p); }                 \
  void operator delete[](void* p, std::size_t) noexcept { ::linedsp::test::detail::raw_free(p); }               \
  void operator delete(void* p, std::align_val_t) noexcept { ::linedsp::test::detail::raw_free(p); }            \
  void operator delete[](void* p, std::align_val_t) noexcept { ::linedsp::test::detail::raw_free(p); }          \
  void operator delete(void* p, std::size_t, std::align_val_t) noexcept { ::linedsp::test::detail::raw_free(p); } \
  void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { ::linedsp::test::detail::raw_free(p); } \
  void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { ::linedsp::test::detail::raw_free(p); } \
  void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { ::linedsp::test::detail::raw_free(p); } \
  _Pragma("GCC diagnostic pop")

#if LINEDSP_ALLOC_COUNTER_MALLOC_HOOKS_
// glibc's documented malloc replacement ("Replacing malloc" in the glibc manual): the executable defines the
// malloc family; glibc and every shared library then call these.
#define LINEDSP_ALLOC_COUNTER_MALLOC_()                                                                       \
  extern "C" {                                                                                                \
  void* __libc_malloc(std::size_t);                                                                           \
  void* __libc_calloc(std::size_t, std::size_t);                                                              \
  void* __libc_realloc(void*, std::size_t);                                                                   \
  void* __libc_memalign(std::size_t, std::size_t);                                                            \
  void* __libc_valloc(std::size_t);                                                                           \
  void* __libc_pvalloc(std::size_t);                                                                          \
  void __libc_free(void*);                                                                                    \
  void* malloc(std::size_t n) { ::linedsp::test::detail::note_allocation(); return __libc_malloc(n); }        \
  void* calloc(std::size_t k, std::size_t n) { ::linedsp::test::detail::note_allocation(); return __libc_calloc(k, n); } \
  void* realloc(void* p, std::size_t n) { ::linedsp::test::detail::note_allocation(); return __libc_realloc(p, n); } \
  void* reallocarray(void* p, std::size_t k, std::size_t n) {                                                 \
    ::linedsp::test::detail::note_allocation();                                                               \
    if (n != 0 && k > static_cast<std::size_t>(-1) / n) return nullptr;                                       \
    return __libc_realloc(p, k * n);                                                                          \
  }                                                                                                           \
  void free(void* p) { if (p) ::linedsp::test::detail::note_deallocation(); __libc_free(p); }                 \
  void* memalign(std::size_t a, std::size_t n) { ::linedsp::test::detail::note_allocation(); return __libc_memalign(a, n); } \
  void* aligned_alloc(std::size_t a, std::size_t n) { ::linedsp::test::detail::note_allocation(); return __libc_memalign(a, n); } \
  void* valloc(std::size_t n) { ::linedsp::test::detail::note_allocation(); return __libc_valloc(n); }        \
  void* pvalloc(std::size_t n) { ::linedsp::test::detail::note_allocation(); return __libc_pvalloc(n); }      \
  int posix_memalign(void** out, std::size_t a, std::size_t n) {                                              \
    ::linedsp::test::detail::note_allocation();                                                               \
    if (a < sizeof(void*) || (a & (a - 1)) != 0) return 22; /* EINVAL */                                      \
    void* p = __libc_memalign(a, n);                                                                          \
    if (p == nullptr && n != 0) return 12; /* ENOMEM */                                                       \
    *out = p;                                                                                                 \
    return 0;                                                                                                 \
  }                                                                                                           \
  }
#else
#define LINEDSP_ALLOC_COUNTER_MALLOC_()
#endif

#define LINEDSP_COUNT_ALLOCATIONS()                                                                            \
  LINEDSP_ALLOC_COUNTER_OPERATORS_()                                                                           \
  LINEDSP_ALLOC_COUNTER_MALLOC_()                                                                              \
  namespace {                                                                                                  \
  [[maybe_unused]] const bool linedsp_alloc_counter_installed_ =                                               \
      (::linedsp::test::detail::mark_installed(LINEDSP_ALLOC_COUNTER_MALLOC_HOOKS_ != 0), true);               \
  }                                                                                                            \
  static_assert(true, "LINEDSP_COUNT_ALLOCATIONS() takes a semicolon")
// clang-format on
