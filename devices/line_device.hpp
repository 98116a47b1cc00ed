// devices/line_device.hpp — the driver layer's one interface: audio blocks in and out, line signalling
// events, and line controls, over several backends (file, pipe, DAHDI, simulated line).
//
// A device carries one or more channels of 8 kHz (or 16 kHz) linear PCM, int16, interleaved by frame.
// Time is samples: every event carries the frame index at which it happened, counted from 0 when the
// device was opened. read()/write() never allocate after open; a backend that cannot do something says
// so in capabilities() and its control calls return false.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace linedsp {

enum class LineEventKind : std::uint8_t {
  hook_off,      // the phone (FXS port) or the port itself (FXO) went off-hook
  hook_on,       // on-hook (a long one: hang-up)
  flash,         // a hook flash (on-hook shorter than the flash limit)
  ring_begin,    // ringing voltage applied / detected
  ring_end,
  polarity,      // battery polarity reversed
  loop_drop,     // loop current interrupted (open switch interval, disconnect supervision)
  loop_restore,
  alarm,         // the hardware reports a fault
};
const char* line_event_name(LineEventKind kind) noexcept;

struct LineEvent {
  LineEventKind kind;
  std::uint16_t channel = 0;
  std::uint64_t frame = 0;  // sample index on the device's clock
};

struct DeviceCapabilities {
  bool audio_in = false;
  bool audio_out = false;
  bool signalling_events = false;  // produces LineEvents
  bool hook_control = false;       // off_hook / on_hook / flash
  bool ring_control = false;       // ring with a cadence
  bool polarity_control = false;
};

struct AudioFormat {
  int sample_rate_hz = 8000;
  int channels = 1;
};

// A ring cadence as on/off durations in milliseconds, repeated: {2000, 4000} is North America.
struct RingCadence {
  static constexpr std::size_t kMaxSegments = 8;
  std::uint32_t segments_ms[kMaxSegments] = {};
  std::size_t count = 0;
};

class LineDevice {
 public:
  virtual ~LineDevice() = default;

  virtual AudioFormat format() const noexcept = 0;
  virtual DeviceCapabilities capabilities() const noexcept = 0;
  // A name for messages: the file's path, "stdin", "dahdi:12", "sim:exchange" ...
  virtual const std::string& name() const noexcept = 0;

  // Reads up to frames.size()/channels frames into `frames` (interleaved). Returns the number of frames
  // read; 0 at end of stream. Errors (a truncated file, an I/O failure) are reported by
  // error(), with read() returning what was read before it.
  virtual std::size_t read(std::span<std::int16_t> frames) noexcept = 0;
  // Writes whole frames; returns frames written.
  virtual std::size_t write(std::span<const std::int16_t> frames) noexcept { (void)frames; return 0; }
  // The next pending line event, if any.
  virtual std::optional<LineEvent> poll_event() noexcept { return std::nullopt; }

  // Controls: return false when the backend cannot do it (see capabilities()).
  virtual bool off_hook(int channel = 0) noexcept { (void)channel; return false; }
  virtual bool on_hook(int channel = 0) noexcept { (void)channel; return false; }
  virtual bool flash(int channel = 0) noexcept { (void)channel; return false; }
  virtual bool ring(const RingCadence& cadence, int channel = 0) noexcept { (void)cadence; (void)channel; return false; }
  virtual bool ring_off(int channel = 0) noexcept { (void)channel; return false; }
  virtual bool reverse_polarity(bool reversed, int channel = 0) noexcept { (void)reversed; (void)channel; return false; }

  // Empty while all is well; else one line saying what went wrong (without the device name).
  virtual const std::string& error() const noexcept = 0;
};

}  // namespace linedsp
