// `tapedeck bench simulate`: full simulation throughput, the figure of DESIGN.md's performance
// table ("full simulation, LOBSTER day + strategy: >= 5 M events/s"). By default the market is
// LOBSTER's GOOG 2012-06-21 level-10 day from the shared data folder, imported untimed; the
// records are loaded into memory first, so the timing covers the simulation itself: venue
// books, links, the engine and strategy, and the journal of the run written to disk with LZ4,
// as `tapedeck simulate` writes it. Then the journal just written is replayed exactly (timed
// separately). events_per_s counts market-data records, the unit NautilusTrader's "data points
// per second" uses; records_per_s counts every record the run journaled.
#include <fmt/format.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "journal/reader.h"
#include "marketdata/lobster_import.h"
#include "replayer/exact_replay.h"
#include "replayer/market_source.h"
#include "replayer/run_config.h"
#include "replayer/simulate.h"
#include "tools/cli_common.h"
#include "tools/commands.h"
#include "tools/json.h"

namespace td::tools {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr char kLobsterStem[] = "/lobster/GOOG_2012-06-21_34200000_57600000_";

struct SimBenchOptions {
  std::string market;  // a journal; empty: import the LOBSTER GOOG level-10 day
  std::string data_dir = TD_DEFAULT_DATA_DIR;
  std::string strategy = "market-maker";
  std::string config;
  uint64_t seed = 1;
  int runs = 3;
  bool json = false;
  bool no_journal = false;  // the engine, venue and links only: what the journal costs on top
};

double CpuSeconds(clockid_t clock) {
  timespec t{};
  ::clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

Status LoadMarket(const std::string& dir, std::vector<InstrumentDef>* instruments,
                  std::vector<Event>* records) {
  auto source = replayer::JournalMarketSource::Open(dir);
  if (!source.ok()) return source.status();
  *instruments = (*source)->instruments();
  Event e;
  while ((*source)->Next(&e)) records->push_back(e);
  return (*source)->status();
}

int Run(const SimBenchOptions& o) {
  const fs::path scratch =
      fs::temp_directory_path() / ("tapedeck-bench-simulate-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove_all(scratch, ec);
  fs::create_directories(scratch);
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code e;
      fs::remove_all(p, e);
    }
  } cleanup{scratch};

  std::string market = o.market;
  std::string market_name = o.market;
  if (market.empty()) {
    const std::string stem = o.data_dir + kLobsterStem;
    const std::string msg = stem + "message_10.csv", book = stem + "orderbook_10.csv";
    if (!fs::exists(msg) || !fs::exists(book)) {
      PrintError("bench simulate", "the LOBSTER GOOG level-10 files are not in " + o.data_dir +
                                       "/lobster (give --data-dir, or --market JOURNAL)");
      return kExitUsage;
    }
    market = (scratch / "market").string();
    auto imported = marketdata::ImportLobster(msg, book, market);
    if (!imported.ok())
      return PrintError("bench simulate", imported.status().ToString()), kExitFailed;
    market_name = "LOBSTER GOOG 2012-06-21 level 10";
  }
  std::vector<InstrumentDef> instruments;
  std::vector<Event> records;
  if (Status s = LoadMarket(market, &instruments, &records); !s.ok()) {
    return PrintError("bench simulate", s.ToString()), kExitFailed;
  }

  std::string text;
  if (!o.config.empty()) {
    Result<std::string> t = ReadConfig(o.config);
    if (!t.ok()) return PrintError("bench simulate", t.status().ToString()), kExitUsage;
    text = std::move(*t);
  }
  Result<std::string> with = replayer::WithEngineSelection(
      text, o.strategy, "", o.config.empty() ? "(no config)" : o.config);
  if (!with.ok()) return PrintError("bench simulate", with.status().message()), kExitUsage;

  std::vector<double> sim_s, replay_s;
  // CPU seconds of the simulating thread, and of the others (the journal writer's), per run.
  std::vector<double> main_cpu_s, other_cpu_s;
  replayer::SessionResult last;
  uint64_t journaled = 0;
  for (int run = 0; run < o.runs; ++run) {
    replayer::SimulateOptions so;
    so.config_text = *with;
    so.config_origin = o.config;
    so.seed = o.seed;
    if (!o.no_journal) so.out_dir = (scratch / ("run-" + std::to_string(run))).string();
    replayer::MemoryMarketSource source(instruments, records);
    const double process0 = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
    const double thread0 = CpuSeconds(CLOCK_THREAD_CPUTIME_ID);
    const auto t0 = Clock::now();
    Result<replayer::SessionResult> r = replayer::Simulate(so, source);
    const auto t1 = Clock::now();
    const double thread_cpu = CpuSeconds(CLOCK_THREAD_CPUTIME_ID) - thread0;
    const double process_cpu = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - process0;
    if (!r.ok()) return PrintError("bench simulate", r.status().ToString()), kExitFailed;
    sim_s.push_back(std::chrono::duration<double>(t1 - t0).count());
    main_cpu_s.push_back(thread_cpu);
    other_cpu_s.push_back(process_cpu - thread_cpu);
    last = *r;
    journaled = r->inputs + r->outputs;
    if (o.no_journal) continue;

    const auto t2 = Clock::now();
    Result<replayer::ReplayReport> rep = replayer::ExactReplay(so.out_dir, {});
    const auto t3 = Clock::now();
    if (!rep.ok()) return PrintError("bench simulate", rep.status().ToString()), kExitFailed;
    if (rep->divergences != 0) {
      PrintError("bench simulate", fmt::format("the replay of run {} diverged", run));
      return kExitFailed;
    }
    replay_s.push_back(std::chrono::duration<double>(t3 - t2).count());
    fs::remove_all(so.out_dir, ec);
  }

  const double n = static_cast<double>(records.size());
  const double best = *std::min_element(sim_s.begin(), sim_s.end());
  const double median = Median(sim_s);
  const double replay_best =
      replay_s.empty() ? 0.0 : *std::min_element(replay_s.begin(), replay_s.end());
  const double records_journaled = static_cast<double>(journaled);
  if (o.json) {
    nlohmann::ordered_json j;
    j["market"] = market_name;
    j["strategy"] = o.strategy;
    j["seed"] = o.seed;
    j["runs"] = o.runs;
    j["journal"] = !o.no_journal;
    j["market_events"] = records.size();
    j["engine_inputs"] = last.inputs;
    j["engine_outputs"] = last.outputs;
    j["fills"] = last.venue.fills;
    j["seconds"] = best;
    j["seconds_median"] = median;
    j["events_per_s"] = std::round(n / best);
    j["events_per_s_median"] = std::round(n / median);
    j["records_per_s"] = std::round(records_journaled / best);
    j["simulating_thread_cpu_seconds_median"] = Median(main_cpu_s);
    j["journal_thread_cpu_seconds_median"] = Median(other_cpu_s);
    if (!o.no_journal) {
      j["replay_seconds"] = replay_best;
      j["replay_records_per_s"] = std::round(records_journaled / replay_best);
    }
    j["event_hash"] = fmt::format("{:016x}", last.event_hash);
    PrintJson(j);
    return kExitOk;
  }
  fmt::print("simulation benchmark: {} with {}, seed {}, best of {} runs\n", market_name,
             o.strategy, o.seed, o.runs);
  fmt::print("  market events   {}   engine inputs {}   outputs {}   fills {}\n", records.size(),
             last.inputs, last.outputs, last.venue.fills);
  fmt::print(
      "  simulate        {:.3f} s: {:.2f} M market events/s ({:.2f} M {} records/s); "
      "median {:.2f} M/s\n",
      best, n / best / 1e6, records_journaled / best / 1e6,
      o.no_journal ? "engine input and output" : "journaled", n / median / 1e6);
  fmt::print("  CPU, median     simulating thread {:.3f} s, journal writer {:.3f} s\n",
             Median(main_cpu_s), Median(other_cpu_s));
  if (!o.no_journal) {
    fmt::print("  exact replay    {:.3f} s: {:.2f} M records/s, 0 divergences\n", replay_best,
               records_journaled / replay_best / 1e6);
  }
  return kExitOk;
}

}  // namespace

