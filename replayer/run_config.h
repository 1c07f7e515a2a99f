// RunConfig: one TOML text configures a simulation run: the engine (`[engine]`, `[strategy]`,
// `[risk]`, parsed by engine::ParseEngineConfig), the execution models (`seed`, `[latency]`,
// `[rate_limit]`, `[faults]`, `[slippage]`, parsed by sim::ParseScenario) and the operator
// commands scheduled during the run (`[[operator]]`, parsed here) and the link protocol
// (`[session]`, parsed here). The text goes verbatim
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

// How the engine and the simulated venue talk in a simulation (`[session]`):
//
//   [session]
//   protocol = "fix"              # "direct" (the default) or "fix"
//   heartbeat_interval = "1s"     # FIX HeartBtInt (whole seconds); default 30 s
//   wire_loss = "1/500"           # a FIX message lost on a link, either way: a sequence gap
//   reconnect_interval = "1s"     # after the session ended itself (logon timeout, Logout)
//   resend_request_timeout = "2s" # a gap still open this long is asked for again
//   logon_timeout = "10s"         # a Logon unanswered this long ends the connection
//   reset_on_logon = false        # true: sequence numbers restart at every Logon
//
// kDirect carries the engine's commands and the venue's replies as events on the links.
// kFix encodes them as FIX 4.4 and runs two fix::Sessions back to back over the links
// (replayer/fix_link.h): the path of a paper session, with session-level faults.
enum class LinkProtocol : uint8_t { kDirect, kFix };
std::string_view LinkProtocolName(LinkProtocol p);

struct SessionLinkConfig {
  LinkProtocol protocol = LinkProtocol::kDirect;
  int heartbeat_interval_s = 30;
  sim::Probability wire_loss;
  Duration reconnect_interval = Duration::Seconds(1);
  Duration resend_request_timeout = Duration::Seconds(2);
  Duration logon_timeout = Duration::Seconds(10);
  bool reset_on_logon = false;
};

struct RunConfig {
  engine::EngineConfig engine;
  sim::Scenario scenario;
  SessionLinkConfig session;
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
