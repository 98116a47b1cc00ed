/** @file linedsp.h
 * @brief The C API of linedsp: real-time telephony DSP for analog lines.
 *
 * Conventions
 *  - Opaque handles: linedsp_THING_create(..., &handle) allocates (the only calls that do),
 *    linedsp_THING_destroy(handle) frees (NULL is fine).
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
 *  - Memory: each handle type's comment gives its size; docs/embedding.md has the measured figures.
 */
#ifndef LINEDSP_H
#define LINEDSP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Marks the exported functions (default visibility in the shared library). */
#if defined(__GNUC__)
#define LINEDSP_API __attribute__((visibility("default")))
#else
#define LINEDSP_API
#endif
/** C++ callers see that no function throws. */
#ifdef __cplusplus
#define LINEDSP_NOEXCEPT noexcept
#else
#define LINEDSP_NOEXCEPT
#endif

/** Status of a call: LINEDSP_OK (0) or a negative error code. */
typedef enum linedsp_status {
  LINEDSP_OK = 0,                    /**< success */
  LINEDSP_ERR_INVALID_ARGUMENT = -1, /**< a NULL handle/pointer or a bad configuration value */
  LINEDSP_ERR_NO_MEMORY = -2,        /**< allocation failed (create calls only) */
  LINEDSP_ERR_IO = -3,               /**< a file could not be read (tone plans) */
  LINEDSP_ERR_OVERFLOW = -4,         /**< more events than the caller's array holds (the rest are lost) */
  LINEDSP_ERR_INTERNAL = -5          /**< an unexpected internal failure */
} linedsp_status;

/** The message of the last failed call on this thread ("" if none). Valid until the next failing call. */
LINEDSP_API const char* linedsp_last_error(void) LINEDSP_NOEXCEPT;
/** Library version, "major.minor.patch". */
LINEDSP_API const char* linedsp_version(void) LINEDSP_NOEXCEPT;
/** The SIMD instruction set the kernels use: "scalar", "sse2", "avx2" or "avx512" (LINEDSP_SIMD forces one). */
LINEDSP_API const char* linedsp_simd(void) LINEDSP_NOEXCEPT;
/** Short name of a status code. */
LINEDSP_API const char* linedsp_status_name(linedsp_status status) LINEDSP_NOEXCEPT;

/* ---- G.711 (ITU-T G.711, bit-exact to the G.191 reference) -------------------------------------------- */
/** G.711 companding law. */
typedef enum linedsp_law {
  LINEDSP_ULAW = 0, /**< mu-law (North America, Japan) */
  LINEDSP_ALAW = 1  /**< A-law (elsewhere) */
} linedsp_law;

/** Encodes n samples (any alignment); returns n, or 0 on a NULL pointer / unknown law. Stateless: no handle. */
LINEDSP_API size_t linedsp_g711_encode(linedsp_law law, const int16_t* pcm, uint8_t* codes, size_t n) LINEDSP_NOEXCEPT;
/** Decodes n codes (any alignment); returns n, or 0 on a NULL pointer / unknown law. */
LINEDSP_API size_t linedsp_g711_decode(linedsp_law law, const uint8_t* codes, int16_t* pcm, size_t n) LINEDSP_NOEXCEPT;

/* ---- DTMF receiver (ITU-T Q.24) ---------------------------------------------------------------------- */
/** DTMF receiver per ITU-T Q.23/Q.24. Memory: about 250 bytes (fixed size; its tables are shared). */
typedef struct linedsp_dtmf_detector linedsp_dtmf_detector;
/** A digit's begin or end. */
typedef struct linedsp_dtmf_event {
  char digit;                /**< '0'-'9', '*', '#', 'A'-'D' */
  int begin;                 /**< 1 = digit began (mute it now), 0 = it ended */
  uint64_t sample;           /**< first sample of the tone (begin and end) */
  uint64_t duration_samples; /**< end events: the tone's length */
} linedsp_dtmf_event;

/** profile: NULL or "att" (default), "ntt", "etsi", "australia". sample_rate_hz: 8000 or 16000. */
LINEDSP_API linedsp_status linedsp_dtmf_detector_create(int sample_rate_hz, const char* profile,
                                                        linedsp_dtmf_detector** out) LINEDSP_NOEXCEPT;
/** Frees a receiver (NULL is fine). */
LINEDSP_API void linedsp_dtmf_detector_destroy(linedsp_dtmf_detector* det) LINEDSP_NOEXCEPT;
/** Processes n samples; events into events[0..capacity), their number in *count. */
LINEDSP_API linedsp_status linedsp_dtmf_detector_process(linedsp_dtmf_detector* det, const int16_t* pcm, size_t n,
                                                         linedsp_dtmf_event* events, size_t capacity,
                                                         size_t* count) LINEDSP_NOEXCEPT;
/** End of stream: ends a digit still sounding. */
LINEDSP_API linedsp_status linedsp_dtmf_detector_finish(linedsp_dtmf_detector* det, linedsp_dtmf_event* events,
                                                        size_t capacity, size_t* count) LINEDSP_NOEXCEPT;
/** Back to the just-created state. */
LINEDSP_API linedsp_status linedsp_dtmf_detector_reset(linedsp_dtmf_detector* det) LINEDSP_NOEXCEPT;

/* ---- DTMF generator (ITU-T Q.23) --------------------------------------------------------------------- */
/** DTMF sender per ITU-T Q.23. Memory: about 200 bytes (fixed size). */
typedef struct linedsp_dtmf_generator linedsp_dtmf_generator;
/** Levels per tone in dBm0 (Q.23 typical: -10 low group, -8 high group); on/off times in ms (80/80). */
LINEDSP_API linedsp_status linedsp_dtmf_generator_create(int sample_rate_hz, double low_level_dbm0,
                                                         double high_level_dbm0, int on_ms, int off_ms,
                                                         linedsp_dtmf_generator** out) LINEDSP_NOEXCEPT;
