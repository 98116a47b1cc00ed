// capi/linedsp_capi.cpp — the C API (capi/linedsp.h) over the C++ processors.
//
// Every entry point is noexcept and catches everything: std::invalid_argument becomes
// LINEDSP_ERR_INVALID_ARGUMENT with its message, std::bad_alloc LINEDSP_ERR_NO_MEMORY, file errors
// LINEDSP_ERR_IO. The last-error message lives in a fixed thread-local buffer, so reporting an error never
// allocates. process() wrappers hand the C++ event sink a lambda that copies into the caller's array.
#include "capi/linedsp.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include "codecs/g711.hpp"
#include "codecs/plc.hpp"
#include "codecs/rfc4733.hpp"
#include "devices/line_device.hpp"
#include "devices/sim_line.hpp"
#include "dsp/simd.hpp"
#include "ports/fxo_port.hpp"
#include "ports/fxs_port.hpp"
#include "ports/port_event.hpp"
#include "signals/callerid.hpp"
#include "signals/dtmf_detector.hpp"
#include "signals/dtmf_generator.hpp"
#include "signals/echo_canceller.hpp"
#include "signals/modem_tone.hpp"
#include "signals/modem_tone_detector.hpp"
#include "signals/modem_tone_generator.hpp"
#include "signals/progress_detector.hpp"
#include "signals/ring.hpp"
#include "signals/tone_generator.hpp"
#include "signals/tone_plan.hpp"

struct linedsp_dtmf_detector {
  template <class... A>
  explicit linedsp_dtmf_detector(A&&... a) : det(std::forward<A>(a)...) {}
  linedsp::DtmfDetector det;
};
struct linedsp_dtmf_generator {
  template <class... A>
  explicit linedsp_dtmf_generator(A&&... a) : gen(std::forward<A>(a)...) {}
  linedsp::DtmfGenerator gen;
};
struct linedsp_progress_detector {
  template <class... A>
  explicit linedsp_progress_detector(A&&... a) : det(std::forward<A>(a)...) {}
  linedsp::ProgressDetector det;
};
struct linedsp_modem_detector {
  template <class... A>
  explicit linedsp_modem_detector(A&&... a) : det(std::forward<A>(a)...) {}
  linedsp::ModemToneDetector det;
};
struct linedsp_callerid_receiver {
  template <class... A>
  explicit linedsp_callerid_receiver(A&&... a) : rx(std::forward<A>(a)...) {}
  linedsp::CallerIdReceiver rx;
};
struct linedsp_echo_canceller {
  template <class... A>
  explicit linedsp_echo_canceller(A&&... a) : ec(std::forward<A>(a)...) {}
  linedsp::EchoCanceller ec;
};

namespace {

thread_local char g_last_error[512] = "";

// A C caller may pass any int as an enum: read its bytes as an int, through a reference so that the enum object
// itself is never loaded (loading an out-of-range enum is UB; clang's -fsanitize=enum checks it).
template <class E>
int enum_int(const E& e) noexcept {
  int v = 0;
  static_assert(sizeof v == sizeof e);
  std::memcpy(&v, &e, sizeof v);
  return v;
}

linedsp_status fail(linedsp_status status, const char* message) noexcept {
  std::snprintf(g_last_error, sizeof g_last_error, "%s", message);
  return status;
}

class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs f (which may throw) and maps exceptions to status codes.
template <class F>
linedsp_status guarded(F&& f) noexcept {
  try {
    return f();
  } catch (const std::invalid_argument& e) {
    return fail(LINEDSP_ERR_INVALID_ARGUMENT, e.what());
  } catch (const IoError& e) {
    return fail(LINEDSP_ERR_IO, e.what());
  } catch (const std::bad_alloc&) {
    return fail(LINEDSP_ERR_NO_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return fail(LINEDSP_ERR_INVALID_ARGUMENT, e.what());  // e.g. a tone plan that does not parse
  } catch (...) {
    return fail(LINEDSP_ERR_INTERNAL, "unknown C++ exception");
  }
}

// Allocates a handle from constructor arguments into *out.
template <class Handle, class... Args>
linedsp_status make(Handle** out, Args&&... args) {
  if (out == nullptr) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "out: NULL");
  *out = nullptr;
  *out = new Handle(std::forward<Args>(args)...);
  return LINEDSP_OK;
}

// Copies events into a caller array; counts those that did not fit.
template <class CEvent>
struct ArraySink {
  CEvent* events;
  std::size_t capacity;
  std::size_t written = 0;
  std::size_t lost = 0;
  void push(const CEvent& e) noexcept {
    if (written < capacity) {
      events[written++] = e;
    } else {
      ++lost;
    }
  }
  linedsp_status finish(std::size_t* count) noexcept {
    if (count != nullptr) *count = written;
    if (lost != 0) return fail(LINEDSP_ERR_OVERFLOW, "events: more events than capacity (the rest are lost)");
    return LINEDSP_OK;
  }
};

bool bad_events(const void* events, std::size_t capacity) noexcept { return events == nullptr && capacity != 0; }

linedsp_dtmf_event to_c(const linedsp::DtmfEvent& e) noexcept {
  return {e.digit, e.begin ? 1 : 0, e.sample, e.duration_samples};
}

linedsp_progress_event to_c(const linedsp::ProgressEvent& e) noexcept {
  return {e.begin ? 1 : 0, linedsp::tone_kind_name(e.kind), e.sample, e.confirmed_sample, e.level_dbm0};
}

linedsp_modem_event to_c(const linedsp::ModemToneEvent& e) noexcept {
  return {e.begin ? 1 : 0, linedsp::modem_tone_name(e.tone), e.sample, e.duration_samples, e.level_dbm0,
          e.frequency_hz};
}

template <std::size_t N>
void copy_field(char (&dst)[N], std::string_view src) noexcept {
  const std::size_t n = std::min(src.size(), N - 1);
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

linedsp_callerid_event to_c(const linedsp::CallerIdEvent& e) noexcept {
  linedsp_callerid_event c{};
  c.begin = e.begin ? 1 : 0;
  c.status = linedsp::callerid_status_name(e.status);
  c.sample = e.sample;
  c.duration_samples = e.duration_samples;
  if (!e.begin && e.status == linedsp::CallerIdStatus::ok) {
    copy_field(c.date_time, e.message.date_time.view());
    copy_field(c.number, e.message.number.view());
    copy_field(c.name, e.message.name.view());
    c.number_absent = e.message.number_absent;
    c.name_absent = e.message.name_absent;
  }
  return c;
}

std::string read_text_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(std::string("plan_file: cannot open ") + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

linedsp_status null_handle(const char* what) noexcept { return fail(LINEDSP_ERR_INVALID_ARGUMENT, what); }

}  // namespace

extern "C" {

const char* linedsp_last_error(void) noexcept { return g_last_error; }

const char* linedsp_version(void) noexcept { return "0.1.0"; }

const char* linedsp_simd(void) noexcept { return linedsp::isa_name(linedsp::active_isa()); }

const char* linedsp_status_name(linedsp_status status) noexcept {
  switch (enum_int(status)) {
    case LINEDSP_OK: return "ok";
    case LINEDSP_ERR_INVALID_ARGUMENT: return "invalid argument";
    case LINEDSP_ERR_NO_MEMORY: return "no memory";
    case LINEDSP_ERR_IO: return "i/o error";
    case LINEDSP_ERR_OVERFLOW: return "event overflow";
    case LINEDSP_ERR_INTERNAL: return "internal error";
  }
  return "unknown status";
}

// ---- G.711 -----------------------------------------------------------------------------------------------
size_t linedsp_g711_encode(linedsp_law law, const int16_t* pcm, uint8_t* codes, size_t n) noexcept {
  if ((pcm == nullptr || codes == nullptr) && n != 0) return 0;
  const int law_value = enum_int(law);
  if (law_value != LINEDSP_ULAW && law_value != LINEDSP_ALAW) return 0;
  return linedsp::g711_encode(law_value == LINEDSP_ULAW ? linedsp::Law::ulaw : linedsp::Law::alaw, {pcm, n}, {codes, n});
}

size_t linedsp_g711_decode(linedsp_law law, const uint8_t* codes, int16_t* pcm, size_t n) noexcept {
  if ((pcm == nullptr || codes == nullptr) && n != 0) return 0;
  const int law_value = enum_int(law);
  if (law_value != LINEDSP_ULAW && law_value != LINEDSP_ALAW) return 0;
  return linedsp::g711_decode(law_value == LINEDSP_ULAW ? linedsp::Law::ulaw : linedsp::Law::alaw, {codes, n}, {pcm, n});
}

// ---- DTMF detector ---------------------------------------------------------------------------------------
linedsp_status linedsp_dtmf_detector_create(int sample_rate_hz, const char* profile, linedsp_dtmf_detector** out) noexcept {
  return guarded([&] {
    auto cfg = linedsp::DtmfDetectorConfig::profile(profile != nullptr ? profile : "att");
    cfg.sample_rate_hz = sample_rate_hz;
    return make(out, cfg);
  });
}

void linedsp_dtmf_detector_destroy(linedsp_dtmf_detector* det) noexcept { delete det; }

linedsp_status linedsp_dtmf_detector_process(linedsp_dtmf_detector* det, const int16_t* pcm, size_t n,
                                             linedsp_dtmf_event* events, size_t capacity, size_t* count) noexcept {
  if (count != nullptr) *count = 0;
  if (det == nullptr) return null_handle("det: NULL");
  if (pcm == nullptr && n != 0) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "pcm: NULL");
  if (bad_events(events, capacity)) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "events: NULL");
  ArraySink<linedsp_dtmf_event> sink{events, capacity};
  auto f = [&](const linedsp::DtmfEvent& e) { sink.push(to_c(e)); };
  det->det.process({pcm, n}, f);
  return sink.finish(count);
}

linedsp_status linedsp_dtmf_detector_finish(linedsp_dtmf_detector* det, linedsp_dtmf_event* events,
                                            size_t capacity, size_t* count) noexcept {
  if (count != nullptr) *count = 0;
  if (det == nullptr) return null_handle("det: NULL");
  if (bad_events(events, capacity)) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "events: NULL");
  ArraySink<linedsp_dtmf_event> sink{events, capacity};
  auto f = [&](const linedsp::DtmfEvent& e) { sink.push(to_c(e)); };
  det->det.finish(f);
  return sink.finish(count);
}

