// ports/fxs_port.cpp — see fxs_port.hpp.
#include "ports/fxs_port.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "ports/deadline_split.hpp"
#include "signals/ring.hpp"

namespace linedsp {

const char* port_event_name(PortEventKind k) noexcept {
  switch (k) {
    case PortEventKind::off_hook: return "off-hook";
    case PortEventKind::hang_up: return "hang-up";
    case PortEventKind::flash: return "flash";
    case PortEventKind::dial_tone: return "dial-tone";
    case PortEventKind::digit: return "digit";
    case PortEventKind::number: return "number";
    case PortEventKind::ringing: return "ringing";
    case PortEventKind::cid_sent: return "cid-sent";
    case PortEventKind::answered: return "answered";
    case PortEventKind::released: return "released";
    case PortEventKind::ring: return "ring";
    case PortEventKind::ring_cadence: return "ring-cadence";
    case PortEventKind::cid_received: return "cid-received";
    case PortEventKind::seized: return "seized";
    case PortEventKind::dial_tone_detected: return "dial-tone-detected";
    case PortEventKind::dialled: return "dialled";
    case PortEventKind::ringback: return "ringback";
    case PortEventKind::busy: return "busy";
    case PortEventKind::far_answer: return "far-answer";
    case PortEventKind::disconnect: return "disconnect";
    case PortEventKind::no_dial_tone: return "no-dial-tone";
    case PortEventKind::modem_tone: return "modem-tone";
    case PortEventKind::echo_canceller: return "echo-canceller";
  }
  return "?";
}

const char* disconnect_reason_name(DisconnectReason r) noexcept {
  switch (r) {
    case DisconnectReason::loop_drop: return "loop-drop";
    case DisconnectReason::polarity: return "polarity";
    case DisconnectReason::busy_tone: return "busy-tone";
    case DisconnectReason::silence: return "silence";
  }
  return "?";
}

FxsPortConfig FxsPortConfig::for_country(const TonePlan& plan) {
  FxsPortConfig c;
  if (const RingPattern* r = plan.find_ring("normal"); r != nullptr) c.ring = to_ring_cadence(*r);
  else if (!plan.rings.empty()) c.ring = to_ring_cadence(plan.rings.front());
  const bool nanp = plan.country == "us" || plan.country == "ca";
  c.cid.modem = nanp ? FskModem::bell202 : FskModem::v23;
  // GR-30 in North America (after the first ring); elsewhere EN 300 659-1 data before ringing with line reversal
  // and DT-AS (REFERENCES.md: "data before the first ring in most of Europe"; BT SIN 227 likewise). Administrations
  // that send after the first ring (etsi_after_ring) or with a ring pulse (etsi_rpas) set cid_procedure.
  c.cid_procedure = nanp ? CallerIdProcedure::bellcore_on_hook : CallerIdProcedure::etsi_dtas;
  c.cid_timing.first_ring_ms = c.ring.segments_ms[0];
  if (c.ring.count > 1) c.cid_timing.ring_silence_ms = c.ring.segments_ms[1];
  return c;
}

std::size_t encode_mdmf(const CallerIdMessage& msg, std::span<std::uint8_t> out) noexcept {
  std::size_t n = 2;
  auto param = [&](std::uint8_t type, std::string_view value) {
    if (n + 2 + value.size() > out.size()) return false;
    out[n++] = type;
    out[n++] = static_cast<std::uint8_t>(value.size());
    for (char c : value) out[n++] = static_cast<std::uint8_t>(c);
    return true;
  };
  if (out.size() < 3) return 0;
  bool ok = true;
  if (!msg.date_time.empty()) ok = ok && param(kCidParamDateTime, msg.date_time.view());
  if (!msg.number.empty()) ok = ok && param(kCidParamNumber, msg.number.view());
  else if (msg.number_absent) ok = ok && param(kCidParamNumberAbsent, std::string_view(&msg.number_absent, 1));
  if (!msg.name.empty()) ok = ok && param(kCidParamName, msg.name.view());
  else if (msg.name_absent) ok = ok && param(kCidParamNameAbsent, std::string_view(&msg.name_absent, 1));
  if (!ok || n + 1 > out.size() || n - 2 > 255) return 0;
  out[0] = kCidMdmfCallerId;
  out[1] = static_cast<std::uint8_t>(n - 2);
  out[n] = callerid_checksum(out.first(n));
  return n + 1;
}

namespace {
const Tone& need_tone(const TonePlan& plan, ToneKind kind, const char* what) {
  if (const Tone* t = plan.find(kind); t != nullptr) return *t;
  if (kind == ToneKind::congestion)
    if (const Tone* t = plan.find(ToneKind::busy); t != nullptr) return *t;
  throw std::invalid_argument(std::string("plan: ") + plan.country + " has no " + what + " tone");
}
}  // namespace

FxsPort::FxsPort(const TonePlan& plan, LineDevice& line, const FxsPortConfig& cfg)
    : cfg_(cfg),
      line_(line),
      dial_(need_tone(plan, ToneKind::dial, "dial"), ToneGeneratorConfig{8000, cfg.tone_gain_db}),
      busy_(need_tone(plan, ToneKind::busy, "busy"), ToneGeneratorConfig{8000, cfg.tone_gain_db}),
      congestion_(need_tone(plan, ToneKind::congestion, "congestion"), ToneGeneratorConfig{8000, cfg.tone_gain_db}),
      dtmf_(cfg.dtmf),
      modem_rx_(cfg.modem),
      modem_tx_(cfg.modem),
      ec_(cfg.echo),
      cid_tx_(cfg.cid),
      dtas_(cfg.dtas) {
  if (cfg.ring.count == 0 || cfg.ring.count > RingCadence::kMaxSegments)
    throw std::invalid_argument("FxsPortConfig.ring: needs 1..8 cadence elements");
  if (cfg.first_digit_timeout_ms <= 0) throw std::invalid_argument("FxsPortConfig.first_digit_timeout_ms: must be > 0");
  if (cfg.inter_digit_timeout_ms <= 0) throw std::invalid_argument("FxsPortConfig.inter_digit_timeout_ms: must be > 0");
  if (cfg.max_digits <= 0 || cfg.max_digits > static_cast<int>(digits_.size()))
    throw std::invalid_argument("FxsPortConfig.max_digits: must be in 1..32");
  if (cfg.flash_min_ms < 0 || cfg.flash_max_ms <= cfg.flash_min_ms)
    throw std::invalid_argument("FxsPortConfig.flash_max_ms: must exceed flash_min_ms >= 0");
  if (cfg.cid_after_ring_ms < 0) throw std::invalid_argument("FxsPortConfig.cid_after_ring_ms: must be >= 0");
  switch (cfg.cid_procedure) {
    case CallerIdProcedure::bellcore_on_hook:
    case CallerIdProcedure::etsi_after_ring:
    case CallerIdProcedure::etsi_dtas:
    case CallerIdProcedure::etsi_rpas:
    case CallerIdProcedure::etsi_polarity: break;
    default:
      throw std::invalid_argument(std::string("FxsPortConfig.cid_procedure: ") + callerid_procedure_name(cfg.cid_procedure) +
                                  " is not an on-hook FSK procedure the port runs");
  }
  if (cfg.cid_procedure == CallerIdProcedure::etsi_rpas && cfg.cid_timing.ring_pulse_ms == 0)
    throw std::invalid_argument("FxsPortConfig.cid_timing.ring_pulse_ms: must be > 0 for etsi_rpas");
  if (cfg.dtas.sample_rate_hz != 8000) throw std::invalid_argument("FxsPortConfig.dtas.sample_rate_hz: ports run at 8000 Hz");
  if (cfg.echo.sample_rate_hz != 8000 || cfg.modem.sample_rate_hz != 8000 || cfg.dtmf.sample_rate_hz != 8000 ||
      cfg.cid.sample_rate_hz != 8000)
    throw std::invalid_argument("FxsPortConfig: sample_rate_hz: ports run at 8000 Hz");
  disabler_.bypass_on_cng = cfg.bypass_echo_on_cng;
  sync_canceller();
}

void FxsPort::reset() noexcept {
  set_reversed(false);
  dial_.reset();
  busy_.reset();
  congestion_.reset();
  tone_ = nullptr;
  dtmf_.reset();
  modem_rx_.reset();
  modem_tx_.reset();
  ec_.reset();
  disabler_.enable();
  cid_tx_.reset();
  dtas_.reset();
  events_.clear();
  npending_ = 0;
  state_ = State::idle;
  sync_canceller();
  now_ = 0;
  off_hook_ = on_hook_pending_ = cid_pending_ = cid_active_ = dtas_active_ = cadence_on_ = false;
  stop_tone_at_grid_ = call_audio_ = call_audio_at_grid_ = sync_at_grid_ = false;
  step_ = Step::none;
  on_hook_at_ = deadline_ = ring_start_ = cid_at_ = step_at_ = 0;
  ndigits_ = cid_len_ = 0;
}

void FxsPort::emit(PortEventKind k, std::uint64_t at, int value) noexcept {
  PortEvent e;
  e.kind = k;
  e.sample = at;
  e.value = value;
  events_(e);
}

void FxsPort::set_reversed(bool r) noexcept {
  if (r != reversed_ && line_.reverse_polarity(r)) reversed_ = r;
}

void FxsPort::sync_canceller() noexcept {
  ec_.follow(disabler_);
  if (state_ != State::call || !call_audio_) ec_.set_bypass(true);  // no adaptation on the port's tones, caller ID
}

void FxsPort::start_call(bool at_once) noexcept {
  state_ = State::call;
  call_audio_ = false;
  call_audio_at_grid_ = true;
  if (at_once) grid_actions();
}

void FxsPort::grid_actions() noexcept {
  if (stop_tone_at_grid_) {
    stop_tone_at_grid_ = false;
    if (tone_ == &dial_) tone_ = nullptr;
  }
  if (call_audio_at_grid_) {
    call_audio_at_grid_ = false;
    if (state_ == State::call) {
      call_audio_ = true;
      ec_.reset();  // the call's echo path is learnt from the call's audio
      sync_at_grid_ = true;
    }
  }
  if (sync_at_grid_) {
    sync_at_grid_ = false;
    sync_canceller();
  }
}

bool FxsPort::ring(const CallerIdMessage* cid) noexcept {
  if (state_ != State::idle || off_hook_) return false;
  cid_pending_ = false;
  step_ = Step::none;
  cid_len_ = 0;
  if (cid != nullptr && cfg_.send_cid) {
    cid_len_ = encode_mdmf(*cid, cid_msg_);
    cid_info_ = *cid;
  }
  const bool data = cid_len_ > 0;
  const CallerIdTiming& t = cfg_.cid_timing;
  const CallerIdProcedure proc = data ? cfg_.cid_procedure : CallerIdProcedure::bellcore_on_hook;
  switch (proc) {
    case CallerIdProcedure::etsi_dtas:
      set_reversed(true);
      step_ = Step::alert;
      step_at_ = now_ + ms(static_cast<int>(t.reversal_to_alert_ms));
      break;
    case CallerIdProcedure::etsi_polarity:
      set_reversed(true);
      step_ = Step::data;
      step_at_ = now_ + ms(static_cast<int>(t.reversal_to_data_ms));
      break;
    case CallerIdProcedure::etsi_rpas: {
      RingCadence pulse{};  // one burst; the silence is longer than the rest of the procedure and cut short
      pulse.segments_ms[0] = t.ring_pulse_ms;
      pulse.segments_ms[1] = 600000;
      pulse.count = 2;
      if (!line_.ring(pulse)) return false;
      step_ = Step::pulse_end;
      step_at_ = now_ + ms(static_cast<int>(t.ring_pulse_ms));
      break;
    }
    default:
      if (!line_.ring(cfg_.ring)) return false;
      cadence_on_ = true;
      cid_pending_ = data;
      cid_at_ = now_ + ms(static_cast<int>(cfg_.ring.segments_ms[0])) + ms(cfg_.cid_after_ring_ms);
      break;
  }
  state_ = State::ringing;
  ring_start_ = now_;
  if (cadence_on_) emit(PortEventKind::ringing, now_, 1);
  return true;
}

void FxsPort::end_alerting() noexcept {
  line_.ring_off();
  cid_pending_ = false;
  cid_tx_.reset();
  cid_active_ = false;
  dtas_.reset();
  dtas_active_ = false;
  step_ = Step::none;
}

void FxsPort::stop_ringing() noexcept {
  if (state_ != State::ringing) return;
  end_alerting();
  if (cadence_on_) emit(PortEventKind::ringing, now_, 0);
  cadence_on_ = false;
  set_reversed(false);
  state_ = State::idle;
  sync_canceller();
}

void FxsPort::play_tone(ToneKind kind) noexcept {
  ToneGenerator* g = kind == ToneKind::dial ? &dial_ : (kind == ToneKind::busy ? &busy_ : &congestion_);
  g->reset();
  tone_ = g;
}
void FxsPort::stop_tone() noexcept { tone_ = nullptr; }

void FxsPort::release() noexcept {
  tone_ = nullptr;
  stop_tone_at_grid_ = call_audio_ = call_audio_at_grid_ = sync_at_grid_ = false;
  ndigits_ = 0;
  disabler_.enable();
  set_reversed(false);
  state_ = State::idle;
  sync_canceller();
  emit(PortEventKind::released, now_);
}

void FxsPort::finish_number(int why, std::uint64_t at, bool at_once) noexcept {
  if (state_ == State::dial_tone) tone_ = nullptr;
  PortEvent e;
  e.kind = PortEventKind::number;
  e.sample = at;
  e.value = why;
  e.number = std::string_view(digits_.data(), ndigits_);
  events_(e);
  start_call(at_once);
}

void FxsPort::on_line_event(const LineEvent& e) noexcept {
  if (e.frame > now_ && npending_ < pending_.size()) {
    pending_[npending_++] = e;  // applied at its sample by process()
    return;
  }
  apply_line_event(e);
}

void FxsPort::apply_line_event(const LineEvent& e) noexcept {
  if (e.kind == LineEventKind::hook_off) {
    off_hook_ = true;
    if (on_hook_pending_) {
      on_hook_pending_ = false;
      const std::uint64_t dur = e.frame - on_hook_at_;
      if (dur >= ms(cfg_.flash_min_ms)) emit(PortEventKind::flash, on_hook_at_, static_cast<int>(dur / 8));
      return;
    }
    emit(PortEventKind::off_hook, e.frame);
    if (state_ == State::ringing) {  // ring trip: the line stopped the voltage; answer
      end_alerting();
      if (cadence_on_) emit(PortEventKind::ringing, e.frame, 0);
      cadence_on_ = false;
      emit(PortEventKind::answered, e.frame);
      start_call(true);
    } else if (state_ == State::idle) {
      state_ = State::dial_tone;
      dial_.reset();
      tone_ = &dial_;
      ndigits_ = 0;
      deadline_ = e.frame + ms(cfg_.first_digit_timeout_ms);
      emit(PortEventKind::dial_tone, e.frame, 1);
    }
  } else if (e.kind == LineEventKind::hook_on) {
    off_hook_ = false;
    if (state_ == State::idle || state_ == State::ringing) return;
    on_hook_pending_ = true;
    on_hook_at_ = e.frame;
  }
}

void FxsPort::start_spill() noexcept {
  if (!cid_tx_.start(std::span<const std::uint8_t>(cid_msg_.data(), cid_len_))) return;
  cid_active_ = true;
  PortEvent e;
  e.kind = PortEventKind::cid_sent;
  e.sample = now_;
  e.number = cid_info_.number.view();
  e.name = cid_info_.name.view();
  events_(e);
}

void FxsPort::fire_timers() noexcept {
  // Queued line events that are due (they were queued in frame order).
  std::size_t due = 0;
  while (due < npending_ && pending_[due].frame <= now_) apply_line_event(pending_[due++]);
  if (due > 0) {
    std::copy(pending_.begin() + static_cast<std::ptrdiff_t>(due), pending_.begin() + static_cast<std::ptrdiff_t>(npending_),
              pending_.begin());
    npending_ -= due;
  }
  if (now_ % kDecisionGridSamples == 0) grid_actions();
  if (on_hook_pending_ && now_ >= on_hook_at_ + ms(cfg_.flash_max_ms)) {
    on_hook_pending_ = false;
    emit(PortEventKind::hang_up, on_hook_at_);
    if (state_ == State::dial_tone) emit(PortEventKind::dial_tone, now_, 0);
    release();
  }
  if (state_ == State::dial_tone && now_ >= deadline_) {
    emit(PortEventKind::dial_tone, now_, 0);
    state_ = State::reorder;
    play_tone(ToneKind::congestion);
  }
  if (state_ == State::collecting && now_ >= deadline_) finish_number(1, now_, true);
  if (state_ == State::ringing && cid_pending_ && now_ >= cid_at_) {
    cid_pending_ = false;
    start_spill();
  }
  const CallerIdTiming& t = cfg_.cid_timing;
  while (state_ == State::ringing && step_ != Step::none && now_ >= step_at_) {
    switch (step_) {
      case Step::alert:
        dtas_.start();
        dtas_active_ = true;
        step_ = Step::data;
        step_at_ = now_ + dtas_.total_samples() + ms(static_cast<int>(t.alert_to_data_ms));
        break;
      case Step::pulse_end:
        line_.ring_off();
        step_ = Step::data;
        step_at_ = now_ + ms(static_cast<int>(t.pulse_to_data_ms));
        break;
      case Step::data:
        start_spill();
        step_ = Step::first_ring;
        step_at_ = now_ + (cid_active_ ? cid_tx_.spill_samples(cid_len_) : 0) + ms(static_cast<int>(t.data_to_ring_ms));
        break;
      case Step::first_ring:
        step_ = Step::none;
        line_.ring(cfg_.ring);
        cadence_on_ = true;
        emit(PortEventKind::ringing, now_, 1);
        break;
      case Step::none: break;
    }
  }
}

std::uint64_t FxsPort::next_deadline() const noexcept {
  std::uint64_t d = ~std::uint64_t{0};
  auto consider = [&](std::uint64_t x) {
    if (x > now_ && x < d) d = x;
  };
  consider((now_ / kDecisionGridSamples + 1) * kDecisionGridSamples);
  if (npending_ > 0) consider(pending_[0].frame);
  if (on_hook_pending_) consider(on_hook_at_ + ms(cfg_.flash_max_ms));
  if (state_ == State::dial_tone || state_ == State::collecting) consider(deadline_);
  if (state_ == State::ringing && cid_pending_) consider(cid_at_);
  if (state_ == State::ringing && step_ != Step::none) consider(step_at_);
  return d;
}

void FxsPort::run(std::span<const std::int16_t> rx, std::span<std::int16_t> tx, std::span<const std::int16_t> voip_in,
                  std::span<std::int16_t> voip_out) noexcept {
  detail::run_to_deadlines(
      rx, tx, voip_in, voip_out, [this] { fire_timers(); }, [this] { return next_deadline() - now_; },
      [this](auto r, auto t, auto vi, auto vo) { segment(r, t, vi, vo); });
}

void FxsPort::segment(std::span<const std::int16_t> rx, std::span<std::int16_t> tx,
                      std::span<const std::int16_t> voip_in, std::span<std::int16_t> voip_out) noexcept {
  const std::size_t n = rx.size();
  // Transmit: caller ID spill, the DT-AS alert, a tone, the VoIP audio in a call, else silence.
  std::fill(tx.begin(), tx.end(), std::int16_t{0});
  if (cid_active_) {
    cid_tx_.generate(tx);
    if (cid_tx_.idle()) cid_active_ = false;
  } else if (dtas_active_) {
    dtas_.generate(tx);
    if (dtas_.idle()) dtas_active_ = false;
  } else if (tone_ != nullptr) {
    tone_->generate(tx);
  } else if (state_ == State::call && call_audio_) {
    std::copy(voip_in.begin(), voip_in.begin() + static_cast<std::ptrdiff_t>(std::min(n, voip_in.size())), tx.begin());
  }

  // Tone disabler: modem tones in either direction.
  auto on_modem = [&](const ModemToneEvent& me) {
    PortEvent e;
    e.kind = PortEventKind::modem_tone;
    e.sample = me.sample;
    e.value = static_cast<int>(me.tone);
    e.begin = me.begin;
    events_(e);
    if (me.begin && disabler_.on_tone(me.tone)) {
      sync_at_grid_ = true;
      emit(PortEventKind::echo_canceller, me.decided_sample, disabler_.state());
    }
  };
  modem_rx_.process(rx, on_modem);
  modem_tx_.process(std::span<const std::int16_t>(tx.data(), n), on_modem);
  ec_.process(std::span<const std::int16_t>(tx.data(), n), rx, voip_out);

  // Digits from the phone.
  auto on_digit = [&](const DtmfEvent& d) {
    if (!d.begin) return;
    PortEvent e;
    e.kind = PortEventKind::digit;
    e.sample = d.sample;
    e.digit = d.digit;
    events_(e);
    if (state_ == State::dial_tone) {
      stop_tone_at_grid_ = true;
      emit(PortEventKind::dial_tone, d.sample, 0);
      state_ = State::collecting;
    }
    if (state_ == State::collecting) {
      if (d.digit == '#' && cfg_.hash_ends_number && ndigits_ > 0) {
        finish_number(3, d.sample, false);
        return;
      }
      if (ndigits_ < digits_.size()) digits_[ndigits_++] = d.digit;
      deadline_ = d.sample + ms(cfg_.inter_digit_timeout_ms);
      if (static_cast<int>(ndigits_) >= cfg_.max_digits) finish_number(2, d.sample, false);
    }
  };
  dtmf_.process(rx, on_digit);
  now_ += n;
}

}  // namespace linedsp
