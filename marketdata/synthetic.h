// SyntheticMarket: a seeded generator of a consistent L3 market-data stream, the embedded
// default market for `make demo`, tests and benchmarks. Each instrument (SYN1, SYN2, ...: US
// equities priced in dollars with a one-cent tick) is a continuous-time Markov chain:
//
//   - a fair price in integer ticks follows a random walk (+-1 tick steps at a Poisson rate,
//     a fraction of them lognormal jumps);
//   - passive limit orders arrive as a Poisson process (exponential gaps), on either side at
//     1 + Exponential(depth_mean) ticks from the fair price; after a jump such an order may
//     cross the book, and then executes against it like any aggressive order;
//   - every resting order is cancelled at its own rate (so cancels are proportional to the
//     resting count), fully (kDelete) or partly (kCancel, the qty removed);
//   - marketable orders sweep the touch (buy-biased when the fair price is above the mid);
//   - bursts: a calm/burst regime switch multiplies every rate;
//   - sizes come from a lognormal (round lots above the lot) or an empirical histogram.
//
// The generator keeps its own book, so every cancel and execution names a live order with
// enough remaining quantity and the book never crosses: an execution is emitted as a kExecute
// of the resting order (its side, price, the executed qty) followed by a Trade (aggressor =
// the other side). Instruments interleave in time order. receive_ts = exchange_ts + a feed
// delay (FIFO, so non-decreasing); an Event's ts is its receive time. The same config and seed
// give the identical stream on every compiler (only Rng and integer arithmetic are used).
// Single-threaded; does not allocate in steady state.
//
//   SyntheticMarket market(SyntheticConfig{.instruments = 4}, /*seed=*/1);
//   Event e;
//   while (market.Next(&e)) journal->Append(e.ts, e.payload);
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/rng.h"
#include "core/status.h"

namespace td::marketdata {

inline constexpr uint32_t kMaxSyntheticInstruments = 10'000;
inline constexpr int64_t kSyntheticTickRaw = 10'000'000;  // $0.01 in Price raw units
// An aggressive order stops after this many fills (the rest is dropped, as an IOC would be),
// which bounds the records one step can emit.
inline constexpr int kMaxFillsPerStep = 32;

// Rates are in millihertz (events per 1000 s) so that they are integers: 2'000'000 mHz is
// 2000 per second. Every rate is per instrument, in the calm regime.
struct SyntheticConfig {
  uint32_t instruments = 1;
  Timestamp start = Timestamp{1'704'205'800'000'000'000};  // 2024-01-02 14:30 UTC (09:30 NY)
  Duration duration = Duration::Seconds(60);               // no event after start + duration
  int64_t initial_price_ticks = 10'000;                    // SYN1 starts at $100.00 ...
  int64_t price_step_ticks = 2'500;                        // ... SYN2 at $125.00, and so on

  int64_t add_rate_mhz = 2'000'000;           // passive limit orders
  int64_t market_rate_mhz = 150'000;          // marketable orders
  int64_t cancel_rate_per_order_mhz = 4'000;  // each resting order (mean life 250 ms)
  int64_t partial_cancel_ppm = 200'000;       // share of cancels that remove only a part
  int64_t depth_mean_ticks = 4;               // passive distance: 1 + Exponential(mean)

  int64_t fair_step_rate_mhz = 40'000;  // fair price moves
  int64_t jump_ppm = 5'000;             // share of moves that are jumps
  int64_t jump_median_ticks = 8;
  int64_t jump_sigma_ppm = 500'000;

  int64_t size_median = 100;  // lognormal order size, in shares
  int64_t size_sigma_ppm = 900'000;
  int64_t round_lot = 100;  // sizes >= this are rounded to a multiple
  int64_t max_order_qty = 100'000;
  std::vector<EmpiricalDistribution::Bin> size_histogram;  // non-empty: used instead

