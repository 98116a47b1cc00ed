// fuzz/pipe_fuzz.cpp — devices/pipe_device reading arbitrary bytes from a pipe as headerless samples (the
// first byte picks the encoding, rate and channel count), the path of `linedsp detect --raw ... -`.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

#include "devices/pipe_device.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t mode = data[0];
  int fds[2];
  if (pipe(fds) != 0) return 0;
  // A writer thread: inputs larger than the pipe buffer must not deadlock the reader.
  std::thread writer([&] {
    std::size_t off = 1;
    while (off < size) {
      const ssize_t n = write(fds[1], data + off, size - off);
      if (n <= 0) break;
      off += std::size_t(n);
    }
    close(fds[1]);
  });
  linedsp::PipeOptions opt;
  opt.format.encoding = static_cast<linedsp::SampleEncoding>(((mode >> 5) & 3) % 3);
  static const int rates[4] = {8000, 16000, 4000, 44100};
  opt.format.sample_rate_hz = rates[(mode >> 2) & 3];
  opt.format.channels = 1 + (mode & 3);
  opt.in_fd = fds[0];
  opt.target_rate_hz = (mode & 0x80) ? 0 : 8000;
  try {
    linedsp::PipeDevice dev("fuzz", opt);
    std::vector<std::int16_t> buf(160 * 4);
    while (dev.read(std::span<std::int16_t>(buf.data(), 160 * std::size_t(dev.format().channels))) > 0) {
    }
    (void)dev.error();
  } catch (const std::runtime_error&) {
  }
  writer.join();
  close(fds[0]);
  return 0;
}
