// ports/scenario.hpp — `linedsp sim`: a scenario (TOML) run over two simulated lines and two ports:
//
//   phone sim ==line A== FxsPort <-> gateway <-> FxoPort ==line B== exchange sim
//                                      |
//                                 loopback VoIP side (up or down)
//
// The simulated phone (at line A's phone end) follows its action list (off_hook, on_hook, dial, flash, talk) and
// answers after N rings; it decodes the caller ID it receives. The simulated exchange (line B's exchange end)
// gives dial tone when seized, collects DTMF, plays ringback then answers (optionally with a polarity reversal),
// rings the line with on-hook caller ID (Bellcore: after the first ring) on a `call` action, and hangs up on a
// `hang_up` action by busy tone, polarity reversal or loop-current drop. The gateway routes a number dialled on
// the FXS port to the loopback VoIP side, or to the analog line when the VoIP side is down (failover), rings the
// phone for a call arriving on the line (with the caller ID the FXO port decoded) and bridges the audio.
// Everything runs in 10 ms blocks (80 samples); the clock is the sample index from 0.
//
// File format (all keys optional but those marked; unknown keys are errors):
//   name = "outgoing call"
//   country = "us"                   # tone plan (data/tones/CC.toml)
//   duration_s = 20.0                # required
//   voip = "up"                      # "up" | "down"
//   [line]     attenuation_db, noise_dbm0, echo_model, erl_db (hybrid echo at both ports), seed
//   [phone]    answer_after_rings = 2, talk_level_dbm0 = -15.0
//              [[phone.actions]] at_s, action = off_hook|on_hook|dial|flash|talk|silence|fax, digits, ms
//   [exchange] answer_after_s = 4.0, answer_polarity = false, far_audio = "css"|"silence"|"fax",
//              far_level_dbm0 = -15.0, inter_digit_s = 2.0, open_ms = 800,
//              cid_procedure = bellcore_on_hook|etsi_after_ring|etsi_dtas|etsi_rpas|etsi_polarity (default: the
//              country's, as FxsPortConfig::for_country; the before-ring ones are played from
//              signals/callerid_procedure's steps: line reversal, DT-AS, ring pulse, the spill, then the cadence)
//              [[exchange.actions]] at_s, action = call|hang_up, number, name, method = busy|polarity|loop_drop
//   [voip_far] answer_after_s = 2.0, far_audio, far_level_dbm0 (the loopback VoIP far party)
//   [fxs] / [fxo]  inter_digit_timeout_ms, flash_max_ms, min_loop_drop_ms, silence_timeout_ms, ...
//              [fxs] cid_procedure (as the exchange's; default: the country's)
// Errors: std::runtime_error("FILE:LINE: field: what is wrong").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "devices/sim_line.hpp"
#include "ports/fxo_port.hpp"
#include "ports/fxs_port.hpp"

namespace linedsp {

struct ScenarioAction {
  double at_s = 0.0;
  std::string action;
  std::string digits, number, name, method;
  int ms = 0;
  int line = 0;
};

struct Scenario {
  std::string name, file;
  std::string country = "us";
  double duration_s = 0.0;
  bool voip_up = true;
  SimLineConfig line;
  double erl_db = 12.0;
  int phone_answer_after_rings = 2;
  double phone_level_dbm0 = -15.0;
  std::vector<ScenarioAction> phone_actions, exchange_actions;
  double exchange_answer_after_s = 4.0;
  bool exchange_answer_polarity = false;
  std::string exchange_far_audio = "css";
  double exchange_far_level_dbm0 = -15.0;
  double exchange_inter_digit_s = 2.0;
  int exchange_open_ms = 800;
  std::string exchange_cid_procedure, fxs_cid_procedure;  // empty: the country's
  double voip_answer_after_s = 2.0;
  std::string voip_far_audio = "css";
  double voip_far_level_dbm0 = -15.0;
  FxsPortConfig fxs;
  FxoPortConfig fxo;
};

Scenario parse_scenario(std::string_view toml_text, const std::string& file);
Scenario load_scenario(const std::string& path);

struct ScenarioResult {
  std::vector<nlohmann::ordered_json> events;  // in time order: {"t","sample","source","type",...}
  // Per port, 3 channels interleaved: received from the line, sent to the line, echo-cancelled (to the VoIP side).
  std::vector<std::int16_t> fxs_audio, fxo_audio;
  std::uint64_t samples = 0;
};

// data_dir: where tones/CC.toml is.
ScenarioResult run_scenario(const Scenario& sc, const std::string& data_dir);
// DIR/fxs.wav, DIR/fxo.wav (3 channels) and DIR/events.jsonl, each written atomically.
void write_scenario_outputs(const ScenarioResult& r, const std::string& dir);

}  // namespace linedsp
