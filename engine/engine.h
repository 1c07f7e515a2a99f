// The engine SDK: a Strategy reacts to inputs through a Context; the Engine hosts it with the
// order manager, positions and PnL, the risk gate and the kill switch. The Engine is a pure,
// deterministic state machine (DESIGN.md, principle 1): it reads time only as the timestamp of
// the input it is handling, randomness only from its Rng (seeded from the journal header), and
// reaches the world only through the outputs it returns. Live, paper, simulation and replay
// differ only in who feeds Dispatch() and where the outputs go. Single-threaded.
//
//   Engine engine(config, MakeStrategy("market-maker", params), instruments, seed);
//   std::vector<Payload> out;
//   engine.Start(t0, &out);                 // the strategy's first orders, timers
//   for (const Event& in : inputs) {        // market data, venue messages, timers, commands
//     out.clear();
//     engine.Dispatch(in, &out);            // NewOrder, CancelOrder, TimerSet, RiskEvent, ...
//   }
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/rng.h"
#include "core/status.h"

namespace td::engine {

// ---------------------------------------------------------------- orders as the engine sees them

struct OrderState {
  ClOrdId cl_ord_id = 0;         // the current id (a replace gives the order a new one)
  ClOrdId orig_cl_ord_id = 0;    // the id it was first sent with
  VenueOrderId venue_order_id = 0;
  InstrumentId instrument = 0;
  Side side = Side::kNone;
  OrdType type = OrdType::kLimit;
  TimeInForce tif = TimeInForce::kDay;
  Price price;
  Qty order_qty;
  Qty cum_qty;
  Qty leaves_qty;
  Price avg_price;
  OrdStatus status = OrdStatus::kPendingNew;
  bool cancel_pending = false;
  bool replace_pending = false;
  Timestamp sent;
  Timestamp last_update;
};

// What a strategy is told about its orders, after the order manager applied a venue message.
struct OrderUpdate {
  const OrderState* order = nullptr;  // valid during the callback
  const Event* cause = nullptr;       // the venue input (OrderAck, Fill, CancelAck, ...)
  Qty fill_qty;                       // > 0 for a fill
  Price fill_price;
};

struct NewOrderParams {
  InstrumentId instrument = 0;
  Side side = Side::kNone;
  OrdType type = OrdType::kLimit;
  TimeInForce tif = TimeInForce::kDay;
  Price price;
  Price stop_price;
  Qty qty;
  Qty display_qty;
  bool post_only = false;
};

struct PositionState {
  InstrumentId instrument = 0;
  Qty position;              // signed: > 0 long
  Price avg_price;           // of the open position
  Money realized_pnl;
  Money unrealized_pnl;      // marked to mid
  Money fees;
  Money exposure;            // |position| * mark
};

// ---------------------------------------------------------------- the strategy's view

class Context {
 public:
  virtual ~Context() = default;

  virtual Timestamp now() const = 0;  // the timestamp of the input being handled
  virtual Rng& rng() = 0;
  virtual const std::vector<InstrumentDef>& instruments() const = 0;
  virtual const InstrumentDef* instrument(InstrumentId id) const = 0;

  // Commands pass the risk gate; a command it refuses returns 0 / false and is journaled as a
  // RiskEvent. While the kill switch is active or trading is halted, new orders are refused.
  virtual ClOrdId SendNew(const NewOrderParams& params) = 0;
  virtual bool SendCancel(ClOrdId id) = 0;
  virtual bool SendReplace(ClOrdId id, Price price, Qty qty) = 0;
  virtual void RequestStatus(ClOrdId id) = 0;
  virtual void SendMassCancel(InstrumentId instrument, Side side) = 0;
  virtual TimerId SetTimer(Timestamp fire_at) = 0;
  virtual void CancelTimer(TimerId id) = 0;
  virtual void Annotate(std::string_view text) = 0;