linedsp_status linedsp_dtmf_detector_reset(linedsp_dtmf_detector* det) noexcept {
  if (det == nullptr) return null_handle("det: NULL");
  det->det.reset();
  return LINEDSP_OK;
}

// ---- DTMF generator --------------------------------------------------------------------------------------
linedsp_status linedsp_dtmf_generator_create(int sample_rate_hz, double low_level_dbm0, double high_level_dbm0,
                                             int on_ms, int off_ms, linedsp_dtmf_generator** out) noexcept {
  return guarded([&] {
    linedsp::DtmfGeneratorConfig cfg;
    cfg.sample_rate_hz = sample_rate_hz;
    cfg.low_level_dbm0 = low_level_dbm0;
    cfg.high_level_dbm0 = high_level_dbm0;
    cfg.on_ms = on_ms;
    cfg.off_ms = off_ms;
    return make(out, cfg);
  });
}

void linedsp_dtmf_generator_destroy(linedsp_dtmf_generator* gen) noexcept { delete gen; }

linedsp_status linedsp_dtmf_generator_queue(linedsp_dtmf_generator* gen, const char* digits) noexcept {
  if (gen == nullptr) return null_handle("gen: NULL");
  if (digits == nullptr) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "digits: NULL");
  if (!gen->gen.queue(digits)) {
    return fail(LINEDSP_ERR_INVALID_ARGUMENT, "digits: not all DTMF digits (0-9 * # A-D), or the queue is full");
  }
  return LINEDSP_OK;
}

size_t linedsp_dtmf_generator_generate(linedsp_dtmf_generator* gen, int16_t* out, size_t n) noexcept {
  if (gen == nullptr || (out == nullptr && n != 0)) return 0;
  return gen->gen.generate({out, n});
}

int linedsp_dtmf_generator_idle(const linedsp_dtmf_generator* gen) noexcept { return gen == nullptr || gen->gen.idle() ? 1 : 0; }

// ---- Call-progress detector ------------------------------------------------------------------------------
namespace {
linedsp_status make_progress(const std::string& toml, const std::string& file, int rate,
                             linedsp_progress_detector** out) {
  linedsp::ProgressDetectorConfig cfg;
  cfg.sample_rate_hz = rate;
  const linedsp::TonePlan plan = linedsp::parse_tone_plan(toml, file);
  return make(out, plan, cfg);
}
}  // namespace

linedsp_status linedsp_progress_detector_create(const char* plan_file, int sample_rate_hz,
                                                linedsp_progress_detector** out) noexcept {
  return guarded([&] {
    if (plan_file == nullptr) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "plan_file: NULL");
    return make_progress(read_text_file(plan_file), plan_file, sample_rate_hz, out);
  });
}

linedsp_status linedsp_progress_detector_create_from_toml(const char* toml_text, int sample_rate_hz,
                                                          linedsp_progress_detector** out) noexcept {
  return guarded([&] {
    if (toml_text == nullptr) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "toml_text: NULL");
    return make_progress(toml_text, "<toml_text>", sample_rate_hz, out);
  });
}

void linedsp_progress_detector_destroy(linedsp_progress_detector* det) noexcept { delete det; }

linedsp_status linedsp_progress_detector_process(linedsp_progress_detector* det, const int16_t* pcm, size_t n,
                                                 linedsp_progress_event* events, size_t capacity, size_t* count) noexcept {
  if (count != nullptr) *count = 0;
  if (det == nullptr) return null_handle("det: NULL");
  if (pcm == nullptr && n != 0) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "pcm: NULL");
  if (bad_events(events, capacity)) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "events: NULL");
  ArraySink<linedsp_progress_event> sink{events, capacity};
  auto f = [&](const linedsp::ProgressEvent& e) { sink.push(to_c(e)); };
  det->det.process({pcm, n}, f);
  return sink.finish(count);
}

linedsp_status linedsp_progress_detector_finish(linedsp_progress_detector* det, linedsp_progress_event* events,
                                                size_t capacity, size_t* count) noexcept {
  if (count != nullptr) *count = 0;
  if (det == nullptr) return null_handle("det: NULL");
  if (bad_events(events, capacity)) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "events: NULL");
  ArraySink<linedsp_progress_event> sink{events, capacity};
  auto f = [&](const linedsp::ProgressEvent& e) { sink.push(to_c(e)); };
  det->det.finish(f);
  return sink.finish(count);
}

