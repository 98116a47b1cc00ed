#include "cli/output.hpp"

#include <cstdio>

namespace linedsp::cli {

std::optional<OutputFormat> parse_output_format(std::string_view name) noexcept {
  if (name == "table") return OutputFormat::table;
  if (name == "jsonl") return OutputFormat::jsonl;
  if (name == "csv") return OutputFormat::csv;
  if (name == "labels") return OutputFormat::labels;
  return std::nullopt;
}

std::string format_seconds(std::uint64_t samples, int sample_rate_hz) {
  const auto rate = static_cast<std::uint64_t>(sample_rate_hz);
  const std::uint64_t ms = (samples * 1000 + rate / 2) / rate;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llu.%03llu", static_cast<unsigned long long>(ms / 1000),
                static_cast<unsigned long long>(ms % 1000));
  return buf;
}

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string format_header(OutputFormat format) {
  switch (format) {
    case OutputFormat::csv: return "file,channel,t,dur,type,value,fields\n";
    case OutputFormat::table: {
      char line[160];
      std::snprintf(line, sizeof line, "%-24s %3s %9s %8s  %-6s %-14s %s\n", "FILE", "CH", "START", "DUR", "TYPE",
                    "VALUE", "DETAILS");
      return line;
    }
    default: return "";
  }
}

namespace {
std::string details(const Record& r) {
  std::string out;
  for (const auto& [k, v] : r.fields.items()) {
    if (!out.empty()) out += ' ';
    out += k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  return out;
}
double rounded_seconds(std::uint64_t samples, int rate) {
  const auto r = static_cast<std::uint64_t>(rate);
  // Integer milliseconds then one correctly rounded division: the double nearest to the printed value.
  return static_cast<double>((samples * 1000 + r / 2) / r) / 1000.0;
}
}  // namespace

void format_records(OutputFormat format, const std::string& file, const std::vector<Record>& records,
                    int rate, bool tag_file, std::string& out) {
  for (const Record& r : records) {
    switch (format) {
      case OutputFormat::jsonl: {
        nlohmann::ordered_json j;
        j["file"] = file;
        j["channel"] = r.channel;
        j["t"] = rounded_seconds(r.start_sample, rate);
        j["dur"] = rounded_seconds(r.duration_samples, rate);
        j["type"] = r.type;
        j["value"] = r.value;
        for (const auto& [k, v] : r.fields.items())
          if (!j.contains(k)) j[k] = v;
        out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        out += '\n';
        break;
      }
      case OutputFormat::csv:
        out += csv_field(file) + "," + std::to_string(r.channel) + "," + format_seconds(r.start_sample, rate) + "," +
               format_seconds(r.duration_samples, rate) + "," + csv_field(r.type) + "," + csv_field(r.value) + "," +
               csv_field(r.fields.empty() ? "" : r.fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) +
               "\n";
        break;
      case OutputFormat::labels: {
        std::string label = r.type + " " + r.value;
        if (r.channel != 0) label = "ch" + std::to_string(r.channel) + " " + label;
        if (tag_file) label = file + ": " + label;
        for (char& c : label)
          if (c == '\t' || c == '\n' || c == '\r') c = ' ';
        out += format_seconds(r.start_sample, rate) + "\t" + format_seconds(r.start_sample + r.duration_samples, rate) +
               "\t" + label + "\n";
        break;
      }
      case OutputFormat::table: {
        char line[160];
        std::snprintf(line, sizeof line, "%3d %9s %8s  %-6s ", r.channel, format_seconds(r.start_sample, rate).c_str(),
                      format_seconds(r.duration_samples, rate).c_str(), r.type.c_str());
        std::string row = file;
        if (row.size() < 24) row.resize(24, ' ');
        row += ' ';
        row += line;
        std::string value = r.value;
        if (value.size() < 14) value.resize(14, ' ');
        row += value + " " + details(r);
        while (!row.empty() && row.back() == ' ') row.pop_back();
        out += row + "\n";
        break;
      }
    }
  }
}

}  // namespace linedsp::cli