/** Frees a generator (NULL is fine). */
LINEDSP_API void linedsp_dtmf_generator_destroy(linedsp_dtmf_generator* gen) LINEDSP_NOEXCEPT;
/** Queues digits ("0-9*#A-D"); LINEDSP_ERR_INVALID_ARGUMENT (nothing queued) on another character or a full queue. */
LINEDSP_API linedsp_status linedsp_dtmf_generator_queue(linedsp_dtmf_generator* gen, const char* digits) LINEDSP_NOEXCEPT;
/** Writes n samples (tones, pauses, then silence); returns the samples that carried queued signal. */
LINEDSP_API size_t linedsp_dtmf_generator_generate(linedsp_dtmf_generator* gen, int16_t* out, size_t n) LINEDSP_NOEXCEPT;
/** 1 when nothing is queued or sounding. */
LINEDSP_API int linedsp_dtmf_generator_idle(const linedsp_dtmf_generator* gen) LINEDSP_NOEXCEPT;

/* ---- Call-progress tones (ITU-T E.180 / national tone plans) ----------------------------------------- */
/** Call-progress tone detector for one country's tone plan. Memory: about 11.5 kB with its compiled plan (US). */
typedef struct linedsp_progress_detector linedsp_progress_detector;
/** A tone's begin or end. */
typedef struct linedsp_progress_event {
  int begin;                 /**< 1 = tone confirmed, 0 = it ended */
  const char* kind;          /**< "dial", "special-dial", "ringback", "busy", "congestion", "sit", ... (static) */
  uint64_t sample;           /**< begin: first sample of the tone; end: the sample after its last part */
  uint64_t confirmed_sample; /**< begin: when it was confirmed */
  float level_dbm0;          /**< measured level */
} linedsp_progress_event;

/** plan_file: a tone plan in TOML (data/tones/CC.toml). */
LINEDSP_API linedsp_status linedsp_progress_detector_create(const char* plan_file, int sample_rate_hz,
                                                            linedsp_progress_detector** out) LINEDSP_NOEXCEPT;
/** The same from the TOML text itself. */
LINEDSP_API linedsp_status linedsp_progress_detector_create_from_toml(const char* toml_text, int sample_rate_hz,
                                                                      linedsp_progress_detector** out) LINEDSP_NOEXCEPT;
/** Frees a detector (NULL is fine). */
LINEDSP_API void linedsp_progress_detector_destroy(linedsp_progress_detector* det) LINEDSP_NOEXCEPT;
/** Processes n samples; events into events[0..capacity). */
LINEDSP_API linedsp_status linedsp_progress_detector_process(linedsp_progress_detector* det, const int16_t* pcm,
                                                             size_t n, linedsp_progress_event* events,
                                                             size_t capacity, size_t* count) LINEDSP_NOEXCEPT;
/** End of stream: ends a tone still confirmed. */
LINEDSP_API linedsp_status linedsp_progress_detector_finish(linedsp_progress_detector* det,
                                                            linedsp_progress_event* events, size_t capacity,
                                                            size_t* count) LINEDSP_NOEXCEPT;
/** Back to the just-created state. */
LINEDSP_API linedsp_status linedsp_progress_detector_reset(linedsp_progress_detector* det) LINEDSP_NOEXCEPT;

/* ---- Modem and fax tones (V.25 ANS, V.8 ANSam, T.30 CNG/CED, V.21 flags) ----------------------------- */
/** Modem and fax tone detector. Memory: about 13.4 kB (fixed size). */
typedef struct linedsp_modem_detector linedsp_modem_detector;
/** A modem or fax tone's begin or end. */
typedef struct linedsp_modem_event {
  int begin;                 /**< 1 = began, 0 = ended */
  const char* tone;          /**< "cng", "ans", "ans-pr", "ansam", "ansam-pr", "v21-flags" (static) */
  uint64_t sample;           /**< onset */
  uint64_t duration_samples; /**< end events */
  float level_dbm0;          /**< measured level */
  float frequency_hz;        /**< measured carrier (answer tones, CNG); 0 for V.21 */
} linedsp_modem_event;

/** Creates a detector (sample_rate_hz 8000 or 16000). */
LINEDSP_API linedsp_status linedsp_modem_detector_create(int sample_rate_hz, linedsp_modem_detector** out) LINEDSP_NOEXCEPT;
/** Frees a detector (NULL is fine). */
LINEDSP_API void linedsp_modem_detector_destroy(linedsp_modem_detector* det) LINEDSP_NOEXCEPT;
/** Processes n samples; events into events[0..capacity). */
LINEDSP_API linedsp_status linedsp_modem_detector_process(linedsp_modem_detector* det, const int16_t* pcm, size_t n,
                                                          linedsp_modem_event* events, size_t capacity,
                                                          size_t* count) LINEDSP_NOEXCEPT;
/** End of stream: ends a tone still sounding. */
LINEDSP_API linedsp_status linedsp_modem_detector_finish(linedsp_modem_detector* det, linedsp_modem_event* events,
                                                         size_t capacity, size_t* count) LINEDSP_NOEXCEPT;
/** Back to the just-created state. */
LINEDSP_API linedsp_status linedsp_modem_detector_reset(linedsp_modem_detector* det) LINEDSP_NOEXCEPT;

