// SimVenue: the order-entry layer of the simulated exchange. It owns one OrderBook per
// instrument, replays the historical market into them (owner kMarket), and answers the
// commands of our one trading session (owner kSession) with the venue's replies: acks,
// rejects, fills with fees, cancel and replace acks and rejects, expiries, status reports and
// rate-limit rejects. It decides only the CONTENT of replies: latency, dropped, duplicated and
// delayed acks are the replayer's simulated link (DESIGN.md, "Modes of the replayer"). The
// two venue-side faults, a fill overtaking its ack and a cancel rejected as too late, are
// decided here. Pure and single-threaded: no clock (time is the timestamp of the event
// handled), no I/O; randomness only from an Rng seeded by the constructor.
//
//   SimVenue venue(header.instruments, {.fees = {.base = {.maker_ubps = -200'000,
//                                                          .taker_ubps = 3'000'000}}}, seed);
//   std::vector<Payload> replies;
//   venue.OnMarketData(md_event, &replies);   // fills of our resting orders, if any
//   if (venue.OnCommand(cmd_event, &replies).outcome == CommandOutcome::kQueued) ...;
//
// Ids. Our orders get venue order ids from their own space, kOurVenueIdBase + n (n = 1, 2,
// ... in arrival order), so they can never collide with historical feed ids, which must be
// below kOurVenueIdBase (a historical kAdd at or above it is ignored and counted as an
// unknown reference). Synthetic liquidity placed by the quote-only mode (below) uses
// kSyntheticIdBase + n. Exec ids are sequential from 1, one per Fill we receive.
// A ClOrdId names one order until a replace: a ReplaceAck moves the order to the replace's
// cl_ord_id (later fills and reports carry it); the original id then reports kReplaced.
//
// Market data (OnMarketData):
// - L3 (per instrument, as soon as one L3Order of it has been seen): kAdd submits a limit
//   order with the historical id (owner kMarket, DAY); kCancel is Cancel(id, qty); kDelete is
//   Cancel(id, 0); kModify is Replace(id, price, qty), qty being the new remaining size (the
//   book's priority rule applies); kExecute is ExecuteHistorical(id, qty): OUR orders queued
//   ahead of `id` at its level trade first, and those fills become Fill replies (maker).
//   kExecuteHidden and kCross do not touch the book. References to ids the book does not
//   hold (already consumed by our orders, or before the start of the data) are tolerated and
//   counted in counters().historical_unknown_refs.
// - Quote-only instruments (no L3 seen): L1Quote, L2Snapshot and L2Update keep the touch and
//   feed the slippage model (sim-exchange/slippage.h), Trade feeds its volume. A conservative
//   rule fills our resting orders: a trade printing strictly THROUGH our limit (buy: trade
//   price < our price; sell: >) fills our orders at their own limit prices as maker, in
//   price-time order, up to the printed quantity. A trade AT our price never fills us (our
//   queue position is unknown). An aggressive order of ours meets synthetic liquidity placed
//   for it just before it enters the book: its whole quantity at the slippage model's
//   execution price when that is within its limit (market orders: always), else only the
//   displayed touch size at the touch price; the synthetic remainder is removed at once. So
//   post-only, IOC, FOK and the remainder of a limit order behave as in the L3 book. No
//   quote yet: the order simply rests (or expires, for IOC/FOK/market).
// - TradingStatus is recorded in counters only (no halt logic yet: TODO(halt)).
//
// Commands (OnCommand), at the venue at cmd.ts, in this order:
// 1. The rate limiter, if configured: a rejected or banned action gets a RateLimitReject and
//    nothing else; a queued one (policy kQueue) is NOT processed: OnCommand returns kQueued
//    with send_at, and the caller must hand the same event to ExecuteAdmitted at send_at.
// 2. NewOrder: an unknown instrument gets OrderReject kUnknownSymbol ("unknown instrument 7
//    in NewOrder cl_ord_id 12"); a duplicate cl_ord_id gets kDuplicateOrder; the book's own
//    rejects (tick, lot, band, post-only that would take, ...) become OrderReject with that
//    reason. Otherwise OrderAck (with the venue order id), then the immediate fills (taker),
//    then OrderExpired for a remainder the book removed (IOC, FOK not fillable, market
//    remainder, self-trade prevention). With the fault config's fill_before_ack (one draw
//    per acknowledged order), the ack comes after the immediate fills instead.
// 3. CancelOrder: CancelAck (canceled_qty = leaves) for an open order; CancelReject kCancel
//    kUnknownOrder for a cl_ord_id never seen (or of another instrument), kTooLateToCancel
//    when the order is already done (filled, canceled, expired) or when the fault config's
//    cancel_too_late fires (one draw per cancel of an open order; the order stays live).
// 4. ReplaceOrder: qty is the FIX OrderQty (total, filled part included); the book gets
//    leaves = qty - cum. ReplaceAck, then any fills if the new price crosses; CancelReject
//    kReplace with kUnknownOrder / kTooLateToCancel as for cancels, kDuplicateOrder for a
//    reused cl_ord_id, kInvalidQty when qty <= cum, or the book's reject reason.
// 5. StatusRequest: one OrderStatusReport for cl_ord_id (status kUnknown when never seen).
//    cl_ord_id 0 with mass_status_id: a mass-status reply, one report per open order, plus
//    every order whose end the engine was never told (canceled on disconnect), in venue
//    order id order, the last with last_report = true; none at all: a single report with
//    cl_ord_id 0, status kUnknown, last_report = true.
// 6. MassCancel: one CancelAck (cl_ord_id = request_id) per order canceled, in the book's
//    MassCancel order, instrument by instrument ascending; nothing when nothing was open.
//
// Disconnect: OnDisconnect(kCancelAll) cancels every open order of the session in the books
// at once (cancel on disconnect); the engine is NOT told (it is disconnected): the orders
// become kCanceled and show up in the next mass-status reply. The canceled orders are also
// appended to `silent` as CancelAcks with cl_ord_id 0, for the run's journal or logs only,
// never to be delivered. kKeep leaves them in the book, where they may keep filling; the
// replayer decides whether those fills reach the engine (a down link drops them).
//
// Bounds: at most kMaxSessionOrders orders of ours per venue lifetime (beyond: OrderReject
// kOrderExceedsLimit), at most kMaxVenueInstruments instruments. Every reply vector grows by
// at most the number of orders the command or event touched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "core/event.h"
#include "core/rng.h"
#include "core/status.h"
#include "sim-exchange/faults.h"
#include "sim-exchange/fees.h"
#include "sim-exchange/order_book.h"
#include "sim-exchange/rate_limit.h"
#include "sim-exchange/slippage.h"

