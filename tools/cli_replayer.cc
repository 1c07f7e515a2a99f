#include "tools/commands.h"

namespace td::tools {
void RegisterReplayerCommands(CLI::App&, int*) {}  // placeholder until the replayer commands land
}  // namespace td::tools