/* ---- Caller ID receiver (Telcordia GR-30 Bell 202 / ETSI EN 300 659 V.23, SDMF and MDMF) -------------- */
/** Caller ID FSK receiver. Memory: about 3.3 kB. */
typedef struct linedsp_callerid_receiver linedsp_callerid_receiver;
/** Caller ID FSK modem. */
typedef enum linedsp_fsk_modem {
  LINEDSP_FSK_BELL202 = 0, /**< Bell 202, 1200 baud (Telcordia GR-30, North America) */
  LINEDSP_FSK_V23 = 1      /**< ITU-T V.23, 1200 baud (ETSI EN 300 659) */
} linedsp_fsk_modem;
/** A caller ID message's begin or end. */
typedef struct linedsp_callerid_event {
  int begin;           /**< 1 = a message header arrived; 0 = the message ended (see status) */
  const char* status;  /**< end events: "ok", "checksum", "truncated", "framing", "malformed", "unsupported" */
  uint64_t sample;     /**< start of the message type byte */
  uint64_t duration_samples; /**< end events: type byte to checksum */
  char date_time[9];   /**< "MMDDHHMM" or "" (NUL-terminated; end events with status "ok") */
  char number[33];     /**< calling number or "" */
  char name[65];       /**< calling name or "" */
  char number_absent;  /**< 'O' unavailable, 'P' private, 0 given/not present */
  char name_absent;    /**< as number_absent, for the name */
} linedsp_callerid_event;

/** require_seizure: 1 for on-hook (Type I) spills, 0 for off-hook (Type II) after a CAS/DT-AS alert. */
LINEDSP_API linedsp_status linedsp_callerid_receiver_create(linedsp_fsk_modem modem, int sample_rate_hz,
                                                            int require_seizure, linedsp_callerid_receiver** out) LINEDSP_NOEXCEPT;
/** Frees a receiver (NULL is fine). */
LINEDSP_API void linedsp_callerid_receiver_destroy(linedsp_callerid_receiver* rx) LINEDSP_NOEXCEPT;
/** Processes n samples; events into events[0..capacity). */
LINEDSP_API linedsp_status linedsp_callerid_receiver_process(linedsp_callerid_receiver* rx, const int16_t* pcm,
                                                             size_t n, linedsp_callerid_event* events,
                                                             size_t capacity, size_t* count) LINEDSP_NOEXCEPT;
/** Back to the just-created state. */
LINEDSP_API linedsp_status linedsp_callerid_receiver_reset(linedsp_callerid_receiver* rx) LINEDSP_NOEXCEPT;

/* ---- Line echo canceller (ITU-T G.168) ---------------------------------------------------------------- */
/** Line echo canceller per ITU-T G.168. Memory: about 11 kB at 64 ms (linedsp_echo_canceller_memory_bytes()). */
typedef struct linedsp_echo_canceller linedsp_echo_canceller;
/** tail_ms: 16..128 (echo path capacity; 64 is typical). */
LINEDSP_API linedsp_status linedsp_echo_canceller_create(int sample_rate_hz, int tail_ms,
                                                         linedsp_echo_canceller** out) LINEDSP_NOEXCEPT;
/** Frees a canceller (NULL is fine). */
LINEDSP_API void linedsp_echo_canceller_destroy(linedsp_echo_canceller* ec) LINEDSP_NOEXCEPT;
/** far: what was sent to the line; near: what came back (with its echo); out: near with the echo removed.
 *  out may alias near. */
LINEDSP_API linedsp_status linedsp_echo_canceller_process(linedsp_echo_canceller* ec, const int16_t* far,
                                                          const int16_t* near, int16_t* out, size_t n) LINEDSP_NOEXCEPT;
/** Back to the just-created state. */
LINEDSP_API linedsp_status linedsp_echo_canceller_reset(linedsp_echo_canceller* ec) LINEDSP_NOEXCEPT;
/** Bypass (out = near), as a G.164/G.165 tone disabler drives it. */
LINEDSP_API linedsp_status linedsp_echo_canceller_set_bypass(linedsp_echo_canceller* ec, int bypass) LINEDSP_NOEXCEPT;
/** NLP on (1) or off (0), as a G.164/G.165 tone disabler drives it. */
LINEDSP_API linedsp_status linedsp_echo_canceller_set_nlp(linedsp_echo_canceller* ec, int enabled) LINEDSP_NOEXCEPT;
/** The canceller's running ERLE estimate in dB. */
LINEDSP_API float linedsp_echo_canceller_erle_db(const linedsp_echo_canceller* ec) LINEDSP_NOEXCEPT;
/** Bytes of state this canceller owns. */
LINEDSP_API size_t linedsp_echo_canceller_memory_bytes(const linedsp_echo_canceller* ec) LINEDSP_NOEXCEPT;

/* ---- Tone plans (per-country call-progress tones and ring cadences, data/tones/CC.toml) --------- */
/** A parsed tone plan. Generators, detectors and ports copy what they need from it at creation, so it may be
 *  destroyed as soon as they exist. Memory: a few kB (the plan's tones and rings). */
typedef struct linedsp_tone_plan linedsp_tone_plan;

/** Loads data_dir/tones/CC.toml (country: ISO 3166 alpha-2, lower case, e.g. "us", "gb", "de").
 *  data_dir NULL: the LINEDSP_DATA_DIR environment variable (the folder that holds tones/). */
LINEDSP_API linedsp_status linedsp_tone_plan_load_country(const char* data_dir, const char* country,
                                                          linedsp_tone_plan** out) LINEDSP_NOEXCEPT;
