// fuzz/file_reader_fuzz.cpp — devices/file_device on arbitrary bytes as a file (libsndfile's parsers, our
// header checks, the NaN/truncation checks, the resampler). The first byte chooses: a headerless read
// (s16le/ulaw/alaw at an odd rate and channel count) or an ordinary open. Any exception is a documented
// "PATH: reason" error; what must never happen is a crash, a leak, UB or a hang.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "devices/file_device.hpp"

namespace {
std::string temp_path() {
  static const std::string p = [] {
    char tmpl[] = "/tmp/linedsp-fuzz-XXXXXX";
    const int fd = mkstemp(tmpl);
    if (fd >= 0) close(fd);
    return std::string(tmpl);
  }();
  return p;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t mode = data[0];
  const std::string path = temp_path();
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data + 1, 1, size - 1, f);
  std::fclose(f);
  linedsp::FileOpenOptions opt;
  if (mode & 0x80) {
    linedsp::RawFormat raw;
    raw.encoding = static_cast<linedsp::SampleEncoding>((mode >> 5) & 3 % 3);
    static const int rates[4] = {8000, 11025, 4000, 48000};
    raw.sample_rate_hz = rates[(mode >> 2) & 3];
    raw.channels = 1 + (mode & 3);
    opt.raw = raw;
  }
  if (mode & 0x40) opt.target_rate_hz = 0;
  try {
    linedsp::FileDevice dev(path, opt);
    std::vector<std::int16_t> buf(256 * 64);
    const std::size_t frames = 256;
    while (dev.read(std::span<std::int16_t>(buf.data(), frames * dev.format().channels)) > 0) {
    }
    (void)dev.error();
  } catch (const std::runtime_error&) {
  }
  return 0;
}
