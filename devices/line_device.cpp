#include "devices/line_device.hpp"

namespace linedsp {

const char* line_event_name(LineEventKind kind) noexcept {
  switch (kind) {
    case LineEventKind::hook_off: return "hook-off";
    case LineEventKind::hook_on: return "hook-on";
    case LineEventKind::flash: return "flash";
    case LineEventKind::ring_begin: return "ring-begin";
    case LineEventKind::ring_end: return "ring-end";
    case LineEventKind::polarity: return "polarity";
    case LineEventKind::loop_drop: return "loop-drop";
    case LineEventKind::loop_restore: return "loop-restore";
    case LineEventKind::alarm: return "alarm";
  }
  return "?";
}

}  // namespace linedsp
