// signals/modem_tone.hpp — the modem and fax signalling tones linedsp generates and detects, with the figures
// they are held to (REFERENCES.md "Fax and modem tones"; second-hand figures are marked "check").
//
//  cng        T.30 calling tone: 1100 +-38 Hz, 0.5 s on +-15 %, 3 s off +-15 %.
//  ans        V.25 answer tone / T.30 CED: 2100 +-15 Hz for 2.6-4.0 s (CED and ANS are the same signal;
//             only the V.21 flags that follow a CED tell fax from modem).
//  ans_pr     V.25 ANS with 180 (+-10) degree phase reversals every 450 +-25 ms (/ANS): disables echo cancellers
//             (G.165/G.168); plain 2100 Hz only disables echo suppressors (G.164).
//  ansam      V.8 ANSam: 2100 +-1 Hz amplitude-modulated at 15 +-0.1 Hz, depth 20 % (check V.8: 20 +-1 %).
//  ansam_pr   V.8 /ANSam: ANSam with the 450 ms reversals.
//  v21_flags  T.30 preamble: HDLC flags (0x7E) at 300 bit/s on V.21 channel 2 (mark 1650 Hz, space 1850 Hz).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace linedsp {

enum class ModemTone : std::uint8_t { cng, ans, ans_pr, ansam, ansam_pr, v21_flags };
inline constexpr int kModemToneCount = 6;

// DESIGN.md names: "cng", "ans", "ans-pr", "ansam", "ansam-pr", "v21-flags" ("ced" parses as ans).
const char* modem_tone_name(ModemTone tone) noexcept;
std::optional<ModemTone> parse_modem_tone(std::string_view name) noexcept;

inline constexpr bool has_phase_reversals(ModemTone t) noexcept {
  return t == ModemTone::ans_pr || t == ModemTone::ansam_pr;
}
inline constexpr bool is_answer_tone(ModemTone t) noexcept {
  return t == ModemTone::ans || t == ModemTone::ans_pr || t == ModemTone::ansam || t == ModemTone::ansam_pr;
}

inline constexpr double kCngHz = 1100.0;            // T.30
inline constexpr double kCngToleranceHz = 38.0;     // T.30 (REFERENCES.md)
inline constexpr int kCngOnMs = 500;                // T.30, +-15 %
inline constexpr int kCngOffMs = 3000;              // T.30, +-15 %
inline constexpr double kCngCadenceTolerance = 0.15;
inline constexpr double kAnsHz = 2100.0;            // V.25
inline constexpr double kAnsToleranceHz = 15.0;     // V.25
inline constexpr int kAnsReversalMs = 450;          // V.25: 450 +-25 ms
inline constexpr int kAnsReversalToleranceMs = 25;  // V.25
inline constexpr double kAnsamRateHz = 15.0;        // V.8: 15 +-0.1 Hz
inline constexpr double kAnsamDepth = 0.20;         // V.8: 20 % (check: +-1 %)
inline constexpr double kV21MarkHz = 1650.0;        // V.21 channel 2, binary 1
inline constexpr double kV21SpaceHz = 1850.0;       // V.21 channel 2, binary 0
inline constexpr double kV21BitRate = 300.0;        // V.21
inline constexpr std::uint8_t kHdlcFlag = 0x7E;     // ISO 3309 / T.30 preamble
// Transmit level used by default for every tone: -12 dBm0 (check V.2 / T.30 for the line's transmit limit; the
// detectors operate from 0 to -43 dBm0).
inline constexpr double kModemToneLevelDbm0 = -12.0;

}  // namespace linedsp
