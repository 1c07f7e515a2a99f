// SyntheticMarket: the per-instrument Markov chains and the generator's own book.
//
// The book keeps, per side, a vector of price levels sorted so that the best level is at the
// back (bids ascending, asks descending): arrivals cluster near the touch, so inserts and
// erases move few elements and executions touch only the back. Orders live in a pool of
// slots linked in FIFO order per level; `live` lists every resting slot so that a uniformly
// random one can be cancelled in O(1) (cancel rate proportional to the resting count).
#include "marketdata/synthetic.h"

#include <algorithm>
#include <string>

#include "core/fixed_point.h"

namespace td::marketdata {
namespace {

constexpr uint32_t kNil = UINT32_MAX;
constexpr int64_t kPpm = 1'000'000;
constexpr int64_t kMinFairTicks = 100;  // the fair price never drops below $1.00
// 1e12 / rate_mhz is the mean gap in ns; a total rate above this would make it < 1 ns.
constexpr int64_t kMaxTotalRateMhz = 1'000'000'000'000;
constexpr int64_t kMaxRateMhz = 1'000'000'000;
constexpr int64_t kMaxCancelRateMhz = 1'000'000;

struct Order {
  VenueOrderId id = 0;
  int64_t price_ticks = 0;
  int64_t qty = 0;
  uint32_t prev = kNil;
  uint32_t next = kNil;
  uint32_t live_pos = 0;
  Side side = Side::kNone;
};

struct Level {
  int64_t price_ticks = 0;
  uint32_t head = kNil;
  uint32_t tail = kNil;
};

Status FieldError(std::string_view field, int64_t v, std::string_view rule) {
  return InvalidArgument("synthetic config " + std::string(field) + " = " + std::to_string(v) +
                         ": " + std::string(rule));
}

}  // namespace

struct SyntheticMarket::Instrument {
  uint32_t index = 0;
  InstrumentId id = 0;
  int64_t fair_ticks = 0;
  bool burst = false;
  int64_t seed_remaining = 0;  // initial book orders still to place, at the start time
  Timestamp next_ts;

  std::vector<Order> orders;  // slots
  std::vector<uint32_t> free_slots;
  std::vector<uint32_t> live;  // resting slots, any order
  std::vector<Level> bids;     // ascending: best at back
  std::vector<Level> asks;     // descending: best at back

  std::vector<Level>& SideLevels(Side s) { return s == Side::kBuy ? bids : asks; }

  // The level of `price` on side `s`, or end() when absent.
  std::vector<Level>::iterator Find(Side s, int64_t price) {
    std::vector<Level>& v = SideLevels(s);
    const auto it = LowerBound(s, price);
    return it != v.end() && it->price_ticks == price ? it : v.end();
  }
  std::vector<Level>::iterator LowerBound(Side s, int64_t price) {
    std::vector<Level>& v = SideLevels(s);
    if (s == Side::kBuy) {
      return std::lower_bound(v.begin(), v.end(), price,
                              [](const Level& l, int64_t p) { return l.price_ticks < p; });
    }
    return std::lower_bound(v.begin(), v.end(), price,
                            [](const Level& l, int64_t p) { return l.price_ticks > p; });
  }

  uint32_t Rest(VenueOrderId id, Side s, int64_t price, int64_t qty) {
    uint32_t slot;
    if (!free_slots.empty()) {
      slot = free_slots.back();
      free_slots.pop_back();
    } else {
      slot = static_cast<uint32_t>(orders.size());
      orders.emplace_back();
    }
    Order& o = orders[slot];
    o = Order{.id = id,
              .price_ticks = price,
              .qty = qty,
              .prev = kNil,
              .next = kNil,
              .live_pos = static_cast<uint32_t>(live.size()),
              .side = s};
    live.push_back(slot);
    auto it = LowerBound(s, price);
    if (it == SideLevels(s).end() || it->price_ticks != price) {
      it = SideLevels(s).insert(it, Level{.price_ticks = price, .head = kNil, .tail = kNil});
    }
    o.prev = it->tail;
    if (it->tail != kNil) orders[it->tail].next = slot;
    it->tail = slot;
    if (it->head == kNil) it->head = slot;
    return slot;
  }