namespace td::sim {

inline constexpr ParticipantId kSession = 1;  // our trading session's owner id in the books
inline constexpr VenueOrderId kOurVenueIdBase = VenueOrderId{1} << 63;
inline constexpr VenueOrderId kSyntheticIdBase = kOurVenueIdBase + (VenueOrderId{1} << 62);
inline constexpr size_t kMaxSessionOrders = size_t{1} << 22;
inline constexpr size_t kMaxVenueInstruments = 1 << 16;

// The venue's models; the scenario's structs reused (sim-exchange/scenario.h: a Scenario's
// rate_limit, faults and slippage go here as they are).
struct VenueConfig {
  BookOptions book{};
  FeeScheduleSpec fees{};                     // default: no fees
  std::optional<RateLimitConfig> rate_limit;  // absent: no limit
  std::optional<FaultConfig> faults;          // absent: no venue faults
  SlippageParams slippage{};                  // quote-only instruments
  StpMode stp = StpMode::kNone;               // self-trade prevention for our orders
};

enum class CommandOutcome : uint8_t {
  kProcessed = 1,  // replies appended
  kRateLimited,    // a RateLimitReject appended
  kQueued,         // nothing appended; call ExecuteAdmitted(cmd) at send_at
  kIgnored,        // not an order-entry command (a programmer error in the caller; counted)
};

struct CommandResult {
  CommandOutcome outcome = CommandOutcome::kProcessed;
  Timestamp send_at{};  // kQueued only
};

struct VenueCounters {
  uint64_t commands = 0;
  uint64_t acks = 0;
  uint64_t fills = 0;  // our fills (Fill replies)
  uint64_t order_rejects = 0;
  uint64_t cancel_rejects = 0;
  uint64_t rate_limit_rejects = 0;
  uint64_t expired = 0;
  uint64_t fills_before_ack = 0;  // fault
  uint64_t cancels_too_late = 0;  // fault-injected only
  uint64_t silent_cancels = 0;    // cancel on disconnect
  uint64_t market_events = 0;
  uint64_t historical_unknown_refs = 0;
  uint64_t historical_rejects = 0;  // other rejects of historical flow (duplicate id, ...)
  uint64_t trading_status_events = 0;
  uint64_t ignored = 0;
  bool operator==(const VenueCounters&) const = default;
};

// What the venue knows of one of our orders, live or done.
struct SessionOrderView {
  ClOrdId cl_ord_id = 0;  // the current one (after replaces)
  VenueOrderId venue_order_id = 0;
  InstrumentId instrument = 0;
  Side side = Side::kNone;
  OrdStatus status = OrdStatus::kUnknown;
  Price price{};
  Qty order_qty{};
  Qty cum_qty{};
  Qty leaves_qty{};
  Price avg_price{};  // of the fills, rounded half away from zero; 0 before any
};

class SimVenue {
 public:
  // Validates the config: fee schedule, rate limit, faults, slippage (with every tick size);
  // errors name the field or instrument. Duplicate or zero instrument ids are errors.
  static Result<SimVenue> Create(std::vector<InstrumentDef> instruments, VenueConfig config,
                                 uint64_t seed);
  // REQUIRES: a config Create would accept (TD_CHECKed, with the message of Create).
  SimVenue(std::vector<InstrumentDef> instruments, VenueConfig config, uint64_t seed);
  ~SimVenue();
  SimVenue(SimVenue&&) noexcept;
  SimVenue& operator=(SimVenue&&) noexcept;

