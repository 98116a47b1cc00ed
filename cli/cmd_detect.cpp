// `linedsp detect`: run the detectors over recordings and print their events.
//
//   linedsp detect [--detect dtmf,cid,...] [--country CC] [--tones FILE] [--format table|jsonl|csv|labels]
//                  [-o OUT] [--jobs N] [--files-from LIST] [--raw s16le|ulaw|alaw --rate HZ [--channels N]]
//                  FILE... | -
//
// Each file is read in blocks (constant memory, devices/file_device.hpp), resampled to 8 kHz, and every
// channel gets its own analyzers (cli/analyzer.hpp; the default is every registered one not marked
// on-request, such as ring voltage; --detect all runs every one). Files are
// analysed in parallel (--jobs, default all cores); the output does not depend on it: files in the order
// given, records sorted by start, channel and type within a file (formats: cli/output.hpp).
// A file that cannot be read is reported on one line ("linedsp: FILE: reason") and skipped, the others
// go on, and the exit code is 1. Output goes to stdout, or to OUT atomically (temporary + rename);
// when no input at all could be analysed nothing is written and an existing OUT is kept.
// With stderr on a terminal a progress line shows files done and audio seconds analysed.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "cli/analyzer.hpp"
#include "cli/command.hpp"
#include "cli/output.hpp"
#include "devices/audio_file.hpp"
#include "devices/file_device.hpp"

