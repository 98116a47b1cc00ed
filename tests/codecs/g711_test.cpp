// G.711 conformance: ITU-T G.711 (11/88) Tables 1a/1b (A-law) and 2a/2b (mu-law), checked three ways:
//  1. against the ITU-T G.191 reference vectors (sweep.src through the G.191 encoder and decoder),
//  2. against an encoder written directly from the Recommendation's decision levels (a table search,
//     independent of the bit manipulation in codecs/g711.cpp), on all 65,536 inputs,
//  3. every SIMD variant against the scalar reference on all inputs and codes.
// It also records exactly where libsndfile, sox and spandsp differ from the ITU reference, so the
// claim "bit-exact, unlike X" is itself a test.
#include <gtest/gtest.h>
#include <sndfile.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <numeric>
#include <string>
#include <vector>

#include "codecs/g711.hpp"
#include "dsp/level.hpp"
#include "dsp/simd.hpp"
#include "support/paths.hpp"

#if LINEDSP_HAVE_SPANDSP
#include <spandsp.h>
#endif

namespace linedsp {
namespace {

std::vector<std::int16_t> all_inputs() {
  std::vector<std::int16_t> x(65536);
  for (int i = 0; i < 65536; ++i) x[static_cast<std::size_t>(i)] = static_cast<std::int16_t>(i - 32768);
  return x;
}

std::vector<std::int16_t> read_words(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<std::int16_t> w(bytes.size() / 2);
  for (std::size_t i = 0; i < w.size(); ++i)  // the vectors are little-endian 16-bit words
    w[i] = static_cast<std::int16_t>(static_cast<std::uint8_t>(bytes[2 * i]) |
                                     (static_cast<std::uint8_t>(bytes[2 * i + 1]) << 8));
  return w;
}

// --- 1. ITU-T G.191 reference vectors ---------------------------------------------------------------

class ItuVectors : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = test::itu_g711_vectors_dir();
    if (!dir) GTEST_SKIP() << "ITU-T G.191 G.711 vectors not found (set LINEDSP_ITU_VECTORS or place them in "
                              "../shared/itu-vectors/g711); the table-search oracle below still runs";
    dir_ = *dir;
    src_ = read_words(dir_ + "/sweep.src");
    ASSERT_EQ(src_.size(), 65536u) << dir_ << "/sweep.src";
  }
  std::string dir_;
  std::vector<std::int16_t> src_;
};

// G.191 sweep-r.u / sweep-r.a: the reference encoder's code for every 16-bit input (one code per word).
TEST_F(ItuVectors, EncodeIsBitExactForEvery16BitInput) {
  for (Law law : {Law::ulaw, Law::alaw}) {
    const auto ref = read_words(dir_ + (law == Law::ulaw ? "/sweep-r.u" : "/sweep-r.a"));
    ASSERT_EQ(ref.size(), src_.size());
    std::vector<std::uint8_t> codes(src_.size());
    g711_encode(law, src_, codes);
    int mismatches = 0;
    for (std::size_t i = 0; i < src_.size(); ++i) {
      const std::uint8_t one = law == Law::ulaw ? encode_ulaw(src_[i]) : encode_alaw(src_[i]);
      if (codes[i] != ref[i] || one != ref[i]) {
        if (++mismatches < 5)
          ADD_FAILURE() << (law == Law::ulaw ? "mu" : "A") << "-law input " << src_[i] << ": got "
                        << int(codes[i]) << "/" << int(one) << ", G.191 " << ref[i];
      }
    }
    EXPECT_EQ(mismatches, 0);
  }
}

