#include "signals/callerid.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace linedsp {

const char* callerid_status_name(CallerIdStatus s) noexcept {
  switch (s) {
    case CallerIdStatus::ok: return "ok";
    case CallerIdStatus::checksum: return "checksum";
    case CallerIdStatus::truncated: return "truncated";
    case CallerIdStatus::framing: return "framing";
    case CallerIdStatus::malformed: return "malformed";
    case CallerIdStatus::unsupported: return "unsupported";
  }
  return "?";
}

std::uint8_t callerid_checksum(std::span<const std::uint8_t> bytes) noexcept {
  unsigned sum = 0;
  for (auto b : bytes) sum += b;
  return static_cast<std::uint8_t>((256u - (sum & 0xFFu)) & 0xFFu);
}

namespace {

bool all_digits(std::string_view s) noexcept {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
bool printable(std::span<const std::uint8_t> s) noexcept {
  return std::all_of(s.begin(), s.end(), [](std::uint8_t c) { return c >= 0x20 && c < 0x7F; });
}
std::string_view as_view(std::span<const std::uint8_t> s) noexcept {
  return {reinterpret_cast<const char*>(s.data()), s.size()};
}

void add_param(std::vector<std::uint8_t>& out, std::uint8_t type, std::string_view value, const char* field) {
  if (value.size() > 255) throw std::invalid_argument(std::string(field) + ": longer than 255 bytes");
  out.push_back(type);
  out.push_back(static_cast<std::uint8_t>(value.size()));
  for (char c : value) out.push_back(static_cast<std::uint8_t>(c));
}

void check_text(std::string_view s, const char* field) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F)
      throw std::invalid_argument(std::string(field) + ": not printable ASCII");
}

}  // namespace

std::vector<std::uint8_t> encode_callerid(const CallerIdMessage& msg, CallerIdFormat format) {
  if (!msg.date_time.empty() && (msg.date_time.size() != 8 || !all_digits(msg.date_time.view())))
    throw std::invalid_argument("date_time: must be 8 digits MMDDHHMM");
  if (msg.number_absent != 0 && msg.number_absent != 'O' && msg.number_absent != 'P')
    throw std::invalid_argument("number_absent: must be 'O' or 'P'");
  if (msg.name_absent != 0 && msg.name_absent != 'O' && msg.name_absent != 'P')
    throw std::invalid_argument("name_absent: must be 'O' or 'P'");
  check_text(msg.number.view(), "number");
  check_text(msg.name.view(), "name");
  check_text(msg.redirecting.view(), "redirecting");
  std::vector<std::uint8_t> out;
  out.reserve(300);
  auto header = [&out](std::uint8_t type) {
    out.push_back(type);
    out.push_back(0);
  };
  if (format == CallerIdFormat::sdmf) {
    if (msg.type == kCidSdmfMessageWaiting || msg.message_waiting >= 0) {
      header(kCidSdmfMessageWaiting);
      const std::uint8_t v = msg.message_waiting > 0 ? 0x42 : 0x6F;
      for (int i = 0; i < 3; ++i) out.push_back(v);
    } else {
      if (msg.date_time.size() != 8) throw std::invalid_argument("date_time: SDMF requires MMDDHHMM");
      if (msg.number.size() > 10) throw std::invalid_argument("number: SDMF carries at most 10 digits");
      if (msg.number.empty() && msg.number_absent == 0)
        throw std::invalid_argument("number: SDMF needs a number or number_absent");
      header(kCidSdmfCallerId);
      for (char c : msg.date_time.view()) out.push_back(static_cast<std::uint8_t>(c));
      if (!msg.number.empty()) {
        for (char c : msg.number.view()) out.push_back(static_cast<std::uint8_t>(c));
      } else {
        out.push_back(static_cast<std::uint8_t>(msg.number_absent));
      }
    }
  } else {
    const bool mwi = msg.type == kCidMdmfMessageWaiting;
    header(mwi ? kCidMdmfMessageWaiting : kCidMdmfCallerId);
    if (!msg.date_time.empty()) add_param(out, kCidParamDateTime, msg.date_time.view(), "date_time");
    if (!msg.number.empty()) add_param(out, kCidParamNumber, msg.number.view(), "number");
    if (msg.number_absent) add_param(out, kCidParamNumberAbsent, std::string_view(&msg.number_absent, 1), "number");
    if (!msg.called.empty()) add_param(out, kCidParamCalledNumber, msg.called.view(), "called");
    if (!msg.redirecting.empty()) add_param(out, kCidParamRedirecting, msg.redirecting.view(), "redirecting");
    if (!msg.name.empty()) add_param(out, kCidParamName, msg.name.view(), "name");
    if (msg.name_absent) add_param(out, kCidParamNameAbsent, std::string_view(&msg.name_absent, 1), "name");
    if (msg.call_type >= 0) {
      const char v = static_cast<char>(msg.call_type);
      add_param(out, kCidParamCallType, std::string_view(&v, 1), "call_type");
    }
    if (msg.message_waiting >= 0) {
      const char v = msg.message_waiting > 0 ? static_cast<char>(0xFF) : 0;
      add_param(out, kCidParamVisualIndicator, std::string_view(&v, 1), "message_waiting");
    }
  }
  if (out.size() - 2 > 255) throw std::invalid_argument("message: longer than 255 data bytes");
  out[1] = static_cast<std::uint8_t>(out.size() - 2);
  out.push_back(callerid_checksum(out));
  return out;
}

