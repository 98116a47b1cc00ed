// Tone plan files (signals/tone_plan.hpp): the shipped plans load and carry the figures of their sources; broken
// files give "FILE:LINE: field: what" errors.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <string>

#include "signals/tone_generator.hpp"
#include "signals/tone_plan.hpp"
#include "support/paths.hpp"

namespace {

using namespace linedsp;

std::string error_of(const std::string& text, const std::string& file = "plan.toml") {
  try {
    parse_tone_plan(text, file);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TonePlan, ShippedPlansLoadWithSourcesForAtLeast40Countries) {
  const auto plans = load_all_plans(test::source_dir() + "/data");
  EXPECT_GE(plans.size(), 40u);
  for (const auto& p : plans) {
    EXPECT_FALSE(p.name.empty()) << p.country;
    for (const char* kind : {"dial", "ringback", "busy", "congestion"})
      EXPECT_NE(p.find(*parse_tone_kind(kind)), nullptr) << p.country << " lacks " << kind;
    EXPECT_NE(p.find_ring("normal"), nullptr) << p.country;
    for (const auto& t : p.tones) {
      EXPECT_FALSE(t.source.empty()) << p.country << "." << t.name;
      EXPECT_GT(t.line, 0);
      EXPECT_NO_THROW(ToneGenerator g(t)) << p.country << "." << t.name;
    }
  }
}

// REFERENCES.md (North America, from E.300 Suppl. 3 / GR-506): dial 350+440 continuous; ringback 440+480 2 s on
// 4 s off; busy 480+620 0.5/0.5; reorder 0.25/0.25. UK (BT SIN 350): ringing 400+450 0.4/0.2/0.4/2.0; busy 400
// 0.375/0.375; congestion 400 0.4/0.35/0.225/0.525.
TEST(TonePlan, NorthAmericaAndUkFiguresAsPublished) {
  const auto us = load_country_plan(test::source_dir() + "/data", "us");
  EXPECT_EQ(us.find("dial")->frequencies(), (std::vector<double>{350, 440}));
  EXPECT_TRUE(us.find("dial")->continuous());
  const Tone& rb = *us.find("ringback");
  EXPECT_EQ(rb.frequencies(), (std::vector<double>{440, 480}));
  ASSERT_EQ(rb.segments.size(), 2u);
  EXPECT_EQ(rb.segments[0].duration_ms, 2000u);
  EXPECT_EQ(rb.segments[1].duration_ms, 4000u);
  EXPECT_EQ(us.find("busy")->frequencies(), (std::vector<double>{480, 620}));
  EXPECT_EQ(us.find("busy")->cycle_ms(), 1000u);
  EXPECT_EQ(us.find("congestion")->cycle_ms(), 500u);
  EXPECT_DOUBLE_EQ(us.find("dial")->segments[0].components[0].level_dbm0, -13.0);
  const auto uk = load_country_plan(test::source_dir() + "/data", "gb");
  const Tone& ring = *uk.find("ringback");
  std::vector<std::uint32_t> d;
  for (auto& s : ring.segments) d.push_back(s.duration_ms);
  EXPECT_EQ(d, (std::vector<std::uint32_t>{400, 200, 400, 2000}));
  d.clear();
  for (auto& s : uk.find("congestion")->segments) d.push_back(s.duration_ms);
  EXPECT_EQ(d, (std::vector<std::uint32_t>{400, 350, 225, 525}));
}

TEST(TonePlan, AmToneBecomesCarrierAndSidebands) {
  const auto c = parse_frequency_spec("425x25", -10.0, 1.0);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_DOUBLE_EQ(c[0].freq_hz, 400);
  EXPECT_DOUBLE_EQ(c[1].freq_hz, 425);
  EXPECT_DOUBLE_EQ(c[2].freq_hz, 450);
  EXPECT_NEAR(c[0].level_dbm0, -10.0 + 20 * std::log10(0.5), 1e-9);  // (1 + m cos) sin: sidebands m/2
  EXPECT_THROW(parse_frequency_spec("425x", -10, 0.9), std::invalid_argument);
  EXPECT_THROW(parse_frequency_spec("25x425", -10, 0.9), std::invalid_argument);
}

TEST(TonePlan, BrokenFilesNameFileLineAndField) {
  struct Case {
    const char* text;
    const char* expect;  // regex on the message
  };
  const Case cases[] = {
      {"country = \"xx\"\n[tones.busy]\nfreqs = [480, 620]\ncadence = [500, \"x\"]\n", "^plan.toml:4: tones.busy.cadence: "},
      {"country = \"xx\"\n[tones.busy]\nfreqs = [48000]\n", "^plan.toml:3: tones.busy.freqs: .*outside"},
      {"country = \"xx\"\n\n[tones.beep]\nfreqs = [400]\n", "^plan.toml:3: tones.beep.kind: missing"},
      {"country = \"xx\"\n[tones.busy]\nfreqs = [400]\nlevel_dbm0 = 7\n", "^plan.toml:4: tones.busy.level_dbm0: "},
      {"country = \"xx\"\n[tones.busy]\nfreqs = [400]\ncolour = 1\n", "^plan.toml:4: tones.busy.colour: unknown field"},
      {"country = \"xx\"\n[tones.busy]\nfreqs = [\"425y25\"]\n", "^plan.toml:3: tones.busy.freqs: "},
      {"country = \"xx\"\n[tones.busy]\nfreqs = [400]\ncadence = [0, 500]\n", "^plan.toml:4: tones.busy.cadence: 0"},
      {"country = \"xx\"\n[tones.sit]\nsegments = [ { freqs = [950], ms = 330 }, { ms = -1 } ]\n",
       "^plan.toml:3: tones.sit.segments\\[1\\].ms: "},
      {"country = \"xx\"\n[rings.normal]\ncadence = [1000]\n", "^plan.toml:3: rings.normal.cadence: "},
      {"country = \"xx\"\n[tones.busy\nfreqs = [400]\n", "^plan.toml:2: syntax: "},
      {"name = \"no country\"\n", "^plan.toml:1: country: missing"},
      {"country = \"xx\"\n[tones.busy]\nkind = \"bussy\"\nfreqs = [400]\n", "^plan.toml:3: tones.busy.kind: unknown"},
  };
  for (const auto& c : cases) {
    const std::string msg = error_of(c.text);
    EXPECT_TRUE(std::regex_search(msg, std::regex(c.expect))) << "got: " << msg << "\nfor:\n" << c.text;
  }
  // A file on disk: the message carries its path.
  const std::string path = test::temp_dir() + "/mine.toml";
  std::ofstream(path) << "country = \"xx\"\n[tones.busy]\nfreqs = [400]\ncadence = [500, 500, -3]\n";
  try {
    load_tone_plan(path);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ":4: tones.busy.cadence: ", 0), 0u) << e.what();
  }
  try {
    load_tone_plan(path + ".absent");
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot read"), std::string::npos);
  }
}

TEST(TonePlan, UserPlanOverridesKeysAndKeepsFileOrder) {
  const auto p = parse_tone_plan(
      "country = \"pbx\"\nname = \"My PBX\"\nlevel_dbm0 = -15\n"
      "[tones.busy]\nfreqs = [440]\ncadence = [300, 300]\nsource = \"measured\"\n"
      "[tones.dial]\nfreqs = [\"425x25\"]\nam_depth = 1.0\n"
      "[tones.beep]\nkind = \"other\"\nfreqs = [1400]\ncadence = [100]\nrepeat = false\n",
      "pbx.toml");
  ASSERT_EQ(p.tones.size(), 3u);
  EXPECT_EQ(p.tones[0].name, "busy");
  EXPECT_EQ(p.tones[1].name, "dial");
  EXPECT_TRUE(p.tones[1].am);
  EXPECT_EQ(p.tones[1].segments[0].components.size(), 3u);
  EXPECT_DOUBLE_EQ(p.tones[0].segments[0].components[0].level_dbm0, -15.0);
  EXPECT_FALSE(p.tones[2].repeat);
  EXPECT_EQ(p.tones[2].kind, ToneKind::other);
}

}  // namespace