// G.191 sweep-r.u-u / sweep-r.a-a: encode then decode with the reference software.
TEST_F(ItuVectors, DecodeIsBitExactForEveryCode) {
  for (Law law : {Law::ulaw, Law::alaw}) {
    const auto codes16 = read_words(dir_ + (law == Law::ulaw ? "/sweep-r.u" : "/sweep-r.a"));
    const auto ref = read_words(dir_ + (law == Law::ulaw ? "/sweep-r.u-u" : "/sweep-r.a-a"));
    ASSERT_EQ(ref.size(), codes16.size());
    std::vector<std::uint8_t> codes(codes16.begin(), codes16.end());
    std::vector<std::int16_t> out(codes.size());
    g711_decode(law, codes, out);
    int mismatches = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
      const std::int16_t one = law == Law::ulaw ? decode_ulaw(codes[i]) : decode_alaw(codes[i]);
      if (out[i] != ref[i] || one != ref[i]) ++mismatches;
    }
    EXPECT_EQ(mismatches, 0) << (law == Law::ulaw ? "mu" : "A") << "-law";
  }
}

// --- 2. An independent oracle: table search over the Recommendation's decision levels ---------------

// G.711 Table 2a (mu-law), positive half on the 14-bit scale (0..8159): the decision values that
// start each of the 128 quantisation intervals, built from the segment table (8 segments of 16
// intervals; the interval widths double from 2 to 256; segment 0 starts with an interval of width 1).
std::array<int, 128> mulaw_decision_levels() {
  std::array<int, 128> d{};
  int x = 0, k = 0;
  for (int seg = 0; seg < 8; ++seg) {
    const int width = 2 << seg;  // 2, 4, ... 256
    for (int i = 0; i < 16; ++i) {
      d[static_cast<std::size_t>(k++)] = x;
      x += (seg == 0 && i == 0) ? 1 : width;  // the first interval, 0..1, is half-width
    }
  }
  return d;
}

// G.711 Table 1a (A-law), positive half on the 13-bit scale (0..4095): segments 0 and 1 have 16
// intervals of width 2; segments 2..7 double from 4 to 128.
std::array<int, 128> alaw_decision_levels() {
  std::array<int, 128> d{};
  int x = 0, k = 0;
  for (int seg = 0; seg < 8; ++seg) {
    const int width = seg == 0 ? 2 : (2 << (seg - 1));
    for (int i = 0; i < 16; ++i) {
      d[static_cast<std::size_t>(k++)] = x;
      x += width;
    }
  }
  return d;
}

int interval_of(const std::array<int, 128>& levels, int magnitude) {
  int k = 0;
  while (k + 1 < 128 && magnitude >= levels[static_cast<std::size_t>(k + 1)]) ++k;
  return k;
}

// The character signal per Table 2a/1a: polarity bit 1 for positive; mu-law inverts all bits, A-law the
// even bits. Negative inputs are quantised from their one's complement, as G.191 specifies for 16-bit
// two's complement input (so the negative half mirrors the positive exactly).
std::uint8_t table_encode(Law law, std::int16_t x) {
  const int m = x < 0 ? ~x : x;
  const bool positive = x >= 0;
  if (law == Law::ulaw) {
    const int k = interval_of(mulaw_decision_levels(), m >> 2);  // 14-bit scale
    const int character = (positive ? 0x80 : 0) | k;
    return static_cast<std::uint8_t>(character ^ 0x7F);  // all bits inverted on the line: ~char, polarity kept
  }
  const int k = interval_of(alaw_decision_levels(), m >> 3);  // 13-bit scale
  const int character = (positive ? 0x80 : 0) | k;
  return static_cast<std::uint8_t>(character ^ 0x55);
}

TEST(G711TableSearchOracle, EncodeMatchesDecisionTablesOnAll65536Inputs) {
  const auto mu = mulaw_decision_levels();
  EXPECT_EQ(mu[127], 8159 - 256);  // G.711 Table 2a: the last decision value is 7903, overload at 8159
  const auto a = alaw_decision_levels();
  EXPECT_EQ(a[127], 4096 - 128);  // Table 1a: 3968
  for (Law law : {Law::ulaw, Law::alaw}) {
    int mismatches = 0;
    for (int i = -32768; i < 32768; ++i) {
      const auto x = static_cast<std::int16_t>(i);
      const std::uint8_t want = table_encode(law, x);
      const std::uint8_t got = law == Law::ulaw ? encode_ulaw(x) : encode_alaw(x);
      if (want != got && ++mismatches < 5)
        ADD_FAILURE() << (law == Law::ulaw ? "mu" : "A") << "-law " << i << ": table " << int(want) << " code "
                      << int(got);
    }
    EXPECT_EQ(mismatches, 0);
  }
}

