// FIX 4.4 sessions inside a simulation (`[session] protocol = "fix"`, replayer/fix_link.h):
// the engine's commands and the venue's replies cross the simulated links as FIX messages
// between two fix::Sessions. Session-level faults (lost wire messages, so sequence gaps and
// resends; disconnects while orders, cancels and replaces are in flight) are simulated
// deterministically: the same seed gives the same journal bytes, the journal replays exactly,
// and after every run the engine's positions and open orders are the venue's.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>

#include "journal/reader.h"
#include "replayer/exact_replay.h"
#include "replayer/run_config.h"
#include "tests/replayer/sim_test_util.h"

namespace td::replayer {
namespace {

namespace fs = std::filesystem;

std::string ReadExample() { return testing::ReadSourceFile("examples/fix-session.toml"); }

// The example with the market maker moving its quotes by replace.
std::string WithReplaces(std::string config) {
  const std::string key = "max_inventory = 1000\n";
  const size_t at = config.find(key);
  EXPECT_NE(at, std::string::npos);
  return config.insert(at + key.size(), "requote = \"replace\"\n");
}

fs::path TempDir(const std::string& name) { return testing::TempJournalDir("fix_link_" + name); }

Result<SessionResult> RunSim(const std::string& config, uint64_t seed, const fs::path& dir,
                             Duration market, Duration duration) {
  return testing::SimulateSynthetic(config, "fix-session.toml", seed, dir, market, duration);
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The engine's view against the venue's: positions per instrument and working orders.
void ExpectEngineMatchesVenue(const SessionResult& r, uint64_t seed) {
  std::map<InstrumentId, int64_t> engine, venue;
  for (const auto& p : r.engine.positions) {
    if (p.position.raw != 0) engine[p.instrument] = p.position.raw;
  }
  for (const auto& [id, q] : r.venue_holdings.positions) {
    if (q.raw != 0) venue[id] = q.raw;
  }
  EXPECT_EQ(engine, venue) << "seed " << seed << ": positions drifted from the venue";
  EXPECT_EQ(r.engine.open_orders, r.venue_holdings.open_orders) << "seed " << seed;
}

TEST(FixLinkConfig, ParsesTheSessionTableAndNamesBadKeys) {
  Result<RunConfig> ok = ParseRunConfig(
      "[session]\nprotocol = \"fix\"\nheartbeat_interval = \"2s\"\nwire_loss = \"1/100\"\n"
      "reconnect_interval = \"250ms\"\nresend_request_timeout = \"1s\"\nreset_on_logon = true\n"
      "logon_timeout = \"3s\"\n",
      "s.toml");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->session.protocol, LinkProtocol::kFix);
  EXPECT_EQ(ok->session.heartbeat_interval_s, 2);
  EXPECT_EQ(ok->session.wire_loss, (sim::Probability{1, 100}));
  EXPECT_EQ(ok->session.reconnect_interval, Duration::Millis(250));
  EXPECT_TRUE(ok->session.reset_on_logon);
  EXPECT_EQ(ok->session.logon_timeout, Duration::Seconds(3));
  EXPECT_EQ(ParseRunConfig("", "s.toml")->session.protocol, LinkProtocol::kDirect);

  auto error = [](const std::string& text) {
    Result<RunConfig> r = ParseRunConfig(text, "s.toml");
    return r.ok() ? std::string("ok") : r.status().message();
  };
  EXPECT_EQ(error("[session]\nprotocol = \"fox\"\n"),
            "s.toml:2:12: session.protocol: \"fox\" is not a protocol (use \"direct\" or \"fix\")");
  EXPECT_NE(error("[session]\nheartbeats = \"1s\"\n").find("s.toml:2:14: session.heartbeats: "
                                                          "unknown key"),
            std::string::npos);
  EXPECT_NE(error("[session]\nprotocol = \"fix\"\nheartbeat_interval = \"1500ms\"\n")
                .find("whole seconds"),
            std::string::npos);
  EXPECT_NE(error("[session]\nwire_loss = \"1/10\"\n").find("needs protocol = \"fix\""),
            std::string::npos);
  EXPECT_NE(error("[session]\nlogon_timeout = \"0s\"\n").find("session.logon_timeout: must be "
                                                                  "positive"),
            std::string::npos);
  EXPECT_NE(error("[session]\nprotocol = \"fix\"\nwire_loss = \"2\"\n").find("session.wire_loss"),
            std::string::npos);
}

TEST(FixLinkSim, SameSeedSameJournalBytesAndAnExactReplay) {
  const std::string config = ReadExample();
  const fs::path a = TempDir("a"), b = TempDir("b");
  Result<SessionResult> ra = RunSim(config, 3, a, Duration::Seconds(12), Duration::Seconds(12));
  Result<SessionResult> rb = RunSim(config, 3, b, Duration::Seconds(12), Duration::Seconds(12));
  ASSERT_TRUE(ra.ok()) << ra.status().ToString();
  ASSERT_TRUE(rb.ok()) << rb.status().ToString();
  EXPECT_EQ(ra->event_hash, rb->event_hash);
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(a)) names.insert(e.path().filename().string());
  ASSERT_FALSE(names.empty());
  for (const std::string& n : names) {
    EXPECT_EQ(ReadFile(a / n), ReadFile(b / n)) << n << " differs between two runs of one seed";
  }
  // The session did its work: messages lost, gaps asked for and filled, reconnects.
  EXPECT_EQ(ra->protocol, LinkProtocol::kFix);
  EXPECT_GT(ra->links.wire_lost, 0u);
  EXPECT_GT(ra->links.fix.resend_requests, 0u);
  EXPECT_GT(ra->links.fix.gaps_filled, 0u);
  EXPECT_GT(ra->links.fix.logons, 1u);

