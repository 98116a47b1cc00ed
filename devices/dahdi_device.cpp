// devices/dahdi_device.cpp — see dahdi_device.hpp for the DAHDI user-API sequence and event mapping.
#include "devices/dahdi_device.hpp"

#include <dahdi/user.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "codecs/g711.hpp"

namespace linedsp {
namespace {

class RealDahdiSyscalls final : public DahdiSyscalls {
 public:
  int open(const char* path, int flags) noexcept override { return ::open(path, flags); }
  int close(int fd) noexcept override { return ::close(fd); }
  int ioctl(int fd, unsigned long request, void* arg) noexcept override { return ::ioctl(fd, request, arg); }
  ssize_t read(int fd, void* buffer, std::size_t bytes) noexcept override { return ::read(fd, buffer, bytes); }
  ssize_t write(int fd, const void* buffer, std::size_t bytes) noexcept override {
    return ::write(fd, buffer, bytes);
  }
};

constexpr int kMaxReadRetries = 16;  // events drained per read() before giving up on audio

}  // namespace

DahdiSyscalls& real_dahdi_syscalls() noexcept {
  static RealDahdiSyscalls sys;
  return sys;
}

DahdiDevice::DahdiDevice(const DahdiConfig& config, DahdiSyscalls& sys)
    : sys_(sys), config_(config), name_("dahdi:" + std::to_string(config.channel)) {
  auto fail = [this](const std::string& what) {
    if (fd_ >= 0) sys_.close(fd_);
    fd_ = -1;
    throw std::runtime_error(name_ + ": " + what);
  };
  if (config.channel < 1) fail("channel must be 1 or more, not " + std::to_string(config.channel));
  if (config.block_size_samples < 8 || config.block_size_samples > 8000)
    fail("block size must be 8..8000 samples, not " + std::to_string(config.block_size_samples));

  fd_ = sys_.open(config.device_path.c_str(), O_RDWR);
  if (fd_ < 0) {
    const int err = errno;
    fail(config.device_path + ": " + std::strerror(err) +
         (err == ENOENT ? " (is the DAHDI driver loaded? see `dahdi_cfg -vv`)" : ""));
  }
  int channel = config.channel;
  if (sys_.ioctl(fd_, DAHDI_SPECIFY, &channel) != 0)
    fail(std::string("no such channel (DAHDI_SPECIFY: ") + std::strerror(errno) + ")");
  int block = config.block_size_samples;
  if (sys_.ioctl(fd_, DAHDI_SET_BLOCKSIZE, &block) != 0)
    fail(std::string("cannot set block size (DAHDI_SET_BLOCKSIZE: ") + std::strerror(errno) + ")");
  int linear = config.mode == DahdiAudioMode::linear ? 1 : 0;
  if (sys_.ioctl(fd_, DAHDI_SETLINEAR, &linear) != 0)
    fail(std::string("cannot set audio mode (DAHDI_SETLINEAR: ") + std::strerror(errno) + ")");
  if (config.mode != DahdiAudioMode::linear) {
    int law = config.mode == DahdiAudioMode::ulaw ? DAHDI_LAW_MULAW : DAHDI_LAW_ALAW;
    if (sys_.ioctl(fd_, DAHDI_SETLAW, &law) != 0)
      fail(std::string("cannot set G.711 law (DAHDI_SETLAW: ") + std::strerror(errno) + ")");
    law_buffer_.resize(static_cast<std::size_t>(config.block_size_samples));
  }
  dahdi_params params{};
  params.channo = config.channel;
  if (sys_.ioctl(fd_, DAHDI_GET_PARAMS, &params) != 0)
    fail(std::string("cannot read channel parameters (DAHDI_GET_PARAMS: ") + std::strerror(errno) + ")");
  // DAHDI names the signalling a channel uses: FXO signalling drives a phone, so the port is FXS.
  if (params.sigtype & __DAHDI_SIG_FXO)
    port_kind_ = DahdiPortKind::fxs;
  else if (params.sigtype & __DAHDI_SIG_FXS)
    port_kind_ = DahdiPortKind::fxo;
  else
    fail("not an analog FXS/FXO channel (signalling type " + std::to_string(params.sigtype) + ")");
  off_hook_ = params.rxisoffhook != 0 && port_kind_ == DahdiPortKind::fxo;
}

DahdiDevice::~DahdiDevice() {
  if (fd_ >= 0) sys_.close(fd_);
}

DeviceCapabilities DahdiDevice::capabilities() const noexcept {
  DeviceCapabilities caps;
  caps.audio_in = caps.audio_out = caps.signalling_events = true;
  caps.hook_control = port_kind_ == DahdiPortKind::fxo;
  caps.ring_control = caps.polarity_control = port_kind_ == DahdiPortKind::fxs;
  return caps;
}

void DahdiDevice::push_event(LineEventKind kind) noexcept {
  if (event_count_ == kEventQueue) {  // the oldest is lost; say so rather than block the audio path
    ++dropped_events_;
    event_head_ = (event_head_ + 1) % kEventQueue;
    --event_count_;
  }
  events_[(event_head_ + event_count_) % kEventQueue] = LineEvent{kind, 0, frames_read_};
  ++event_count_;
}

void DahdiDevice::fetch_event() noexcept {
  int event = DAHDI_EVENT_NONE;
  if (sys_.ioctl(fd_, DAHDI_GETEVENT, &event) != 0 || event == DAHDI_EVENT_NONE) return;
  const bool fxs = port_kind_ == DahdiPortKind::fxs;
  switch (event) {
    case DAHDI_EVENT_RINGOFFHOOK:
      push_event(fxs ? LineEventKind::hook_off : LineEventKind::ring_begin);
      break;
    case DAHDI_EVENT_ONHOOK:
      if (fxs)
        push_event(LineEventKind::hook_on);
      else if (off_hook_)
        push_event(LineEventKind::loop_drop);
      else
        ++dropped_events_;  // on-hook and idle: nothing to report
      break;
    case DAHDI_EVENT_WINKFLASH: push_event(LineEventKind::flash); break;
    case DAHDI_EVENT_RINGBEGIN: push_event(LineEventKind::ring_begin); break;
    case DAHDI_EVENT_RINGERON: push_event(LineEventKind::ring_begin); break;
    case DAHDI_EVENT_RINGEROFF: push_event(LineEventKind::ring_end); break;
    case DAHDI_EVENT_POLARITY: push_event(LineEventKind::polarity); break;
    case DAHDI_EVENT_HOOKCOMPLETE:
      if (!fxs && off_hook_) push_event(LineEventKind::loop_restore);
      break;
    case DAHDI_EVENT_ALARM: push_event(LineEventKind::alarm); break;
    default: ++dropped_events_; break;
  }
}

std::size_t DahdiDevice::read(std::span<std::int16_t> frames) noexcept {
  std::size_t done = 0;
  int retries = 0;
  while (done < frames.size()) {
    const std::size_t want = std::min<std::size_t>(frames.size() - done,
                                                   static_cast<std::size_t>(config_.block_size_samples));
    ssize_t got;
    if (config_.mode == DahdiAudioMode::linear) {
      got = sys_.read(fd_, frames.data() + done, want * sizeof(std::int16_t));
      if (got > 0) got /= static_cast<ssize_t>(sizeof(std::int16_t));
    } else {
      got = sys_.read(fd_, law_buffer_.data(), want);
      if (got > 0)
        g711_decode(config_.mode == DahdiAudioMode::ulaw ? Law::ulaw : Law::alaw,
                    std::span<const std::uint8_t>(law_buffer_.data(), static_cast<std::size_t>(got)),
                    frames.subspan(done, static_cast<std::size_t>(got)));
    }
    if (got > 0) {
      done += static_cast<std::size_t>(got);
      frames_read_ += static_cast<std::uint64_t>(got);
      continue;
    }
    if (got < 0 && errno == ELAST && ++retries <= kMaxReadRetries) {  // an event is waiting
      fetch_event();
      continue;
    }
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && errno != EAGAIN) error_ = std::string("read: ") + std::strerror(errno);
    break;
  }
  return done;
}