linedsp_status linedsp_progress_detector_reset(linedsp_progress_detector* det) noexcept {
  if (det == nullptr) return null_handle("det: NULL");
  det->det.reset();
  return LINEDSP_OK;
}

// ---- Modem-tone detector ---------------------------------------------------------------------------------
linedsp_status linedsp_modem_detector_create(int sample_rate_hz, linedsp_modem_detector** out) noexcept {
  return guarded([&] {
    linedsp::ModemToneDetectorConfig cfg;
    cfg.sample_rate_hz = sample_rate_hz;
    return make(out, cfg);
  });
}

void linedsp_modem_detector_destroy(linedsp_modem_detector* det) noexcept { delete det; }

linedsp_status linedsp_modem_detector_process(linedsp_modem_detector* det, const int16_t* pcm, size_t n,
                                              linedsp_modem_event* events, size_t capacity, size_t* count) noexcept {
  if (count != nullptr) *count = 0;
  if (det == nullptr) return null_handle("det: NULL");
  if (pcm == nullptr && n != 0) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "pcm: NULL");
  if (bad_events(events, capacity)) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "events: NULL");
  ArraySink<linedsp_modem_event> sink{events, capacity};
  auto f = [&](const linedsp::ModemToneEvent& e) { sink.push(to_c(e)); };
  det->det.process({pcm, n}, f);
  return sink.finish(count);
}

linedsp_status linedsp_modem_detector_finish(linedsp_modem_detector* det, linedsp_modem_event* events,
                                             size_t capacity, size_t* count) noexcept {
  if (count != nullptr) *count = 0;
  if (det == nullptr) return null_handle("det: NULL");
  if (bad_events(events, capacity)) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "events: NULL");
  ArraySink<linedsp_modem_event> sink{events, capacity};
  auto f = [&](const linedsp::ModemToneEvent& e) { sink.push(to_c(e)); };
  det->det.finish(f);
  return sink.finish(count);
}

linedsp_status linedsp_modem_detector_reset(linedsp_modem_detector* det) noexcept {
  if (det == nullptr) return null_handle("det: NULL");
  det->det.reset();
  return LINEDSP_OK;
}

// ---- Caller ID receiver ----------------------------------------------------------------------------------
linedsp_status linedsp_callerid_receiver_create(linedsp_fsk_modem modem, int sample_rate_hz, int require_seizure,
                                                linedsp_callerid_receiver** out) noexcept {
  // A C caller may pass any int: read the enum's bytes as an int (loading an out-of-range enum is UB).
  const int modem_value = enum_int(modem);
  return guarded([&] {
    if (modem_value != LINEDSP_FSK_BELL202 && modem_value != LINEDSP_FSK_V23) {
      return fail(LINEDSP_ERR_INVALID_ARGUMENT, "modem: must be LINEDSP_FSK_BELL202 or LINEDSP_FSK_V23");
    }
    linedsp::CallerIdReceiverConfig cfg;
    cfg.modem = modem_value == LINEDSP_FSK_V23 ? linedsp::FskModem::v23 : linedsp::FskModem::bell202;
    cfg.sample_rate_hz = sample_rate_hz;
    cfg.require_seizure = require_seizure != 0;
    return make(out, cfg);
  });
}

void linedsp_callerid_receiver_destroy(linedsp_callerid_receiver* rx) noexcept { delete rx; }

linedsp_status linedsp_callerid_receiver_process(linedsp_callerid_receiver* rx, const int16_t* pcm, size_t n,
                                                 linedsp_callerid_event* events, size_t capacity, size_t* count) noexcept {
  if (count != nullptr) *count = 0;
  if (rx == nullptr) return null_handle("rx: NULL");
  if (pcm == nullptr && n != 0) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "pcm: NULL");
  if (bad_events(events, capacity)) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "events: NULL");
  ArraySink<linedsp_callerid_event> sink{events, capacity};
  auto f = [&](const linedsp::CallerIdEvent& e) { sink.push(to_c(e)); };
  rx->rx.process({pcm, n}, f);
  return sink.finish(count);
}

linedsp_status linedsp_callerid_receiver_reset(linedsp_callerid_receiver* rx) noexcept {
  if (rx == nullptr) return null_handle("rx: NULL");
  rx->rx.reset();
  return LINEDSP_OK;
}

// ---- Echo canceller --------------------------------------------------------------------------------------
linedsp_status linedsp_echo_canceller_create(int sample_rate_hz, int tail_ms, linedsp_echo_canceller** out) noexcept {
  return guarded([&] {
    linedsp::EchoCancellerConfig cfg;
    cfg.sample_rate_hz = sample_rate_hz;
    cfg.tail_ms = tail_ms;
    return make(out, cfg);
  });
}

void linedsp_echo_canceller_destroy(linedsp_echo_canceller* ec) noexcept { delete ec; }

linedsp_status linedsp_echo_canceller_process(linedsp_echo_canceller* ec, const int16_t* far, const int16_t* near,
                                              int16_t* out, size_t n) noexcept {
  if (ec == nullptr) return null_handle("ec: NULL");
  if ((far == nullptr || near == nullptr || out == nullptr) && n != 0) {
    return fail(LINEDSP_ERR_INVALID_ARGUMENT, "far/near/out: NULL");
  }
  ec->ec.process({far, n}, {near, n}, {out, n});
  return LINEDSP_OK;
}

linedsp_status linedsp_echo_canceller_reset(linedsp_echo_canceller* ec) noexcept {
  if (ec == nullptr) return null_handle("ec: NULL");
  ec->ec.reset();
  return LINEDSP_OK;
}

linedsp_status linedsp_echo_canceller_set_bypass(linedsp_echo_canceller* ec, int bypass) noexcept {
  if (ec == nullptr) return null_handle("ec: NULL");
  ec->ec.set_bypass(bypass != 0);
  return LINEDSP_OK;
}

linedsp_status linedsp_echo_canceller_set_nlp(linedsp_echo_canceller* ec, int enabled) noexcept {
  if (ec == nullptr) return null_handle("ec: NULL");
  ec->ec.set_nlp_enabled(enabled != 0);
  return LINEDSP_OK;
}

float linedsp_echo_canceller_erle_db(const linedsp_echo_canceller* ec) noexcept {
  return ec == nullptr ? 0.0f : ec->ec.erle_estimate_db();
}

size_t linedsp_echo_canceller_memory_bytes(const linedsp_echo_canceller* ec) noexcept {
  return ec == nullptr ? 0 : ec->ec.memory_bytes();
}

}  // extern "C"

// =============================================================================================================
// Generators, PLC, RFC 4733, the simulated line and the ports.
// =============================================================================================================

