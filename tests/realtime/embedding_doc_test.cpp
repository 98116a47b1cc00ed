// tests/realtime/embedding_doc_test.cpp — docs/embedding.md cannot rot: every code block marked
// "<!-- excerpt: PATH -->" must be an excerpt of PATH (each non-blank line of the block, trimmed, appears in
// PATH in the same order), and PATH is one of the example programs ctest builds and runs (examples/CMakeLists.txt),
// so the loops the page shows are code that compiles and passes.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/paths.hpp"

namespace {

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  const auto b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

struct Excerpt {
  std::string path;
  std::vector<std::string> lines;
  int doc_line = 0;
};

std::vector<Excerpt> excerpts(const std::vector<std::string>& doc) {
  std::vector<Excerpt> out;
  const std::string tag = "<!-- excerpt: ";
  for (std::size_t i = 0; i < doc.size(); ++i) {
    if (doc[i].rfind(tag, 0) != 0) continue;
    Excerpt e;
    e.path = doc[i].substr(tag.size(), doc[i].find(" -->") - tag.size());
    e.doc_line = int(i + 1);
    std::size_t j = i + 1;
    if (j < doc.size() && doc[j].rfind("```", 0) == 0) ++j;
    for (; j < doc.size() && doc[j].rfind("```", 0) != 0; ++j)
      if (!trim(doc[j]).empty()) e.lines.push_back(trim(doc[j]));
    out.push_back(e);
  }
  return out;
}

TEST(EmbeddingDoc, CodeExcerptsAreFromTheExamplePrograms) {
  const std::string root = linedsp::test::source_dir();
  const auto doc = lines_of(root + "/docs/embedding.md");
  ASSERT_FALSE(doc.empty()) << "docs/embedding.md missing";
  const auto ex = excerpts(doc);
  ASSERT_GE(ex.size(), 4u);
  std::ifstream cm(root + "/examples/CMakeLists.txt");
  std::stringstream cmake;
  cmake << cm.rdbuf();
  for (const auto& e : ex) {
    SCOPED_TRACE("docs/embedding.md:" + std::to_string(e.doc_line) + " excerpt of " + e.path);
    ASSERT_EQ(e.path.rfind("examples/", 0), 0u);
    EXPECT_NE(cmake.str().find(e.path.substr(std::string("examples/").size())), std::string::npos)
        << e.path << " is not built by examples/CMakeLists.txt";
    const auto src = lines_of(root + "/" + e.path);
    ASSERT_FALSE(src.empty());
    std::size_t at = 0;
    for (const auto& want : e.lines) {
      while (at < src.size() && trim(src[at]) != want) ++at;
      ASSERT_LT(at, src.size()) << "not found (in order): " << want;
      ++at;
    }
  }
}

}  // namespace
