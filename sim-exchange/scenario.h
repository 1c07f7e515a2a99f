// Scenario: the execution models of a simulation run and its seed, read from a TOML file
// (docs/scenario.md lists every key; docs/examples/scenario.toml is a complete example).
// Parsing is strict: an unknown key, a wrong type or a bad value is an error naming the file,
// line, column and key path. No number passes through a double: durations are strings such as
// "250us" and decimals strings such as "0.4", parsed digit by digit (DESIGN.md, principle 3).
// Every model config in a Scenario has been validated by its model's Create().
//
//   Result<Scenario> s = LoadScenario("docs/examples/scenario.toml");
//   if (!s.ok()) { fprintf(stderr, "%s\n", s.status().message().c_str()); ... }
//   Rng rng(s->seed);
//   int64_t delay_ns = s->latency.order_entry.Sample(rng);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"
#include "sim-exchange/faults.h"
#include "sim-exchange/fees.h"
#include "sim-exchange/latency_model.h"
#include "sim-exchange/rate_limit.h"
#include "sim-exchange/slippage.h"

namespace td::sim {

inline constexpr size_t kMaxScenarioBytes = 4u << 20;

struct Scenario {
  std::string origin;  // the file path (or the name given to ParseScenario)
  std::string text;    // verbatim, for the journal header's config_text
  uint64_t seed = 0;
  LatencyProfile latency;                     // absent tables: constant 0
  std::optional<RateLimitConfig> rate_limit;  // absent: no limit
  FaultConfig faults;                         // absent: no faults
  SlippageParams slippage;                    // absent: the defaults of SlippageParams
  FeeScheduleSpec fees;                       // absent: no fees
};

// Reads and parses a scenario file. Errors: the file cannot be read or exceeds
// kMaxScenarioBytes, and every error of ParseScenario.
Result<Scenario> LoadScenario(const std::string& path);

// Parses scenario text; `origin_name` prefixes every message:
// `scenario.toml:12:10: latency.order_entry.median: invalid duration "2xs": unknown unit "xs"`.
Result<Scenario> ParseScenario(std::string_view text, std::string_view origin_name);


// Probability text: "num/den" ("1/1000"), a decimal ("0.001") or a percentage ("0.1%"),
// exactly, reduced to lowest terms. Errors: anything else, or a value above 1.
Result<Probability> ParseProbabilityText(std::string_view text);

}  // namespace td::sim
