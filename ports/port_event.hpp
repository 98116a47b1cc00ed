// ports/port_event.hpp — what the FXS and FXO ports report (ports/fxs_port.hpp, ports/fxo_port.hpp), and the
// tone disabler that switches a port's echo canceller off on fax/modem tones.
//
// Events are plain values with a sample index on the port's clock (samples since construction or reset()).
#pragma once

#include <cstdint>

#include "signals/callerid.hpp"
#include "signals/modem_tone.hpp"
#include "signals/tone_plan.hpp"

namespace linedsp {

enum class PortEventKind : std::uint8_t {
  // FXS (faces a phone)
  off_hook,         // the phone went off-hook (idle: a new call; ringing: answer by ring trip)
  hang_up,          // on-hook longer than the flash limit (sample = when it went on-hook)
  flash,            // on-hook between flash_min_ms and flash_max_ms (sample = when it went on-hook)
  dial_tone,        // value 1: started, 0: stopped
  digit,            // a digit received (digit)
  number,           // digit collection finished (number; value 1: by inter-digit timeout, 2: max digits, 3: '#')
  ringing,          // value 1: ring cadence started, 0: stopped
  cid_sent,         // caller ID spill started on the line (number, name)
  answered,         // FXS: the phone answered a ringing call; FXO: the port went off-hook to answer
  released,         // back to idle
  // FXO (faces a line)
  ring,             // a ring burst ended (value: rings so far in this call)
  ring_cadence,     // a ring cycle classified (value: pattern index, -1 invalid cadence)
  cid_received,     // caller ID decoded (number, name; value: CallerIdStatus)
  seized,           // off-hook for an outgoing call
  dial_tone_detected,
  dialled,          // the last digit has been sent (number)
  ringback,         // value 1 begin, 0 end
  busy,             // busy or congestion tone confirmed (value: ToneKind)
  far_answer,       // the far end answered (value 1: polarity reversal, 2: ringback ended)
  disconnect,       // far-end disconnect (value: DisconnectReason)
  no_dial_tone,     // seized but no dial tone within the timeout
  // both
  modem_tone,       // value: ModemTone, begin/end in `begin`
  echo_canceller,   // value: 0 active, 1 bypassed (tone disabler), 2 NLP off
};
const char* port_event_name(PortEventKind k) noexcept;

enum class DisconnectReason : std::uint8_t { loop_drop, polarity, busy_tone, silence };
const char* disconnect_reason_name(DisconnectReason r) noexcept;

struct PortEvent {
  PortEventKind kind = PortEventKind::off_hook;
  std::uint64_t sample = 0;
  int value = 0;
  bool begin = true;
  char digit = 0;
  FixedString<32> number;
  FixedString<64> name;
};

// G.164/G.165 tone disabler decisions from modem-tone events (signals/modem_tone_detector.hpp), for
// EchoCanceller::follow(): 2100 Hz with phase reversals (ans-pr, ansam-pr: V.25 data modems) bypasses the
// canceller; 2100 Hz without (ans, ansam: fax CED) turns the NLP off (G.164 §... tone disabler/G.165 §3.4; check
// the clause); CNG (1100 Hz, T.30 calling fax) bypasses it when `bypass_on_cng` (what fax gateways do: not a
// G.164 requirement). The canceller is enabled again by enable() (the port calls it at release).
struct PortToneDisabler {
  bool bypass_on_cng = true;
  bool bypass_ = false, nlp_off_ = false;
  bool canceller_disabled() const noexcept { return bypass_; }
  bool nlp_disabled() const noexcept { return nlp_off_; }
  // Returns true when the decision changed.
  bool on_tone(ModemTone t) noexcept {
    const bool b = bypass_, n = nlp_off_;
    if (has_phase_reversals(t)) bypass_ = true;
    else if (is_answer_tone(t)) nlp_off_ = true;
    else if (t == ModemTone::cng && bypass_on_cng) bypass_ = true;
    return b != bypass_ || n != nlp_off_;
  }
  void enable() noexcept { bypass_ = nlp_off_ = false; }
  int state() const noexcept { return bypass_ ? 1 : (nlp_off_ ? 2 : 0); }
};

}  // namespace linedsp
