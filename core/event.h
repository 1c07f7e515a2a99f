// The in-memory form of every journaled record: plain C++ structs, one per kind of
// DESIGN.md's event model, gathered in the Event variant. Cap'n Proto (schema/tapedeck.capnp)
// is only the on-disk encoding; schema/codec.h converts between the two. Values.
//
// Every record carries a journal sequence number and a timestamp (the time the recording
// component handled it: the simulated time in a simulation, the local clock in a live
// session). Market data additionally carries the exchange time and the local receive time.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "core/fixed_point.h"
#include "core/ids.h"
#include "core/time.h"

namespace td {

// ---------------------------------------------------------------- instruments and header

struct InstrumentDef {
  InstrumentId id = 0;
  std::string symbol;
  std::string venue;
  AssetClass asset_class = AssetClass::kUnknown;
  std::string currency;  // quote currency, e.g. "USD"
  Price tick_size;       // minimum price increment
  int qty_decimals = 0;  // Qty scale: 10^-qty_decimals
  Qty lot_size;          // quantity increment, in Qty units
  Qty min_qty;
  bool operator==(const InstrumentDef&) const = default;
};

// The first thing in every segment file: what produced the journal and how to replay it.
struct JournalHeader {
  uint32_t format_version = 0;  // set by the writer
  uint64_t schema_id = 0;       // the capnp file id of schema/tapedeck.capnp, set by the writer
  std::string engine_name;
  std::string engine_build_id;
  std::string config_text;  // the scenario/engine configuration, verbatim (TOML)
  uint64_t seed = 0;
  Timestamp created;         // when recording started (session time)
  std::string session_kind;  // "live", "paper", "simulate", "import", "bench"
  std::vector<InstrumentDef> instruments;
  bool operator==(const JournalHeader&) const = default;
};

// ---------------------------------------------------------------- market data

enum class L3Action : uint8_t {
  kAdd = 1,
  kModify = 2,         // size (and possibly price) changed; priority per venue rules
  kCancel = 3,         // partial cancel: qty is the quantity removed
  kDelete = 4,         // full cancel
  kExecute = 5,        // execution of a visible resting order
  kExecuteHidden = 6,  // execution against hidden liquidity (order_id may be 0)
  kCross = 7,          // auction cross
};

struct L3Order {
  InstrumentId instrument = 0;
  L3Action action = L3Action::kAdd;
  Side side = Side::kNone;  // for executions: side of the resting order
  VenueOrderId order_id = 0;
  Price price;
  Qty qty;
  Timestamp exchange_ts;
  Timestamp receive_ts;
  bool operator==(const L3Order&) const = default;
};

enum class TradingState : uint8_t { kHalted = 1, kQuoting = 2, kTrading = 3, kClosed = 4 };

struct TradingStatus {
  InstrumentId instrument = 0;
  TradingState state = TradingState::kTrading;
  Timestamp exchange_ts;
  Timestamp receive_ts;
  bool operator==(const TradingStatus&) const = default;
};

struct PriceLevel {
  Price price;
  Qty qty;
  bool operator==(const PriceLevel&) const = default;
};

// One level changed; qty 0 removes it.
struct L2Update {
  InstrumentId instrument = 0;
  Side side = Side::kNone;
  Price price;
  Qty qty;
  uint64_t update_id = 0;  // venue sequence (Binance u), 0 when none
  Timestamp exchange_ts;
  Timestamp receive_ts;
  bool operator==(const L2Update&) const = default;
};

struct L2Snapshot {
  InstrumentId instrument = 0;
  uint64_t update_id = 0;
  std::vector<PriceLevel> bids;  // best first
  std::vector<PriceLevel> asks;  // best first
  Timestamp exchange_ts;
  Timestamp receive_ts;
  bool operator==(const L2Snapshot&) const = default;
};

struct L1Quote {
  InstrumentId instrument = 0;
  PriceLevel bid;
  PriceLevel ask;
  uint64_t update_id = 0;
  Timestamp exchange_ts;
  Timestamp receive_ts;
  bool operator==(const L1Quote&) const = default;
};

struct Trade {
  InstrumentId instrument = 0;
  Price price;
  Qty qty;
  Side aggressor = Side::kNone;
  uint64_t trade_id = 0;
  Timestamp exchange_ts;
  Timestamp receive_ts;
  bool operator==(const Trade&) const = default;
};

// ---------------------------------------------------------------- engine inputs from the venue

enum class OrdStatus : uint8_t {  // FIX 4.4 OrdStatus (39)
  kPendingNew = 1,
  kNew,
  kPartiallyFilled,
  kFilled,
  kPendingCancel,
  kPendingReplace,
  kCanceled,
  kReplaced,
  kRejected,
  kExpired,
  kUnknown,
};

enum class RejectReason : uint16_t {  // FIX 4.4 OrdRejReason (103) and CxlRejReason (102)
  kNone = 0,
  kUnknownSymbol,
  kExchangeClosed,
  kOrderExceedsLimit,
  kTooLateToCancel,
  kUnknownOrder,
  kDuplicateOrder,
  kInvalidPrice,
  kInvalidQty,
  kPriceBand,
  kPostOnlyWouldCross,
  kSelfTrade,
  kRiskLimit,
  kRateLimited,
  kOther,
};

enum class Liquidity : uint8_t { kNone = 0, kMaker = 1, kTaker = 2 };

struct OrderAck {
  ClOrdId cl_ord_id = 0;
  VenueOrderId venue_order_id = 0;
  InstrumentId instrument = 0;
  bool operator==(const OrderAck&) const = default;
};

struct OrderReject {
  ClOrdId cl_ord_id = 0;
  InstrumentId instrument = 0;
  RejectReason reason = RejectReason::kNone;
  std::string text;
  bool operator==(const OrderReject&) const = default;
};

struct Fill {
  ClOrdId cl_ord_id = 0;
  VenueOrderId venue_order_id = 0;
  ExecId exec_id = 0;
  InstrumentId instrument = 0;
  Side side = Side::kNone;
  Price price;
  Qty qty;         // this fill
  Qty cum_qty;     // filled so far
  Qty leaves_qty;  // still open
  Liquidity liquidity = Liquidity::kNone;
  Money fee;  // positive = paid, negative = rebate
  Timestamp exchange_ts;
  bool operator==(const Fill&) const = default;
};

struct CancelAck {
  ClOrdId cl_ord_id = 0;       // the cancel request's id
  ClOrdId orig_cl_ord_id = 0;  // the order canceled
  Qty canceled_qty;
  bool operator==(const CancelAck&) const = default;
};

enum class CancelRejectOf : uint8_t { kCancel = 1, kReplace = 2 };  // FIX CxlRejResponseTo (434)

struct CancelReject {
  ClOrdId cl_ord_id = 0;
  ClOrdId orig_cl_ord_id = 0;
  CancelRejectOf response_to = CancelRejectOf::kCancel;
  RejectReason reason = RejectReason::kNone;  // kTooLateToCancel, kUnknownOrder, ...
  std::string text;
  bool operator==(const CancelReject&) const = default;
};

struct ReplaceAck {
  ClOrdId cl_ord_id = 0;
  ClOrdId orig_cl_ord_id = 0;
  VenueOrderId venue_order_id = 0;
  Price price;
  Qty qty;
  Qty leaves_qty;
  bool operator==(const ReplaceAck&) const = default;
};

struct OrderExpired {
  ClOrdId cl_ord_id = 0;
  Qty expired_qty;
  bool operator==(const OrderExpired&) const = default;
};

// A reply to a status request, or one order of a mass-status reply (mass_status_id != 0).
struct OrderStatusReport {
  ClOrdId cl_ord_id = 0;
  VenueOrderId venue_order_id = 0;
  InstrumentId instrument = 0;
  Side side = Side::kNone;
  OrdStatus status = OrdStatus::kUnknown;
  Price price;
  Qty order_qty;
  Qty cum_qty;
  Qty leaves_qty;
  Price avg_price;
  uint64_t mass_status_id = 0;
  bool last_report = true;  // the last of a mass-status reply
  bool operator==(const OrderStatusReport&) const = default;
};

enum class OrderAction : uint8_t { kNew = 1, kCancel, kReplace, kStatus, kMassCancel };

struct RateLimitReject {
  ClOrdId cl_ord_id = 0;
  OrderAction action = OrderAction::kNew;
  Duration retry_after;
  bool banned = false;  // the venue banned the session after repeated violations
  bool operator==(const RateLimitReject&) const = default;
};

enum class SessionStateKind : uint8_t {
  kConnecting = 1,
  kConnected,
  kLoggedOn,
  kResendRequested,
  kLoggedOut,
  kDisconnected,
};

struct SessionState {
  ConnectionId connection = 0;
  SessionStateKind state = SessionStateKind::kConnected;
  std::string text;  // peer address, logout text, disconnect reason
  bool operator==(const SessionState&) const = default;
};

// ---------------------------------------------------------------- timers and operator

struct TimerFired {
  TimerId timer_id = 0;
  Timestamp scheduled;  // the time the engine asked for
  bool operator==(const TimerFired&) const = default;
};

enum class OperatorCommandKind : uint8_t { kKillSwitch = 1, kPause, kResume, kSetParam };

struct OperatorCommand {
  OperatorCommandKind kind = OperatorCommandKind::kKillSwitch;
  std::string key;     // kSetParam: parameter name
  std::string value;   // kSetParam: new value, as text
  std::string origin;  // "SIGUSR1", "control socket", "scenario"
  bool operator==(const OperatorCommand&) const = default;
};

// ---------------------------------------------------------------- engine outputs

enum class OrdType : uint8_t { kLimit = 1, kMarket, kStop, kStopLimit };
enum class TimeInForce : uint8_t { kDay = 1, kGtc, kIoc, kFok };

struct NewOrder {
  ClOrdId cl_ord_id = 0;
  InstrumentId instrument = 0;
  Side side = Side::kNone;
  OrdType type = OrdType::kLimit;
  TimeInForce tif = TimeInForce::kDay;
  Price price;
  Price stop_price;
  Qty qty;
  Qty display_qty;  // iceberg: 0 = fully displayed
  bool post_only = false;
  bool operator==(const NewOrder&) const = default;
};

struct CancelOrder {
  ClOrdId cl_ord_id = 0;
  ClOrdId orig_cl_ord_id = 0;
  InstrumentId instrument = 0;
  bool operator==(const CancelOrder&) const = default;
};

struct ReplaceOrder {
  ClOrdId cl_ord_id = 0;
  ClOrdId orig_cl_ord_id = 0;
  InstrumentId instrument = 0;
  Price price;
  Qty qty;
  bool operator==(const ReplaceOrder&) const = default;
};

struct StatusRequest {
  ClOrdId cl_ord_id = 0;  // 0 with mass_status_id != 0: all open orders
  uint64_t mass_status_id = 0;
  bool operator==(const StatusRequest&) const = default;
};

struct MassCancel {
  uint64_t request_id = 0;
  InstrumentId instrument = 0;  // 0 = every instrument
  Side side = Side::kNone;      // kNone = both sides
  bool operator==(const MassCancel&) const = default;
};

struct TimerSet {
  TimerId timer_id = 0;
  Timestamp fire_at;
  bool operator==(const TimerSet&) const = default;
};

struct TimerCancel {
  TimerId timer_id = 0;
  bool operator==(const TimerCancel&) const = default;
};

enum class RiskEventKind : uint8_t {
  kBreach = 1,  // a limit was hit; `action` says what followed
  kKillSwitchFired,
  kKillSwitchFlat,      // every order canceled, every position flat
  kKillSwitchDeadline,  // gave up at the deadline, not flat
  kHalted,
  kResumed,
};

enum class RiskAction : uint8_t { kNone = 0, kReject, kHaltNew, kCancelAll, kFlatten };

struct RiskEvent {
  RiskEventKind kind = RiskEventKind::kBreach;
  RiskAction action = RiskAction::kNone;
  std::string rule;  // "max_order_qty", "max_daily_loss", ...
  InstrumentId instrument = 0;
  int64_t value = 0;  // observed, in the rule's fixed-point unit
  int64_t limit = 0;
  std::string text;
  bool operator==(const RiskEvent&) const = default;
};

struct Annotation {
  std::string text;
  bool operator==(const Annotation&) const = default;
};

// ---------------------------------------------------------------- wire and metadata

enum class WireDirection : uint8_t { kInbound = 1, kOutbound = 2 };

struct WireMessage {
  ConnectionId connection = 0;
  WireDirection direction = WireDirection::kInbound;
  std::string bytes;  // raw, as received or sent (credentials redacted by the recorder)
  bool operator==(const WireMessage&) const = default;
};

// A digest of the engine's state at this point of the input stream.
struct Checkpoint {
  uint64_t inputs = 0;   // inputs dispatched so far
  uint64_t outputs = 0;  // outputs emitted so far
  uint64_t digest = 0;   // XXH3-64 of the engine's canonical state
  bool operator==(const Checkpoint&) const = default;
};

// Written by the journal writer itself when its queue was full under the drop policy:
// nothing is lost silently.
struct RecordsDropped {
  uint64_t count = 0;
  Timestamp first_ts;
  Timestamp last_ts;
  bool operator==(const RecordsDropped&) const = default;
};

// ---------------------------------------------------------------- the record

using Payload =
    std::variant<L3Order, TradingStatus, L2Update, L2Snapshot, L1Quote, Trade, OrderAck,
                 OrderReject, Fill, CancelAck, CancelReject, ReplaceAck, OrderExpired,
                 OrderStatusReport, RateLimitReject, SessionState, TimerFired, OperatorCommand,
                 NewOrder, CancelOrder, ReplaceOrder, StatusRequest, MassCancel, TimerSet,
                 TimerCancel, RiskEvent, Annotation, WireMessage, Checkpoint, RecordsDropped>;

struct Event {
  SeqNo seq = 0;  // assigned by the journal writer
  Timestamp ts;
  Payload payload;
  bool operator==(const Event&) const = default;
};

// Stable lower-case names, used by `journal cat --json` and `journal stats`
// ("l3_order", "fill", ...). Indexed by Payload::index().
std::string_view PayloadKindName(size_t index);
inline std::string_view KindName(const Event& e) { return PayloadKindName(e.payload.index()); }
inline constexpr size_t kPayloadKindCount = std::variant_size_v<Payload>;

// The Payload index of kind T: kKindIndex<Fill> == Payload(Fill{}).index().
namespace internal {
template <typename T, size_t... I>
constexpr size_t KindIndexOf(std::index_sequence<I...>) {
  size_t index = sizeof...(I);
  (void)((std::is_same_v<T, std::variant_alternative_t<I, Payload>> && (index = I, true)) || ...);
  return index;
}
}  // namespace internal
template <typename T>  // one of Payload's kinds
inline constexpr size_t kKindIndex =
    internal::KindIndexOf<T>(std::make_index_sequence<kPayloadKindCount>{});

// Calls f(std::type_identity<T>{}), T the Payload kind whose index is `kind` (nothing when
// there is none): the hot paths' dispatch on a record's kind. A chain of index tests that the
// compiler turns into one inlined switch, not std::variant's table of function pointers (an
// indirect call per record).
template <typename F>
inline void ForKind(size_t kind, F&& f) {
  [&]<size_t... I>(std::index_sequence<I...>) {
    (void)((kind == I && (f(std::type_identity<std::variant_alternative_t<I, Payload>>{}), true)) ||
           ...);
  }
  (std::make_index_sequence<kPayloadKindCount>{});
}

// Assigns (copies, or moves from an rvalue) `from` to `*to`: the hot path of handing records
// around (the journal's ring, the replayer's scheduled items). A payload that already holds
// the same kind (most of a market-data stream) is assigned in place: for the trivially
// copyable kinds that is a plain copy of the struct, and a string keeps its capacity. Any
// other has its old kind destroyed and the new one constructed.
template <typename T>  // one of Payload's kinds
inline void AssignKind(T&& from, Payload* to) {
  using Kind = std::remove_cvref_t<T>;
  if (Kind* same = std::get_if<Kind>(to)) {
    *same = std::forward<T>(from);
  } else {
    to->template emplace<Kind>(std::forward<T>(from));
  }
}

template <typename P>  // a Payload, const or an rvalue
requires std::is_same_v<std::remove_cvref_t<P>, Payload>
inline void AssignPayload(P&& from, Payload* to) {
  ForKind(from.index(), [&](auto kind) {
    AssignKind(std::get<typename decltype(kind)::type>(std::forward<P>(from)), to);
  });
}

}  // namespace td
