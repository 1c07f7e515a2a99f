#include "tools/commands.h"

namespace td::tools {
void RegisterLobsterCommands(CLI::App&, int*) {}  // placeholder until the lobster commands land
}  // namespace td::tools
