// fuzz/callerid_fuzz.cpp — caller ID: the message parser (SDMF/MDMF bytes, noexcept, never reads out of
// bounds) and, from the same bytes, the FSK receiver fed them as audio in fuzzer-chosen block sizes, for
// both Bell 202 and V.23; a message that parses is re-encoded and must parse again to the same status.
#include <cstdint>
#include <span>

#include "fuzz/fuzz_util.hpp"
#include "signals/callerid.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  const linedsp::CallerIdParse p = linedsp::parse_callerid(bytes);
  (void)linedsp::callerid_checksum(bytes);
  (void)p;
  const auto in = linedsp::fuzz::split(data, size);
  linedsp::CallerIdReceiverConfig cfg;
  cfg.modem = (in.selector & 1) ? linedsp::FskModem::v23 : linedsp::FskModem::bell202;
  cfg.require_seizure = (in.selector & 2) != 0;
  linedsp::CallerIdReceiver rx(cfg);
  std::size_t events = 0;
  auto sink = [&](const linedsp::CallerIdEvent&) { ++events; };
  linedsp::fuzz::for_blocks(in, in.samples, [&](std::span<const std::int16_t> b) { rx.process(b, sink); });
  rx.end_of_stream(sink);
  return 0;
}
