// Tests for sim-exchange/scenario: the committed example parses into the expected models,
// duration and probability text is exact, and every kind of error names file, line and key.
#include "core/time_text.h"
#include "sim-exchange/scenario.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

namespace td::sim {
namespace {

std::string ErrorOf(std::string_view text) {
  Result<Scenario> s = ParseScenario(text, "test.toml");
  EXPECT_FALSE(s.ok()) << "parsed: " << text;
  return s.ok() ? "" : s.status().message();
}

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

TEST(Scenario, CommittedExampleParses) {
  const std::string path = std::string(TD_SOURCE_DIR) + "/docs/examples/scenario.toml";
  Result<Scenario> s = LoadScenario(path);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->seed, 42u);
  EXPECT_EQ(s->origin, path);
  EXPECT_FALSE(s->text.empty());

  const LatencySpec& oe = s->latency.order_entry.spec();
  EXPECT_EQ(oe.kind, LatencyKind::kLogNormal);
  EXPECT_EQ(oe.median_ns, 180'000);
  EXPECT_EQ(oe.sigma_ppm, 350'000);
  EXPECT_EQ(oe.phi_ppm, 900'000);
  EXPECT_EQ(oe.min_ns, 60'000);
  EXPECT_EQ(oe.max_ns, 50'000'000);
  EXPECT_EQ(s->latency.venue_response.spec().kind, LatencyKind::kUniform);
  EXPECT_EQ(s->latency.venue_response.spec().hi_ns, 400'000);
  const LatencySpec& md = s->latency.market_data.spec();
  ASSERT_EQ(md.bins.size(), 4u);
  EXPECT_EQ(md.bins[2].lower, 80'000);
  EXPECT_EQ(md.bins[2].upper, 1'000'000);
  EXPECT_EQ(md.bins[2].weight, 9u);

  ASSERT_TRUE(s->rate_limit.has_value());
  EXPECT_EQ(s->rate_limit->kind, RateLimitKind::kSlidingWindow);
  EXPECT_EQ(s->rate_limit->window_weight_max, 50);
  EXPECT_EQ(s->rate_limit->weights[4], 10);
  EXPECT_EQ(s->rate_limit->ban_duration, Duration::Seconds(30));

  const FaultConfig& f = s->faults;
  EXPECT_EQ(f.random_disconnect_mean_interval, Duration::Seconds(45 * 60));
  EXPECT_EQ(f.reconnect_delay.kind, LatencyKind::kUniform);
  EXPECT_EQ(f.disconnect_open_orders, OpenOrderPolicy::kCancelAll);
  EXPECT_EQ(f.drop_ack, (Probability{1, 5000}));
  EXPECT_EQ(f.delay_ack, (Probability{1, 100}));
  EXPECT_EQ(f.cancel_too_late, (Probability{1, 50}));
  EXPECT_EQ(f.ack_delay.median_ns, 20'000'000);
  ASSERT_EQ(f.disconnects.size(), 1u);
  EXPECT_EQ(f.disconnects[0].at, Duration::Seconds(600));
  ASSERT_EQ(f.outages.size(), 1u);
  EXPECT_EQ(f.outages[0].open_orders, OpenOrderPolicy::kKeep);
  EXPECT_EQ(f.stale_book_age, Duration::Millis(750));

  EXPECT_EQ(s->slippage.k_ppm, 800'000);
  EXPECT_EQ(s->slippage.alpha_ppm, 50'000);
  EXPECT_EQ(s->slippage.initial_sigma, Price{20'000'000});
  EXPECT_EQ(s->slippage.initial_volume, Qty{5'000});
  EXPECT_EQ(s->slippage.max_impact, Price{5'000'000'000});

  // The models it describes are usable as is.
  Result<VenueFaults> faults = VenueFaults::Create(f, Timestamp{0});
  EXPECT_TRUE(faults.ok());
  EXPECT_TRUE(RateLimiter::Create(*s->rate_limit).ok());
  EXPECT_TRUE(SlippageModel::Create(s->slippage, Price{10'000'000}).ok());
}

TEST(Scenario, ExampleInTheDocsParses) {
  const std::string path = std::string(TD_SOURCE_DIR) + "/docs/scenario.md";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t begin = doc.find("```toml\n");
  ASSERT_NE(begin, std::string::npos);
  const size_t end = doc.find("```", begin + 8);
  ASSERT_NE(end, std::string::npos);
  Result<Scenario> s = ParseScenario(doc.substr(begin + 8, end - begin - 8), "scenario.md");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->seed, 42u);
  EXPECT_EQ(s->rate_limit->weights[2], 2);
}

TEST(Scenario, EmptyTextGivesDefaults) {
  Result<Scenario> s = ParseScenario("", "empty.toml");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->seed, 0u);
  EXPECT_FALSE(s->rate_limit.has_value());
  Rng rng(1);
  EXPECT_EQ(s->latency.order_entry.Sample(rng), 0);
}

TEST(Scenario, DurationShorthandForConstantLatency) {
  Result<Scenario> s = ParseScenario("[latency]\norder_entry = \"250us\"\n", "x.toml");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->latency.order_entry.spec().kind, LatencyKind::kConstant);
  EXPECT_EQ(s->latency.order_entry.spec().constant_ns, 250'000);
}

TEST(Scenario, UnknownKeyNamesLineColumnAndKey) {
  const std::string e = ErrorOf(
      "seed = 1\n\n[latency.order_entry]\nmodel = \"constant\"\n"
      "value = \"1ms\"\nmedain = \"2ms\"\n");
  EXPECT_CONTAINS(e, "test.toml:6:1: latency.order_entry.medain: unknown key");
  const std::string top = ErrorOf("sede = 1\n");
  EXPECT_CONTAINS(top, "test.toml:1:1: sede: unknown key");
}

TEST(Scenario, BadDurationNamesLineAndKey) {
  const std::string e = ErrorOf(
      "[rate_limit]\nkind = \"sliding_window\"\nwindow = \"2xs\"\n"
      "max_weight = 5\n");
  EXPECT_CONTAINS(e, "test.toml:3:10: rate_limit.window: invalid duration \"2xs\": unknown unit");
}

TEST(Scenario, FloatsAreRefusedWithAHint) {
  const std::string e =
      ErrorOf("[latency.order_entry]\nmodel = \"lognormal\"\nmedian = \"1ms\"\nsigma = 0.4\n");
  EXPECT_CONTAINS(e, "test.toml:4:9: latency.order_entry.sigma: write decimals as strings");
}

TEST(Scenario, ParametersOfAnotherModelAreErrors) {
  const std::string e = ErrorOf(
      "[latency.order_entry]\nmodel = \"uniform\"\nlo = \"1us\"\nhi = \"2us\"\n"
      "median = \"1ms\"\n");
  EXPECT_CONTAINS(e, "test.toml:5:10: latency.order_entry.median: not a parameter of the uniform");
  const std::string missing = ErrorOf("[latency.order_entry]\nmodel = \"uniform\"\nlo = \"1us\"\n");
  EXPECT_CONTAINS(missing, "test.toml:1:1: latency.order_entry: missing key \"hi\"");
}

TEST(Scenario, TomlSyntaxErrorHasPosition) {
  const std::string e = ErrorOf("seed = 1\n[faults\n");
  EXPECT_CONTAINS(e, "test.toml:2:");
  EXPECT_CONTAINS(e, "TOML syntax");
}

TEST(Scenario, WrongTypesAndEnums) {
  EXPECT_CONTAINS(ErrorOf("seed = \"x\"\n"), "test.toml:1:8: seed: expected an integer");
  EXPECT_CONTAINS(ErrorOf("[faults]\ndrop_ack = \"3/2\"\n"),
                  "test.toml:2:12: faults.drop_ack: invalid probability \"3/2\": above 1");
  EXPECT_CONTAINS(ErrorOf("[[faults.outage]]\nat = \"1h\"\nlength = \"1m\"\n"
                          "open_orders = \"drop\"\n"),
                  "test.toml:4:15: faults.outage.open_orders: \"drop\" is not one of");
  EXPECT_CONTAINS(ErrorOf("[rate_limit]\nkind = \"token_bucket\"\ncapacity = 5\nrefill = 1\n"
                          "refill_interval = \"1s\"\nwindow = \"1s\"\n"),
                  "test.toml:6:10: rate_limit.window: not a token_bucket parameter");
}

TEST(Scenario, ModelValidationErrorsPointAtTheTable) {
  // Each value parses, but the uniform model needs lo <= hi.
  const std::string e =
      ErrorOf("\n[latency.venue_response]\nmodel = \"uniform\"\nlo = \"2ms\"\nhi = \"1ms\"\n");
  EXPECT_CONTAINS(e, "test.toml:2:1: latency.venue_response: latency hi");
  const std::string overlap = ErrorOf(
      "[[faults.outage]]\nat = \"1h\"\nlength = \"1h\"\n[[faults.outage]]\nat = \"90m\"\n"
      "length = \"1m\"\n");
  EXPECT_CONTAINS(overlap, ": faults: outage at +5400000000000 ns overlaps");
}

TEST(Scenario, MissingFileIsNotFound) {
  Result<Scenario> s = LoadScenario("/nonexistent/scenario.toml");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
  EXPECT_CONTAINS(s.status().message(), "/nonexistent/scenario.toml");
}

TEST(DurationText, ExactUnits) {
  EXPECT_EQ(*ParseDurationText("250us"), Duration::Micros(250));
  EXPECT_EQ(*ParseDurationText("1.5ms"), Duration::Micros(1'500));
  EXPECT_EQ(*ParseDurationText("60s"), Duration::Seconds(60));
  EXPECT_EQ(*ParseDurationText("5m"), Duration::Seconds(300));
  EXPECT_EQ(*ParseDurationText("1h"), Duration::Seconds(3'600));
  EXPECT_EQ(*ParseDurationText("0.000000001s"), Duration::Nanos(1));
  EXPECT_EQ(*ParseDurationText("12345"), Duration::Nanos(12'345));
  EXPECT_EQ(*ParseDurationText("2562047h"), Duration::Seconds(2'562'047LL * 3'600));
  for (const char* bad :
       {"", "s", "1.5ns", "-1s", "1 s", "1sec", "1e3s", "1.s", "99999999999h", "1.5"}) {
    EXPECT_FALSE(ParseDurationText(bad).ok()) << bad;
  }
}

TEST(ProbabilityText, ExactForms) {
  EXPECT_EQ(*ParseProbabilityText("1/1000"), (Probability{1, 1000}));
  EXPECT_EQ(*ParseProbabilityText("2/4"), (Probability{1, 2}));
  EXPECT_EQ(*ParseProbabilityText("0.001"), (Probability{1, 1000}));
  EXPECT_EQ(*ParseProbabilityText("0.1%"), (Probability{1, 1000}));
  EXPECT_EQ(*ParseProbabilityText("100%"), (Probability{1, 1}));
  EXPECT_EQ(*ParseProbabilityText("0"), (Probability{0, 1}));
  for (const char* bad : {"", "1/0", "2/1", "1.5", "101%", "-0.1", "x", "1/2/3"}) {
    EXPECT_FALSE(ParseProbabilityText(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace td::sim

namespace td::sim {
namespace {

TEST(ScenarioFees, ParsesRatesExactlyAndRejectsFloats) {
  Result<Scenario> s = ParseScenario(
      "[fees]\nmaker_bps = \"-0.2\"\ntaker_bps = \"0.3\"\ntaker_per_unit = \"0.0005\"\n",
      "fees.toml");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->fees.base.maker_ubps, -200'000);
  EXPECT_EQ(s->fees.base.taker_ubps, 300'000);
  EXPECT_EQ(s->fees.base.taker_per_unit_nanos, 500'000);
  Result<Scenario> bad = ParseScenario("[fees]\nmaker_bps = 0.2\n", "fees.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("fees.toml:2"), std::string::npos)
      << bad.status().message();
  EXPECT_FALSE(ParseScenario("[fees]\nmaker = \"1\"\n", "fees.toml").ok());
}

}  // namespace
}  // namespace td::sim
