// linedsp cancel — line echo cancellation of recorded calls, and the G.168 report.
//
//   linedsp cancel --far FAR --near NEAR -o OUT [--tail MS] [--no-nlp]
//   linedsp cancel STEREO -o OUT [--tail MS]            (far end left, near end right)
//   linedsp cancel --report [--tail MS] [--plot FILE.svg] [--seconds S]
//
// OUT is the cleaned near end: same rate and length as NEAR, sample-aligned with it (the canceller adds no
// delay), 16-bit PCM in the container named by OUT's extension. Inputs are read with libsndfile (any format
// it reads), at 8000 or 16000 Hz. Bad inputs (unreadable, different rates or lengths, wrong channel counts)
// are processing errors (exit 1); a wrong combination of options is a usage error (exit 2).
//
// --report runs the G.168 harness (signals/g168.hpp): the composite source signal through every Annex D
// echo path model at 6 dB ERL, delayed to the end of the tail, for each tail (32/64/128 ms, or --tail), and
// real speech (asterisk-core-sounds-en-wav, when installed) at 10 dB ERL; it prints the time to 20 and
// 30 dB ERLE, the ERLE at 1 s and the steady-state ERLE per model and tail, and ERLE over time; --plot
// writes ERLE against time (one line per model, default tail) as an SVG.
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "devices/audio_file.hpp"
#include "signals/echo_canceller.hpp"
#include "signals/g168.hpp"

namespace linedsp::cli {
namespace {

struct Options {
  std::string far, near, input, out, plot;
  std::optional<int> tail_ms;
  bool report = false, no_nlp = false;
  double seconds = 10.0;
};

struct Audio {
  int rate_hz = 0, channels = 0;
  std::vector<std::int16_t> frames;  // interleaved
  std::size_t length() const { return channels ? frames.size() / static_cast<std::size_t>(channels) : 0; }
};

Audio read_file(const std::string& path) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f) throw std::runtime_error(path + ": " + sf_strerror(nullptr));
  Audio a;
  a.rate_hz = info.samplerate;
  a.channels = info.channels;
  a.frames.resize(static_cast<std::size_t>(info.frames) * static_cast<std::size_t>(info.channels));
  const sf_count_t got = sf_readf_short(f, a.frames.data(), info.frames);
  sf_close(f);
  if (got != info.frames) throw std::runtime_error(path + ": short read");
  if (a.rate_hz != 8000 && a.rate_hz != 16000)
    throw std::runtime_error(path + ": sample rate " + std::to_string(a.rate_hz) +
                             " Hz is not supported (8000 or 16000 Hz; resample with `linedsp transcode --rate`)");
  return a;
}

std::vector<std::int16_t> channel_of(const Audio& a, int ch) {
  std::vector<std::int16_t> out(a.length());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = a.frames[i * static_cast<std::size_t>(a.channels) + static_cast<std::size_t>(ch)];
  return out;
}

int run_cancel(const Options& o) {
  std::vector<std::int16_t> far, near;
  int rate = 0;
  if (!o.input.empty()) {
    const Audio a = read_file(o.input);
    if (a.channels != 2)
      throw std::runtime_error(o.input + ": has " + std::to_string(a.channels) +
                               " channel(s); one input file must be stereo (far end left, near end right)");
    far = channel_of(a, 0);
    near = channel_of(a, 1);
    rate = a.rate_hz;
  } else {
    const Audio f = read_file(o.far), n = read_file(o.near);
    if (f.channels != 1) throw std::runtime_error(o.far + ": has " + std::to_string(f.channels) + " channel(s); --far must be mono");
    if (n.channels != 1) throw std::runtime_error(o.near + ": has " + std::to_string(n.channels) + " channel(s); --near must be mono");
    if (f.rate_hz != n.rate_hz)
      throw std::runtime_error(o.far + ": sample rate " + std::to_string(f.rate_hz) + " Hz differs from " + o.near + " (" +
                               std::to_string(n.rate_hz) + " Hz)");
    if (f.length() != n.length())
      throw std::runtime_error(o.far + ": " + std::to_string(f.length()) + " samples, but " + o.near + " has " +
                               std::to_string(n.length()) + " (the two ends must be the same length and aligned)");
    far = f.frames;
    near = n.frames;
    rate = n.rate_hz;
  }
  EchoCancellerConfig cfg;
  cfg.sample_rate_hz = rate;
  if (o.tail_ms) cfg.tail_ms = *o.tail_ms;
  cfg.nlp_enabled = !o.no_nlp;
  EchoCanceller ec(cfg);
  std::vector<std::int16_t> out(near.size());
  const std::size_t block = static_cast<std::size_t>(rate / 50);
  for (std::size_t i = 0; i < near.size(); i += block) {
    const std::size_t len = std::min(block, near.size() - i);
    ec.process(std::span(far).subspan(i, len), std::span(near).subspan(i, len), std::span(out).subspan(i, len));
  }
  AudioFileSpec spec;
  spec.sample_rate_hz = rate;
  spec.channels = 1;
  AudioFileWriter w(o.out, spec);
  w.write(out);
  w.commit();
  std::fprintf(stderr, "linedsp: cancel: %zu samples at %d Hz, %d ms tail, estimated ERLE %.1f dB\n", out.size(), rate,
               cfg.tail_ms, ec.erle_estimate_db());
  return kExitOk;
}