  // The journal holds the engine's FIX wire messages, as a paper session's does, and replays
  // with no divergence.
  auto reader = journal::JournalReader::Open(a.string());
  ASSERT_TRUE(reader.ok());
  uint64_t wire = 0, resent = 0;
  while (const Event* e = (*reader)->Next()) {
    if (const auto* w = std::get_if<WireMessage>(&e->payload)) {
      ++wire;
      if (w->bytes.find("\x01" "43=Y\x01") != std::string::npos) ++resent;
    }
  }
  EXPECT_GT(wire, 100u);
  EXPECT_GT(resent, 0u) << "no PossDupFlag=Y resend reached the engine";
  Result<ReplayReport> replay = ExactReplay(a.string(), {});
  ASSERT_TRUE(replay.ok()) << replay.status().ToString();
  EXPECT_EQ(replay->divergences, 0u);
  EXPECT_EQ(replay->event_hash, ra->event_hash);
  fs::remove_all(a);
  fs::remove_all(b);
}

// The example on many seeds, half of them requoting by replace: a kill at 8 s must end every
// seed flat with no open order, and the engine must agree with the venue.
TEST(FixLinkSim, KillSwitchSweepEndsFlatAndAgreesWithTheVenue) {
  constexpr uint64_t kSeeds = 60;
  constexpr Duration kFlatBound = Duration::Seconds(3);
  const std::string base = ReadExample();
  const std::string replacing = WithReplaces(base);
  const fs::path dir = TempDir("sweep");
  uint64_t lost = 0, in_flight = 0, resends = 0, logons = 0;
  Duration slowest;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    Result<SessionResult> r = RunSim(seed % 2 == 0 ? replacing : base, seed, dir,
                                  Duration::Seconds(12), Duration::Seconds(12));
    ASSERT_TRUE(r.ok()) << "seed " << seed << ": " << r.status().ToString();
    const engine::EngineSummary& s = r->engine;
    ASSERT_TRUE(s.kill_switch_fired.has_value()) << "seed " << seed;
    ASSERT_TRUE(s.kill_switch_flat.has_value()) << "seed " << seed << ": never flat";
    const Duration took = *s.kill_switch_flat - *s.kill_switch_fired;
    EXPECT_LE(took, kFlatBound) << "seed " << seed;
    slowest = std::max(slowest, took);
    EXPECT_EQ(s.open_orders, 0u) << "seed " << seed;
    for (const auto& p : s.positions) EXPECT_EQ(p.position.raw, 0) << "seed " << seed;
    ExpectEngineMatchesVenue(*r, seed);
    EXPECT_EQ(r->links.fix.decode_errors, 0u) << "seed " << seed;
    lost += r->links.wire_lost;
    in_flight += r->links.wire_lost_in_flight;
    resends += r->links.fix.resends_served;
    logons += r->links.fix.logons;
  }
  fs::remove_all(dir);
  EXPECT_GT(lost, kSeeds);
  EXPECT_GT(in_flight, 0u);
  EXPECT_GT(resends, kSeeds);
  EXPECT_GT(logons, 2 * kSeeds);
  std::printf("fix sweep: %llu seeds flat and equal to the venue; slowest %lld ms from kill to "
              "flat; %llu wire messages lost, %llu lost in flight, %llu resends, %llu logons\n",
              static_cast<unsigned long long>(kSeeds),
              static_cast<long long>(slowest.ns / 1'000'000),
              static_cast<unsigned long long>(lost), static_cast<unsigned long long>(in_flight),
              static_cast<unsigned long long>(resends), static_cast<unsigned long long>(logons));
}

