// Differential test: seeded random operation sequences (every order type, TIF, iceberg, STP
// mode, stop, replace, historical execution, mass cancel, expiry and validation reject) run
// through OrderBook and the simple ReferenceBook; every event, the top 5 levels, the orders
// touched and per-order quantity conservation must agree after every step. The seed is
// printed; TD_SEED=<n> replays one.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/rng.h"
#include "sim-exchange/book_ops.h"
#include "sim-exchange/reference_book.h"

namespace td::sim {
namespace {

constexpr uint64_t kDefaultSeed = 20'240'601;
constexpr size_t kBytesPerOp = 8;  // the decoder reads at most 7

uint64_t Seed() {
  const char* env = std::getenv("TD_SEED");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : kDefaultSeed;
}

// Runs `ops` decoded random operations; returns the checker for coverage assertions.
DifferentialChecker RunDifferential(uint64_t seed, size_t ops, BookOptions options) {
  std::printf("order book differential: TD_SEED=%llu, %zu operations\n",
              static_cast<unsigned long long>(seed), ops);
  Rng rng(seed);
  std::vector<uint8_t> bytes(ops * kBytesPerOp);
  for (size_t i = 0; i < bytes.size(); i += 8) {
    const uint64_t r = rng.NextU64();
    for (size_t k = 0; k < 8 && i + k < bytes.size(); ++k) bytes[i + k] = uint8_t(r >> (8 * k));
  }
  BookOpDecoder decoder(bytes, DifferentialInstrument());
  DifferentialChecker check(DifferentialInstrument(), options);
  BookOp op;
  for (size_t n = 0; n < ops && decoder.Next(&op); ++n) {
    const Status s = check.Step(op);
    if (!s.ok()) {
      ADD_FAILURE() << "TD_SEED=" << seed << ": " << s.ToString();
      break;
    }
  }
  std::printf("  %llu steps, %llu events, %llu fills, %llu triggers, at most %llu live orders\n",
              static_cast<unsigned long long>(check.steps()),
              static_cast<unsigned long long>(check.events()),
              static_cast<unsigned long long>(check.fills()),
              static_cast<unsigned long long>(check.events_of(BookEventKind::kTriggered)),
              static_cast<unsigned long long>(check.max_live_orders()));
  return check;
}

TEST(OrderBookDifferential, RandomSequencesMatchReference) {
  const DifferentialChecker check = RunDifferential(Seed(), 100'000, BookOptions{});
  EXPECT_EQ(check.steps(), 100'000u);
  // The sequence exercised what it is meant to.
  EXPECT_GT(check.fills(), 10'000u);
  EXPECT_GT(check.events_of(BookEventKind::kTriggered), 500u);
  EXPECT_GT(check.events_of(BookEventKind::kReplaced), 2'000u);
  EXPECT_GT(check.events_of(BookEventKind::kRejected), 2'000u);
  EXPECT_GT(check.max_live_orders(), 50u);
}

TEST(OrderBookDifferential, PriceBandAndValidatedHistoricalOrders) {
  const DifferentialChecker check = RunDifferential(
      Seed(), 30'000, BookOptions{.price_band_bps = 500, .validate_market_orders = true});
  EXPECT_EQ(check.steps(), 30'000u);
  EXPECT_GT(check.fills(), 3'000u);
}

}  // namespace
}  // namespace td::sim