namespace {


// The line a port drives when the caller owns the line: controls go into a fixed queue the caller polls.
class ControlQueueLine final : public linedsp::LineDevice {
 public:
  static constexpr std::size_t kCapacity = 16;
  linedsp::AudioFormat format() const noexcept override { return {}; }
  linedsp::DeviceCapabilities capabilities() const noexcept override {
    linedsp::DeviceCapabilities c;
    c.signalling_events = c.hook_control = c.ring_control = c.polarity_control = true;
    return c;
  }
  const std::string& name() const noexcept override { return name_; }
  std::size_t read(std::span<std::int16_t>) noexcept override { return 0; }
  bool off_hook(int) noexcept override { return push({LINEDSP_CONTROL_OFF_HOOK, 0, {}, 0}); }
  bool on_hook(int) noexcept override { return push({LINEDSP_CONTROL_ON_HOOK, 0, {}, 0}); }
  bool ring(const linedsp::RingCadence& cadence, int) noexcept override {
    linedsp_line_control c{LINEDSP_CONTROL_RING, 0, {}, 0};
    c.count = std::min<std::size_t>(cadence.count, 8);
    for (std::size_t i = 0; i < c.count; ++i) c.cadence_ms[i] = cadence.segments_ms[i];
    return push(c);
  }
  bool ring_off(int) noexcept override { return push({LINEDSP_CONTROL_RING_OFF, 0, {}, 0}); }
  bool reverse_polarity(bool reversed, int) noexcept override {
    return push({LINEDSP_CONTROL_POLARITY, reversed ? 1 : 0, {}, 0});
  }
  const std::string& error() const noexcept override { return error_; }
  bool pop(linedsp_line_control& c) noexcept {
    if (count_ == 0) return false;
    c = q_[head_];
    head_ = (head_ + 1) % kCapacity;
    --count_;
    return true;
  }
  void clear() noexcept { head_ = count_ = 0; }

 private:
  bool push(const linedsp_line_control& c) noexcept {
    if (count_ == kCapacity) return false;
    q_[(head_ + count_) % kCapacity] = c;
    ++count_;
    return true;
  }
  std::string name_ = "caller", error_;
  std::array<linedsp_line_control, kCapacity> q_{};
  std::size_t head_ = 0, count_ = 0;
};

std::string need_file(const std::string& path, const char* field) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(std::string(field) + ": cannot open " + path);
  return path;
}

}  // namespace

struct linedsp_tone_plan {
  linedsp::TonePlan plan;
};
struct linedsp_tone_generator {
  template <class... A>
  explicit linedsp_tone_generator(A&&... a) : gen(std::forward<A>(a)...) {}
  linedsp::ToneGenerator gen;
};
struct linedsp_ring_generator {
  linedsp_ring_generator(const linedsp::RingPattern& p, const linedsp::RingGeneratorConfig& c)
      : gen(p, c), cadence(p.cadence_ms) {}
  linedsp::RingCadenceGenerator gen;
  std::vector<std::uint32_t> cadence;
};
struct linedsp_modem_generator {
  template <class... A>
  explicit linedsp_modem_generator(A&&... a) : gen(std::forward<A>(a)...) {}
  linedsp::ModemToneGenerator gen;
};
struct linedsp_callerid_generator {
  template <class... A>
  explicit linedsp_callerid_generator(A&&... a) : gen(std::forward<A>(a)...) {}
  linedsp::CallerIdSender gen;
};
struct linedsp_plc {
  linedsp::G711Plc plc;
};
struct linedsp_rfc4733_sender {
  template <class... A>
  explicit linedsp_rfc4733_sender(A&&... a) : tx(std::forward<A>(a)...) {}
  linedsp::TelephoneEventSender tx;
};
struct linedsp_rfc4733_receiver {
  template <class... A>
  explicit linedsp_rfc4733_receiver(A&&... a) : rx(std::forward<A>(a)...) {}
  linedsp::TelephoneEventReceiver rx;
};
struct linedsp_sim_line {
  explicit linedsp_sim_line(const linedsp::SimLineConfig& cfg) : line(cfg, "sim") {}
  linedsp::SimLine line;
};
struct linedsp_fxs_port {
  linedsp_fxs_port(const linedsp::TonePlan& plan, linedsp_sim_line* s)
      : sim(s),
        port(plan, s != nullptr ? static_cast<linedsp::LineDevice&>(s->line.exchange()) : own,
             linedsp::FxsPortConfig::for_country(plan)) {}
  linedsp_sim_line* sim;
  ControlQueueLine own;
  linedsp::FxsPort port;
};
struct linedsp_fxo_port {
  linedsp_fxo_port(const linedsp::TonePlan& plan, linedsp_sim_line* s)
      : sim(s),
        port(plan, s != nullptr ? static_cast<linedsp::LineDevice&>(s->line.phone()) : own,
             linedsp::FxoPortConfig::for_country(plan)) {}
  linedsp_sim_line* sim;
  ControlQueueLine own;
  linedsp::FxoPort port;
};

namespace {

// C message -> C++ message; false (with the error set) if a field is too long.
bool to_cpp(const linedsp_callerid_message& c, linedsp::CallerIdMessage& m) noexcept {
  auto field = [](const char* src, auto& dst, const char* what) {
    const std::string_view v = src != nullptr ? std::string_view(src) : std::string_view();
    if (v.size() > dst.capacity()) {
      fail(LINEDSP_ERR_INVALID_ARGUMENT, what);
      return false;
    }
    dst = v;
    return true;
  };
  m = linedsp::CallerIdMessage{};
  if (!field(c.date_time, m.date_time, "msg.date_time: longer than 8 characters")) return false;
  if (!field(c.number, m.number, "msg.number: longer than 32 characters")) return false;
  if (!field(c.name, m.name, "msg.name: longer than 64 characters")) return false;
  m.number_absent = c.number_absent;
  m.name_absent = c.name_absent;
  return true;
}

linedsp_line_event to_c(const linedsp::LineEvent& e) noexcept {
  return {static_cast<linedsp_line_event_kind>(static_cast<int>(e.kind)), e.frame};
}

linedsp_rtp_event_packet to_c(const linedsp::TelephoneEventPacket& p) noexcept {
  linedsp_rtp_event_packet c{};
  c.timestamp = p.timestamp;
  c.marker = p.marker ? 1 : 0;
  c.event = p.event.event;
  c.end = p.event.end ? 1 : 0;
  c.volume = p.event.volume;
  c.duration = p.event.duration;
  std::memcpy(c.payload, p.payload.data(), sizeof c.payload);
  return c;
}

linedsp_rtp_digit to_c(const linedsp::TelephoneEventDigit& d) noexcept {
  return {d.digit, d.event_code, d.begin ? 1 : 0, d.timestamp, d.duration, d.volume};
}

linedsp_port_event to_c(const linedsp::PortEvent& e) noexcept {
  linedsp_port_event c{};
  c.kind = linedsp::port_event_name(e.kind);
  c.sample = e.sample;
  c.value = e.value;
  c.begin = e.begin ? 1 : 0;
  c.digit = e.digit;
  copy_field(c.number, e.number.view());
  copy_field(c.name, e.name.view());
  return c;
}

bool to_line_event(int k, std::uint64_t sample, linedsp::LineEvent& e) noexcept {
  if (k < LINEDSP_LINE_HOOK_OFF || k > LINEDSP_LINE_ALARM) return false;
  e = linedsp::LineEvent{static_cast<linedsp::LineEventKind>(k), 0, sample};
  return true;
}

template <class Port>
linedsp_status port_process(Port* port, bool fxs, const int16_t* rx, int16_t* tx, const int16_t* voip_in,
                            int16_t* voip_out, size_t n, linedsp_port_event* events, size_t capacity,
                            size_t* count) noexcept {
  if (count != nullptr) *count = 0;
  if (port == nullptr) return null_handle("port: NULL");
  if (n != 0 && (rx == nullptr || tx == nullptr || voip_in == nullptr || voip_out == nullptr))
    return fail(LINEDSP_ERR_INVALID_ARGUMENT, "rx/tx/voip_in/voip_out: NULL");
  if (bad_events(events, capacity)) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "events: NULL");
  if (port->sim != nullptr) {
    auto& end = fxs ? port->sim->line.exchange() : port->sim->line.phone();
    while (auto e = end.poll_event()) port->port.on_line_event(*e);
  }
  ArraySink<linedsp_port_event> sink{events, capacity};
  auto f = [&](const linedsp::PortEvent& e) { sink.push(to_c(e)); };
  port->port.process({rx, n}, {tx, n}, {voip_in, n}, {voip_out, n}, f);
  return sink.finish(count);
}