namespace {
CallerIdParse parse_callerid_fields(std::span<const std::uint8_t> bytes) noexcept {
  CallerIdParse r;
  if (bytes.size() < 2) {
    r.status = CallerIdStatus::truncated;
    return r;
  }
  const std::size_t len = bytes[1];
  if (bytes.size() < len + 3) {
    r.status = CallerIdStatus::truncated;
    return r;
  }
  if (bytes.size() > len + 3) {
    r.status = CallerIdStatus::malformed;
    return r;
  }
  unsigned sum = 0;
  for (auto b : bytes) sum += b;
  if ((sum & 0xFFu) != 0) {
    r.status = CallerIdStatus::checksum;
    return r;
  }
  const auto data = bytes.subspan(2, len);
  CallerIdMessage& m = r.message;
  m.type = bytes[0];
  r.status = CallerIdStatus::malformed;
  switch (m.type) {
    case kCidSdmfCallerId: {
      if (len < 9 || !printable(data)) return r;
      const auto dt = as_view(data.subspan(0, 8));
      if (!all_digits(dt)) return r;
      m.date_time.assign(dt);
      const auto num = as_view(data.subspan(8));
      if (num == "O" || num == "P") {
        m.number_absent = num[0];
      } else {
        if (num.size() > decltype(m.number)::capacity()) return r;
        m.number.assign(num);
      }
      break;
    }
    case kCidSdmfMessageWaiting: {
      if (len != 3) return r;
      if (data[0] == 0x42 && data[1] == 0x42 && data[2] == 0x42) m.message_waiting = 1;
      else if (data[0] == 0x6F && data[1] == 0x6F && data[2] == 0x6F) m.message_waiting = 0;
      else return r;
      break;
    }
    case kCidMdmfCallerId:
    case kCidMdmfMessageWaiting: {
      std::size_t pos = 0;
      while (pos < len) {
        if (pos + 2 > len) return r;
        const std::uint8_t type = data[pos];
        const std::size_t plen = data[pos + 1];
        if (pos + 2 + plen > len) return r;
        const auto v = data.subspan(pos + 2, plen);
        pos += 2 + plen;
        auto text = [&](auto& field) {
          if (!printable(v) || v.size() > field.capacity()) return false;
          field.assign(as_view(v));
          return true;
        };
        switch (type) {
          case kCidParamDateTime:
            if (plen != 8 || !all_digits(as_view(v))) return r;
            m.date_time.assign(as_view(v));
            break;
          case kCidParamNumber:
            if (!text(m.number)) return r;
            break;
          case kCidParamCalledNumber:
            if (!text(m.called)) return r;
            break;
          case kCidParamNumberAbsent:
            if (plen != 1) return r;
            m.number_absent = static_cast<char>(v[0]);
            break;
          case kCidParamName:
            if (!text(m.name)) return r;
            break;
          case kCidParamNameAbsent:
            if (plen != 1) return r;
            m.name_absent = static_cast<char>(v[0]);
            break;
          case kCidParamBellRedirect:
          case kCidParamRedirecting:
            if (type == kCidParamRedirecting || (plen > 1 && printable(v))) {
              if (!text(m.redirecting)) return r;
            }
            break;
          case kCidParamVisualIndicator:
            if (plen != 1) return r;
            m.message_waiting = v[0] == 0xFF ? 1 : (v[0] == 0 ? 0 : -1);
            break;
          case kCidParamCallType:
            if (plen != 1) return r;
            m.call_type = v[0];
            break;
          default:
            break;  // parameters we do not interpret are skipped
        }
      }
      break;
    }
    default:
      r.status = CallerIdStatus::unsupported;
      return r;
  }
  r.status = CallerIdStatus::ok;
  return r;
}
}  // namespace

