// `linedsp transcode IN OUT --encoding pcm16|ulaw|alaw [--rate HZ]`: convert a recording's encoding,
// container (from OUT's extension: .wav, .au, .flac, .raw/.sln/.ul/.al headerless, - = stdout raw) and
// optionally its sample rate (libsoxr HQ). G.711 coding is codecs/g711 both ways, bit-exact with the
// ITU-T G.191 reference (libsndfile's own mu-law/A-law encoder is not). Channels are kept.
// Headerless input: --raw s16le|ulaw|alaw --in-rate HZ [--channels N] (IN may be - for stdin).
// OUT appears only when complete (temporary + rename); an error leaves an older OUT untouched.
#include <cstdio>
#include <memory>
#include <vector>

#include "cli/command.hpp"
#include "devices/audio_file.hpp"
#include "devices/file_device.hpp"

namespace linedsp::cli {
namespace {

struct Options {
  std::string input, output, encoding = "pcm16", raw;
  int rate = 0, in_rate = 0, channels = 1;
};

int run(const Options& o) {
  const auto encoding = parse_sample_encoding(o.encoding);
  if (!encoding) {
    std::fprintf(stderr, "linedsp: transcode: --encoding %s: expected pcm16, ulaw or alaw\n", o.encoding.c_str());
    return kExitUsage;
  }
  if (!o.raw.empty() && o.in_rate <= 0) {
    std::fprintf(stderr, "linedsp: transcode: --raw needs --in-rate HZ\n");
    return kExitUsage;
  }
  FileOpenOptions fo;
  fo.target_rate_hz = o.rate;  // 0: keep the input's rate
  if (!o.raw.empty()) fo.raw = RawFormat{*parse_raw_encoding(o.raw), o.in_rate, o.channels};
  FileDevice in(o.input, fo);  // std::runtime_error("IN: reason") -> exit 1 (main)
  const AudioFormat f = in.format();
  AudioFileWriter out(o.output, AudioFileSpec{f.sample_rate_hz, f.channels, *encoding});
  std::vector<std::int16_t> buf(4096 * static_cast<std::size_t>(f.channels));
  for (std::size_t n; (n = in.read(buf)) > 0;)
    out.write(std::span<const std::int16_t>(buf.data(), n * static_cast<std::size_t>(f.channels)));
  if (!in.error().empty()) {
    std::fprintf(stderr, "linedsp: %s: %s\n", o.input.c_str(), in.error().c_str());
    return kExitError;  // `out` is destroyed without commit(): no partial OUT
  }
  out.commit();
  if (in.clipped_samples() > 0)
    std::fprintf(stderr, "linedsp: %s: warning: %llu samples beyond full scale were clipped\n", o.input.c_str(),
                 static_cast<unsigned long long>(in.clipped_samples()));
  return kExitOk;
}

const Registration kRegistration{
    "transcode", "Convert a recording's encoding (pcm16, G.711 mu-law/A-law), container and sample rate",
    [](CLI::App& app) {
      auto o = std::make_shared<Options>();
      app.add_option("input", o->input, "Input audio (anything libsndfile reads; - with --raw = stdin)")->required();
      app.add_option("output", o->output, "Output: .wav, .au, .flac, .raw/.sln/.ul/.al (headerless), - = stdout")
          ->required();
      app.add_option("--encoding", o->encoding, "Output sample encoding")
          ->check(CLI::IsMember({"pcm16", "ulaw", "alaw"}))
          ->capture_default_str();
      app.add_option("--rate", o->rate, "Output sample rate, Hz (default: the input's)")->check(CLI::Range(4000, 384000));
      app.add_option("--raw", o->raw, "Input is headerless: s16le, ulaw or alaw")
          ->check(CLI::IsMember({"s16le", "pcm16", "sln", "ulaw", "alaw"}));
      app.add_option("--in-rate", o->in_rate, "Sample rate of headerless input, Hz")->check(CLI::Range(4000, 384000));
      app.add_option("--channels", o->channels, "Channels of headerless input")->check(CLI::Range(1, 64))->capture_default_str();
      return [o] { return run(*o); };
    }};

}  // namespace
}  // namespace linedsp::cli