const linedsp::TonePlan* plan_of(const linedsp_tone_plan* p) noexcept { return p != nullptr ? &p->plan : nullptr; }

template <class Handle>
linedsp_status make_plan(linedsp_tone_plan** out, Handle&& load) {
  if (out == nullptr) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "out: NULL");
  *out = nullptr;
  auto* h = new linedsp_tone_plan{load()};
  *out = h;
  return LINEDSP_OK;
}

// The calls FXS and FXO ports share, one body for both handle types.
template <class Handle>
linedsp_status port_create(const linedsp_tone_plan* plan, linedsp_sim_line* line, Handle** out) noexcept {
  if (out != nullptr) *out = nullptr;
  return guarded([&] {
    if (plan == nullptr) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "plan: NULL");
    return make(out, *plan_of(plan), line);
  });
}

template <class Handle>
linedsp_status port_line_event(Handle* port, int kind, uint64_t sample) noexcept {
  if (port == nullptr) return null_handle("port: NULL");
  linedsp::LineEvent e{};
  if (!to_line_event(kind, sample, e)) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "kind: not a linedsp_line_event_kind");
  port->port.on_line_event(e);
  return LINEDSP_OK;
}

template <class Handle>
int port_poll_control(Handle* port, linedsp_line_control* control) noexcept {
  if (port == nullptr || control == nullptr) return 0;
  return port->own.pop(*control) ? 1 : 0;
}

template <class Handle>
linedsp_status port_reset(Handle* port) noexcept {
  if (port == nullptr) return null_handle("port: NULL");
  port->port.reset();
  port->own.clear();
  return LINEDSP_OK;
}

}  // namespace

extern "C" {

// ---- Tone plans ------------------------------------------------------------------------------------------
linedsp_status linedsp_tone_plan_load_country(const char* data_dir, const char* country,
                                              linedsp_tone_plan** out) noexcept {
  if (out != nullptr) *out = nullptr;
  return guarded([&] {
    if (country == nullptr) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "country: NULL");
    const char* dir = data_dir != nullptr ? data_dir : std::getenv("LINEDSP_DATA_DIR");
    if (dir == nullptr) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "data_dir: NULL and LINEDSP_DATA_DIR is not set");
    const std::string path = std::string(dir) + "/tones/" + country + ".toml";
    need_file(path, "country");
    return make_plan(out, [&] { return linedsp::load_country_plan(dir, country); });
  });
}

linedsp_status linedsp_tone_plan_load(const char* plan_file, linedsp_tone_plan** out) noexcept {
  if (out != nullptr) *out = nullptr;
  return guarded([&] {
    if (plan_file == nullptr) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "plan_file: NULL");
    return make_plan(out, [&] { return linedsp::parse_tone_plan(read_text_file(plan_file), plan_file); });
  });
}

linedsp_status linedsp_tone_plan_parse(const char* toml_text, linedsp_tone_plan** out) noexcept {
  if (out != nullptr) *out = nullptr;
  return guarded([&] {
    if (toml_text == nullptr) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "toml_text: NULL");
    return make_plan(out, [&] { return linedsp::parse_tone_plan(toml_text, "<toml_text>"); });
  });
}

void linedsp_tone_plan_destroy(linedsp_tone_plan* plan) noexcept { delete plan; }

const char* linedsp_tone_plan_country(const linedsp_tone_plan* plan) noexcept {
  return plan != nullptr ? plan->plan.country.c_str() : "";
}

// ---- Tone generator --------------------------------------------------------------------------------------
linedsp_status linedsp_tone_generator_create(const linedsp_tone_plan* plan, const char* tone, int sample_rate_hz,
                                             double gain_db, linedsp_tone_generator** out) noexcept {
  if (out != nullptr) *out = nullptr;
  return guarded([&] {
    if (plan == nullptr) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "plan: NULL");
    if (tone == nullptr) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "tone: NULL");
    const linedsp::Tone* t = plan->plan.find(tone);
    if (t == nullptr)
      if (const auto kind = linedsp::parse_tone_kind(tone)) t = plan->plan.find(*kind);
    if (t == nullptr) {
      const std::string msg = std::string("tone: the plan '") + plan->plan.country + "' has no tone '" + tone + "'";
      return fail(LINEDSP_ERR_INVALID_ARGUMENT, msg.c_str());
    }
    linedsp::ToneGeneratorConfig cfg;
    cfg.sample_rate_hz = sample_rate_hz;
    cfg.gain_db = gain_db;
    return make(out, *t, cfg);
  });
}

void linedsp_tone_generator_destroy(linedsp_tone_generator* gen) noexcept { delete gen; }

size_t linedsp_tone_generator_generate(linedsp_tone_generator* gen, int16_t* out, size_t n) noexcept {
  if (gen == nullptr || (out == nullptr && n != 0)) return 0;
  return gen->gen.generate(std::span<std::int16_t>(out, n));
}

int linedsp_tone_generator_finished(const linedsp_tone_generator* gen) noexcept {
  return gen == nullptr || gen->gen.finished() ? 1 : 0;
}

linedsp_status linedsp_tone_generator_reset(linedsp_tone_generator* gen) noexcept {
  if (gen == nullptr) return null_handle("gen: NULL");
  gen->gen.reset();
  return LINEDSP_OK;
}

// ---- Line events -----------------------------------------------------------------------------------------
const char* linedsp_line_event_name(linedsp_line_event_kind kind) noexcept {
  const int k = enum_int(kind);
  if (k < LINEDSP_LINE_HOOK_OFF || k > LINEDSP_LINE_ALARM) return "?";
  return linedsp::line_event_name(static_cast<linedsp::LineEventKind>(k));
}

// ---- Ring generator --------------------------------------------------------------------------------------
linedsp_status linedsp_ring_generator_create(const linedsp_tone_plan* plan, const char* ring, int sample_rate_hz,
                                             double ring_vrms, linedsp_ring_generator** out) noexcept {
  if (out != nullptr) *out = nullptr;
  return guarded([&] {
    if (plan == nullptr) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "plan: NULL");
    const char* name = ring != nullptr ? ring : "normal";
    const linedsp::RingPattern* p = plan->plan.find_ring(name);
    if (p == nullptr) {
      const std::string msg = std::string("ring: the plan '") + plan->plan.country + "' has no ring '" + name + "'";
      return fail(LINEDSP_ERR_INVALID_ARGUMENT, msg.c_str());
    }
    linedsp::RingGeneratorConfig cfg;
    cfg.sample_rate_hz = sample_rate_hz;
    cfg.ring_vrms = ring_vrms;
    return make(out, *p, cfg);
  });
}

void linedsp_ring_generator_destroy(linedsp_ring_generator* gen) noexcept { delete gen; }

