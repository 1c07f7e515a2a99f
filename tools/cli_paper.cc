// `tapedeck paper` and `tapedeck kill`: a paper-trading session against a venue's FIX port and
// market-data feed, journaled at the boundary (recorder/paper_runtime.h, docs/recorder.md), and
// the operator's kill switch for a running session.
//
// Exit status: 0 the session ended (duration, SIGINT, SIGTERM) with its journal closed; 1 the
// session failed (no feed, journal error); 2 usage errors. `kill`: 0 the session acknowledged
// the command, 1 no session answered or it refused.
#include <fmt/format.h>

#include <memory>
#include <string>

#include "core/time_text.h"
#include "recorder/paper_runtime.h"
#include "replayer/run_config.h"
#include "tools/cli_common.h"
#include "tools/commands.h"

namespace td::tools {
namespace {

struct PaperCliOptions {
  std::string fix, md, strategy, bug, config, output, duration, control;
  std::string sender_comp_id = recorder::kDefaultSenderCompId;
  std::string target_comp_id = recorder::kDefaultTargetCompId;
  int heartbeat_s = 30;
  uint64_t seed = 1;
  bool quiet = false;
};

// "HOST:PORT" (the host may be empty: 127.0.0.1).
bool ParseHostPort(const std::string& text, std::string* host, uint16_t* port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  const std::string p = text.substr(colon + 1);
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  const unsigned long v = std::stoul(p);
  if (v == 0 || v > 65535) return false;
  *host = colon == 0 ? "127.0.0.1" : text.substr(0, colon);
  *port = static_cast<uint16_t>(v);
  return true;
}

int RunPaper(const PaperCliOptions& o) {
  recorder::PaperOptions po;
  if (!ParseHostPort(o.fix, &po.fix_host, &po.fix_port)) {
    return PrintError("paper", "--fix: expected HOST:PORT, got '" + o.fix + "'"), kExitUsage;
  }
  if (!ParseHostPort(o.md, &po.md_host, &po.md_port)) {
    return PrintError("paper", "--md: expected HOST:PORT, got '" + o.md + "'"), kExitUsage;
  }
  std::string text;
  std::string origin = "(no config)";
  if (!o.config.empty()) {
    Result<std::string> t = ReadConfig(o.config);
    if (!t.ok()) return PrintError("paper", t.status().ToString()), kExitUsage;
    text = std::move(*t);
    origin = o.config;
  }
  Result<std::string> with = replayer::WithEngineSelection(text, o.strategy, o.bug, origin);
  if (!with.ok()) return PrintError("paper", with.status().message()), kExitUsage;
  po.config_text = std::move(*with);
  po.config_origin = origin;
  if (!o.duration.empty()) {
    Result<Duration> d = ParseDurationText(o.duration);
    if (!d.ok()) return PrintError("paper", "--duration: " + d.status().message()), kExitUsage;
    po.duration = *d;
  }
  if (o.heartbeat_s <= 0 || o.heartbeat_s > 3600) {
    return PrintError("paper", "--heartbeat: 1 to 3600 seconds"), kExitUsage;
  }
  po.seed = o.seed;
  po.journal_dir = o.output;
  po.control_path = o.control;
  po.sender_comp_id = o.sender_comp_id;
  po.target_comp_id = o.target_comp_id;
  po.heartbeat_interval_s = o.heartbeat_s;
  po.quiet = o.quiet;
  Result<recorder::PaperSummary> r = recorder::RunPaperSession(po);
  if (!r.ok()) return PrintError("paper", r.status().ToString()), kExitFailed;
  fmt::print(
      "paper session {} ended ({})\n"
      "  inputs {} (market data {}, timers {}, operator commands {}), outputs {}\n"
      "  wire messages {} in, {} out; fills {}\n"
      "  reconnects: fix {}, md {}; md gaps {}; commands held for the logon {}, not sent {}; decode errors {}\n",
      r->journal_dir, r->end_reason, r->inputs, r->market_data, r->timers_fired,
      r->operator_commands, r->outputs, r->wire_in, r->wire_out, r->fills, r->fix_reconnects,
      r->md_reconnects, r->md_gaps, r->commands_held, r->commands_not_sent, r->decode_errors);
  return kExitOk;
}

struct KillCliOptions {
  std::string journal, control;
};

int RunKill(const KillCliOptions& o) {
  if (o.journal.empty() == o.control.empty()) {
    return PrintError("kill", "give exactly one of JOURNAL and --control PATH"), kExitUsage;
  }
  const std::string path =
      o.control.empty() ? recorder::DefaultControlPath(o.journal) : o.control;
  Result<std::string> reply = recorder::SendKillCommand(path);
  if (!reply.ok()) return PrintError("kill", reply.status().message()), kExitFailed;
  fmt::print("{}\n", *reply);
  return kExitOk;
}

}  // namespace

void RegisterPaperCommands(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<PaperCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "paper", "Paper-trade against a venue (FIX + market-data feed), journaling the boundary");
  cmd->add_option("--fix", o->fix, "The venue's FIX order-entry port, HOST:PORT")->required();
  cmd->add_option("--md", o->md, "The venue's market-data feed, HOST:PORT")->required();
  cmd->add_option("--strategy", o->strategy, "market-maker, momentum, twap")->required();
  cmd->add_option("--bug", o->bug, "A deliberate strategy bug, e.g. cancel-fill-race");
  cmd->add_option("--config", o->config, "Engine TOML ([engine], [strategy], [risk])");
  cmd->add_option("--seed", o->seed, "The engine's seed (default 1)");
  cmd->add_option("--duration", o->duration, "End the session after this long, e.g. 60s");
  cmd->add_option("-o,--output", o->output, "Journal directory to create")->required();
  cmd->add_option("--control", o->control, "Control socket path (default: JOURNAL.ctl)");
  cmd->add_option("--sender-comp-id", o->sender_comp_id, "FIX SenderCompID (TAPEDECK-PAPER)");
  cmd->add_option("--target-comp-id", o->target_comp_id, "FIX TargetCompID (TAPEDECK)");
  cmd->add_option("--heartbeat", o->heartbeat_s, "FIX HeartBtInt, seconds (30)");
  cmd->add_flag("-q,--quiet", o->quiet, "No progress lines on stderr");
  cmd->callback([o, exit_code] { *exit_code = RunPaper(*o); });

  auto k = std::make_shared<KillCliOptions>();
  CLI::App* kill = app.add_subcommand(
      "kill", "Fire the kill switch of a running paper session (cancel all, flatten)");
  kill->add_option("journal", k->journal, "The session's journal (its socket is JOURNAL.ctl)");
  kill->add_option("--control", k->control, "The session's control socket");
  kill->callback([k, exit_code] { *exit_code = RunKill(*k); });
}

}  // namespace td::tools
