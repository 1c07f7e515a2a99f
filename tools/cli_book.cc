#include "tools/commands.h"

namespace td::tools {
void RegisterBookCommands(CLI::App&, int*) {}  // placeholder until the book commands land
}  // namespace td::tools