// ---------------------------------------------------------------------------------------------- report

struct Row {
  std::string signal;
  int model = 0, tail_ms = 0;
  g168::ErleTrace trace;
  double erle_1s = 0.0;
};

Row run_case(const std::vector<float>& far, const std::string& signal, int model, int tail_ms, double erl_db) {
  EchoCancellerConfig cfg;
  cfg.tail_ms = tail_ms;
  cfg.nlp_enabled = false;  // ERLE is the linear canceller's
  EchoCanceller ec(cfg);
  const int taps = tail_ms * 8;
  const int model_len = static_cast<int>(g168::echo_path_model(model).size());
  const int delay = std::max(0, taps - model_len - 16);  // the path ends at the end of the tail
  const auto echo = g168::convolve(far, g168::echo_path(model, erl_db, delay));
  const auto out = g168::run_canceller(ec, far, echo, {});
  Row r{signal, model, tail_ms, g168::measure_erle(echo, out, 8000, 0.05, 2.0, -10.0 - erl_db - 20.0), 0.0};
  for (std::size_t i = 0; i < r.trace.t_s.size(); ++i)
    if (r.trace.t_s[i] <= 1.0f) r.erle_1s = r.trace.erle_db[i];
  return r;
}

std::string fmt_time(float t) {
  char b[16];
  if (t < 0.0f) return "never";
  std::snprintf(b, sizeof b, "%.2f s", t);
  return b;
}

void write_svg(const std::string& path, const std::vector<Row>& rows, int tail_ms, double seconds) {
  constexpr double kW = 760, kH = 420, kL = 60, kR = 150, kT = 30, kB = 50;
  constexpr double kMaxDb = 70.0;
  const char* colours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#17becf"};
  std::ostringstream f;
  auto X = [&](double t) { return kL + (kW - kL - kR) * t / seconds; };
  auto Y = [&](double db) { return kT + (kH - kT - kB) * (1.0 - std::clamp(db, 0.0, kMaxDb) / kMaxDb); };
  f << "<svg xmlns='http://www.w3.org/2000/svg' width='" << kW << "' height='" << kH << "' font-family='sans-serif' font-size='12'>\n";
  f << "<rect width='100%' height='100%' fill='white'/>\n";
  f << "<text x='" << kL << "' y='18' font-size='14'>linedsp echo canceller: ERLE over time, G.168 CSS at 6 dB ERL, " << tail_ms
    << " ms tail (no NLP)</text>\n";
  for (int db = 0; db <= 70; db += 10) {
    f << "<line x1='" << kL << "' x2='" << kW - kR << "' y1='" << Y(db) << "' y2='" << Y(db) << "' stroke='#ddd'/>\n";
    f << "<text x='" << kL - 8 << "' y='" << Y(db) + 4 << "' text-anchor='end'>" << db << "</text>\n";
  }
  for (int s = 0; s <= static_cast<int>(seconds); ++s) {
    f << "<line x1='" << X(s) << "' x2='" << X(s) << "' y1='" << kT << "' y2='" << kH - kB << "' stroke='#eee'/>\n";
    f << "<text x='" << X(s) << "' y='" << kH - kB + 16 << "' text-anchor='middle'>" << s << "</text>\n";
  }
  f << "<text x='" << (kL + kW - kR) / 2 << "' y='" << kH - 12 << "' text-anchor='middle'>time (s)</text>\n";
  f << "<text transform='translate(16," << (kT + kH - kB) / 2 << ") rotate(-90)' text-anchor='middle'>ERLE (dB)</text>\n";
  f << "<line x1='" << kL << "' x2='" << kW - kR << "' y1='" << Y(20) << "' y2='" << Y(20) << "' stroke='#999' stroke-dasharray='4 3'/>\n";
  int i = 0;
  for (const auto& r : rows) {
    if (r.tail_ms != tail_ms || r.signal != "CSS") continue;
    const char* c = colours[i % 9];
    f << "<polyline fill='none' stroke='" << c << "' stroke-width='1.5' points='";
    for (std::size_t k = 0; k < r.trace.t_s.size(); ++k) f << X(r.trace.t_s[k]) << ',' << Y(r.trace.erle_db[k]) << ' ';
    f << "'/>\n";
    const double ly = kT + 10 + 18 * i;
    f << "<line x1='" << kW - kR + 12 << "' x2='" << kW - kR + 36 << "' y1='" << ly << "' y2='" << ly << "' stroke='" << c
      << "' stroke-width='2'/><text x='" << kW - kR + 42 << "' y='" << ly + 4 << "'>D." << r.model << "</text>\n";
    ++i;
  }
  f << "</svg>\n";
  write_text_file_atomically(path, f.str());
}

