// The FIX 4.4 order-entry mapping; docs/order-entry.md is the convention this implements
// (FIX 4.4 Volume 4, "Single/General Order Handling", "Order Mass Handling").
#include "fix/order_entry.h"

#include <algorithm>
#include <charconv>
#include <string>
#include <type_traits>
#include <utility>

#include "core/fixed_point.h"
#include "fix/fields.h"
#include "fix/utc_time.h"

namespace td::fix {
namespace {

constexpr std::string_view kNone = "NONE";      // OrderID of an order the venue does not know
constexpr std::string_view kNoSymbol = "[N/A]"; // Symbol when no instrument applies

std::optional<uint64_t> ParseU64(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<int64_t> ParseI64(std::string_view text) {
  int64_t v = 0;
  if (text.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

std::string PriceText(Price p) { return FormatDecimal(p.raw, Price::kDecimals); }
std::string QtyText(Qty q, int decimals) { return FormatDecimal(q.raw, decimals); }

// Quoted, for error texts.
std::string Quote(std::string_view v) {
  std::string q;
  q.reserve(v.size() + 2);
  q.push_back('\'');
  q.append(v);
  q.push_back('\'');
  return q;
}

// FIX OrdRejReason (103) values that name one td reason exactly; the rest go as 99 (Other)
// plus TdRejectReason (9703).
int OrdRejCode(RejectReason r) {
  switch (r) {
    case RejectReason::kNone: return 0;
    case RejectReason::kUnknownSymbol: return 1;
    case RejectReason::kExchangeClosed: return 2;
    case RejectReason::kOrderExceedsLimit: return 3;
    case RejectReason::kUnknownOrder: return 5;
    case RejectReason::kDuplicateOrder: return 6;
    case RejectReason::kInvalidQty: return 13;
    case RejectReason::kOther: return 99;
    default: return -1;
  }
}
RejectReason FromOrdRejCode(int64_t c) {
  switch (c) {
    case 0: return RejectReason::kNone;
    case 1: return RejectReason::kUnknownSymbol;
    case 2: return RejectReason::kExchangeClosed;
    case 3: return RejectReason::kOrderExceedsLimit;
    case 5: return RejectReason::kUnknownOrder;
    case 6: return RejectReason::kDuplicateOrder;
    case 13: return RejectReason::kInvalidQty;
    default: return RejectReason::kOther;
  }
}
// CxlRejReason (102).
int CxlRejCode(RejectReason r) {
  switch (r) {
    case RejectReason::kTooLateToCancel: return 0;
    case RejectReason::kUnknownOrder: return 1;
    case RejectReason::kNone: return 2;  // broker / exchange option
    case RejectReason::kDuplicateOrder: return 6;
    case RejectReason::kOther: return 99;
    default: return -1;
  }
}
RejectReason FromCxlRejCode(int64_t c) {
  switch (c) {
    case 0: return RejectReason::kTooLateToCancel;
    case 1: return RejectReason::kUnknownOrder;
    case 2: return RejectReason::kNone;
    case 6: return RejectReason::kDuplicateOrder;
    default: return RejectReason::kOther;
  }
}

std::optional<OrdStatus> FromOrdStatusChar(std::string_view v) {
  if (v.size() != 1) return std::nullopt;
  switch (v[0]) {
    case 'A': return OrdStatus::kPendingNew;
    case '0': return OrdStatus::kNew;
    case '1': return OrdStatus::kPartiallyFilled;
    case '2': return OrdStatus::kFilled;
    case '6': return OrdStatus::kPendingCancel;
    case 'E': return OrdStatus::kPendingReplace;
    case '4': return OrdStatus::kCanceled;
    case '5': return OrdStatus::kReplaced;
    case '8': return OrdStatus::kRejected;
    case 'C': return OrdStatus::kExpired;
    default: return std::nullopt;
  }
}

std::optional<Side> FromSideText(std::string_view v) {
  if (v == "1") return Side::kBuy;
  if (v == "2") return Side::kSell;
  if (v == "7") return Side::kNone;
  return std::nullopt;
}

char OrdTypeChar(OrdType t) {
  switch (t) {
    case OrdType::kMarket: return '1';
    case OrdType::kLimit: return '2';
    case OrdType::kStop: return '3';
    case OrdType::kStopLimit: return '4';
  }
  return '2';
}
char TifChar(TimeInForce t) {
  switch (t) {
    case TimeInForce::kDay: return '0';
    case TimeInForce::kGtc: return '1';
    case TimeInForce::kIoc: return '3';
    case TimeInForce::kFok: return '4';
  }
  return '0';
}
bool HasLimitPrice(OrdType t) { return t == OrdType::kLimit || t == OrdType::kStopLimit; }
bool HasStopPrice(OrdType t) { return t == OrdType::kStop || t == OrdType::kStopLimit; }

Price AvgOf(__int128 notional, Qty cum) {
  if (cum.raw <= 0) return Price{};
  const __int128 den = cum.raw;
  __int128 q = notional / den;
  const __int128 r = notional % den;
  if (2 * (r < 0 ? -r : r) >= den) q += notional < 0 ? -1 : 1;
  return Price{static_cast<int64_t>(q)};
}

std::string IdKey(char space, std::string_view text) {
  std::string key(text.size() + 1, space);
  std::copy(text.begin(), text.end(), key.begin() + 1);
  return key;
}

std::string RetryText(Duration d) {
  const int64_t ms = d.ns <= 0 ? 0 : (d.ns + 999'999) / 1'000'000;
  return "rate limited, retry after " + std::to_string(ms) + " ms";
}

}  // namespace

char OrdStatusChar(OrdStatus s) {
  switch (s) {
    case OrdStatus::kPendingNew: return 'A';
    case OrdStatus::kNew: return '0';
    case OrdStatus::kPartiallyFilled: return '1';
    case OrdStatus::kFilled: return '2';
    case OrdStatus::kPendingCancel: return '6';
    case OrdStatus::kPendingReplace: return 'E';
    case OrdStatus::kCanceled: return '4';
    case OrdStatus::kReplaced: return '5';
    case OrdStatus::kRejected: return '8';
    case OrdStatus::kExpired: return 'C';
    case OrdStatus::kUnknown: return '8';  // with TdRejectReason 5: see docs/order-entry.md
  }
  return '8';
}

char SideChar(Side s) { return s == Side::kBuy ? '1' : (s == Side::kSell ? '2' : '7'); }

// ================================================================ venue side

VenueOrderEntry::VenueOrderEntry(std::vector<InstrumentDef> instruments)
    : instruments_(std::move(instruments)) {}

uint64_t VenueOrderEntry::Intern(char space, std::string_view text) {
  std::string key = IdKey(space, text);
  if (auto it = ids_.find(key); it != ids_.end()) return it->second;
  if (id_texts_.size() >= kMaxOrderEntryIds) return 0;
  id_texts_.push_back(key);
  const uint64_t id = id_texts_.size();
  ids_.emplace(std::move(key), id);
  return id;
}

std::optional<uint64_t> VenueOrderEntry::Lookup(char space, std::string_view text) const {
  const std::string key = IdKey(space, text);
  if (auto it = ids_.find(key); it != ids_.end()) return it->second;
  return std::nullopt;
}

std::string_view VenueOrderEntry::ClOrdIdText(ClOrdId id) const {
  if (id == 0 || id > id_texts_.size()) return {};
  return std::string_view(id_texts_[id - 1]).substr(1);
}

const InstrumentDef* VenueOrderEntry::FindSymbol(std::string_view symbol) const {
  for (const InstrumentDef& d : instruments_) {
    if (d.symbol == symbol) return &d;
  }
  return nullptr;
}

const InstrumentDef* VenueOrderEntry::FindInstrument(InstrumentId id) const {
  for (const InstrumentDef& d : instruments_) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

int VenueOrderEntry::QtyDecimals(InstrumentId id) const {
  const InstrumentDef* d = FindInstrument(id);
  return d ? d->qty_decimals : 0;
}

VenueOrderEntry::Order* VenueOrderEntry::FindOrder(ClOrdId id) {
  auto it = orders_.find(id);
  return it == orders_.end() ? nullptr : &it->second;
}

VenueOrderEntry::Order VenueOrderEntry::FallbackOrder(InstrumentId instrument, Side side) const {
  Order o;
  o.instrument = instrument;
  const InstrumentDef* d = FindInstrument(instrument);
  o.symbol = d ? d->symbol : std::string(kNoSymbol);
  o.side = side;
  return o;
}

std::string VenueOrderEntry::NextExecId() {
  std::string id = std::to_string(next_exec_n_++);
  id.insert(id.begin(), 'E');
  return id;
}

void VenueOrderEntry::AddRejectReason(OutMessage& m, int fix_tag, RejectReason reason,
                                      bool cancel_reject) {
  const int code = cancel_reject ? CxlRejCode(reason) : OrdRejCode(reason);
  m.Add(fix_tag, code < 0 ? 99 : code);
  if (code < 0) m.Add(kTagTdRejectReason, static_cast<int>(reason));
}

OutMessage& VenueOrderEntry::BeginReport(OutMessage& m, const Order& o, std::string_view cl_text,
                                         std::string_view orig_text, char exec_type,
                                         std::string exec_id, Qty leaves) {
  const int qd = QtyDecimals(o.instrument);
  m.Reset(msg_type::kExecutionReport);
  if (o.venue_order_id != 0) {
    m.Add(37, std::to_string(o.venue_order_id));
  } else {
    m.Add(37, kNone);
  }
  if (!cl_text.empty()) m.Add(11, cl_text);
  if (!orig_text.empty()) m.Add(41, orig_text);
  m.Add(17, exec_id).AddChar(150, exec_type).AddChar(39, OrdStatusChar(o.status));
  m.Add(55, o.symbol.empty() ? kNoSymbol : std::string_view(o.symbol));
  m.AddChar(54, SideChar(o.side));
  m.Add(38, QtyText(o.order_qty, qd));
  m.AddChar(40, OrdTypeChar(o.type));
  if (o.price.raw != 0) m.Add(44, PriceText(o.price));
  m.Add(151, QtyText(leaves, qd)).Add(14, QtyText(o.cum_qty, qd));
  m.Add(6, PriceText(AvgOf(o.notional, o.cum_qty)));
  ++exec_reports_;
  return m;
}

OutMessage VenueOrderEntry::RejectNewText(const Message& msg, std::string_view symbol,
                                          RejectReason reason, std::string text,
                                          Timestamp now) {
  OutMessage m(msg_type::kExecutionReport);
  m.Add(37, kNone);
  if (msg.Has(11)) m.Add(11, msg.Get(11));
  m.Add(17, NextExecId()).AddChar(150, '8').AddChar(39, '8');
  AddRejectReason(m, 103, reason, false);
  m.Add(55, symbol.empty() ? kNoSymbol : symbol);
  const std::optional<Side> side = FromSideText(msg.Get(54));
  m.AddChar(54, SideChar(side.value_or(Side::kNone)));
  if (msg.Has(38)) m.Add(38, msg.Get(38));
  m.Add(151, "0").Add(14, "0").Add(6, "0").AddUtcTimestamp(60, now).Add(58, text);
  ++exec_reports_;
  return m;
}

OutMessage VenueOrderEntry::CancelRejectText(const Message& msg, bool replace,
                                             RejectReason reason, std::string text,
                                             Timestamp now) {
  OutMessage m(msg_type::kOrderCancelReject);
  m.Add(37, msg.Has(37) ? msg.Get(37) : kNone).Add(11, msg.Get(11)).Add(41, msg.Get(41));
  m.AddChar(39, '8').AddUtcTimestamp(60, now).AddChar(434, replace ? '2' : '1');
  AddRejectReason(m, 102, reason, true);
  m.Add(58, text);
  return m;
}

OutMessage VenueOrderEntry::BusinessReject(const Message& msg, int reason, std::string text) {
  OutMessage m(msg_type::kBusinessMessageReject);
  if (msg.seq_num() > 0) m.Add(45, msg.seq_num());
  m.Add(372, msg.msg_type());
  const std::string_view ref = msg.Has(11) ? msg.Get(11) : msg.Get(584);
  if (!ref.empty()) m.Add(379, ref);
  m.Add(380, reason).Add(58, text);
  return m;
}

void VenueOrderEntry::Decode(const Message& msg, Timestamp now, VenueDecoded* out) {
  out->command.reset();
  out->replies.clear();
  const std::string_view type = msg.msg_type();
  if (msg.GetFlag(tag::kPossDupFlag) && AlreadyProcessed(msg)) {
    ++possdup_ignored_;
    return;
  }
  if (type == msg_type::kNewOrderSingle) return DecodeNew(msg, now, out);
  if (type == msg_type::kOrderCancelRequest) return DecodeCancelOrReplace(msg, false, now, out);
  if (type == msg_type::kOrderCancelReplaceRequest) {
    return DecodeCancelOrReplace(msg, true, now, out);
  }
  if (type == msg_type::kOrderStatusRequest) return DecodeStatus(msg, out);
  if (type == msg_type::kOrderMassStatusRequest) return DecodeMassStatus(msg, out);
  if (type == msg_type::kOrderMassCancelRequest) return DecodeMassCancel(msg, out);
  out->replies.push_back(BusinessReject(
      msg, 3, "unsupported message type " + Quote(type) + " (order entry: D F G H AF q)"));
}

bool VenueOrderEntry::AlreadyProcessed(const Message& msg) const {
  const std::string_view type = msg.msg_type();
  const bool order = type == msg_type::kNewOrderSingle;
  if (!order && type != msg_type::kOrderCancelRequest &&
      type != msg_type::kOrderCancelReplaceRequest) {
    return false;  // a status or mass request is harmless to answer twice
  }
  const std::optional<uint64_t> id = Lookup('C', msg.Get(11));
  return id && (order ? orders_.contains(*id) : requests_.contains(*id));
}

void VenueOrderEntry::DecodeNew(const Message& msg, Timestamp now, VenueDecoded* out) {
  const std::string_view cl_text = msg.Get(11);
  const std::string_view symbol = msg.Get(55);
  auto reject = [&](RejectReason reason, std::string text) {
    out->replies.push_back(RejectNewText(msg, symbol, reason, std::move(text), now));
  };
  if (cl_text.empty() || cl_text.size() > kMaxIdTextBytes) {
    return reject(RejectReason::kOther, "ClOrdID (11) must have 1 to " +
                                            std::to_string(kMaxIdTextBytes) + " characters");
  }
  if (std::optional<uint64_t> id = Lookup('C', cl_text); id && orders_.count(*id)) {
    return reject(RejectReason::kDuplicateOrder, "duplicate ClOrdID " + Quote(cl_text));
  }
  const InstrumentDef* inst = FindSymbol(symbol);
  if (inst == nullptr) return reject(RejectReason::kUnknownSymbol, "unknown symbol " + Quote(symbol));
  const std::optional<Side> side = FromSideText(msg.Get(54));
  if (!side || *side == Side::kNone) {
    return reject(RejectReason::kOther,
                  "unsupported Side (54) " + Quote(msg.Get(54)) + ": 1 (buy) or 2 (sell)");
  }
  NewOrder n;
  n.instrument = inst->id;
  n.side = *side;
  Result<int64_t> qty = ParseDecimal(msg.Get(38), inst->qty_decimals);
  if (!qty.ok() || *qty <= 0) {
    return reject(RejectReason::kInvalidQty,
                  "invalid OrderQty (38) " + Quote(msg.Get(38)) + " for " + inst->symbol +
                      (qty.ok() ? ": must be positive" : ": " + qty.status().message()));
  }
  n.qty = Qty{*qty};
  const std::string_view ord_type = msg.Get(40);
  if (ord_type == "1") n.type = OrdType::kMarket;
  else if (ord_type == "2") n.type = OrdType::kLimit;
  else if (ord_type == "3") n.type = OrdType::kStop;
  else if (ord_type == "4") n.type = OrdType::kStopLimit;
  else return reject(RejectReason::kOther, "unsupported OrdType (40) " + Quote(ord_type));
  if (HasLimitPrice(n.type)) {
    Result<Price> p = Price::Parse(msg.Get(44));
    if (!p.ok()) {
      return reject(RejectReason::kInvalidPrice,
                    "invalid Price (44) " + Quote(msg.Get(44)) + ": " + p.status().message());
    }
    n.price = *p;
  }
  if (HasStopPrice(n.type)) {
    Result<Price> p = Price::Parse(msg.Get(99));
    if (!p.ok()) {
      return reject(RejectReason::kInvalidPrice,
                    "invalid StopPx (99) " + Quote(msg.Get(99)) + ": " + p.status().message());
    }
    n.stop_price = *p;
  }
  const std::string_view tif = msg.Has(59) ? msg.Get(59) : "0";
  if (tif == "0") n.tif = TimeInForce::kDay;
  else if (tif == "1") n.tif = TimeInForce::kGtc;
  else if (tif == "3") n.tif = TimeInForce::kIoc;
  else if (tif == "4") n.tif = TimeInForce::kFok;
  else return reject(RejectReason::kOther, "unsupported TimeInForce (59) " + Quote(tif));
  if (msg.Has(111)) {
    Result<int64_t> floor = ParseDecimal(msg.Get(111), inst->qty_decimals);
    if (!floor.ok() || *floor < 0) {
      return reject(RejectReason::kInvalidQty, "invalid MaxFloor (111) " + Quote(msg.Get(111)));
    }
    n.display_qty = Qty{*floor};
  }
  // ExecInst (18) is a space-separated list; 6 (participate don't initiate) is post-only.
  const std::string_view inst_list = msg.Get(18);
  for (size_t i = 0; i < inst_list.size(); ++i) {
    if (inst_list[i] == '6' && (i == 0 || inst_list[i - 1] == ' ') &&
        (i + 1 == inst_list.size() || inst_list[i + 1] == ' ')) {
      n.post_only = true;
    }
  }
  n.cl_ord_id = Intern('C', cl_text);
  if (n.cl_ord_id == 0) return reject(RejectReason::kOrderExceedsLimit, "too many orders");
  Order& o = orders_[n.cl_ord_id];
  o = Order{};
  o.instrument = inst->id;
  o.symbol = inst->symbol;
  o.side = n.side;
  o.type = n.type;
  o.price = n.price;
  o.order_qty = n.qty;
  out->command = n;
}

void VenueOrderEntry::DecodeCancelOrReplace(const Message& msg, bool replace, Timestamp now,
                                            VenueDecoded* out) {
  auto reject = [&](RejectReason reason, std::string text) {
    out->replies.push_back(CancelRejectText(msg, replace, reason, std::move(text), now));
  };
  const std::string_view cl_text = msg.Get(11), orig_text = msg.Get(41);
  if (cl_text.empty() || cl_text.size() > kMaxIdTextBytes || orig_text.empty() ||
      orig_text.size() > kMaxIdTextBytes) {
    return reject(RejectReason::kOther, "ClOrdID (11) and OrigClOrdID (41) must have 1 to " +
                                            std::to_string(kMaxIdTextBytes) + " characters");
  }
  const InstrumentDef* inst = FindSymbol(msg.Get(55));
  if (inst == nullptr) {
    return reject(RejectReason::kUnknownSymbol, "unknown symbol " + Quote(msg.Get(55)));
  }
  const uint64_t cl = Intern('C', cl_text), orig = Intern('C', orig_text);
  if (cl == 0 || orig == 0) return reject(RejectReason::kOrderExceedsLimit, "too many ids");
  if (!replace) {
    requests_[cl] = Request{.msg_type = msg_type::kOrderCancelRequest, .orig = orig};
    out->command = CancelOrder{.cl_ord_id = cl, .orig_cl_ord_id = orig, .instrument = inst->id};
    return;
  }
  ReplaceOrder r;
  r.cl_ord_id = cl;
  r.orig_cl_ord_id = orig;
  r.instrument = inst->id;
  Result<int64_t> qty = ParseDecimal(msg.Get(38), inst->qty_decimals);
  if (!qty.ok() || *qty <= 0) {
    return reject(RejectReason::kInvalidQty, "invalid OrderQty (38) " + Quote(msg.Get(38)));
  }
  r.qty = Qty{*qty};
  const Order* o = FindOrder(orig);
  if (msg.Has(44)) {
    Result<Price> p = Price::Parse(msg.Get(44));
    if (!p.ok()) {
      return reject(RejectReason::kInvalidPrice,
                    "invalid Price (44) " + Quote(msg.Get(44)) + ": " + p.status().message());
    }
    r.price = *p;
  } else if (o != nullptr) {
    r.price = o->price;  // no Price: keep the order's
  }
  requests_[cl] = Request{.msg_type = msg_type::kOrderCancelReplaceRequest, .orig = orig};
  out->command = r;
}

void VenueOrderEntry::DecodeStatus(const Message& msg, VenueDecoded* out) {
  const std::string_view cl_text = msg.Get(11);
  if (cl_text.empty() || cl_text.size() > kMaxIdTextBytes) {
    out->replies.push_back(BusinessReject(msg, 0, "ClOrdID (11) must have 1 to " +
                                                      std::to_string(kMaxIdTextBytes) +
                                                      " characters"));
    return;
  }
  const uint64_t cl = Intern('C', cl_text);
  if (cl == 0) return out->replies.push_back(BusinessReject(msg, 0, "too many ids"));
  out->command = StatusRequest{.cl_ord_id = cl};
}

void VenueOrderEntry::DecodeMassStatus(const Message& msg, VenueDecoded* out) {
  const std::string_view id_text = msg.Get(584);
  if (id_text.empty() || id_text.size() > kMaxIdTextBytes) {
    return out->replies.push_back(BusinessReject(msg, 0, "invalid MassStatusReqID (584)"));
  }
  if (msg.Get(585) != "7") {
    return out->replies.push_back(BusinessReject(
        msg, 0, "unsupported MassStatusReqType (585) " + Quote(msg.Get(585)) + ": 7 only"));
  }
  const uint64_t id = Intern('M', id_text);
  if (id == 0) return out->replies.push_back(BusinessReject(msg, 0, "too many ids"));
  out->command = StatusRequest{.cl_ord_id = 0, .mass_status_id = id};
}

void VenueOrderEntry::DecodeMassCancel(const Message& msg, VenueDecoded* out) {
  const std::string_view cl_text = msg.Get(11);
  if (cl_text.empty() || cl_text.size() > kMaxIdTextBytes) {
    return out->replies.push_back(BusinessReject(msg, 0, "invalid ClOrdID (11)"));
  }
  MassCancel m;
  const std::string_view type = msg.Get(530);
  if (type == "1") {
    const InstrumentDef* inst = FindSymbol(msg.Get(55));
    if (inst == nullptr) {
      return out->replies.push_back(
          BusinessReject(msg, 2, "unknown symbol " + Quote(msg.Get(55))));
    }
    m.instrument = inst->id;
  } else if (type != "7") {
    return out->replies.push_back(BusinessReject(
        msg, 0, "unsupported MassCancelRequestType (530) " + Quote(type) + ": 1 or 7"));
  }
  if (msg.Has(54)) {
    const std::optional<Side> side = FromSideText(msg.Get(54));
    if (!side || *side == Side::kNone) {
      return out->replies.push_back(
          BusinessReject(msg, 0, "unsupported Side (54) " + Quote(msg.Get(54))));
    }
    m.side = *side;
  }
  m.request_id = Intern('C', cl_text);
  if (m.request_id == 0) return out->replies.push_back(BusinessReject(msg, 0, "too many ids"));
  requests_[m.request_id] = Request{.msg_type = msg_type::kOrderMassCancelRequest};
  out->command = m;
}

// ---------------------------------------------------------------- venue replies

void VenueOrderEntry::Encode(const Payload& reply, Timestamp now, std::vector<OutMessage>* out) {
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, OrderAck>) EncodeAck(r, now, out);
        else if constexpr (std::is_same_v<T, OrderReject>) EncodeReject(r, now, out);
        else if constexpr (std::is_same_v<T, Fill>) EncodeFill(r, out);
        else if constexpr (std::is_same_v<T, CancelAck>) EncodeCancelAck(r, now, out);
        else if constexpr (std::is_same_v<T, CancelReject>) EncodeCancelReject(r, now, out);
        else if constexpr (std::is_same_v<T, ReplaceAck>) EncodeReplaceAck(r, now, out);
        else if constexpr (std::is_same_v<T, OrderExpired>) EncodeExpired(r, now, out);
        else if constexpr (std::is_same_v<T, OrderStatusReport>) EncodeStatus(r, now, out);
        else if constexpr (std::is_same_v<T, RateLimitReject>) EncodeRateLimit(r, now, out);
      },
      reply);
}

void VenueOrderEntry::EncodeAck(const OrderAck& r, Timestamp now, std::vector<OutMessage>* out) {
  Order* o = FindOrder(r.cl_ord_id);
  if (o == nullptr) o = &(orders_[r.cl_ord_id] = FallbackOrder(r.instrument, Side::kNone));
  o->venue_order_id = r.venue_order_id;
  if (o->cum_qty.raw == 0) o->status = OrdStatus::kNew;  // a fill may have overtaken the ack
  OutMessage& m = out->emplace_back();
  BeginReport(m, *o, ClOrdIdText(r.cl_ord_id), {}, '0', NextExecId(), o->order_qty - o->cum_qty);
  m.AddUtcTimestamp(60, now);
}

void VenueOrderEntry::EncodeReject(const OrderReject& r, Timestamp now,
                                   std::vector<OutMessage>* out) {
  Order* o = FindOrder(r.cl_ord_id);
  if (o == nullptr) o = &(orders_[r.cl_ord_id] = FallbackOrder(r.instrument, Side::kNone));
  o->status = OrdStatus::kRejected;
  OutMessage& m = out->emplace_back();
  BeginReport(m, *o, ClOrdIdText(r.cl_ord_id), {}, '8', NextExecId(), Qty{});
  AddRejectReason(m, 103, r.reason, false);
  m.AddUtcTimestamp(60, now);
  if (!r.text.empty()) m.Add(58, r.text);
}

void VenueOrderEntry::EncodeFill(const Fill& r, std::vector<OutMessage>* out) {
  Order* o = FindOrder(r.cl_ord_id);
  if (o == nullptr) {
    o = &(orders_[r.cl_ord_id] = FallbackOrder(r.instrument, r.side));
    o->order_qty = r.cum_qty + r.leaves_qty;
  }
  o->venue_order_id = r.venue_order_id;
  o->cum_qty = r.cum_qty;
  o->notional += static_cast<__int128>(r.price.raw) * r.qty.raw;
  o->status = r.leaves_qty.raw == 0 ? OrdStatus::kFilled : OrdStatus::kPartiallyFilled;
  const int qd = QtyDecimals(o->instrument);
  OutMessage& m = out->emplace_back();
  BeginReport(m, *o, ClOrdIdText(r.cl_ord_id), {}, 'F', std::to_string(r.exec_id), r.leaves_qty);
  m.Add(32, QtyText(r.qty, qd)).Add(31, PriceText(r.price));
  if (r.liquidity != Liquidity::kNone) m.AddChar(851, r.liquidity == Liquidity::kMaker ? '1' : '2');
  m.Add(12, FormatDecimal(r.fee.raw, Money::kDecimals)).AddChar(13, '3');
  // TransactTime with nanoseconds (the 9-digit form FIX later standardised; QuickFIX and
  // fix/utc_time.h parse it), so the client gets Fill::exchange_ts exactly.
  char ts[kUtcTimestampMillisLen + 6];
  FormatUtcTimestampMillis(r.exchange_ts, ts);
  int64_t sub_ms = r.exchange_ts.ns % 1'000'000;
  if (sub_ms < 0) sub_ms += 1'000'000;
  for (int i = 5; i >= 0; --i, sub_ms /= 10) ts[kUtcTimestampMillisLen + i] = char('0' + sub_ms % 10);
  m.Add(60, std::string_view(ts, sizeof ts));
}

void VenueOrderEntry::EncodeCancelAck(const CancelAck& r, Timestamp now,
                                      std::vector<OutMessage>* out) {
  Order* o = FindOrder(r.orig_cl_ord_id);
  Order fallback = FallbackOrder(0, Side::kNone);
  if (o != nullptr) o->status = OrdStatus::kCanceled;
  const Order& use = o ? *o : (fallback.status = OrdStatus::kCanceled, fallback);
  OutMessage& m = out->emplace_back();
  // cl_ord_id 0 (a cancel the client did not ask for): 11 is the order's, no 41.
  if (r.cl_ord_id == 0) {
    BeginReport(m, use, ClOrdIdText(r.orig_cl_ord_id), {}, '4', NextExecId(), Qty{});
  } else {
    BeginReport(m, use, ClOrdIdText(r.cl_ord_id), ClOrdIdText(r.orig_cl_ord_id), '4',
                NextExecId(), Qty{});
  }
  m.AddUtcTimestamp(60, now);
}

void VenueOrderEntry::EncodeCancelReject(const CancelReject& r, Timestamp now,
                                         std::vector<OutMessage>* out) {
  const Order* o = FindOrder(r.orig_cl_ord_id);
  OutMessage& m = out->emplace_back(msg_type::kOrderCancelReject);
  if (o != nullptr && o->venue_order_id != 0) {
    m.Add(37, std::to_string(o->venue_order_id));
  } else {
    m.Add(37, kNone);
  }
  m.Add(11, ClOrdIdText(r.cl_ord_id)).Add(41, ClOrdIdText(r.orig_cl_ord_id));
  m.AddChar(39, o ? OrdStatusChar(o->status) : '8').AddUtcTimestamp(60, now);
  m.AddChar(434, r.response_to == CancelRejectOf::kReplace ? '2' : '1');
  AddRejectReason(m, 102, r.reason, true);
  if (!r.text.empty()) m.Add(58, r.text);
}

void VenueOrderEntry::EncodeReplaceAck(const ReplaceAck& r, Timestamp now,
                                       std::vector<OutMessage>* out) {
  Order next = FallbackOrder(0, Side::kNone);
  if (Order* o = FindOrder(r.orig_cl_ord_id)) {
    next = *o;
    o->status = OrdStatus::kReplaced;
  }
  next.price = r.price;
  next.order_qty = r.qty;
  next.venue_order_id = r.venue_order_id;
  next.status = next.cum_qty.raw > 0 ? OrdStatus::kPartiallyFilled : OrdStatus::kNew;
  Order& n = orders_[r.cl_ord_id] = std::move(next);
  OutMessage& m = out->emplace_back();
  BeginReport(m, n, ClOrdIdText(r.cl_ord_id), ClOrdIdText(r.orig_cl_ord_id), '5', NextExecId(),
              r.leaves_qty);
  m.AddUtcTimestamp(60, now);
}

void VenueOrderEntry::EncodeExpired(const OrderExpired& r, Timestamp now,
                                    std::vector<OutMessage>* out) {
  Order* o = FindOrder(r.cl_ord_id);
  if (o == nullptr) o = &(orders_[r.cl_ord_id] = FallbackOrder(0, Side::kNone));
  o->status = OrdStatus::kExpired;
  OutMessage& m = out->emplace_back();
  BeginReport(m, *o, ClOrdIdText(r.cl_ord_id), {}, 'C', NextExecId(), Qty{});
  m.AddUtcTimestamp(60, now);
}

void VenueOrderEntry::EncodeStatus(const OrderStatusReport& r, Timestamp now,
                                   std::vector<OutMessage>* out) {
  const InstrumentDef* d = FindInstrument(r.instrument);
  const int qd = d ? d->qty_decimals : 0;
  OutMessage& m = out->emplace_back(msg_type::kExecutionReport);
  if (r.venue_order_id != 0) {
    m.Add(37, std::to_string(r.venue_order_id));
  } else {
    m.Add(37, kNone);
  }
  if (r.cl_ord_id != 0) m.Add(11, ClOrdIdText(r.cl_ord_id));
  if (r.mass_status_id != 0) {
    m.Add(584, ClOrdIdText(r.mass_status_id)).AddFlag(912, r.last_report);
  }
  m.Add(17, NextExecId()).AddChar(150, 'I').AddChar(39, OrdStatusChar(r.status));
  m.Add(55, d ? std::string_view(d->symbol) : kNoSymbol).AddChar(54, SideChar(r.side));
  m.Add(38, QtyText(r.order_qty, qd));
  if (r.price.raw != 0) m.Add(44, PriceText(r.price));
  m.Add(151, QtyText(r.leaves_qty, qd)).Add(14, QtyText(r.cum_qty, qd));
  m.Add(6, PriceText(r.avg_price)).AddUtcTimestamp(60, now);
  if (r.status == OrdStatus::kUnknown) {
    m.Add(kTagTdRejectReason, static_cast<int>(RejectReason::kUnknownOrder));
    m.Add(58, r.cl_ord_id != 0 ? "unknown order" : "no open orders");
  }
  ++exec_reports_;
}

void VenueOrderEntry::EncodeRateLimit(const RateLimitReject& r, Timestamp now,
                                      std::vector<OutMessage>* out) {
  auto add_limit_fields = [&](OutMessage& m) {
    m.Add(58, RetryText(r.retry_after)).Add(kTagRetryAfterNs, r.retry_after.ns);
    if (r.banned) m.AddFlag(kTagBanned, true);
  };
  switch (r.action) {
    case OrderAction::kNew: {
      Order o = FallbackOrder(0, Side::kNone);
      if (auto it = orders_.find(r.cl_ord_id); it != orders_.end()) {
        o = std::move(it->second);
        orders_.erase(it);  // never reached the book: the client may retry with the same id
      }
      o.status = OrdStatus::kRejected;
      OutMessage& m = out->emplace_back();
      BeginReport(m, o, ClOrdIdText(r.cl_ord_id), {}, '8', NextExecId(), Qty{});
      AddRejectReason(m, 103, RejectReason::kRateLimited, false);
      m.AddUtcTimestamp(60, now);
      add_limit_fields(m);
      return;
    }
    case OrderAction::kCancel:
    case OrderAction::kReplace: {
      const auto it = requests_.find(r.cl_ord_id);
      const ClOrdId orig = it == requests_.end() ? 0 : it->second.orig;
      const Order* o = FindOrder(orig);
      OutMessage& m = out->emplace_back(msg_type::kOrderCancelReject);
      if (o != nullptr && o->venue_order_id != 0) {
        m.Add(37, std::to_string(o->venue_order_id));
      } else {
        m.Add(37, kNone);
      }
      m.Add(11, ClOrdIdText(r.cl_ord_id)).Add(41, ClOrdIdText(orig));
      m.AddChar(39, o ? OrdStatusChar(o->status) : '8').AddUtcTimestamp(60, now);
      m.AddChar(434, r.action == OrderAction::kReplace ? '2' : '1');
      AddRejectReason(m, 102, RejectReason::kRateLimited, true);
      add_limit_fields(m);
      return;
    }
    case OrderAction::kStatus:
    case OrderAction::kMassCancel: {
      const bool mass_status = r.cl_ord_id != 0 && r.cl_ord_id <= id_texts_.size() &&
                               id_texts_[r.cl_ord_id - 1][0] == 'M';
      OutMessage& m = out->emplace_back(msg_type::kBusinessMessageReject);
      m.Add(372, r.action == OrderAction::kMassCancel ? msg_type::kOrderMassCancelRequest
                 : mass_status                        ? msg_type::kOrderMassStatusRequest
                                                      : msg_type::kOrderStatusRequest);
      if (r.cl_ord_id != 0) m.Add(379, ClOrdIdText(r.cl_ord_id));
      m.Add(380, 0);
      add_limit_fields(m);
      return;
    }
  }
}

// ================================================================ client side

ClientOrderEntry::ClientOrderEntry(std::vector<InstrumentDef> instruments)
    : instruments_(std::move(instruments)) {}

const InstrumentDef* ClientOrderEntry::FindInstrument(InstrumentId id) const {
  for (const InstrumentDef& d : instruments_) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

InstrumentId ClientOrderEntry::FindSymbol(std::string_view symbol) const {
  for (const InstrumentDef& d : instruments_) {
    if (d.symbol == symbol) return d.id;
  }
  return 0;
}

Status ClientOrderEntry::Encode(const Payload& command, Timestamp now, OutMessage* out) {
  auto instrument_of = [&](InstrumentId id, const char* what) -> Result<const InstrumentDef*> {
    const InstrumentDef* d = FindInstrument(id);
    if (d == nullptr) {
      return InvalidArgument(std::string(what) + ": unknown instrument " + std::to_string(id));
    }
    return d;
  };
  if (const auto* n = std::get_if<NewOrder>(&command)) {
    Result<const InstrumentDef*> d = instrument_of(n->instrument, "NewOrder");
    if (!d.ok()) return d.status();
    if (n->side == Side::kNone) return InvalidArgument("NewOrder: no side");
    const int qd = (*d)->qty_decimals;
    out->Reset(msg_type::kNewOrderSingle);
    out->Add(11, std::to_string(n->cl_ord_id));
    if (n->post_only) out->Add(18, "6");
    if (n->display_qty.raw != 0) out->Add(111, QtyText(n->display_qty, qd));
    out->Add(55, (*d)->symbol).AddChar(54, SideChar(n->side)).AddUtcTimestamp(60, now);
    out->Add(38, QtyText(n->qty, qd)).AddChar(40, OrdTypeChar(n->type));
    if (HasLimitPrice(n->type)) out->Add(44, PriceText(n->price));
    if (HasStopPrice(n->type)) out->Add(99, PriceText(n->stop_price));
    out->AddChar(59, TifChar(n->tif));
    orders_[n->cl_ord_id] =
        Order{.instrument = n->instrument, .side = n->side, .type = n->type, .tif = n->tif};
    return Status::Ok();
  }
  auto order_of = [&](ClOrdId id, const char* what) -> Result<Order> {
    auto it = orders_.find(id);
    if (it == orders_.end()) {
      return FailedPrecondition(std::string(what) + ": cl_ord_id " + std::to_string(id) +
                                " was never sent in this session");
    }
    return it->second;
  };
  if (const auto* c = std::get_if<CancelOrder>(&command)) {
    Result<Order> o = order_of(c->orig_cl_ord_id, "CancelOrder");
    if (!o.ok()) return o.status();
    Result<const InstrumentDef*> d =
        instrument_of(c->instrument != 0 ? c->instrument : o->instrument, "CancelOrder");
    if (!d.ok()) return d.status();
    out->Reset(msg_type::kOrderCancelRequest);
    out->Add(41, std::to_string(c->orig_cl_ord_id)).Add(11, std::to_string(c->cl_ord_id));
    out->Add(55, (*d)->symbol).AddChar(54, SideChar(o->side)).AddUtcTimestamp(60, now);
    return Status::Ok();
  }
  if (const auto* r = std::get_if<ReplaceOrder>(&command)) {
    Result<Order> o = order_of(r->orig_cl_ord_id, "ReplaceOrder");
    if (!o.ok()) return o.status();
    Result<const InstrumentDef*> d =
        instrument_of(r->instrument != 0 ? r->instrument : o->instrument, "ReplaceOrder");
    if (!d.ok()) return d.status();
    out->Reset(msg_type::kOrderCancelReplaceRequest);
    out->Add(41, std::to_string(r->orig_cl_ord_id)).Add(11, std::to_string(r->cl_ord_id));
    out->Add(55, (*d)->symbol).AddChar(54, SideChar(o->side)).AddUtcTimestamp(60, now);
    out->Add(38, QtyText(r->qty, (*d)->qty_decimals)).AddChar(40, OrdTypeChar(o->type));
    if (r->price.raw != 0) out->Add(44, PriceText(r->price));
    out->AddChar(59, TifChar(o->tif));
    orders_[r->cl_ord_id] = *o;
    return Status::Ok();
  }
  if (const auto* s = std::get_if<StatusRequest>(&command)) {
    if (s->cl_ord_id == 0) {
      if (s->mass_status_id == 0) return InvalidArgument("StatusRequest: no id");
      out->Reset(msg_type::kOrderMassStatusRequest);
      out->Add(584, std::to_string(s->mass_status_id)).AddChar(585, '7');
      return Status::Ok();
    }
    Result<Order> o = order_of(s->cl_ord_id, "StatusRequest");
    if (!o.ok()) return o.status();
    Result<const InstrumentDef*> d = instrument_of(o->instrument, "StatusRequest");
    if (!d.ok()) return d.status();
    out->Reset(msg_type::kOrderStatusRequest);
    out->Add(11, std::to_string(s->cl_ord_id)).Add(55, (*d)->symbol);
    out->AddChar(54, SideChar(o->side));
    return Status::Ok();
  }
  if (const auto* m = std::get_if<MassCancel>(&command)) {
    out->Reset(msg_type::kOrderMassCancelRequest);
    out->Add(11, std::to_string(m->request_id)).AddChar(530, m->instrument != 0 ? '1' : '7');
    if (m->instrument != 0) {
      Result<const InstrumentDef*> d = instrument_of(m->instrument, "MassCancel");
      if (!d.ok()) return d.status();
      out->Add(55, (*d)->symbol);
    }
    if (m->side != Side::kNone) out->AddChar(54, SideChar(m->side));
    out->AddUtcTimestamp(60, now);
    return Status::Ok();
  }
  return InvalidArgument("not an order-entry command: " +
                         std::string(PayloadKindName(command.index())));
}

Result<ExecId> ClientOrderEntry::DecodeExecId(std::string_view text) {
  if (std::optional<uint64_t> v = ParseU64(text)) return *v;
  if (text.empty() || text.size() > kMaxIdTextBytes) {
    return InvalidArgument("ExecutionReport: invalid ExecID (17) " + Quote(text));
  }
  std::string key(text);
  if (auto it = exec_ids_.find(key); it != exec_ids_.end()) return it->second;
  if (exec_ids_.size() >= kMaxOrderEntryIds) return OutOfRange("too many ExecIDs");
  const ExecId id = kNonNumericExecIdBase + exec_ids_.size() + 1;
  exec_ids_.emplace(std::move(key), id);
  return id;
}

Status ClientOrderEntry::Decode(const Message& msg, std::vector<Payload>* out) {
  const std::string_view type = msg.msg_type();
  if (type == msg_type::kExecutionReport) return DecodeExecutionReport(msg, out);
  if (type == msg_type::kOrderCancelReject) return DecodeCancelReject(msg, out);
  if (type == msg_type::kBusinessMessageReject) return DecodeBusinessReject(msg, out);
  return InvalidArgument("not an order-entry reply: MsgType " + Quote(type));
}

namespace {

// Field readers of one inbound message; the first error is kept and names the tag.
class Reader {
 public:
  Reader(const Message& msg, std::string_view what) : msg_(msg), what_(what) {}
  const Status& status() const { return status_; }

  uint64_t Id(int tag, bool required = true) {
    const std::string_view v = msg_.Get(tag);
    if (v.empty() && !required) return 0;
    if (std::optional<uint64_t> id = ParseU64(v)) return *id;
    Fail(tag, v, "not a decimal id");
    return 0;
  }
  // 37: "NONE" is 0.
  uint64_t OrderId() { return msg_.Get(37) == kNone || !msg_.Has(37) ? 0 : Id(37); }
  Qty QtyOf(int tag, int decimals) {
    if (!msg_.Has(tag)) return Qty{};
    Result<int64_t> r = ParseDecimal(msg_.Get(tag), decimals);
    if (!r.ok()) return Fail(tag, msg_.Get(tag), r.status().message()), Qty{};
    return Qty{*r};
  }
  Price PriceOf(int tag) {
    if (!msg_.Has(tag)) return Price{};
    Result<Price> r = Price::Parse(msg_.Get(tag));
    if (!r.ok()) return Fail(tag, msg_.Get(tag), r.status().message()), Price{};
    return *r;
  }
  Money MoneyOf(int tag) {
    if (!msg_.Has(tag)) return Money{};
    Result<Money> r = Money::Parse(msg_.Get(tag));
    if (!r.ok()) return Fail(tag, msg_.Get(tag), r.status().message()), Money{};
    return *r;
  }
  Side SideOf() {
    std::optional<Side> s = FromSideText(msg_.Get(54));
    if (!s) Fail(54, msg_.Get(54), "unsupported Side");
    return s.value_or(Side::kNone);
  }
  int64_t Int(int tag) {
    std::optional<int64_t> v = ParseI64(msg_.Get(tag));
    if (!v) Fail(tag, msg_.Get(tag), "not an integer");
    return v.value_or(0);
  }
  RejectReason Reason(int fix_tag, bool cancel_reject) {
    if (msg_.Has(kTagTdRejectReason)) {
      const int64_t v = Int(kTagTdRejectReason);
      if (v < 0 || v > static_cast<int64_t>(RejectReason::kOther)) {
        Fail(kTagTdRejectReason, msg_.Get(kTagTdRejectReason), "out of range");
        return RejectReason::kOther;
      }
      return static_cast<RejectReason>(v);
    }
    if (!msg_.Has(fix_tag)) return cancel_reject ? RejectReason::kOther : RejectReason::kNone;
    const int64_t code = Int(fix_tag);
    return cancel_reject ? FromCxlRejCode(code) : FromOrdRejCode(code);
  }
  void Fail(int tag, std::string_view value, std::string_view why) {
    if (!status_.ok()) return;
    status_ = InvalidArgument(std::string(what_) + ": tag " + std::to_string(tag) + " " +
                              Quote(value) + ": " + std::string(why));
  }

 private:
  const Message& msg_;
  std::string_view what_;
  Status status_;
};

}  // namespace

Status ClientOrderEntry::DecodeExecutionReport(const Message& msg, std::vector<Payload>* out) {
  Reader rd(msg, "ExecutionReport");
  const std::string_view exec_type = msg.Get(150);
  const InstrumentId instrument = FindSymbol(msg.Get(55));
  const InstrumentDef* d = FindInstrument(instrument);
  const int qd = d ? d->qty_decimals : 0;
  // The quantity canceled or expired is what was open: OrderQty - CumQty.
  auto canceled_qty = [&] { return rd.QtyOf(38, qd) - rd.QtyOf(14, qd); };
  Payload p;
  if (exec_type == "0") {
    p = OrderAck{.cl_ord_id = rd.Id(11), .venue_order_id = rd.OrderId(), .instrument = instrument};
  } else if (exec_type == "8") {
    if (msg.Has(kTagRetryAfterNs)) {
      p = RateLimitReject{.cl_ord_id = rd.Id(11),
                          .action = OrderAction::kNew,
                          .retry_after = Duration{rd.Int(kTagRetryAfterNs)},
                          .banned = msg.GetFlag(kTagBanned)};
    } else {
      p = OrderReject{.cl_ord_id = rd.Id(11),
                      .instrument = instrument,
                      .reason = rd.Reason(103, false),
                      .text = std::string(msg.Get(58))};
    }
  } else if (exec_type == "F" || exec_type == "1" || exec_type == "2") {
    Fill f;
    f.cl_ord_id = rd.Id(11);
    f.venue_order_id = rd.OrderId();
    if (Result<ExecId> e = DecodeExecId(msg.Get(17)); e.ok()) {
      f.exec_id = *e;
    } else {
      return e.status();
    }
    f.instrument = instrument;
    f.side = rd.SideOf();
    f.price = rd.PriceOf(31);
    f.qty = rd.QtyOf(32, qd);
    f.cum_qty = rd.QtyOf(14, qd);
    f.leaves_qty = rd.QtyOf(151, qd);
    const std::string_view liq = msg.Get(851);
    f.liquidity = liq == "1" ? Liquidity::kMaker : (liq == "2" ? Liquidity::kTaker : Liquidity::kNone);
    f.fee = rd.MoneyOf(12);
    if (msg.Has(60)) {
      Result<Timestamp> t = ParseUtcTimestamp(msg.Get(60));
      if (!t.ok()) return InvalidArgument("ExecutionReport: tag 60: " + t.status().message());
      f.exchange_ts = *t;
    }
    p = f;
  } else if (exec_type == "4") {
    if (msg.Has(41)) {
      p = CancelAck{.cl_ord_id = rd.Id(11), .orig_cl_ord_id = rd.Id(41),
                    .canceled_qty = canceled_qty()};
    } else {
      p = CancelAck{.cl_ord_id = 0, .orig_cl_ord_id = rd.Id(11), .canceled_qty = canceled_qty()};
    }
  } else if (exec_type == "5") {
    p = ReplaceAck{.cl_ord_id = rd.Id(11),
                   .orig_cl_ord_id = rd.Id(41),
                   .venue_order_id = rd.OrderId(),
                   .price = rd.PriceOf(44),
                   .qty = rd.QtyOf(38, qd),
                   .leaves_qty = rd.QtyOf(151, qd)};
  } else if (exec_type == "C") {
    p = OrderExpired{.cl_ord_id = rd.Id(11), .expired_qty = canceled_qty()};
  } else if (exec_type == "I") {
    OrderStatusReport r;
    r.cl_ord_id = rd.Id(11, /*required=*/false);
    r.venue_order_id = rd.OrderId();
    r.instrument = instrument;
    r.side = rd.SideOf();
    const std::optional<OrdStatus> st = FromOrdStatusChar(msg.Get(39));
    if (!st) rd.Fail(39, msg.Get(39), "unknown OrdStatus");
    r.status = st.value_or(OrdStatus::kUnknown);
    if (r.status == OrdStatus::kRejected && msg.Has(kTagTdRejectReason) &&
        rd.Reason(103, false) == RejectReason::kUnknownOrder) {
      r.status = OrdStatus::kUnknown;
    }
    r.price = rd.PriceOf(44);
    r.order_qty = rd.QtyOf(38, qd);
    r.cum_qty = rd.QtyOf(14, qd);
    r.leaves_qty = rd.QtyOf(151, qd);
    r.avg_price = rd.PriceOf(6);
    r.mass_status_id = rd.Id(584, /*required=*/false);
    r.last_report = !msg.Has(912) || msg.GetFlag(912);
    p = r;
  } else {
    return InvalidArgument("ExecutionReport: unsupported ExecType (150) " + Quote(exec_type));
  }
  if (!rd.status().ok()) return rd.status();
  out->push_back(std::move(p));
  return Status::Ok();
}

Status ClientOrderEntry::DecodeCancelReject(const Message& msg, std::vector<Payload>* out) {
  Reader rd(msg, "OrderCancelReject");
  const CancelRejectOf of =
      msg.Get(434) == "2" ? CancelRejectOf::kReplace : CancelRejectOf::kCancel;
  Payload p;
  if (msg.Has(kTagRetryAfterNs)) {
    p = RateLimitReject{.cl_ord_id = rd.Id(11),
                        .action = of == CancelRejectOf::kReplace ? OrderAction::kReplace
                                                                 : OrderAction::kCancel,
                        .retry_after = Duration{rd.Int(kTagRetryAfterNs)},
                        .banned = msg.GetFlag(kTagBanned)};
  } else {
    p = CancelReject{.cl_ord_id = rd.Id(11),
                     .orig_cl_ord_id = rd.Id(41),
                     .response_to = of,
                     .reason = rd.Reason(102, true),
                     .text = std::string(msg.Get(58))};
  }
  if (!rd.status().ok()) return rd.status();
  out->push_back(std::move(p));
  return Status::Ok();
}

Status ClientOrderEntry::DecodeBusinessReject(const Message& msg, std::vector<Payload>* out) {
  if (!msg.Has(kTagRetryAfterNs)) {
    return FailedPrecondition("BusinessMessageReject of " + Quote(msg.Get(372)) + " " +
                              Quote(msg.Get(379)) + ": " + std::string(msg.Get(58)));
  }
  Reader rd(msg, "BusinessMessageReject");
  const std::string_view ref = msg.Get(372);
  OrderAction action = OrderAction::kStatus;
  if (ref == msg_type::kOrderMassCancelRequest) action = OrderAction::kMassCancel;
  else if (ref == msg_type::kNewOrderSingle) action = OrderAction::kNew;
  else if (ref == msg_type::kOrderCancelRequest) action = OrderAction::kCancel;
  else if (ref == msg_type::kOrderCancelReplaceRequest) action = OrderAction::kReplace;
  RateLimitReject r{.cl_ord_id = rd.Id(379, /*required=*/false),
                    .action = action,
                    .retry_after = Duration{rd.Int(kTagRetryAfterNs)},
                    .banned = msg.GetFlag(kTagBanned)};
  if (!rd.status().ok()) return rd.status();
  out->push_back(r);
  return Status::Ok();
}

}  // namespace td::fix
