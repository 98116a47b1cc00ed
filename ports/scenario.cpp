// ports/scenario.cpp — see scenario.hpp.
#include "ports/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include <toml++/toml.h>

#include "devices/audio_file.hpp"
#include "signals/callerid_procedure.hpp"
#include "signals/dtmf_detector.hpp"
#include "signals/dtmf_generator.hpp"
#include "signals/g168.hpp"
#include "signals/modem_tone_generator.hpp"
#include "signals/ring.hpp"
#include "signals/tone_generator.hpp"

namespace linedsp {

namespace {

constexpr std::size_t kBlock = 80;  // 10 ms
const std::initializer_list<std::string_view> kFskProcedures = {"bellcore_on_hook", "etsi_after_ring", "etsi_dtas",
                                                               "etsi_rpas", "etsi_polarity"};
constexpr double kRate = 8000.0;

[[noreturn]] void fail(const std::string& file, int line, std::string_view field, std::string_view what) {
  std::ostringstream s;
  s << file << ":" << line << ": " << field << ": " << what;
  throw std::runtime_error(s.str());
}
int line_of(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

struct Reader {
  const std::string& file;

  void only(const toml::table& t, std::initializer_list<std::string_view> keys, std::string_view where) const {
    for (const auto& [k, v] : t) {
      if (std::find(keys.begin(), keys.end(), k.str()) == keys.end())
        fail(file, line_of(v), std::string(where) + std::string(where.empty() ? "" : ".") + std::string(k.str()),
             "unknown key");
    }
  }
  double num(const toml::table& t, std::string_view key, double def, double lo, double hi) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return def;
    std::optional<double> v = n->value<double>();
    if (!v || !n->is_number()) fail(file, line_of(*n), key, "must be a number");
    if (!(*v >= lo && *v <= hi)) {
      std::ostringstream s;
      s << "must be in [" << lo << ", " << hi << "]";
      fail(file, line_of(*n), key, s.str());
    }
    return *v;
  }
  int integer(const toml::table& t, std::string_view key, int def, int lo, int hi) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return def;
    if (!n->is_integer()) fail(file, line_of(*n), key, "must be an integer");
    const auto v = n->value<std::int64_t>().value_or(0);
    if (v < lo || v > hi) fail(file, line_of(*n), key, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return static_cast<int>(v);
  }
  bool boolean(const toml::table& t, std::string_view key, bool def) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return def;
    if (!n->is_boolean()) fail(file, line_of(*n), key, "must be true or false");
    return n->value<bool>().value_or(def);
  }
  std::string str(const toml::table& t, std::string_view key, std::string def,
                  std::initializer_list<std::string_view> allowed = {}) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return def;
    if (!n->is_string()) fail(file, line_of(*n), key, "must be a string");
    std::string v = n->value<std::string>().value_or("");
    if (allowed.size() > 0 && std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      fail(file, line_of(*n), key, "'" + v + "' is not one of " + list);
    }
    return v;
  }
  const toml::table* table(const toml::table& t, std::string_view key) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return nullptr;
    if (!n->is_table()) fail(file, line_of(*n), key, "must be a table");
    return n->as_table();
  }
};

std::vector<ScenarioAction> read_actions(const Reader& r, const toml::table& t, std::string_view where,
                                         std::initializer_list<std::string_view> actions, double duration_s) {
  std::vector<ScenarioAction> out;
  const toml::node* n = t.get("actions");
  if (n == nullptr) return out;
  if (!n->is_array_of_tables()) fail(r.file, line_of(*n), std::string(where) + ".actions", "must be [[" + std::string(where) + ".actions]] tables");
  for (const auto& el : *n->as_array()) {
    const toml::table& a = *el.as_table();
    r.only(a, {"at_s", "action", "digits", "number", "name", "method", "ms"}, std::string(where) + ".actions");
    ScenarioAction act;
    act.line = line_of(el);
    if (!a.contains("at_s")) fail(r.file, act.line, std::string(where) + ".actions.at_s", "missing");
    if (!a.contains("action")) fail(r.file, act.line, std::string(where) + ".actions.action", "missing");
    act.at_s = r.num(a, "at_s", 0.0, 0.0, duration_s);
    act.action = r.str(a, "action", "", actions);
    act.digits = r.str(a, "digits", "");
    for (char c : act.digits) {
      double lo = 0, hi = 0;
      if (!DtmfGenerator::frequencies(c, lo, hi)) fail(r.file, line_of(*a.get("digits")), "digits", "not DTMF digits");
    }
    if (act.action == "dial" && act.digits.empty()) fail(r.file, act.line, "digits", "dial needs digits");
    act.number = r.str(a, "number", "");
    act.name = r.str(a, "name", "");
    act.method = r.str(a, "method", "busy", {"busy", "polarity", "loop_drop"});
    act.ms = r.integer(a, "ms", 500, 1, 60000);
    out.push_back(act);
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.at_s < y.at_s; });
  return out;
}

}  // namespace