// Decoding returns the middle of the interval the code names (Tables 1a/2a "decoder output value").
TEST(G711TableSearchOracle, DecodeIsTheIntervalMidpoint) {
  const auto mu = mulaw_decision_levels();
  const auto a = alaw_decision_levels();
  for (int k = 0; k < 128; ++k) {
    const int mu_hi = k == 127 ? 8159 : mu[static_cast<std::size_t>(k + 1)];
    const int mu_mid = k == 0 ? 0 : (mu[static_cast<std::size_t>(k)] + mu_hi) / 2;
    EXPECT_EQ(decode_ulaw(static_cast<std::uint8_t>((0x80 | k) ^ 0x7F)), mu_mid * 4) << "mu-law interval " << k;
    EXPECT_EQ(decode_ulaw(static_cast<std::uint8_t>(k ^ 0x7F)), -mu_mid * 4) << "mu-law interval -" << k;
    const int a_hi = k == 127 ? 4096 : a[static_cast<std::size_t>(k + 1)];
    const int a_mid = (a[static_cast<std::size_t>(k)] + a_hi) / 2;
    EXPECT_EQ(decode_alaw(static_cast<std::uint8_t>((0x80 | k) ^ 0x55)), a_mid * 8) << "A-law interval " << k;
    EXPECT_EQ(decode_alaw(static_cast<std::uint8_t>(k ^ 0x55)), -a_mid * 8) << "A-law interval -" << k;
  }
}

// G.711 §5 / Table 5 and 6: the digital milliwatt (one period of 1 kHz, 8 codes) is 0 dBm0.
TEST(G711DigitalMilliwatt, DecodesToZeroDbm0) {
  const std::uint8_t mu[8] = {0x1E, 0x0B, 0x0B, 0x1E, 0x9E, 0x8B, 0x8B, 0x9E};
  const std::uint8_t al[8] = {0x34, 0x21, 0x21, 0x34, 0xB4, 0xA1, 0xA1, 0xB4};
  for (Law law : {Law::ulaw, Law::alaw}) {
    std::vector<std::int16_t> pcm(8);
    g711_decode(law, std::span<const std::uint8_t>(law == Law::ulaw ? mu : al, 8), pcm);
    double power = 0;
    for (auto s : pcm) power += double(s) * s;
    EXPECT_NEAR(power_to_dbm0(power / 8), 0.0, 0.05) << (law == Law::ulaw ? "mu" : "A") << "-law";
  }
}

// --- 3. Every SIMD variant equals the scalar reference --------------------------------------------