std::size_t DahdiDevice::write(std::span<const std::int16_t> frames) noexcept {
  std::size_t done = 0;
  while (done < frames.size()) {
    const std::size_t want = std::min<std::size_t>(frames.size() - done,
                                                   static_cast<std::size_t>(config_.block_size_samples));
    ssize_t put;
    if (config_.mode == DahdiAudioMode::linear) {
      put = sys_.write(fd_, frames.data() + done, want * sizeof(std::int16_t));
      if (put > 0) put /= static_cast<ssize_t>(sizeof(std::int16_t));
    } else {
      g711_encode(config_.mode == DahdiAudioMode::ulaw ? Law::ulaw : Law::alaw, frames.subspan(done, want),
                  std::span<std::uint8_t>(law_buffer_.data(), want));
      put = sys_.write(fd_, law_buffer_.data(), want);
    }
    if (put > 0) {
      done += static_cast<std::size_t>(put);
      continue;
    }
    if (put < 0 && errno == ELAST) {  // writes also report pending events
      fetch_event();
      continue;
    }
    if (put < 0 && errno == EINTR) continue;
    if (put < 0 && errno != EAGAIN) error_ = std::string("write: ") + std::strerror(errno);
    break;
  }
  return done;
}

std::optional<LineEvent> DahdiDevice::poll_event() noexcept {
  if (event_count_ == 0) return std::nullopt;
  const LineEvent e = events_[event_head_];
  event_head_ = (event_head_ + 1) % kEventQueue;
  --event_count_;
  return e;
}

