#include "signals/g168.hpp"

#include <kiss_fftr.h>
#include <sndfile.h>
#include <soxr.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>

#include "dsp/level.hpp"

namespace linedsp::g168 {

namespace {

// ---------------------------------------------------------------------------------------------------
// ITU-T G.168 Annex D echo path models D.2-D.9 (impulse responses at 8 kHz and the gain K_i of each),
// and Tables C.1 / C.3 (CSS voiced segments at 44.1 kHz) and the §6.4.1.2.1 level-meter band-pass.
// Transcribed from the copy of the Recommendation's tables distributed with spandsp
// (spandsp/g168models.h, "line models for echo cancellation tests against the G.168 spec"); the test
// g168_models_test compares every value with that header where it is installed.
// Note: Table C.3 as published there has one value (-938 at index 168) that breaks an otherwise smooth
// run of -638; it is kept as published.
// ---------------------------------------------------------------------------------------------------
// G.168 Annex D.2 (echo path model 2): 64 coefficients, K = 1.39E-5
constexpr std::int32_t kD2[] = {
    -436, -829, -2797, -4208, -17968, -11215, 46150, 34480, -10427, 9049, -1309, -6320,
    390, -8191, -1751, -6051, -3796, -4055, -3948, -2557, -3372, -1808, -2259, -1300,
    -1098, -618, -340, -61, 323, 419, 745, 716, 946, 880, 1014, 976,
    1033, 1091, 1053, 1042, 794, 831, 899, 716, 390, 313, 304, 304,
    73, -119, -109, -176, -359, -407, -512, -580, -704, -618, -685, -791,
    -772, -820, -839, -724,
};
// G.168 Annex D.3 (echo path model 3): 96 coefficients, K = 1.44E-5
constexpr std::int32_t kD3[] = {
    -381, 658, 1730, -51, -3511, -1418, 7660, 8861, -8106, -21370, -5307, 23064,
    24020, 1020, -12374, -16296, -19524, -7480, 13509, 17115, 13952, 13952, 97, -9326,
    -9046, -15208, -9853, -3858, -1979, 6029, 5616, 7214, 6820, 3935, 3919, 921,
    1316, -693, -759, -1517, -2176, -2028, -2654, -1814, -2077, -1468, -1221, -842,
    -463, -298, -68, 64, 493, 723, 789, 954, 756, 839, 872, 1020,
    789, 822, 558, 658, 476, 377, 377, 262, 97, -68, -183, -232,
    -331, -347, -430, -314, -430, -463, -463, -414, -381, -479, -479, -512,
    -479, -397, -430, -397, -298, -265, -249, -216, -249, -265, -166, -232,
};
// G.168 Annex D.4 (echo path model 4): 96 coefficients, K = 1.52E-5
constexpr std::int32_t kD4[] = {
    -448, -436, 2230, 2448, -4178, -7050, 5846, 18581, 2322, -26261, -16249, 21637,
    25649, -2267, -10311, -4693, -12690, -7428, 14164, 13467, 4438, 8627, 456, -11879,
    -6352, -5104, -7496, 3271, 6566, 4277, 11131, 7562, 1475, 3728, -3525, -7301,
    -3101, -9269, -6146, -2553, -6272, 811, 124, 788, 5147, 2172, 5387, 4598,
    3535, 4004, 2311, 2150, 1017, 330, -139, -573, -1100, -1157, -1180, -1455,
    -1123, -1386, -1123, -1066, -1020, -1100, -1008, -1077, -1088, -917, -917, -963,
    -814, -871, -734, -642, -562, -356, -379, -345, -230, -233, -333, -356,
    -390, -310, -265, -368, -310, -310, -390, -482, -459, -482, -551, -573,
};
// G.168 Annex D.5 (echo path model 5): 128 coefficients, K = 1.77E-5
constexpr std::int32_t kD5[] = {
    160, 312, -241, -415, 897, 908, -1326, -1499, 2405, 3347, -3624, -7733,
    4041, 14484, -1477, -21739, -4470, 25356, 11458, -19696, -11800, 5766, 789, 6633,
    14624, -6975, -17156, -187, 149, 1515, 14907, 4345, -7128, -2757, -10185, -7083,
    6850, 3944, 6969, 8694, -4068, -3852, -5793, -9371, 453, 1060, 3965, 9463,
    2393, 2784, -892, -7366, -3376, -5847, -2399, 3011, 1537, 6623, 4205, 1602,
    1592, -4752, -3646, -5207, -5577, -501, -1174, 4041, 5647, 4628, 7252, 2123,
    2654, -881, -4113, -3244, -7289, -3830, -4600, -2508, 431, -144, 4184, 2372,
    4617, 3576, 2382, 2839, -404, 539, -1803, -1401, -1705, -2269, -783, -1608,
    -220, -306, 257, 615, 225, 561, 8, 344, 127, -57, 182, 41,
    203, -111, 95, -79, 30, 84, -13, -68, -241, -68, -24, 19,
    -57, -24, 30, -68, 84, -155, -68, 19,
};
// G.168 Annex D.6 (echo path model 6): 96 coefficients, K = 9.33E-6
constexpr std::int32_t kD6[] = {
    293, 268, 475, 460, 517, 704, 581, 879, 573, 896, 604, 787,
    561, 538, 440, 97, 265, -385, 20, -938, -523, -1438, -1134, -1887,
    -1727, -1698, -4266, -22548, -43424, 2743, 25897, 7380, 21499, 11983, 10400, 11667,
    3889, 7241, 925, 2018, -821, -2068, -2236, -4283, -3406, -5022, -4039, -4842,
    -4104, -4089, -3582, -2978, -2734, -1805, -1608, -645, -495, 279, 471, 947,
    1186, 1438, 1669, 1640, 1901, 1687, 1803, 1543, 1566, 1342, 1163, 963,
    733, 665, 323, 221, -14, -107, -279, -379, -468, -513, -473, -588,
    -612, -652, -616, -566, -515, -485, -404, -344, -290, -202, -180, -123,
};
// G.168 Annex D.7 (echo path model 7): 120 coefficients, K = 1.51E-5
constexpr std::int32_t kD7[] = {
    29, 109, -83, 198, -294, -135, -415, -202, -444, -337, -313, -450,
    -105, -503, 145, -490, 267, -231, 340, 77, 343, 783, 158, 1341,
    195, 1798, 344, 1845, 629, 1604, 1182, 940, 5163, 19522, 8421, -50953,
    -9043, 18046, -13553, 13336, -3471, -107, 1788, -7409, 2469, -7994, 490, -3860,
    -837, 490, -636, 3682, 1141, 5019, 2635, 5025, 3946, 4414, 4026, 3005,
    3380, 1616, 2007, 158, 388, -1198, -1117, -2134, -2547, -2589, -3310, -2778,
    -3427, -2779, -3116, -2502, -2399, -1956, -1539, -1239, -570, -377, 251, 331,
    964, 1177, 1449, 1564, 1724, 1871, 1767, 1802, 1630, 1632, 1379, 1271,
    1063, 856, 711, 482, 289, 54, -137, -321, -490, -638, -764, -836,
    -800, -859, -838, -837, -834, -740, -673, -581, -493, -436, -327, -201,
};
// G.168 Annex D.8 (echo path model 8): 96 coefficients, K = 2.33E-5
constexpr std::int32_t kD8[] = {
    258, -111, 337, -319, 347, -434, 192, -450, -108, -343, -596, -177,
    -1187, -52, -1781, -147, -1959, -326, -1601, -1389, -13620, -720, 33818, -10683,
    -6742, 12489, -9862, 8950, -1574, 758, 3526, -3118, 2421, -8966, -4901, 11385,
    18072, -14410, -7473, 19836, -16854, -3115, 9483, -17799, 7399, -4342, -7415, 7929,
    -10726, 6239, -2526, -1317, 5345, -4565, 6868, -2195, 3425, 1969, -109, 3963,
    -1275, 3087, -892, 1239, 2, -427, 596, -1184, 551, -1244, 141, -743,
    -415, -372, -769, -183, -785, -270, -659, -377, -523, -325, -245, -255,
    -60, 35, 218, 149, 340, 233, 365, 303, 251, 230, 209, 179,
};
// G.168 Annex D.9 (echo path model 9): 99 coefficients, K = 1.33E-5
constexpr std::int32_t kD9[] = {
    80, 31, 4, 42, 42, -61, -81, -64, -121, -102, -26, 1002,
    -9250, -22562, 39321, 35681, -35289, 25312, -1457, -229, 15659, -6786, 16791, 3860,
    2239, -28730, -11885, 33871, -176, -16421, 18173, -9669, -10163, 9941, -19365, 3592,
    -5907, -10257, 5336, -12933, 4348, -4802, -1791, 3035, -4433, 5553, -2596, 3992,
    1255, 1450, 4079, 324, 4340, 1059, 3083, 1917, 1756, 2478, 1027, 1871,
    845, 1284, 813, 806, 869, 471, 646, 438, 449, 432, 473, 394,
    452, 538, 717, 723, 850, 756, 753, 899, 555, 669, 619, 500,
    650, 615, 516, 492, 427, 291, 356, 147, 107, -50, -88, -59,
    -238, -165, -183,
};
constexpr std::int16_t kCssC1[] = {
    -155, 276, 517, 578, 491, 302, 86, -103, -207, -198, 60, 190,
    543, 948, 1362, 1741, 2043, 2276, 2422, 2500, 2552, 2595, 2655, 2758,
    2896, 3060, 3224, 3370, 3500, 3569, 3603, 3603, 3595, 3586, 3595, 3638,
    3724, 3819, 3922, 4000, 4043, 4034, 3974, 3862, 3724, 3577, 3439, 3336,
    3267, 3224, 3198, 3172, 3129, 3043, 2914, 2750, 2560, 2353, 2155, 1991,
    1853, 1750, 1672, 1603, 1534, 1440, 1310, 1146, 965, 776, 603, 448,
    345, 276, 250, 250, 267, 267, 241, 190, 103, -9, -138, -267,
    -388, -491, -569, -638, -698, -759, -813, -888, -957, -1034, -1103, -1146,
    -1181, -1190, -1198, -1215, -1259, -1327, -1457, -1629, -1853, -2121, -2414, -2707,
    -3017, -3319, -3612, -3913, -4224, -4560, -4922, -5301, -5715, -6137, -6560, -6948,
    -7301, -7568, -7732, -7758, -7620, -7310, -6810, -6155, -5344, -4439, -3474, -2508,
    -1595, -802,
};
constexpr std::int16_t kCssC3[] = {
    -198, -112, -9, 103, 233, 388, 543, 724, 896, 1060, 1233, 1388,
    1517, 1638, 1747, 1810, 1845, 1845, 1802, 1707, 1569, 1379, 1146, 871,
    560, 233, -121, -491, -871, -1250, -1638, -2043, -2465, -2896, -3345, -3819,
    -4310, -4810, -5319, -5836, -6353, -6853, -7353, -7836, -8292, -8715, -9077, -9370,
    -9542, -9542, -9361, -8956, -8327, -7465, -6396, -5163, -3827, -2448, -1103, 155,
    1293, 2241, 3034, 3655, 4138, 4517, 4827, 5094, 5344, 5594, 5827, 6043,
    6215, 6344, 6413, 6422, 6379, 6310, 6215, 6120, 6051, 6000, 5991, 5991,
    6000, 6008, 5991, 5939, 5853, 5715, 5560, 5387, 5215, 5043, 4879, 4732,
    4586, 4439, 4276, 4086, 3870, 3629, 3370, 3086, 2801, 2534, 2267, 2034,
    1819, 1612, 1422, 1224, 1026, 819, 603, 388, 181, 9, -181, -328,
    -448, -543, -629, -707, -784, -871, -948, -1026, -1112, -1181, -1241, -1276,
    -1293, -1302, -1293, -1267, -1250, -1233, -1224, -1224, -1224, -1224, -1215, -1198,
    -1172, -1129, -1077, -1026, -974, -922, -888, -871, -845, -828, -810, -793,
    -767, -741, -698, -672, -638, -603, -595, -586, -595, -603, -621, -629,
    -938, -638, -638, -638, -638, -638, -647, -664, -690, -724, -767, -793,
    -819, -845, -853, -871, -879, -888, -896, -922, -948, -974, -1009, -1026,
    -1052, -1069, -1077, -1069, -1060, -1060, -1052, -1043, -1043, -1052, -1060, -1060,
    -1060, -1052, -1034, -1017, -991, -957, -931, -905, -888, -862, -845, -819,
    -793, -767, -724, -672, -621, -560, -509, -457, -397, -345, -276, -207,
    -112,
};
constexpr float kLevelBandpass[] = {
    0.0000f, 0.0006f, 0.0005f, 0.0004f, 0.0011f, 0.0000f, 0.0015f, -0.0003f, 0.0012f, -0.0002f,
    0.0000f, 0.0002f, -0.0020f, 0.0005f, -0.0040f, 0.0000f, -0.0047f, -0.0019f, -0.0033f, -0.0047f,
    0.0000f, -0.0068f, 0.0036f, -0.0057f, 0.0054f, 0.0000f, 0.0044f, 0.0095f, 0.0017f, 0.0188f,
    0.0000f, 0.0225f, 0.0024f, 0.0163f, 0.0092f, 0.0000f, 0.0164f, -0.0210f, 0.0161f, -0.0375f,
    0.0000f, -0.0406f, -0.0357f, -0.0267f, -0.0871f, 0.0000f, -0.1420f, 0.0289f, -0.1843f, 0.0475f,
    0.8006f, 0.0475f, -0.1843f, 0.0289f, -0.1420f, 0.0000f, -0.0871f, -0.0267f, -0.0357f, -0.0406f,
    0.0000f, -0.0375f, 0.0161f, -0.0210f, 0.0164f, 0.0000f, 0.0092f, 0.0163f, 0.0024f, 0.0225f,
    0.0000f, 0.0188f, 0.0017f, 0.0095f, 0.0044f, 0.0000f, 0.0054f, -0.0057f, 0.0036f, -0.0068f,
    0.0000f, -0.0047f, -0.0033f, -0.0019f, -0.0047f, 0.0000f, -0.0040f, 0.0005f, -0.0020f, 0.0002f,
    0.0000f, -0.0002f, 0.0012f, -0.0003f, 0.0015f, 0.0000f, 0.0011f, 0.0004f, 0.0005f, 0.0006f,
    0.0000f,
};

struct Model {
  const std::int32_t* coeff;
  std::size_t size;
  float gain;
};

Model model_table(int model) {
  switch (model) {
    case 2: return {kD2, std::size(kD2), 1.39e-5f};
    case 3: return {kD3, std::size(kD3), 1.44e-5f};
    case 4: return {kD4, std::size(kD4), 1.52e-5f};
    case 5: return {kD5, std::size(kD5), 1.77e-5f};
    case 6: return {kD6, std::size(kD6), 9.33e-6f};
    case 7: return {kD7, std::size(kD7), 1.51e-5f};
    case 8: return {kD8, std::size(kD8), 2.33e-5f};
    case 9: return {kD9, std::size(kD9), 1.33e-5f};
    default: break;
  }
  throw std::invalid_argument("model: G.168 Annex D models are numbered 2 to 9");
}

// Figure C.2: the CSS pseudo-noise spectrum, dB against frequency (piecewise linear between breakpoints,
// -60 dB outside 50-3680 Hz). Breakpoints as used in spandsp's make_g168_css.
double css_noise_shape_db(double f) {
  struct Seg { double f0, f1, g0, g1; };
  static constexpr Seg kSegs[] = {{50, 100, -25.8, -12.8},  {100, 200, -12.8, 17.4},  {200, 215, 17.4, 17.8},
                                  {215, 500, 17.8, 12.2},   {500, 1000, 12.2, 7.2},   {1000, 2850, 7.2, 0.0},
                                  {2850, 3600, 0.0, -2.0},  {3600, 3660, -2.0, -20.0}, {3660, 3680, -20.0, -30.0}};
  for (const auto& s : kSegs)
    if (f >= s.f0 && f < s.f1) return s.g0 + (f - s.f0) * (s.g1 - s.g0) / (s.f1 - s.f0);
  return -60.0;
}

constexpr double kCssRateHz = 44100.0;

}  // namespace

std::vector<float> echo_path_model(int model) {
  const Model m = model_table(model);
  std::vector<float> h(m.size);
  for (std::size_t i = 0; i < m.size; ++i) h[i] = static_cast<float>(m.coeff[i]) * m.gain;
  return h;
}

std::vector<float> echo_path(int model, double erl_db, int delay_samples) {
  if (delay_samples < 0) throw std::invalid_argument("delay_samples: must not be negative");
  const auto raw = echo_path_model(model);
  const float g = static_cast<float>(std::pow(10.0, -erl_db / 20.0));
  std::vector<float> h(static_cast<std::size_t>(delay_samples) + raw.size(), 0.0f);
  for (std::size_t i = 0; i < raw.size(); ++i) h[static_cast<std::size_t>(delay_samples) + i] = raw[i] * g;
  return h;
}

std::vector<float> composite_source_signal(double seconds, double level_dbm0, bool double_talk, int rate_hz,
                                           std::uint32_t seed) {
  if (rate_hz != 8000 && rate_hz != 16000) throw std::invalid_argument("rate_hz: must be 8000 or 16000");
  // §C timing at 44.1 kHz: voiced, noise, pause (then the same inverted).
  const std::int16_t* voiced = double_talk ? kCssC3 : kCssC1;
  const std::size_t voiced_len = double_talk ? std::size(kCssC3) : std::size(kCssC1);
  const std::size_t voiced_n = double_talk ? 3206 : 2144;  // 72.69 ms / 48.62 ms
  const std::size_t noise_n = 8820;                        // 200 ms
  const std::size_t pause_n = double_talk ? 5614 : 4471;   // 127.31 ms / 101.38 ms

  // Pseudo-noise: random signs on the Figure C.2 magnitude, inverse real FFT of the 200 ms segment.
  std::vector<float> noise(noise_n);
  {
    std::mt19937 rng(seed);
    kiss_fftr_cfg cfg = kiss_fftr_alloc(static_cast<int>(noise_n), 1, nullptr, nullptr);
    std::vector<kiss_fft_cpx> spec(noise_n / 2 + 1);
    for (std::size_t i = 0; i < spec.size(); ++i) {
      const double f = kCssRateHz * static_cast<double>(i) / static_cast<double>(noise_n);
      const double mag = std::pow(10.0, css_noise_shape_db(f) / 20.0);
      const double phase = std::uniform_real_distribution<double>(0.0, 2.0 * 3.14159265358979323846)(rng);
      spec[i].r = static_cast<float>(mag * std::cos(phase));
      spec[i].i = static_cast<float>(mag * std::sin(phase));
    }
    spec[0].i = spec.back().i = 0.0f;
    kiss_fftri(cfg, spec.data(), noise.data());
    kiss_fftr_free(cfg);
  }
  // Scale the noise to the voiced segment's RMS so both active parts have the same level.
  double pv = 0.0, pn = 0.0;
  for (std::size_t i = 0; i < voiced_len; ++i) pv += double(voiced[i]) * voiced[i];
  pv /= double(voiced_len);
  for (float v : noise) pn += double(v) * v;
  pn /= double(noise_n);
  for (float& v : noise) v = static_cast<float>(v * std::sqrt(pv / pn));

  std::vector<float> period;
  period.reserve(2 * (voiced_n + noise_n + pause_n));
  for (float sign : {1.0f, -1.0f}) {
    for (std::size_t i = 0; i < voiced_n; ++i) period.push_back(sign * voiced[i % voiced_len]);
    for (float v : noise) period.push_back(sign * v);
    period.insert(period.end(), pause_n, 0.0f);
  }
  std::vector<float> at_rate = resample(period, static_cast<int>(kCssRateHz), rate_hz);
  // Level: RMS of the active parts (everything but the pauses) to level_dbm0.
  const double active_fraction =
      double(voiced_n + noise_n) / double(voiced_n + noise_n + pause_n);
  double p = 0.0;
  for (float v : at_rate) p += double(v) * v;
  p /= double(at_rate.size()) * active_fraction;
  const double scale = std::sqrt(dbm0_to_power(level_dbm0) / p);
  const std::size_t n = static_cast<std::size_t>(seconds * rate_hz);
  std::vector<float> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(at_rate[i % at_rate.size()] * scale);
  return out;
}

std::vector<float> white_noise(std::size_t n, double level_dbm0, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> dist(0.0, std::sqrt(dbm0_to_power(level_dbm0)));
  std::vector<float> out(n);
  for (auto& v : out) v = static_cast<float>(dist(rng));
  return out;
}

std::vector<float> convolve(std::span<const float> x, std::span<const float> h) {
  std::vector<float> y(x.size(), 0.0f);
  for (std::size_t n = 0; n < x.size(); ++n) {
    double acc = 0.0;
    const std::size_t kmax = std::min(h.size(), n + 1);
    for (std::size_t k = 0; k < kmax; ++k) acc += double(h[k]) * x[n - k];
    y[n] = static_cast<float>(acc);
  }
  return y;
}

std::vector<float> resample(std::span<const float> x, int from_hz, int to_hz) {
  if (from_hz == to_hz) return {x.begin(), x.end()};
  const std::size_t olen = static_cast<std::size_t>(double(x.size()) * to_hz / from_hz + 0.5);
  std::vector<float> out(olen);
  std::size_t odone = 0;
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t q = soxr_quality_spec(SOXR_HQ, 0);
  const soxr_error_t err =
      soxr_oneshot(from_hz, to_hz, 1, x.data(), x.size(), nullptr, out.data(), olen, &odone, &io, &q, nullptr);
  if (err) throw std::runtime_error(std::string("resample: ") + err);
  out.resize(odone);
  out.resize(olen, 0.0f);
  return out;
}

std::vector<std::int16_t> to_int16(std::span<const float> x) {
  std::vector<std::int16_t> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    out[i] = static_cast<std::int16_t>(std::clamp(std::nearbyint(x[i]), -32768.0f, 32767.0f));
  return out;
}

std::vector<float> read_audio(const std::string& path, int& rate_hz) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f) throw std::runtime_error(path + ": " + sf_strerror(nullptr));
  std::vector<float> inter(static_cast<std::size_t>(info.frames) * static_cast<std::size_t>(info.channels));
  sf_command(f, SFC_SET_NORM_FLOAT, nullptr, SF_FALSE);
  const sf_count_t got = sf_readf_float(f, inter.data(), info.frames);
  sf_close(f);
  std::vector<float> out(static_cast<std::size_t>(std::max<sf_count_t>(got, 0)));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = inter[i * static_cast<std::size_t>(info.channels)];
  // Integer files read unnormalised come back in int16 units; float files are scaled to them.
  const int sub = info.format & SF_FORMAT_SUBMASK;
  if (sub == SF_FORMAT_FLOAT || sub == SF_FORMAT_DOUBLE)
    for (auto& v : out) v *= 32768.0f;
  else if (sub == SF_FORMAT_PCM_24 || sub == SF_FORMAT_PCM_32)
    for (auto& v : out) v /= (sub == SF_FORMAT_PCM_24 ? 256.0f : 65536.0f);
  rate_hz = info.samplerate;
  return out;
}