TEST(G711Kernels, EveryIsaEqualsScalarOnAllInputsLengthsAndOffsets) {
  const auto x = all_inputs();
  std::vector<std::uint8_t> codes(256);
  std::iota(codes.begin(), codes.end(), 0);
  const G711Kernels& ref = g711_kernels(Isa::scalar);
  for (Isa isa : available_isas()) {
    SCOPED_TRACE(isa_name(isa));
    const G711Kernels& k = g711_kernels(isa);
    for (Law law : {Law::ulaw, Law::alaw}) {
      // whole range, then odd lengths at odd offsets (tails and unaligned loads)
      for (auto [offset, len] : {std::pair<std::size_t, std::size_t>{0, 65536}, {1, 65535}, {3, 37}, {5, 7},
                                 {17, 1}, {31, 16}, {40000, 129}}) {
        std::vector<std::uint8_t> a(len + 1, 0xEE), b(len + 1, 0xEE);
        (law == Law::ulaw ? ref.encode_ulaw : ref.encode_alaw)(x.data() + offset, a.data(), len);
        (law == Law::ulaw ? k.encode_ulaw : k.encode_alaw)(x.data() + offset, b.data(), len);
        ASSERT_EQ(a, b) << "encode offset " << offset << " length " << len;
      }
      for (std::size_t off : {0u, 1u, 3u}) {
        std::vector<std::uint8_t> in(codes.begin(), codes.end());
        in.insert(in.end(), codes.begin(), codes.end());
        const std::size_t len = in.size() - off;
        std::vector<std::int16_t> a(len + 1, 7), b(len + 1, 7);
        (law == Law::ulaw ? ref.decode_ulaw : ref.decode_alaw)(in.data() + off, a.data(), len);
        (law == Law::ulaw ? k.decode_ulaw : k.decode_alaw)(in.data() + off, b.data(), len);
        ASSERT_EQ(a, b) << "decode offset " << off;
      }
    }
  }
}

TEST(G711Batch, ProcessesTheShorterOfTheTwoSpans) {
  const std::int16_t in[5] = {0, 1, -1, 1000, -1000};
  std::uint8_t out[3] = {};
  EXPECT_EQ(g711_encode(Law::ulaw, in, out), 3u);
  EXPECT_EQ(out[2], encode_ulaw(-1));
}

// --- Where the common open-source codecs differ from ITU-T G.191 ------------------------------------