CallerIdParse parse_callerid(std::span<const std::uint8_t> bytes) noexcept {
  CallerIdParse r = parse_callerid_fields(bytes);
  if (r.status != CallerIdStatus::ok) r.message = CallerIdMessage{};  // no partial fields from a bad message
  return r;
}

// ---------------------------------------------------------------------------------------------------------
namespace {
FskConfig fsk_for(FskModem modem, int rate, double min_level) {
  FskConfig c = FskConfig::for_modem(modem);
  c.sample_rate_hz = rate;
  c.min_level_dbm0 = min_level;
  return c;
}
bool known_type(std::uint8_t t) noexcept {
  return t == kCidSdmfCallerId || t == kCidSdmfMessageWaiting || t == kCidMdmfCallerId ||
         t == kCidMdmfMessageWaiting || t == kCidEtsiAdviceOfCharge || t == kCidEtsiShortMessage;
}
}  // namespace

CallerIdReceiver::CallerIdReceiver(const CallerIdReceiverConfig& cfg, Isa isa)
    : cfg_(cfg), demod_(fsk_for(cfg.modem, cfg.sample_rate_hz, cfg.min_level_dbm0), isa) {
  if (cfg.min_mark_bits < 1 || cfg.min_mark_bits > 10000) throw std::invalid_argument("min_mark_bits: 1..10000");
  if (cfg.max_gap_bits < 1 || cfg.max_gap_bits > 10000) throw std::invalid_argument("max_gap_bits: 1..10000");
  samples_per_bit_ = cfg.sample_rate_hz / demod_.config().baud;
}

void CallerIdReceiver::reset() noexcept {
  demod_.reset();
  state_ = State::hunt;
  len_ = need_ = 0;
  armed_ = false;
  seizure_run_ = 0;
  pending_ = false;
}

bool CallerIdReceiver::finish(CallerIdStatus status, CallerIdEvent& out) noexcept {
  out = CallerIdEvent{};
  out.begin = false;
  out.modem = cfg_.modem;
  out.sample = start_sample_;
  out.duration_samples =
      static_cast<std::uint64_t>(std::llround(static_cast<double>(len_) * 10.0 * samples_per_bit_));
  if (status == CallerIdStatus::ok) {
    const CallerIdParse p = parse_callerid(std::span<const std::uint8_t>(buf_.data(), len_));
    out.status = p.status;
    if (p.status == CallerIdStatus::ok) out.message = p.message;
  } else {
    out.status = status;
  }
  state_ = State::hunt;
  len_ = 0;
  armed_ = false;
  seizure_run_ = 0;
  return true;
}

