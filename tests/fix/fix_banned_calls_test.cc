// fix/ is a pure core (DESIGN.md principles 2 and 6): no clock, no thread, no socket, no
// randomness. The caller passes the time; the transport lives in sim-exchange/server.
// gcc 12 with -fsanitize and -O3 reports a false "maybe-uninitialized" inside
// libstdc++'s <regex>; the warning is off for this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>

namespace {

TEST(FixBannedCalls, NoClockThreadSocketOrRandomnessInFix) {
  const std::regex banned(
      R"(std::chrono::(system_clock|steady_clock|high_resolution_clock)|)"
      R"((^|[^A-Za-z0-9_.>])(time|rand|srand|gettimeofday|clock_gettime)\s*\(|)"
      R"((^|[^A-Za-z0-9_.>])(socket|connect|accept)\s*\(|)"
      R"(random_device|_distribution<|std::thread|std::jthread|pthread_|)"
      R"(boost/asio|<sys/socket.h>)");
  const std::filesystem::path root = std::filesystem::path(TD_SOURCE_DIR) / "fix";
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(root)) {
    const std::string ext = e.path().extension().string();
    if (ext != ".h" && ext != ".cc") continue;
    ++files;
    std::ifstream in(e.path());
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      const size_t comment = line.find("//");
      const std::string code = comment == std::string::npos ? line : line.substr(0, comment);
      EXPECT_FALSE(std::regex_search(code, banned))
          << e.path().string() << ":" << n << ": " << line;
    }
  }
  EXPECT_GT(files, 10);
}

}  // namespace
