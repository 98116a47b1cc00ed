/* linedsp.h — the C API of linedsp: real-time telephony DSP for analog lines.
 *
 * Conventions
 *  - Opaque handles: linedsp_<thing>_create(..., &handle) allocates (the only calls that do),
 *    linedsp_<thing>_destroy(handle) frees (NULL is fine).
 *  - Every function returns a linedsp_status (or a count) and never lets a C++ exception out. On an error
 *    linedsp_last_error() gives a message for the calling thread, naming the bad argument or field.
 *  - Audio is 16-bit linear PCM (int16_t) at 8000 Hz (16000 Hz where a create call takes a rate), or
 *    G.711 bytes. process() calls are real-time safe: no allocation, no locks, bounded work per sample,
 *    and their results do not depend on how the caller splits the audio into blocks.
 *  - Time is samples: each object counts samples from 0 (uint64_t); events carry sample indices.
 *  - Detectors report events as begin/end pairs into a caller-owned array: process(..., events, capacity,
 *    &count) writes at most `capacity` events and returns LINEDSP_ERR_OVERFLOW if more occurred (the
 *    extra ones are lost; 16 per 20 ms frame is always enough).
 *  - One handle must not be used by two threads at once; different handles are independent.
 */
#ifndef LINEDSP_H
#define LINEDSP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define LINEDSP_API __attribute__((visibility("default")))
#else
#define LINEDSP_API
#endif
/* C++ callers see that no function throws. */
#ifdef __cplusplus
#define LINEDSP_NOEXCEPT noexcept
#else
#define LINEDSP_NOEXCEPT
#endif

typedef enum linedsp_status {
  LINEDSP_OK = 0,
  LINEDSP_ERR_INVALID_ARGUMENT = -1, /* a NULL handle/pointer or a bad configuration value */
  LINEDSP_ERR_NO_MEMORY = -2,
  LINEDSP_ERR_IO = -3,               /* a file could not be read (tone plans) */
  LINEDSP_ERR_OVERFLOW = -4,         /* more events than the caller's array holds */
  LINEDSP_ERR_INTERNAL = -5
} linedsp_status;

/* The message of the last failed call on this thread ("" if none). Valid until the next failing call. */
LINEDSP_API const char* linedsp_last_error(void) LINEDSP_NOEXCEPT;
/* Library version, "major.minor.patch". */
LINEDSP_API const char* linedsp_version(void) LINEDSP_NOEXCEPT;
/* The SIMD instruction set the kernels use: "scalar", "sse2", "avx2" or "avx512" (LINEDSP_SIMD forces one). */
LINEDSP_API const char* linedsp_simd(void) LINEDSP_NOEXCEPT;
/* Short name of a status code. */
LINEDSP_API const char* linedsp_status_name(linedsp_status status) LINEDSP_NOEXCEPT;

/* ---- G.711 (ITU-T G.711, bit-exact to the G.191 reference) -------------------------------------------- */
typedef enum linedsp_law { LINEDSP_ULAW = 0, LINEDSP_ALAW = 1 } linedsp_law;

/* Batch conversion of n samples (any alignment); returns n, or 0 on a NULL pointer / unknown law. */
LINEDSP_API size_t linedsp_g711_encode(linedsp_law law, const int16_t* pcm, uint8_t* codes, size_t n) LINEDSP_NOEXCEPT;
LINEDSP_API size_t linedsp_g711_decode(linedsp_law law, const uint8_t* codes, int16_t* pcm, size_t n) LINEDSP_NOEXCEPT;

/* ---- DTMF receiver (ITU-T Q.24) ---------------------------------------------------------------------- */
typedef struct linedsp_dtmf_detector linedsp_dtmf_detector;
typedef struct linedsp_dtmf_event {
  char digit;                /* '0'-'9', '*', '#', 'A'-'D' */
  int begin;                 /* 1 = digit began (mute it now), 0 = it ended */
  uint64_t sample;           /* first sample of the tone (begin and end) */
  uint64_t duration_samples; /* end events */
} linedsp_dtmf_event;

/* profile: NULL or "att" (default), "ntt", "etsi", "australia". sample_rate_hz: 8000 or 16000. */
LINEDSP_API linedsp_status linedsp_dtmf_detector_create(int sample_rate_hz, const char* profile,
                                                        linedsp_dtmf_detector** out) LINEDSP_NOEXCEPT;
LINEDSP_API void linedsp_dtmf_detector_destroy(linedsp_dtmf_detector* det) LINEDSP_NOEXCEPT;
LINEDSP_API linedsp_status linedsp_dtmf_detector_process(linedsp_dtmf_detector* det, const int16_t* pcm, size_t n,
                                                         linedsp_dtmf_event* events, size_t capacity,
                                                         size_t* count) LINEDSP_NOEXCEPT;
