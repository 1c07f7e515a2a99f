// The journal codec (codec.h): field-by-field conversion between core/event.h and
// schema/tapedeck.capnp, the block framing, and the decode boundary where Cap'n Proto's
// exceptions become Corruption statuses. Every kind's Put() (encode) and Get() (decode) sit
// side by side so that a field added to one is easily seen missing from the other.
#include "schema/codec.h"

#include <capnp/message.h>
#include <capnp/schema.h>
#include <capnp/serialize.h>
#include <kj/exception.h>
#include <kj/io.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include "schema/tapedeck.capnp.h"

namespace td::schema {
namespace {

namespace w = ::td::schema::wire;

// A block payload is at most 16 MiB (journal/format.h, kMaxBlockRawBytes); a legitimate block
// never reads more words than it holds, so the traversal limit is the block size.
constexpr size_t kMaxBlockBytes = size_t{16} << 20;
constexpr size_t kMaxBlockWords = kMaxBlockBytes / sizeof(capnp::word);
// The smallest encoded Record is 4 words (3 data words and the union's pointer), a PriceLevel
// 2 words; a decoder charges every list element that much (DecodeState::Claim), and the
// encoder accepts no longer lists. Later schemas may only grow these structs.
constexpr size_t kMinRecordWords = 4;
constexpr size_t kPriceLevelWords = 2;
constexpr size_t kMaxBlockRecords = kMaxBlockWords / kMinRecordWords;
constexpr size_t kMaxLevelsPerList = kMaxBlockWords / kPriceLevelWords;
static_assert(w::Record::_capnpPrivate::dataWordSize + w::Record::_capnpPrivate::pointerCount >=
              kMinRecordWords);
static_assert(w::PriceLevel::_capnpPrivate::dataWordSize +
                  w::PriceLevel::_capnpPrivate::pointerCount >=
              kPriceLevelWords);
// First-segment sizing: an L3Order record takes 10 words (Record 4 + L3Order 6); 12 leaves room
// for a typical mix, so a ~64 KiB block of market data is one segment.
constexpr size_t kWordsPerRecordGuess = 12;
constexpr size_t kBlockOverheadWords = 8;  // root pointer, RecordBlock, list tag, slack
constexpr int kMaxQtyDecimals = 18;        // the limit of core/fixed_point.h

// ------------------------------------------------------------------------------ enums
// Every wire enum's ordinals equal the C++ values (tapedeck.capnp's header comment), so the
// conversion is a range check and a cast. The static_asserts below pin every enumerant; the
// BoundsOf() overloads name each C++ enum's valid range.

struct Bounds {
  uint16_t min;
  uint16_t max;
};
template <typename E>
constexpr uint16_t U(E e) {
  return static_cast<uint16_t>(e);
}
constexpr Bounds BoundsOf(Side) { return {U(Side::kNone), U(Side::kSell)}; }
constexpr Bounds BoundsOf(AssetClass) { return {U(AssetClass::kUnknown), U(AssetClass::kFx)}; }
constexpr Bounds BoundsOf(L3Action) { return {U(L3Action::kAdd), U(L3Action::kCross)}; }
constexpr Bounds BoundsOf(TradingState) {
  return {U(TradingState::kHalted), U(TradingState::kClosed)};
}
constexpr Bounds BoundsOf(OrdStatus) { return {U(OrdStatus::kPendingNew), U(OrdStatus::kUnknown)}; }
constexpr Bounds BoundsOf(RejectReason) {
  return {U(RejectReason::kNone), U(RejectReason::kOther)};
}
constexpr Bounds BoundsOf(Liquidity) { return {U(Liquidity::kNone), U(Liquidity::kTaker)}; }
constexpr Bounds BoundsOf(CancelRejectOf) {
  return {U(CancelRejectOf::kCancel), U(CancelRejectOf::kReplace)};
}
constexpr Bounds BoundsOf(OrderAction) {
  return {U(OrderAction::kNew), U(OrderAction::kMassCancel)};
}
constexpr Bounds BoundsOf(SessionStateKind) {
  return {U(SessionStateKind::kConnecting), U(SessionStateKind::kDisconnected)};
}
constexpr Bounds BoundsOf(OperatorCommandKind) {
  return {U(OperatorCommandKind::kKillSwitch), U(OperatorCommandKind::kSetParam)};
}
constexpr Bounds BoundsOf(OrdType) { return {U(OrdType::kLimit), U(OrdType::kStopLimit)}; }
constexpr Bounds BoundsOf(TimeInForce) { return {U(TimeInForce::kDay), U(TimeInForce::kFok)}; }
constexpr Bounds BoundsOf(RiskEventKind) {
  return {U(RiskEventKind::kBreach), U(RiskEventKind::kResumed)};
}
constexpr Bounds BoundsOf(RiskAction) { return {U(RiskAction::kNone), U(RiskAction::kFlatten)}; }
constexpr Bounds BoundsOf(WireDirection) {
  return {U(WireDirection::kInbound), U(WireDirection::kOutbound)};
}

template <typename A, typename B>
constexpr bool Same(A a, B b) {
  return U(a) == U(b);
}
static_assert(Same(Side::kNone, w::Side::NONE));
static_assert(Same(Side::kBuy, w::Side::BUY));
static_assert(Same(Side::kSell, w::Side::SELL));
static_assert(Same(AssetClass::kUnknown, w::AssetClass::UNKNOWN));
static_assert(Same(AssetClass::kEquity, w::AssetClass::EQUITY));
static_assert(Same(AssetClass::kCrypto, w::AssetClass::CRYPTO));
static_assert(Same(AssetClass::kFuture, w::AssetClass::FUTURE));
static_assert(Same(AssetClass::kOption, w::AssetClass::OPTION));
static_assert(Same(AssetClass::kFx, w::AssetClass::FX));
static_assert(Same(L3Action::kAdd, w::L3Action::ADD));
static_assert(Same(L3Action::kModify, w::L3Action::MODIFY));
static_assert(Same(L3Action::kCancel, w::L3Action::CANCEL));
static_assert(Same(L3Action::kDelete, w::L3Action::DELETE));
static_assert(Same(L3Action::kExecute, w::L3Action::EXECUTE));
static_assert(Same(L3Action::kExecuteHidden, w::L3Action::EXECUTE_HIDDEN));
static_assert(Same(L3Action::kCross, w::L3Action::CROSS));
static_assert(Same(TradingState::kHalted, w::TradingState::HALTED));
static_assert(Same(TradingState::kQuoting, w::TradingState::QUOTING));
static_assert(Same(TradingState::kTrading, w::TradingState::TRADING));
static_assert(Same(TradingState::kClosed, w::TradingState::CLOSED));
static_assert(Same(OrdStatus::kPendingNew, w::OrdStatus::PENDING_NEW));
static_assert(Same(OrdStatus::kNew, w::OrdStatus::NEW));
static_assert(Same(OrdStatus::kPartiallyFilled, w::OrdStatus::PARTIALLY_FILLED));
static_assert(Same(OrdStatus::kFilled, w::OrdStatus::FILLED));
static_assert(Same(OrdStatus::kPendingCancel, w::OrdStatus::PENDING_CANCEL));
static_assert(Same(OrdStatus::kPendingReplace, w::OrdStatus::PENDING_REPLACE));
static_assert(Same(OrdStatus::kCanceled, w::OrdStatus::CANCELED));
static_assert(Same(OrdStatus::kReplaced, w::OrdStatus::REPLACED));
static_assert(Same(OrdStatus::kRejected, w::OrdStatus::REJECTED));
static_assert(Same(OrdStatus::kExpired, w::OrdStatus::EXPIRED));
static_assert(Same(OrdStatus::kUnknown, w::OrdStatus::UNKNOWN));
static_assert(Same(RejectReason::kNone, w::RejectReason::NONE));
static_assert(Same(RejectReason::kUnknownSymbol, w::RejectReason::UNKNOWN_SYMBOL));
static_assert(Same(RejectReason::kExchangeClosed, w::RejectReason::EXCHANGE_CLOSED));
static_assert(Same(RejectReason::kOrderExceedsLimit, w::RejectReason::ORDER_EXCEEDS_LIMIT));
static_assert(Same(RejectReason::kTooLateToCancel, w::RejectReason::TOO_LATE_TO_CANCEL));
static_assert(Same(RejectReason::kUnknownOrder, w::RejectReason::UNKNOWN_ORDER));
static_assert(Same(RejectReason::kDuplicateOrder, w::RejectReason::DUPLICATE_ORDER));
static_assert(Same(RejectReason::kInvalidPrice, w::RejectReason::INVALID_PRICE));
static_assert(Same(RejectReason::kInvalidQty, w::RejectReason::INVALID_QTY));
static_assert(Same(RejectReason::kPriceBand, w::RejectReason::PRICE_BAND));
static_assert(Same(RejectReason::kPostOnlyWouldCross, w::RejectReason::POST_ONLY_WOULD_CROSS));
static_assert(Same(RejectReason::kSelfTrade, w::RejectReason::SELF_TRADE));
static_assert(Same(RejectReason::kRiskLimit, w::RejectReason::RISK_LIMIT));
static_assert(Same(RejectReason::kRateLimited, w::RejectReason::RATE_LIMITED));
static_assert(Same(RejectReason::kOther, w::RejectReason::OTHER));
static_assert(Same(Liquidity::kNone, w::Liquidity::NONE));
static_assert(Same(Liquidity::kMaker, w::Liquidity::MAKER));
static_assert(Same(Liquidity::kTaker, w::Liquidity::TAKER));
static_assert(Same(CancelRejectOf::kCancel, w::CancelRejectOf::CANCEL));
static_assert(Same(CancelRejectOf::kReplace, w::CancelRejectOf::REPLACE));
static_assert(Same(OrderAction::kNew, w::OrderAction::NEW));
static_assert(Same(OrderAction::kCancel, w::OrderAction::CANCEL));
static_assert(Same(OrderAction::kReplace, w::OrderAction::REPLACE));
static_assert(Same(OrderAction::kStatus, w::OrderAction::STATUS));
static_assert(Same(OrderAction::kMassCancel, w::OrderAction::MASS_CANCEL));
static_assert(Same(SessionStateKind::kConnecting, w::SessionStateKind::CONNECTING));
static_assert(Same(SessionStateKind::kConnected, w::SessionStateKind::CONNECTED));
static_assert(Same(SessionStateKind::kLoggedOn, w::SessionStateKind::LOGGED_ON));
static_assert(Same(SessionStateKind::kResendRequested, w::SessionStateKind::RESEND_REQUESTED));
static_assert(Same(SessionStateKind::kLoggedOut, w::SessionStateKind::LOGGED_OUT));
static_assert(Same(SessionStateKind::kDisconnected, w::SessionStateKind::DISCONNECTED));
static_assert(Same(OperatorCommandKind::kKillSwitch, w::OperatorCommandKind::KILL_SWITCH));
static_assert(Same(OperatorCommandKind::kPause, w::OperatorCommandKind::PAUSE));
static_assert(Same(OperatorCommandKind::kResume, w::OperatorCommandKind::RESUME));
static_assert(Same(OperatorCommandKind::kSetParam, w::OperatorCommandKind::SET_PARAM));
static_assert(Same(OrdType::kLimit, w::OrdType::LIMIT));
static_assert(Same(OrdType::kMarket, w::OrdType::MARKET));
static_assert(Same(OrdType::kStop, w::OrdType::STOP));
static_assert(Same(OrdType::kStopLimit, w::OrdType::STOP_LIMIT));
static_assert(Same(TimeInForce::kDay, w::TimeInForce::DAY));
static_assert(Same(TimeInForce::kGtc, w::TimeInForce::GTC));
static_assert(Same(TimeInForce::kIoc, w::TimeInForce::IOC));
static_assert(Same(TimeInForce::kFok, w::TimeInForce::FOK));
static_assert(Same(RiskEventKind::kBreach, w::RiskEventKind::BREACH));
static_assert(Same(RiskEventKind::kKillSwitchFired, w::RiskEventKind::KILL_SWITCH_FIRED));
static_assert(Same(RiskEventKind::kKillSwitchFlat, w::RiskEventKind::KILL_SWITCH_FLAT));
static_assert(Same(RiskEventKind::kKillSwitchDeadline, w::RiskEventKind::KILL_SWITCH_DEADLINE));
static_assert(Same(RiskEventKind::kHalted, w::RiskEventKind::HALTED));
static_assert(Same(RiskEventKind::kResumed, w::RiskEventKind::RESUMED));
static_assert(Same(RiskAction::kNone, w::RiskAction::NONE));
static_assert(Same(RiskAction::kReject, w::RiskAction::REJECT));
static_assert(Same(RiskAction::kHaltNew, w::RiskAction::HALT_NEW));
static_assert(Same(RiskAction::kCancelAll, w::RiskAction::CANCEL_ALL));
static_assert(Same(RiskAction::kFlatten, w::RiskAction::FLATTEN));
static_assert(Same(WireDirection::kInbound, w::WireDirection::INBOUND));
static_assert(Same(WireDirection::kOutbound, w::WireDirection::OUTBOUND));

// Encoding an enum value outside its declared range is a programmer error.
template <typename Wire, typename Cpp>
Wire ToWire(Cpp v, const char* field) {
  constexpr Bounds b = BoundsOf(Cpp{});
  TD_CHECK_MSG(U(v) >= b.min && U(v) <= b.max, field);
  return static_cast<Wire>(U(v));
}

// The state of decoding one message: the first invalid value met (formatted only on
// failure), and how many words the lists still to be decoded may claim. Cap'n Proto lets a
// list of zero-sized structs claim up to the traversal limit in elements whatever the message
// size; charging every element its real minimum size keeps the output proportional to the input.
struct DecodeState {
  explicit DecodeState(size_t message_words) : words_left(message_words) {}
  const char* field = nullptr;
  int64_t value = 0;
  const char* problem = "out of range";
  size_t words_left;

