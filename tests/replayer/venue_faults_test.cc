// Venue outages and stale snapshots in a simulation (docs/scenario.md, `[faults]`): during an
// outage the engine gets no market data and cannot trade, and after it a snapshot of the touch;
// with stale_book_after_reconnect the first touch after a reconnect is the one of
// stale_book_age before. Read back from the journal of the run, as a user would.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "journal/reader.h"
#include "replayer/exact_replay.h"
#include "replayer/market_source.h"
#include "replayer/simulate.h"

namespace td::replayer {
namespace {

namespace fs = std::filesystem;

constexpr char kBase[] = R"(seed = 3

[engine]
strategy = "market-maker"

[strategy]
spread_ticks = 1
size = 100
max_inventory = 1000

[latency.order_entry]
model = "constant"
value = "200us"

[latency.venue_response]
model = "constant"
value = "200us"

[latency.market_data]
model = "constant"
value = "50us"
)";

std::vector<Event> RunAndRead(const std::string& name, const std::string& config) {
  const fs::path dir =
      fs::temp_directory_path() / ("td_venue_faults_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  marketdata::SyntheticConfig sc;
  sc.duration = Duration::Seconds(20);
  SyntheticMarketSource source(sc, 5);
  SimulateOptions o;
  o.config_text = config;
  o.config_origin = name + ".toml";
  o.seed = 9;
  o.duration = sc.duration;
  o.out_dir = dir.string();
  Result<SessionResult> r = Simulate(o, source);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  Result<ReplayReport> replay = ExactReplay(dir.string(), {});
  EXPECT_TRUE(replay.ok() && replay->divergences == 0) << "the run must replay exactly";
  std::vector<Event> events;
  auto reader = journal::JournalReader::Open(dir.string());
  EXPECT_TRUE(reader.ok());
  if (reader.ok()) {
    while (const Event* e = (*reader)->Next()) events.push_back(*e);
  }
  fs::remove_all(dir);
  return events;
}

bool IsMarketData(const Event& e) {
  return std::holds_alternative<L3Order>(e.payload) || std::holds_alternative<L1Quote>(e.payload) ||
         std::holds_alternative<Trade>(e.payload);
}

TEST(VenueFaults, OutageSilencesTheFeedAndEndsWithASnapshot) {
  const std::string config = std::string(kBase) + R"(
[[faults.outage]]
at = "5s"
length = "3s"
)";
  const std::vector<Event> events = RunAndRead("outage", config);
  std::optional<Timestamp> down, up;
  for (const Event& e : events) {
    if (const auto* s = std::get_if<SessionState>(&e.payload)) {
      if (s->state == SessionStateKind::kDisconnected && !down) down = e.ts;
      if (s->state == SessionStateKind::kLoggedOn && down && !up) up = e.ts;
    }
  }
  ASSERT_TRUE(down && up);
  EXPECT_EQ((*up - *down).ns, Duration::Seconds(3).ns);
  uint64_t during = 0, orders_during = 0;
  std::optional<Event> first_after;
  for (const Event& e : events) {
    // Market data already on the wire when the venue went down still lands (its latency).
    if (e.ts > *down + Duration::Millis(1) && e.ts < *up && IsMarketData(e)) ++during;
    if (e.ts > *down && e.ts < *up && std::holds_alternative<NewOrder>(e.payload)) ++orders_during;
    if (e.ts >= *up && !first_after && IsMarketData(e)) first_after = e;
  }
  EXPECT_EQ(during, 0u) << "no market data reaches the engine while the venue is down";
  EXPECT_EQ(orders_during, 0u);
  ASSERT_TRUE(first_after.has_value());
  EXPECT_TRUE(std::holds_alternative<L1Quote>(first_after->payload))
      << "the first market record after the outage is the touch snapshot";
}

TEST(VenueFaults, StaleSnapshotAfterReconnectIsTheTouchOfThatAgeBefore) {
  const std::string config = std::string(kBase) + R"(
[faults]
stale_book_after_reconnect = "1"
stale_book_age = "2s"

[[faults.disconnect]]
at = "6s"
down_for = "1s"
)";
  const std::vector<Event> events = RunAndRead("stale", config);
  std::optional<Timestamp> up;
  size_t up_index = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const auto* s = std::get_if<SessionState>(&events[i].payload);
    if (s != nullptr && s->state == SessionStateKind::kLoggedOn && events[i].ts.ns > 0 &&
        i > 0 && !up) {
      bool after_disconnect = false;
      for (size_t j = 0; j < i; ++j) {
        const auto* d = std::get_if<SessionState>(&events[j].payload);
        after_disconnect |= d != nullptr && d->state == SessionStateKind::kDisconnected;
      }
      if (after_disconnect) up = events[i].ts, up_index = i;
    }
  }
  ASSERT_TRUE(up.has_value());
  // The touch the engine had seen stale_book_age (2 s) before the reconnect.
  std::optional<L1Quote> then;
  for (size_t i = 0; i < up_index; ++i) {
    if (events[i].ts > *up - Duration::Seconds(2)) break;
    if (const auto* q = std::get_if<L1Quote>(&events[i].payload)) then = *q;
  }
  ASSERT_TRUE(then.has_value());
  // The snapshot: the first L1Quote at the reconnect time plus the feed latency.
  std::optional<L1Quote> snapshot;
  for (size_t i = up_index; i < events.size(); ++i) {
    const auto* q = std::get_if<L1Quote>(&events[i].payload);
    if (q != nullptr && events[i].ts == *up + Duration::Micros(50)) {
      snapshot = *q;
      break;
    }
  }
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_EQ(snapshot->bid, then->bid);
  EXPECT_EQ(snapshot->ask, then->ask);
}

}  // namespace
}  // namespace td::replayer