/** Loads a tone plan file (TOML). */
LINEDSP_API linedsp_status linedsp_tone_plan_load(const char* plan_file, linedsp_tone_plan** out) LINEDSP_NOEXCEPT;
/** Parses tone plan TOML text. */
LINEDSP_API linedsp_status linedsp_tone_plan_parse(const char* toml_text, linedsp_tone_plan** out) LINEDSP_NOEXCEPT;
/** Frees a plan (NULL is fine). */
LINEDSP_API void linedsp_tone_plan_destroy(linedsp_tone_plan* plan) LINEDSP_NOEXCEPT;
/** The plan's country code ("us"), or "" for NULL. */
LINEDSP_API const char* linedsp_tone_plan_country(const linedsp_tone_plan* plan) LINEDSP_NOEXCEPT;

/* ---- Call-progress tone generator (any tone of a plan) ------------------------------------------------- */
/** Generates one tone of a plan ("dial", "busy", "ringback", "congestion", "sit", ... or any key the plan
 *  defines), sample accurate and phase continuous. Memory: about 1.2 kB (fixed size). */
typedef struct linedsp_tone_generator linedsp_tone_generator;

/** tone: the plan's key or a kind name; sample_rate_hz 8000 or 16000; gain_db is added to the plan's levels. */
LINEDSP_API linedsp_status linedsp_tone_generator_create(const linedsp_tone_plan* plan, const char* tone,
                                                         int sample_rate_hz, double gain_db,
                                                         linedsp_tone_generator** out) LINEDSP_NOEXCEPT;
/** Frees a generator (NULL is fine). */
LINEDSP_API void linedsp_tone_generator_destroy(linedsp_tone_generator* gen) LINEDSP_NOEXCEPT;
/** Writes up to n samples; returns how many (fewer only when a tone that plays once has ended; 0 on NULL). */
LINEDSP_API size_t linedsp_tone_generator_generate(linedsp_tone_generator* gen, int16_t* out, size_t n) LINEDSP_NOEXCEPT;
/** 1 when a tone that plays once has ended (or gen is NULL), else 0. */
LINEDSP_API int linedsp_tone_generator_finished(const linedsp_tone_generator* gen) LINEDSP_NOEXCEPT;
/** Back to the tone's first sample. */
LINEDSP_API linedsp_status linedsp_tone_generator_reset(linedsp_tone_generator* gen) LINEDSP_NOEXCEPT;

/* ---- Line signalling (ring cadences, hook, polarity) --------------------------------------------------- */
/** Line signalling event kinds (devices/line_device.hpp). */
typedef enum linedsp_line_event_kind {
  LINEDSP_LINE_HOOK_OFF = 0,  /**< the phone (or an FXO port) went off-hook */
  LINEDSP_LINE_HOOK_ON = 1,   /**< on-hook */
  LINEDSP_LINE_FLASH = 2,     /**< a hook flash */
  LINEDSP_LINE_RING_BEGIN = 3,/**< ring voltage on */
  LINEDSP_LINE_RING_END = 4,  /**< ring voltage off */
  LINEDSP_LINE_POLARITY = 5,  /**< battery polarity reversed */
  LINEDSP_LINE_LOOP_DROP = 6, /**< loop current interrupted */
  LINEDSP_LINE_LOOP_RESTORE = 7, /**< loop current back */
  LINEDSP_LINE_ALARM = 8      /**< hardware fault */
} linedsp_line_event_kind;

/** One line signalling event at a sample index. */
typedef struct linedsp_line_event {
  linedsp_line_event_kind kind; /**< what happened */
  uint64_t sample;              /**< when, on the clock of the object that reports it */
} linedsp_line_event;

/** Short name of a line event kind ("hook-off", "ring-begin", ...). */
LINEDSP_API const char* linedsp_line_event_name(linedsp_line_event_kind kind) LINEDSP_NOEXCEPT;

/* ---- Ring cadence generator ----------------------------------------------------------------------------- */
/** The ring voltage of a plan's ring cadence as a waveform (volts x 100 per sample) with ring-begin/ring-end
 *  events at the exact sample of each edge. Memory: about 150 bytes (fixed size). */
typedef struct linedsp_ring_generator linedsp_ring_generator;

/** ring: the plan's ring name (NULL or "normal" for the usual cadence); ring_vrms: e.g. 75. */
LINEDSP_API linedsp_status linedsp_ring_generator_create(const linedsp_tone_plan* plan, const char* ring,
                                                         int sample_rate_hz, double ring_vrms,
                                                         linedsp_ring_generator** out) LINEDSP_NOEXCEPT;
/** Frees a generator (NULL is fine). */
LINEDSP_API void linedsp_ring_generator_destroy(linedsp_ring_generator* gen) LINEDSP_NOEXCEPT;
/** Writes n samples of ring voltage (out may be NULL to get the events only) and the edges in them. */
LINEDSP_API linedsp_status linedsp_ring_generator_generate(linedsp_ring_generator* gen, int16_t* out, size_t n,
                                                           linedsp_line_event* events, size_t capacity,
                                                           size_t* count) LINEDSP_NOEXCEPT;
/** The ring cadence in ms (on, off, on, off ...) into cadence_ms[0..capacity); returns the number of elements. */
LINEDSP_API size_t linedsp_ring_generator_cadence(const linedsp_ring_generator* gen, uint32_t* cadence_ms,
                                                  size_t capacity) LINEDSP_NOEXCEPT;
/** Back to the start of the cadence. */
LINEDSP_API linedsp_status linedsp_ring_generator_reset(linedsp_ring_generator* gen) LINEDSP_NOEXCEPT;

/* ---- Modem and fax tone generator (V.25 ANS, V.8 ANSam, T.30 CNG, V.21 flags) ---------------------------- */
/** Sample-exact modem/fax tones. Memory: about 130 bytes (fixed size). */
typedef struct linedsp_modem_generator linedsp_modem_generator;

