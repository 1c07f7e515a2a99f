// ParseEngineConfig and ApplyOverride: exact decimals, durations, errors with origin:line:col.
#include "tests/engine/engine_test_util.h"

namespace td::engine::testing {
namespace {

TEST(Config, ParsesAllTables) {
  auto c = ParseEngineConfig(R"(
[engine]
strategy = "twap"
bug = ""
checkpoint_every_inputs = 500
kill_switch_deadline = "30s"
kill_switch_retry = "250ms"

[strategy]
side = "sell"
slices = 12

[risk]
max_order_qty = 1000
max_order_notional = "1000.50"
price_collar_bps = 75
max_position = 5000
max_daily_loss = "250.125"
on_breach = "flatten"
max_gross_exposure = { crypto = "10000" }
)", "engine.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->strategy, "twap");
  EXPECT_EQ(c->checkpoint_every_inputs, 500u);
  EXPECT_EQ(c->kill_switch_deadline, Duration::Seconds(30));
  EXPECT_EQ(c->kill_switch_retry, Duration::Millis(250));
  EXPECT_EQ(c->params.at("slices"), "12");
  EXPECT_EQ(c->risk.max_order_notional, Usd("1000.50"));
  EXPECT_EQ(c->risk.max_daily_loss.raw, 250'125'000'000);
  EXPECT_EQ(c->risk.max_position, Qty{5000});
  EXPECT_EQ(c->risk.on_breach, RiskAction::kFlatten);
  EXPECT_EQ(c->risk.max_gross_exposure_by_class.at(AssetClass::kCrypto), Usd("10000"));
}

TEST(Config, UnknownKeyNamesLineAndKey) {
  auto c = ParseEngineConfig("[engine]\nstrategy = \"twap\"\n\n[risk]\nmax_pos = 3\n", "e.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("e.toml:5:1: risk.max_pos"), std::string::npos)
      << c.status().message();
}

TEST(Config, FloatsAndBadDecimalsAreRefused) {
  auto c = ParseEngineConfig("[risk]\nmax_daily_loss = 100.5\n", "e.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("e.toml:2:"), std::string::npos);
  EXPECT_NE(c.status().message().find("floating-point"), std::string::npos);
  auto d = ParseEngineConfig("[engine]\nkill_switch_deadline = \"soon\"\n", "e.toml");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("engine.kill_switch_deadline"), std::string::npos);
}

TEST(Config, SyntaxErrorNamesLine) {
  auto c = ParseEngineConfig("[engine]\nstrategy = \n", "bad.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("bad.toml:2:"), std::string::npos) << c.status().message();
}

TEST(Config, Overrides) {
  EngineConfig c;
  EXPECT_TRUE(ApplyOverride(&c, "strategy.spread_ticks=3").ok());
  EXPECT_TRUE(ApplyOverride(&c, "engine.bug=cancel-fill-race").ok());
  EXPECT_TRUE(ApplyOverride(&c, "risk.max_position=100").ok());
  EXPECT_EQ(c.params.at("spread_ticks"), "3");
  EXPECT_EQ(c.bug, "cancel-fill-race");
  EXPECT_EQ(c.risk.max_position, Qty{100});
  EXPECT_FALSE(ApplyOverride(&c, "engine.bug=other").ok());
  EXPECT_FALSE(ApplyOverride(&c, "risk.nope=1").ok());
  EXPECT_FALSE(ApplyOverride(&c, "nodot").ok());
}

}  // namespace
}  // namespace td::engine::testing