bool DahdiDevice::hook(int value) noexcept {
  if (sys_.ioctl(fd_, DAHDI_HOOK, &value) != 0) {
    error_ = std::string("DAHDI_HOOK: ") + std::strerror(errno);
    return false;
  }
  return true;
}

bool DahdiDevice::off_hook(int channel) noexcept {
  if (channel != 0 || port_kind_ != DahdiPortKind::fxo || !hook(DAHDI_OFFHOOK)) return false;
  off_hook_ = true;
  return true;
}

bool DahdiDevice::on_hook(int channel) noexcept {
  if (channel != 0 || port_kind_ != DahdiPortKind::fxo || !hook(DAHDI_ONHOOK)) return false;
  off_hook_ = false;
  return true;
}

bool DahdiDevice::flash(int channel) noexcept {
  return channel == 0 && port_kind_ == DahdiPortKind::fxo && off_hook_ && hook(DAHDI_FLASH);
}

bool DahdiDevice::ring(const RingCadence& cadence, int channel) noexcept {
  if (channel != 0 || port_kind_ != DahdiPortKind::fxs) return false;
  if (cadence.count > 0) {
    if (cadence.count > DAHDI_MAX_CADENCE || cadence.count % 2 != 0) {
      error_ = "ring cadence needs on/off pairs, at most " + std::to_string(DAHDI_MAX_CADENCE) + " entries";
      return false;
    }
    dahdi_ring_cadence dc{};
    for (std::size_t i = 0; i < cadence.count; ++i) dc.ringcadence[i] = static_cast<int>(cadence.segments_ms[i]);
    if (sys_.ioctl(fd_, DAHDI_SETCADENCE, &dc) != 0) {
      error_ = std::string("DAHDI_SETCADENCE: ") + std::strerror(errno);
      return false;
    }
  }
  return hook(DAHDI_RING);
}

bool DahdiDevice::ring_off(int channel) noexcept {
  return channel == 0 && port_kind_ == DahdiPortKind::fxs && hook(DAHDI_RINGOFF);
}

bool DahdiDevice::reverse_polarity(bool reversed, int channel) noexcept {
  if (channel != 0 || port_kind_ != DahdiPortKind::fxs) return false;
  int value = reversed ? 1 : 0;
  if (sys_.ioctl(fd_, DAHDI_SETPOLARITY, &value) != 0) {
    error_ = std::string("DAHDI_SETPOLARITY: ") + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace linedsp
