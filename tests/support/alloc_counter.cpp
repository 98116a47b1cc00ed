// tests/support/alloc_counter.cpp — the counters behind LINEDSP_COUNT_ALLOCATIONS(). Defines no allocation
// function itself (see alloc_counter.hpp), so linking it costs an executable nothing unless it counts.
#include "support/alloc_counter.hpp"

#include <cstdlib>

#if !LINEDSP_TEST_ASAN
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);
}
#endif

namespace linedsp::test {

namespace {
// Thread-locals with constant initialisation: reading them never allocates (static TLS).
constinit thread_local bool t_active = false;
constinit thread_local std::size_t t_allocations = 0;
constinit thread_local std::size_t t_deallocations = 0;
constinit bool g_installed = false;
constinit bool g_counts_malloc = false;
}  // namespace

void AllocationCounter::begin() noexcept {
  t_allocations = 0;
  t_deallocations = 0;
  t_active = true;
}

std::size_t AllocationCounter::end() noexcept {
  t_active = false;
  return t_allocations;
}

std::size_t AllocationCounter::allocations() noexcept { return t_allocations; }
std::size_t AllocationCounter::deallocations() noexcept { return t_deallocations; }
bool AllocationCounter::installed() noexcept { return g_installed; }
bool AllocationCounter::counts_malloc() noexcept { return g_counts_malloc; }

namespace detail {

void note_allocation() noexcept {
  if (t_active) ++t_allocations;
}

void note_deallocation() noexcept {
  if (t_active) ++t_deallocations;
}

void mark_installed(bool counts_malloc) noexcept {
  g_installed = true;
  g_counts_malloc = counts_malloc;
}

void* raw_alloc(std::size_t size, std::size_t align) noexcept {
  if (size == 0) size = 1;
#if LINEDSP_TEST_ASAN
  if (align > alignof(std::max_align_t)) return std::aligned_alloc(align, (size + align - 1) / align * align);
  return std::malloc(size);
#else
  // glibc's allocator directly, so the malloc replacement does not count the same allocation twice.
  if (align > alignof(std::max_align_t)) return __libc_memalign(align, size);
  return __libc_malloc(size);
#endif
}

void raw_free(void* p) noexcept {
  if (p == nullptr) return;
  note_deallocation();
#if LINEDSP_TEST_ASAN
  std::free(p);
#else
  __libc_free(p);
#endif
}

}  // namespace detail
}  // namespace linedsp::test