// Codes written by libsndfile for every input (raw headerless mu-law/A-law file).
std::vector<std::uint8_t> libsndfile_encode(Law law, const std::vector<std::int16_t>& x) {
  const std::string path = test::temp_dir() + (law == Law::ulaw ? "/sf.ul" : "/sf.al");
  SF_INFO info{};
  info.samplerate = 8000;
  info.channels = 1;
  info.format = SF_FORMAT_RAW | (law == Law::ulaw ? SF_FORMAT_ULAW : SF_FORMAT_ALAW);
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  EXPECT_NE(f, nullptr) << sf_strerror(nullptr);
  if (!f) return {};
  sf_write_short(f, x.data(), static_cast<sf_count_t>(x.size()));
  sf_close(f);
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct Differences {
  int count = 0;
  int negative = 0;
  int max_level_distance = 0;  // in quantisation levels: 1 = the neighbouring level (a boundary rounded the other way)
};
// Rank of a code's decoded value among all 256 levels (mu-law has two zeros: they share a rank).
int level_rank(Law law, std::uint8_t code) {
  const int v = law == Law::ulaw ? decode_ulaw(code) : decode_alaw(code);
  int rank = 0;
  for (int c = 0; c < 256; ++c) {
    const int w = law == Law::ulaw ? decode_ulaw(static_cast<std::uint8_t>(c)) : decode_alaw(static_cast<std::uint8_t>(c));
    if (w < v && !(law == Law::ulaw && w == 0)) ++rank;
  }
  return rank;
}
Differences compare(Law law, const std::vector<std::int16_t>& x, const std::vector<std::uint8_t>& codes) {
  Differences d;
  for (std::size_t i = 0; i < x.size() && i < codes.size(); ++i) {
    const std::uint8_t ours = law == Law::ulaw ? encode_ulaw(x[i]) : encode_alaw(x[i]);
    if (ours != codes[i]) {
      ++d.count;
      if (x[i] < 0) ++d.negative;
      d.max_level_distance = std::max(d.max_level_distance, std::abs(level_rank(law, ours) - level_rank(law, codes[i])));
    }
  }
  return d;
}

// libsndfile's mu-law encoder (a Sun-lineage table) rounds negative inputs from the two's complement:
// it differs from G.191 exactly at the 127 negative decision boundaries (each by one code step), and
// its A-law encoder likewise at negative boundaries. Decoding agrees with G.711 everywhere.
TEST(G711VersusPeers, LibsndfileDiffersOnlyAtNegativeDecisionBoundaries) {
  const auto x = all_inputs();
  const auto mu = compare(Law::ulaw, x, libsndfile_encode(Law::ulaw, x));
  std::printf("libsndfile mu-law: %d of 65536 inputs differ from G.191 (%d negative)\n", mu.count, mu.negative);
  EXPECT_EQ(mu.count, 127);
  EXPECT_EQ(mu.negative, mu.count);
  EXPECT_EQ(mu.max_level_distance, 1);
  const auto al = compare(Law::alaw, x, libsndfile_encode(Law::alaw, x));
  std::printf("libsndfile A-law: %d of 65536 inputs differ from G.191 (%d negative)\n", al.count, al.negative);
  EXPECT_GT(al.count, 0);
  EXPECT_EQ(al.negative, al.count);
}

// sox with -D (no dither) scales through its 32-bit internal format and rounds to the law's 13/14 bits
// rather than truncating, so it moves decision boundaries on both sides of zero; every difference is
// still the neighbouring level.
TEST(G711VersusPeers, SoxRoundsDecisionBoundariesToTheNeighbouringLevel) {
  if (!test::have_program("sox")) GTEST_SKIP() << "sox not installed (Debian: sox)";
  const auto x = all_inputs();
  const std::string dir = test::temp_dir();
  {
    std::ofstream raw(dir + "/all.s16", std::ios::binary);
    raw.write(reinterpret_cast<const char*>(x.data()), static_cast<std::streamsize>(x.size() * 2));
  }
  for (Law law : {Law::ulaw, Law::alaw}) {
    const std::string out = dir + (law == Law::ulaw ? "/all.ul" : "/all.al");
    const std::string cmd = "sox -D -t raw -e signed -b 16 -c 1 -r 8000 -L " + dir + "/all.s16 -t raw -e " +
                            (law == Law::ulaw ? "mu-law" : "a-law") + " -b 8 " + out + " 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream in(out, std::ios::binary);
    const std::vector<std::uint8_t> codes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_EQ(codes.size(), x.size());
    const auto d = compare(law, x, codes);
    std::printf("sox %s: %d of 65536 inputs differ from G.191 (%d negative)\n", law == Law::ulaw ? "mu-law" : "A-law",
                d.count, d.negative);
    EXPECT_GT(d.count, 0);
    EXPECT_GT(d.count - d.negative, 0) << "sox also differs on positive inputs";
    EXPECT_EQ(d.max_level_distance, 1);
  }
}

#if LINEDSP_HAVE_SPANDSP
TEST(G711VersusPeers, SpandspDiffersAtTheNegativeMuLawBoundariesAndDecodesAlike) {
  const auto x = all_inputs();
  std::vector<std::uint8_t> mu(x.size()), al(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    mu[i] = linear_to_ulaw(x[i]);
    al[i] = linear_to_alaw(x[i]);
  }
  const auto dmu = compare(Law::ulaw, x, mu);
  const auto dal = compare(Law::alaw, x, al);
  std::printf("spandsp: mu-law %d differ (%d negative), A-law %d differ (%d negative)\n", dmu.count, dmu.negative,
              dal.count, dal.negative);
  EXPECT_EQ(dmu.count, 127);
  EXPECT_EQ(dmu.negative, 127);
  EXPECT_EQ(dal.negative, dal.count);
  for (int c = 0; c < 256; ++c) {
    EXPECT_EQ(ulaw_to_linear(static_cast<std::uint8_t>(c)), decode_ulaw(static_cast<std::uint8_t>(c))) << c;
    EXPECT_EQ(alaw_to_linear(static_cast<std::uint8_t>(c)), decode_alaw(static_cast<std::uint8_t>(c))) << c;
  }
}
#endif

}  // namespace
}  // namespace linedsp
