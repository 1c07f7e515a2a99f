#include "tools/cli_bench.h"
namespace td::tools {
void RegisterBenchCommands(CLI::App&, int*) {}
}  // namespace td::tools
