// The deterministic modules read no clock, start no thread and draw no randomness outside Rng
// (DESIGN.md, principle 2; STYLE.md, "Determinism hygiene"). Comments are the only place such
// a name may appear; nothing is allow-listed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// The text with // and /* */ comments blanked out (string literals are kept as code).
std::string StripComments(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  enum { kCode, kLine, kBlock, kString, kChar } state = kCode;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i], n = i + 1 < s.size() ? s[i + 1] : '\0';
    switch (state) {
      case kCode:
        if (c == '/' && n == '/')
          state = kLine, ++i;
        else if (c == '/' && n == '*')
          state = kBlock, ++i;
        else {
          if (c == '"')
            state = kString;
          else if (c == '\'')
            state = kChar;
          out += c;
        }
        break;
      case kLine:
        if (c == '\n') state = kCode, out += c;
        break;
      case kBlock:
        if (c == '*' && n == '/')
          state = kCode, ++i;
        else if (c == '\n')
          out += c;
        break;
      case kString:
      case kChar:
        out += c;
        if (c == '\\' && i + 1 < s.size())
          out += s[++i];
        else if (c == (state == kString ? '"' : '\''))
          state = kCode;
        break;
    }
  }
  return out;
}

std::vector<fs::path> DeterministicSources() {
  const fs::path root = TD_SOURCE_DIR;
  std::vector<fs::path> files;
  for (const char* dir : {"core", "schema", "sim-exchange", "engine", "replayer"}) {
    for (const auto& e : fs::recursive_directory_iterator(root / dir)) {
      const std::string rel = fs::relative(e.path(), root).string();
      // The exchange server is the network edge (Boost.Asio), not the deterministic core.
      if (rel.rfind("sim-exchange/server/", 0) == 0) continue;
      const std::string ext = e.path().extension().string();
      if (e.is_regular_file() && (ext == ".h" || ext == ".cc" || ext == ".capnp")) {
        files.push_back(e.path());
      }
    }
  }
  for (const char* f : {"journal/format.cc", "journal/block.cc", "journal/scan.cc"}) {
    files.push_back(root / f);
  }
  return files;
}

TEST(BannedCalls, DeterministicModulesUseNoClockThreadOrStdRandomness) {
  const std::regex banned(R"(std::chrono::(system_clock|steady_clock|high_resolution_clock)|)"
                          R"((system_clock|steady_clock|high_resolution_clock)::now|)"
                          R"((^|[^A-Za-z0-9_.>])(time|rand|srand|gettimeofday|clock_gettime)\s*\(|)"
                          R"(random_device|_distribution<|std::thread|std::jthread|pthread_)");
  const std::vector<fs::path> files = DeterministicSources();
  ASSERT_GT(files.size(), 20u) << "TD_SOURCE_DIR=" << TD_SOURCE_DIR;
  for (const fs::path& p : files) {
    std::ifstream in(p, std::ios::binary);
    ASSERT_TRUE(in) << p;
    const std::string code = StripComments(std::string(std::istreambuf_iterator<char>(in), {}));
    size_t line = 1, start = 0;
    while (start < code.size()) {
      size_t end = code.find('\n', start);
      if (end == std::string::npos) end = code.size();
      const std::string text = code.substr(start, end - start);
      EXPECT_FALSE(std::regex_search(text, banned)) << p.string() << ":" << line << ": " << text;
      start = end + 1, ++line;
    }
  }
}

TEST(BannedCalls, TheCheckCatchesWhatItShould) {
  const std::string code = StripComments(
      "int a = rand();  // rand() in a comment is fine\n/* std::thread t; */\n"
      "auto t = std::chrono::steady_clock::now();\n");
  EXPECT_NE(code.find("rand()"), std::string::npos);
  EXPECT_EQ(code.find("std::thread"), std::string::npos);
  EXPECT_NE(code.find("steady_clock"), std::string::npos);
}

}  // namespace
