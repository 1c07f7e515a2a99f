// RunConfig: one TOML text configures a simulation run: the engine (`[engine]`, `[strategy]`,
// `[risk]`, parsed by engine::ParseEngineConfig), the execution models (`seed`, `[latency]`,
// `[rate_limit]`, `[faults]`, `[slippage]`, parsed by sim::ParseScenario) and the operator
// commands scheduled during the run (`[[operator]]`, parsed here). The text goes verbatim
// into the journal header's config_text; exact replay rebuilds the engine config from it.
//
//   [[operator]]
//   at = "20s"              # offset from the session start
//   command = "kill_switch" # or "pause", "resume", "set_param" (with key and value)
//
// Pure functions; errors name the origin and the key.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "engine/engine.h"
#include "sim-exchange/scenario.h"

namespace td::replayer {

inline constexpr size_t kMaxOperatorCommands = 10'000;

struct ScheduledCommand {
  Duration at;  // from the session start
  OperatorCommand command;
};

struct RunConfig {
  engine::EngineConfig engine;
  sim::Scenario scenario;
  std::vector<ScheduledCommand> operators;  // in time order (stable for equal times)
};

Result<RunConfig> ParseRunConfig(std::string_view text, std::string_view origin);

// Only the engine part (what exact replay needs): `[engine]`, `[strategy]`, `[risk]`.
Result<engine::EngineConfig> ParseEngineSection(std::string_view text, std::string_view origin);

// Puts the command line's strategy and bug into the config text, so that the journal header
// alone says how to rebuild the engine: the lines `strategy = ...` and `bug = ...` are inserted
// right after an existing `[engine]` header line, or an `[engine]` table is appended. The rest
// of the text stays verbatim. InvalidArgument when the text already sets a different value.
Result<std::string> WithEngineSelection(std::string_view text, std::string_view strategy,
                                        std::string_view bug, std::string_view origin);

}  // namespace td::replayer
