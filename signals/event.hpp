// signals/event.hpp — how detectors hand events to their caller.
//
// A detector's process() takes a sink as a template parameter constrained by EventSink: any callable
// taking the detector's event type by const reference. Nothing is owned or allocated: a lambda, a
// struct with operator(), or the caller-owned FixedEventBuffer below.
//
// Events come as begin/end pairs (RFC 4733 needs both: mute at the begin, report the duration at the
// end). Time is samples: every channel counts samples from 0 in a uint64_t.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>

namespace linedsp {

template <class Sink, class Event>
concept EventSink = requires(Sink& sink, const Event& event) { sink(event); };

// A caller-owned fixed buffer of events: pushes beyond capacity are counted in `dropped`, never
// allocated. The caller drains it (clear()) after each process() call.
template <class Event, std::size_t Capacity>
class FixedEventBuffer {
 public:
  void operator()(const Event& e) noexcept {
    if (size_ < Capacity) {
      events_[size_++] = e;
    } else {
      ++dropped_;
    }
  }
  std::size_t size() const noexcept { return size_; }
  std::size_t dropped() const noexcept { return dropped_; }
  const Event& operator[](std::size_t i) const noexcept { return events_[i]; }
  const Event* begin() const noexcept { return events_.data(); }
  const Event* end() const noexcept { return events_.data() + size_; }
  void clear() noexcept { size_ = 0; dropped_ = 0; }

 private:
  std::array<Event, Capacity> events_{};
  std::size_t size_ = 0;
  std::size_t dropped_ = 0;
};

}  // namespace linedsp