/** tone: "cng", "ans" (or "ced"), "ans-pr", "ansam", "ansam-pr", "v21-flags"; level_dbm0: e.g. -12;
 *  duration_ms: 0 = until destroyed. */
LINEDSP_API linedsp_status linedsp_modem_generator_create(const char* tone, int sample_rate_hz, double level_dbm0,
                                                          int duration_ms, linedsp_modem_generator** out) LINEDSP_NOEXCEPT;
/** Frees a generator (NULL is fine). */
LINEDSP_API void linedsp_modem_generator_destroy(linedsp_modem_generator* gen) LINEDSP_NOEXCEPT;
/** Writes up to n samples; returns how many (fewer once duration_ms has elapsed; 0 on NULL). */
LINEDSP_API size_t linedsp_modem_generator_generate(linedsp_modem_generator* gen, int16_t* out, size_t n) LINEDSP_NOEXCEPT;
/** Back to the first sample. */
LINEDSP_API linedsp_status linedsp_modem_generator_reset(linedsp_modem_generator* gen) LINEDSP_NOEXCEPT;

/* ---- Caller ID generator (FSK spill: channel seizure, marks, message) ------------------------------------ */
/** A caller ID message (strings NUL-terminated; "" = absent). */
typedef struct linedsp_callerid_message {
  const char* date_time; /**< "MMDDHHMM" or NULL/"" */
  const char* number;    /**< up to 32 digits, or NULL/"" */
  const char* name;      /**< up to 64 characters, or NULL/"" */
  char number_absent;    /**< 'O' unavailable, 'P' private, 0 = number given or not sent */
  char name_absent;      /**< 'O' / 'P' / 0 */
} linedsp_callerid_message;

/** Encodes an MDMF (call set-up) message: type, length, parameters, checksum, into bytes[0..capacity).
 *  Returns LINEDSP_OK and *length, or LINEDSP_ERR_INVALID_ARGUMENT if it does not fit. No allocation. */
LINEDSP_API linedsp_status linedsp_callerid_encode_mdmf(const linedsp_callerid_message* msg, uint8_t* bytes,
                                                        size_t capacity, size_t* length) LINEDSP_NOEXCEPT;

/** Real-time caller ID FSK sender. Memory: about 8.3 kB (its bit queue). */
typedef struct linedsp_callerid_generator linedsp_callerid_generator;

/** modem: Bell 202 (GR-30) or V.23 (EN 300 659); level_dbm0: e.g. -13.5; type2: 1 for an off-hook (call
 *  waiting) spill without channel seizure and with 80 mark bits, 0 for the on-hook spill (300 seizure bits,
 *  180 marks). */
LINEDSP_API linedsp_status linedsp_callerid_generator_create(linedsp_fsk_modem modem, int sample_rate_hz,
                                                             double level_dbm0, int type2,
                                                             linedsp_callerid_generator** out) LINEDSP_NOEXCEPT;
/** Frees a generator (NULL is fine). */
LINEDSP_API void linedsp_callerid_generator_destroy(linedsp_callerid_generator* gen) LINEDSP_NOEXCEPT;
/** Queues one spill of msg (encoded as MDMF). INVALID_ARGUMENT if a spill is still running or msg does not fit. */
LINEDSP_API linedsp_status linedsp_callerid_generator_start(linedsp_callerid_generator* gen,
                                                            const linedsp_callerid_message* msg) LINEDSP_NOEXCEPT;
/** Queues one spill of already encoded message bytes (SDMF or MDMF, with checksum). */
LINEDSP_API linedsp_status linedsp_callerid_generator_start_bytes(linedsp_callerid_generator* gen,
                                                                  const uint8_t* bytes, size_t length) LINEDSP_NOEXCEPT;
/** Writes up to n samples of the spill; returns how many (fewer when it ends; 0 when idle or NULL). */
LINEDSP_API size_t linedsp_callerid_generator_generate(linedsp_callerid_generator* gen, int16_t* out, size_t n) LINEDSP_NOEXCEPT;
/** 1 when no spill is queued or sounding (or gen is NULL). */
LINEDSP_API int linedsp_callerid_generator_idle(const linedsp_callerid_generator* gen) LINEDSP_NOEXCEPT;

/* ---- G.711 Appendix I packet-loss concealment ------------------------------------------------------------- */
/** G.711 Appendix I PLC on 10 ms (80-sample) frames at 8 kHz; output is delayed by 30 samples (3.75 ms).
 *  Memory: about 2.7 kB (fixed size). */
typedef struct linedsp_plc linedsp_plc;

/** Creates a concealer. */
LINEDSP_API linedsp_status linedsp_plc_create(linedsp_plc** out) LINEDSP_NOEXCEPT;
/** Frees a concealer (NULL is fine). */
LINEDSP_API void linedsp_plc_destroy(linedsp_plc* plc) LINEDSP_NOEXCEPT;
/** A received packet of n samples (whole 10 ms frames are used; in may equal out). Returns samples written. */
LINEDSP_API size_t linedsp_plc_good_frame(linedsp_plc* plc, const int16_t* in, int16_t* out, size_t n) LINEDSP_NOEXCEPT;
/** A lost packet: writes n samples of concealment (whole 10 ms frames). Returns samples written. */
LINEDSP_API size_t linedsp_plc_lost_frame(linedsp_plc* plc, int16_t* out, size_t n) LINEDSP_NOEXCEPT;
/** Back to the just-created state. */
LINEDSP_API linedsp_status linedsp_plc_reset(linedsp_plc* plc) LINEDSP_NOEXCEPT;