/* End of stream: ends a digit still sounding. */
LINEDSP_API linedsp_status linedsp_dtmf_detector_finish(linedsp_dtmf_detector* det, linedsp_dtmf_event* events,
                                                        size_t capacity, size_t* count) LINEDSP_NOEXCEPT;
LINEDSP_API linedsp_status linedsp_dtmf_detector_reset(linedsp_dtmf_detector* det) LINEDSP_NOEXCEPT;

/* ---- DTMF generator (ITU-T Q.23) --------------------------------------------------------------------- */
typedef struct linedsp_dtmf_generator linedsp_dtmf_generator;
/* Levels per tone in dBm0 (Q.23 typical: -10 low group, -8 high group); on/off times in ms (80/80). */
LINEDSP_API linedsp_status linedsp_dtmf_generator_create(int sample_rate_hz, double low_level_dbm0,
                                                         double high_level_dbm0, int on_ms, int off_ms,
                                                         linedsp_dtmf_generator** out) LINEDSP_NOEXCEPT;
LINEDSP_API void linedsp_dtmf_generator_destroy(linedsp_dtmf_generator* gen) LINEDSP_NOEXCEPT;
/* Queues digits ("0-9*#A-D"); LINEDSP_ERR_INVALID_ARGUMENT (nothing queued) on another character or a full queue. */
LINEDSP_API linedsp_status linedsp_dtmf_generator_queue(linedsp_dtmf_generator* gen, const char* digits) LINEDSP_NOEXCEPT;
/* Writes n samples (tones, pauses, then silence); returns the samples that carried queued signal. */
LINEDSP_API size_t linedsp_dtmf_generator_generate(linedsp_dtmf_generator* gen, int16_t* out, size_t n) LINEDSP_NOEXCEPT;
/* 1 when nothing is queued or sounding. */
LINEDSP_API int linedsp_dtmf_generator_idle(const linedsp_dtmf_generator* gen) LINEDSP_NOEXCEPT;

/* ---- Call-progress tones (ITU-T E.180 / national tone plans) ----------------------------------------- */
typedef struct linedsp_progress_detector linedsp_progress_detector;
typedef struct linedsp_progress_event {
  int begin;                 /* 1 = tone confirmed, 0 = it ended */
  const char* kind;          /* "dial", "special-dial", "ringback", "busy", "congestion", "sit", ... (static) */
  uint64_t sample;           /* begin: first sample of the tone; end: the sample after its last part */
  uint64_t confirmed_sample; /* begin: when it was confirmed */
  float level_dbm0;
} linedsp_progress_event;

/* plan_file: a tone plan in TOML (data/tones/<country>.toml). */
LINEDSP_API linedsp_status linedsp_progress_detector_create(const char* plan_file, int sample_rate_hz,
                                                            linedsp_progress_detector** out) LINEDSP_NOEXCEPT;
/* The same from the TOML text itself. */
LINEDSP_API linedsp_status linedsp_progress_detector_create_from_toml(const char* toml_text, int sample_rate_hz,
                                                                      linedsp_progress_detector** out) LINEDSP_NOEXCEPT;
LINEDSP_API void linedsp_progress_detector_destroy(linedsp_progress_detector* det) LINEDSP_NOEXCEPT;
LINEDSP_API linedsp_status linedsp_progress_detector_process(linedsp_progress_detector* det, const int16_t* pcm,
                                                             size_t n, linedsp_progress_event* events,
                                                             size_t capacity, size_t* count) LINEDSP_NOEXCEPT;
LINEDSP_API linedsp_status linedsp_progress_detector_finish(linedsp_progress_detector* det,
                                                            linedsp_progress_event* events, size_t capacity,
                                                            size_t* count) LINEDSP_NOEXCEPT;
LINEDSP_API linedsp_status linedsp_progress_detector_reset(linedsp_progress_detector* det) LINEDSP_NOEXCEPT;

/* ---- Modem and fax tones (V.25 ANS, V.8 ANSam, T.30 CNG/CED, V.21 flags) ----------------------------- */
typedef struct linedsp_modem_detector linedsp_modem_detector;
typedef struct linedsp_modem_event {
  int begin;
  const char* tone;          /* "cng", "ans", "ans-pr", "ansam", "ansam-pr", "v21-flags" (static) */
  uint64_t sample;           /* onset */
  uint64_t duration_samples; /* end events */
  float level_dbm0;
  float frequency_hz;        /* measured carrier (answer tones, CNG); 0 for V.21 */
} linedsp_modem_event;