  int64_t burst_start_rate_mhz = 50;  // a burst every 20 s on average
  int64_t burst_end_rate_mhz = 500;   // lasting 2 s on average
  int64_t burst_multiplier = 6;       // every rate, during a burst

  int64_t feed_latency_ns = 25'000;  // receive_ts - exchange_ts: latency + jitter
  int64_t feed_jitter_ns = 15'000;
  int64_t initial_orders_per_side = 25;   // the book at start, per instrument
  uint32_t max_resting_orders = 100'000;  // per instrument; adds beyond are skipped
};

// Errors name the field: zero or too many instruments, a non-positive rate or size, a
// multiplier below 1, a probability above 1e6 ppm, an invalid histogram.
Status ValidateSyntheticConfig(const SyntheticConfig& config);

// The parameters as TOML-like text, for a journal header's config_text.
std::string SyntheticConfigText(const SyntheticConfig& config, uint64_t seed);

struct SyntheticStats {
  uint64_t events = 0;
  uint64_t adds = 0;
  uint64_t cancels = 0;  // partial (kCancel)
  uint64_t deletes = 0;  // full (kDelete)
  uint64_t executions = 0;
  uint64_t trades = 0;
  uint64_t bursts = 0;  // regime switches into a burst
  uint64_t jumps = 0;
};

class SyntheticMarket {
 public:
  // REQUIRES: ValidateSyntheticConfig(config).ok() (checked).
  SyntheticMarket(const SyntheticConfig& config, uint64_t seed);
  ~SyntheticMarket();
  SyntheticMarket(const SyntheticMarket&) = delete;
  SyntheticMarket& operator=(const SyntheticMarket&) = delete;

  // The next record (an L3Order or a Trade; seq left 0), or false once the duration is over.
  bool Next(Event* out);

  const std::vector<InstrumentDef>& instruments() const { return instruments_; }
  const SyntheticStats& stats() const { return stats_; }
  const SyntheticConfig& config() const { return config_; }

 private:
  struct Instrument;  // the per-instrument chain and book (synthetic.cc)
  struct Record {
    bool is_trade;
    L3Order l3;
    Trade trade;
  };

  // The rate of each transition of a chain in its current state, in mHz; the validation
  // bounds keep their sum far inside int64.
  struct TransitionRates {
    int64_t add, market, fair, cancel, regime;
    int64_t total() const { return add + market + fair + cancel + regime; }
  };
  TransitionRates RatesOf(const Instrument& in) const;
  void Step();  // advances the earliest instrument by one transition
  void Schedule(Instrument& in, Timestamp now);
  void PassiveAdd(Instrument& in, Side side);
  void MarketOrder(Instrument& in);
  void Cancel(Instrument& in);
  void FairStep(Instrument& in);
  int64_t Sweep(Instrument& in, Side aggressor, int64_t limit_ticks, int64_t qty);
  int64_t DrawSize();
  void EmitL3(const Instrument& in, L3Action action, Side side, VenueOrderId id,
              int64_t price_ticks, int64_t qty);
  void EmitTrade(const Instrument& in, Side aggressor, int64_t price_ticks, int64_t qty);

  SyntheticConfig config_;
  Rng rng_;
  std::vector<InstrumentDef> instruments_;
  std::vector<Instrument> chains_;
  EmpiricalDistribution size_dist_;  // when config_.size_histogram is set
  bool use_size_histogram_ = false;
  // Instruments by next transition time: a min-heap of (time, index).
  std::vector<std::pair<int64_t, uint32_t>> heap_;
  Timestamp end_;
  // The current step: its exchange and receive times and the records it produced.
  Timestamp step_exchange_ts_;
  Timestamp step_receive_ts_;
  Timestamp last_receive_ts_ = Timestamp::Min();
  std::array<Record, 2 * kMaxFillsPerStep + 2> pending_;
  int pending_size_ = 0;
  int pending_next_ = 0;
  VenueOrderId next_order_id_ = 1;
  uint64_t next_trade_id_ = 1;
  SyntheticStats stats_;
};

}  // namespace td::marketdata