/* ---- RFC 4733 telephone events ---------------------------------------------------------------------------- */
/** One telephone-event RTP packet (the RTP header fields RFC 4733 defines, and the 4-byte payload). */
typedef struct linedsp_rtp_event_packet {
  uint32_t timestamp;  /**< RTP timestamp: the event's start */
  int marker;          /**< RTP M bit: first packet of an event */
  uint8_t event;       /**< 0-9, 10 '*', 11 '#', 12-15 'A'-'D', 16 flash */
  int end;             /**< E bit */
  uint8_t volume;      /**< power level, -dBm0 */
  uint16_t duration;   /**< RTP timestamp units */
  uint8_t payload[4];  /**< the payload bytes in network order (RFC 4733 section 2.3) */
} linedsp_rtp_event_packet;

/** Turns DTMF begin/end events into packets (begin, updates, end sent three times). Memory: about 80 bytes. */
typedef struct linedsp_rfc4733_sender linedsp_rfc4733_sender;
/** packet_interval_ms: updates during an event (e.g. 50); volume: -dBm0 to report (0..63);
 *  timestamp_offset: RTP timestamp of sample 0. */
LINEDSP_API linedsp_status linedsp_rfc4733_sender_create(int sample_rate_hz, int packet_interval_ms, int volume,
                                                         uint32_t timestamp_offset,
                                                         linedsp_rfc4733_sender** out) LINEDSP_NOEXCEPT;
/** Frees a sender (NULL is fine). */
LINEDSP_API void linedsp_rfc4733_sender_destroy(linedsp_rfc4733_sender* tx) LINEDSP_NOEXCEPT;
/** A digit began at start_sample (a DTMF detector's begin event); now_sample: the current time. */
LINEDSP_API linedsp_status linedsp_rfc4733_sender_begin(linedsp_rfc4733_sender* tx, char digit, uint64_t start_sample,
                                                        uint64_t now_sample, linedsp_rtp_event_packet* packets,
                                                        size_t capacity, size_t* count) LINEDSP_NOEXCEPT;
/** The digit ended at end_sample. */
LINEDSP_API linedsp_status linedsp_rfc4733_sender_end(linedsp_rfc4733_sender* tx, uint64_t end_sample,
                                                      linedsp_rtp_event_packet* packets, size_t capacity,
                                                      size_t* count) LINEDSP_NOEXCEPT;
/** Call once per audio block with the current time: sends updates and the repeated end packets when due. */
LINEDSP_API linedsp_status linedsp_rfc4733_sender_advance(linedsp_rfc4733_sender* tx, uint64_t now_sample,
                                                          linedsp_rtp_event_packet* packets, size_t capacity,
                                                          size_t* count) LINEDSP_NOEXCEPT;

/** A digit recovered from packets. */
typedef struct linedsp_rtp_digit {
  char digit;          /**< '0'-'9', '*', '#', 'A'-'D'; 0 for other events (see event_code) */
  uint8_t event_code;  /**< RFC 4733 event code */
  int begin;           /**< 1 begin, 0 end */
  uint32_t timestamp;  /**< the event's start (RTP units) */
  uint64_t duration;   /**< end events: the whole duration (RTP units) */
  uint8_t volume;      /**< -dBm0 */
} linedsp_rtp_digit;

/** Turns packets back into digit begin/end events (duplicates and lost end packets handled). */
typedef struct linedsp_rfc4733_receiver linedsp_rfc4733_receiver;
/** timeout_ms: an event with no packet for this long is ended (e.g. 200). */
LINEDSP_API linedsp_status linedsp_rfc4733_receiver_create(int sample_rate_hz, int timeout_ms,
                                                           linedsp_rfc4733_receiver** out) LINEDSP_NOEXCEPT;
/** Frees a receiver (NULL is fine). */
LINEDSP_API void linedsp_rfc4733_receiver_destroy(linedsp_rfc4733_receiver* rx) LINEDSP_NOEXCEPT;
/** One received packet: RTP timestamp and marker, and its payload (at least 4 bytes). */
LINEDSP_API linedsp_status linedsp_rfc4733_receiver_receive(linedsp_rfc4733_receiver* rx, uint32_t timestamp,
                                                            int marker, const uint8_t* payload, size_t length,
                                                            linedsp_rtp_digit* digits, size_t capacity,
                                                            size_t* count) LINEDSP_NOEXCEPT;
/** Call as the receive clock runs (RTP units): ends an event whose packets stopped. */
LINEDSP_API linedsp_status linedsp_rfc4733_receiver_advance(linedsp_rfc4733_receiver* rx, uint32_t now,
                                                            linedsp_rtp_digit* digits, size_t capacity,
                                                            size_t* count) LINEDSP_NOEXCEPT;

/* ---- Simulated line ----------------------------------------------------------------------------------------- */
/** A simulated two-wire loop with an exchange end (faces an FXS port) and a phone end (an FXO port): battery,
 *  ringing, polarity, loop drop, attenuation, noise and G.168 hybrid echo, sample accurate at 8 kHz.
 *  Memory: about 2.7 kB plus the echo paths when enabled (a few kB each). */
typedef struct linedsp_sim_line linedsp_sim_line;

/** Simulated line settings; linedsp_sim_line_defaults() fills the defaults. */
typedef struct linedsp_sim_line_config {
  double attenuation_db;  /**< loop loss each way (3) */
  double noise_dbm0;      /**< white noise at each receiving end; <= -120 for none (-70) */
  int echo_model;         /**< G.168 Annex D model 2..9 (5) */
  double exchange_erl_db; /**< echo of the exchange's transmit in its receive; < 0 none (-1) */
  double phone_erl_db;    /**< echo of the phone end's transmit in its receive; < 0 none (-1) */
  uint32_t seed;          /**< noise seed (1) */
} linedsp_sim_line_config;

