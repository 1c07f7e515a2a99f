// `tapedeck proxy` and `tapedeck replay-venue`: record any FIX engine (a black box) through a
// proxy in front of its venue, and play the recorded venue side back to it (recorder/proxy.h,
// recorder/replay_venue.h, docs/proxy.md).
//
// Exit status: proxy: 0 stopped by SIGINT/SIGTERM with its journal closed, 1 the journal could
// not be written, 2 usage errors (bad option, port in use, journal exists). replay-venue: 0 the
// whole recording replayed with no divergence, 1 a divergence (reported on stderr; with --json
// also on stdout), 2 usage errors (bad journal, bad option).
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/time_text.h"
#include "recorder/proxy.h"
#include "recorder/replay_venue.h"
#include "tools/cli_common.h"
#include "tools/commands.h"

namespace td::tools {
namespace {

using OrderedJson = nlohmann::ordered_json;

// "PORT" or "HOST:PORT"; port 0 allowed when allow_zero (an ephemeral listening port).
bool ParseEndpoint(const std::string& text, bool allow_zero, std::string* host, uint16_t* port) {
  const size_t colon = text.rfind(':');
  const std::string p = colon == std::string::npos ? text : text.substr(colon + 1);
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  const unsigned long v = std::stoul(p);
  if ((v == 0 && !allow_zero) || v > 65535) return false;
  if (colon != std::string::npos && colon > 0) *host = text.substr(0, colon);
  *port = static_cast<uint16_t>(v);
  return true;
}

struct ProxyCliOptions {
  std::string listen = "0", upstream, output;
};

int RunProxyCommand(const ProxyCliOptions& o) {
  recorder::ProxyOptions po;
  if (!ParseEndpoint(o.listen, true, &po.listen_host, &po.listen_port)) {
    return PrintError("proxy", "--listen: expected PORT or HOST:PORT, got '" + o.listen + "'"),
           kExitUsage;
  }
  if (!ParseEndpoint(o.upstream, false, &po.upstream_host, &po.upstream_port)) {
    return PrintError("proxy", "--upstream: expected HOST:PORT, got '" + o.upstream + "'"),
           kExitUsage;
  }
  po.journal_dir = o.output;
  Result<std::unique_ptr<recorder::Proxy>> p = recorder::Proxy::Create(po);
  if (!p.ok()) return PrintError("proxy", p.status().ToString()), kExitUsage;
  fmt::print("proxy listening on {}:{}\n", po.listen_host, (*p)->port());
  std::fflush(stdout);
  Result<recorder::ProxySummary> s = (*p)->Run();
  if (!s.ok()) return PrintError("proxy", s.status().ToString()), kExitFailed;
  fmt::print(
      "proxy journal {} closed ({}): {} connections, messages {} outbound {} inbound, "
      "{} garbage runs, {} records\n",
      s->journal_dir, s->end_reason, s->connections, s->messages_outbound, s->messages_inbound,
      s->garbage_records, s->records);
  return kExitOk;
}

struct ReplayVenueCliOptions {
  std::string journal, listen = "0", timeout = "10s", linger = "200ms";
  uint64_t connection = 0;
  std::vector<int> ignore_tags;
  bool compare_heartbeats = false;
  bool json = false;
};

OrderedJson ReportJson(const recorder::ReplayVenueReport& r) {
  OrderedJson j;
  j["result"] = r.diverged ? "divergence" : "ok";
  j["connection"] = r.connection;
  j["steps"] = r.steps;
  j["matched"] = r.matched;
  j["sent"] = r.sent;
  j["skipped_garbage"] = r.skipped_garbage;
  j["skipped_heartbeats"] = r.skipped_heartbeats;
  j["engine_heartbeats"] = r.engine_heartbeats;
  j["engine_garbage_bytes"] = r.engine_garbage_bytes;
  if (r.diverged) {
    const recorder::ReplayDivergence& d = r.divergence;
    OrderedJson dj;
    dj["kind"] = d.kind;
    dj["recorded_seq"] = d.recorded_seq;
    dj["step"] = d.step;
    dj["tag"] = d.tag;
    dj["expected_value"] = d.expected_value;
    dj["received_value"] = d.received_value;
    dj["expected_message"] = d.expected_message;
    dj["received_message"] = d.received_message;
    dj["text"] = d.text;
    j["divergence"] = std::move(dj);
  }
  return j;
}

int RunReplayVenueCommand(const ReplayVenueCliOptions& o) {
  recorder::ReplayVenueOptions vo;
  vo.journal_dir = o.journal;
  if (!ParseEndpoint(o.listen, true, &vo.listen_host, &vo.listen_port)) {
    return PrintError("replay-venue",
                      "--listen: expected PORT or HOST:PORT, got '" + o.listen + "'"),
           kExitUsage;
  }
  Result<Duration> timeout = ParseDurationText(o.timeout);
  if (!timeout.ok() || timeout->ns <= 0) {
    return PrintError("replay-venue", "--timeout: expected a positive duration like 10s"),
           kExitUsage;
  }
  Result<Duration> linger = ParseDurationText(o.linger);
  if (!linger.ok() || linger->ns < 0) {
    return PrintError("replay-venue", "--linger: expected a duration like 200ms"), kExitUsage;
  }
  vo.timeout = *timeout;
  vo.linger = *linger;
  vo.connection = o.connection;
  for (int t : o.ignore_tags) vo.ignored_tags.insert(t);
  vo.skip_heartbeats = !o.compare_heartbeats;
  Result<std::unique_ptr<recorder::ReplayVenue>> v = recorder::ReplayVenue::Create(vo);
  if (!v.ok()) return PrintError("replay-venue", v.status().ToString()), kExitUsage;
  fmt::print("replay-venue listening on {}:{}\n", vo.listen_host, (*v)->port());
  std::fflush(stdout);
  Result<recorder::ReplayVenueReport> r = (*v)->Run();
  if (!r.ok()) return PrintError("replay-venue", r.status().ToString()), kExitFailed;
  if (o.json) PrintJson(ReportJson(*r));
  if (r->diverged) {
    const recorder::ReplayDivergence& d = r->divergence;
    PrintError("replay-venue",
               fmt::format("divergence ({}) at recorded seq {} (step {} of {}, connection {}): "
                           "{}\n  expected: {}\n  received: {}",
                           d.kind, d.recorded_seq, d.step + 1, r->steps, r->connection, d.text,
                           d.expected_message.empty() ? "(none)" : d.expected_message,
                           d.received_message.empty() ? "(none)" : d.received_message));
    return kExitFailed;
  }
  if (!o.json) {
    fmt::print("replay-venue: no divergence: {} messages ({} matched from the engine, {} sent)\n",
               r->steps, r->matched, r->sent);
  }
  return kExitOk;
}

}  // namespace

void RegisterProxyCommands(CLI::App& app, int* exit_code) {
  auto p = std::make_shared<ProxyCliOptions>();
  CLI::App* proxy = app.add_subcommand(
      "proxy", "Record a FIX engine (a black box) through a proxy in front of its venue");
  proxy->add_option("--listen", p->listen, "Port (or HOST:PORT) for the engine; 0: ephemeral");
  proxy->add_option("--upstream", p->upstream, "The venue's FIX port, HOST:PORT")->required();
  proxy->add_option("-o,--output", p->output, "Journal directory to create")->required();
  proxy->callback([p, exit_code] { *exit_code = RunProxyCommand(*p); });

  auto v = std::make_shared<ReplayVenueCliOptions>();
  CLI::App* rv = app.add_subcommand(
      "replay-venue", "Play a proxy journal's venue side back to the engine; report divergence");
  rv->add_option("journal", v->journal, "A journal written by `tapedeck proxy`")->required();
  rv->add_option("--listen", v->listen, "Port (or HOST:PORT) for the engine; 0: ephemeral");
  rv->add_option("--connection", v->connection, "The recorded connection (default: the first)");
  rv->add_option("--timeout", v->timeout, "Wait this long for the engine and each message (10s)");
  rv->add_option("--linger", v->linger, "Watch for extra engine messages after the end (200ms)");
  rv->add_option("--ignore-tag", v->ignore_tags, "Also ignore this tag when comparing");
  rv->add_flag("--compare-heartbeats", v->compare_heartbeats,
               "Replay and compare Heartbeats (35=0) too");
  rv->add_flag("--json", v->json, "A machine-readable report on stdout");
  rv->callback([v, exit_code] { *exit_code = RunReplayVenueCommand(*v); });
}

}  // namespace td::tools
