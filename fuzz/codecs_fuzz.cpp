// fuzz/codecs_fuzz.cpp — codecs and the DTMF caller-ID path on arbitrary bytes:
//  - G.711: every ISA's batch encode/decode kernels (at any length and misalignment) equal the scalar one
//    sample by sample (per-ISA kernels are where out-of-bounds tails hide);
//  - G.711 Appendix I PLC: a fuzzer-chosen good/lost frame pattern over arbitrary audio (odd-length spans too);
//  - DTMF caller ID (signals/callerid_dtmf): the digit-string parser in every format, and the receiver fed the
//    bytes as digits at fuzzer-chosen times; every begin is followed by at most one end.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "codecs/g711.hpp"
#include "codecs/plc.hpp"
#include "dsp/simd.hpp"
#include "signals/callerid_dtmf.hpp"

namespace {
void require(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t mode = data[0];
  const std::size_t off = mode & 7;  // misalignment of the sample view
  const std::span<const std::uint8_t> bytes(data + 1, size - 1);

  // G.711 kernels vs scalar.
  {
    std::vector<std::int16_t> pcm((bytes.size() + 1) / 2 + 8);
    for (std::size_t i = 0; i < bytes.size(); ++i)
      pcm[off + i / 2] = std::int16_t(std::uint16_t(pcm[off + i / 2]) | std::uint16_t(bytes[i]) << (8 * (i & 1)));
    const std::size_t n = (bytes.size() + 1) / 2;
    const auto& ref = linedsp::g711_kernels(linedsp::Isa::scalar);
    std::vector<std::uint8_t> e_ref(n + 1), e(n + 1);
    std::vector<std::int16_t> d_ref(bytes.size() + 1), d(bytes.size() + 1);
    for (linedsp::Isa isa : linedsp::available_isas()) {
      const auto& k = linedsp::g711_kernels(isa);
      for (int law = 0; law < 2; ++law) {
        (law ? ref.encode_alaw : ref.encode_ulaw)(pcm.data() + off, e_ref.data(), n);
        (law ? k.encode_alaw : k.encode_ulaw)(pcm.data() + off, e.data() + (off & 1), n);
        for (std::size_t i = 0; i < n; ++i) require(e_ref[i] == e[i + (off & 1)]);
        (law ? ref.decode_alaw : ref.decode_ulaw)(bytes.data(), d_ref.data(), bytes.size());
        (law ? k.decode_alaw : k.decode_ulaw)(bytes.data(), d.data() + (off & 1), bytes.size());
        for (std::size_t i = 0; i < bytes.size(); ++i) require(d_ref[i] == d[i + (off & 1)]);
      }
    }
  }

  // PLC: bit i of the loss pattern (the bytes, cycled) says whether frame i is lost.
  {
    linedsp::G711Plc plc;
    std::vector<std::int16_t> in(linedsp::G711Plc::kFrameSamples * 2), out(in.size());
    std::size_t pos = 0;
    const std::size_t frames = std::min<std::size_t>(bytes.size(), 64);
    for (std::size_t f = 0; f < frames; ++f) {
      const std::size_t len = (mode & 0x80) ? in.size() - (bytes[f] & 31) : linedsp::G711Plc::kFrameSamples;
      for (std::size_t i = 0; i < len; ++i, ++pos)
        in[i] = std::int16_t(bytes[pos % bytes.size()] << 8 | bytes[(pos + 1) % bytes.size()]);
      const bool lost = (bytes[(f * 7) % bytes.size()] >> (f & 7)) & 1;
      const std::size_t w = lost ? plc.lost_frame(std::span<std::int16_t>(out.data(), len))
                                 : plc.good_frame(std::span<const std::int16_t>(in.data(), len),
                                                  std::span<std::int16_t>(out.data(), len));
      require(w <= len && w % linedsp::G711Plc::kFrameSamples == 0);
    }
  }

  // DTMF caller ID: parser on the text in every format; receiver fed it digit by digit.
  {
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    for (auto f : {linedsp::DtmfCallerIdFormat::a_c, linedsp::DtmfCallerIdFormat::a_hash,
                   linedsp::DtmfCallerIdFormat::d_c, linedsp::DtmfCallerIdFormat::hash})
      (void)linedsp::parse_dtmf_callerid(text, f);
    linedsp::DtmfCallerIdReceiverConfig cfg;
    cfg.format = linedsp::DtmfCallerIdFormat(mode >> 6);
    linedsp::DtmfCallerIdReceiver rx(cfg);
    int open = 0;
    auto sink = [&](const linedsp::CallerIdEvent& e) {
      if (e.begin) {
        open = 1;
      } else {
        require(open <= 1);
        open = 0;
      }
    };
    std::uint64_t t = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      t += std::uint64_t(bytes[(i * 13) % bytes.size()]) * 40;
      rx.digit(text[i], t, sink);
      rx.advance(t + 80, sink);
    }
    rx.advance(t + 8000 * 10, sink);
  }
  return 0;
}