void RegisterSimulateBenchCommands(CLI::App& app, int* exit_code) {
  CLI::App* bench = Group(app, "bench", "Measure throughput and latency");
  CLI::App* cmd = bench->add_subcommand(
      "simulate",
      "Full simulation throughput (engine + venue + links + journal) on a LOBSTER day, then "
      "the exact replay of the journal it wrote");
  auto o = std::make_shared<SimBenchOptions>();
  cmd->add_option("--market", o->market, "Market data from this journal instead of LOBSTER");
  cmd->add_option("--data-dir", o->data_dir, "The shared data folder (holds lobster/)");
  cmd->add_option("--strategy", o->strategy, "market-maker, momentum, twap");
  cmd->add_option("--config", o->config, "Engine + scenario TOML");
  cmd->add_option("--seed", o->seed, "The run's seed");
  cmd->add_option("--runs", o->runs, "Timed runs (the best and the median are reported)")
      ->check(CLI::Range(1, 100));
  cmd->add_flag("--json", o->json, "One JSON object on stdout");
  cmd->add_flag("--no-journal", o->no_journal,
                "Run without writing the journal (and without the replay): the cost of the "
                "engine, venue and links alone");
  cmd->callback([o, exit_code] { *exit_code = Run(*o); });
}

}  // namespace td::tools