namespace linedsp::cli {
namespace {

constexpr int kRate = 8000;  // the detectors' native rate: every input is resampled to it

struct Options {
  std::vector<std::string> files;
  std::string files_from;
  std::string detect;
  std::string country = "us";
  std::string tones;
  std::string format = "table";
  std::string output;
  std::string raw;
  int rate = 0;
  int channels = 1;
  int jobs = 0;
};

struct FileResult {
  std::string error;                  // empty when the file was analysed completely
  std::vector<std::string> warnings;  // printed in file order
  std::vector<Record> records;
};

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

AnalyzerContext make_context(const Options& o, int channel) {
  AnalyzerContext ctx;
  ctx.sample_rate_hz = kRate;
  ctx.channel = channel;
  ctx.country = o.country;
  ctx.tones_file = o.tones;
  ctx.data_dir = data_dir();
  return ctx;
}

FileResult analyse(const std::string& path, const Options& o, const std::vector<const AnalyzerSpec*>& detectors,
                   std::atomic<std::uint64_t>& frames_done) {
  FileResult result;
  try {
    FileOpenOptions fo;
    fo.target_rate_hz = kRate;
    if (!o.raw.empty()) fo.raw = RawFormat{*parse_raw_encoding(o.raw), o.rate, o.channels};
    FileDevice dev(path, fo);
    const auto channels = static_cast<std::size_t>(dev.format().channels);
    std::vector<std::vector<std::unique_ptr<Analyzer>>> per_channel(channels);
    for (std::size_t ch = 0; ch < channels; ++ch)
      for (const AnalyzerSpec* spec : detectors)
        per_channel[ch].push_back(spec->factory(make_context(o, static_cast<int>(ch))));
    constexpr std::size_t kBlock = 1024;
    std::vector<std::int16_t> frames(kBlock * channels), mono(kBlock);
    for (std::size_t n; (n = dev.read(frames)) > 0;) {
      for (std::size_t ch = 0; ch < channels; ++ch) {
        for (std::size_t i = 0; i < n; ++i) mono[i] = frames[i * channels + ch];
        for (auto& a : per_channel[ch]) a->process(std::span<const std::int16_t>(mono.data(), n), result.records);
      }
      frames_done.fetch_add(n, std::memory_order_relaxed);
    }
    if (!dev.error().empty()) {
      result.error = path + ": " + dev.error();
      return result;
    }
    for (auto& list : per_channel)
      for (auto& a : list) a->finish(result.records);
    if (dev.clipped_samples() > 0)
      result.warnings.push_back(path + ": warning: " + std::to_string(dev.clipped_samples()) +
                                " samples beyond full scale were clipped");
  } catch (const std::exception& e) {
    result.error = e.what();
    return result;
  }
  std::stable_sort(result.records.begin(), result.records.end(), [](const Record& a, const Record& b) {
    return std::tie(a.start_sample, a.channel, a.type) < std::tie(b.start_sample, b.channel, b.type);
  });
  return result;
}

// A progress line on stderr, redrawn twice a second, for runs longer than a second.
class Progress {
 public:
  Progress(bool enabled, std::size_t files, const std::atomic<std::size_t>& done, const std::atomic<std::uint64_t>& frames)
      : enabled_(enabled) {
    if (!enabled_) return;
    thread_ = std::thread([this, files, &done, &frames] {
      std::unique_lock lock(mu_);
      bool shown = false;
      auto next = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      while (!cv_.wait_until(lock, next, [this] { return stop_; })) {
        std::fprintf(stderr, "\r\033[Klinedsp: detect: %zu/%zu files, %.0f s of audio", done.load(), files,
                     static_cast<double>(frames.load()) / kRate);
        shown = true;
        next += std::chrono::milliseconds(500);
      }
      if (shown) std::fprintf(stderr, "\r\033[K");
    });
  }
  ~Progress() {
    if (!enabled_) return;
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  bool enabled_;
  bool stop_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
};

int usage(const std::string& message) {
  std::fprintf(stderr, "linedsp: detect: %s\n", message.c_str());
  return kExitUsage;
}

int run(Options o) {
  if (!o.files_from.empty()) {
    std::ifstream list_file;
    std::istream* list = &std::cin;
    if (o.files_from != "-") {
      list_file.open(o.files_from);
      if (!list_file) {
        std::fprintf(stderr, "linedsp: %s: cannot read the file list\n", o.files_from.c_str());
        return kExitError;
      }
      list = &list_file;
    }
    for (std::string line; std::getline(*list, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty() && line[0] != '#') o.files.push_back(line);
    }
  }
  if (o.files.empty()) return usage("no input files (give FILE..., - or --files-from LIST)");
  const auto stdin_uses = std::count(o.files.begin(), o.files.end(), "-");
  if (stdin_uses > 1) return usage("standard input (-) can be read only once");
  if (stdin_uses && o.files_from == "-") return usage("standard input cannot hold both the file list and audio");
  if (!o.raw.empty() && o.rate <= 0) return usage("--raw needs --rate HZ");
  if (o.raw.empty() && o.rate > 0) return usage("--rate applies to headerless input only: give --raw too");
  if (stdin_uses && o.raw.empty()) return usage("standard input needs --raw s16le|ulaw|alaw and --rate HZ");
  const auto format = parse_output_format(o.format);
  if (!format) return usage("--format " + o.format + ": expected table, jsonl, csv or labels");

  std::vector<const AnalyzerSpec*> detectors;
  if (o.detect.empty() || o.detect == "all") {  // the defaults; "all" adds the on-request ones (ring)
    for (const auto& spec : analyzer_registry())
      if (spec.by_default || o.detect == "all") detectors.push_back(&spec);
  } else {
    for (const auto& name : split_list(o.detect)) {
      const auto it = std::find_if(analyzer_registry().begin(), analyzer_registry().end(),
                                   [&](const AnalyzerSpec& s) { return s.name == name; });
      if (it == analyzer_registry().end()) {
        std::string names;
        for (const auto& s : analyzer_registry()) names += (names.empty() ? "" : ", ") + s.name;
        return usage("--detect " + name + ": unknown detector (known: " + names + ")");
      }
      if (std::find(detectors.begin(), detectors.end(), &*it) == detectors.end()) detectors.push_back(&*it);
    }
  }
  if (detectors.empty()) return usage("no detectors are registered in this build");
  std::sort(detectors.begin(), detectors.end(), [](auto* a, auto* b) { return a->name < b->name; });
  for (auto& c : o.country) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));