/** The defaults of linedsp_sim_line_config. */
LINEDSP_API linedsp_sim_line_config linedsp_sim_line_defaults(void) LINEDSP_NOEXCEPT;
/** cfg NULL: the defaults. */
LINEDSP_API linedsp_status linedsp_sim_line_create(const linedsp_sim_line_config* cfg,
                                                   linedsp_sim_line** out) LINEDSP_NOEXCEPT;
/** Frees a line (NULL is fine). Destroy the ports that use it first. */
LINEDSP_API void linedsp_sim_line_destroy(linedsp_sim_line* line) LINEDSP_NOEXCEPT;
/** Runs n samples: each end's transmit in, each end's receive out (every pointer non-NULL when n > 0). */
LINEDSP_API linedsp_status linedsp_sim_line_process(linedsp_sim_line* line, const int16_t* exchange_tx,
                                                    const int16_t* phone_tx, int16_t* exchange_rx, int16_t* phone_rx,
                                                    size_t n) LINEDSP_NOEXCEPT;
/** Phone-end hook switch (when no FXO port drives that end). */
LINEDSP_API linedsp_status linedsp_sim_line_phone_hook(linedsp_sim_line* line, int off_hook) LINEDSP_NOEXCEPT;
/** Exchange-end controls (when no FXS port drives that end): ring with a cadence (ms on, off, ... at most 8),
 *  stop ringing, battery polarity, loop-current drop for ms. */
LINEDSP_API linedsp_status linedsp_sim_line_exchange_ring(linedsp_sim_line* line, const uint32_t* cadence_ms,
                                                          size_t count) LINEDSP_NOEXCEPT;
/** Stops ringing at the exchange end. */
LINEDSP_API linedsp_status linedsp_sim_line_exchange_ring_off(linedsp_sim_line* line) LINEDSP_NOEXCEPT;
/** Sets the battery polarity (1 reversed, 0 normal). */
LINEDSP_API linedsp_status linedsp_sim_line_exchange_polarity(linedsp_sim_line* line, int reversed) LINEDSP_NOEXCEPT;
/** Opens the loop for ms from the next sample (disconnect supervision). */
LINEDSP_API linedsp_status linedsp_sim_line_exchange_drop_loop(linedsp_sim_line* line, uint32_t ms) LINEDSP_NOEXCEPT;
/** The next signalling event seen at one end (exchange = 1: the exchange end, 0: the phone end). Returns 1 and
 *  fills *event, or 0 when none. An end a port is attached to is drained by that port's process(). */
LINEDSP_API int linedsp_sim_line_poll_event(linedsp_sim_line* line, int exchange, linedsp_line_event* event) LINEDSP_NOEXCEPT;

/* ---- Ports (FXS faces a phone, FXO faces a line) ------------------------------------------------------------ */
/** An event a port reports. */
typedef struct linedsp_port_event {
  const char* kind;  /**< "off-hook", "hang-up", "flash", "dial-tone", "digit", "number", "ringing", "cid-sent",
                          "answered", "released", "ring", "ring-cadence", "cid-received", "seized",
                          "dial-tone-detected", "dialled", "ringback", "busy", "far-answer", "disconnect",
                          "no-dial-tone", "modem-tone", "echo-canceller" (static strings) */
  uint64_t sample;   /**< on the port's clock */
  int value;         /**< per kind (see ports/port_event.hpp) */
  int begin;         /**< begin/end kinds */
  char digit;        /**< "digit" */
  char number[33];   /**< "number", "dialled", "cid-sent", "cid-received" */
  char name[65];     /**< "cid-sent", "cid-received" */
} linedsp_port_event;

/** A line control a port asks of a caller-supplied line (a port created without a simulated line). */
typedef enum linedsp_line_control_kind {
  LINEDSP_CONTROL_OFF_HOOK = 0,  /**< FXO: go off-hook */
  LINEDSP_CONTROL_ON_HOOK = 1,   /**< FXO: go on-hook */
  LINEDSP_CONTROL_RING = 2,      /**< FXS: ring with cadence_ms[0..count) */
  LINEDSP_CONTROL_RING_OFF = 3,  /**< FXS: stop ringing */
  LINEDSP_CONTROL_POLARITY = 4   /**< FXS: value 1 reversed, 0 normal */
} linedsp_line_control_kind;

/** One line control. */
typedef struct linedsp_line_control {
  linedsp_line_control_kind kind; /**< what to do */
  int value;                      /**< polarity */
  uint32_t cadence_ms[8];         /**< ring cadence: on, off, ... */
  size_t count;                   /**< elements of cadence_ms */
} linedsp_line_control;

/** FXS port: dial tone, digit collection, ringing with caller ID, ring trip, flash/hang-up, echo canceller and
 *  tone disabler. Memory: about 33 kB (its echo canceller at 64 ms is a third of it). */
typedef struct linedsp_fxs_port linedsp_fxs_port;
/** FXO port: ring and caller ID detection, answer, dialling with dial-tone/ringback/busy detection,
 *  disconnect supervision, echo canceller. Memory: about 35 kB. */
typedef struct linedsp_fxo_port linedsp_fxo_port;

/** Creates an FXS port configured for the plan's country (ring cadence, caller ID modem).
 *  line: a simulated line whose exchange end the port drives (it must outlive the port), or NULL: the caller's
 *  own line, whose signalling the caller reports with linedsp_fxs_port_line_event() and whose controls it takes
 *  with linedsp_fxs_port_poll_control(). */
