// `linedsp generate cid`: a caller-ID transmission (and optionally its alerting and ringing) as audio.
//
//   linedsp generate cid --number N [--name NAME] [--date MMDDHHMM] [--reason private|unavailable]
//       [--standard bell|etsi|etsi-dtmf|v23] [--format sdmf|mdmf] [--dtmf-format a_c|a_hash|d_c|hash]
//       [--with-ring [--country CC]] [--level DBM0] [--rate HZ] [--encoding pcm16|ulaw|alaw] -o OUT
//
// Standards: bell = Telcordia GR-30 (Bell 202; MDMF, or SDMF with --format sdmf), sent after the first ring;
// etsi = ETSI EN 300 659 (V.23, call set-up message) before the first ring, after a line reversal and a DT-AS;
// v23 = the same message after the first ring; etsi-dtmf = DTMF digits (A<number>C by default) after a line
// reversal, before the first ring.
// Without --with-ring the file holds 0.5 s of silence, the alert (etsi), the data and 0.5 s of silence. With it,
// the whole procedure (signals/callerid_procedure.hpp) with the ring cadence of the country's tone plan
// (data/tones/CC.toml, rings.normal). Ringing and line reversals are not audio: they are silent in the file.
#include <ctime>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "devices/audio_file.hpp"
#include "signals/callerid.hpp"
#include "signals/callerid_dtmf.hpp"
#include "signals/callerid_procedure.hpp"
#include "signals/dtmf_generator.hpp"
#include "signals/tone_plan.hpp"

namespace linedsp::cli {
namespace {

struct Options {
  std::string number, name, date, reason, standard = "bell", format = "mdmf", dtmf_format = "a_c";
  bool with_ring = false;
  std::string country;
  double level_dbm0 = -13.5;
  int rate_hz = 8000;
  std::string encoding = "pcm16";
  std::string out;
};

std::string now_mmddhhmm() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%m%d%H%M", &tm);
  return buf;
}

std::vector<std::int16_t> silence(int rate, int ms) {
  return std::vector<std::int16_t>(static_cast<std::size_t>(rate) * static_cast<std::size_t>(ms) / 1000, 0);
}

int run(const Options& o) {
  const bool bell = o.standard == "bell";
  const bool dtmf = o.standard == "etsi-dtmf";
  if (!bell && !dtmf && o.standard != "etsi" && o.standard != "v23") {
    std::fprintf(stderr, "linedsp: --standard: %s is not bell, etsi, etsi-dtmf or v23\n", o.standard.c_str());
    return kExitUsage;
  }
  if (o.number.empty() && o.reason.empty()) {
    std::fprintf(stderr, "linedsp: --number: give a number, or --reason private|unavailable\n");
    return kExitUsage;
  }
  if (!o.reason.empty() && o.reason != "private" && o.reason != "unavailable") {
    std::fprintf(stderr, "linedsp: --reason: %s is not private or unavailable\n", o.reason.c_str());
    return kExitUsage;
  }
  const auto encoding = parse_sample_encoding(o.encoding);
  if (!encoding) {
    std::fprintf(stderr, "linedsp: --encoding: %s is not pcm16, ulaw or alaw\n", o.encoding.c_str());
    return kExitUsage;
  }

  CallerIdMessage msg;
  msg.number = o.number;
  if (o.number.empty()) msg.number_absent = o.reason == "private" ? 'P' : 'O';
  msg.name = o.name;
  msg.date_time = o.date.empty() ? now_mmddhhmm() : o.date;

  // The data: FSK spill or DTMF digits.
  std::vector<std::int16_t> data;
  try {
    if (dtmf) {
      const auto fmt = parse_dtmf_callerid_format(o.dtmf_format);
      if (!fmt) {
        std::fprintf(stderr, "linedsp: --dtmf-format: %s is not a_c, a_hash, d_c or hash\n", o.dtmf_format.c_str());
        return kExitUsage;
      }
      const std::string digits = encode_dtmf_callerid(msg, *fmt);
      DtmfGeneratorConfig gc;
      gc.sample_rate_hz = o.rate_hz;
      gc.on_ms = 70;  // national DTMF-CLIP specs use about 70 ms on / 70 ms off (check)
      gc.off_ms = 70;
      DtmfGenerator gen(gc);
      if (!gen.queue(digits)) throw std::invalid_argument("number: too long for one DTMF string");
      data.resize(digits.size() * 140u * static_cast<std::size_t>(o.rate_hz) / 1000u + 16u);
      data.resize(gen.generate(data));
    } else {
      if (o.format != "sdmf" && o.format != "mdmf") {
        std::fprintf(stderr, "linedsp: --format: %s is not sdmf or mdmf\n", o.format.c_str());
        return kExitUsage;
      }
      const auto bytes =
          encode_callerid(msg, bell && o.format == "sdmf" ? CallerIdFormat::sdmf : CallerIdFormat::mdmf);
      CallerIdSenderConfig sc;
      sc.modem = bell ? FskModem::bell202 : FskModem::v23;
      sc.sample_rate_hz = o.rate_hz;
      sc.level_dbm0 = o.level_dbm0;
      data = callerid_fsk_spill(bytes, sc);
    }
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "linedsp: %s\n", e.what());
    return kExitUsage;
  }