Scenario parse_scenario(std::string_view text, const std::string& file) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    fail(file, static_cast<int>(e.source().begin.line), "syntax", e.description());
  }
  const Reader r{file};
  r.only(root, {"name", "country", "duration_s", "voip", "line", "phone", "exchange", "fxs", "fxo", "voip_far", "description"}, "");
  Scenario sc;
  sc.file = file;
  sc.name = r.str(root, "name", file);
  sc.country = r.str(root, "country", "us");
  if (!root.contains("duration_s")) fail(file, 1, "duration_s", "missing (the scenario's length in seconds)");
  sc.duration_s = r.num(root, "duration_s", 0.0, 0.1, 600.0);
  sc.voip_up = r.str(root, "voip", "up", {"up", "down"}) == "up";
  if (const auto* t = r.table(root, "line")) {
    r.only(*t, {"attenuation_db", "noise_dbm0", "echo_model", "erl_db", "seed"}, "line");
    sc.line.attenuation_db = r.num(*t, "attenuation_db", sc.line.attenuation_db, 0.0, 40.0);
    sc.line.noise_dbm0 = r.num(*t, "noise_dbm0", sc.line.noise_dbm0, -140.0, -20.0);
    sc.line.echo_model = r.integer(*t, "echo_model", sc.line.echo_model, g168::kFirstModel, g168::kLastModel);
    sc.erl_db = r.num(*t, "erl_db", sc.erl_db, -1.0, 60.0);
    sc.line.seed = static_cast<std::uint32_t>(r.integer(*t, "seed", 1, 1, 1 << 30));
  }
  if (const auto* t = r.table(root, "phone")) {
    r.only(*t, {"answer_after_rings", "talk_level_dbm0", "actions"}, "phone");
    sc.phone_answer_after_rings = r.integer(*t, "answer_after_rings", 2, 0, 20);
    sc.phone_level_dbm0 = r.num(*t, "talk_level_dbm0", sc.phone_level_dbm0, -60.0, 0.0);
    sc.phone_actions =
        read_actions(r, *t, "phone", {"off_hook", "on_hook", "dial", "flash", "talk", "fax", "silence"}, sc.duration_s);
  }
  if (const auto* t = r.table(root, "exchange")) {
    r.only(*t, {"answer_after_s", "answer_polarity", "far_audio", "far_level_dbm0", "inter_digit_s", "open_ms",
                "cid_procedure", "actions"},
           "exchange");
    sc.exchange_cid_procedure = r.str(*t, "cid_procedure", "", kFskProcedures);
    sc.exchange_answer_after_s = r.num(*t, "answer_after_s", sc.exchange_answer_after_s, 0.0, 60.0);
    sc.exchange_answer_polarity = r.boolean(*t, "answer_polarity", false);
    sc.exchange_far_audio = r.str(*t, "far_audio", "css", {"css", "silence", "fax"});
    sc.exchange_far_level_dbm0 = r.num(*t, "far_level_dbm0", sc.exchange_far_level_dbm0, -60.0, 0.0);
    sc.exchange_inter_digit_s = r.num(*t, "inter_digit_s", sc.exchange_inter_digit_s, 0.2, 20.0);
    sc.exchange_open_ms = r.integer(*t, "open_ms", sc.exchange_open_ms, 10, 10000);
    sc.exchange_actions = read_actions(r, *t, "exchange", {"call", "hang_up"}, sc.duration_s);
  }
  if (const auto* t = r.table(root, "voip_far")) {
    r.only(*t, {"answer_after_s", "far_audio", "far_level_dbm0"}, "voip_far");
    sc.voip_answer_after_s = r.num(*t, "answer_after_s", sc.voip_answer_after_s, 0.0, 60.0);
    sc.voip_far_audio = r.str(*t, "far_audio", "css", {"css", "silence", "fax"});
    sc.voip_far_level_dbm0 = r.num(*t, "far_level_dbm0", sc.voip_far_level_dbm0, -60.0, 0.0);
  }
  // per-port timers
  sc.fxo.answer_after_rings = 0;  // the gateway answers the line when the phone answers
  if (const auto* t = r.table(root, "fxs")) {
    r.only(*t, {"inter_digit_timeout_ms", "first_digit_timeout_ms", "flash_min_ms", "flash_max_ms", "cid_after_ring_ms",
                "send_cid", "cid_procedure"},
           "fxs");
    sc.fxs_cid_procedure = r.str(*t, "cid_procedure", "", kFskProcedures);
    sc.fxs.inter_digit_timeout_ms = r.integer(*t, "inter_digit_timeout_ms", sc.fxs.inter_digit_timeout_ms, 100, 60000);
    sc.fxs.first_digit_timeout_ms = r.integer(*t, "first_digit_timeout_ms", sc.fxs.first_digit_timeout_ms, 100, 120000);
    sc.fxs.flash_min_ms = r.integer(*t, "flash_min_ms", sc.fxs.flash_min_ms, 0, 5000);
    sc.fxs.flash_max_ms = r.integer(*t, "flash_max_ms", sc.fxs.flash_max_ms, 1, 10000);
    sc.fxs.cid_after_ring_ms = r.integer(*t, "cid_after_ring_ms", sc.fxs.cid_after_ring_ms, 0, 5000);
    sc.fxs.send_cid = r.boolean(*t, "send_cid", true);
  }
  if (const auto* t = r.table(root, "fxo")) {
    r.only(*t, {"min_loop_drop_ms", "silence_timeout_ms", "disconnect_on_polarity", "disconnect_on_busy",
                "dial_tone_timeout_ms", "answer_on_ringback_end"},
           "fxo");
    sc.fxo.min_loop_drop_ms = r.integer(*t, "min_loop_drop_ms", sc.fxo.min_loop_drop_ms, 1, 10000);
    sc.fxo.silence_timeout_ms = r.integer(*t, "silence_timeout_ms", sc.fxo.silence_timeout_ms, 0, 600000);
    sc.fxo.disconnect_on_polarity = r.boolean(*t, "disconnect_on_polarity", true);
    sc.fxo.disconnect_on_busy = r.boolean(*t, "disconnect_on_busy", true);
    sc.fxo.dial_tone_timeout_ms = r.integer(*t, "dial_tone_timeout_ms", sc.fxo.dial_tone_timeout_ms, 100, 60000);
    sc.fxo.answer_on_ringback_end = r.boolean(*t, "answer_on_ringback_end", true);
  }
  return sc;
}

