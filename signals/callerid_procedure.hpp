// signals/callerid_procedure.hpp — when caller ID is sent relative to ringing, line reversal and alert tones: the
// steps an FXS port (or `linedsp generate cid --with-ring`) runs, as data.
//
//   bellcore_on_hook   Telcordia GR-30 Type I: first ring; the spill starts about 0.5 s after it ends and must
//                      finish before the second ring (REFERENCES.md).
//   etsi_dtas          EN 300 659-1, data before ringing with a dual-tone alert: polarity reversal, DT-AS
//                      (2130 + 2750 Hz, 88-110 ms), the spill, then the first ring.
//   etsi_rpas          EN 300 659-1, data before ringing with a ring-pulse alert (RP-AS): a short ring, the spill,
//                      then normal ringing.
//   etsi_after_ring    EN 300 659-1, data after the first ring (as GR-30 but V.23).
//   etsi_polarity      EN 300 659-1, data before ringing after a line reversal only (no alert tone).
//   dtmf               DTMF caller ID: polarity reversal, the digits, then the first ring.
//   call_waiting       GR-30 Type II (off-hook): SAS, CAS (2130 + 2750 Hz, 75-85 ms) with the far end muted, wait
//                      for the phone's DTMF D/A acknowledgement (55-65 ms, within 100 ms), then the spill (no seizure,
//                      80 marks) within 500 ms.
// Every delay is a field of CallerIdTiming; its defaults are the figures of REFERENCES.md where it has them and
// otherwise commonly used values that are marked "check" (confirm against EN 300 659-1 clause 6 / GR-30).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "signals/cas.hpp"

namespace linedsp {

enum class CallerIdProcedure : std::uint8_t {
  bellcore_on_hook,
  etsi_dtas,
  etsi_rpas,
  etsi_after_ring,
  etsi_polarity,
  dtmf,
  call_waiting,
};
const char* callerid_procedure_name(CallerIdProcedure p) noexcept;
std::optional<CallerIdProcedure> parse_callerid_procedure(std::string_view name) noexcept;

struct CallerIdStep {
  enum class Kind : std::uint8_t {
    ring,               // ringing voltage on (duration_ms); audio silent
    polarity_reversal,  // line reversal (0 ms)
    silence,            // nothing on the line
    sas,                // subscriber alerting signal (440 Hz)
    alert_tone,         // CAS / DT-AS dual tone
    wait_ack,           // call waiting: listen for the phone's DTMF acknowledgement (at most duration_ms)
    data,               // the FSK spill or the DTMF digits (duration_ms = its length)
  };
  Kind kind;
  std::uint32_t duration_ms;
};
const char* callerid_step_name(CallerIdStep::Kind k) noexcept;

struct CallerIdTiming {
  std::uint32_t first_ring_ms = 2000;         // from the country's cadence (US 2 s on, 4 s off)
  std::uint32_t ring_silence_ms = 4000;       // the silent part of the cadence
  std::uint32_t after_ring_ms = 500;          // GR-30: data starts about 0.5 s after the first ring
  std::uint32_t before_next_ring_ms = 200;    // data ends at least this long before the next ring (check)
  std::uint32_t reversal_to_alert_ms = 100;   // polarity reversal to DT-AS (check: EN 300 659-1 >= 100 ms)
  std::uint32_t alert_ms = 100;               // DT-AS 88-110 ms
  std::uint32_t alert_to_data_ms = 100;       // end of DT-AS to start of FSK (check: EN 300 659-1 45-500 ms)
  std::uint32_t ring_pulse_ms = 250;          // RP-AS 200-300 ms (check)
  std::uint32_t pulse_to_data_ms = 650;       // end of RP-AS to FSK (check: 500-800 ms)
  std::uint32_t reversal_to_data_ms = 300;    // line reversal to data when there is no alert tone (check)
  std::uint32_t data_to_ring_ms = 500;        // end of data to the first ring when data precedes ringing (check)
  std::uint32_t sas_ms = 300;                 // call waiting SAS (check GR-575)
  std::uint32_t sas_to_cas_ms = 0;
  std::uint32_t cas_ms = 80;                  // CAS 75-85 ms
  std::uint32_t ack_wait_ms = 160;            // ACK starts within 100 ms and lasts 55-65 ms
  std::uint32_t ack_to_data_ms = 100;         // FSK within 500 ms of the ACK
};

// The steps for one call, from the first event to the end of the first ring that follows the data (the port
// then carries on with the cadence). `data_ms` is the spill's or the digit string's length. Throws
// std::invalid_argument if the data does not fit the ring silence (bellcore_on_hook / etsi_after_ring).
std::vector<CallerIdStep> callerid_procedure(CallerIdProcedure p, const CallerIdTiming& timing, std::uint32_t data_ms);

// The procedure as audio on the line (tools, tests, the simulated line): silence, SAS, alert tone and the data
// samples (`data_pcm`, its length should match the data step); ring and polarity reversal are not audio and are
// listed in `marks` with their start sample instead (ring is rendered as silence).
struct CallerIdAudio {
  std::vector<std::int16_t> pcm;
  struct Mark {
    CallerIdStep::Kind kind;
    std::uint64_t sample;
    std::uint64_t duration_samples;
  };
  std::vector<Mark> marks;  // every step, in order
};
CallerIdAudio render_callerid_procedure(const std::vector<CallerIdStep>& steps, std::span<const std::int16_t> data_pcm,
                                        int sample_rate_hz = 8000, const CasGeneratorConfig& alert = {});

}  // namespace linedsp
