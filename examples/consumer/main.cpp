// Consumer check of the installed C++ headers: a Q.23 digit through the generator and the Q.24 receiver.
#include <cstdio>
#include <vector>

#include "signals/dtmf_detector.hpp"
#include "signals/dtmf_generator.hpp"

int main() {
  linedsp::DtmfGenerator gen{};
  linedsp::DtmfDetector det{};
  std::vector<std::int16_t> pcm(1600);
  gen.queue("#");
  gen.generate(pcm);
  bool seen = false;
  auto sink = [&](const linedsp::DtmfEvent& e) { seen = seen || (e.begin && e.digit == '#'); };
  det.process(pcm, sink);
  std::printf("C++ headers: digit # %s\n", seen ? "detected" : "MISSED");
  return seen ? 0 : 1;
}