linedsp_status linedsp_ring_generator_generate(linedsp_ring_generator* gen, int16_t* out, size_t n,
                                               linedsp_line_event* events, size_t capacity, size_t* count) noexcept {
  if (count != nullptr) *count = 0;
  if (gen == nullptr) return null_handle("gen: NULL");
  if (bad_events(events, capacity)) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "events: NULL");
  ArraySink<linedsp_line_event> sink{events, capacity};
  auto f = [&](const linedsp::LineEvent& e) { sink.push(to_c(e)); };
  if (out != nullptr) {
    gen->gen.generate(std::span<std::int16_t>(out, n), f);
  } else {
    std::array<std::int16_t, 256> scratch;
    for (std::size_t i = 0; i < n; i += scratch.size())
      gen->gen.generate(std::span<std::int16_t>(scratch.data(), std::min(scratch.size(), n - i)), f);
  }
  return sink.finish(count);
}

size_t linedsp_ring_generator_cadence(const linedsp_ring_generator* gen, uint32_t* cadence_ms, size_t capacity) noexcept {
  if (gen == nullptr) return 0;
  const std::size_t k = std::min(capacity, gen->cadence.size());
  if (cadence_ms != nullptr) std::copy_n(gen->cadence.begin(), k, cadence_ms);
  return gen->cadence.size();
}

linedsp_status linedsp_ring_generator_reset(linedsp_ring_generator* gen) noexcept {
  if (gen == nullptr) return null_handle("gen: NULL");
  gen->gen.reset();
  return LINEDSP_OK;
}

// ---- Modem-tone generator --------------------------------------------------------------------------------
linedsp_status linedsp_modem_generator_create(const char* tone, int sample_rate_hz, double level_dbm0, int duration_ms,
                                              linedsp_modem_generator** out) noexcept {
  if (out != nullptr) *out = nullptr;
  return guarded([&] {
    if (tone == nullptr) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "tone: NULL");
    const auto t = linedsp::parse_modem_tone(tone);
    if (!t) {
      return fail(LINEDSP_ERR_INVALID_ARGUMENT,
                  "tone: must be cng, ans (ced), ans-pr, ansam, ansam-pr or v21-flags");
    }
    linedsp::ModemToneGeneratorConfig cfg;
    cfg.tone = *t;
    cfg.sample_rate_hz = sample_rate_hz;
    cfg.level_dbm0 = level_dbm0;
    cfg.duration_ms = duration_ms;
    return make(out, cfg);
  });
}

void linedsp_modem_generator_destroy(linedsp_modem_generator* gen) noexcept { delete gen; }

size_t linedsp_modem_generator_generate(linedsp_modem_generator* gen, int16_t* out, size_t n) noexcept {
  if (gen == nullptr || (out == nullptr && n != 0)) return 0;
  return gen->gen.generate(std::span<std::int16_t>(out, n));
}

linedsp_status linedsp_modem_generator_reset(linedsp_modem_generator* gen) noexcept {
  if (gen == nullptr) return null_handle("gen: NULL");
  gen->gen.reset();
  return LINEDSP_OK;
}

// ---- Caller ID generator ---------------------------------------------------------------------------------
linedsp_status linedsp_callerid_encode_mdmf(const linedsp_callerid_message* msg, uint8_t* bytes, size_t capacity,
                                            size_t* length) noexcept {
  if (length != nullptr) *length = 0;
  if (msg == nullptr) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "msg: NULL");
  if (bytes == nullptr) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "bytes: NULL");
  linedsp::CallerIdMessage m;
  if (!to_cpp(*msg, m)) return LINEDSP_ERR_INVALID_ARGUMENT;
  const std::size_t n = linedsp::encode_mdmf(m, std::span<std::uint8_t>(bytes, capacity));
  if (n == 0) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "capacity: the message does not fit");
  if (length != nullptr) *length = n;
  return LINEDSP_OK;
}

linedsp_status linedsp_callerid_generator_create(linedsp_fsk_modem modem, int sample_rate_hz, double level_dbm0,
                                                 int type2, linedsp_callerid_generator** out) noexcept {
  if (out != nullptr) *out = nullptr;
  const int modem_value = enum_int(modem);
  return guarded([&] {
    if (modem_value != LINEDSP_FSK_BELL202 && modem_value != LINEDSP_FSK_V23) {
      return fail(LINEDSP_ERR_INVALID_ARGUMENT, "modem: must be LINEDSP_FSK_BELL202 or LINEDSP_FSK_V23");
    }
    linedsp::CallerIdSenderConfig cfg;
    cfg.modem = modem_value == LINEDSP_FSK_V23 ? linedsp::FskModem::v23 : linedsp::FskModem::bell202;
    cfg.sample_rate_hz = sample_rate_hz;
    cfg.level_dbm0 = level_dbm0;
    if (type2 != 0) {
      cfg.seizure_bits = 0;
      cfg.mark_bits = 80;
    }
    return make(out, cfg);
  });
}

void linedsp_callerid_generator_destroy(linedsp_callerid_generator* gen) noexcept { delete gen; }

linedsp_status linedsp_callerid_generator_start_bytes(linedsp_callerid_generator* gen, const uint8_t* bytes,
                                                      size_t length) noexcept {
  if (gen == nullptr) return null_handle("gen: NULL");
  if (bytes == nullptr || length == 0) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "bytes: NULL or empty");
  if (!gen->gen.start(std::span<const std::uint8_t>(bytes, length))) {
    return fail(LINEDSP_ERR_INVALID_ARGUMENT, "gen: a spill is still running, or the message does not fit");
  }
  return LINEDSP_OK;
}

linedsp_status linedsp_callerid_generator_start(linedsp_callerid_generator* gen,
                                                const linedsp_callerid_message* msg) noexcept {
  if (gen == nullptr) return null_handle("gen: NULL");
  std::array<std::uint8_t, 256> bytes{};
  std::size_t n = 0;
  if (const auto st = linedsp_callerid_encode_mdmf(msg, bytes.data(), bytes.size(), &n); st != LINEDSP_OK) return st;
  return linedsp_callerid_generator_start_bytes(gen, bytes.data(), n);
}

size_t linedsp_callerid_generator_generate(linedsp_callerid_generator* gen, int16_t* out, size_t n) noexcept {
  if (gen == nullptr || (out == nullptr && n != 0)) return 0;
  return gen->gen.generate(std::span<std::int16_t>(out, n));
}

int linedsp_callerid_generator_idle(const linedsp_callerid_generator* gen) noexcept {
  return gen == nullptr || gen->gen.idle() ? 1 : 0;
}

// ---- PLC -------------------------------------------------------------------------------------------------
linedsp_status linedsp_plc_create(linedsp_plc** out) noexcept {
  if (out != nullptr) *out = nullptr;
  return guarded([&] { return make(out); });
}

void linedsp_plc_destroy(linedsp_plc* plc) noexcept { delete plc; }

size_t linedsp_plc_good_frame(linedsp_plc* plc, const int16_t* in, int16_t* out, size_t n) noexcept {
  if (plc == nullptr || ((in == nullptr || out == nullptr) && n != 0)) return 0;
  return plc->plc.good_frame(std::span<const std::int16_t>(in, n), std::span<std::int16_t>(out, n));
}

size_t linedsp_plc_lost_frame(linedsp_plc* plc, int16_t* out, size_t n) noexcept {
  if (plc == nullptr || (out == nullptr && n != 0)) return 0;
  return plc->plc.lost_frame(std::span<std::int16_t>(out, n));
}