int run_report(const Options& o) {
  std::vector<int> tails = {32, 64, 128};
  if (o.tail_ms) tails = {*o.tail_ms};
  const int plot_tail = o.tail_ms.value_or(64);
  const auto css = g168::composite_source_signal(o.seconds, -10.0);
  std::vector<float> speech;
  const std::filesystem::path dir = "/usr/share/asterisk/sounds/en_US_f_Allison";
  if (std::filesystem::is_directory(dir)) {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(dir))
      if (e.path().extension() == ".wav") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    speech = g168::concatenate_audio(files, o.seconds);
  }
  std::vector<Row> rows;
  for (int tail : tails)
    for (int m = g168::kFirstModel; m <= g168::kLastModel; ++m) {
      rows.push_back(run_case(css, "CSS", m, tail, 6.0));
      if (!speech.empty()) rows.push_back(run_case(speech, "speech", m, tail, 10.0));
    }
  std::printf("G.168 harness: %.0f s per run, ERL 6 dB (CSS at -10 dBm0) / 10 dB (speech), echo path delayed to the end of the tail, NLP off\n\n",
              o.seconds);
  std::printf("%-7s %-6s %7s %10s %10s %12s %13s\n", "signal", "model", "tail", "to 20 dB", "to 30 dB", "ERLE at 1 s",
              "steady ERLE");
  for (const auto& r : rows)
    std::printf("%-7s D.%-4d %4d ms %10s %10s %9.1f dB %10.1f dB\n", r.signal.c_str(), r.model, r.tail_ms,
                fmt_time(r.trace.time_to_20_db).c_str(), fmt_time(r.trace.time_to_30_db).c_str(), r.erle_1s,
                r.trace.steady_db);
  // ERLE over time (CSS, the plot's tail): 0.5 s steps, one column per model.
  std::printf("\nERLE (dB) over time, CSS, %d ms tail\n%6s", plot_tail, "t (s)");
  for (int m = g168::kFirstModel; m <= g168::kLastModel; ++m) std::printf("  D.%d ", m);
  std::printf("\n");
  for (double t = 0.5; t <= o.seconds + 1e-9; t += 0.5) {
    std::printf("%6.1f", t);
    for (const auto& r : rows) {
      if (r.tail_ms != plot_tail || r.signal != "CSS") continue;
      float v = 0.0f;
      for (std::size_t k = 0; k < r.trace.t_s.size(); ++k)
        if (r.trace.t_s[k] <= t + 1e-6) v = r.trace.erle_db[k];
      std::printf(" %5.1f", v);
    }
    std::printf("\n");
  }
  if (!o.plot.empty()) {
    write_svg(o.plot, rows, plot_tail, o.seconds);
    std::fprintf(stderr, "linedsp: wrote %s\n", o.plot.c_str());
  }
  return kExitOk;
}

int run(const Options& o) {
  if (o.report) return run_report(o);
  return run_cancel(o);
}

const Registration reg{
    "cancel",
    "Cancel line echo: cleaned near end from a far-end reference (G.168 line echo canceller); --report runs the "
    "G.168 harness",
    [](CLI::App& app) {
      auto o = std::make_shared<Options>();
      app.add_option("input", o->input, "One stereo file: far end left, near end right");
      auto* far = app.add_option("--far", o->far, "Far-end reference (what was sent towards the line)");
      auto* near = app.add_option("--near", o->near, "Near-end input (what came back, with echo)");
      far->needs(near);
      near->needs(far);
      app.add_option("-o,--output", o->out, "Cleaned near end (same rate and length as the near end)");
      app.add_option("--tail", o->tail_ms, "Echo tail in ms (16-128, default 64)")->check(CLI::Range(16, 128));
      app.add_flag("--no-nlp", o->no_nlp, "Linear cancellation only (no non-linear processor / comfort noise)");
      app.add_flag("--report", o->report, "Run the G.168 harness and print ERLE per echo path model and tail");
      app.add_option("--plot", o->plot, "With --report: write ERLE over time as an SVG plot");
      app.add_option("--seconds", o->seconds, "With --report: seconds per run (default 10)")->check(CLI::Range(2.0, 60.0));
      auto* in = app.get_option("input");
      in->excludes(far);
      in->excludes(near);
      app.callback([o] {
        if (o->report) {
          if (!o->input.empty() || !o->far.empty() || !o->out.empty())
            throw CLI::ValidationError("--report", "takes no input or output files (only --tail, --plot, --seconds)");
          return;
        }
        if (!o->plot.empty()) throw CLI::ValidationError("--plot", "needs --report");
        if (o->input.empty() && o->far.empty()) throw CLI::RequiredError("--far/--near or a stereo input file");
        if (o->out.empty()) throw CLI::RequiredError("-o");
      });
      return [o] { return run(*o); };
    }};

}  // namespace
}  // namespace linedsp::cli
