// `linedsp detect --detect cid`: FSK caller ID (Bell 202 for NANP countries, V.23 / ETSI elsewhere, both for
// --country auto), DTMF caller ID outside NANP (A<number>C, A<number>#, D<number>C; errors are reported for the
// country's main variant only: D..C in tw/kw, A..C elsewhere) and the 2130 + 2750 Hz caller-ID alert tone
// (CAS / DT-AS).
//
// Records: type "cid", value = the number (empty when withheld), fields {name, date (MM-DD), time (HH:MM),
// standard (bell | etsi), format (sdmf | mdmf), reason (private | unavailable, when no number), redirecting,
// checksum_ok: true}. A corrupt message: value "", fields {error: checksum | truncated | framing | malformed |
// unsupported, standard, checksum_ok: false}. Alert tones: type "tone", value "cas-alert" (fields {valid}).
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/analyzer.hpp"
#include "dsp/goertzel.hpp"
#include "signals/callerid.hpp"
#include "signals/callerid_dtmf.hpp"
#include "signals/cas.hpp"
#include "signals/dtmf_detector.hpp"

namespace linedsp::cli {
namespace {

bool nanp(const std::string& cc) { return cc == "us" || cc == "ca" || cc == "pr" || cc == "gu"; }

// A caller-ID report and whether it came from DTMF (the event's modem field means nothing then).
struct Report {
  CallerIdEvent event;
  bool dtmf = false;
};

nlohmann::json fields_of(const Report& r) {
  const CallerIdEvent& e = r.event;
  nlohmann::json f = nlohmann::json::object();
  f["standard"] = r.dtmf ? "etsi-dtmf" : (e.modem == FskModem::bell202 ? "bell" : "etsi");
  if (e.status != CallerIdStatus::ok) {
    f["error"] = callerid_status_name(e.status);
    f["checksum_ok"] = false;
    return f;
  }
  const CallerIdMessage& m = e.message;
  if (!r.dtmf) f["format"] = m.type == kCidSdmfCallerId || m.type == kCidSdmfMessageWaiting ? "sdmf" : "mdmf";
  if (!m.name.empty()) f["name"] = m.name.str();
  if (m.date_time.size() == 8) {
    const auto dt = m.date_time.str();
    f["date"] = dt.substr(0, 2) + "-" + dt.substr(2, 2);
    f["time"] = dt.substr(4, 2) + ":" + dt.substr(6, 2);
  }
  if (m.number.empty() && m.number_absent) f["reason"] = m.number_absent == 'P' ? "private" : "unavailable";
  if (m.name.empty() && m.name_absent) f["name_reason"] = m.name_absent == 'P' ? "private" : "unavailable";
  if (!m.redirecting.empty()) f["redirecting"] = m.redirecting.str();
  if (m.message_waiting >= 0) f["message_waiting"] = m.message_waiting == 1;
  f["checksum_ok"] = true;
  return f;
}

class CidAnalyzer : public Analyzer {
 public:
  explicit CidAnalyzer(const AnalyzerContext& ctx) : ctx_(ctx), cas_(cas_config(ctx)) {
    const bool bell = ctx.country == "auto" || nanp(ctx.country);
    const bool etsi = ctx.country == "auto" || !nanp(ctx.country);
    if (ctx.sample_rate_hz != 8000 && ctx.sample_rate_hz != 16000)
      throw std::runtime_error("cid: sample rate " + std::to_string(ctx.sample_rate_hz) + " Hz not supported");
    for (FskModem m : {FskModem::bell202, FskModem::v23}) {
      if ((m == FskModem::bell202 && !bell) || (m == FskModem::v23 && !etsi)) continue;
      CallerIdReceiverConfig c;
      c.modem = m;
      c.sample_rate_hz = ctx.sample_rate_hz;
      rx_.push_back(std::make_unique<CallerIdReceiver>(c));
    }
    if (etsi) {
      DtmfDetectorConfig dc;
      dc.sample_rate_hz = ctx.sample_rate_hz;
      dtmf_ = std::make_unique<DtmfDetector>(dc);
      const bool d_c_country = ctx.country == "tw" || ctx.country == "kw";
      for (auto f : {DtmfCallerIdFormat::a_c, DtmfCallerIdFormat::a_hash, DtmfCallerIdFormat::d_c}) {
        DtmfCallerIdReceiverConfig c;
        c.format = f;
        c.sample_rate_hz = ctx.sample_rate_hz;
        dtmf_rx_.push_back(std::make_unique<DtmfCallerIdReceiver>(c));
        dtmf_primary_.push_back(f == (d_c_country ? DtmfCallerIdFormat::d_c : DtmfCallerIdFormat::a_c));
      }
    }
  }

  void process(std::span<const std::int16_t> pcm, std::vector<Record>& out) override {
    // History first, so reports can look back at the marks that preceded their message.
    for (std::int16_t x : pcm) hist_[(samples_ + hist_pos_++) % hist_.size()] = x;
    hist_pos_ = 0;
    samples_ += pcm.size();
    auto sink = [&](const CallerIdEvent& e) {
      if (!e.begin && plausible_modem(e)) pending_.push_back({e, false});
    };
    for (auto& rx : rx_) rx->process(pcm, sink);
    if (dtmf_) {
      auto on_digit = [&](const DtmfEvent& d) {
        if (d.begin) feed_digit(d.digit, d.sample);
      };
      dtmf_->process(pcm, on_digit);
      advance_dtmf(dtmf_->samples());
    }
    auto cas_sink = [&](const CasEvent& e) {
      if (e.begin) return;
      Record r;
      r.channel = ctx_.channel;
      r.start_sample = e.sample;
      r.duration_samples = e.duration_samples;
      r.type = "tone";
      r.value = "cas-alert";
      r.fields["valid"] = e.valid;
      out.push_back(std::move(r));
    };
    cas_.process(pcm, cas_sink);
    emit(out, false);
  }

