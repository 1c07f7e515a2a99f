// `tapedeck simulate | replay | what-if | diff`: the replayer's modes (replayer/,
// docs/replayer.md). Each command is an options struct filled by CLI11 and a Run function that
// returns the exit status. Results go to stdout (text, or JSON with --json), diagnostics to
// stderr.
//
// Exit status: 0 success (replay: no divergence; diff: the journals are identical);
// 1 a divergence or difference was found, or the run failed; 2 usage errors (bad options,
// unreadable config or journal).
#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/time_text.h"
#include "journal/reader.h"
#include "replayer/exact_replay.h"
#include "replayer/journal_diff.h"
#include "replayer/market_source.h"
#include "replayer/run_config.h"
#include "replayer/simulate.h"
#include "replayer/what_if.h"
#include "sim-exchange/scenario.h"
#include "tools/cli_common.h"
#include "tools/commands.h"
#include "tools/json.h"

namespace td::tools {
namespace {

using OrderedJson = nlohmann::ordered_json;


OrderedJson SessionJson(const replayer::SessionResult& r) {
  OrderedJson positions = OrderedJson::array();
  for (const auto& p : r.engine.positions) {
    positions.push_back({{"instrument", p.instrument},
                         {"position", p.position.raw},
                         {"realized_pnl", p.realized_pnl.ToString()},
                         {"fees", p.fees.ToString()}});
  }
  auto opt_ts = [](const std::optional<Timestamp>& t) {
    return t ? OrderedJson(t->ns) : OrderedJson();
  };
  OrderedJson j{
      {"inputs", r.inputs},
      {"outputs", r.outputs},
      {"event_hash", Hex64(r.event_hash)},
      {"engine_digest", Hex64(r.engine_digest)},
      {"venue_digest", Hex64(r.venue_digest)},
      {"start", r.start.ns},
      {"end", r.end.ns},
      {"fills", r.engine.fills},
      {"open_orders_at_end", r.engine.open_orders},
      {"realized_pnl", r.engine.realized_pnl.ToString()},
      {"positions", positions},
      {"kill_switch", r.engine.kill_switch_fired
                          ? OrderedJson{{"fired", opt_ts(r.engine.kill_switch_fired)},
                                        {"flat", opt_ts(r.engine.kill_switch_flat)}}
                          : OrderedJson()},
      {"venue",
       {{"commands", r.venue.commands},
        {"acks", r.venue.acks},
        {"fills", r.venue.fills},
        {"order_rejects", r.venue.order_rejects},
        {"cancel_rejects", r.venue.cancel_rejects},
        {"rate_limit_rejects", r.venue.rate_limit_rejects}}},
      {"links",
       {{"acks_dropped", r.links.acks_dropped},
        {"acks_duplicated", r.links.acks_duplicated},
        {"acks_delayed", r.links.acks_delayed},
        {"commands_lost", r.links.commands_lost},
        {"replies_lost", r.links.replies_lost},
        {"disconnects", r.links.disconnects}}},
  };
  if (r.protocol == replayer::LinkProtocol::kFix) {
    const replayer::FixLinkCounters& f = r.links.fix;
    j["fix_session"] = {{"wire_messages", r.links.wire_messages},
                        {"wire_lost", r.links.wire_lost},
                        {"wire_lost_in_flight", r.links.wire_lost_in_flight},
                        {"logons", f.logons},
                        {"session_ends", f.session_ends},
                        {"resend_requests", f.resend_requests},
                        {"resends_served", f.resends_served},
                        {"gaps_filled", f.gaps_filled},
                        {"possdup_ignored", f.possdup_ignored},
                        {"session_rejects", f.session_rejects},
                        {"commands_held", f.commands_held},
                        {"commands_dropped", f.commands_dropped},
                        {"decode_errors", f.decode_errors}};
  }
  return j;
}

void PrintSessionText(const replayer::SessionResult& r) {
  fmt::print("inputs {}  outputs {}  fills {}  open orders at end {}  realized pnl {}\n", r.inputs,
             r.outputs, r.engine.fills, r.engine.open_orders, r.engine.realized_pnl.ToString());
  fmt::print("event_hash {}  engine digest {}  venue digest {}\n", Hex64(r.event_hash),
             Hex64(r.engine_digest), Hex64(r.venue_digest));
  fmt::print(
      "links: {} disconnects, acks dropped {} duplicated {} delayed {}, "
      "commands lost {}, replies lost {}\n",
      r.links.disconnects, r.links.acks_dropped, r.links.acks_duplicated, r.links.acks_delayed,
      r.links.commands_lost, r.links.replies_lost);
  if (r.protocol == replayer::LinkProtocol::kFix) {
    const replayer::FixLinkCounters& f = r.links.fix;
    fmt::print(
        "fix session: {} wire messages, {} lost (+{} in flight at a disconnect), {} logons, "
        "{} resend requests, {} gaps filled, {} resent orders ignored as duplicates, "
        "{} commands held until logon\n",
        r.links.wire_messages, r.links.wire_lost, r.links.wire_lost_in_flight, f.logons,
        f.resend_requests, f.gaps_filled, f.possdup_ignored, f.commands_held);
  }
}

// ---------------------------------------------------------------- simulate

struct SimulateOptions {
  std::string market;
  std::optional<uint64_t> synth_seed;
  uint32_t instruments = 1;
  std::string strategy;
  std::string config;
  std::string bug;
  uint64_t seed = 0;
  std::string duration;
  std::string output;
  bool json = false;
};

int RunSimulate(const SimulateOptions& o) {
  if (o.market.empty() == !o.synth_seed) {
    PrintError("simulate", "give exactly one of --market JOURNAL and --synth SEED");
    return kExitUsage;
  }
  std::string text;
  std::string origin = "(no config)";
  if (!o.config.empty()) {
    Result<std::string> t = ReadConfig(o.config);
    if (!t.ok()) return PrintError("simulate", t.status().ToString()), kExitUsage;
    text = std::move(*t);
    origin = o.config;
  }
  Result<std::string> with = replayer::WithEngineSelection(text, o.strategy, o.bug, origin);
  if (!with.ok()) return PrintError("simulate", with.status().message()), kExitUsage;
  replayer::SimulateOptions so;
  so.config_text = std::move(*with);
  so.config_origin = origin;
  so.seed = o.seed;
  so.out_dir = o.output;
  if (!o.duration.empty()) {
    Result<Duration> d = ParseDurationText(o.duration);
    if (!d.ok()) return PrintError("simulate", "--duration: " + d.status().message()), kExitUsage;
    so.duration = *d;
  }
  std::unique_ptr<replayer::MarketSource> source;
  if (o.synth_seed) {
    marketdata::SyntheticConfig sc;
    sc.instruments = o.instruments;
    if (so.duration.ns > 0) sc.duration = so.duration;
    if (Status s = marketdata::ValidateSyntheticConfig(sc); !s.ok()) {
      return PrintError("simulate", s.message()), kExitUsage;
    }
    source = std::make_unique<replayer::SyntheticMarketSource>(sc, *o.synth_seed);
  } else {
    auto j = replayer::JournalMarketSource::Open(o.market);
    if (!j.ok()) return PrintError("simulate", j.status().ToString()), kExitUsage;
    source = std::move(*j);
  }
  Result<replayer::SessionResult> r = replayer::Simulate(so, *source);
  if (!r.ok()) {
    PrintError("simulate", r.status().ToString());
    const StatusCode c = r.status().code();
    return c == StatusCode::kInvalidArgument || c == StatusCode::kNotFound ||
                   c == StatusCode::kFailedPrecondition
               ? kExitUsage
               : kExitFailed;
  }
  if (o.json) {
    OrderedJson j = SessionJson(*r);
    j["journal"] = o.output;
    PrintJson(j);
  } else {
    fmt::print("simulated {} -> {}\n", o.synth_seed ? "synthetic market" : o.market, o.output);
    PrintSessionText(*r);
  }
  return kExitOk;
}

// ---------------------------------------------------------------- replay

struct ReplayOptions {
  std::string path;
  std::vector<std::string> sets;
  bool json = false;
};

OrderedJson EventOrNull(const std::optional<Event>& e, const JournalHeader& h) {
  return e ? OrderedJson(EventToJson(*e, &h)) : OrderedJson();
}

int RunReplay(const ReplayOptions& o) {
  replayer::ReplayOptions ro;
  ro.overrides = o.sets;
  Result<replayer::ReplayReport> r = replayer::ExactReplay(o.path, ro);
  if (!r.ok()) return PrintError("replay", r.status().ToString()), kExitUsage;
  const JournalHeader& h = r->header;
  if (o.json) {
    OrderedJson fd;
    if (const auto& d = r->first_divergence) {
      OrderedJson context = OrderedJson::array();
      for (const Event& e : d->context) context.push_back(OrderedJson(EventToJson(e, &h)));
      fd = OrderedJson{{"seq", d->seq},
                       {"ts", d->ts.ns},
                       {"kind", d->kind},
                       {"expected", EventOrNull(d->expected, h)},
                       {"actual", EventOrNull(d->actual, h)},
                       {"context", context},
                       {"state_diverged_after", EventOrNull(d->state_diverged_after, h)}};
    }
    PrintJson(OrderedJson{{"journal", o.path},
                          {"inputs", r->inputs},
                          {"outputs", r->outputs},
                          {"divergences", r->divergences},
                          {"first_divergence", fd},
                          {"event_hash", Hex64(r->event_hash)}});
  } else {
    fmt::print("replayed {}: {} inputs, {} outputs, {} divergences, event_hash {}\n", o.path,
               r->inputs, r->outputs, r->divergences, Hex64(r->event_hash));
    if (const auto& d = r->first_divergence) {
      fmt::print("first divergence at seq {} ts {} ({}), kind {}\n", d->seq, d->ts.ns,
                 FormatUtc(d->ts), d->kind);
      for (const Event& e : d->context) fmt::print("  before:   {}\n", EventToText(e, &h));
      fmt::print("  expected: {}\n", d->expected ? EventToText(*d->expected, &h) : "(none)");
      fmt::print("  actual:   {}\n", d->actual ? EventToText(*d->actual, &h) : "(none)");
      if (d->state_diverged_after) {
        fmt::print("the engine states first differ after input seq {} ({}):\n  {}\n",
                   d->state_diverged_after->seq, FormatUtc(d->state_diverged_after->ts),
                   EventToText(*d->state_diverged_after, &h));
      }
    }
  }
  return r->divergences == 0 ? kExitOk : kExitFailed;
}

// ---------------------------------------------------------------- what-if

struct WhatIfOptions {
  std::string path;
  std::string from;
  std::string config;
  std::string output;
  bool json = false;
};

int RunWhatIf(const WhatIfOptions& o) {
  replayer::WhatIfOptions wo;
  Result<Timestamp> from = ParseTimeArg(o.from);
  if (!from.ok()) {
    // Also accept an offset from the session start ("20s").
    Result<Duration> d = ParseDurationText(o.from);
    if (!d.ok()) return PrintError("what-if", "--from: " + from.status().message()), kExitUsage;
    auto r = journal::JournalReader::Open(o.path);
    if (!r.ok()) return PrintError("what-if", r.status().ToString()), kExitUsage;
    from = (*r)->header().created + *d;
  }
  wo.from = *from;
  wo.out_dir = o.output;
  if (!o.config.empty()) {
    Result<std::string> t = ReadConfig(o.config);
    if (!t.ok()) return PrintError("what-if", t.status().ToString()), kExitUsage;
    wo.config_text = std::move(*t);
    wo.config_origin = o.config;
  }
  Result<replayer::WhatIfReport> r = replayer::WhatIf(o.path, wo);
  if (!r.ok()) return PrintError("what-if", r.status().ToString()), kExitUsage;
  if (o.json) {
    OrderedJson j = SessionJson(r->result);
    j["from"] = wo.from.ns;
    j["recorded_inputs"] = r->recorded_inputs;
    PrintJson(j);
  } else {
    fmt::print("what-if {} from {} ({}): {} recorded inputs, then simulated\n", o.path, wo.from.ns,
               FormatUtc(wo.from), r->recorded_inputs);
    PrintSessionText(r->result);
  }
  return kExitOk;
}

// ---------------------------------------------------------------- diff

struct DiffOptions {
  std::string a, b;
  bool json = false;
};

int RunDiff(const DiffOptions& o) {
  Result<replayer::DiffReport> r = replayer::DiffJournals(o.a, o.b);
  if (!r.ok()) return PrintError("diff", r.status().ToString()), kExitUsage;
  const auto& d = r->first;
  if (o.json) {
    OrderedJson first;
    if (d) {
      first = OrderedJson{{"seq", d->seq},
                          {"a", EventOrNull(d->a, r->header_a)},
                          {"b", EventOrNull(d->b, r->header_b)}};
    }
    PrintJson(OrderedJson{{"identical", r->identical()},
                          {"header_differences", r->header_differences},
                          {"records_compared", r->records_compared},
                          {"first_difference", first}});
    return r->identical() ? kExitOk : kExitFailed;
  }
  if (!r->header_differences.empty()) {
    std::string fields;
    for (const std::string& f : r->header_differences) fields += (fields.empty() ? "" : ", ") + f;
    fmt::print("headers differ: {}\n", fields);
  }
  if (!d) {
    fmt::print("records identical: {} records\n", r->records_compared);
  } else {
    fmt::print("first differing record: seq {} (after {} equal records)\n", d->seq,
               r->records_compared);
    fmt::print("  a: {}\n", d->a ? EventToText(*d->a, &r->header_a) : "(ended)");
    fmt::print("  b: {}\n", d->b ? EventToText(*d->b, &r->header_b) : "(ended)");
  }
  return r->identical() ? kExitOk : kExitFailed;
}

// ---------------------------------------------------------------- registration

void AddSimulate(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<SimulateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "simulate",
      "Run the engine against the simulated venue on a virtual clock and journal the run");
  cmd->add_option("--market", o->market, "Market data from this journal's market records");
  cmd->add_option("--synth", o->synth_seed, "Market data from the synthetic generator, this seed");
  cmd->add_option("--instruments", o->instruments, "Synthetic instruments (with --synth)");
  cmd->add_option("--strategy", o->strategy, "market-maker, momentum, twap")->required();
  cmd->add_option("--config", o->config, "Engine + scenario TOML (docs/replayer.md)");
  cmd->add_option("--bug", o->bug, "A deliberate strategy bug, e.g. cancel-fill-race");
  cmd->add_option("--seed", o->seed, "The run's seed (engine, venue, links)")->required();
  cmd->add_option("--duration", o->duration, "Virtual time to run, e.g. 60s");
  cmd->add_option("-o,--output", o->output, "Journal directory to create")->required();
  cmd->add_flag("--json", o->json, "Print the summary as JSON");
  cmd->callback([o, exit_code] { *exit_code = RunSimulate(*o); });
}

void AddReplay(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ReplayOptions>();
  CLI::App* cmd = app.add_subcommand(
      "replay",
      "Exact replay: feed a journal's inputs to a fresh engine, compare every output; "
      "exit 0 only without divergence");
  cmd->add_option("path", o->path, "Journal directory")->required();
  cmd->add_option("--set", o->sets, "Engine config override KEY=VALUE (repeatable)");
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->callback([o, exit_code] { *exit_code = RunReplay(*o); });
}

void AddWhatIf(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<WhatIfOptions>();
  CLI::App* cmd = app.add_subcommand(
      "what-if", "Recorded inputs up to --from, then the simulated venue with other models");
  cmd->add_option("path", o->path, "Journal directory")->required();
  cmd->add_option("--from", o->from,
                  "T: ns since the epoch, UTC time, or an offset from the start such as 20s")
      ->required();
  cmd->add_option("--config", o->config, "Scenario TOML for the simulated part");
  cmd->add_option("-o,--output", o->output, "Also journal the what-if run here");
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->callback([o, exit_code] { *exit_code = RunWhatIf(*o); });
}

void AddDiff(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<DiffOptions>();
  CLI::App* cmd = app.add_subcommand("diff", "The first point where two journals differ");
  cmd->add_option("a", o->a, "Journal A")->required();
  cmd->add_option("b", o->b, "Journal B")->required();
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->callback([o, exit_code] { *exit_code = RunDiff(*o); });
}

}  // namespace

void RegisterReplayerCommands(CLI::App& app, int* exit_code) {
  AddSimulate(app, exit_code);
  AddReplay(app, exit_code);
  AddWhatIf(app, exit_code);
  AddDiff(app, exit_code);
}

}  // namespace td::tools
