// Helpers shared by the CLI's command files (see cli_common.h).
#include "tools/cli_common.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace td::tools {

namespace {
constexpr size_t kMaxConfigBytes = 4u << 20;
}  // namespace

void PrintError(std::string_view command, std::string_view message) {
  fmt::print(stderr, "tapedeck {}: {}\n", command, message);
}

void PrintJson(const nlohmann::ordered_json& j) {
  fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

Result<std::string> ReadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open config file");
  std::ostringstream s;
  s << in.rdbuf();
  if (s.str().size() > kMaxConfigBytes) return InvalidArgument(path + ": config file too large");
  return s.str();
}

}  // namespace td::tools
