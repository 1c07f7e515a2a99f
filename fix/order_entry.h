// The mapping between Tapedeck's order-entry events (core/event.h) and FIX 4.4 application
// messages, both sides of the wire (docs/order-entry.md is the convention, tag by tag).
// Pure: no sockets, no clock (the caller passes `now`), no threads; one object per session
// side, single-threaded.
//
// Venue side (VenueOrderEntry, hosted by sim-exchange/server/exchange_app.h): decodes the
// client's D, F, G, H, AF and q into td commands (NewOrder, CancelOrder, ReplaceOrder,
// StatusRequest, MassCancel) and encodes the venue's replies into ExecutionReport (8),
// OrderCancelReject (9) and BusinessMessageReject (j). The client's ClOrdID text (anything a
// client sends) maps to an internal integer ClOrdId through a table owned by the object; the
// object also keeps what each order's ExecutionReports must repeat (symbol, side, quantity,
// price, cumulative quantity and notional for AvgPx).
//
//   VenueOrderEntry venue(instruments);
//   VenueDecoded d;
//   venue.Decode(msg, now, &d);                     // d.command -> ExchangeCore::Submit
//   for (const OutMessage& m : d.replies) conn.Send(m);  // field errors answered at once
//   std::vector<OutMessage> out;
//   venue.Encode(reply, now, &out);                 // a venue reply -> 8 / 9 / j
//
// Client side (ClientOrderEntry, used by the paper runtime): encodes td commands into
// D/F/G/H/AF/q with ClOrdID = the decimal text of the integer ClOrdId, and decodes the
// venue's 8/9/j back into td inputs. Round trip: client Encode -> venue Decode -> venue
// Encode -> client Decode gives back exactly the venue's replies (tests/fix/order_entry_test).
//
// Bounds: ClOrdID and other id texts at most kMaxIdTextBytes; at most kMaxOrderEntryIds ids
// and orders per object (beyond, new orders are rejected with a Text saying so).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "fix/message.h"
#include "fix/writer.h"

namespace td::fix {

// User-defined tags (FIX reserves 5000-9999 for bilateral use).
inline constexpr int kTagRetryAfterNs = 9701;    // RateLimitReject::retry_after, nanoseconds
inline constexpr int kTagBanned = 9702;          // Y: the venue banned the session
inline constexpr int kTagTdRejectReason = 9703;  // td::RejectReason, when 103/102 is ambiguous

inline constexpr size_t kMaxIdTextBytes = 64;
inline constexpr size_t kMaxOrderEntryIds = size_t{1} << 22;
// Exec ids the client gives to non-numeric ExecID texts: kNonNumericExecIdBase + n, n from 1.
inline constexpr ExecId kNonNumericExecIdBase = ExecId{1} << 63;

// FIX value <-> td enum conversions (docs/order-entry.md lists them).
char OrdStatusChar(OrdStatus s);
char SideChar(Side s);  // kNone -> '7' (Undisclosed)

// What one inbound application message became on the venue side.
struct VenueDecoded {
  std::optional<Payload> command;  // for the venue; absent when the message was answered here
  std::vector<OutMessage> replies; // answers sent at once (field errors, unknown symbol, ...)
};

class VenueOrderEntry {
 public:
  explicit VenueOrderEntry(std::vector<InstrumentDef> instruments);

  // Decodes D, F, G, H, AF or q. A message that cannot become a command is answered in
  // `out->replies` (ExecutionReport reject for D, OrderCancelReject for F/G,
  // BusinessMessageReject otherwise), with a Text naming the field and value. A resent
  // (PossDupFlag=Y) D, F or G whose ClOrdID was already processed is ignored: no command,
  // no reply (FIX 4.4 Volume 2: the application checks a possible duplicate).
  void Decode(const Message& msg, Timestamp now, VenueDecoded* out);
  // Encodes one venue reply (OrderAck, OrderReject, Fill, CancelAck, CancelReject,
  // ReplaceAck, OrderExpired, OrderStatusReport, RateLimitReject); other payloads are
  // ignored. Appends the messages to `out` (one, or none for an ignored payload).
  void Encode(const Payload& reply, Timestamp now, std::vector<OutMessage>* out);

  // The client's text for an internal ClOrdId ("" when unknown).
  std::string_view ClOrdIdText(ClOrdId id) const;
  uint64_t exec_reports() const { return exec_reports_; }
  uint64_t possdup_ignored() const { return possdup_ignored_; }

 private:
  struct Order {
    InstrumentId instrument = 0;
    std::string symbol;
    Side side = Side::kNone;
    OrdType type = OrdType::kLimit;
    Price price;
    Qty order_qty;
    Qty cum_qty;
    __int128 notional = 0;  // sum of price.raw * qty.raw over the fills
    VenueOrderId venue_order_id = 0;
    OrdStatus status = OrdStatus::kPendingNew;
  };
  struct Request {  // a cancel, replace, status or mass request in flight
    std::string_view msg_type;
    ClOrdId orig = 0;
    int64_t seq_num = 0;
  };

