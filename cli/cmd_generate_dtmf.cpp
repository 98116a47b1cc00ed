// `linedsp generate dtmf DIGITS -o OUT`: DTMF digits per ITU-T Q.23 (signals/dtmf_generator.hpp).
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command.hpp"
#include "devices/audio_file.hpp"
#include "signals/dtmf_generator.hpp"

namespace linedsp::cli {
namespace {

struct Options {
  std::string digits, output, encoding = "pcm16";
  int rate = 8000, on_ms = 80, off_ms = 80, lead_ms = 100;
  double ramp_ms = 2.0, level_low = -10.0, level_high = -8.0, twist = 0.0, deviation = 0.0;
  bool twist_given = false;
};

int run(const Options& o) {
  DtmfGeneratorConfig c;
  c.sample_rate_hz = o.rate;
  c.on_ms = o.on_ms;
  c.off_ms = o.off_ms;
  c.low_level_dbm0 = o.level_low;
  c.high_level_dbm0 = o.twist_given ? o.level_low + o.twist : o.level_high;  // twist: high minus low, dB
  c.frequency_offset_pct = o.deviation;
  const auto encoding = parse_sample_encoding(o.encoding);
  c.ramp_ms = o.ramp_ms;
  DtmfGenerator gen(c);  // throws std::invalid_argument naming the field
  double lo = 0, hi = 0;
  for (char d : o.digits)
    if (!DtmfGenerator::frequencies(d, lo, hi)) {
      std::fprintf(stderr, "linedsp: generate dtmf: '%c' in '%s' is not a DTMF digit (0-9 * # A-D)\n", d, o.digits.c_str());
      return kExitUsage;
    }
  if (o.digits.empty()) {
    std::fprintf(stderr, "linedsp: generate dtmf: no digits given\n");
    return kExitUsage;
  }
  AudioFileWriter out(o.output, AudioFileSpec{o.rate, 1, *encoding});
  std::vector<std::int16_t> buf(static_cast<std::size_t>(o.lead_ms) * static_cast<std::size_t>(o.rate) / 1000, 0);
  out.write(buf);
  buf.resize(static_cast<std::size_t>(o.rate) / 50);
  std::string_view rest = o.digits;  // any length: queued as the generator's fixed queue drains
  while (!rest.empty() || !gen.idle()) {
    const std::size_t n = std::min(rest.size(), DtmfGenerator::kQueueCapacity / 2);
    if (n > 0 && gen.queue(rest.substr(0, n))) rest.remove_prefix(n);
    gen.generate(buf);
    out.write(buf);
  }
  buf.assign(static_cast<std::size_t>(o.lead_ms) * static_cast<std::size_t>(o.rate) / 1000, 0);
  out.write(buf);
  out.commit();
  return kExitOk;
}

const Registration kRegistration{"generate/dtmf", "Generate DTMF digits (ITU-T Q.23)", [](CLI::App& app) {
  auto o = std::make_shared<Options>();
  app.add_option("digits", o->digits, "Digits to send: 0-9 * # A-D")->required();
  app.add_option("-o,--output", o->output, "Output file (.wav, .au, .flac, .raw/.ul/.al; - = stdout)")->required();
  app.add_option("--rate", o->rate, "Sample rate, Hz")->check(CLI::IsMember({8000, 16000}))->capture_default_str();
  app.add_option("--level-low", o->level_low, "Low-group tone level, dBm0")->capture_default_str()->check(CLI::Range(-60.0, 3.0));
  app.add_option("--level-high", o->level_high, "High-group tone level, dBm0")->capture_default_str()->check(CLI::Range(-60.0, 3.0));
  app.add_option("--twist", o->twist, "High tone level minus low tone level, dB (overrides --level-high)")
      ->check(CLI::Range(-20.0, 20.0))
      ->each([o](const std::string&) { o->twist_given = true; });
  app.add_option("--on-ms", o->on_ms, "Tone duration, ms")->capture_default_str()->check(CLI::Range(1, 60000));
  app.add_option("--off-ms", o->off_ms, "Pause between digits, ms")->capture_default_str()->check(CLI::Range(0, 60000));
  app.add_option("--ramp-ms", o->ramp_ms, "Raised-cosine rise/fall inside each tone, ms (0 = hard keying)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 20.0));
  app.add_option("--lead-ms", o->lead_ms, "Silence before and after, ms")->capture_default_str()->check(CLI::Range(0, 60000));
  app.add_option("--deviation", o->deviation, "Frequency deviation of both tones, percent")->check(CLI::Range(-10.0, 10.0));
  app.add_option("--encoding", o->encoding, "Sample encoding")
      ->check(CLI::IsMember({"pcm16", "ulaw", "alaw"}))
      ->capture_default_str();
  return [o] { return run(*o); };
}};

}  // namespace
}  // namespace linedsp::cli
