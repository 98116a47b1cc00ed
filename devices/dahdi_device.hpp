// devices/dahdi_device.hpp — the DAHDI backend: a real FXS or FXO port on a DAHDI card
// (Digium/Sangoma/OpenVox analog cards, driven by the dahdi kernel modules).
//
// One DahdiDevice is one DAHDI channel, opened as DAHDI's user API prescribes:
//   open("/dev/dahdi/channel") → ioctl DAHDI_SPECIFY(channel) → DAHDI_SET_BLOCKSIZE(samples)
//   → DAHDI_SETLINEAR(1) for 16-bit linear audio, or DAHDI_SETLINEAR(0) + DAHDI_SETLAW for G.711 bytes
//   → DAHDI_GET_PARAMS to learn the channel's signalling (FXS port or FXO port).
// read() returns blocks of audio; when the driver has a signalling event queued, read() fails with
// errno ELAST and the event is fetched with DAHDI_GETEVENT, stamped with the frame count at that
// moment and queued for poll_event(). Controls map to DAHDI_HOOK (off-hook, on-hook, flash, ring,
// ring off; ring cadence via DAHDI_SETCADENCE) and DAHDI_SETPOLARITY.
//
// Naming trap: DAHDI names a channel by the signalling it USES, so a port that faces a phone (an FXS
// port) has "FXO" signalling (DAHDI_SIG_FXOLS/GS/KS) and a port that faces a line (an FXO port) has
// "FXS" signalling. DahdiDevice::port_kind() reports the port as this project names it.
//
// Event mapping (from dahdi-base.c's hook-signal state machine):
//   FXS port (phone side):  RINGOFFHOOK → hook_off, ONHOOK → hook_on (after the flash window),
//                           WINKFLASH → flash, RINGERON/RINGEROFF → ring_begin/ring_end (our ringing),
//                           POLARITY → polarity.
//   FXO port (line side):   RINGBEGIN → ring_begin, RINGOFFHOOK → ring_begin (drivers without
//                           RINGBEGIN report the ring this way), POLARITY → polarity, ONHOOK while
//                           off-hook → loop_drop (kewlstart disconnect supervision), HOOKCOMPLETE
//                           while off-hook → loop_restore. DAHDI queues no event when a detected
//                           ring stops (the driver's ring-off becomes a silent RXSIG_OFFHOOK), so
//                           the FXO port infers ring end from the cadence, as chan_dahdi does.
//   Both: ALARM → alarm. Other events (DTMF from hardware, EC status, overruns) are counted and dropped.
//
// The system calls go through DahdiSyscalls so that tests drive the backend with a fake that follows
// these semantics, without a card. Built only where the DAHDI user headers (Debian: dahdi-source) are.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "devices/line_device.hpp"

namespace linedsp {

// The seam: every system call the backend makes. The real one calls the kernel.
class DahdiSyscalls {
 public:
  virtual ~DahdiSyscalls() = default;
  virtual int open(const char* path, int flags) noexcept = 0;
  virtual int close(int fd) noexcept = 0;
  virtual int ioctl(int fd, unsigned long request, void* arg) noexcept = 0;  // sets errno on failure
  virtual ssize_t read(int fd, void* buffer, std::size_t bytes) noexcept = 0;
  virtual ssize_t write(int fd, const void* buffer, std::size_t bytes) noexcept = 0;
};
DahdiSyscalls& real_dahdi_syscalls() noexcept;

enum class DahdiAudioMode : std::uint8_t { linear, ulaw, alaw };

struct DahdiConfig {
  int channel = 1;                               // DAHDI channel number (see `dahdi_scan`/`lsdahdi`)
  int block_size_samples = 160;                  // 20 ms at 8 kHz; DAHDI's default is 160
  DahdiAudioMode mode = DahdiAudioMode::linear;  // linear asks the driver to convert; law moves bytes
  std::string device_path = "/dev/dahdi/channel";
};

enum class DahdiPortKind : std::uint8_t { fxs, fxo, other };

class DahdiDevice final : public LineDevice {
 public:
  // Opens and configures the channel; throws std::runtime_error("dahdi:N: reason") on failure.
  explicit DahdiDevice(const DahdiConfig& config, DahdiSyscalls& sys = real_dahdi_syscalls());
  ~DahdiDevice() override;
  DahdiDevice(const DahdiDevice&) = delete;
  DahdiDevice& operator=(const DahdiDevice&) = delete;

  AudioFormat format() const noexcept override { return {8000, 1}; }
  DeviceCapabilities capabilities() const noexcept override;
  const std::string& name() const noexcept override { return name_; }
  const std::string& error() const noexcept override { return error_; }

  std::size_t read(std::span<std::int16_t> frames) noexcept override;
  std::size_t write(std::span<const std::int16_t> frames) noexcept override;
  std::optional<LineEvent> poll_event() noexcept override;

  bool off_hook(int channel = 0) noexcept override;
  bool on_hook(int channel = 0) noexcept override;
  bool flash(int channel = 0) noexcept override;
  bool ring(const RingCadence& cadence, int channel = 0) noexcept override;
  bool ring_off(int channel = 0) noexcept override;
  bool reverse_polarity(bool reversed, int channel = 0) noexcept override;

  DahdiPortKind port_kind() const noexcept { return port_kind_; }
  std::uint64_t frames_read() const noexcept { return frames_read_; }
  std::uint64_t dropped_events() const noexcept { return dropped_events_; }

 private:
  void fetch_event() noexcept;
  void push_event(LineEventKind kind) noexcept;
  bool hook(int value) noexcept;

  DahdiSyscalls& sys_;
  DahdiConfig config_;
  std::string name_;
  std::string error_;
  int fd_ = -1;
  DahdiPortKind port_kind_ = DahdiPortKind::other;
  bool off_hook_ = false;
  std::uint64_t frames_read_ = 0;
  std::uint64_t dropped_events_ = 0;
  std::vector<std::uint8_t> law_buffer_;  // law mode: bytes of one block (allocated when opened)
  static constexpr std::size_t kEventQueue = 64;
  std::array<LineEvent, kEventQueue> events_{};
  std::size_t event_head_ = 0, event_count_ = 0;
};

}  // namespace linedsp