bool CallerIdReceiver::handle(const FskEvent& e, CallerIdEvent& out) noexcept {
  if (e.kind == FskEvent::Kind::carrier_on) return false;
  if (e.kind == FskEvent::Kind::carrier_off) {
    armed_ = false;
    seizure_run_ = 0;
    if (state_ == State::hunt) return false;
    return finish(CallerIdStatus::truncated, out);
  }
  if (state_ != State::hunt && e.idle_bits > cfg_.max_gap_bits) {
    // The message stopped; this byte may begin the next one.
    pending_ = true;
    pending_event_ = e;
    return finish(CallerIdStatus::truncated, out);
  }
  switch (state_) {
    case State::hunt:
      if (e.framing_ok && e.byte == 0x55 && e.idle_bits == 0) {
        if (++seizure_run_ >= kSeizureBytes) armed_ = true;
      } else {
        seizure_run_ = 0;
      }
      if ((armed_ || !cfg_.require_seizure) && e.framing_ok && e.idle_bits >= cfg_.min_mark_bits &&
          known_type(e.byte)) {
        buf_[0] = e.byte;
        len_ = 1;
        start_sample_ = e.sample;
        state_ = State::length;
      }
      return false;
    case State::length:
      if (!e.framing_ok || e.byte == 0) {  // not a message after all
        state_ = State::hunt;
        return false;
      }
      buf_[len_++] = e.byte;
      need_ = static_cast<std::size_t>(e.byte) + 3;
      state_ = State::data;
      out = CallerIdEvent{};
      out.begin = true;
      out.modem = cfg_.modem;
      out.sample = start_sample_;
      return true;
    case State::data:
      buf_[len_++] = e.byte;
      // A character without its stop bit: the rest of the message cannot be trusted (and its framing is lost).
      if (!e.framing_ok) return finish(CallerIdStatus::framing, out);
      if (len_ == need_) return finish(CallerIdStatus::ok, out);
      return false;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------
namespace {
FskConfig sender_fsk(const CallerIdSenderConfig& c) {
  FskConfig f = FskConfig::for_modem(c.modem);
  f.sample_rate_hz = c.sample_rate_hz;
  f.level_dbm0 = c.level_dbm0;
  return f;
}
}  // namespace

CallerIdSender::CallerIdSender(const CallerIdSenderConfig& cfg) : cfg_(cfg), mod_(sender_fsk(cfg), 8192) {
  if (cfg.seizure_bits < 0 || cfg.seizure_bits > 2000) throw std::invalid_argument("seizure_bits: 0..2000");
  if (cfg.mark_bits < 0 || cfg.mark_bits > 2000) throw std::invalid_argument("mark_bits: 0..2000");
  if (cfg.trailing_mark_bits < 0 || cfg.trailing_mark_bits > 200)
    throw std::invalid_argument("trailing_mark_bits: 0..200");
}

bool CallerIdSender::start(std::span<const std::uint8_t> message) noexcept {
  if (!mod_.idle()) return false;
  const std::size_t need = static_cast<std::size_t>(cfg_.seizure_bits + cfg_.mark_bits + cfg_.trailing_mark_bits) +
                           message.size() * 10;
  if (need > 8192) return false;
  mod_.queue_seizure(static_cast<std::size_t>(cfg_.seizure_bits));
  mod_.queue_marks(static_cast<std::size_t>(cfg_.mark_bits));
  mod_.queue_bytes(message);
  mod_.queue_marks(static_cast<std::size_t>(cfg_.trailing_mark_bits));
  return true;
}

std::size_t CallerIdSender::generate(std::span<std::int16_t> out) noexcept { return mod_.generate(out); }

std::size_t CallerIdSender::spill_samples(std::size_t message_bytes) const noexcept {
  const double bits = cfg_.seizure_bits + cfg_.mark_bits + cfg_.trailing_mark_bits + 10.0 * message_bytes;
  return static_cast<std::size_t>(std::ceil(bits * cfg_.sample_rate_hz / 1200.0));
}

std::vector<std::int16_t> callerid_fsk_spill(std::span<const std::uint8_t> message, const CallerIdSenderConfig& cfg) {
  CallerIdSender tx(cfg);
  if (!tx.start(message)) throw std::invalid_argument("message: too long for one spill");
  std::vector<std::int16_t> out(tx.spill_samples(message.size()) + 16);
  out.resize(tx.generate(out));
  return out;
}

}  // namespace linedsp