  // Unlinks and frees `slot`; erases its level when it empties.
  void Remove(uint32_t slot) {
    Order& o = orders[slot];
    const auto level = Find(o.side, o.price_ticks);
    TD_CHECK_MSG(level != SideLevels(o.side).end(), "synthetic book: order without level");
    if (o.prev != kNil)
      orders[o.prev].next = o.next;
    else
      level->head = o.next;
    if (o.next != kNil)
      orders[o.next].prev = o.prev;
    else
      level->tail = o.prev;
    if (level->head == kNil) SideLevels(o.side).erase(level);
    const uint32_t moved = live.back();
    live[o.live_pos] = moved;
    orders[moved].live_pos = o.live_pos;
    live.pop_back();
    o.qty = 0;
    free_slots.push_back(slot);
  }
};

// ---------------------------------------------------------------- config

Status ValidateSyntheticConfig(const SyntheticConfig& c) {
  if (c.instruments < 1 || c.instruments > kMaxSyntheticInstruments) {
    return FieldError("instruments", c.instruments,
                      "must be in [1, " + std::to_string(kMaxSyntheticInstruments) + "]");
  }
  if (c.duration.ns < 0) return FieldError("duration", c.duration.ns, "must not be negative");
  if (c.start.ns < 0 || c.start.ns > INT64_MAX / 2 || c.duration.ns > INT64_MAX / 4) {
    return FieldError("start", c.start.ns, "start and duration must fit well inside int64");
  }
  constexpr int64_t kMaxTicks = int64_t{1} << 40;  // $11 billion: far from any overflow
  if (c.initial_price_ticks < kMinFairTicks || c.initial_price_ticks > kMaxTicks) {
    return FieldError("initial_price_ticks", c.initial_price_ticks, "must be in [100, 2^40]");
  }
  if (c.price_step_ticks < 0 ||
      c.price_step_ticks > (kMaxTicks - c.initial_price_ticks) / kMaxSyntheticInstruments) {
    return FieldError("price_step_ticks", c.price_step_ticks, "out of range");
  }
  const std::pair<std::string_view, int64_t> rates[] = {
      {"add_rate_mhz", c.add_rate_mhz},
      {"market_rate_mhz", c.market_rate_mhz},
      {"cancel_rate_per_order_mhz", c.cancel_rate_per_order_mhz},
      {"fair_step_rate_mhz", c.fair_step_rate_mhz},
      {"burst_start_rate_mhz", c.burst_start_rate_mhz},
      {"burst_end_rate_mhz", c.burst_end_rate_mhz}};
  // Bounded so that the total rate, every rate times the burst multiplier plus the cancel
  // rate times max_resting_orders, stays far inside int64.
  for (const auto& [name, v] : rates) {
    if (v < 0 || v > kMaxRateMhz)
      return FieldError(name, v, "must be in [0, 1e9] (1e6 per second)");
  }
  if (c.cancel_rate_per_order_mhz > kMaxCancelRateMhz) {
    return FieldError("cancel_rate_per_order_mhz", c.cancel_rate_per_order_mhz,
                      "must be in [0, 1e6] (1000 per second per order)");
  }
  if (c.add_rate_mhz < 1) return FieldError("add_rate_mhz", c.add_rate_mhz, "must be >= 1");
  if (c.burst_multiplier < 1 || c.burst_multiplier > 1000) {
    return FieldError("burst_multiplier", c.burst_multiplier, "must be in [1, 1000]");
  }
  for (const auto& [name, v] :
       {std::pair<std::string_view, int64_t>{"partial_cancel_ppm", c.partial_cancel_ppm},
        {"jump_ppm", c.jump_ppm}}) {
    if (v < 0 || v > kPpm) return FieldError(name, v, "must be in [0, 1e6]");
  }
  if (c.depth_mean_ticks < 0 || c.depth_mean_ticks > 10'000) {
    return FieldError("depth_mean_ticks", c.depth_mean_ticks, "must be in [0, 10000]");
  }
  if (c.jump_median_ticks < 1 || c.jump_median_ticks > 1'000'000) {
    return FieldError("jump_median_ticks", c.jump_median_ticks, "must be in [1, 1e6]");
  }
  if (c.jump_sigma_ppm < 0 || c.jump_sigma_ppm > 3 * kPpm || c.size_sigma_ppm < 0 ||
      c.size_sigma_ppm > 3 * kPpm) {
    return FieldError("jump_sigma_ppm/size_sigma_ppm", std::max(c.jump_sigma_ppm, c.size_sigma_ppm),
                      "must be in [0, 3e6]");
  }
  if (c.max_order_qty < 1 || c.max_order_qty > int64_t{1} << 40) {
    return FieldError("max_order_qty", c.max_order_qty, "must be in [1, 2^40]");
  }
  if (c.size_median < 1 || c.size_median > c.max_order_qty) {
    return FieldError("size_median", c.size_median, "must be in [1, max_order_qty]");
  }
  if (c.round_lot < 1 || c.round_lot > c.max_order_qty) {
    return FieldError("round_lot", c.round_lot, "must be in [1, max_order_qty]");
  }
  if (!c.size_histogram.empty()) {
    Result<EmpiricalDistribution> d = EmpiricalDistribution::Create(c.size_histogram);
    if (!d.ok()) return InvalidArgument("synthetic config size_histogram: " + d.status().message());
    for (const EmpiricalDistribution::Bin& b : c.size_histogram) {
      if (b.lower < 1 || b.upper - 1 > c.max_order_qty) {
        return FieldError("size_histogram bin lower", b.lower,
                          "sizes must be in [1, max_order_qty]");
      }
    }
  }
  if (c.feed_latency_ns < 0 || c.feed_latency_ns > kNanosPerSecond || c.feed_jitter_ns < 0 ||
      c.feed_jitter_ns > kNanosPerSecond) {
    return FieldError("feed_latency_ns/feed_jitter_ns", c.feed_latency_ns, "must be in [0, 1s]");
  }
  if (c.initial_orders_per_side < 0 || c.initial_orders_per_side > 10'000) {
    return FieldError("initial_orders_per_side", c.initial_orders_per_side,
                      "must be in [0, 10000]");
  }
  if (c.max_resting_orders < 1 || c.max_resting_orders > (1u << 24)) {
    return FieldError("max_resting_orders", c.max_resting_orders, "must be in [1, 2^24]");
  }
  return Status::Ok();
}

std::string SyntheticConfigText(const SyntheticConfig& c, uint64_t seed) {
  std::string t = "# tapedeck synthetic market (marketdata/synthetic.h); rates in mHz\n";
  auto line = [&t](std::string_view key, const std::string& value) {
    t += std::string(key) + " = " + value + "\n";
  };
  auto num = [&line](std::string_view key, int64_t v) { line(key, std::to_string(v)); };
  num("seed", static_cast<int64_t>(seed));
  num("instruments", c.instruments);
  num("start_ns", c.start.ns);
  num("duration_ns", c.duration.ns);
  num("initial_price_ticks", c.initial_price_ticks);
  num("price_step_ticks", c.price_step_ticks);
  num("add_rate_mhz", c.add_rate_mhz);
  num("market_rate_mhz", c.market_rate_mhz);
  num("cancel_rate_per_order_mhz", c.cancel_rate_per_order_mhz);
  num("partial_cancel_ppm", c.partial_cancel_ppm);
  num("depth_mean_ticks", c.depth_mean_ticks);
  num("fair_step_rate_mhz", c.fair_step_rate_mhz);
  num("jump_ppm", c.jump_ppm);
  num("jump_median_ticks", c.jump_median_ticks);
  num("jump_sigma_ppm", c.jump_sigma_ppm);
  num("size_median", c.size_median);
  num("size_sigma_ppm", c.size_sigma_ppm);
  num("round_lot", c.round_lot);
  num("max_order_qty", c.max_order_qty);
  if (!c.size_histogram.empty()) {
    std::string bins = "[";
    for (const EmpiricalDistribution::Bin& b : c.size_histogram) {
      bins += (bins.size() > 1 ? ", [" : "[") + std::to_string(b.lower) + ", " +
              std::to_string(b.upper) + ", " + std::to_string(b.weight) + "]";
    }
    line("size_histogram", bins + "]");
  }
  num("burst_start_rate_mhz", c.burst_start_rate_mhz);
  num("burst_end_rate_mhz", c.burst_end_rate_mhz);
  num("burst_multiplier", c.burst_multiplier);
  num("feed_latency_ns", c.feed_latency_ns);
  num("feed_jitter_ns", c.feed_jitter_ns);
  num("initial_orders_per_side", c.initial_orders_per_side);
  num("max_resting_orders", c.max_resting_orders);
  return t;
}

// ---------------------------------------------------------------- generator

SyntheticMarket::SyntheticMarket(const SyntheticConfig& config, uint64_t seed)
    : config_(config), rng_(seed) {
  const Status valid = ValidateSyntheticConfig(config_);
  TD_CHECK_MSG(valid.ok(), valid.message().c_str());
  if (!config_.size_histogram.empty()) {
    size_dist_ = *EmpiricalDistribution::Create(config_.size_histogram);
    use_size_histogram_ = true;
  }
  end_ = config_.start + config_.duration;
  chains_.resize(config_.instruments);
  for (uint32_t i = 0; i < config_.instruments; ++i) {
    InstrumentDef def;
    def.id = i + 1;
    def.symbol = "SYN" + std::to_string(i + 1);
    def.venue = "SYNTH";
    def.asset_class = AssetClass::kEquity;
    def.currency = "USD";
    def.tick_size = Price{kSyntheticTickRaw};
    def.qty_decimals = 0;
    def.lot_size = Qty{1};
    def.min_qty = Qty{1};
    instruments_.push_back(def);
    Instrument& in = chains_[i];
    in.index = i;
    in.id = def.id;
    in.fair_ticks = config_.initial_price_ticks + config_.price_step_ticks * i;
    in.seed_remaining = 2 * config_.initial_orders_per_side;
    in.next_ts = config_.start;
    heap_.emplace_back(in.next_ts.ns, i);
  }
  std::make_heap(heap_.begin(), heap_.end(), std::greater<>());
}

SyntheticMarket::~SyntheticMarket() = default;

bool SyntheticMarket::Next(Event* out) {
  // Bounded: each step either emits or advances a chain; steps that emit nothing (fair-price
  // moves, regime switches, market orders into an empty side) are a minority of transitions.
  while (pending_next_ == pending_size_) {
    if (heap_.empty() || heap_.front().first > end_.ns) return false;
    pending_next_ = pending_size_ = 0;
    Step();
  }
  const Record& r = pending_[pending_next_++];
  out->seq = 0;
  if (r.is_trade) {
    out->ts = r.trade.receive_ts;
    out->payload = r.trade;
  } else {
    out->ts = r.l3.receive_ts;
    out->payload = r.l3;
  }
  ++stats_.events;
  return true;
}

SyntheticMarket::TransitionRates SyntheticMarket::RatesOf(const Instrument& in) const {
  const int64_t m = in.burst ? config_.burst_multiplier : 1;
  return {.add = m * config_.add_rate_mhz,
          .market = m * config_.market_rate_mhz,
          .fair = m * config_.fair_step_rate_mhz,
          .cancel = m * config_.cancel_rate_per_order_mhz * static_cast<int64_t>(in.live.size()),
          .regime = in.burst ? config_.burst_end_rate_mhz : config_.burst_start_rate_mhz};
}

// Draws the instrument's next transition time: the chain's total rate is the sum of every
// transition's rate in the current state (memoryless, so redrawing after each one is exact).
void SyntheticMarket::Schedule(Instrument& in, Timestamp now) {
  if (in.seed_remaining > 0) {
    in.next_ts = now;
    return;
  }
  const int64_t total = std::min(kMaxTotalRateMhz, RatesOf(in).total());
  const int64_t mean_gap_ns = 1'000'000'000'000 / total;
  in.next_ts = now + Duration{rng_.ExponentialInt(mean_gap_ns)};
}

void SyntheticMarket::Step() {
  std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
  const uint32_t index = heap_.back().second;
  heap_.pop_back();
  Instrument& in = chains_[index];
  const Timestamp now = in.next_ts;

  // Exchange time is the transition time; the feed delivers in order after a delay.
  step_exchange_ts_ = now;
  const int64_t delay =
      config_.feed_latency_ns +
      static_cast<int64_t>(rng_.UniformBelow(static_cast<uint64_t>(config_.feed_jitter_ns) + 1));
  step_receive_ts_ = std::max(last_receive_ts_, now + Duration{delay});
  last_receive_ts_ = step_receive_ts_;

  if (in.seed_remaining > 0) {
    PassiveAdd(in, in.seed_remaining % 2 == 0 ? Side::kBuy : Side::kSell);
    --in.seed_remaining;
  } else {
    // Pick the transition with probability rate / total.
    const TransitionRates r = RatesOf(in);
    const int64_t u = static_cast<int64_t>(rng_.UniformBelow(static_cast<uint64_t>(r.total())));
    if (u < r.add) {
      PassiveAdd(in, rng_.UniformBelow(2) == 0 ? Side::kBuy : Side::kSell);
    } else if (u < r.add + r.market) {
      MarketOrder(in);
    } else if (u < r.add + r.market + r.fair) {
      FairStep(in);
    } else if (u < r.add + r.market + r.fair + r.cancel) {
      Cancel(in);
    } else {
      in.burst = !in.burst;
      if (in.burst) ++stats_.bursts;
    }
  }
  Schedule(in, now);
  heap_.emplace_back(in.next_ts.ns, index);
  std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
}

int64_t SyntheticMarket::DrawSize() {
  int64_t q;
  if (use_size_histogram_) {
    q = size_dist_.Sample(rng_);
  } else {
    q = rng_.LogNormalInt(config_.size_median, config_.size_sigma_ppm);
    if (q >= config_.round_lot) q = DivRound(q, config_.round_lot) * config_.round_lot;
  }
  return std::clamp<int64_t>(q, 1, config_.max_order_qty);
}

void SyntheticMarket::PassiveAdd(Instrument& in, Side side) {
  const int64_t distance = 1 + rng_.ExponentialInt(config_.depth_mean_ticks);
  const int64_t qty = DrawSize();
  if (in.live.size() >= config_.max_resting_orders) return;  // bounded book: skip
  const int64_t price = side == Side::kBuy ? std::max<int64_t>(1, in.fair_ticks - distance)
                                           : in.fair_ticks + distance;
  const VenueOrderId id = next_order_id_++;
  // After a fair-price jump the order may cross the book: it executes first, like any
  // aggressive order, and only a remainder that no longer crosses rests.
  const int64_t left = Sweep(in, side, price, qty);
  if (left == 0) return;
  std::vector<Level>& opposite = in.SideLevels(Opposite(side));
  const bool crosses =
      !opposite.empty() && (side == Side::kBuy ? opposite.back().price_ticks <= price
                                               : opposite.back().price_ticks >= price);
  if (crosses) return;  // fill cap reached: the rest is dropped, as an IOC
  in.Rest(id, side, price, left);
  EmitL3(in, L3Action::kAdd, side, id, price, left);
  ++stats_.adds;
}

void SyntheticMarket::MarketOrder(Instrument& in) {
  // Buy-biased when the fair price is above the mid (in half ticks), and vice versa: the
  // flow pulls the book toward the fair price.
  int64_t buy_ppm = kPpm / 2;
  if (!in.bids.empty() && !in.asks.empty()) {
    const int64_t gap2 =
        2 * in.fair_ticks - in.bids.back().price_ticks - in.asks.back().price_ticks;
    buy_ppm += std::clamp<int64_t>(gap2 * 100'000, -400'000, 400'000);
  }
  const Side side = rng_.Bernoulli(static_cast<uint64_t>(buy_ppm), kPpm) ? Side::kBuy : Side::kSell;
  const int64_t qty = DrawSize();
  Sweep(in, side, side == Side::kBuy ? INT64_MAX : INT64_MIN, qty);
}

void SyntheticMarket::Cancel(Instrument& in) {
  if (in.live.empty()) return;
  const uint32_t slot = in.live[rng_.UniformBelow(in.live.size())];
  const bool partial = rng_.Bernoulli(static_cast<uint64_t>(config_.partial_cancel_ppm), kPpm);
  Order& o = in.orders[slot];
  if (partial && o.qty > 1) {
    const int64_t removed = rng_.UniformInt(1, o.qty - 1);
    o.qty -= removed;
    EmitL3(in, L3Action::kCancel, o.side, o.id, o.price_ticks, removed);
    ++stats_.cancels;
    return;
  }
  EmitL3(in, L3Action::kDelete, o.side, o.id, o.price_ticks, o.qty);
  ++stats_.deletes;
  in.Remove(slot);
}

void SyntheticMarket::FairStep(Instrument& in) {
  int64_t move = 1;
  if (rng_.Bernoulli(static_cast<uint64_t>(config_.jump_ppm), kPpm)) {
    move =
        std::max<int64_t>(1, rng_.LogNormalInt(config_.jump_median_ticks, config_.jump_sigma_ppm));
    move = std::min<int64_t>(move, in.fair_ticks / 4);  // a jump never more than a quarter
    ++stats_.jumps;
  }
  const bool up = rng_.UniformBelow(2) == 0;
  in.fair_ticks = std::max(kMinFairTicks, in.fair_ticks + (up ? move : -move));
}

// Executes up to `qty` for `aggressor` against the opposite side while its best price is
// within `limit_ticks`, FIFO within a level, at most kMaxFillsPerStep fills. Returns the
// quantity left.
int64_t SyntheticMarket::Sweep(Instrument& in, Side aggressor, int64_t limit_ticks, int64_t qty) {
  const Side resting = Opposite(aggressor);
  std::vector<Level>& levels = in.SideLevels(resting);
  for (int fills = 0; qty > 0 && fills < kMaxFillsPerStep && !levels.empty(); ++fills) {
    Level& best = levels.back();
    const bool crosses =
        aggressor == Side::kBuy ? best.price_ticks <= limit_ticks : best.price_ticks >= limit_ticks;
    if (!crosses) break;
    const uint32_t slot = best.head;
    Order& o = in.orders[slot];
    const int64_t fill = std::min(qty, o.qty);
    EmitL3(in, L3Action::kExecute, resting, o.id, o.price_ticks, fill);
    EmitTrade(in, aggressor, o.price_ticks, fill);
    ++stats_.executions;
    ++stats_.trades;
    qty -= fill;
    o.qty -= fill;
    if (o.qty == 0) in.Remove(slot);  // may erase `best`
  }
  return qty;
}

void SyntheticMarket::EmitL3(const Instrument& in, L3Action action, Side side, VenueOrderId id,
                             int64_t price_ticks, int64_t qty) {
  TD_CHECK(pending_size_ < static_cast<int>(pending_.size()));
  Record& r = pending_[pending_size_++];
  r.is_trade = false;
  r.l3 = L3Order{.instrument = in.id,
                 .action = action,
                 .side = side,
                 .order_id = id,
                 .price = Price{price_ticks * kSyntheticTickRaw},
                 .qty = Qty{qty},
                 .exchange_ts = step_exchange_ts_,
                 .receive_ts = step_receive_ts_};
}

void SyntheticMarket::EmitTrade(const Instrument& in, Side aggressor, int64_t price_ticks,
                                int64_t qty) {
  TD_CHECK(pending_size_ < static_cast<int>(pending_.size()));
  Record& r = pending_[pending_size_++];
  r.is_trade = true;
  r.trade = Trade{.instrument = in.id,
                  .price = Price{price_ticks * kSyntheticTickRaw},
                  .qty = Qty{qty},
                  .aggressor = aggressor,
                  .trade_id = next_trade_id_++,
                  .exchange_ts = step_exchange_ts_,
                  .receive_ts = step_receive_ts_};
}

}  // namespace td::marketdata