linedsp_status linedsp_plc_reset(linedsp_plc* plc) noexcept {
  if (plc == nullptr) return null_handle("plc: NULL");
  plc->plc.reset();
  return LINEDSP_OK;
}

// ---- RFC 4733 --------------------------------------------------------------------------------------------
linedsp_status linedsp_rfc4733_sender_create(int sample_rate_hz, int packet_interval_ms, int volume,
                                             uint32_t timestamp_offset, linedsp_rfc4733_sender** out) noexcept {
  if (out != nullptr) *out = nullptr;
  return guarded([&] {
    linedsp::TelephoneEventSenderConfig cfg;
    cfg.sample_rate_hz = sample_rate_hz;
    cfg.packet_interval_ms = packet_interval_ms;
    cfg.volume = volume;
    cfg.timestamp_offset = timestamp_offset;
    return make(out, cfg);
  });
}

void linedsp_rfc4733_sender_destroy(linedsp_rfc4733_sender* tx) noexcept { delete tx; }

#define LINEDSP_PACKET_CALL_(tx, call)                                                     \
  if (count != nullptr) *count = 0;                                                        \
  if ((tx) == nullptr) return null_handle("tx: NULL");                                     \
  if (bad_events(packets, capacity)) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "packets: NULL"); \
  ArraySink<linedsp_rtp_event_packet> sink{packets, capacity};                             \
  auto f = [&](const linedsp::TelephoneEventPacket& p) { sink.push(to_c(p)); };            \
  call;                                                                                    \
  return sink.finish(count)

linedsp_status linedsp_rfc4733_sender_begin(linedsp_rfc4733_sender* tx, char digit, uint64_t start_sample,
                                            uint64_t now_sample, linedsp_rtp_event_packet* packets, size_t capacity,
                                            size_t* count) noexcept {
  if (linedsp::dtmf_event_code(digit) < 0) {
    if (count != nullptr) *count = 0;
    return fail(LINEDSP_ERR_INVALID_ARGUMENT, "digit: not a DTMF digit (0-9 * # A-D)");
  }
  LINEDSP_PACKET_CALL_(tx, tx->tx.begin(digit, start_sample, now_sample, f));
}

linedsp_status linedsp_rfc4733_sender_end(linedsp_rfc4733_sender* tx, uint64_t end_sample,
                                          linedsp_rtp_event_packet* packets, size_t capacity, size_t* count) noexcept {
  LINEDSP_PACKET_CALL_(tx, tx->tx.end(end_sample, f));
}

linedsp_status linedsp_rfc4733_sender_advance(linedsp_rfc4733_sender* tx, uint64_t now_sample,
                                              linedsp_rtp_event_packet* packets, size_t capacity,
                                              size_t* count) noexcept {
  LINEDSP_PACKET_CALL_(tx, tx->tx.advance(now_sample, f));
}
#undef LINEDSP_PACKET_CALL_

linedsp_status linedsp_rfc4733_receiver_create(int sample_rate_hz, int timeout_ms,
                                               linedsp_rfc4733_receiver** out) noexcept {
  if (out != nullptr) *out = nullptr;
  return guarded([&] {
    linedsp::TelephoneEventReceiverConfig cfg;
    cfg.sample_rate_hz = sample_rate_hz;
    cfg.timeout_ms = timeout_ms;
    return make(out, cfg);
  });
}

void linedsp_rfc4733_receiver_destroy(linedsp_rfc4733_receiver* rx) noexcept { delete rx; }

linedsp_status linedsp_rfc4733_receiver_receive(linedsp_rfc4733_receiver* rx, uint32_t timestamp, int marker,
                                                const uint8_t* payload, size_t length, linedsp_rtp_digit* digits,
                                                size_t capacity, size_t* count) noexcept {
  if (count != nullptr) *count = 0;
  if (rx == nullptr) return null_handle("rx: NULL");
  if (payload == nullptr || length < linedsp::kTelephoneEventPayloadBytes)
    return fail(LINEDSP_ERR_INVALID_ARGUMENT, "payload: NULL or shorter than 4 bytes");
  if (bad_events(digits, capacity)) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "digits: NULL");
  ArraySink<linedsp_rtp_digit> sink{digits, capacity};
  auto f = [&](const linedsp::TelephoneEventDigit& d) { sink.push(to_c(d)); };
  rx->rx.receive(timestamp, marker != 0, std::span<const std::uint8_t>(payload, length), f);
  return sink.finish(count);
}

linedsp_status linedsp_rfc4733_receiver_advance(linedsp_rfc4733_receiver* rx, uint32_t now, linedsp_rtp_digit* digits,
                                                size_t capacity, size_t* count) noexcept {
  if (count != nullptr) *count = 0;
  if (rx == nullptr) return null_handle("rx: NULL");
  if (bad_events(digits, capacity)) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "digits: NULL");
  ArraySink<linedsp_rtp_digit> sink{digits, capacity};
  auto f = [&](const linedsp::TelephoneEventDigit& d) { sink.push(to_c(d)); };
  rx->rx.advance(now, f);
  return sink.finish(count);
}

// ---- Simulated line --------------------------------------------------------------------------------------
linedsp_sim_line_config linedsp_sim_line_defaults(void) noexcept {
  const linedsp::SimLineConfig d;
  return {d.attenuation_db, d.noise_dbm0, d.echo_model, d.exchange_erl_db, d.phone_erl_db, d.seed};
}

linedsp_status linedsp_sim_line_create(const linedsp_sim_line_config* cfg, linedsp_sim_line** out) noexcept {
  if (out != nullptr) *out = nullptr;
  return guarded([&] {
    linedsp::SimLineConfig c;
    if (cfg != nullptr) {
      c.attenuation_db = cfg->attenuation_db;
      c.noise_dbm0 = cfg->noise_dbm0;
      c.echo_model = cfg->echo_model;
      c.exchange_erl_db = cfg->exchange_erl_db;
      c.phone_erl_db = cfg->phone_erl_db;
      c.seed = cfg->seed;
    }
    return make(out, c);
  });
}

void linedsp_sim_line_destroy(linedsp_sim_line* line) noexcept { delete line; }

linedsp_status linedsp_sim_line_process(linedsp_sim_line* line, const int16_t* exchange_tx, const int16_t* phone_tx,
                                        int16_t* exchange_rx, int16_t* phone_rx, size_t n) noexcept {
  if (line == nullptr) return null_handle("line: NULL");
  if (n != 0 && (exchange_tx == nullptr || phone_tx == nullptr || exchange_rx == nullptr || phone_rx == nullptr))
    return fail(LINEDSP_ERR_INVALID_ARGUMENT, "exchange_tx/phone_tx/exchange_rx/phone_rx: NULL");
  line->line.process({exchange_tx, n}, {phone_tx, n}, {exchange_rx, n}, {phone_rx, n});
  return LINEDSP_OK;
}

linedsp_status linedsp_sim_line_phone_hook(linedsp_sim_line* line, int off_hook) noexcept {
  if (line == nullptr) return null_handle("line: NULL");
  if (off_hook != 0) line->line.phone().off_hook();
  else line->line.phone().on_hook();
  return LINEDSP_OK;
}

