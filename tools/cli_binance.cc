#include "tools/commands.h"

namespace td::tools {
void RegisterBinanceCommands(CLI::App&, int*) {}  // placeholder until the binance commands land
}  // namespace td::tools
