// `tapedeck exchange serve`: the simulated exchange in real time (paper trading). FIX 4.4 order
// entry (sim-exchange/server/exchange_app.h, docs/order-entry.md) and the market-data feed
// (docs/market-data-feed.md) on 127.0.0.1, over a journal's market records or the synthetic
// generator, with the scenario's latency, rate-limit and fault models. Prints the bound ports,
// runs until SIGINT or SIGTERM, then prints its counters.
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/core.h>

#include "marketdata/synthetic.h"
#include "replayer/market_source.h"
#include "sim-exchange/scenario.h"
#include "sim-exchange/server/exchange_app.h"
#include "sim-exchange/server/exchange_core.h"
#include "sim-exchange/server/fix_acceptor.h"
#include "sim-exchange/server/md_server.h"
#include "sim-exchange/server/pacer.h"
#include "replayer/run_config.h"
#include "tools/cli_common.h"
#include "tools/commands.h"

namespace td::tools {
namespace {

struct ServeOptions {
  std::string market;
  std::optional<uint64_t> synth_seed;
  uint32_t instruments = 1;
  uint16_t fix_port = 0;
  uint16_t md_port = 0;
  std::string speed = "1";
  std::string config;
  std::optional<uint64_t> seed;
  std::string sender_comp_id = "TAPEDECK";
  std::vector<std::string> allowed_comp_ids;
  std::optional<bool> cancel_on_disconnect;
};

constexpr const char* kCmd = "exchange serve";

Result<std::unique_ptr<replayer::MarketSource>> OpenSource(const ServeOptions& o) {
  if (o.synth_seed) {
    marketdata::SyntheticConfig sc;
    sc.instruments = o.instruments;
    TD_RETURN_IF_ERROR(marketdata::ValidateSyntheticConfig(sc));
    return std::unique_ptr<replayer::MarketSource>(
        std::make_unique<replayer::SyntheticMarketSource>(sc, *o.synth_seed));
  }
  auto j = replayer::JournalMarketSource::Open(o.market);
  if (!j.ok()) return j.status();
  return std::unique_ptr<replayer::MarketSource>(std::move(*j));
}

void PrintCounters(const server::ExchangeCore& core, const server::ExchangeApp& app,
                   const server::MdServer& md) {
  const server::ExchangeCounters& c = core.counters();
  const server::ExchangeAppCounters& a = app.counters();
  const server::MdServerCounters& m = md.counters();
  fmt::print("md: records {} touch quotes {} subscribers {} dropped slow {} bytes {}\n",
             c.md_records, c.touch_quotes, m.subscribers_accepted, m.slow_consumers_dropped,
             m.bytes_sent);
  fmt::print("sessions: opened {} refused {} closed {} forced disconnects {}\n",
             c.sessions_opened, c.sessions_refused + a.logons_refused, c.sessions_closed,
             c.forced_disconnects);
  fmt::print("order entry: messages in {} commands {} decode rejects {} replies {} "
             "messages out {} commands lost {} replies lost {}\n",
             a.messages_in, a.commands, a.decode_rejects, a.replies, a.messages_out,
             c.commands_lost, c.replies_lost);
  const sim::VenueCounters& v = core.venue_counters();
  fmt::print("venue: acks {} fills {} order rejects {} cancel rejects {} rate limited {} "
             "expired {}\n",
             v.acks, v.fills, v.order_rejects, v.cancel_rejects, v.rate_limit_rejects, v.expired);
  std::fflush(stdout);
}

int RunServe(const ServeOptions& o) {
  if (o.market.empty() == !o.synth_seed) {
    PrintError(kCmd, "give exactly one of --market JOURNAL and --synth SEED");
    return kExitUsage;
  }
  Result<server::Speed> speed = server::ParseSpeed(o.speed);
  if (!speed.ok()) return PrintError(kCmd, "--speed: " + speed.status().message()), kExitUsage;
  sim::Scenario scenario;
  if (!o.config.empty()) {
    // The same file as `simulate --config` (engine + scenario): the exchange takes the
    // scenario part ([engine], [strategy], [risk] and [[operator]] are checked, then ignored).
    Result<std::string> text = ReadConfig(o.config);
    if (!text.ok()) return PrintError(kCmd, text.status().ToString()), kExitUsage;
    Result<replayer::RunConfig> rc = replayer::ParseRunConfig(*text, o.config);
    if (!rc.ok()) return PrintError(kCmd, rc.status().message()), kExitUsage;
    scenario = std::move(rc->scenario);
  }
  Result<std::unique_ptr<replayer::MarketSource>> source = OpenSource(o);
  if (!source.ok()) return PrintError(kCmd, source.status().ToString()), kExitUsage;

  boost::asio::io_context io;
  server::ExchangeOptions eo;
  eo.seed = o.seed.value_or(scenario.seed);
  eo.speed = *speed;
  const bool cancel_on_disconnect = o.cancel_on_disconnect.value_or(
      scenario.faults.disconnect_open_orders == sim::OpenOrderPolicy::kCancelAll);
  eo.scenario = std::move(scenario);
  auto core = server::ExchangeCore::Create(io, std::move(*source), std::move(eo));
  if (!core.ok()) return PrintError(kCmd, core.status().ToString()), kExitUsage;
  server::MdServerOptions mo;
  mo.bind_address = "127.0.0.1";
  mo.port = o.md_port;
  auto md = server::MdServer::Create(io, **core, mo);
  if (!md.ok()) return PrintError(kCmd, md.status().ToString()), kExitFailed;
  (*core)->SetPublisher(md->get());

  server::ExchangeApp app(**core, {.cancel_on_disconnect = cancel_on_disconnect});
  server::FixAcceptorConfig fc;
  fc.bind_address = "127.0.0.1";
  fc.port = o.fix_port;
  fc.sender_comp_id = o.sender_comp_id;
  fc.allowed_target_comp_ids = o.allowed_comp_ids;
  server::FixAcceptor acceptor(io, fc, app);
  if (Status s = acceptor.Start(); !s.ok()) return PrintError(kCmd, s.ToString()), kExitFailed;

  fmt::print("fix listening on 127.0.0.1:{}\n", acceptor.port());
  fmt::print("md listening on 127.0.0.1:{}\n", (*md)->port());
  fmt::print("instruments:");
  for (const InstrumentDef& d : (*core)->instruments()) fmt::print(" {}", d.symbol);
  fmt::print("\nspeed {}  seed {}  cancel on disconnect {}\n", server::SpeedText(*speed),
             (*core)->seed(), cancel_on_disconnect ? "yes" : "no");
  std::fflush(stdout);

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  boost::asio::steady_timer grace(io);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    // The core logs the session out ("exchange stopping"); give the Logout a moment to be
    // written before the sockets close.
    (*core)->Stop();
    grace.expires_after(std::chrono::milliseconds(200));
    grace.async_wait([&](const boost::system::error_code&) {
      acceptor.Stop();
      (*md)->Stop();
      io.stop();
    });
  });
  (*core)->Start();
  io.run();
  PrintCounters(**core, app, **md);
  if (Status s = (*core)->market_status(); !s.ok()) {
    PrintError(kCmd, "market data: " + s.ToString());
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

void RegisterExchangeCommands(CLI::App& app, int* exit_code) {
  CLI::App* group = Group(app, "exchange", "The simulated exchange over TCP (paper trading)");
  auto o = std::make_shared<ServeOptions>();
  CLI::App* cmd = group->add_subcommand(
      "serve", "Serve FIX 4.4 order entry and the market-data feed until SIGINT/SIGTERM");
  cmd->add_option("--market", o->market, "Market data from this journal's market records");
  cmd->add_option("--synth", o->synth_seed, "Market data from the synthetic generator, this seed");
  cmd->add_option("--instruments", o->instruments, "Synthetic instruments (with --synth)");
  cmd->add_option("--fix-port", o->fix_port, "FIX port on 127.0.0.1 (0: any free port)")
      ->required();
  cmd->add_option("--md-port", o->md_port, "Market-data port on 127.0.0.1 (0: any free port)")
      ->required();
  cmd->add_option("--speed", o->speed, "Market replay speed: 1, 10, 0.5, max (default 1)");
  cmd->add_option("--config", o->config, "Scenario TOML (docs/scenario.md); a simulate config works too");
  cmd->add_option("--seed", o->seed, "Venue and link seed (default: the scenario's)");
  cmd->add_option("--sender-comp-id", o->sender_comp_id, "Our SenderCompID (default TAPEDECK)");
  cmd->add_option("--allow-comp-id", o->allowed_comp_ids,
                  "A client SenderCompID allowed to log on (repeatable; default: any)");
  cmd->add_option("--cancel-on-disconnect", o->cancel_on_disconnect,
                  "true/false: cancel open orders when the session ends (default: the "
                  "scenario's faults.disconnect_open_orders)");
  cmd->callback([o, exit_code] { *exit_code = RunServe(*o); });
}

}  // namespace td::tools
