// capi/linedsp_capi.cpp — the C API (capi/linedsp.h) over the C++ processors.
//
// Every entry point is noexcept and catches everything: std::invalid_argument becomes
// LINEDSP_ERR_INVALID_ARGUMENT with its message, std::bad_alloc LINEDSP_ERR_NO_MEMORY, file errors
// LINEDSP_ERR_IO. The last-error message lives in a fixed thread-local buffer, so reporting an error never
// allocates. process() wrappers hand the C++ event sink a lambda that copies into the caller's array.
#include "capi/linedsp.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include "codecs/g711.hpp"
#include "dsp/simd.hpp"
#include "signals/callerid.hpp"
#include "signals/dtmf_detector.hpp"
#include "signals/dtmf_generator.hpp"
#include "signals/echo_canceller.hpp"
#include "signals/modem_tone.hpp"
#include "signals/modem_tone_detector.hpp"
#include "signals/progress_detector.hpp"
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
  switch (status) {
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
  if (law != LINEDSP_ULAW && law != LINEDSP_ALAW) return 0;
  return linedsp::g711_encode(law == LINEDSP_ULAW ? linedsp::Law::ulaw : linedsp::Law::alaw, {pcm, n}, {codes, n});
}

size_t linedsp_g711_decode(linedsp_law law, const uint8_t* codes, int16_t* pcm, size_t n) noexcept {
  if ((pcm == nullptr || codes == nullptr) && n != 0) return 0;
  if (law != LINEDSP_ULAW && law != LINEDSP_ALAW) return 0;
  return linedsp::g711_decode(law == LINEDSP_ULAW ? linedsp::Law::ulaw : linedsp::Law::alaw, {codes, n}, {pcm, n});
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
  int modem_value = 0;
  static_assert(sizeof modem_value == sizeof modem);
  std::memcpy(&modem_value, &modem, sizeof modem_value);
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