std::vector<float> concatenate_audio(std::span<const std::string> paths, double seconds) {
  const std::size_t want = static_cast<std::size_t>(seconds * 8000.0);
  std::vector<float> out;
  for (const auto& p : paths) {
    int rate = 0;
    auto x = read_audio(p, rate);
    if (rate != 8000) x = resample(x, rate, 8000);
    out.insert(out.end(), x.begin(), x.end());
    if (out.size() >= want) break;
  }
  if (out.size() > want) out.resize(want);
  return out;
}

LevelMeter::LevelMeter() : hist_(std::size(kLevelBandpass), 0.0f), factor_(std::exp(-1.0f / (8000.0f * 0.035f))) {}

float LevelMeter::process(float x) noexcept {
  const std::size_t n = hist_.size();
  pos_ = (pos_ == 0 ? n : pos_) - 1;
  hist_[pos_] = x;
  float y = 0.0f;
  for (std::size_t k = 0; k < n; ++k) y += kLevelBandpass[k] * hist_[(pos_ + k) % n];
  power_ = power_ * factor_ + y * y * (1.0f - factor_);
  return dbm0();
}

float LevelMeter::dbm0() const noexcept { return static_cast<float>(power_to_dbm0(power_)); }

void LevelMeter::reset() noexcept {
  std::fill(hist_.begin(), hist_.end(), 0.0f);
  pos_ = 0;
  power_ = 0.0f;
}