// Disconnects in the middle of a replace: replaces take 20 ms to reach the venue and the
// venue disconnects every 300 ms on average, so many replaces are cut off in flight (or
// their answer is). After the sessions log on again the resend delivers what was lost, and
// once the day ends the engine's positions and open orders are the venue's on every seed.
TEST(FixLinkSim, DisconnectInTheMiddleOfAReplaceLeavesNoDrift) {
  const std::string config = R"(seed = 1

[engine]
strategy = "market-maker"

[strategy]
spread_ticks = 1
size = 100
max_inventory = 1000
requote = "replace"

[session]
protocol = "fix"
heartbeat_interval = "1s"
wire_loss = "1/100"
resend_request_timeout = "200ms"

[latency.order_entry]
model = "constant"
value = "20ms"

[latency.venue_response]
model = "constant"
value = "20ms"

[latency.market_data]
model = "constant"
value = "50us"

[faults]
random_disconnect_mean_interval = "300ms"
reconnect_delay = "100ms"
disconnect_open_orders = "keep"
)";
  const fs::path dir = TempDir("replace");
  uint64_t cut = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    // No set duration: the market runs 6 s, then the run drains for kDrainAfterMarket, so
    // nothing is left in flight when the two views are compared.
    Result<SessionResult> r = RunSim(config, seed, dir, Duration::Seconds(6), Duration{});
    ASSERT_TRUE(r.ok()) << "seed " << seed << ": " << r.status().ToString();
    ExpectEngineMatchesVenue(*r, seed);

    // Replaces cut off: a ReplaceOrder the engine sent, then kDisconnected before the
    // engine heard back about that replace.
    auto reader = journal::JournalReader::Open(dir.string());
    ASSERT_TRUE(reader.ok());
    std::set<ClOrdId> pending;
    while (const Event* e = (*reader)->Next()) {
      if (const auto* ro = std::get_if<ReplaceOrder>(&e->payload)) pending.insert(ro->cl_ord_id);
      if (const auto* ra = std::get_if<ReplaceAck>(&e->payload)) pending.erase(ra->cl_ord_id);
      if (const auto* cr = std::get_if<CancelReject>(&e->payload)) pending.erase(cr->cl_ord_id);
      const auto* st = std::get_if<SessionState>(&e->payload);
      if (st != nullptr && st->state == SessionStateKind::kDisconnected) {
        cut += pending.size();
        pending.clear();
      }
    }
    Result<ReplayReport> replay = ExactReplay(dir.string(), {});
    ASSERT_TRUE(replay.ok()) << replay.status().ToString();
    EXPECT_EQ(replay->divergences, 0u) << "seed " << seed;
  }
  fs::remove_all(dir);
  EXPECT_GT(cut, 10u) << "too few replaces were cut off by a disconnect to prove anything";
  std::printf("replaces cut off by a disconnect: %llu over 12 seeds, no drift\n",
              static_cast<unsigned long long>(cut));
}

}  // namespace
}  // namespace td::replayer