  void finish(std::vector<Record>& out) override {
    auto sink = [&](const CallerIdEvent& e) {
      if (!e.begin && plausible_modem(e)) pending_.push_back({e, false});
    };
    for (auto& rx : rx_) rx->end_of_stream(sink);
    if (dtmf_) {
      auto on_digit = [&](const DtmfEvent& d) {
        if (d.begin) feed_digit(d.digit, d.sample);
      };
      dtmf_->finish(on_digit);
      advance_dtmf(~std::uint64_t{0} / 2);  // every open digit string times out
    }
    emit(out, true);
  }

 private:
  // With both modems running (--country auto) a spill decodes on both, since Bell 202 (1200/2200 Hz) and V.23
  // (1300/2100 Hz) are close. The mark signal before the message tells them apart: over the 40 bit-times before
  // the type byte, which of 1200 and 1300 Hz is stronger. A report from the other modem is dropped.
  bool plausible_modem(const CallerIdEvent& e) const {
    if (rx_.size() < 2) return true;
    const std::uint64_t bit = static_cast<std::uint64_t>(ctx_.sample_rate_hz) / 1200;
    const std::uint64_t len = 40 * bit;
    if (e.sample < len + 2 * bit || e.sample - len - 2 * bit + hist_.size() < samples_) return true;  // not kept
    const std::uint64_t from = e.sample - len - 2 * bit;
    std::vector<float> x(len);
    for (std::uint64_t i = 0; i < len; ++i) x[i] = hist_[(from + i) % hist_.size()];
    Goertzel g1200(1200.0, ctx_.sample_rate_hz), g1300(1300.0, ctx_.sample_rate_hz);
    g1200.process(x);
    g1300.process(x);
    const FskModem measured = g1200.power() >= g1300.power() ? FskModem::bell202 : FskModem::v23;
    return measured == e.modem;
  }

  void dtmf_report(std::size_t i, const CallerIdEvent& e) {
    if (e.begin) return;
    if (e.status != CallerIdStatus::ok && !dtmf_primary_[i]) return;
    pending_.push_back({e, true});
  }
  void feed_digit(char digit, std::uint64_t sample) {
    for (std::size_t i = 0; i < dtmf_rx_.size(); ++i) {
      auto sink = [&](const CallerIdEvent& e) { dtmf_report(i, e); };
      dtmf_rx_[i]->digit(digit, sample, sink);
    }
  }
  void advance_dtmf(std::uint64_t now) {
    for (std::size_t i = 0; i < dtmf_rx_.size(); ++i) {
      auto sink = [&](const CallerIdEvent& e) { dtmf_report(i, e); };
      dtmf_rx_[i]->advance(now, sink);
    }
  }

  static CasDetectorConfig cas_config(const AnalyzerContext& ctx) {
    CasDetectorConfig c;
    c.sample_rate_hz = ctx.sample_rate_hz;
    return c;
  }

  // With two receivers (--country auto) one spill may decode on both: overlapping reports are merged, a good
  // message winning over a corrupt one. Reports are held until the input is a second past their end, so the
  // merge does not depend on block boundaries.
  void emit(std::vector<Record>& out, bool all) {
    std::sort(pending_.begin(), pending_.end(),
              [](const auto& a, const auto& b) { return a.event.sample < b.event.sample; });
    std::vector<Report> kept;
    for (const auto& r : pending_) {
      const auto& e = r.event;
      if (!kept.empty()) {
        auto& k = kept.back();
        if (e.sample < k.event.sample + std::max<std::uint64_t>(k.event.duration_samples, 1)) {
          if (k.event.status != CallerIdStatus::ok && e.status == CallerIdStatus::ok) k = r;
          continue;
        }
      }
      kept.push_back(r);
    }
    pending_.clear();
    const std::uint64_t hold = static_cast<std::uint64_t>(ctx_.sample_rate_hz);
    for (const auto& rep : kept) {
      const auto& e = rep.event;
      if (!all && e.sample + e.duration_samples + hold > samples_) {
        pending_.push_back(rep);
        continue;
      }
      Record r;
      r.channel = ctx_.channel;
      r.start_sample = e.sample;
      r.duration_samples = e.duration_samples;
      r.type = "cid";
      r.value = e.status == CallerIdStatus::ok ? e.message.number.str() : "";
      r.fields = fields_of(rep);
      out.push_back(std::move(r));
    }
  }

  AnalyzerContext ctx_;
  std::vector<std::unique_ptr<CallerIdReceiver>> rx_;
  CasDetector cas_;
  std::vector<std::int16_t> hist_ = std::vector<std::int16_t>(8000 * 4);  // last 4 s at 8 kHz (2 s at 16 kHz)
  std::size_t hist_pos_ = 0;
  std::unique_ptr<DtmfDetector> dtmf_;
  std::vector<std::unique_ptr<DtmfCallerIdReceiver>> dtmf_rx_;
  std::vector<bool> dtmf_primary_;
  std::vector<Report> pending_;
  std::uint64_t samples_ = 0;
};

const AnalyzerRegistration kReg{"cid", [](const AnalyzerContext& ctx) { return std::make_unique<CidAnalyzer>(ctx); }};

}  // namespace
}  // namespace linedsp::cli
