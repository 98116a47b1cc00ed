#include "signals/callerid_procedure.hpp"

#include <stdexcept>
#include <string>

namespace linedsp {

namespace {
constexpr CallerIdProcedure kAll[] = {CallerIdProcedure::bellcore_on_hook, CallerIdProcedure::etsi_dtas,
                                      CallerIdProcedure::etsi_rpas,        CallerIdProcedure::etsi_after_ring,
                                      CallerIdProcedure::etsi_polarity,    CallerIdProcedure::dtmf,
                                      CallerIdProcedure::call_waiting};
}

const char* callerid_procedure_name(CallerIdProcedure p) noexcept {
  switch (p) {
    case CallerIdProcedure::bellcore_on_hook: return "bellcore_on_hook";
    case CallerIdProcedure::etsi_dtas: return "etsi_dtas";
    case CallerIdProcedure::etsi_rpas: return "etsi_rpas";
    case CallerIdProcedure::etsi_after_ring: return "etsi_after_ring";
    case CallerIdProcedure::etsi_polarity: return "etsi_polarity";
    case CallerIdProcedure::dtmf: return "dtmf";
    case CallerIdProcedure::call_waiting: return "call_waiting";
  }
  return "?";
}

std::optional<CallerIdProcedure> parse_callerid_procedure(std::string_view name) noexcept {
  for (auto p : kAll)
    if (name == callerid_procedure_name(p)) return p;
  return std::nullopt;
}

const char* callerid_step_name(CallerIdStep::Kind k) noexcept {
  using K = CallerIdStep::Kind;
  switch (k) {
    case K::ring: return "ring";
    case K::polarity_reversal: return "polarity_reversal";
    case K::silence: return "silence";
    case K::sas: return "sas";
    case K::alert_tone: return "alert_tone";
    case K::wait_ack: return "wait_ack";
    case K::data: return "data";
  }
  return "?";
}

std::vector<CallerIdStep> callerid_procedure(CallerIdProcedure p, const CallerIdTiming& t, std::uint32_t data_ms) {
  using K = CallerIdStep::Kind;
  std::vector<CallerIdStep> s;
  auto add = [&s](K k, std::uint32_t ms) {
    if (ms > 0 || k == K::polarity_reversal) s.push_back({k, ms});
  };
  switch (p) {
    case CallerIdProcedure::bellcore_on_hook:
    case CallerIdProcedure::etsi_after_ring: {
      if (t.after_ring_ms + data_ms + t.before_next_ring_ms > t.ring_silence_ms)
        throw std::invalid_argument("ring_silence_ms: " + std::to_string(t.ring_silence_ms) +
                                    " ms cannot hold the data (" + std::to_string(data_ms) + " ms) and its guards");
      add(K::ring, t.first_ring_ms);
      add(K::silence, t.after_ring_ms);
      add(K::data, data_ms);
      add(K::silence, t.ring_silence_ms - t.after_ring_ms - data_ms);
      add(K::ring, t.first_ring_ms);
      break;
    }
    case CallerIdProcedure::etsi_dtas:
      add(K::polarity_reversal, 0);
      add(K::silence, t.reversal_to_alert_ms);
      add(K::alert_tone, t.alert_ms);
      add(K::silence, t.alert_to_data_ms);
      add(K::data, data_ms);
      add(K::silence, t.data_to_ring_ms);
      add(K::ring, t.first_ring_ms);
      break;
    case CallerIdProcedure::etsi_rpas:
      add(K::ring, t.ring_pulse_ms);
      add(K::silence, t.pulse_to_data_ms);
      add(K::data, data_ms);
      add(K::silence, t.data_to_ring_ms);
      add(K::ring, t.first_ring_ms);
      break;
    case CallerIdProcedure::etsi_polarity:
    case CallerIdProcedure::dtmf:
      add(K::polarity_reversal, 0);
      add(K::silence, t.reversal_to_data_ms);
      add(K::data, data_ms);
      add(K::silence, t.data_to_ring_ms);
      add(K::ring, t.first_ring_ms);
      break;
    case CallerIdProcedure::call_waiting:
      add(K::sas, t.sas_ms);
      add(K::silence, t.sas_to_cas_ms);
      add(K::alert_tone, t.cas_ms);
      add(K::wait_ack, t.ack_wait_ms);
      add(K::silence, t.ack_to_data_ms);
      add(K::data, data_ms);
      break;
  }
  return s;
}

CallerIdAudio render_callerid_procedure(const std::vector<CallerIdStep>& steps, std::span<const std::int16_t> data_pcm,
                                        int rate, const CasGeneratorConfig& alert) {
  using K = CallerIdStep::Kind;
  CallerIdAudio out;
  for (const auto& st : steps) {
    const std::size_t start = out.pcm.size();
    std::size_t n = static_cast<std::size_t>(st.duration_ms) * static_cast<std::size_t>(rate) / 1000;
    switch (st.kind) {
      case K::data:
        out.pcm.insert(out.pcm.end(), data_pcm.begin(), data_pcm.end());
        n = data_pcm.size();
        break;
      case K::alert_tone:
      case K::sas: {
        CasGeneratorConfig c = alert;
        c.sample_rate_hz = rate;
        if (st.kind == K::sas) {
          c.sas_ms = static_cast<int>(st.duration_ms);
          c.duration_ms = 1;
        } else {
          c.sas_ms = 0;
          c.sas_gap_ms = 0;
          c.duration_ms = static_cast<int>(st.duration_ms);
        }
        CasGenerator g(c);
        g.start();
        out.pcm.resize(start + n, 0);
        g.generate(std::span<std::int16_t>(out.pcm.data() + start, n));
        break;
      }
      default:
        out.pcm.resize(start + n, 0);
        break;
    }
    out.marks.push_back({st.kind, start, n});
  }
  return out;
}

}  // namespace linedsp
