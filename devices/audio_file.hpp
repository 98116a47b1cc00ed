// devices/audio_file.hpp — writing audio and text files safely: to a temporary name in the same
// folder, renamed over the destination only when complete (commit()), so a failed run never leaves a
// half-written file nor destroys an older one.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace linedsp {

enum class SampleEncoding : std::uint8_t { pcm16, ulaw, alaw };
std::optional<SampleEncoding> parse_sample_encoding(std::string_view name) noexcept;  // pcm16|ulaw|alaw
const char* sample_encoding_name(SampleEncoding e) noexcept;

struct AudioFileSpec {
  int sample_rate_hz = 8000;
  int channels = 1;
  SampleEncoding encoding = SampleEncoding::pcm16;
};

// Container from the extension: .wav (and anything unknown), .au, .flac (pcm16 only), .raw/.sln/.ul/.al
// headerless. "-" writes headerless samples to stdout. Errors throw std::runtime_error("PATH: reason").
// G.711 output is coded by codecs/g711 (ITU bit-exact), not by libsndfile.
class AudioFileWriter {
 public:
  AudioFileWriter(std::string path, AudioFileSpec spec);
  ~AudioFileWriter();  // without commit(): removes the temporary
  AudioFileWriter(const AudioFileWriter&) = delete;
  AudioFileWriter& operator=(const AudioFileWriter&) = delete;

  void write(std::span<const std::int16_t> interleaved);  // whole frames
  void commit();                                           // finish and rename into place

 private:
  struct Impl;
  Impl* impl_;
};

// Writes `contents` to `path` atomically ("-" = stdout). Throws std::runtime_error("PATH: reason").
void write_text_file_atomically(const std::string& path, std::string_view contents);

}  // namespace linedsp