  // Interns a client id text of `space` ('C' ClOrdID, 'M' MassStatusReqID); 0 when full.
  uint64_t Intern(char space, std::string_view text);
  std::optional<uint64_t> Lookup(char space, std::string_view text) const;
  const InstrumentDef* FindSymbol(std::string_view symbol) const;
  const InstrumentDef* FindInstrument(InstrumentId id) const;
  // A D, F or G whose ClOrdID already became an order or a request.
  bool AlreadyProcessed(const Message& msg) const;
  int QtyDecimals(InstrumentId id) const;

  void DecodeNew(const Message& msg, Timestamp now, VenueDecoded* out);
  void DecodeCancelOrReplace(const Message& msg, bool replace, Timestamp now, VenueDecoded* out);
  void DecodeStatus(const Message& msg, VenueDecoded* out);
  void DecodeMassStatus(const Message& msg, VenueDecoded* out);
  void DecodeMassCancel(const Message& msg, VenueDecoded* out);

  // An ExecutionReport with the fields every one carries (37, 11, 41, 17, 150, 39, 55, 54,
  // 38, 44, 151, 14, 6), from `o` (or `fallback` when the order is unknown).
  OutMessage& BeginReport(OutMessage& m, const Order& o, std::string_view cl_text,
                          std::string_view orig_text, char exec_type, std::string exec_id,
                          Qty leaves);
  std::string NextExecId();
  Order* FindOrder(ClOrdId id);
  Order FallbackOrder(InstrumentId instrument, Side side) const;
  void AddRejectReason(OutMessage& m, int fix_tag, RejectReason reason, bool cancel_reject);
  OutMessage RejectNewText(const Message& msg, std::string_view symbol, RejectReason reason,
                           std::string text, Timestamp now);
  OutMessage CancelRejectText(const Message& msg, bool replace, RejectReason reason,
                              std::string text, Timestamp now);
  OutMessage BusinessReject(const Message& msg, int reason, std::string text);

  void EncodeAck(const OrderAck& r, Timestamp now, std::vector<OutMessage>* out);
  void EncodeReject(const OrderReject& r, Timestamp now, std::vector<OutMessage>* out);
  void EncodeFill(const Fill& r, std::vector<OutMessage>* out);
  void EncodeCancelAck(const CancelAck& r, Timestamp now, std::vector<OutMessage>* out);
  void EncodeCancelReject(const CancelReject& r, Timestamp now, std::vector<OutMessage>* out);
  void EncodeReplaceAck(const ReplaceAck& r, Timestamp now, std::vector<OutMessage>* out);
  void EncodeExpired(const OrderExpired& r, Timestamp now, std::vector<OutMessage>* out);
  void EncodeStatus(const OrderStatusReport& r, Timestamp now, std::vector<OutMessage>* out);
  void EncodeRateLimit(const RateLimitReject& r, Timestamp now, std::vector<OutMessage>* out);

  std::vector<InstrumentDef> instruments_;
  std::unordered_map<std::string, uint64_t> ids_;  // space char + text -> internal id
  std::vector<std::string> id_texts_;              // internal id - 1 -> text
  std::map<ClOrdId, Order> orders_;                // by the order's ClOrdId (old ones kept)
  std::map<uint64_t, Request> requests_;           // by the request's internal id
  uint64_t next_exec_n_ = 1;
  uint64_t exec_reports_ = 0;
  uint64_t possdup_ignored_ = 0;
};

class ClientOrderEntry {
 public:
  explicit ClientOrderEntry(std::vector<InstrumentDef> instruments);

  // Encodes NewOrder (D), CancelOrder (F), ReplaceOrder (G), StatusRequest (H, or AF when
  // cl_ord_id is 0 and mass_status_id is not) or MassCancel (q) into *out (reset first).
  // Errors: not a command, an unknown instrument, a cancel/replace/status of an order this
  // object never sent (F/G/H need its side and symbol).
  Status Encode(const Payload& command, Timestamp now, OutMessage* out);
  // Decodes an ExecutionReport (8), OrderCancelReject (9) or BusinessMessageReject (j)
  // carrying RetryAfterNs into td inputs appended to `out`. Errors name the message type,
  // tag and value; a j without 9701 is an error carrying its Text.
  Status Decode(const Message& msg, std::vector<Payload>* out);

 private:
  struct Order {
    InstrumentId instrument = 0;
    Side side = Side::kNone;
    OrdType type = OrdType::kLimit;
    TimeInForce tif = TimeInForce::kDay;
  };
  const InstrumentDef* FindInstrument(InstrumentId id) const;
  InstrumentId FindSymbol(std::string_view symbol) const;
  Result<ExecId> DecodeExecId(std::string_view text);
  Status DecodeExecutionReport(const Message& msg, std::vector<Payload>* out);
  Status DecodeCancelReject(const Message& msg, std::vector<Payload>* out);
  Status DecodeBusinessReject(const Message& msg, std::vector<Payload>* out);

  std::vector<InstrumentDef> instruments_;
  std::map<ClOrdId, Order> orders_;
  std::unordered_map<std::string, ExecId> exec_ids_;  // non-numeric ExecID texts
};

}  // namespace td::fix
