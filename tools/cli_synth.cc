#include "tools/commands.h"

namespace td::tools {
void RegisterSynthCommands(CLI::App&, int*) {}  // placeholder until the synth commands land
}  // namespace td::tools
