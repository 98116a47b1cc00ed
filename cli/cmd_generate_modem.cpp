// `linedsp generate modem cng|ced|ans|ans-pr|ansam|ansam-pr|v21-flags -o OUT`: modem and fax signalling tones
// (signals/modem_tone_generator.hpp; V.25, V.8, T.30, V.21).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "devices/audio_file.hpp"
#include "signals/modem_tone_generator.hpp"

namespace linedsp::cli {
namespace {

struct Options {
  std::string tone, output, encoding = "pcm16";
  int rate = 8000, duration_ms = -1, lead_ms = 100, reversal_ms = kAnsReversalMs;
  double level = kModemToneLevelDbm0, offset_hz = 0.0, am_depth = kAnsamDepth, am_rate = kAnsamRateHz;
};

int run(const Options& o) {
  const auto tone = parse_modem_tone(o.tone);
  if (!tone) {
    std::fprintf(stderr, "linedsp: generate modem: unknown tone '%s' (cng, ced, ans, ans-pr, ansam, ansam-pr, v21-flags)\n",
                 o.tone.c_str());
    return kExitUsage;
  }
  const auto encoding = parse_sample_encoding(o.encoding);
  ModemToneGeneratorConfig c;
  c.tone = *tone;
  c.sample_rate_hz = o.rate;
  c.level_dbm0 = o.level;
  c.frequency_offset_hz = o.offset_hz;
  c.reversal_interval_ms = o.reversal_ms;
  c.am_depth = o.am_depth;
  c.am_rate_hz = o.am_rate;
  // Default lengths: answer tones 3.3 s (V.25 2.6-4.0 s), CNG two cycles (7 s), V.21 preamble 1 s (T.30).
  c.duration_ms = o.duration_ms >= 0 ? o.duration_ms
                  : is_answer_tone(*tone)  ? 3300
                  : *tone == ModemTone::cng ? 2 * (kCngOnMs + kCngOffMs)
                                            : 1000;
  ModemToneGenerator gen(c);  // throws std::invalid_argument naming the field
  AudioFileWriter out(o.output, AudioFileSpec{o.rate, 1, *encoding});
  std::vector<std::int16_t> buf(static_cast<std::size_t>(o.lead_ms) * static_cast<std::size_t>(o.rate) / 1000, 0);
  out.write(buf);
  buf.resize(static_cast<std::size_t>(o.rate) / 50);
  while (!gen.done()) {
    buf.resize(gen.generate(buf));
    out.write(buf);
    buf.resize(static_cast<std::size_t>(o.rate) / 50);
  }
  buf.assign(static_cast<std::size_t>(o.lead_ms) * static_cast<std::size_t>(o.rate) / 1000, 0);
  out.write(buf);
  out.commit();
  return kExitOk;
}

const Registration kRegistration{
    "generate/modem", "Generate a modem/fax tone: cng, ced, ans, ans-pr, ansam, ansam-pr, v21-flags (V.25, V.8, T.30)",
    [](CLI::App& app) {
      auto o = std::make_shared<Options>();
      app.add_option("tone", o->tone, "cng | ced | ans | ans-pr | ansam | ansam-pr | v21-flags")->required();
      app.add_option("-o,--output", o->output, "Output file (.wav, .au, .flac, .raw/.ul/.al; - = stdout)")->required();
      app.add_option("--rate", o->rate, "Sample rate, Hz")->check(CLI::IsMember({8000, 16000}))->capture_default_str();
      app.add_option("--level", o->level, "Level, dBm0 (ANSam: the unmodulated carrier)")
          ->capture_default_str()
          ->check(CLI::Range(-60.0, 3.0));
      app.add_option("--duration-ms", o->duration_ms, "Length, ms (default: 3300 answer tones, 7000 cng, 1000 v21-flags)")
          ->check(CLI::Range(0, 600000));
      app.add_option("--offset-hz", o->offset_hz, "Frequency offset, Hz")->check(CLI::Range(-100.0, 100.0));
      app.add_option("--reversal-ms", o->reversal_ms, "Phase-reversal interval, ms (V.25: 450)")
          ->capture_default_str()
          ->check(CLI::Range(10, 5000));
      app.add_option("--am-depth", o->am_depth, "ANSam modulation depth (V.8: 0.2)")->capture_default_str()->check(CLI::Range(0.0, 0.9));
      app.add_option("--am-rate", o->am_rate, "ANSam modulation rate, Hz (V.8: 15)")->capture_default_str()->check(CLI::Range(1.0, 50.0));
      app.add_option("--lead-ms", o->lead_ms, "Silence before and after, ms")->capture_default_str()->check(CLI::Range(0, 60000));
      app.add_option("--encoding", o->encoding, "Sample encoding")
          ->check(CLI::IsMember({"pcm16", "ulaw", "alaw"}))
          ->capture_default_str();
      return [o] { return run(*o); };
    }};

}  // namespace
}  // namespace linedsp::cli