  virtual const OrderState* order(ClOrdId id) const = 0;
  virtual std::vector<const OrderState*> open_orders(InstrumentId instrument) const = 0;
  virtual PositionState position(InstrumentId instrument) const = 0;
  // position(instrument).position alone, without the marks and PnL (cheaper).
  virtual Qty position_qty(InstrumentId instrument) const { return position(instrument).position; }
  // Last mid, best bid and ask seen in market data (0 when unknown).
  virtual Price mid(InstrumentId instrument) const = 0;
  virtual std::optional<PriceLevel> best(InstrumentId instrument, Side side) const = 0;
  // A strategy parameter from the configuration (`[strategy]` table), as text.
  virtual std::optional<std::string> param(std::string_view key) const = 0;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string_view name() const = 0;
  virtual void OnStart(Context& ctx) { (void)ctx; }
  virtual void OnMarketData(Context& ctx, const Event& event) = 0;
  virtual void OnOrderUpdate(Context& ctx, const OrderUpdate& update) { (void)ctx, (void)update; }
  virtual void OnTimer(Context& ctx, TimerId id) { (void)ctx, (void)id; }
  virtual void OnCommand(Context& ctx, const OperatorCommand& cmd) { (void)ctx, (void)cmd; }
  // Folds the strategy's own state into the engine's checkpoint digest.
  virtual uint64_t StateDigest() const { return 0; }
};

// "market-maker", "momentum", "twap"; bug "cancel-fill-race" gives the racy variant.
// InvalidArgument naming the known strategies for an unknown name.
Result<std::unique_ptr<Strategy>> MakeStrategy(std::string_view name, std::string_view bug);

// ---------------------------------------------------------------- configuration

struct RiskLimits {  // 0 = no limit
  Qty max_order_qty;
  Money max_order_notional;
  int64_t price_collar_bps = 0;          // vs the reference price (mid)
  Qty max_position;                       // per instrument, absolute
  Money max_gross_exposure;               // per instrument
  std::map<AssetClass, Money> max_gross_exposure_by_class;
  uint32_t max_open_orders = 0;
  uint32_t max_orders_per_second = 0;
  Money per_trade_stop_loss;              // loss on one fill's position change
  Money max_daily_loss;                   // realized + unrealized, from the session start
  Money max_drawdown;                     // from the PnL peak
  RiskAction on_breach = RiskAction::kHaltNew;
};

struct EngineConfig {
  std::string strategy = "market-maker";
  std::string bug;                           // "" or "cancel-fill-race"
  std::map<std::string, std::string> params; // the [strategy] table
  RiskLimits risk;
  Duration kill_switch_deadline = Duration::Seconds(30);
  Duration kill_switch_retry = Duration::Millis(100);
  // A cancel or replace with no answer from the venue for this long, or an order whose state
  // is unknown (after a disconnect) with no status report for this long, is followed by a
  // status request for the order, and again every request_timeout while it stays so (an ack
  // may be dropped, a status request rate-limited). 0 = never ask.
  Duration request_timeout = Duration::Seconds(1);
  uint64_t checkpoint_every_inputs = 10'000;  // a Checkpoint output every N inputs; 0 = never
};

// Parses the `[engine]`, `[strategy]` and `[risk]` tables of a TOML configuration; errors name
// the file, line and key. `--set KEY=VALUE` overrides apply after parsing ("strategy.spread_ticks=3",
// "engine.bug=cancel-fill-race").
Result<EngineConfig> ParseEngineConfig(std::string_view toml_text, std::string_view origin);
Status ApplyOverride(EngineConfig* config, std::string_view key_equals_value);

// ---------------------------------------------------------------- the engine

struct EngineSummary {
  uint64_t inputs = 0, outputs = 0, fills = 0;
  uint32_t open_orders = 0;
  std::vector<PositionState> positions;
  Money realized_pnl;
  std::optional<Timestamp> kill_switch_fired, kill_switch_flat;
};

class Engine {
 public:
  Engine(EngineConfig config, std::unique_ptr<Strategy> strategy,
         std::vector<InstrumentDef> instruments, uint64_t seed);
  ~Engine();

  // Starts the session at `t0`: the strategy's OnStart. Outputs are appended to *out.
  void Start(Timestamp t0, std::vector<Payload>* out);
  // Handles one input (market data, venue message, TimerFired, OperatorCommand, SessionState)
  // at input.ts. Outputs are appended to *out, in order. Inputs must come in time order.
  void Dispatch(const Event& input, std::vector<Payload>* out);

  // XXH3-64 of the canonical engine state (orders, positions, risk, timers, Rng, strategy).
  uint64_t StateDigest() const;
  EngineSummary Summary() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace td::engine