linedsp_status linedsp_sim_line_exchange_ring(linedsp_sim_line* line, const uint32_t* cadence_ms, size_t count) noexcept {
  if (line == nullptr) return null_handle("line: NULL");
  if (cadence_ms == nullptr || count == 0 || count > linedsp::RingCadence::kMaxSegments)
    return fail(LINEDSP_ERR_INVALID_ARGUMENT, "cadence_ms: NULL, or count not 1..8");
  linedsp::RingCadence c;
  for (std::size_t i = 0; i < count; ++i) c.segments_ms[i] = cadence_ms[i];
  c.count = count;
  line->line.exchange().ring(c);
  return LINEDSP_OK;
}

linedsp_status linedsp_sim_line_exchange_ring_off(linedsp_sim_line* line) noexcept {
  if (line == nullptr) return null_handle("line: NULL");
  line->line.exchange().ring_off();
  return LINEDSP_OK;
}

linedsp_status linedsp_sim_line_exchange_polarity(linedsp_sim_line* line, int reversed) noexcept {
  if (line == nullptr) return null_handle("line: NULL");
  line->line.exchange().reverse_polarity(reversed != 0);
  return LINEDSP_OK;
}

linedsp_status linedsp_sim_line_exchange_drop_loop(linedsp_sim_line* line, uint32_t ms) noexcept {
  if (line == nullptr) return null_handle("line: NULL");
  line->line.drop_loop_current(ms);
  return LINEDSP_OK;
}

int linedsp_sim_line_poll_event(linedsp_sim_line* line, int exchange, linedsp_line_event* event) noexcept {
  if (line == nullptr || event == nullptr) return 0;
  auto e = exchange != 0 ? line->line.exchange().poll_event() : line->line.phone().poll_event();
  if (!e) return 0;
  *event = to_c(*e);
  return 1;
}

// ---- Ports -----------------------------------------------------------------------------------------------
linedsp_status linedsp_fxs_port_create(const linedsp_tone_plan* plan, linedsp_sim_line* line,
                                       linedsp_fxs_port** out) noexcept {
  return port_create(plan, line, out);
}

void linedsp_fxs_port_destroy(linedsp_fxs_port* port) noexcept { delete port; }

linedsp_status linedsp_fxs_port_line_event(linedsp_fxs_port* port, linedsp_line_event_kind kind,
                                           uint64_t sample) noexcept {
  return port_line_event(port, enum_int(kind), sample);
}


linedsp_status linedsp_fxs_port_process(linedsp_fxs_port* port, const int16_t* rx, int16_t* tx, const int16_t* voip_in,
                                        int16_t* voip_out, size_t n, linedsp_port_event* events, size_t capacity,
                                        size_t* count) noexcept {
  return port_process(port, true, rx, tx, voip_in, voip_out, n, events, capacity, count);
}

int linedsp_fxs_port_poll_control(linedsp_fxs_port* port, linedsp_line_control* control) noexcept {
  return port_poll_control(port, control);
}

linedsp_status linedsp_fxs_port_ring(linedsp_fxs_port* port, const linedsp_callerid_message* cid) noexcept {
  if (port == nullptr) return null_handle("port: NULL");
  linedsp::CallerIdMessage m;
  if (cid != nullptr && !to_cpp(*cid, m)) return LINEDSP_ERR_INVALID_ARGUMENT;
  if (!port->port.ring(cid != nullptr ? &m : nullptr))
    return fail(LINEDSP_ERR_INVALID_ARGUMENT, "port: not idle with the phone on-hook");
  return LINEDSP_OK;
}

linedsp_status linedsp_fxs_port_stop_ringing(linedsp_fxs_port* port) noexcept {
  if (port == nullptr) return null_handle("port: NULL");
  port->port.stop_ringing();
  return LINEDSP_OK;
}

linedsp_status linedsp_fxs_port_play_tone(linedsp_fxs_port* port, const char* tone) noexcept {
  if (port == nullptr) return null_handle("port: NULL");
  const auto kind = tone != nullptr ? linedsp::parse_tone_kind(tone) : std::nullopt;
  if (!kind || (*kind != linedsp::ToneKind::dial && *kind != linedsp::ToneKind::busy &&
                *kind != linedsp::ToneKind::congestion))
    return fail(LINEDSP_ERR_INVALID_ARGUMENT, "tone: must be dial, busy or congestion");
  port->port.play_tone(*kind);
  return LINEDSP_OK;
}

linedsp_status linedsp_fxs_port_stop_tone(linedsp_fxs_port* port) noexcept {
  if (port == nullptr) return null_handle("port: NULL");
  port->port.stop_tone();
  return LINEDSP_OK;
}

const char* linedsp_fxs_port_state(const linedsp_fxs_port* port) noexcept {
  if (port == nullptr) return "";
  using S = linedsp::FxsPort::State;
  switch (port->port.state()) {
    case S::idle: return "idle";
    case S::dial_tone: return "dial-tone";
    case S::collecting: return "collecting";
    case S::call: return "call";
    case S::ringing: return "ringing";
    case S::reorder: return "reorder";
  }
  return "?";
}

linedsp_status linedsp_fxs_port_reset(linedsp_fxs_port* port) noexcept { return port_reset(port); }

linedsp_status linedsp_fxo_port_create(const linedsp_tone_plan* plan, linedsp_sim_line* line,
                                       linedsp_fxo_port** out) noexcept {
  return port_create(plan, line, out);
}

void linedsp_fxo_port_destroy(linedsp_fxo_port* port) noexcept { delete port; }

linedsp_status linedsp_fxo_port_line_event(linedsp_fxo_port* port, linedsp_line_event_kind kind,
                                           uint64_t sample) noexcept {
  return port_line_event(port, enum_int(kind), sample);
}

linedsp_status linedsp_fxo_port_process(linedsp_fxo_port* port, const int16_t* rx, int16_t* tx, const int16_t* voip_in,
                                        int16_t* voip_out, size_t n, linedsp_port_event* events, size_t capacity,
                                        size_t* count) noexcept {
  return port_process(port, false, rx, tx, voip_in, voip_out, n, events, capacity, count);
}

int linedsp_fxo_port_poll_control(linedsp_fxo_port* port, linedsp_line_control* control) noexcept {
  return port_poll_control(port, control);
}

linedsp_status linedsp_fxo_port_dial(linedsp_fxo_port* port, const char* number) noexcept {
  if (port == nullptr) return null_handle("port: NULL");
  if (number == nullptr) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "number: NULL");
  if (!port->port.dial(number)) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "port: not idle, or number not 1-32 DTMF digits");
  return LINEDSP_OK;
}

linedsp_status linedsp_fxo_port_answer(linedsp_fxo_port* port) noexcept {
  if (port == nullptr) return null_handle("port: NULL");
  if (!port->port.answer()) return fail(LINEDSP_ERR_INVALID_ARGUMENT, "port: not ringing");
  return LINEDSP_OK;
}

linedsp_status linedsp_fxo_port_hang_up(linedsp_fxo_port* port) noexcept {
  if (port == nullptr) return null_handle("port: NULL");
  port->port.hang_up();
  return LINEDSP_OK;
}

const char* linedsp_fxo_port_state(const linedsp_fxo_port* port) noexcept {
  if (port == nullptr) return "";
  using S = linedsp::FxoPort::State;
  switch (port->port.state()) {
    case S::idle: return "idle";
    case S::ringing: return "ringing";
    case S::seizing: return "seizing";
    case S::dialling: return "dialling";
    case S::waiting: return "waiting";
    case S::connected: return "connected";
  }
  return "?";
}

linedsp_status linedsp_fxo_port_reset(linedsp_fxo_port* port) noexcept { return port_reset(port); }

}  // extern "C"