  std::vector<std::int16_t> pcm;
  CasGeneratorConfig alert = CasGeneratorConfig::etsi_dtas();
  alert.sample_rate_hz = o.rate_hz;
  if (o.with_ring) {
    const std::string country = o.country.empty() ? (bell ? "us" : "de") : o.country;
    const TonePlan plan = load_country_plan(data_dir(), country);  // throws naming the country
    CallerIdTiming t;
    if (const RingPattern* ring = plan.find_ring("normal"); ring && ring->cadence_ms.size() >= 2) {
      t.first_ring_ms = ring->cadence_ms[0];
      t.ring_silence_ms = ring->cadence_ms[1];
    }
    const CallerIdProcedure proc = bell ? CallerIdProcedure::bellcore_on_hook
                                   : dtmf ? CallerIdProcedure::dtmf
                                   : o.standard == "v23" ? CallerIdProcedure::etsi_after_ring
                                                         : CallerIdProcedure::etsi_dtas;
    const auto data_ms = static_cast<std::uint32_t>(data.size() * 1000 / static_cast<std::size_t>(o.rate_hz));
    std::vector<CallerIdStep> steps;
    try {
      steps = callerid_procedure(proc, t, data_ms);
    } catch (const std::invalid_argument& e) {
      std::fprintf(stderr, "linedsp: --country %s: %s\n", country.c_str(), e.what());
      return kExitError;
    }
    pcm = render_callerid_procedure(steps, data, o.rate_hz, alert).pcm;
  } else {
    pcm = silence(o.rate_hz, 500);
    if (o.standard == "etsi") {
      CasGenerator g(alert);
      g.start();
      const std::size_t at = pcm.size();
      pcm.resize(at + g.total_samples());
      g.generate(std::span<std::int16_t>(pcm.data() + at, g.total_samples()));
      const auto gap = silence(o.rate_hz, 100);
      pcm.insert(pcm.end(), gap.begin(), gap.end());
    }
    pcm.insert(pcm.end(), data.begin(), data.end());
    const auto tail = silence(o.rate_hz, 500);
    pcm.insert(pcm.end(), tail.begin(), tail.end());
  }

  AudioFileSpec spec;
  spec.sample_rate_hz = o.rate_hz;
  spec.encoding = *encoding;
  AudioFileWriter w(o.out, spec);  // errors: std::runtime_error("PATH: reason"), exit 1 from main
  w.write(pcm);
  w.commit();
  return kExitOk;
}

const Registration kReg{
    "generate/cid", "Caller ID (Bell 202 SDMF/MDMF, ETSI V.23 with DT-AS, DTMF) with optional ringing", [](CLI::App& app) {
      auto o = std::make_shared<Options>();
      app.add_option("--number", o->number, "Calling number (digits)");
      app.add_option("--name", o->name, "Calling name (MDMF / ETSI)");
      app.add_option("--date", o->date, "Date and time MMDDHHMM (default: now)");
      app.add_option("--reason", o->reason, "Why there is no number: private | unavailable");
      app.add_option("--standard", o->standard, "bell | etsi | etsi-dtmf | v23 (default bell)");
      app.add_option("--format", o->format, "bell: sdmf | mdmf (default mdmf)");
      app.add_option("--dtmf-format", o->dtmf_format, "etsi-dtmf: a_c | a_hash | d_c | hash (default a_c)");
      app.add_flag("--with-ring", o->with_ring, "Include the alerting and ringing procedure");
      app.add_option("--country", o->country, "Ring cadence from data/tones/CC.toml (default us for bell, de otherwise)");
      app.add_option("--level", o->level_dbm0, "FSK level in dBm0 (default -13.5)");
      app.add_option("--rate", o->rate_hz, "Sample rate: 8000 | 16000")->check(CLI::IsMember({8000, 16000}));
      app.add_option("--encoding", o->encoding, "pcm16 | ulaw | alaw (default pcm16)");
      app.add_option("-o,--output", o->out, "Output file (.wav, .au, .raw ...; - for stdout)")->required();
      return [o] { return run(*o); };
    }};

}  // namespace
}  // namespace linedsp::cli