  bool Fail(const char* f, int64_t v, const char* why = "out of range") {
    field = f;
    value = v;
    problem = why;
    return false;
  }
  // Charges a list of n elements of at least `words_each` words.
  bool Claim(const char* f, size_t n, size_t words_each) {
    if (n > words_left / words_each) return Fail(f, n, "elements claimed beyond the message");
    words_left -= n * words_each;
    return true;
  }
};

template <typename Cpp, typename Wire>
bool FromWire(Wire raw, const char* field, Cpp* out, DecodeState* st) {
  constexpr Bounds b = BoundsOf(Cpp{});
  const uint16_t v = U(raw);
  if (v < b.min || v > b.max) [[unlikely]] {
    return st->Fail(field, v);
  }
  *out = static_cast<Cpp>(v);
  return true;
}

// ------------------------------------------------------------------------------ text and lists

void PutText(const std::string& s, auto set) {
  if (!s.empty()) set(capnp::Text::Reader(s.data(), s.size()));  // null pointer reads as ""
}
void GetText(capnp::Text::Reader t, std::string* out) { out->assign(t.begin(), t.size()); }

void PutLevels(const std::vector<PriceLevel>& levels, capnp::List<w::PriceLevel>::Builder b) {
  for (size_t i = 0; i < levels.size(); ++i) {
    b[i].setPrice(levels[i].price.raw);
    b[i].setQty(levels[i].qty.raw);
  }
}
bool GetLevels(capnp::List<w::PriceLevel>::Reader r, const char* field,
               std::vector<PriceLevel>* out, DecodeState* st) {
  if (!st->Claim(field, r.size(), kPriceLevelWords)) return false;
  out->resize(r.size());
  for (uint32_t i = 0; i < r.size(); ++i) {
    (*out)[i] = {Price{r[i].getPrice()}, Qty{r[i].getQty()}};
  }
  return true;
}

uint32_t ListSize(size_t n, size_t max) {
  TD_CHECK_MSG(n <= max, "list too long for one message");
  return static_cast<uint32_t>(n);
}

// ------------------------------------------------------------------------------ market data
// Put(): REQUIRES enum fields in range (TD_CHECK). Get(): sets every field of *v (which may
// hold a previous record's values), false with *st set on an out-of-range enum or list size.

void Put(const L3Order& v, w::L3Order::Builder b) {
  b.setInstrument(v.instrument);
  b.setAction(ToWire<w::L3Action>(v.action, "L3Order.action"));
  b.setSide(ToWire<w::Side>(v.side, "L3Order.side"));
  b.setOrderId(v.order_id);
  b.setPrice(v.price.raw);
  b.setQty(v.qty.raw);
  b.setExchangeTs(v.exchange_ts.ns);
  b.setReceiveTs(v.receive_ts.ns);
}
bool Get(w::L3Order::Reader r, L3Order* v, DecodeState* st) {
  v->instrument = r.getInstrument();
  v->order_id = r.getOrderId();
  v->price.raw = r.getPrice();
  v->qty.raw = r.getQty();
  v->exchange_ts.ns = r.getExchangeTs();
  v->receive_ts.ns = r.getReceiveTs();
  return FromWire(r.getAction(), "action", &v->action, st) &&
         FromWire(r.getSide(), "side", &v->side, st);
}

void Put(const TradingStatus& v, w::TradingStatus::Builder b) {
  b.setInstrument(v.instrument);
  b.setState(ToWire<w::TradingState>(v.state, "TradingStatus.state"));
  b.setExchangeTs(v.exchange_ts.ns);
  b.setReceiveTs(v.receive_ts.ns);
}
bool Get(w::TradingStatus::Reader r, TradingStatus* v, DecodeState* st) {
  v->instrument = r.getInstrument();
  v->exchange_ts.ns = r.getExchangeTs();
  v->receive_ts.ns = r.getReceiveTs();
  return FromWire(r.getState(), "state", &v->state, st);
}

void Put(const L2Update& v, w::L2Update::Builder b) {
  b.setInstrument(v.instrument);
  b.setSide(ToWire<w::Side>(v.side, "L2Update.side"));
  b.setPrice(v.price.raw);
  b.setQty(v.qty.raw);
  b.setUpdateId(v.update_id);
  b.setExchangeTs(v.exchange_ts.ns);
  b.setReceiveTs(v.receive_ts.ns);
}
bool Get(w::L2Update::Reader r, L2Update* v, DecodeState* st) {
  v->instrument = r.getInstrument();
  v->price.raw = r.getPrice();
  v->qty.raw = r.getQty();
  v->update_id = r.getUpdateId();
  v->exchange_ts.ns = r.getExchangeTs();
  v->receive_ts.ns = r.getReceiveTs();
  return FromWire(r.getSide(), "side", &v->side, st);
}

void Put(const L2Snapshot& v, w::L2Snapshot::Builder b) {
  b.setInstrument(v.instrument);
  b.setUpdateId(v.update_id);
  if (!v.bids.empty()) PutLevels(v.bids, b.initBids(ListSize(v.bids.size(), kMaxLevelsPerList)));
  if (!v.asks.empty()) PutLevels(v.asks, b.initAsks(ListSize(v.asks.size(), kMaxLevelsPerList)));
  b.setExchangeTs(v.exchange_ts.ns);
  b.setReceiveTs(v.receive_ts.ns);
}
bool Get(w::L2Snapshot::Reader r, L2Snapshot* v, DecodeState* st) {
  v->instrument = r.getInstrument();
  v->update_id = r.getUpdateId();
  v->exchange_ts.ns = r.getExchangeTs();
  v->receive_ts.ns = r.getReceiveTs();
  return GetLevels(r.getBids(), "bids", &v->bids, st) &&
         GetLevels(r.getAsks(), "asks", &v->asks, st);
}

void Put(const L1Quote& v, w::L1Quote::Builder b) {
  b.setInstrument(v.instrument);
  b.setBidPrice(v.bid.price.raw);
  b.setBidQty(v.bid.qty.raw);
  b.setAskPrice(v.ask.price.raw);
  b.setAskQty(v.ask.qty.raw);
  b.setUpdateId(v.update_id);
  b.setExchangeTs(v.exchange_ts.ns);
  b.setReceiveTs(v.receive_ts.ns);
}
bool Get(w::L1Quote::Reader r, L1Quote* v, DecodeState*) {
  v->instrument = r.getInstrument();
  v->bid = {Price{r.getBidPrice()}, Qty{r.getBidQty()}};
  v->ask = {Price{r.getAskPrice()}, Qty{r.getAskQty()}};
  v->update_id = r.getUpdateId();
  v->exchange_ts.ns = r.getExchangeTs();
  v->receive_ts.ns = r.getReceiveTs();
  return true;
}

void Put(const Trade& v, w::Trade::Builder b) {
  b.setInstrument(v.instrument);
  b.setPrice(v.price.raw);
  b.setQty(v.qty.raw);
  b.setAggressor(ToWire<w::Side>(v.aggressor, "Trade.aggressor"));
  b.setTradeId(v.trade_id);
  b.setExchangeTs(v.exchange_ts.ns);
  b.setReceiveTs(v.receive_ts.ns);
}
bool Get(w::Trade::Reader r, Trade* v, DecodeState* st) {
  v->instrument = r.getInstrument();
  v->price.raw = r.getPrice();
  v->qty.raw = r.getQty();
  v->trade_id = r.getTradeId();
  v->exchange_ts.ns = r.getExchangeTs();
  v->receive_ts.ns = r.getReceiveTs();
  return FromWire(r.getAggressor(), "aggressor", &v->aggressor, st);
}

// ------------------------------------------------------------------------------ venue inputs

void Put(const OrderAck& v, w::OrderAck::Builder b) {
  b.setClOrdId(v.cl_ord_id);
  b.setVenueOrderId(v.venue_order_id);
  b.setInstrument(v.instrument);
}
bool Get(w::OrderAck::Reader r, OrderAck* v, DecodeState*) {
  v->cl_ord_id = r.getClOrdId();
  v->venue_order_id = r.getVenueOrderId();
  v->instrument = r.getInstrument();
  return true;
}

void Put(const OrderReject& v, w::OrderReject::Builder b) {
  b.setClOrdId(v.cl_ord_id);
  b.setInstrument(v.instrument);
  b.setReason(ToWire<w::RejectReason>(v.reason, "OrderReject.reason"));
  PutText(v.text, [&](auto t) { b.setText(t); });
}
bool Get(w::OrderReject::Reader r, OrderReject* v, DecodeState* st) {
  v->cl_ord_id = r.getClOrdId();
  v->instrument = r.getInstrument();
  GetText(r.getText(), &v->text);
  return FromWire(r.getReason(), "reason", &v->reason, st);
}

void Put(const Fill& v, w::Fill::Builder b) {
  b.setClOrdId(v.cl_ord_id);
  b.setVenueOrderId(v.venue_order_id);
  b.setExecId(v.exec_id);
  b.setInstrument(v.instrument);
  b.setSide(ToWire<w::Side>(v.side, "Fill.side"));
  b.setPrice(v.price.raw);
  b.setQty(v.qty.raw);
  b.setCumQty(v.cum_qty.raw);
  b.setLeavesQty(v.leaves_qty.raw);
  b.setLiquidity(ToWire<w::Liquidity>(v.liquidity, "Fill.liquidity"));
  b.setFee(v.fee.raw);
  b.setExchangeTs(v.exchange_ts.ns);
}
bool Get(w::Fill::Reader r, Fill* v, DecodeState* st) {
  v->cl_ord_id = r.getClOrdId();
  v->venue_order_id = r.getVenueOrderId();
  v->exec_id = r.getExecId();
  v->instrument = r.getInstrument();
  v->price.raw = r.getPrice();
  v->qty.raw = r.getQty();
  v->cum_qty.raw = r.getCumQty();
  v->leaves_qty.raw = r.getLeavesQty();
  v->fee.raw = r.getFee();
  v->exchange_ts.ns = r.getExchangeTs();
  return FromWire(r.getSide(), "side", &v->side, st) &&
         FromWire(r.getLiquidity(), "liquidity", &v->liquidity, st);
}

void Put(const CancelAck& v, w::CancelAck::Builder b) {
  b.setClOrdId(v.cl_ord_id);
  b.setOrigClOrdId(v.orig_cl_ord_id);
  b.setCanceledQty(v.canceled_qty.raw);
}
bool Get(w::CancelAck::Reader r, CancelAck* v, DecodeState*) {
  v->cl_ord_id = r.getClOrdId();
  v->orig_cl_ord_id = r.getOrigClOrdId();
  v->canceled_qty.raw = r.getCanceledQty();
  return true;
}

void Put(const CancelReject& v, w::CancelReject::Builder b) {
  b.setClOrdId(v.cl_ord_id);
  b.setOrigClOrdId(v.orig_cl_ord_id);
  b.setResponseTo(ToWire<w::CancelRejectOf>(v.response_to, "CancelReject.response_to"));
  b.setReason(ToWire<w::RejectReason>(v.reason, "CancelReject.reason"));
  PutText(v.text, [&](auto t) { b.setText(t); });
}
bool Get(w::CancelReject::Reader r, CancelReject* v, DecodeState* st) {
  v->cl_ord_id = r.getClOrdId();
  v->orig_cl_ord_id = r.getOrigClOrdId();
  GetText(r.getText(), &v->text);
  return FromWire(r.getResponseTo(), "responseTo", &v->response_to, st) &&
         FromWire(r.getReason(), "reason", &v->reason, st);
}

void Put(const ReplaceAck& v, w::ReplaceAck::Builder b) {
  b.setClOrdId(v.cl_ord_id);
  b.setOrigClOrdId(v.orig_cl_ord_id);
  b.setVenueOrderId(v.venue_order_id);
  b.setPrice(v.price.raw);
  b.setQty(v.qty.raw);
  b.setLeavesQty(v.leaves_qty.raw);
}
bool Get(w::ReplaceAck::Reader r, ReplaceAck* v, DecodeState*) {
  v->cl_ord_id = r.getClOrdId();
  v->orig_cl_ord_id = r.getOrigClOrdId();
  v->venue_order_id = r.getVenueOrderId();
  v->price.raw = r.getPrice();
  v->qty.raw = r.getQty();
  v->leaves_qty.raw = r.getLeavesQty();
  return true;
}

void Put(const OrderExpired& v, w::OrderExpired::Builder b) {
  b.setClOrdId(v.cl_ord_id);
  b.setExpiredQty(v.expired_qty.raw);
}
bool Get(w::OrderExpired::Reader r, OrderExpired* v, DecodeState*) {
  v->cl_ord_id = r.getClOrdId();
  v->expired_qty.raw = r.getExpiredQty();
  return true;
}

void Put(const OrderStatusReport& v, w::OrderStatusReport::Builder b) {
  b.setClOrdId(v.cl_ord_id);
  b.setVenueOrderId(v.venue_order_id);
  b.setInstrument(v.instrument);
  b.setSide(ToWire<w::Side>(v.side, "OrderStatusReport.side"));
  b.setStatus(ToWire<w::OrdStatus>(v.status, "OrderStatusReport.status"));
  b.setPrice(v.price.raw);
  b.setOrderQty(v.order_qty.raw);
  b.setCumQty(v.cum_qty.raw);
  b.setLeavesQty(v.leaves_qty.raw);
  b.setAvgPrice(v.avg_price.raw);
  b.setMassStatusId(v.mass_status_id);
  b.setLastReport(v.last_report);
}
bool Get(w::OrderStatusReport::Reader r, OrderStatusReport* v, DecodeState* st) {
  v->cl_ord_id = r.getClOrdId();
  v->venue_order_id = r.getVenueOrderId();
  v->instrument = r.getInstrument();
  v->price.raw = r.getPrice();
  v->order_qty.raw = r.getOrderQty();
  v->cum_qty.raw = r.getCumQty();
  v->leaves_qty.raw = r.getLeavesQty();
  v->avg_price.raw = r.getAvgPrice();
  v->mass_status_id = r.getMassStatusId();
  v->last_report = r.getLastReport();
  return FromWire(r.getSide(), "side", &v->side, st) &&
         FromWire(r.getStatus(), "status", &v->status, st);
}

void Put(const RateLimitReject& v, w::RateLimitReject::Builder b) {
  b.setClOrdId(v.cl_ord_id);
  b.setAction(ToWire<w::OrderAction>(v.action, "RateLimitReject.action"));
  b.setRetryAfterNs(v.retry_after.ns);
  b.setBanned(v.banned);
}
bool Get(w::RateLimitReject::Reader r, RateLimitReject* v, DecodeState* st) {
  v->cl_ord_id = r.getClOrdId();
  v->retry_after.ns = r.getRetryAfterNs();
  v->banned = r.getBanned();
  return FromWire(r.getAction(), "action", &v->action, st);
}

void Put(const SessionState& v, w::SessionState::Builder b) {
  b.setConnection(v.connection);
  b.setState(ToWire<w::SessionStateKind>(v.state, "SessionState.state"));
  PutText(v.text, [&](auto t) { b.setText(t); });
}
bool Get(w::SessionState::Reader r, SessionState* v, DecodeState* st) {
  v->connection = r.getConnection();
  GetText(r.getText(), &v->text);
  return FromWire(r.getState(), "state", &v->state, st);
}

// ------------------------------------------------------------------------------ timers, operator

void Put(const TimerFired& v, w::TimerFired::Builder b) {
  b.setTimerId(v.timer_id);
  b.setScheduled(v.scheduled.ns);
}
bool Get(w::TimerFired::Reader r, TimerFired* v, DecodeState*) {
  v->timer_id = r.getTimerId();
  v->scheduled.ns = r.getScheduled();
  return true;
}

void Put(const OperatorCommand& v, w::OperatorCommand::Builder b) {
  b.setKind(ToWire<w::OperatorCommandKind>(v.kind, "OperatorCommand.kind"));
  PutText(v.key, [&](auto t) { b.setKey(t); });
  PutText(v.value, [&](auto t) { b.setValue(t); });
  PutText(v.origin, [&](auto t) { b.setOrigin(t); });
}
bool Get(w::OperatorCommand::Reader r, OperatorCommand* v, DecodeState* st) {
  GetText(r.getKey(), &v->key);
  GetText(r.getValue(), &v->value);
  GetText(r.getOrigin(), &v->origin);
  return FromWire(r.getKind(), "kind", &v->kind, st);
}

// ------------------------------------------------------------------------------ engine outputs

void Put(const NewOrder& v, w::NewOrder::Builder b) {
  b.setClOrdId(v.cl_ord_id);
  b.setInstrument(v.instrument);
  b.setSide(ToWire<w::Side>(v.side, "NewOrder.side"));
  b.setType(ToWire<w::OrdType>(v.type, "NewOrder.type"));
  b.setTif(ToWire<w::TimeInForce>(v.tif, "NewOrder.tif"));
  b.setPrice(v.price.raw);
  b.setStopPrice(v.stop_price.raw);
  b.setQty(v.qty.raw);
  b.setDisplayQty(v.display_qty.raw);
  b.setPostOnly(v.post_only);
}
bool Get(w::NewOrder::Reader r, NewOrder* v, DecodeState* st) {
  v->cl_ord_id = r.getClOrdId();
  v->instrument = r.getInstrument();
  v->price.raw = r.getPrice();
  v->stop_price.raw = r.getStopPrice();
  v->qty.raw = r.getQty();
  v->display_qty.raw = r.getDisplayQty();
  v->post_only = r.getPostOnly();
  return FromWire(r.getSide(), "side", &v->side, st) &&
         FromWire(r.getType(), "type", &v->type, st) && FromWire(r.getTif(), "tif", &v->tif, st);
}

void Put(const CancelOrder& v, w::CancelOrder::Builder b) {
  b.setClOrdId(v.cl_ord_id);
  b.setOrigClOrdId(v.orig_cl_ord_id);
  b.setInstrument(v.instrument);
}
bool Get(w::CancelOrder::Reader r, CancelOrder* v, DecodeState*) {
  v->cl_ord_id = r.getClOrdId();
  v->orig_cl_ord_id = r.getOrigClOrdId();
  v->instrument = r.getInstrument();
  return true;
}

void Put(const ReplaceOrder& v, w::ReplaceOrder::Builder b) {
  b.setClOrdId(v.cl_ord_id);
  b.setOrigClOrdId(v.orig_cl_ord_id);
  b.setInstrument(v.instrument);
  b.setPrice(v.price.raw);
  b.setQty(v.qty.raw);
}
bool Get(w::ReplaceOrder::Reader r, ReplaceOrder* v, DecodeState*) {
  v->cl_ord_id = r.getClOrdId();
  v->orig_cl_ord_id = r.getOrigClOrdId();
  v->instrument = r.getInstrument();
  v->price.raw = r.getPrice();
  v->qty.raw = r.getQty();
  return true;
}

void Put(const StatusRequest& v, w::StatusRequest::Builder b) {
  b.setClOrdId(v.cl_ord_id);
  b.setMassStatusId(v.mass_status_id);
}
bool Get(w::StatusRequest::Reader r, StatusRequest* v, DecodeState*) {
  v->cl_ord_id = r.getClOrdId();
  v->mass_status_id = r.getMassStatusId();
  return true;
}

void Put(const MassCancel& v, w::MassCancel::Builder b) {
  b.setRequestId(v.request_id);
  b.setInstrument(v.instrument);
  b.setSide(ToWire<w::Side>(v.side, "MassCancel.side"));
}
bool Get(w::MassCancel::Reader r, MassCancel* v, DecodeState* st) {
  v->request_id = r.getRequestId();
  v->instrument = r.getInstrument();
  return FromWire(r.getSide(), "side", &v->side, st);
}

void Put(const TimerSet& v, w::TimerSet::Builder b) {
  b.setTimerId(v.timer_id);
  b.setFireAt(v.fire_at.ns);
}
bool Get(w::TimerSet::Reader r, TimerSet* v, DecodeState*) {
  v->timer_id = r.getTimerId();
  v->fire_at.ns = r.getFireAt();
  return true;
}

void Put(const TimerCancel& v, w::TimerCancel::Builder b) { b.setTimerId(v.timer_id); }
bool Get(w::TimerCancel::Reader r, TimerCancel* v, DecodeState*) {
  v->timer_id = r.getTimerId();
  return true;
}

void Put(const RiskEvent& v, w::RiskEvent::Builder b) {
  b.setKind(ToWire<w::RiskEventKind>(v.kind, "RiskEvent.kind"));
  b.setAction(ToWire<w::RiskAction>(v.action, "RiskEvent.action"));
  PutText(v.rule, [&](auto t) { b.setRule(t); });
  b.setInstrument(v.instrument);
  b.setValue(v.value);
  b.setLimit(v.limit);
  PutText(v.text, [&](auto t) { b.setText(t); });
}
bool Get(w::RiskEvent::Reader r, RiskEvent* v, DecodeState* st) {
  GetText(r.getRule(), &v->rule);
  v->instrument = r.getInstrument();
  v->value = r.getValue();
  v->limit = r.getLimit();
  GetText(r.getText(), &v->text);
  return FromWire(r.getKind(), "kind", &v->kind, st) &&
         FromWire(r.getAction(), "action", &v->action, st);
}

void Put(const Annotation& v, w::Annotation::Builder b) {
  PutText(v.text, [&](auto t) { b.setText(t); });
}
bool Get(w::Annotation::Reader r, Annotation* v, DecodeState*) {
  GetText(r.getText(), &v->text);
  return true;
}

// ------------------------------------------------------------------------------ wire, metadata

void Put(const WireMessage& v, w::WireMessage::Builder b) {
  b.setConnection(v.connection);
  b.setDirection(ToWire<w::WireDirection>(v.direction, "WireMessage.direction"));
  if (!v.bytes.empty()) {
    b.setBytes(
        capnp::Data::Reader(reinterpret_cast<const kj::byte*>(v.bytes.data()), v.bytes.size()));
  }
}
bool Get(w::WireMessage::Reader r, WireMessage* v, DecodeState* st) {
  v->connection = r.getConnection();
  capnp::Data::Reader bytes = r.getBytes();
  v->bytes.assign(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
  return FromWire(r.getDirection(), "direction", &v->direction, st);
}

void Put(const Checkpoint& v, w::Checkpoint::Builder b) {
  b.setInputs(v.inputs);
  b.setOutputs(v.outputs);
  b.setDigest(v.digest);
}
bool Get(w::Checkpoint::Reader r, Checkpoint* v, DecodeState*) {
  v->inputs = r.getInputs();
  v->outputs = r.getOutputs();
  v->digest = r.getDigest();
  return true;
}

void Put(const RecordsDropped& v, w::RecordsDropped::Builder b) {
  b.setCount(v.count);
  b.setFirstTs(v.first_ts.ns);
  b.setLastTs(v.last_ts.ns);
}
bool Get(w::RecordsDropped::Reader r, RecordsDropped* v, DecodeState*) {
  v->count = r.getCount();
  v->first_ts.ns = r.getFirstTs();
  v->last_ts.ns = r.getLastTs();
  return true;
}

// ------------------------------------------------------------------------------ records

// One row per alternative of td::Payload, in its order: the C++ type (also the name of its wire
// struct), the capitalised name of its member in Record's union (and of its list in
// RecordColumns), and that member's discriminant. The mapping is spelled out here, not
// inferred from the (equal) orders; the static_asserts in WireKind check that they agree.
#define TD_RECORD_KINDS(X)                               \
  X(L3Order, L3Order, L3_ORDER)                          \
  X(TradingStatus, TradingStatus, TRADING_STATUS)        \
  X(L2Update, L2Update, L2_UPDATE)                       \
  X(L2Snapshot, L2Snapshot, L2_SNAPSHOT)                 \
  X(L1Quote, L1Quote, L1_QUOTE)                          \
  X(Trade, Trade, TRADE)                                 \
  X(OrderAck, OrderAck, ORDER_ACK)                       \
  X(OrderReject, OrderReject, ORDER_REJECT)              \
  X(Fill, Fill, FILL)                                    \
  X(CancelAck, CancelAck, CANCEL_ACK)                    \
  X(CancelReject, CancelReject, CANCEL_REJECT)           \
  X(ReplaceAck, ReplaceAck, REPLACE_ACK)                 \
  X(OrderExpired, OrderExpired, ORDER_EXPIRED)           \
  X(OrderStatusReport, OrderStatus, ORDER_STATUS)        \
  X(RateLimitReject, RateLimitReject, RATE_LIMIT_REJECT) \
  X(SessionState, SessionState, SESSION_STATE)           \
  X(TimerFired, TimerFired, TIMER_FIRED)                 \
  X(OperatorCommand, OperatorCommand, OPERATOR_COMMAND)  \
  X(NewOrder, NewOrder, NEW_ORDER)                       \
  X(CancelOrder, CancelOrder, CANCEL_ORDER)              \
  X(ReplaceOrder, ReplaceOrder, REPLACE_ORDER)           \
  X(StatusRequest, StatusRequest, STATUS_REQUEST)        \
  X(MassCancel, MassCancel, MASS_CANCEL)                 \
  X(TimerSet, TimerSet, TIMER_SET)                       \
  X(TimerCancel, TimerCancel, TIMER_CANCEL)              \
  X(RiskEvent, RiskEvent, RISK_EVENT)                    \
  X(Annotation, Annotation, ANNOTATION)                  \
  X(WireMessage, WireMessage, WIRE_MESSAGE)              \
  X(Checkpoint, Checkpoint, CHECKPOINT)                  \
  X(RecordsDropped, RecordsDropped, RECORDS_DROPPED)

// A kind's wire struct, its member of Record's union and its list of RecordColumns.
template <typename T>
struct WireKind;
#define TD_WIRE_KIND(T, Member, WHICH)                                                    \
  template <>                                                                             \
  struct WireKind<T> {                                                                    \
    using Wire = w::T;                                                                    \
    static w::T::Builder Init(w::Record::Builder r) { return r.init##Member(); }          \
    static w::T::Reader Get(w::Record::Reader r) { return r.get##Member(); }              \
    static capnp::List<w::T>::Builder InitList(w::RecordColumns::Builder c, uint32_t n) { \
      return c.init##Member(n);                                                           \
    }                                                                                     \
    static capnp::List<w::T>::Reader GetList(w::RecordColumns::Reader c) {                \
      return c.get##Member();                                                             \
    }                                                                                     \
  };                                                                                      \
  static_assert(static_cast<size_t>(w::Record::WHICH) == kKindIndex<T>,                   \
                "Record's union member " #Member " is not at its Payload alternative's index");
TD_RECORD_KINDS(TD_WIRE_KIND)
#undef TD_WIRE_KIND

template <size_t I>
using KindAt = std::variant_alternative_t<I, Payload>;

// One list reader (or builder) per kind, by Payload index.
template <typename V>
struct ColumnLists;
template <typename... Ts>
struct ColumnLists<std::variant<Ts...>> {
  using Readers = std::tuple<typename capnp::List<typename WireKind<Ts>::Wire>::Reader...>;
  using Builders = std::tuple<typename capnp::List<typename WireKind<Ts>::Wire>::Builder...>;
};

// The encoded size of each kind's struct, in words, by Payload index.
constexpr std::array<size_t, kPayloadKindCount> kStructWords =
    []<size_t... I>(std::index_sequence<I...>) {
  return std::array<size_t, kPayloadKindCount>{
      (WireKind<KindAt<I>>::Wire::_capnpPrivate::dataWordSize +
       WireKind<KindAt<I>>::Wire::_capnpPrivate::pointerCount)...};
}
(std::make_index_sequence<kPayloadKindCount>{});

enum class RecordError { kNone, kUnknownKind, kBadValue };

// Decodes into the payload's existing T when it holds one, reusing its strings and vectors.
template <typename T, typename Reader>
RecordError GetInto(Reader r, Payload* p, DecodeState* st) {
  T* v = std::get_if<T>(p);
  if (v == nullptr) v = &p->emplace<T>();
  return Get(r, v, st) ? RecordError::kNone : RecordError::kBadValue;
}

RecordError GetRecord(const capnp::List<w::Record>::Reader& records, uint32_t index, Event* e,
                      DecodeState* st) {
  const w::Record::Reader rec = records[index];
  e->seq = rec.getSeq();
  e->ts.ns = rec.getTs();
  switch (rec.which()) {
#define TD_CASE(T, Member, WHICH) \
  case w::Record::WHICH:          \
    return GetInto<T>(rec.get##Member(), &e->payload, st);
    TD_RECORD_KINDS(TD_CASE)
#undef TD_CASE
  }
  // A union member appended by a newer schema (docs/schema-evolution.md).
  st->Fail("kind", static_cast<int64_t>(rec.which()));
  return RecordError::kUnknownKind;
}
// ------------------------------------------------------------------------------ framing

// capnp::word is not copyable, so std::vector cannot hold it; buffers hold uint64_t instead.
using WordBuffer = std::vector<uint64_t>;
static_assert(sizeof(capnp::word) == sizeof(uint64_t));
capnp::word* AsWords(WordBuffer& buffer) { return reinterpret_cast<capnp::word*>(buffer.data()); }

capnp::ReaderOptions BlockReaderOptions() {
  capnp::ReaderOptions options;
  options.traversalLimitInWords = kMaxBlockWords;
  return options;
}

// Checks the size and alignment of a flat-array message; copies it into *aligned when
// `bytes` is not 8-byte aligned. On success *words views the message.
Status FrameWords(std::span<const uint8_t> bytes, const char* what, WordBuffer* aligned,
                  kj::ArrayPtr<const capnp::word>* words) {
  if (bytes.empty()) return Corruption(std::string(what) + ": empty");
  if (bytes.size() % sizeof(capnp::word) != 0) {
    return Corruption(std::string(what) + ": size " + std::to_string(bytes.size()) +
                      " is not a multiple of 8 bytes");
  }
  if (bytes.size() > kMaxBlockBytes) {
    return Corruption(std::string(what) + ": size " + std::to_string(bytes.size()) +
                      " exceeds the limit of " + std::to_string(kMaxBlockBytes) + " bytes");
  }
  const size_t n = bytes.size() / sizeof(capnp::word);
  if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(capnp::word) == 0) {
    *words = {reinterpret_cast<const capnp::word*>(bytes.data()), n};
  } else {
    aligned->resize(n);
    std::memcpy(aligned->data(), bytes.data(), bytes.size());
    *words = {AsWords(*aligned), n};
  }
  return Status::Ok();
}

// The message must end exactly where the input ends: trailing bytes mean a framing error.
Status CheckEnd(const capnp::FlatArrayMessageReader& reader, kj::ArrayPtr<const capnp::word> words,
                const char* what) {
  if (reader.getEnd() == words.end()) return Status::Ok();
  const size_t end_bytes = static_cast<size_t>(reader.getEnd() - words.begin()) * 8;
  return Corruption(std::string(what) + ": message ends at byte " + std::to_string(end_bytes) +
                    " of " + std::to_string(words.size() * 8) + " (trailing bytes)");
}

std::string RecordWhere(size_t index, uint64_t seq) {
  return "record block: record " + std::to_string(index) + " (seq " + std::to_string(seq) + ")";
}

// A kind this reader does not know (`kind` as the layout spells it), at record `index`.
std::string UnknownKindText(size_t index, uint64_t seq, const std::string& kind) {
  return RecordWhere(index, seq) + ": unknown kind " + kind +
         "; written by a newer schema? (this reader knows " + std::to_string(kPayloadKindCount) +
         " kinds)";
}

std::string RecordErrorText(RecordError error, size_t index, const Event& e, DecodeState st) {
  if (error == RecordError::kUnknownKind) {
    return UnknownKindText(index, e.seq, "(union discriminant " + std::to_string(st.value) + ")");
  }
  return RecordWhere(index, e.seq) + " " + std::string(KindName(e)) + ": " + st.field + " " +
         std::to_string(st.value) + " " + st.problem;
}

Status DecodeRecords(kj::ArrayPtr<const capnp::word> words, std::vector<Event>* out) {
  uint32_t index = 0;
  bool in_records = false;
  try {
    capnp::FlatArrayMessageReader reader(words, BlockReaderOptions());
    TD_RETURN_IF_ERROR(CheckEnd(reader, words, "record block"));
    // getRecords() is called once: every call counts against the traversal limit.
    capnp::List<w::Record>::Reader records = reader.getRoot<w::RecordBlock>().getRecords();
    DecodeState st(words.size());
    if (!st.Claim("records", records.size(), kMinRecordWords)) {
      return Corruption("record block: " + std::to_string(records.size()) + " records claimed in " +
                        std::to_string(words.size() * 8) + " bytes");
    }
    out->resize(records.size());
    in_records = true;
    for (; index < records.size(); ++index) {
      RecordError error = GetRecord(records, index, &(*out)[index], &st);
      if (error != RecordError::kNone) [[unlikely]] {
        return Corruption(RecordErrorText(error, index, (*out)[index], st));
      }
    }
    return Status::Ok();
  } catch (const kj::Exception& e) {
    std::string where = in_records ? "record " + std::to_string(index) + ": " : "";
    return Corruption("record block: " + where + e.getDescription().cStr());
  }
}

Status DecodeColumns(kj::ArrayPtr<const capnp::word> words, uint64_t first_seq,
                     std::vector<Event>* out) {
  uint32_t index = 0;
  bool in_records = false;
  try {
    capnp::FlatArrayMessageReader reader(words, BlockReaderOptions());
    TD_RETURN_IF_ERROR(CheckEnd(reader, words, "record block"));
    // Every list is read once: every call counts against the traversal limit.
    const w::RecordColumns::Reader columns = reader.getRoot<w::RecordColumns>();
    const capnp::List<int64_t>::Reader ts = columns.getTs();
    const capnp::List<uint16_t>::Reader kinds = columns.getKinds();
    if (ts.size() != kinds.size()) {
      return Corruption("record block: " + std::to_string(ts.size()) + " timestamps but " +
                        std::to_string(kinds.size()) + " kinds");
    }
    KindCounts counts{};
    for (uint32_t i = 0; i < kinds.size(); ++i) {
      const uint16_t kind = kinds[i];
      if (kind >= kPayloadKindCount) [[unlikely]] {
        return Corruption(UnknownKindText(i, first_seq + i, std::to_string(kind)));
      }
      ++counts[kind];
    }
    ColumnLists<Payload>::Readers lists;
    std::string mismatch;
    [&]<size_t... I>(std::index_sequence<I...>) {
      auto take = [&](auto& list, size_t kind, auto get) {
        if (counts[kind] == 0) return;  // an absent list is never read
        list = get(columns);
        if (list.size() != counts[kind] && mismatch.empty()) {
          mismatch = "record block: the " + std::string(PayloadKindName(kind)) + " list holds " +
                     std::to_string(list.size()) + " elements, the kinds column names " +
                     std::to_string(counts[kind]);
        }
      };
      (take(std::get<I>(lists), I, &WireKind<KindAt<I>>::GetList), ...);
    }
    (std::make_index_sequence<kPayloadKindCount>{});
    if (!mismatch.empty()) return Corruption(mismatch);

    DecodeState st(words.size());
    out->resize(ts.size());
    in_records = true;
    KindCounts next{};
    for (; index < ts.size(); ++index) {
      Event& e = (*out)[index];
      e.seq = first_seq + index;
      e.ts.ns = ts[index];
      const uint16_t kind = kinds[index];
      RecordError error = RecordError::kNone;
      ForKind(kind, [&](auto k) {
        using T = typename decltype(k)::type;
        error = GetInto<T>(std::get<kKindIndex<T>>(lists)[next[kind]++], &e.payload, &st);
      });
      if (error != RecordError::kNone) [[unlikely]] {
        return Corruption(RecordErrorText(error, index, e, st));
      }
    }
    return Status::Ok();
  } catch (const kj::Exception& e) {
    std::string where = in_records ? "record " + std::to_string(index) + ": " : "";
    return Corruption("record block: " + where + e.getDescription().cStr());
  }
}
}  // namespace

uint64_t SchemaId() {
  // The scope of a top-level struct is its file: tapedeck.capnp's @0x... id.
  static const uint64_t id = capnp::Schema::from<w::RecordBlock>().getProto().getScopeId();
  return id;
}

// ------------------------------------------------------------------------------ BlockEncoder

KindCounts CountKinds(std::span<const Event> events) {
  KindCounts counts{};
  for (const Event& e : events) ++counts[e.payload.index()];
  return counts;
}

// The message is built straight into `scratch` after one reserved word: when it fits in that
// first segment (the common case), Finish() writes the one-segment table into the reserved
// word and returns the buffer without a copy. Otherwise the segments are copied into `flat`.
struct BlockEncoder::Impl {
  explicit Impl(BlockLayout l) : layout(l) {}
  const BlockLayout layout;
  WordBuffer scratch;  // word 0: segment table; then the first segment, zeroed
  WordBuffer flat;     // multi-segment output
  std::optional<capnp::MallocMessageBuilder> builder;
  // kRecords
  std::optional<capnp::List<w::Record>::Builder> records;
  // kColumns
  std::optional<capnp::List<int64_t>::Builder> ts;
  std::optional<capnp::List<uint16_t>::Builder> kinds;
  ColumnLists<Payload>::Builders lists;
  KindCounts want{};
  KindCounts added_by_kind{};
  size_t count = 0;
  size_t added = 0;
  bool finished = true;

  void Release() {
    records.reset();
    ts.reset();
    kinds.reset();
    builder.reset();  // re-zeroes the part of `scratch` it used
  }
  // Starts a block of `n` records, in a message whose first segment holds `words` (more when
  // the scratch is larger).
  void Start(size_t n, size_t words) {
    TD_CHECK(n > 0);
    TD_CHECK_MSG(n <= kMaxBlockRecords, "too many records for one block");
    Release();
    const size_t want_words = std::min(words + kBlockOverheadWords, kMaxBlockWords);
    if (scratch.size() < want_words + 1) scratch.resize(want_words + 1);  // new words are zero
    builder.emplace(kj::arrayPtr(AsWords(scratch) + 1, scratch.size() - 1),
                    capnp::AllocationStrategy::GROW_HEURISTICALLY);
    count = n;
    added = 0;
    finished = false;
  }
};

BlockEncoder::BlockEncoder(BlockLayout layout) : impl_(std::make_unique<Impl>(layout)) {}
BlockEncoder::~BlockEncoder() = default;

void BlockEncoder::Begin(size_t count) {
  TD_CHECK_MSG(impl_->layout == BlockLayout::kRecords,
               "BlockEncoder::Begin(count) is for the records layout: give the kind counts");
  Impl& m = *impl_;
  m.Start(count, count * kWordsPerRecordGuess);
  m.records = m.builder->initRoot<w::RecordBlock>().initRecords(static_cast<uint32_t>(count));
}

void BlockEncoder::Begin(const KindCounts& counts) {
  Impl& m = *impl_;
  size_t count = 0;
  for (uint32_t n : counts) count += n;
  if (m.layout == BlockLayout::kRecords) return Begin(count);
  // The columns (a word and a quarter per record), each kind's structs, and a list tag each.
  size_t words = count + (count + 3) / 4 + 2 * kPayloadKindCount;
  for (size_t k = 0; k < kPayloadKindCount; ++k) words += counts[k] * kStructWords[k];
  m.Start(count, words);
  w::RecordColumns::Builder root = m.builder->initRoot<w::RecordColumns>();
  m.ts = root.initTs(static_cast<uint32_t>(count));
  m.kinds = root.initKinds(static_cast<uint32_t>(count));
  [&]<size_t... I>(std::index_sequence<I...>) {
    ((counts[I] > 0 ? void(std::get<I>(m.lists) = WireKind<KindAt<I>>::InitList(root, counts[I]))
                    : void()),
     ...);
  }
  (std::make_index_sequence<kPayloadKindCount>{});
  m.want = counts;
  m.added_by_kind = {};
}

void BlockEncoder::Add(const Event& event) {
  Impl& m = *impl_;
  TD_CHECK_MSG(!m.finished && m.added < m.count, "BlockEncoder::Add beyond Begin()");
  const uint32_t index = static_cast<uint32_t>(m.added++);
  const size_t kind = event.payload.index();
  if (m.layout == BlockLayout::kColumns) {
    TD_CHECK_MSG(m.added_by_kind[kind] < m.want[kind],
                 "BlockEncoder::Add: more records of a kind than Begin() counted");
    m.ts->set(index, event.ts.ns);
    m.kinds->set(index, static_cast<uint16_t>(kind));
    ForKind(kind, [&](auto k) {
      using T = typename decltype(k)::type;
      Put(*std::get_if<T>(&event.payload),
          std::get<kKindIndex<T>>(m.lists)[m.added_by_kind[kind]++]);
    });
    return;
  }
  capnp::List<w::Record>::Builder& records = *m.records;
  // The record's builder is made inside the visitor, where it stays in registers: built
  // outside and captured, it is copied through memory (a store-forwarding stall per record).
  ForKind(kind, [&](auto k) {
    using T = typename decltype(k)::type;
    w::Record::Builder rec = records[index];
    rec.setSeq(event.seq);
    rec.setTs(event.ts.ns);
    Put(*std::get_if<T>(&event.payload), WireKind<T>::Init(rec));
  });
}

std::span<const uint8_t> BlockEncoder::Finish() {
  Impl& m = *impl_;
  TD_CHECK_MSG(!m.finished && m.added == m.count, "BlockEncoder::Finish before Begin()'s Add()s");
  m.finished = true;
  kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segments = m.builder->getSegmentsForOutput();
  if (segments.size() == 1 && segments[0].begin() == AsWords(m.scratch) + 1) {
    // Standard framing, one segment: uint32 (segment count - 1) = 0, uint32 size in words.
    const uint32_t size_words = static_cast<uint32_t>(segments[0].size());
    uint8_t* table = reinterpret_cast<uint8_t*>(m.scratch.data());
    std::memset(table, 0, 4);
    for (int i = 0; i < 4; ++i) table[4 + i] = static_cast<uint8_t>(size_words >> (8 * i));
    const size_t size_bytes = (size_words + 1) * sizeof(capnp::word);
    TD_CHECK_MSG(size_bytes <= kMaxBlockBytes, "encoded block exceeds 16 MiB: cut smaller blocks");
    return {table, size_bytes};
  }
  // Spilled into more segments: copy, and size the next first segment to hold it all.
  const size_t total_words = capnp::computeSerializedSizeInWords(segments);
  m.flat.resize(total_words);
  kj::ArrayOutputStream stream(
      kj::arrayPtr(reinterpret_cast<kj::byte*>(m.flat.data()), total_words * sizeof(capnp::word)));
  capnp::writeMessage(stream, segments);
  TD_CHECK(stream.getArray().size() == total_words * sizeof(capnp::word));
  TD_CHECK_MSG(total_words <= kMaxBlockWords, "encoded block exceeds 16 MiB: cut smaller blocks");
  m.Release();  // the builder points into `scratch`, which may now grow
  const size_t want = std::min(total_words, kMaxBlockWords);
  if (m.scratch.size() < want + 1) m.scratch.resize(want + 1);
  return {reinterpret_cast<const uint8_t*>(m.flat.data()), total_words * sizeof(capnp::word)};
}

// ------------------------------------------------------------------------------ DecodeBlock

Status DecodeBlock(std::span<const uint8_t> bytes, std::vector<Event>* out) {
  return DecodeBlock(bytes, BlockLayout::kRecords, 0, out);
}

Status DecodeBlock(std::span<const uint8_t> bytes, BlockLayout layout, uint64_t first_seq,
                   std::vector<Event>* out) {
  TD_CHECK(out != nullptr);
  WordBuffer aligned;
  kj::ArrayPtr<const capnp::word> words;
  Status s = FrameWords(bytes, "record block", &aligned, &words);
  if (s.ok()) {
    s = layout == BlockLayout::kColumns ? DecodeColumns(words, first_seq, out)
                                        : DecodeRecords(words, out);
  }
  if (!s.ok()) out->clear();  // never hand out a partly decoded block
  return s;
}

// ------------------------------------------------------------------------------ header

namespace {

void PutInstrument(const InstrumentDef& v, w::InstrumentDef::Builder b) {
  b.setId(v.id);
  PutText(v.symbol, [&](auto t) { b.setSymbol(t); });
  PutText(v.venue, [&](auto t) { b.setVenue(t); });
  b.setAssetClass(ToWire<w::AssetClass>(v.asset_class, "InstrumentDef.asset_class"));
  PutText(v.currency, [&](auto t) { b.setCurrency(t); });
  b.setTickSize(v.tick_size.raw);
  TD_CHECK_MSG(v.qty_decimals >= 0 && v.qty_decimals <= kMaxQtyDecimals,
               "InstrumentDef.qty_decimals");
  b.setQtyDecimals(v.qty_decimals);
  b.setLotSize(v.lot_size.raw);
  b.setMinQty(v.min_qty.raw);
}

bool GetInstrument(w::InstrumentDef::Reader r, InstrumentDef* v, DecodeState* st) {
  v->id = r.getId();
  GetText(r.getSymbol(), &v->symbol);
  GetText(r.getVenue(), &v->venue);
  GetText(r.getCurrency(), &v->currency);
  v->tick_size.raw = r.getTickSize();
  v->qty_decimals = r.getQtyDecimals();
  v->lot_size.raw = r.getLotSize();
  v->min_qty.raw = r.getMinQty();
  if (v->qty_decimals < 0 || v->qty_decimals > kMaxQtyDecimals) {
    return st->Fail("qtyDecimals", v->qty_decimals);
  }
  return FromWire(r.getAssetClass(), "assetClass", &v->asset_class, st);
}

}  // namespace

std::vector<uint8_t> EncodeHeader(const JournalHeader& header) {
  capnp::MallocMessageBuilder builder;
  w::JournalHeader::Builder b = builder.initRoot<w::JournalHeader>();
  b.setFormatVersion(header.format_version);
  b.setSchemaId(header.schema_id);
  PutText(header.engine_name, [&](auto t) { b.setEngineName(t); });
  PutText(header.engine_build_id, [&](auto t) { b.setEngineBuildId(t); });
  PutText(header.config_text, [&](auto t) { b.setConfigText(t); });
  b.setSeed(header.seed);
  b.setCreated(header.created.ns);
  PutText(header.session_kind, [&](auto t) { b.setSessionKind(t); });
  if (!header.instruments.empty()) {
    auto list = b.initInstruments(ListSize(header.instruments.size(), kMaxBlockWords));
    for (size_t i = 0; i < header.instruments.size(); ++i) {
      PutInstrument(header.instruments[i], list[static_cast<uint32_t>(i)]);
    }
  }
  kj::Array<capnp::word> words = capnp::messageToFlatArray(builder);
  kj::ArrayPtr<const kj::byte> bytes = words.asBytes();
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

Result<JournalHeader> DecodeHeader(std::span<const uint8_t> bytes) {
  WordBuffer aligned;
  kj::ArrayPtr<const capnp::word> words;
  TD_RETURN_IF_ERROR(FrameWords(bytes, "journal header", &aligned, &words));
  try {
    capnp::FlatArrayMessageReader reader(words, BlockReaderOptions());
    TD_RETURN_IF_ERROR(CheckEnd(reader, words, "journal header"));
    w::JournalHeader::Reader r = reader.getRoot<w::JournalHeader>();
    JournalHeader h;
    h.format_version = r.getFormatVersion();
    h.schema_id = r.getSchemaId();
    GetText(r.getEngineName(), &h.engine_name);
    GetText(r.getEngineBuildId(), &h.engine_build_id);
    GetText(r.getConfigText(), &h.config_text);
    h.seed = r.getSeed();
    h.created.ns = r.getCreated();
    GetText(r.getSessionKind(), &h.session_kind);
    capnp::List<w::InstrumentDef>::Reader list = r.getInstruments();
    DecodeState st(words.size());
    if (!st.Claim("instruments", list.size(), 1)) {
      return Corruption("journal header: " + std::to_string(list.size()) +
                        " instruments claimed in " + std::to_string(words.size() * 8) + " bytes");
    }
    h.instruments.resize(list.size());
    for (uint32_t i = 0; i < list.size(); ++i) {
      if (!GetInstrument(list[i], &h.instruments[i], &st)) {
        return Corruption("journal header: instrument " + std::to_string(i) + ": " + st.field +
                          " " + std::to_string(st.value) + " " + st.problem);
      }
    }
    return h;
  } catch (const kj::Exception& e) {
    return Corruption(std::string("journal header: ") + e.getDescription().cStr());
  }
}

}  // namespace td::schema
