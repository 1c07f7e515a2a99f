// The kill switch under faults, on many seeds (issue 4, item 9): examples/kill-switch.toml as
// shipped (random disconnects that cancel open orders, a sliding-window rate limit, cancels
// rejected as too late, dropped, duplicated and delayed acks, a kill at 5 s) on 200 seeds of
// both the run and the synthetic market. Every seed must end with no open order and every
// position flat, and must get there within kFlatBound of simulated time after the kill.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/replayer/sim_test_util.h"

namespace td::replayer {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kSeeds = 200;
constexpr Duration kRunLength = Duration::Seconds(12);
constexpr Duration kFlatBound = Duration::Seconds(2);

TEST(KillSwitchSweep, EverySeedEndsFlatWithNoOpenOrderSoonAfterTheKill) {
  const std::string config = testing::ReadSourceFile("examples/kill-switch.toml");
  ASSERT_FALSE(config.empty());
  const fs::path dir = testing::TempJournalDir("kill_sweep");
  uint64_t disconnects = 0, rate_limited = 0, cancel_rejects = 0, fills = 0;
  Duration slowest;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    Result<SessionResult> r = testing::SimulateSynthetic(config, "examples/kill-switch.toml", seed,
                                                         dir, kRunLength, kRunLength);
    ASSERT_TRUE(r.ok()) << "seed " << seed << ": " << r.status().ToString();
    const engine::EngineSummary& s = r->engine;
    ASSERT_TRUE(s.kill_switch_fired.has_value()) << "seed " << seed;
    ASSERT_TRUE(s.kill_switch_flat.has_value()) << "seed " << seed << ": never flat";
    const Duration took = *s.kill_switch_flat - *s.kill_switch_fired;
    EXPECT_LE(took, kFlatBound) << "seed " << seed;
    if (took > slowest) slowest = took;
    EXPECT_EQ(s.open_orders, 0u) << "seed " << seed;
    for (const auto& p : s.positions) {
      EXPECT_EQ(p.position.raw, 0) << "seed " << seed << " instrument " << p.instrument;
    }
    disconnects += r->links.disconnects;
    rate_limited += r->venue.rate_limit_rejects;
    cancel_rejects += r->venue.cancel_rejects;
    fills += s.fills;
  }
  fs::remove_all(dir);
  // The faults the sweep is about did happen.
  EXPECT_GT(disconnects, kSeeds);
  EXPECT_GT(rate_limited, 0u);
  EXPECT_GT(cancel_rejects, 0u);
  EXPECT_GT(fills, 0u);
  std::printf("kill-switch sweep: %llu seeds flat; slowest %lld ms from kill to flat; "
              "%llu disconnects, %llu rate-limit rejects, %llu cancel rejects, %llu fills\n",
              static_cast<unsigned long long>(kSeeds),
              static_cast<long long>(slowest.ns / 1'000'000),
              static_cast<unsigned long long>(disconnects),
              static_cast<unsigned long long>(rate_limited),
              static_cast<unsigned long long>(cancel_rejects),
              static_cast<unsigned long long>(fills));
}

}  // namespace
}  // namespace td::replayer