  // A broken configuration (unknown country, bad tone plan ...) is a usage error found before any file.
  try {
    for (const AnalyzerSpec* spec : detectors) spec->factory(make_context(o, 0));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "linedsp: %s\n", e.what());
    return kExitUsage;
  }

  const std::size_t n = o.files.size();
  std::vector<FileResult> results(n);
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const auto jobs = static_cast<unsigned>(std::min<std::size_t>(n, o.jobs > 0 ? static_cast<unsigned>(o.jobs) : hw));
  std::atomic<std::size_t> next{0}, finished{0};
  std::atomic<std::uint64_t> frames_done{0};
  {
    Progress progress(::isatty(2) != 0, n, finished, frames_done);
    auto worker = [&] {
      for (std::size_t i; (i = next.fetch_add(1)) < n;) {
        results[i] = analyse(o.files[i], o, detectors, frames_done);
        ++finished;
      }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < jobs; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
  }

  std::string out = format_header(*format);
  std::size_t failures = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (const auto& w : results[i].warnings) std::fprintf(stderr, "linedsp: %s\n", w.c_str());
    if (!results[i].error.empty()) {
      std::fprintf(stderr, "linedsp: %s\n", results[i].error.c_str());
      ++failures;
      continue;
    }
    format_records(*format, o.files[i] == "-" ? "stdin" : o.files[i], results[i].records, kRate, n > 1, out);
  }
  if (failures == n) return kExitError;  // nothing analysed: leave OUT as it was
  try {
    write_text_file_atomically(o.output.empty() ? "-" : o.output, out);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "linedsp: %s\n", e.what());
    return kExitError;
  }
  return failures ? kExitError : kExitOk;
}

const Registration kRegistration{
    "detect", "Detect DTMF, call-progress and modem tones and caller ID in recordings", [](CLI::App& app) {
      auto o = std::make_shared<Options>();
      app.add_option("files", o->files, "Audio files (anything libsndfile reads), or - for raw samples on stdin");
      app.add_option("--files-from", o->files_from, "Also read file names from LIST, one per line (- = stdin)");
      std::vector<std::pair<std::string, bool>> known;
      for (const auto& spec : analyzer_registry()) known.emplace_back(spec.name, spec.by_default);
      std::sort(known.begin(), known.end());
      std::string names, on_request;
      for (const auto& [n, by_default] : known) {
        names += (names.empty() ? "" : ",") + n;
        if (!by_default) on_request += (on_request.empty() ? "" : ",") + n;
      }
      app.add_option("--detect", o->detect,
                     "Detectors, comma-separated, from: " + names + "; default: all but " +
                         (on_request.empty() ? "none" : on_request) + "; 'all' runs every one");
      app.add_option("--country", o->country, "Country, ISO 3166 alpha-2 (us, gb, de ...)")->capture_default_str();
      app.add_option("--tones", o->tones, "A tone plan file (TOML) instead of the shipped plans");
      app.add_option("--format", o->format, "Output format: table, jsonl, csv or labels (Audacity)")
          ->check(CLI::IsMember({"table", "jsonl", "csv", "labels"}))
          ->capture_default_str();
      app.add_option("-o,--output", o->output, "Write the events to OUT (atomically) instead of stdout");
      app.add_option("-j,--jobs", o->jobs, "Files analysed in parallel (default: all cores)")->check(CLI::Range(1, 1024));
      app.add_option("--raw", o->raw, "Inputs are headerless samples: s16le, ulaw or alaw")
          ->check(CLI::IsMember({"s16le", "pcm16", "sln", "ulaw", "alaw"}));
      app.add_option("--rate", o->rate, "Sample rate of headerless input, Hz")->check(CLI::Range(4000, 384000));
      app.add_option("--channels", o->channels, "Channels of headerless input (interleaved)")
          ->check(CLI::Range(1, 64))
          ->capture_default_str();
      return [o] { return run(*o); };
    }};

}  // namespace
}  // namespace linedsp::cli