double level_dbm0(std::span<const float> x) {
  double p = 0.0;
  for (float v : x) p += double(v) * v;
  return power_to_dbm0(x.empty() ? 0.0 : p / double(x.size()));
}

ErleTrace measure_erle(std::span<const float> echo, std::span<const float> residual, int rate_hz, double window_s,
                       double steady_s, double min_echo_dbm0) {
  ErleTrace t;
  const std::size_t n = std::min(echo.size(), residual.size());
  const std::size_t win = std::max<std::size_t>(1, static_cast<std::size_t>(window_s * rate_hz));
  const double min_power = dbm0_to_power(min_echo_dbm0);
  for (std::size_t start = 0; start + win <= n; start += win) {
    double pe = 0.0, pr = 0.0;
    for (std::size_t i = start; i < start + win; ++i) {
      pe += double(echo[i]) * echo[i];
      pr += double(residual[i]) * residual[i];
    }
    if (pe / double(win) < min_power) continue;
    const float erle = static_cast<float>(10.0 * std::log10((pe + 1e-9) / (pr + 1e-9)));
    const float end_s = static_cast<float>(double(start + win) / rate_hz);
    t.t_s.push_back(end_s);
    t.erle_db.push_back(erle);
    if (t.time_to_20_db < 0.0f && erle >= 20.0f) t.time_to_20_db = end_s;
    if (t.time_to_30_db < 0.0f && erle >= 30.0f) t.time_to_30_db = end_s;
  }
  const std::size_t steady_n = std::min(n, static_cast<std::size_t>(steady_s * rate_hz));
  double pe = 0.0, pr = 0.0;
  for (std::size_t i = n - steady_n; i < n; ++i) {
    pe += double(echo[i]) * echo[i];
    pr += double(residual[i]) * residual[i];
  }
  t.steady_db = static_cast<float>(10.0 * std::log10((pe + 1e-9) / (pr + 1e-9)));
  return t;
}

std::vector<float> run_canceller(EchoCanceller& ec, std::span<const float> far, std::span<const float> echo,
                                 std::span<const float> near_talker) {
  const std::size_t n = std::min(far.size(), echo.size());
  std::vector<float> near(n);
  for (std::size_t i = 0; i < n; ++i) near[i] = echo[i] + (i < near_talker.size() ? near_talker[i] : 0.0f);
  const auto f16 = to_int16(far.first(n));
  const auto d16 = to_int16(near);
  std::vector<std::int16_t> o16(n);
  constexpr std::size_t kBlock = 160;
  for (std::size_t s = 0; s < n; s += kBlock) {
    const std::size_t len = std::min(kBlock, n - s);
    ec.process(std::span(f16).subspan(s, len), std::span(d16).subspan(s, len), std::span(o16).subspan(s, len));
  }
  return {o16.begin(), o16.end()};
}

}  // namespace linedsp::g168
