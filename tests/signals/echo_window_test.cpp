// EchoCanceller active window (EchoCancellerConfig::active_window): once converged both filters run only
// over the taps the echo occupies. Checked against the G.168 Annex D echo path models themselves (the
// oracle for where the echo is: the model's taps placed at the known bulk delay), against the same
// canceller with the window off, and through an echo path change that moves the echo outside the window
// (G.168 test 2B(b) limit: combined loss ERL + ERLE >= 20 dB 1 s after the change, REFERENCES.md).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "signals/echo_canceller.hpp"
#include "signals/g168.hpp"

namespace linedsp {
namespace {

constexpr double kErlDb = 6.0;  // G.168's worst-case ERL

struct Signals {
  std::vector<std::int16_t> far, near;
  std::vector<float> echo;
};

// CSS far end at -10 dBm0; echo through model `model` at `delay` samples; from `change_s` on (if >= 0)
// through `model2` at `delay2` instead (an abrupt echo path change).
Signals make(double seconds, int model, int delay, double change_s = -1.0, int model2 = 2, int delay2 = 0) {
  const auto far = g168::composite_source_signal(seconds, -10.0, false, 8000, 5);
  auto echo = g168::convolve(far, g168::echo_path(model, kErlDb, delay));
  if (change_s >= 0.0) {
    const auto echo2 = g168::convolve(far, g168::echo_path(model2, kErlDb, delay2));
    for (std::size_t i = static_cast<std::size_t>(change_s * 8000); i < echo.size(); ++i) echo[i] = echo2[i];
  }
  return {g168::to_int16(far), g168::to_int16(echo), echo};
}

std::vector<std::int16_t> run(EchoCanceller& ec, const Signals& s, std::size_t block = 160) {
  std::vector<std::int16_t> out(s.far.size());
  for (std::size_t i = 0; i < s.far.size(); i += block) {
    const std::size_t len = std::min(block, s.far.size() - i);
    ec.process(std::span(s.far).subspan(i, len), std::span(s.near).subspan(i, len), std::span(out).subspan(i, len));
  }
  return out;
}

// ERLE over [from_s, to_s): echo power over residual power, counting only samples where echo arrives
// (the CSS has pauses).
double erle_db(const Signals& s, const std::vector<std::int16_t>& out, double from_s, double to_s) {
  double pe = 0.0, pr = 0.0;
  for (auto i = static_cast<std::size_t>(from_s * 8000); i < static_cast<std::size_t>(to_s * 8000); ++i) {
    pe += double(s.echo[i]) * s.echo[i];
    pr += double(out[i]) * out[i];
  }
  return 10.0 * std::log10((pe + 1e-9) / (pr + 1e-9));
}

EchoCancellerConfig linear(bool window = true) {
  EchoCancellerConfig cfg;
  cfg.nlp_enabled = false;  // measure the linear canceller
  cfg.active_window = window;
  return cfg;
}

// Every Annex D model behind a 30 ms bulk delay in the 64 ms (512-tap) tail: after 4 s the window is under
// half the tail and holds the taps that carry 99.9 % of the model's energy (computed from the model's
// coefficients, not from the canceller), and the steady ERLE is no worse than with the window off.
class ActiveWindowModels : public ::testing::TestWithParam<int> {};

TEST_P(ActiveWindowModels, NarrowsToTheEchoPathWithoutLosingErle) {
  const int model = GetParam();
  constexpr int kDelay = 240;
  const Signals s = make(6.0, model, kDelay);
  EchoCanceller win(linear(true)), full(linear(false));
  const auto out_win = run(win, s);
  const auto out_full = run(full, s);

  const auto h = g168::echo_path_model(model);
  double total = 0.0;
  for (float v : h) total += double(v) * v;
  std::size_t first = 0, last = h.size() - 1;
  for (double cut = 0.0; cut + double(h[first]) * h[first] <= 0.0005 * total; ++first) cut += double(h[first]) * h[first];
  for (double cut = 0.0; cut + double(h[last]) * h[last] <= 0.0005 * total; --last) cut += double(h[last]) * h[last];
  const std::size_t need_lo = kDelay + first, need_hi = kDelay + last + 1;

  const double e_win = erle_db(s, out_win, 4.0, 6.0), e_full = erle_db(s, out_full, 4.0, 6.0);
  std::printf("D.%d: window [%zu, %zu) of %zu taps (echo energy in [%zu, %zu)); ERLE %.1f dB windowed, %.1f dB whole tail\n",
              model, win.window_first(), win.window_first() + win.window_taps(), win.tap_count(), need_lo, need_hi,
              e_win, e_full);
  EXPECT_LT(win.window_taps(), win.tap_count() / 2);
  EXPECT_LE(win.window_first(), need_lo);
  EXPECT_GE(win.window_first() + win.window_taps(), need_hi);
  EXPECT_EQ(full.window_taps(), full.tap_count());
  EXPECT_GE(e_win, e_full - 1.0);
  EXPECT_GE(e_win, 35.0);  // the steady-state figure g168_test asserts (REFERENCES.md)
}

INSTANTIATE_TEST_SUITE_P(AnnexD, ActiveWindowModels, ::testing::Range(g168::kFirstModel, g168::kLastModel + 1),
                         [](const auto& info) { return "D" + std::to_string(info.param); });

// G.168 test 2B(b) with the echo moved outside the narrowed window (bulk delay 5 ms -> 40 ms, model D.2 ->
// D.7, whose 120 taps then end at 55 ms, inside the 64 ms tail): the window reopens and combined loss is
// >= 20 dB 1 s after the change.
TEST(ActiveWindow, ReopensWhenTheEchoMovesOutsideIt) {
  const Signals s = make(9.0, 2, 40, 4.0, 7, 320);
  EchoCanceller ec(linear(true));
  std::vector<std::int16_t> out(s.far.size());
  std::size_t narrowed_first = 0, narrowed_taps = 0;
  for (std::size_t i = 0; i < s.far.size(); i += 160) {
    ec.process(std::span(s.far).subspan(i, 160), std::span(s.near).subspan(i, 160), std::span(out).subspan(i, 160));
    if (i + 160 == 4 * 8000) {
      narrowed_first = ec.window_first();
      narrowed_taps = ec.window_taps();
    }
  }
  std::printf("window before the change [%zu, %zu); reopenings %llu; ERLE %.1f dB at 1 s after, %.1f dB at 4-5 s\n",
              narrowed_first, narrowed_first + narrowed_taps, static_cast<unsigned long long>(ec.window_reopenings()),
              erle_db(s, out, 4.7, 5.05), erle_db(s, out, 8.0, 9.0));
  ASSERT_LT(narrowed_first + narrowed_taps, 320u) << "the test needs the new echo outside the narrowed window";
  EXPECT_GE(ec.window_reopenings(), 1u);
  EXPECT_GE(kErlDb + erle_db(s, out, 4.7, 5.05), 20.0) << "G.168 test 2B(b): combined loss 1 s after the change";
  EXPECT_GE(erle_db(s, out, 8.0, 9.0), 30.0);
}

// Block-size independence (DESIGN.md) holds through narrowing and reopening.
TEST(ActiveWindow, BlockSizeIndependentThroughNarrowingAndReopening) {
  const Signals s = make(6.0, 4, 40, 3.5, 5, 320);
  EchoCanceller ref(linear(true));
  const auto expected = run(ref, s, s.far.size());
  ASSERT_GT(ref.window_narrowings(), 0u);
  ASSERT_GT(ref.window_reopenings(), 0u);
  for (std::size_t block : {1u, 7u, 160u}) {
    EchoCanceller ec(linear(true));
    EXPECT_EQ(run(ec, s, block), expected) << "block " << block;
  }
}

TEST(ActiveWindow, ConfigRejectsFloorOutsideRangeNamingIt) {
  EchoCancellerConfig cfg;
  cfg.window_floor_db = -5.0f;
  try {
    EchoCanceller ec(cfg);
    ADD_FAILURE() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("window_floor_db"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace linedsp
