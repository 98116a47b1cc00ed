#include "signals/callerid_dtmf.hpp"

#include <algorithm>
#include <stdexcept>

namespace linedsp {

const char* dtmf_callerid_format_name(DtmfCallerIdFormat f) noexcept {
  switch (f) {
    case DtmfCallerIdFormat::a_c: return "a_c";
    case DtmfCallerIdFormat::a_hash: return "a_hash";
    case DtmfCallerIdFormat::d_c: return "d_c";
    case DtmfCallerIdFormat::hash: return "hash";
  }
  return "?";
}

std::optional<DtmfCallerIdFormat> parse_dtmf_callerid_format(std::string_view name) noexcept {
  for (auto f : {DtmfCallerIdFormat::a_c, DtmfCallerIdFormat::a_hash, DtmfCallerIdFormat::d_c, DtmfCallerIdFormat::hash})
    if (name == dtmf_callerid_format_name(f)) return f;
  return std::nullopt;
}

namespace {
bool digits_only(std::string_view s) noexcept {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
void check_number(std::string_view s, const char* field) {
  if (!digits_only(s)) throw std::invalid_argument(std::string(field) + ": DTMF caller ID carries digits 0-9 only");
  if (s.size() > 30) throw std::invalid_argument(std::string(field) + ": longer than 30 digits");
}
}  // namespace

std::string encode_dtmf_callerid(const CallerIdMessage& msg, DtmfCallerIdFormat format) {
  check_number(msg.number.view(), "number");
  check_number(msg.redirecting.view(), "redirecting");
  if (msg.number.empty() && msg.number_absent == 0) throw std::invalid_argument("number: empty and no absence reason");
  const std::string num = msg.number.str();
  switch (format) {
    case DtmfCallerIdFormat::a_c: {
      std::string s;
      if (!num.empty()) s += "A" + num;
      if (!msg.redirecting.empty()) s += "D" + msg.redirecting.str();
      if (num.empty()) s += msg.number_absent == 'P' ? "B10" : "B00";
      return s + "C";
    }
    case DtmfCallerIdFormat::a_hash:
      if (!num.empty()) return "A" + num + "#";
      return msg.number_absent == 'P' ? "D1#" : "D3#";
    case DtmfCallerIdFormat::d_c:
      if (num.empty()) throw std::invalid_argument("number_absent: the d_c format has no absence code");
      return "D" + num + "C";
    case DtmfCallerIdFormat::hash:
      if (num.empty()) throw std::invalid_argument("number_absent: the hash format has no absence code");
      return num + "#";
  }
  throw std::invalid_argument("format: unknown");
}

namespace {
CallerIdParse parse_dtmf_callerid_fields(std::string_view s, DtmfCallerIdFormat format) noexcept {
  CallerIdParse r;
  r.status = CallerIdStatus::malformed;
  CallerIdMessage& m = r.message;
  m.type = 0;
  if (s.empty()) return r;
  auto field_end = [&](std::size_t from) {
    std::size_t i = from;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i;
  };
  switch (format) {
    case DtmfCallerIdFormat::a_c: {
      if (s.back() != 'C') return r;
      std::size_t i = 0;
      bool any = false;
      while (i + 1 < s.size()) {
        const char tag = s[i];
        const std::size_t e = field_end(i + 1);
        const std::string_view v = s.substr(i + 1, e - i - 1);
        if (e == s.size() || (s[e] != 'C' && s[e] != 'A' && s[e] != 'B' && s[e] != 'D')) return r;
        if (tag == 'A') {
          if (v.empty() || v.size() > decltype(m.number)::capacity()) return r;
          m.number.assign(v);
        } else if (tag == 'D') {
          if (v.empty() || v.size() > decltype(m.redirecting)::capacity()) return r;
          m.redirecting.assign(v);
        } else if (tag == 'B') {
          if (v == "00") m.number_absent = 'O';
          else if (v == "10") m.number_absent = 'P';
          else return r;
        } else {
          return r;
        }
        any = true;
        i = e;
      }
      if (!any || i != s.size() - 1) return r;
      if (m.number.empty() && m.number_absent == 0 && m.redirecting.empty()) return r;
      break;
    }
    case DtmfCallerIdFormat::a_hash: {
      if (s.size() < 3 || s.back() != '#') return r;
      const std::string_view v = s.substr(1, s.size() - 2);
      if (!digits_only(v)) return r;
      if (s[0] == 'A') {
        if (v.empty() || v.size() > decltype(m.number)::capacity()) return r;
        m.number.assign(v);
      } else if (s[0] == 'D') {
        if (v == "1") m.number_absent = 'P';
        else if (v == "2" || v == "3") m.number_absent = 'O';
        else return r;
      } else {
        return r;
      }
      break;
    }
    case DtmfCallerIdFormat::d_c: {
      if (s.size() < 3 || s.front() != 'D' || s.back() != 'C') return r;
      const std::string_view v = s.substr(1, s.size() - 2);
      if (!digits_only(v) || v.size() > decltype(m.number)::capacity()) return r;
      m.number.assign(v);
      break;
    }
    case DtmfCallerIdFormat::hash: {
      if (s.size() < 2 || s.back() != '#') return r;
      const std::string_view v = s.substr(0, s.size() - 1);
      if (!digits_only(v) || v.size() > decltype(m.number)::capacity()) return r;
      m.number.assign(v);
      break;
    }
  }
  r.status = CallerIdStatus::ok;
  return r;
}
}  // namespace

CallerIdParse parse_dtmf_callerid(std::string_view s, DtmfCallerIdFormat format) noexcept {
  CallerIdParse r = parse_dtmf_callerid_fields(s, format);
  if (r.status != CallerIdStatus::ok) r.message = CallerIdMessage{};  // no partial fields from a bad message
  return r;
}

// ---------------------------------------------------------------------------------------------------------
DtmfCallerIdReceiver::DtmfCallerIdReceiver(const DtmfCallerIdReceiverConfig& cfg) : cfg_(cfg) {
  if (cfg.sample_rate_hz != 8000 && cfg.sample_rate_hz != 16000)
    throw std::invalid_argument("sample_rate_hz: must be 8000 or 16000");
  if (cfg.max_gap_ms < 100 || cfg.max_gap_ms > 10000) throw std::invalid_argument("max_gap_ms: 100..10000");
  max_gap_samples_ = static_cast<std::uint64_t>(cfg.max_gap_ms) * static_cast<std::uint64_t>(cfg.sample_rate_hz) / 1000;
}

void DtmfCallerIdReceiver::reset() noexcept {
  len_ = 0;
  active_ = false;
}

bool DtmfCallerIdReceiver::finish(CallerIdStatus status, std::uint64_t end_sample, CallerIdEvent& ev) noexcept {
  ev = CallerIdEvent{};
  ev.begin = false;
  ev.sample = start_;
  ev.duration_samples = end_sample - start_;
  if (status == CallerIdStatus::ok) {
    const auto p = parse_dtmf_callerid(std::string_view(buf_.data(), len_), cfg_.format);
    ev.status = p.status;
    if (p.status == CallerIdStatus::ok) ev.message = p.message;
  } else {
    ev.status = status;
  }
  active_ = false;
  len_ = 0;
  return true;
}

bool DtmfCallerIdReceiver::expire(std::uint64_t now, CallerIdEvent& ev) noexcept {
  if (!active_ || now <= last_ + max_gap_samples_) return false;
  return finish(CallerIdStatus::truncated, last_, ev);
}

bool DtmfCallerIdReceiver::on_digit(char d, std::uint64_t sample, CallerIdEvent& ev) noexcept {
  const bool is_digit = d >= '0' && d <= '9';
  if (!active_) {
    bool start = false;
    switch (cfg_.format) {
      case DtmfCallerIdFormat::a_c: start = d == 'A' || d == 'B' || d == 'D'; break;
      case DtmfCallerIdFormat::a_hash: start = d == 'A' || d == 'D'; break;
      case DtmfCallerIdFormat::d_c: start = d == 'D'; break;
      case DtmfCallerIdFormat::hash: start = is_digit; break;
    }
    if (!start) return false;
    active_ = true;
    len_ = 0;
    start_ = last_ = sample;
    buf_[len_++] = d;
    ev = CallerIdEvent{};
    ev.begin = true;
    ev.sample = sample;
    return true;
  }
  last_ = sample;
  if (len_ == buf_.size()) return finish(CallerIdStatus::malformed, sample, ev);
  buf_[len_++] = d;
  const bool end = ((cfg_.format == DtmfCallerIdFormat::a_c || cfg_.format == DtmfCallerIdFormat::d_c) && d == 'C') ||
                   ((cfg_.format == DtmfCallerIdFormat::a_hash || cfg_.format == DtmfCallerIdFormat::hash) && d == '#');
  if (end) return finish(CallerIdStatus::ok, sample, ev);
  return false;
}

}  // namespace linedsp