LINEDSP_API linedsp_status linedsp_fxs_port_create(const linedsp_tone_plan* plan, linedsp_sim_line* line,
                                                   linedsp_fxs_port** out) LINEDSP_NOEXCEPT;
/** Frees a port (NULL is fine). */
LINEDSP_API void linedsp_fxs_port_destroy(linedsp_fxs_port* port) LINEDSP_NOEXCEPT;
/** A signalling event from the caller's line (hook-off, hook-on ...), before the block that follows it. */
LINEDSP_API linedsp_status linedsp_fxs_port_line_event(linedsp_fxs_port* port, linedsp_line_event_kind kind,
                                                       uint64_t sample) LINEDSP_NOEXCEPT;
/** One block of n samples: rx from the line, tx to the line, voip_in from the network, voip_out (rx with the
 *  echo removed) to the network; the port's events into events[0..capacity). With a simulated line the port
 *  first takes the line's pending events. */
LINEDSP_API linedsp_status linedsp_fxs_port_process(linedsp_fxs_port* port, const int16_t* rx, int16_t* tx,
                                                    const int16_t* voip_in, int16_t* voip_out, size_t n,
                                                    linedsp_port_event* events, size_t capacity,
                                                    size_t* count) LINEDSP_NOEXCEPT;
/** The next control for the caller's line: 1 and *control, or 0 when none (always 0 with a simulated line). */
LINEDSP_API int linedsp_fxs_port_poll_control(linedsp_fxs_port* port, linedsp_line_control* control) LINEDSP_NOEXCEPT;
/** Rings the phone (caller ID after the first ring; cid may be NULL). INVALID_ARGUMENT unless idle, on-hook. */
LINEDSP_API linedsp_status linedsp_fxs_port_ring(linedsp_fxs_port* port, const linedsp_callerid_message* cid) LINEDSP_NOEXCEPT;
/** Stops ringing. */
LINEDSP_API linedsp_status linedsp_fxs_port_stop_ringing(linedsp_fxs_port* port) LINEDSP_NOEXCEPT;
/** Plays "dial", "busy" or "congestion" to the phone instead of the VoIP audio. */
LINEDSP_API linedsp_status linedsp_fxs_port_play_tone(linedsp_fxs_port* port, const char* tone) LINEDSP_NOEXCEPT;
/** Stops a tone started by linedsp_fxs_port_play_tone(). */
LINEDSP_API linedsp_status linedsp_fxs_port_stop_tone(linedsp_fxs_port* port) LINEDSP_NOEXCEPT;
/** "idle", "dial-tone", "collecting", "call", "ringing", "reorder". */
LINEDSP_API const char* linedsp_fxs_port_state(const linedsp_fxs_port* port) LINEDSP_NOEXCEPT;
/** Back to idle, on the port's clock 0. */
LINEDSP_API linedsp_status linedsp_fxs_port_reset(linedsp_fxs_port* port) LINEDSP_NOEXCEPT;

/** Creates an FXO port configured for the plan's country. line: a simulated line whose phone end the port is
 *  (it must outlive the port), or NULL for the caller's own line (linedsp_fxo_port_line_event /
 *  linedsp_fxo_port_poll_control). */
LINEDSP_API linedsp_status linedsp_fxo_port_create(const linedsp_tone_plan* plan, linedsp_sim_line* line,
                                                   linedsp_fxo_port** out) LINEDSP_NOEXCEPT;
/** Frees a port (NULL is fine). */
LINEDSP_API void linedsp_fxo_port_destroy(linedsp_fxo_port* port) LINEDSP_NOEXCEPT;
/** A signalling event from the caller's line (ring-begin/end, polarity, loop-drop ...). */
LINEDSP_API linedsp_status linedsp_fxo_port_line_event(linedsp_fxo_port* port, linedsp_line_event_kind kind,
                                                       uint64_t sample) LINEDSP_NOEXCEPT;
/** One block, as linedsp_fxs_port_process(). */
LINEDSP_API linedsp_status linedsp_fxo_port_process(linedsp_fxo_port* port, const int16_t* rx, int16_t* tx,
                                                    const int16_t* voip_in, int16_t* voip_out, size_t n,
                                                    linedsp_port_event* events, size_t capacity,
                                                    size_t* count) LINEDSP_NOEXCEPT;
/** The next control for the caller's line (off-hook, on-hook): 1 and *control, or 0. */
LINEDSP_API int linedsp_fxo_port_poll_control(linedsp_fxo_port* port, linedsp_line_control* control) LINEDSP_NOEXCEPT;
/** Seize, wait for dial tone and dial number (0-9 * # A-D). INVALID_ARGUMENT unless idle. */
LINEDSP_API linedsp_status linedsp_fxo_port_dial(linedsp_fxo_port* port, const char* number) LINEDSP_NOEXCEPT;
/** Answers a ringing line. INVALID_ARGUMENT unless ringing. */
LINEDSP_API linedsp_status linedsp_fxo_port_answer(linedsp_fxo_port* port) LINEDSP_NOEXCEPT;
/** On-hook and released. */
LINEDSP_API linedsp_status linedsp_fxo_port_hang_up(linedsp_fxo_port* port) LINEDSP_NOEXCEPT;
/** "idle", "ringing", "seizing", "dialling", "waiting", "connected". */
LINEDSP_API const char* linedsp_fxo_port_state(const linedsp_fxo_port* port) LINEDSP_NOEXCEPT;
/** Back to idle, on the port's clock 0. */
LINEDSP_API linedsp_status linedsp_fxo_port_reset(linedsp_fxo_port* port) LINEDSP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif /* LINEDSP_H */