Scenario load_scenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_scenario(ss.str(), path);
}

namespace {

// A far party's audio: the G.168 composite source signal, a fax answer tone (CED 2100 Hz, T.30: 2.6-4 s) then
// silence, or silence.
struct Source {
  std::vector<float> css;
  std::optional<ModemToneGenerator> gen;
  std::size_t pos = 0;
  std::string kind = "silence";
  void start(const std::string& k, double level_dbm0, double max_s, std::uint32_t seed) {
    kind = k;
    pos = 0;
    if (k == "css" && css.empty()) css = g168::composite_source_signal(max_s, level_dbm0, false, 8000, seed);
    if (k == "fax") {
      ModemToneGeneratorConfig c;
      c.tone = ModemTone::ans;
      c.duration_ms = 3000;
      gen.emplace(c);
    }
    if (k == "cng") {
      ModemToneGeneratorConfig c;
      c.tone = ModemTone::cng;
      gen.emplace(c);
    }
  }
  void add(std::span<std::int16_t> out) {
    if (kind == "css") {
      for (auto& s : out) {
        const float v = pos < css.size() ? css[pos] : 0.0f;
        ++pos;
        s = static_cast<std::int16_t>(std::clamp(std::nearbyint(v + s), -32768.0f, 32767.0f));
      }
    } else if ((kind == "fax" || kind == "cng") && gen) {
      std::array<std::int16_t, kBlock> tmp{};
      const std::size_t n = gen->generate(std::span<std::int16_t>(tmp.data(), out.size()));
      for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::int16_t>(std::clamp(out[i] + tmp[i], -32768, 32767));
    }
  }
};

class Log {
 public:
  std::vector<nlohmann::ordered_json> events;
  nlohmann::ordered_json& add(std::uint64_t sample, const char* source, const std::string& type) {
    nlohmann::ordered_json j;
    j["t"] = std::round(static_cast<double>(sample) / kRate * 10000.0) / 10000.0;
    j["sample"] = sample;
    j["source"] = source;
    j["type"] = type;
    events.push_back(std::move(j));
    return events.back();
  }
  void port(const char* source, const PortEvent& e) {
    auto& j = add(e.sample, source, port_event_name(e.kind));
    switch (e.kind) {
      case PortEventKind::digit: j["digit"] = std::string(1, e.digit); break;
      case PortEventKind::number:
        j["number"] = e.number.str();
        j["by"] = e.value == 1 ? "timeout" : (e.value == 2 ? "max-digits" : "hash");
        break;
      case PortEventKind::dialled: j["number"] = e.number.str(); break;
      case PortEventKind::cid_sent:
        j["number"] = e.number.str();
        j["name"] = e.name.str();
        break;
      case PortEventKind::cid_received:
        j["number"] = e.number.str();
        j["name"] = e.name.str();
        j["status"] = callerid_status_name(static_cast<CallerIdStatus>(e.value));
        break;
      case PortEventKind::dial_tone:
      case PortEventKind::ringing:
      case PortEventKind::ringback: j["on"] = e.value != 0; break;
      case PortEventKind::ring: j["count"] = e.value; break;
      case PortEventKind::ring_cadence: j["pattern"] = e.value; break;
      case PortEventKind::flash: j["ms"] = e.value; break;
      case PortEventKind::busy: j["tone"] = tone_kind_name(static_cast<ToneKind>(e.value)); break;
      case PortEventKind::far_answer: j["by"] = e.value == 1 ? "polarity" : "ringback-end"; break;
      case PortEventKind::disconnect: j["reason"] = disconnect_reason_name(static_cast<DisconnectReason>(e.value)); break;
      case PortEventKind::modem_tone:
        j["tone"] = modem_tone_name(static_cast<ModemTone>(e.value));
        j["begin"] = e.begin;
        break;
      case PortEventKind::echo_canceller:
        j["state"] = e.value == 0 ? "active" : (e.value == 1 ? "bypassed" : "nlp-off");
        break;
      default: break;
    }
  }
};

std::uint64_t at_sample(double s) { return static_cast<std::uint64_t>(std::llround(s * kRate)); }

}  // namespace

