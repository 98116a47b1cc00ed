// ports/fxo_port.cpp — see fxo_port.hpp.
#include "ports/fxo_port.hpp"

#include <algorithm>
#include <stdexcept>

#include "dsp/level.hpp"
#include "ports/deadline_split.hpp"

namespace linedsp {

FxoPortConfig FxoPortConfig::for_country(const TonePlan& plan) {
  FxoPortConfig c;
  const bool nanp = plan.country == "us" || plan.country == "ca";
  c.cid.modem = nanp ? FskModem::bell202 : FskModem::v23;
  return c;
}

FxoPort::FxoPort(const TonePlan& plan, LineDevice& line, const FxoPortConfig& cfg)
    : cfg_(cfg),
      line_(line),
      dtmf_(cfg.dtmf),
      progress_(plan, cfg.progress),
      ring_(plan, cfg.ring),
      cid_(cfg.cid),
      modem_rx_(cfg.modem),
      modem_tx_(cfg.modem),
      ec_(cfg.echo) {
  if (cfg.answer_after_rings < 0 || cfg.answer_after_rings > 20)
    throw std::invalid_argument("FxoPortConfig.answer_after_rings: must be in 0..20");
  if (cfg.ring_timeout_ms < 1000) throw std::invalid_argument("FxoPortConfig.ring_timeout_ms: must be >= 1000");
  if (cfg.dial_tone_timeout_ms <= 0) throw std::invalid_argument("FxoPortConfig.dial_tone_timeout_ms: must be > 0");
  if (cfg.dial_delay_ms < 0) throw std::invalid_argument("FxoPortConfig.dial_delay_ms: must be >= 0");
  if (cfg.min_loop_drop_ms <= 0) throw std::invalid_argument("FxoPortConfig.min_loop_drop_ms: must be > 0");
  if (cfg.silence_timeout_ms < 0) throw std::invalid_argument("FxoPortConfig.silence_timeout_ms: must be >= 0");
  if (cfg.rpas_max_ms < 0) throw std::invalid_argument("FxoPortConfig.rpas_max_ms: must be >= 0");
  if (cfg.progress.sample_rate_hz != 8000 || cfg.ring.sample_rate_hz != 8000 || cfg.cid.sample_rate_hz != 8000 ||
      cfg.echo.sample_rate_hz != 8000 || cfg.modem.sample_rate_hz != 8000 || cfg.dtmf.sample_rate_hz != 8000)
    throw std::invalid_argument("FxoPortConfig: sample_rate_hz: ports run at 8000 Hz");
  disabler_.bypass_on_cng = cfg.bypass_echo_on_cng;
  silence_power_ = static_cast<float>(dbm0_to_power(cfg.silence_dbm0));
  sync_canceller();
}

void FxoPort::reset() noexcept {
  dtmf_.reset();
  restart_progress();
  ring_.reset();
  cid_.reset();
  modem_rx_.reset();
  modem_tx_.reset();
  ec_.reset();
  disabler_.enable();
  events_.clear();
  npending_ = 0;
  state_ = State::idle;
  sync_canceller();
  now_ = deadline_ = last_ring_ = drop_at_ = silent_since_ = 0;
  rings_ = 0;
  off_hook_ = dropped_ = ringback_ = digits_queued_ = ring_reset_ = bad_cadence_ = false;
  dialled_at_grid_ = answer_at_grid_ = disconnect_at_grid_ = sync_at_grid_ = false;
  cell_energy_ = 0.0;
  cell_samples_ = 0;
  nnumber_ = 0;
  progress_base_ = 0;
}

void FxoPort::restart_progress() noexcept {
  progress_.reset();
  progress_base_ = now_;
}

void FxoPort::sync_canceller() noexcept {
  ec_.follow(disabler_);
  if (state_ != State::waiting && state_ != State::connected) ec_.set_bypass(true);
}

void FxoPort::start_audio() noexcept {
  ec_.reset();  // the call's echo path is learnt from the call's audio, not from the port's DTMF
  sync_canceller();
}

void FxoPort::grid_actions() noexcept {
  if (dialled_at_grid_) {
    dialled_at_grid_ = false;
    if (state_ == State::dialling) {
      state_ = State::waiting;
      start_audio();
      restart_progress();
    }
  }
  if (answer_at_grid_) {
    answer_at_grid_ = false;
    if (state_ == State::waiting) {
      state_ = State::connected;
      silent_since_ = now_;
    }
  }
  if (disconnect_at_grid_) {
    disconnect_at_grid_ = false;
    if (state_ != State::idle) disconnect(grid_reason_, grid_disconnect_sample_);
  }
  if (sync_at_grid_) {
    sync_at_grid_ = false;
    sync_canceller();
  }
}

void FxoPort::emit(PortEventKind k, std::uint64_t at, int value) noexcept {
  PortEvent e;
  e.kind = k;
  e.sample = at;
  e.value = value;
  events_(e);
}

void FxoPort::to_idle() noexcept {
  if (off_hook_) line_.on_hook();
  off_hook_ = false;
  dtmf_.reset();
  restart_progress();
  disabler_.enable();
  state_ = State::idle;
  sync_canceller();
  rings_ = 0;
  dropped_ = ringback_ = digits_queued_ = false;
  dialled_at_grid_ = answer_at_grid_ = disconnect_at_grid_ = false;
  emit(PortEventKind::released, now_);
}

void FxoPort::disconnect(DisconnectReason r, std::uint64_t at) noexcept {
  emit(PortEventKind::disconnect, at, static_cast<int>(r));
  to_idle();
}

bool FxoPort::dial(std::string_view number) noexcept {
  if (state_ != State::idle || number.size() > number_.size()) return false;
  for (char c : number) {
    double lo = 0, hi = 0;
    if (!DtmfGenerator::frequencies(c, lo, hi)) return false;
  }
  std::copy(number.begin(), number.end(), number_.begin());
  nnumber_ = number.size();
  line_.off_hook();
  off_hook_ = true;
  restart_progress();
  state_ = State::seizing;
  deadline_ = now_ + ms(cfg_.dial_tone_timeout_ms);
  emit(PortEventKind::seized, now_);
  return true;
}

bool FxoPort::answer() noexcept {
  if (state_ != State::ringing) return false;
  line_.off_hook();
  off_hook_ = true;
  restart_progress();
  state_ = State::connected;
  start_audio();
  silent_since_ = now_;
  emit(PortEventKind::answered, now_);
  return true;
}

void FxoPort::hang_up() noexcept {
  if (state_ == State::idle) return;
  to_idle();
}

void FxoPort::on_line_event(const LineEvent& e) noexcept {
  if (e.frame > now_ && npending_ < pending_.size()) {
    pending_[npending_++] = e;  // applied at its sample by process()
    return;
  }
  apply_line_event(e);
}

void FxoPort::apply_line_event(const LineEvent& e) noexcept {
  auto on_ring = [&](const RingEvent& r) {
    if (r.type == RingEvent::Type::burst_end) {
      if (rings_ == 0 && cfg_.rpas_max_ms > 0 && r.duration_samples < ms(cfg_.rpas_max_ms)) {
        ring_reset_ = true;  // RP-AS (EN 300 659-1): an alert before the data, not a ring
        return;
      }
      ++rings_;
      emit(PortEventKind::ring, r.sample, rings_);
      if (cfg_.answer_after_rings > 0 && rings_ >= cfg_.answer_after_rings && state_ == State::ringing && !bad_cadence_)
        answer();
    } else if (r.type == RingEvent::Type::cycle) {
      emit(PortEventKind::ring_cadence, r.sample, r.pattern);
      if (r.pattern < 0) bad_cadence_ = true;
    }
  };
  switch (e.kind) {
    case LineEventKind::ring_begin:
    case LineEventKind::ring_end:
      if (state_ == State::idle && e.kind == LineEventKind::ring_begin) {
        state_ = State::ringing;
        rings_ = 0;
        bad_cadence_ = false;
      }
      last_ring_ = e.frame;
      if (state_ == State::ringing) ring_.on_line_event(e, on_ring);
      if (ring_reset_) {
        ring_reset_ = false;
        ring_.reset();
      }
      break;
    case LineEventKind::polarity:
      if (state_ == State::waiting) {
        emit(PortEventKind::far_answer, e.frame, 1);
        state_ = State::connected;
        silent_since_ = e.frame;
      } else if (state_ == State::connected && cfg_.disconnect_on_polarity) {
        disconnect(DisconnectReason::polarity, e.frame);
      }
      break;  // idle or ringing: an EN 300 659-1 line reversal before caller ID, not supervision
    case LineEventKind::loop_drop:
      if (off_hook_) {
        dropped_ = true;
        drop_at_ = e.frame;
      }
      break;
    case LineEventKind::loop_restore:
      dropped_ = false;
      break;
    default:
      break;
  }
}

void FxoPort::fire_timers() noexcept {
  std::size_t due = 0;
  while (due < npending_ && pending_[due].frame <= now_) apply_line_event(pending_[due++]);
  if (due > 0) {
    std::copy(pending_.begin() + static_cast<std::ptrdiff_t>(due), pending_.begin() + static_cast<std::ptrdiff_t>(npending_),
              pending_.begin());
    npending_ -= due;
  }
  if (now_ % kDecisionGridSamples == 0) grid_actions();
  if (dropped_ && off_hook_ && now_ >= drop_at_ + ms(cfg_.min_loop_drop_ms) && state_ != State::idle &&
      state_ != State::ringing) {
    disconnect(DisconnectReason::loop_drop, now_);  // when it is noticed: min_loop_drop_ms after the drop began
  }
  if (state_ == State::ringing) {
    auto on_ring = [&](const RingEvent& r) {
      if (r.type != RingEvent::Type::cycle) return;
      emit(PortEventKind::ring_cadence, r.sample, r.pattern);
      if (r.pattern < 0) bad_cadence_ = true;
    };
    ring_.advance_to(now_, on_ring);
    if (now_ >= last_ring_ + ms(cfg_.ring_timeout_ms)) {
      ring_.reset();
      state_ = State::idle;
      rings_ = 0;
      emit(PortEventKind::released, now_);
    }
  }
  if (state_ == State::seizing && now_ >= deadline_) {
    emit(PortEventKind::no_dial_tone, now_);
    to_idle();
  }
  if (state_ == State::dialling && !digits_queued_ && now_ >= deadline_) {
    dtmf_.queue(std::string_view(number_.data(), nnumber_));
    digits_queued_ = true;
  }
  if (state_ == State::connected && cfg_.silence_timeout_ms > 0 && now_ >= silent_since_ + ms(cfg_.silence_timeout_ms))
    disconnect(DisconnectReason::silence, now_);
}

std::uint64_t FxoPort::next_deadline() const noexcept {
  std::uint64_t d = ~std::uint64_t{0};
  auto consider = [&](std::uint64_t x) {
    if (x > now_ && x < d) d = x;
  };
  consider((now_ / kDecisionGridSamples + 1) * kDecisionGridSamples);
  if (npending_ > 0) consider(pending_[0].frame);
  if (dropped_ && off_hook_) consider(drop_at_ + ms(cfg_.min_loop_drop_ms));
  if (state_ == State::ringing) consider(last_ring_ + ms(cfg_.ring_timeout_ms));
  if (state_ == State::seizing || (state_ == State::dialling && !digits_queued_)) consider(deadline_);
  if (state_ == State::connected && cfg_.silence_timeout_ms > 0) consider(silent_since_ + ms(cfg_.silence_timeout_ms));
  return d;
}

void FxoPort::run(std::span<const std::int16_t> rx, std::span<std::int16_t> tx, std::span<const std::int16_t> voip_in,
                  std::span<std::int16_t> voip_out) noexcept {
  detail::run_to_deadlines(
      rx, tx, voip_in, voip_out, [this] { fire_timers(); }, [this] { return next_deadline() - now_; },
      [this](auto r, auto t, auto vi, auto vo) { segment(r, t, vi, vo); });
}

void FxoPort::segment(std::span<const std::int16_t> rx, std::span<std::int16_t> tx,
                      std::span<const std::int16_t> voip_in, std::span<std::int16_t> voip_out) noexcept {
  const std::size_t n = rx.size();
  // Transmit.
  std::fill(tx.begin(), tx.end(), std::int16_t{0});
  if (state_ == State::dialling && digits_queued_) {
    const bool was_idle = dtmf_.idle();
    const std::size_t w = dtmf_.generate(tx);
    if (dtmf_.idle() && !was_idle) {
      PortEvent e;
      e.kind = PortEventKind::dialled;
      e.sample = now_ + std::min(w, n);
      e.number = std::string_view(number_.data(), nnumber_);
      events_(e);
      dialled_at_grid_ = true;
    }
  } else if (state_ == State::connected) {
    std::copy(voip_in.begin(), voip_in.begin() + static_cast<std::ptrdiff_t>(std::min(n, voip_in.size())), tx.begin());
  }

  // Caller ID while the line is on-hook (before, between or after the rings).
  {  // always run, so that its clock is the port's
    auto on_cid = [&](const CallerIdEvent& c) {
      if (c.begin || (state_ != State::idle && state_ != State::ringing)) return;
      if (state_ == State::idle) {  // data before ringing (EN 300 659-1): the call is alerting from here; if no
        state_ = State::ringing;    // ring follows within ring_timeout_ms it was abandoned (released)
        rings_ = 0;
        bad_cadence_ = false;
        last_ring_ = c.sample;
      }
      PortEvent e;
      e.kind = PortEventKind::cid_received;
      e.sample = c.sample;
      e.value = static_cast<int>(c.status);
      e.number = c.message.number.view();
      e.name = c.message.name.view();
      events_(e);
    };
    cid_.process(rx, on_cid);
  }

  // Call progress while off-hook.
  if (off_hook_) {
    auto on_tone = [&](ProgressEvent p) {
      p.sample += progress_base_;
      p.confirmed_sample += progress_base_;
      if (state_ == State::seizing && p.begin && p.kind == ToneKind::dial) {
        emit(PortEventKind::dial_tone_detected, p.confirmed_sample);
        state_ = State::dialling;
        const std::uint64_t g = kDecisionGridSamples;  // the grid boundary this segment ends in
        deadline_ = (now_ + n + g - 1) / g * g + ms(cfg_.dial_delay_ms);
        digits_queued_ = false;
        return;
      }
      if (state_ == State::waiting && p.kind == ToneKind::ringback) {
        emit(PortEventKind::ringback, p.begin ? p.confirmed_sample : p.sample, p.begin ? 1 : 0);
        ringback_ = p.begin;
        if (!p.begin && cfg_.answer_on_ringback_end && !answer_at_grid_) {
          emit(PortEventKind::far_answer, p.sample, 2);
          answer_at_grid_ = true;
        }
        return;
      }
      if (p.begin && (p.kind == ToneKind::busy || p.kind == ToneKind::congestion) && !disconnect_at_grid_ &&
          (state_ == State::waiting || (state_ == State::connected && cfg_.disconnect_on_busy))) {
        emit(PortEventKind::busy, p.confirmed_sample, static_cast<int>(p.kind));
        disconnect_at_grid_ = true;
        grid_reason_ = DisconnectReason::busy_tone;
        grid_disconnect_sample_ = p.confirmed_sample;
      }
    };
    progress_.process(rx, on_tone);
  }

  // Tone disabler and canceller.
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

  // Silence supervision: any 10 ms grid cell above silence_dbm0 restarts the timer (fire_timers() checks it).
  if (cfg_.silence_timeout_ms > 0) {
    for (std::size_t i = 0; i < n; ++i) cell_energy_ += static_cast<double>(voip_out[i]) * voip_out[i];
    cell_samples_ += n;
    if ((now_ + n) % kDecisionGridSamples == 0) {
      if (state_ == State::connected && cell_samples_ > 0 &&
          cell_energy_ / static_cast<double>(cell_samples_) > silence_power_)
        silent_since_ = now_ + n;
      cell_energy_ = 0.0;
      cell_samples_ = 0;
    }
  }
  now_ += n;
}

}  // namespace linedsp