  // A market-data event (L3Order, L1Quote, L2Update, L2Snapshot, Trade, TradingStatus; other
  // kinds are ignored) at md.ts; appends Fill replies for our orders it filled.
  void OnMarketData(const Event& md, std::vector<Payload>* replies);

  // An order-entry command of our session (NewOrder, CancelOrder, ReplaceOrder,
  // StatusRequest, MassCancel) arriving at the venue at cmd.ts. REQUIRES: cmd.ts
  // non-decreasing across calls (the rate limiter's clock).
  CommandResult OnCommand(const Event& cmd, std::vector<Payload>* replies);
  // Processes a command the rate limiter queued, without charging the limiter again; call it
  // at the CommandResult's send_at.
  void ExecuteAdmitted(const Event& cmd, std::vector<Payload>* replies);

  // Our session dropped. kCancelAll cancels all our open orders silently (see above) and
  // appends them to `silent` (never for the engine); kKeep does nothing.
  void OnDisconnect(OpenOrderPolicy policy, std::vector<Payload>* silent);

  // End of the trading day: every open DAY order of ours expires (OrderExpired), as do the
  // historical DAY orders (silently). GTC orders stay.
  void EndOfDay(std::vector<Payload>* replies);

  // XXH3-64 over the canonical venue state: every order of ours (ids, status, price, cum,
  // leaves, queue position), the ClOrdId map, the id and exec counters, the counters and the
  // Rng state. No pointer values and no padding bytes reach it; the same inputs give the same
  // digest on every build.
  uint64_t StateDigest() const;

  const VenueCounters& counters() const;
  // What the venue holds for the session: the net position per instrument from every fill,
  // and the orders still working. The ground truth the engine's view is checked against.
  struct Holdings {
    std::map<InstrumentId, Qty> positions;  // instruments with at least one fill
    uint64_t open_orders = 0;
  };
  Holdings SessionHoldings() const;
  std::optional<SessionOrderView> FindOrder(ClOrdId cl_ord_id) const;
  // The book of an instrument (nullptr when unknown), for inspection.
  const OrderBook* book(InstrumentId instrument) const;

 private:
  struct Impl;
  explicit SimVenue(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace td::sim