ScenarioResult run_scenario(const Scenario& sc, const std::string& data_dir) {
  const TonePlan plan = load_country_plan(data_dir, sc.country);
  const std::uint64_t total = at_sample(sc.duration_s) / kBlock * kBlock;
  Log log;

  SimLineConfig la = sc.line, lb = sc.line;
  la.exchange_erl_db = sc.erl_db;  // FXS port's hybrid
  la.phone_erl_db = -1.0;
  lb.phone_erl_db = sc.erl_db;     // FXO port's hybrid
  lb.exchange_erl_db = -1.0;
  lb.seed = sc.line.seed + 7;
  SimLine line_a(la, "line-a"), line_b(lb, "line-b");

  FxsPortConfig fxs_cfg = sc.fxs;
  {
    const FxsPortConfig country = FxsPortConfig::for_country(plan);
    fxs_cfg.ring = country.ring;
    fxs_cfg.cid.modem = country.cid.modem;
    fxs_cfg.cid_procedure = sc.fxs_cid_procedure.empty() ? country.cid_procedure
                                                          : *parse_callerid_procedure(sc.fxs_cid_procedure);
  }
  const CallerIdProcedure ex_procedure = sc.exchange_cid_procedure.empty()
                                             ? FxsPortConfig::for_country(plan).cid_procedure
                                             : *parse_callerid_procedure(sc.exchange_cid_procedure);
  FxoPortConfig fxo_cfg = sc.fxo;
  fxo_cfg.cid.modem = FxoPortConfig::for_country(plan).cid.modem;
  FxsPort fxs(plan, line_a.exchange(), fxs_cfg);
  FxoPort fxo(plan, line_b.phone(), fxo_cfg);

  // Phone.
  DtmfGenerator phone_dtmf;
  CallerIdReceiverConfig phone_cid_cfg;
  phone_cid_cfg.modem = fxs_cfg.cid.modem;
  CallerIdReceiver phone_cid(phone_cid_cfg);
  Source phone_src;
  bool phone_off = false;
  int phone_rings = 0;
  std::uint64_t phone_restore_at = 0;
  bool phone_flashing = false;
  std::size_t phone_next = 0;

  // Exchange.
  const Tone* ex_dial_tone = plan.find(ToneKind::dial);
  const Tone* ex_ringback_tone = plan.find(ToneKind::ringback);
  const Tone* ex_busy_tone = plan.find(ToneKind::busy);
  if (!ex_dial_tone || !ex_ringback_tone || !ex_busy_tone)
    throw std::runtime_error(plan.file + ": plan lacks dial, ringback or busy tone");
  ToneGenerator ex_dial(*ex_dial_tone), ex_ringback(*ex_ringback_tone), ex_busy(*ex_busy_tone);
  ToneGenerator* ex_tone = nullptr;
  DtmfDetector ex_dtmf;
  CallerIdSenderConfig ex_cid_cfg;
  ex_cid_cfg.modem = fxs_cfg.cid.modem;
  CallerIdSender ex_cid(ex_cid_cfg);
  RingCadence ex_cadence = fxs_cfg.ring;
  enum class Ex { idle, dial_tone, collecting, ringback, connected, ringing, gone } ex = Ex::idle;
  std::string ex_digits;
  std::uint64_t ex_deadline = 0, ex_cid_at = 0;
  bool ex_cid_pending = false, ex_reversed = false;
  std::array<std::uint8_t, 160> ex_msg{};
  std::size_t ex_msg_len = 0;
  Source ex_src;
  std::size_t ex_next = 0;
  // A before-ring caller-ID procedure being played (EN 300 659-1): its audio and marks, from when it started.
  CallerIdAudio ex_proc;
  bool ex_proc_on = false;
  std::uint64_t ex_proc_at = 0, ex_pulse_off_at = 0;
  std::size_t ex_mark = 0;

  // Gateway and the loopback VoIP far party.
  enum class Route { none, voip, line_out, line_in, line } route = Route::none;
  bool voip_answered = false;
  std::uint64_t voip_answer_at = 0;
  Source voip_src;
  CallerIdMessage gw_cid{};
  bool gw_have_cid = false;

  ScenarioResult res;
  res.fxs_audio.reserve(total * 3);
  res.fxo_audio.reserve(total * 3);

  std::array<std::int16_t, kBlock> rx_fxs{}, rx_fxo{}, rx_phone{}, rx_ex{}, tx_fxs{}, tx_fxo{}, tx_phone{}, tx_ex{},
      out_fxs{}, out_fxo{}, in_fxs{}, in_fxo{}, voip_far{};

  for (std::uint64_t now = 0; now < total; now += kBlock) {
    // 1. Scripted actions.
    while (phone_next < sc.phone_actions.size() && at_sample(sc.phone_actions[phone_next].at_s) <= now) {
      const auto& a = sc.phone_actions[phone_next++];
      log.add(now, "phone", a.action);
      if (a.action == "off_hook") line_a.phone().off_hook();
      if (a.action == "on_hook") line_a.phone().on_hook();
      if (a.action == "dial") {
        log.events.back()["digits"] = a.digits;
        phone_dtmf.queue(a.digits);
      }
      if (a.action == "flash") {
        log.events.back()["ms"] = a.ms;
        line_a.phone().on_hook();
        phone_flashing = true;
        phone_restore_at = now + static_cast<std::uint64_t>(a.ms) * 8;
      }
      if (a.action == "talk") phone_src.start("css", sc.phone_level_dbm0, sc.duration_s, 11);
      if (a.action == "fax") phone_src.start("cng", sc.phone_level_dbm0, sc.duration_s, 11);
      if (a.action == "silence") phone_src.kind = "silence";
    }
    if (phone_flashing && now >= phone_restore_at) {
      phone_flashing = false;
      line_a.phone().off_hook();
    }
    while (ex_next < sc.exchange_actions.size() && at_sample(sc.exchange_actions[ex_next].at_s) <= now) {
      const auto& a = sc.exchange_actions[ex_next++];
      auto& j = log.add(now, "exchange", a.action);
      if (a.action == "call" && ex == Ex::idle) {
        j["number"] = a.number;
        j["name"] = a.name;
        CallerIdMessage m;
        m.number = a.number;
        m.name = a.name;
        ex_msg_len = encode_mdmf(m, ex_msg);
        ex_cid_pending = ex_msg_len > 0 && (!a.number.empty() || !a.name.empty());
        ex_cid_at = now + static_cast<std::uint64_t>(ex_cadence.segments_ms[0]) * 8 + 500 * 8;  // GR-30: ~0.5 s
        const bool before_ring = ex_procedure == CallerIdProcedure::etsi_dtas ||
                                 ex_procedure == CallerIdProcedure::etsi_rpas ||
                                 ex_procedure == CallerIdProcedure::etsi_polarity;
        if (ex_cid_pending && before_ring) {
          const auto spill = callerid_fsk_spill(std::span<const std::uint8_t>(ex_msg.data(), ex_msg_len), ex_cid_cfg);
          const auto steps = callerid_procedure(ex_procedure, CallerIdTiming{},
                                                static_cast<std::uint32_t>((spill.size() + 7) / 8));
          ex_proc = render_callerid_procedure(steps, spill);
          ex_proc_on = true;
          ex_proc_at = now;
          ex_mark = 0;
          ex_pulse_off_at = 0;
          ex_cid_pending = false;
          j["procedure"] = callerid_procedure_name(ex_procedure);
        } else {
          line_b.exchange().ring(ex_cadence);
        }
        ex = Ex::ringing;
      } else if (a.action == "hang_up") {
        j["method"] = a.method;
        ex_src.kind = "silence";
        ex_tone = nullptr;
        if (a.method == "busy") {
          ex_busy.reset();
          ex_tone = &ex_busy;
        } else if (a.method == "polarity") {
          ex_reversed = !ex_reversed;
          line_b.exchange().reverse_polarity(ex_reversed);
        } else {
          line_b.drop_loop_current(static_cast<std::uint32_t>(sc.exchange_open_ms));
        }
        ex = Ex::gone;
      }
    }

    // 2. Line events from the previous block.
    while (auto e = line_a.exchange().poll_event()) {
      log.add(e->frame, "line-a", line_event_name(e->kind));
      fxs.on_line_event(*e);
    }
    while (auto e = line_a.phone().poll_event()) {
      log.add(e->frame, "phone", std::string("line-") + line_event_name(e->kind));
      if (e->kind == LineEventKind::ring_end && !phone_off) {
        ++phone_rings;
        if (sc.phone_answer_after_rings > 0 && phone_rings >= sc.phone_answer_after_rings) {
          log.add(now, "phone", "answer");
          line_a.phone().off_hook();
        }
      }
    }
    phone_off = line_a.phone_off_hook();
    if (!phone_off) {
      if (!line_a.ringing()) phone_rings = line_a.ringing() ? phone_rings : 0;
    }
    while (auto e = line_b.phone().poll_event()) {
      log.add(e->frame, "line-b", line_event_name(e->kind));
      fxo.on_line_event(*e);
    }
    while (auto e = line_b.exchange().poll_event()) {
      log.add(e->frame, "exchange", std::string("line-") + line_event_name(e->kind));
      if (e->kind == LineEventKind::hook_off) {
        if (ex == Ex::ringing) {
          line_b.exchange().ring_off();
          ex_cid_pending = false;
          ex_proc_on = false;
          ex = Ex::connected;
          ex_src.start(sc.exchange_far_audio, sc.exchange_far_level_dbm0, sc.duration_s, 5);
          log.add(e->frame, "exchange", "answered");
        } else if (ex == Ex::idle) {
          ex = Ex::dial_tone;
          ex_dial.reset();
          ex_tone = &ex_dial;
          ex_digits.clear();
        }
      } else if (e->kind == LineEventKind::hook_on) {
        ex = Ex::idle;
        ex_tone = nullptr;
        ex_src.kind = "silence";
        if (ex_reversed) line_b.exchange().reverse_polarity(false);
        ex_reversed = false;
        log.add(e->frame, "exchange", "released");
      }
    }

    // 3. The exchange's timers and transmit.
    if (ex == Ex::collecting && now >= ex_deadline) {
      log.add(now, "exchange", "number")["number"] = ex_digits;
      ex = Ex::ringback;
      ex_ringback.reset();
      ex_tone = &ex_ringback;
      ex_deadline = now + at_sample(sc.exchange_answer_after_s);
    }
    if (ex == Ex::ringback && now >= ex_deadline) {
      ex = Ex::connected;
      ex_tone = nullptr;
      log.add(now, "exchange", "answer");
      if (sc.exchange_answer_polarity) {
        ex_reversed = true;
        line_b.exchange().reverse_polarity(true);
      }
      ex_src.start(sc.exchange_far_audio, sc.exchange_far_level_dbm0, sc.duration_s, 5);
    }
    if (ex == Ex::ringing && ex_cid_pending && now >= ex_cid_at) {
      ex_cid_pending = false;
      ex_cid.start(std::span<const std::uint8_t>(ex_msg.data(), ex_msg_len));
      log.add(now, "exchange", "cid-sent");
    }
    tx_ex.fill(0);
    if (ex_proc_on) {  // marks act at the block that contains them (at most 10 ms late); the audio is exact
      const std::uint64_t pos = now - ex_proc_at;
      if (ex_pulse_off_at != 0 && now >= ex_pulse_off_at) {
        line_b.exchange().ring_off();
        ex_pulse_off_at = 0;
      }
      while (ex_proc_on && ex_mark < ex_proc.marks.size() && ex_proc.marks[ex_mark].sample < pos + kBlock) {
        const auto& mk = ex_proc.marks[ex_mark++];
        const bool last = ex_mark == ex_proc.marks.size();
        if (mk.kind == CallerIdStep::Kind::polarity_reversal) {
          ex_reversed = true;
          line_b.exchange().reverse_polarity(true);
        } else if (mk.kind == CallerIdStep::Kind::data) {
          log.add(ex_proc_at + mk.sample, "exchange", "cid-sent");
        } else if (mk.kind == CallerIdStep::Kind::ring && last) {
          line_b.exchange().ring(ex_cadence);  // the first ring of the cadence: the procedure is over
          ex_proc_on = false;
        } else if (mk.kind == CallerIdStep::Kind::ring) {  // RP-AS: one short burst
          RingCadence pulse{};
          pulse.segments_ms[0] = static_cast<std::uint32_t>(mk.duration_samples / 8);
          pulse.segments_ms[1] = 600000;
          pulse.count = 2;
          line_b.exchange().ring(pulse);
          ex_pulse_off_at = ex_proc_at + mk.sample + mk.duration_samples;
        }
      }
      for (std::size_t i = 0; i < kBlock && pos + i < ex_proc.pcm.size(); ++i) tx_ex[i] = ex_proc.pcm[pos + i];
    } else if (!ex_cid.idle()) ex_cid.generate(tx_ex);
    else if (ex_tone) ex_tone->generate(tx_ex);
    else if (ex == Ex::connected) ex_src.add(tx_ex);

    // 4. The phone's transmit.
    tx_phone.fill(0);
    phone_dtmf.generate(tx_phone);
    if (phone_off) phone_src.add(tx_phone);

    // 5. The loopback VoIP far party.
    voip_far.fill(0);
    if (route == Route::voip && !voip_answered && now >= voip_answer_at) {
      voip_answered = true;
      log.add(now, "voip", "answer");
      voip_src.start(sc.voip_far_audio, sc.voip_far_level_dbm0, sc.duration_s, 3);
    }
    if (route == Route::voip && voip_answered) voip_src.add(voip_far);

    // 6. The ports, with the gateway's audio routing (the bridged side's output of the previous block).
    in_fxs.fill(0);
    in_fxo.fill(0);
    if (route == Route::voip) in_fxs = voip_far;
    if (route == Route::line) {
      in_fxs = out_fxo;
      in_fxo = out_fxs;
    }
    std::vector<PortEvent> fxs_events, fxo_events;  // the harness may allocate; the ports do not
    auto fxs_sink = [&](const PortEvent& e) { fxs_events.push_back(e); };
    auto fxo_sink = [&](const PortEvent& e) { fxo_events.push_back(e); };
    fxs.process(rx_fxs, tx_fxs, in_fxs, out_fxs, fxs_sink);
    fxo.process(rx_fxo, tx_fxo, in_fxo, out_fxo, fxo_sink);
    for (std::size_t i = 0; i < kBlock; ++i) {
      res.fxs_audio.insert(res.fxs_audio.end(), {rx_fxs[i], tx_fxs[i], out_fxs[i]});
      res.fxo_audio.insert(res.fxo_audio.end(), {rx_fxo[i], tx_fxo[i], out_fxo[i]});
    }

    // 7. The gateway.
    for (const auto& e : fxs_events) {
      log.port("fxs", e);
      if (e.kind == PortEventKind::number) {
        if (sc.voip_up) {
          route = Route::voip;
          voip_answered = false;
          voip_answer_at = now + at_sample(sc.voip_answer_after_s);
          log.add(now, "gateway", "route")["to"] = "voip";
        } else {
          log.add(now, "gateway", "failover")["number"] = e.number.str();
          if (fxo.dial(e.number.view())) route = Route::line_out;
        }
      } else if (e.kind == PortEventKind::hang_up) {
        if (route == Route::line || route == Route::line_out || route == Route::line_in) fxo.hang_up();
        route = Route::none;
      } else if (e.kind == PortEventKind::answered && route == Route::line_in) {
        fxo.answer();
        route = Route::line;
      } else if (e.kind == PortEventKind::flash) {
        log.add(e.sample, "gateway", "flash")["ms"] = e.value;
      }
    }
    for (const auto& e : fxo_events) {
      log.port("fxo", e);
      if (e.kind == PortEventKind::cid_received && e.value == static_cast<int>(CallerIdStatus::ok)) {
        gw_cid = CallerIdMessage{};
        gw_cid.number = e.number.view();
        gw_cid.name = e.name.view();
        gw_have_cid = true;
        if (route == Route::none && fxs.ring(&gw_cid)) route = Route::line_in;
      } else if (e.kind == PortEventKind::ring && e.value >= 2 && route == Route::none) {
        if (fxs.ring(gw_have_cid ? &gw_cid : nullptr)) route = Route::line_in;
      } else if (e.kind == PortEventKind::dialled && route == Route::line_out) {
        route = Route::line;  // cut-through: the caller hears ringback and the far end's answer
      } else if (e.kind == PortEventKind::disconnect || e.kind == PortEventKind::no_dial_tone) {
        if (route == Route::line || route == Route::line_out) fxs.play_tone(ToneKind::busy);
        route = Route::none;
      } else if (e.kind == PortEventKind::released && route == Route::line_in) {
        fxs.stop_ringing();
        route = Route::none;
        gw_have_cid = false;
      }
    }

    // 8. The lines.
    line_a.process(tx_fxs, tx_phone, rx_fxs, rx_phone);
    line_b.process(tx_ex, tx_fxo, rx_ex, rx_fxo);

    // 9. What the phone and the exchange hear.
    auto on_phone_cid = [&](const CallerIdEvent& c) {
      if (c.begin || phone_off) return;
      auto& j = log.add(c.sample, "phone", "cid");
      j["status"] = callerid_status_name(c.status);
      j["number"] = c.message.number.str();
      j["name"] = c.message.name.str();
    };
    phone_cid.process(rx_phone, on_phone_cid);  // every block: its clock is the simulation's
    auto on_ex_digit = [&](const DtmfEvent& d) {
      if (!d.begin) return;
      if (ex == Ex::dial_tone) {
        ex_tone = nullptr;
        ex = Ex::collecting;
      }
      if (ex == Ex::collecting) {
        ex_digits.push_back(d.digit);
        ex_deadline = d.sample + at_sample(sc.exchange_inter_digit_s);
        log.add(d.sample, "exchange", "digit")["digit"] = std::string(1, d.digit);
      }
    };
    ex_dtmf.process(rx_ex, on_ex_digit);  // every block: its clock is the simulation's
  }
  res.samples = total;
  res.events = std::move(log.events);
  return res;
}

void write_scenario_outputs(const ScenarioResult& r, const std::string& dir) {
  AudioFileSpec spec;
  spec.channels = 3;
  {
    AudioFileWriter w(dir + "/fxs.wav", spec);
    w.write(r.fxs_audio);
    w.commit();
  }
  {
    AudioFileWriter w(dir + "/fxo.wav", spec);
    w.write(r.fxo_audio);
    w.commit();
  }
  std::string text;
  for (const auto& e : r.events) text += e.dump() + "\n";
  write_text_file_atomically(dir + "/events.jsonl", text);
}

}  // namespace linedsp
