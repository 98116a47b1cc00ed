#pragma once
// LINEDSP_TEST_ASAN is 1 in AddressSanitizer builds, with GCC (__SANITIZE_ADDRESS__) or clang (__has_feature).
#if defined(__SANITIZE_ADDRESS__)
#define LINEDSP_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LINEDSP_TEST_ASAN 1
#endif
#endif
#ifndef LINEDSP_TEST_ASAN
#define LINEDSP_TEST_ASAN 0
#endif
