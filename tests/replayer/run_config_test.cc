// One TOML text configures engine, scenario and operator commands; the command line's
// strategy is written into it so the journal header alone rebuilds the engine.
#include "replayer/run_config.h"

#include <gtest/gtest.h>

namespace td::replayer {
namespace {

constexpr char kConfig[] = R"(seed = 5

[engine]
strategy = "market-maker"

[strategy]
spread_ticks = 3

[latency.order_entry]
model = "constant"
value = "200us"

[[operator]]
at = "20s"
command = "kill_switch"

[[operator]]
at = "5s"
command = "set_param"
key = "spread_ticks"
value = 4
)";

TEST(RunConfig, ParsesEngineScenarioAndOperatorCommands) {
  Result<RunConfig> rc = ParseRunConfig(kConfig, "run.toml");
  ASSERT_TRUE(rc.ok()) << rc.status().ToString();
  EXPECT_EQ(rc->engine.strategy, "market-maker");
  EXPECT_EQ(rc->engine.params.at("spread_ticks"), "3");
  EXPECT_EQ(rc->scenario.seed, 5u);
  EXPECT_EQ(rc->scenario.latency.order_entry.spec().constant_ns, 200'000);
  EXPECT_EQ(rc->scenario.text, kConfig);
  ASSERT_EQ(rc->operators.size(), 2u);  // sorted by time
  EXPECT_EQ(rc->operators[0].at, Duration::Seconds(5));
  EXPECT_EQ(rc->operators[0].command.kind, OperatorCommandKind::kSetParam);
  EXPECT_EQ(rc->operators[0].command.value, "4");
  EXPECT_EQ(rc->operators[1].command.kind, OperatorCommandKind::kKillSwitch);
}

TEST(RunConfig, ErrorsNameTheKey) {
  Result<RunConfig> rc =
      ParseRunConfig("[[operator]]\nat = \"1s\"\ncommand = \"explode\"\n", "x.toml");
  ASSERT_FALSE(rc.ok());
  EXPECT_NE(rc.status().message().find("operator[0].command"), std::string::npos)
      << rc.status().message();
  Result<RunConfig> top = ParseRunConfig("colour = 1\n", "x.toml");
  ASSERT_FALSE(top.ok());
  EXPECT_NE(top.status().message().find("colour"), std::string::npos);
}

TEST(RunConfig, EngineSelectionIsWrittenIntoTheText) {
  Result<std::string> appended = WithEngineSelection("seed = 1\n", "twap", "", "a.toml");
  ASSERT_TRUE(appended.ok());
  Result<engine::EngineConfig> e = ParseEngineSection(*appended, "a.toml");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->strategy, "twap");

  Result<std::string> inserted = WithEngineSelection("[engine]\ncheckpoint_every_inputs = 5\n",
                                                     "market-maker", "cancel-fill-race", "b.toml");
  ASSERT_TRUE(inserted.ok());
  Result<engine::EngineConfig> e2 = ParseEngineSection(*inserted, "b.toml");
  ASSERT_TRUE(e2.ok()) << e2.status().ToString() << "\n" << *inserted;
  EXPECT_EQ(e2->strategy, "market-maker");
  EXPECT_EQ(e2->bug, "cancel-fill-race");

  EXPECT_FALSE(WithEngineSelection(kConfig, "twap", "", "c.toml").ok());  // conflicts
  EXPECT_TRUE(WithEngineSelection(kConfig, "market-maker", "", "c.toml").ok());
}

}  // namespace
}  // namespace td::replayer
