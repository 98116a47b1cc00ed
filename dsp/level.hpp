// dsp/level.hpp — signal levels in dBm0 for 16-bit linear PCM.
//
// ITU-T G.711: 0 dBm0 is the level of the digital milliwatt. A full-scale sine in 16-bit linear PCM
// (peak 32768) is +3.17 dBm0 in the mu-law convention (+3.14 dBm0 for A-law); linedsp uses the mu-law
// convention for linear PCM everywhere, so a sine of peak kDbm0PeakAmplitude is 0 dBm0.
// Samples inside linedsp are float in int16 units (-32768 .. 32767), never normalised to +-1.
#pragma once

#include <cmath>

namespace linedsp {

inline constexpr double kFullScaleSineDbm0 = 3.17;  // G.711 mu-law: full-scale sine level
// Peak amplitude (int16 units) of a 0 dBm0 sine: 32768 * 10^(-3.17/20).
inline const double kDbm0PeakAmplitude = 32768.0 * std::pow(10.0, -kFullScaleSineDbm0 / 20.0);

// Peak amplitude (int16 units) of a sine at `dbm0`.
inline double dbm0_to_peak(double dbm0) noexcept { return kDbm0PeakAmplitude * std::pow(10.0, dbm0 / 20.0); }
// Mean power (int16 units squared) of a sine at `dbm0`: peak^2 / 2.
inline double dbm0_to_power(double dbm0) noexcept {
  const double p = dbm0_to_peak(dbm0);
  return p * p / 2.0;
}
// Mean power of a 0 dBm0 sine (= dbm0_to_power(0.0), computed once: detectors convert a level per block).
inline const double kDbm0Power = kDbm0PeakAmplitude * kDbm0PeakAmplitude / 2.0;
// Level in dBm0 of a signal with mean power `power` (int16 units squared).
inline double power_to_dbm0(double power) noexcept { return 10.0 * std::log10(power / kDbm0Power + 1e-30); }

}  // namespace linedsp
