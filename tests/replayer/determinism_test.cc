// Determinism of the replayer's modes, checked rather than assumed (DESIGN.md, "Modes of the
// replayer"): the same scenario and seed give byte-identical journals; exact replay of a
// simulated journal finds no divergence; a changed engine diverges at a named record; the
// event hash of a fixed scenario is pinned; the kill switch leaves nothing open and nothing
// held, whatever the seed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "journal/reader.h"
#include "journal/writer.h"
#include "replayer/exact_replay.h"
#include "replayer/journal_diff.h"
#include "replayer/market_source.h"
#include "replayer/simulate.h"
#include "replayer/what_if.h"

namespace td::replayer {
namespace {

namespace fs = std::filesystem;

// A market maker quoting one tick from the mid (so it trades), with every fault of the link
// model, random disconnects that cancel open orders, and a kill switch at 20 s.
constexpr char kFaultyConfig[] = R"(seed = 7

[engine]
strategy = "market-maker"
checkpoint_every_inputs = 5000

[strategy]
spread_ticks = 1
size = 100
max_inventory = 1000

[latency.order_entry]
model = "lognormal"
median = "200us"
sigma = "0.3"

[latency.venue_response]
model = "uniform"
lo = "100us"
hi = "300us"

[latency.market_data]
model = "constant"
value = "50us"

[faults]
duplicate_ack = "1/50"
delay_ack = "1/50"
random_disconnect_mean_interval = "8s"
reconnect_delay = "500ms"
disconnect_open_orders = "cancel_all"

[[operator]]
at = "20s"
command = "kill_switch"
)";

std::string TempDir(const std::string& name) {
  fs::path p =
      fs::temp_directory_path() / ("td_replayer_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(p);
  return p.string();
}

struct SimRun {
  std::string dir;
  SessionResult result;
};

// `name` empty: no journal (the session hashes the outputs itself, not the journal thread).
SimRun Simulate(const std::string& name, const std::string& config, uint64_t seed,
                uint64_t market_seed = 7, Duration duration = Duration::Seconds(30)) {
  marketdata::SyntheticConfig sc;
  sc.duration = duration;
  SyntheticMarketSource source(sc, market_seed);
  SimulateOptions o;
  o.config_text = config;
  o.config_origin = name + ".toml";
  o.seed = seed;
  o.duration = duration;
  if (!name.empty()) o.out_dir = TempDir(name);
  Result<SessionResult> r = replayer::Simulate(o, source);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return SimRun{o.out_dir, r.ok() ? *r : SessionResult{}};
}

std::string ReadBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(Determinism, SameScenarioAndSeedGiveByteIdenticalJournals) {
  SimRun a = Simulate("bytes_a", kFaultyConfig, 42);
  SimRun b = Simulate("bytes_b", kFaultyConfig, 42);
  EXPECT_GT(a.result.engine.fills, 0u) << "the scenario should trade";
  EXPECT_GT(a.result.links.disconnects, 0u) << "the scenario should disconnect";
  EXPECT_EQ(a.result.event_hash, b.result.event_hash);
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(a.dir)) {
    const fs::path other = fs::path(b.dir) / entry.path().filename();
    ASSERT_TRUE(fs::exists(other)) << other;
    EXPECT_TRUE(ReadBytes(entry.path()) == ReadBytes(other)) << entry.path().filename();
    ++files;
  }
  EXPECT_GE(files, 1u);
  Result<DiffReport> diff = DiffJournals(a.dir, b.dir);
  ASSERT_TRUE(diff.ok());
  EXPECT_TRUE(diff->identical());

  SimRun c = Simulate("bytes_c", kFaultyConfig, 43);  // another seed: another run
  Result<DiffReport> diff_c = DiffJournals(a.dir, c.dir);
  ASSERT_TRUE(diff_c.ok());
  EXPECT_EQ(diff_c->header_differences, std::vector<std::string>{"header.seed"});
  ASSERT_TRUE(diff_c->first.has_value()) << "another seed gives other records too";
  EXPECT_FALSE(diff_c->identical());
  for (const SimRun& r : {a, b, c}) fs::remove_all(r.dir);
}

// A session recorded in journal format 1 (a golden journal of an earlier build) still replays
// with no divergence, and `diff` finds it identical to the same session in format 2: the
// format is how the records are stored, not what was recorded.
TEST(Determinism, FormatOneJournalsReplayAndDiffIdentical) {
  SimRun a = Simulate("fmt2", kFaultyConfig, 42);
  const std::string v1 = a.dir + "-v1";
  fs::remove_all(v1);
  {
    auto r = journal::JournalReader::Open(a.dir);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    journal::WriterOptions o = DeterministicWriterOptions();
    o.format_version = 1;
    auto w = journal::JournalWriter::Create(v1, (*r)->header(), o);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    while (const Event* e = (*r)->Next()) ASSERT_EQ((*w)->Append(e->ts, e->payload), e->seq);
    ASSERT_TRUE((*r)->status().ok());
    ASSERT_TRUE((*w)->Close().ok());
  }
  auto check = journal::JournalReader::Open(v1);
  ASSERT_TRUE(check.ok());
  EXPECT_EQ((*check)->header().format_version, 1u);

  Result<DiffReport> diff = DiffJournals(a.dir, v1);
  ASSERT_TRUE(diff.ok()) << diff.status().ToString();
  EXPECT_TRUE(diff->identical());
  EXPECT_GT(diff->records_compared, 1000u);
  Result<ReplayReport> replay = ExactReplay(v1, {});
  ASSERT_TRUE(replay.ok()) << replay.status().ToString();
  EXPECT_EQ(replay->divergences, 0u);
  EXPECT_EQ(replay->event_hash, a.result.event_hash);
  fs::remove_all(a.dir);
  fs::remove_all(v1);
}

TEST(Determinism, ExactReplayOfASimulationHasNoDivergence) {
  SimRun a = Simulate("replay", kFaultyConfig, 42);
  Result<ReplayReport> r = ExactReplay(a.dir, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->divergences, 0u);
  EXPECT_FALSE(r->first_divergence.has_value());
  EXPECT_EQ(r->inputs, a.result.inputs);
  EXPECT_EQ(r->outputs, a.result.outputs);
  EXPECT_EQ(r->event_hash, a.result.event_hash);
  fs::remove_all(a.dir);
}

TEST(Determinism, ReplayWithTheRacyStrategyDivergesAtANamedRecord) {
  SimRun a = Simulate("racy", kFaultyConfig, 42);
  Result<ReplayReport> r = ExactReplay(a.dir, {{"engine.bug=cancel-fill-race"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(r->divergences, 0u);
  ASSERT_TRUE(r->first_divergence.has_value());
  const Divergence& d = *r->first_divergence;
  EXPECT_GT(d.seq, 0u);
  EXPECT_FALSE(d.kind.empty());
  EXPECT_TRUE(d.expected.has_value() || d.actual.has_value());
  EXPECT_FALSE(d.context.empty());
  if (d.kind == "checkpoint") {  // a state-only divergence: the input that caused it is named
    ASSERT_TRUE(d.state_diverged_after.has_value());
    EXPECT_TRUE(std::holds_alternative<Fill>(d.state_diverged_after->payload))
        << "the racy variant goes wrong on a fill that races its cancel";
    EXPECT_LT(d.state_diverged_after->seq, d.seq);
  }
  std::printf("racy replay: first divergence at seq %llu ts %lld kind %s\n",
              static_cast<unsigned long long>(d.seq), static_cast<long long>(d.ts.ns),
              d.kind.c_str());

  Result<ReplayReport> p = ExactReplay(a.dir, {{"strategy.spread_ticks=2"}});
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(p->first_divergence.has_value());
  EXPECT_EQ(p->first_divergence->kind, "new_order");  // the first quote moves
  fs::remove_all(a.dir);
}

// The event hash of a fixed scenario. It must be the same under gcc and clang, on every
// machine: a change here means the engine, the venue or the replayer changed behaviour (the
// engine is still moving: re-pin it with the printed value when the change is intended).
constexpr uint64_t kGoldenEventHash = 0xee0429e4cc099988;

TEST(Determinism, GoldenEventHash) {
  SimRun a = Simulate("golden", kFaultyConfig, 42, 7, Duration::Seconds(20));
  std::printf("golden event_hash: 0x%016llx (inputs %llu, outputs %llu)\n",
              static_cast<unsigned long long>(a.result.event_hash),
              static_cast<unsigned long long>(a.result.inputs),
              static_cast<unsigned long long>(a.result.outputs));
  EXPECT_EQ(a.result.event_hash, kGoldenEventHash);
  fs::remove_all(a.dir);
  // Without a journal the session hashes its outputs itself; with one the journal thread
  // does, from the records it takes: the same hash either way.
  EXPECT_EQ(Simulate("", kFaultyConfig, 42, 7, Duration::Seconds(20)).result.event_hash,
            kGoldenEventHash);
}

// After the kill switch: no open order, every position flat, the switch reported flat.
void ExpectKilledFlat(const std::string& config, uint64_t seed) {
  SimRun a = Simulate("kill_" + std::to_string(seed), config, seed, seed);
  const engine::EngineSummary& s = a.result.engine;
  ASSERT_TRUE(s.kill_switch_fired.has_value()) << "seed " << seed;
  EXPECT_TRUE(s.kill_switch_flat.has_value()) << "seed " << seed;
  EXPECT_EQ(s.open_orders, 0u) << "seed " << seed;
  for (const auto& p : s.positions) {
    EXPECT_EQ(p.position.raw, 0) << "seed " << seed << " instrument " << p.instrument;
  }
  fs::remove_all(a.dir);
}

TEST(Determinism, KillSwitchEndsFlatUnderDisconnectsAndLateAcks) {
  for (uint64_t seed : {1, 2, 3, 4, 5}) ExpectKilledFlat(kFaultyConfig, seed);
}

TEST(Determinism, KillSwitchEndsFlatWhenAcksAreDropped) {
  std::string config = kFaultyConfig;
  config.replace(config.find("duplicate_ack"), 0, "drop_ack = \"1/50\"\n");
  for (uint64_t seed : {1, 2, 3, 4, 5}) ExpectKilledFlat(config, seed);
}

TEST(WhatIf, AfterTheEndOfTheJournalItIsAnExactReplay) {
  SimRun a = Simulate("whatif", kFaultyConfig, 42);
  WhatIfOptions o;
  o.from = Timestamp::Max();
  Result<WhatIfReport> w = WhatIf(a.dir, o);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->result.event_hash, a.result.event_hash);
  EXPECT_EQ(w->result.outputs, a.result.outputs);

  o.from = w->header.created + Duration::Seconds(10);  // from 10 s: the venue answers
  Result<WhatIfReport> w10 = WhatIf(a.dir, o);
  ASSERT_TRUE(w10.ok()) << w10.status().ToString();
  EXPECT_GT(w10->recorded_inputs, 0u);
  EXPECT_LT(w10->recorded_inputs, w10->result.inputs);
  fs::remove_all(a.dir);
}

}  // namespace
}  // namespace td::replayer