LINEDSP_API linedsp_status linedsp_modem_detector_create(int sample_rate_hz, linedsp_modem_detector** out) LINEDSP_NOEXCEPT;
LINEDSP_API void linedsp_modem_detector_destroy(linedsp_modem_detector* det) LINEDSP_NOEXCEPT;
LINEDSP_API linedsp_status linedsp_modem_detector_process(linedsp_modem_detector* det, const int16_t* pcm, size_t n,
                                                          linedsp_modem_event* events, size_t capacity,
                                                          size_t* count) LINEDSP_NOEXCEPT;
LINEDSP_API linedsp_status linedsp_modem_detector_finish(linedsp_modem_detector* det, linedsp_modem_event* events,
                                                         size_t capacity, size_t* count) LINEDSP_NOEXCEPT;
LINEDSP_API linedsp_status linedsp_modem_detector_reset(linedsp_modem_detector* det) LINEDSP_NOEXCEPT;

/* ---- Caller ID receiver (Telcordia GR-30 Bell 202 / ETSI EN 300 659 V.23, SDMF and MDMF) -------------- */
typedef struct linedsp_callerid_receiver linedsp_callerid_receiver;
typedef enum linedsp_fsk_modem { LINEDSP_FSK_BELL202 = 0, LINEDSP_FSK_V23 = 1 } linedsp_fsk_modem;
typedef struct linedsp_callerid_event {
  int begin;           /* 1 = a message header arrived; 0 = the message ended (see status) */
  const char* status;  /* end events: "ok", "checksum", "truncated", "framing", "malformed", "unsupported" */
  uint64_t sample;
  uint64_t duration_samples;
  char date_time[9];   /* "MMDDHHMM" or "" (NUL-terminated; end events with status "ok") */
  char number[33];
  char name[65];
  char number_absent;  /* 'O' unavailable, 'P' private, 0 given/not present */
  char name_absent;
} linedsp_callerid_event;

/* require_seizure: 1 for on-hook (Type I) spills, 0 for off-hook (Type II) after a CAS/DT-AS alert. */
LINEDSP_API linedsp_status linedsp_callerid_receiver_create(linedsp_fsk_modem modem, int sample_rate_hz,
                                                            int require_seizure, linedsp_callerid_receiver** out) LINEDSP_NOEXCEPT;
LINEDSP_API void linedsp_callerid_receiver_destroy(linedsp_callerid_receiver* rx) LINEDSP_NOEXCEPT;
LINEDSP_API linedsp_status linedsp_callerid_receiver_process(linedsp_callerid_receiver* rx, const int16_t* pcm,
                                                             size_t n, linedsp_callerid_event* events,
                                                             size_t capacity, size_t* count) LINEDSP_NOEXCEPT;
LINEDSP_API linedsp_status linedsp_callerid_receiver_reset(linedsp_callerid_receiver* rx) LINEDSP_NOEXCEPT;

/* ---- Line echo canceller (ITU-T G.168) ---------------------------------------------------------------- */
typedef struct linedsp_echo_canceller linedsp_echo_canceller;
/* tail_ms: 16..128 (echo path capacity; 64 is typical). */
LINEDSP_API linedsp_status linedsp_echo_canceller_create(int sample_rate_hz, int tail_ms,
                                                         linedsp_echo_canceller** out) LINEDSP_NOEXCEPT;
LINEDSP_API void linedsp_echo_canceller_destroy(linedsp_echo_canceller* ec) LINEDSP_NOEXCEPT;
/* far: what was sent to the line; near: what came back (with its echo); out: near with the echo removed.
 * out may alias near. */
LINEDSP_API linedsp_status linedsp_echo_canceller_process(linedsp_echo_canceller* ec, const int16_t* far,
                                                          const int16_t* near, int16_t* out, size_t n) LINEDSP_NOEXCEPT;
LINEDSP_API linedsp_status linedsp_echo_canceller_reset(linedsp_echo_canceller* ec) LINEDSP_NOEXCEPT;
/* Bypass (out = near) and NLP switches, as a G.164/G.165 tone disabler drives them. */
LINEDSP_API linedsp_status linedsp_echo_canceller_set_bypass(linedsp_echo_canceller* ec, int bypass) LINEDSP_NOEXCEPT;
LINEDSP_API linedsp_status linedsp_echo_canceller_set_nlp(linedsp_echo_canceller* ec, int enabled) LINEDSP_NOEXCEPT;
/* The canceller's running ERLE estimate in dB. */
LINEDSP_API float linedsp_echo_canceller_erle_db(const linedsp_echo_canceller* ec) LINEDSP_NOEXCEPT;
/* Bytes of state this canceller owns. */
LINEDSP_API size_t linedsp_echo_canceller_memory_bytes(const linedsp_echo_canceller* ec) LINEDSP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif /* LINEDSP_H */
