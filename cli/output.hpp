// cli/output.hpp — how `linedsp detect` prints its records (DESIGN.md's command-line contract).
//
//   table   aligned columns for people: FILE CH START DUR TYPE VALUE DETAILS (extra fields as key=value)
//   jsonl   one JSON object per record: {"file","channel","t","dur","type","value", then the record's own
//           fields merged in (a field never overrides the six keys)}; t and dur in seconds, rounded to 1 ms
//   csv     RFC 4180, header "file,channel,t,dur,type,value,fields"; fields is the extra fields as a JSON
//           object (empty when there are none)
//   labels  an Audacity label track: "start<TAB>end<TAB>label" in seconds, label "TYPE VALUE"
//           ("dtmf 5", "tone busy"), "chN " in front for channels other than 0. Audacity imports one track
//           per file, so with several input files every label also starts with "FILE: " (one stream,
//           ordered by file; `grep`/`cut` split it); give one file per run for a clean track.
//
// Seconds are printed with exactly three decimals (t = start / rate, dur = duration / rate).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/analyzer.hpp"

namespace linedsp::cli {

enum class OutputFormat { table, jsonl, csv, labels };
std::optional<OutputFormat> parse_output_format(std::string_view name) noexcept;

// "1.234" for 9872 samples at 8000 Hz: exact integer arithmetic, rounded half up to the millisecond.
std::string format_seconds(std::uint64_t samples, int sample_rate_hz);

// The header line(s) of a format ("" for jsonl and labels).
std::string format_header(OutputFormat format);

// Appends one line per record. `tag_file` puts the file name in labels (several input files).
void format_records(OutputFormat format, const std::string& file, const std::vector<Record>& records,
                    int sample_rate_hz, bool tag_file, std::string& out);

// One CSV field, quoted when it holds a comma, quote, CR or LF (RFC 4180).
std::string csv_field(std::string_view s);

}  // namespace linedsp::cli
