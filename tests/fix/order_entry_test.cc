// fix/order_entry.h: the FIX 4.4 order-entry mapping, both sides. The central property: client
// Encode -> wire -> venue Decode gives the command back (with the venue's internal ids), and
// venue Encode -> wire -> client Decode gives back exactly the venue's reply, with the
// client's own ids.
#include "fix/order_entry.h"

#include <gtest/gtest.h>

// Test events are written with designated initializers naming only the fields that matter.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <string>
#include <vector>

#include "fix/dictionary.h"
#include "fix/fields.h"
#include "fix/message.h"
#include "fix/validator.h"
#include "fix/writer.h"

namespace td::fix {
namespace {

constexpr Timestamp kNow{1'704'205'800'123'456'789};
constexpr VenueOrderId kVid = (VenueOrderId{1} << 63) + 1;

std::vector<InstrumentDef> Instruments() {
  InstrumentDef a{.id = 1, .symbol = "AAPL", .venue = "SIM", .currency = "USD"};
  a.tick_size = Price{10'000'000};
  a.lot_size = Qty{1};
  InstrumentDef b{.id = 2, .symbol = "BTCUSD", .venue = "SIM", .currency = "USD"};
  b.qty_decimals = 8;
  b.tick_size = Price{10'000'000};
  return {a, b};
}

Price Px(const char* text) { return *Price::Parse(text); }

// Serialises an OutMessage and parses it back, as the wire would.
class Wire {
 public:
  // poss_dup: as a resend carries it (PossDupFlag=Y, OrigSendingTime).
  const Message& Pass(const OutMessage& m, bool poss_dup = false) {
    HeaderFill h{.begin_string = "FIX.4.4",
                 .sender_comp_id = "A",
                 .target_comp_id = "B",
                 .msg_seq_num = ++seq_,
                 .sending_time = kNow};
    h.poss_dup = poss_dup;
    if (poss_dup) h.orig_sending_time = "20240102-14:30:00.123";
    bytes_ = std::string(writer_.Write(m, h));
    const Status s = msg_.Parse(bytes_);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return msg_;
  }
  std::string_view bytes() const { return bytes_; }

 private:
  MessageWriter writer_;
  std::string bytes_;
  Message msg_;
  int64_t seq_ = 0;
};

class OrderEntryTest : public ::testing::Test {
 protected:
  // Client command -> venue command (no immediate replies expected).
  Payload Send(const Payload& cmd) {
    OutMessage out;
    const Status s = client_.Encode(cmd, kNow, &out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    VenueDecoded d;
    venue_.Decode(wire_.Pass(out), kNow, &d);
    EXPECT_TRUE(d.replies.empty()) << (d.replies.empty() ? "" : std::string(d.replies[0].body()));
    EXPECT_TRUE(d.command.has_value());
    return d.command.value_or(Annotation{});
  }
  // Venue reply -> client inputs.
  std::vector<Payload> Reply(const Payload& reply) {
    std::vector<OutMessage> msgs;
    venue_.Encode(reply, kNow, &msgs);
    std::vector<Payload> got;
    for (const OutMessage& m : msgs) {
      const Message& msg = wire_.Pass(m);
      last_ = std::string(wire_.bytes());
      // Every reply passes the builtin FIX 4.4 dictionary (which knows Tapedeck's 9701-9703),
      // so Tapedeck's own FIX session accepts it.
      const std::optional<Rejection> r = Validate(BuiltinFix44Dictionary(), msg);
      EXPECT_FALSE(r.has_value()) << "reason " << static_cast<int>(r->reason) << " tag "
                                  << r->ref_tag << " in " << last_;
      const Status s = client_.Decode(msg, &got);
      EXPECT_TRUE(s.ok()) << s.ToString() << " in " << last_;
    }
    return got;
  }
  // The one client input a reply must give.
  Payload One(const Payload& reply) {
    std::vector<Payload> got = Reply(reply);
    EXPECT_EQ(got.size(), 1u) << last_;
    return got.empty() ? Payload{Annotation{}} : got[0];
  }
  // Field `tag` of the last message the venue sent, "" when absent.
  std::string LastField(int tag) {
    Message m;
    EXPECT_TRUE(m.Parse(last_).ok());
    return std::string(m.Get(tag));
  }
  // A D decoded by the venue directly (for the venue's own checks).
  VenueDecoded VenueGets(const OutMessage& out) {
    VenueDecoded d;
    venue_.Decode(wire_.Pass(out), kNow, &d);
    return d;
  }
  NewOrder Buy(ClOrdId id, const char* px, int64_t qty) {
    return NewOrder{.cl_ord_id = id, .instrument = 1, .side = Side::kBuy, .price = Px(px),
                    .qty = Qty{qty}};
  }

  ClientOrderEntry client_{Instruments()};
  VenueOrderEntry venue_{Instruments()};
  Wire wire_;
  std::string last_;
};

TEST_F(OrderEntryTest, NewOrderRoundTripsWithEveryField) {
  NewOrder n{.cl_ord_id = 42, .instrument = 2, .side = Side::kSell, .type = OrdType::kStopLimit,
             .tif = TimeInForce::kGtc, .price = Px("42000.5"), .stop_price = Px("41999.25"),
             .qty = Qty{1'500'000}, .display_qty = Qty{500'000}, .post_only = true};
  Payload got = Send(n);
  ASSERT_TRUE(std::holds_alternative<NewOrder>(got));
  NewOrder v = std::get<NewOrder>(got);
  EXPECT_NE(v.cl_ord_id, 0u);
  EXPECT_EQ(venue_.ClOrdIdText(v.cl_ord_id), "42");
  v.cl_ord_id = n.cl_ord_id;
  EXPECT_EQ(v, n);
  for (OrdType t : {OrdType::kMarket, OrdType::kLimit, OrdType::kStop}) {
    for (TimeInForce tif : {TimeInForce::kDay, TimeInForce::kIoc, TimeInForce::kFok}) {
      NewOrder o{.cl_ord_id = 100 + static_cast<ClOrdId>(t) * 10 + static_cast<ClOrdId>(tif),
                 .instrument = 1, .side = Side::kBuy, .type = t, .tif = tif,
                 .qty = Qty{100}};
      if (t == OrdType::kLimit) o.price = Px("10.01");
      if (t == OrdType::kStop) o.stop_price = Px("9.99");
      NewOrder w = std::get<NewOrder>(Send(o));
      w.cl_ord_id = o.cl_ord_id;
      EXPECT_EQ(w, o);
    }
  }
}

TEST_F(OrderEntryTest, AckAndFillsRoundTripExactly) {
  const ClOrdId x = std::get<NewOrder>(Send(Buy(7, "185.25", 100))).cl_ord_id;
  EXPECT_EQ(One(OrderAck{.cl_ord_id = x, .venue_order_id = kVid, .instrument = 1}),
            Payload(OrderAck{.cl_ord_id = 7, .venue_order_id = kVid, .instrument = 1}));
  EXPECT_EQ(LastField(150), "0");
  EXPECT_EQ(LastField(39), "0");
  EXPECT_EQ(LastField(37), std::to_string(kVid));
  EXPECT_EQ(LastField(151), "100");
  Fill f{.cl_ord_id = x, .venue_order_id = kVid, .exec_id = 1, .instrument = 1,
         .side = Side::kBuy, .price = Px("185.25"), .qty = Qty{40}, .cum_qty = Qty{40},
         .leaves_qty = Qty{60}, .liquidity = Liquidity::kMaker, .fee = Money{-200'000'000},
         .exchange_ts = Timestamp{kNow.ns - 17}};
  Fill want = f;
  want.cl_ord_id = 7;
  EXPECT_EQ(One(f), Payload(want));
  EXPECT_EQ(LastField(150), "F");
  EXPECT_EQ(LastField(39), "1");
  EXPECT_EQ(LastField(851), "1");
  EXPECT_EQ(LastField(17), "1");
  EXPECT_EQ(LastField(6), "185.25");
  f.exec_id = 2, f.price = Px("185.26"), f.qty = Qty{60}, f.cum_qty = Qty{100};
  f.leaves_qty = Qty{0}, f.liquidity = Liquidity::kTaker, f.fee = Money{3'000'000};
  want = f;
  want.cl_ord_id = 7;
  EXPECT_EQ(One(f), Payload(want));
  EXPECT_EQ(LastField(39), "2");
  EXPECT_EQ(LastField(851), "2");
  EXPECT_EQ(LastField(6), "185.256");  // (40 x 185.25 + 60 x 185.26) / 100
  EXPECT_EQ(LastField(14), "100");
  EXPECT_EQ(LastField(31), "185.26");
  EXPECT_EQ(LastField(32), "60");
  EXPECT_EQ(LastField(12), "0.003");
}

TEST_F(OrderEntryTest, ReplaceCancelAndTheirRejectsRoundTrip) {
  const ClOrdId x = std::get<NewOrder>(Send(Buy(7, "10", 100))).cl_ord_id;
  (void)One(OrderAck{.cl_ord_id = x, .venue_order_id = kVid, .instrument = 1});
  ReplaceOrder r{.cl_ord_id = 8, .orig_cl_ord_id = 7, .instrument = 1, .price = Px("10.05"),
                 .qty = Qty{150}};
  ReplaceOrder vr = std::get<ReplaceOrder>(Send(r));
  EXPECT_EQ(vr.orig_cl_ord_id, x);
  EXPECT_EQ(vr.price, r.price);
  EXPECT_EQ(vr.qty, r.qty);
  EXPECT_EQ(vr.instrument, 1u);
  const ClOrdId y = vr.cl_ord_id;
  EXPECT_EQ(One(ReplaceAck{.cl_ord_id = y, .orig_cl_ord_id = x, .venue_order_id = kVid,
                           .price = Px("10.05"), .qty = Qty{150}, .leaves_qty = Qty{150}}),
            Payload(ReplaceAck{.cl_ord_id = 8, .orig_cl_ord_id = 7, .venue_order_id = kVid,
                               .price = Px("10.05"), .qty = Qty{150}, .leaves_qty = Qty{150}}));
  EXPECT_EQ(LastField(150), "5");
  EXPECT_EQ(LastField(41), "7");
  EXPECT_EQ(LastField(11), "8");
  // A fill after the replace carries the new id.
  Fill f{.cl_ord_id = y, .venue_order_id = kVid, .exec_id = 5, .instrument = 1,
         .side = Side::kBuy, .price = Px("10.05"), .qty = Qty{50}, .cum_qty = Qty{50},
         .leaves_qty = Qty{100}, .liquidity = Liquidity::kMaker};
  Fill want = f;
  want.cl_ord_id = 8;
  EXPECT_EQ(One(f), Payload(want));
  EXPECT_EQ(LastField(38), "150");
  // Cancel: too late, then a reason FIX has no code for, then the ack.
  CancelOrder c{.cl_ord_id = 9, .orig_cl_ord_id = 8, .instrument = 1};
  CancelOrder vc = std::get<CancelOrder>(Send(c));
  EXPECT_EQ(vc.orig_cl_ord_id, y);
  for (RejectReason reason : {RejectReason::kTooLateToCancel, RejectReason::kUnknownOrder,
                              RejectReason::kPriceBand, RejectReason::kOther}) {
    EXPECT_EQ(One(CancelReject{.cl_ord_id = vc.cl_ord_id, .orig_cl_ord_id = y,
                               .response_to = CancelRejectOf::kCancel, .reason = reason,
                               .text = "nope"}),
              Payload(CancelReject{.cl_ord_id = 9, .orig_cl_ord_id = 8,
                                   .response_to = CancelRejectOf::kCancel, .reason = reason,
                                   .text = "nope"}));
    EXPECT_EQ(LastField(35), "9");
    EXPECT_EQ(LastField(39), "1");  // the order is still partially filled
  }
  EXPECT_EQ(One(CancelReject{.cl_ord_id = y, .orig_cl_ord_id = y,
                             .response_to = CancelRejectOf::kReplace,
                             .reason = RejectReason::kInvalidQty}),
            Payload(CancelReject{.cl_ord_id = 8, .orig_cl_ord_id = 8,
                                 .response_to = CancelRejectOf::kReplace,
                                 .reason = RejectReason::kInvalidQty}));
  EXPECT_EQ(LastField(434), "2");
  EXPECT_EQ(One(CancelAck{.cl_ord_id = vc.cl_ord_id, .orig_cl_ord_id = y,
                          .canceled_qty = Qty{100}}),
            Payload(CancelAck{.cl_ord_id = 9, .orig_cl_ord_id = 8, .canceled_qty = Qty{100}}));
  EXPECT_EQ(LastField(150), "4");
  EXPECT_EQ(LastField(39), "4");
  EXPECT_EQ(LastField(151), "0");
  EXPECT_EQ(LastField(14), "50");
}

TEST_F(OrderEntryTest, EveryRejectReasonRoundTrips) {
  for (int i = 0; i <= static_cast<int>(RejectReason::kOther); ++i) {
    const RejectReason reason = static_cast<RejectReason>(i);
    if (reason == RejectReason::kRateLimited) continue;  // a RateLimitReject, tested below
    const ClOrdId id = 1000 + static_cast<ClOrdId>(i);
    const ClOrdId x = std::get<NewOrder>(Send(Buy(id, "1", 1))).cl_ord_id;
    EXPECT_EQ(One(OrderReject{.cl_ord_id = x, .instrument = 1, .reason = reason,
                              .text = "why " + std::to_string(i)}),
              Payload(OrderReject{.cl_ord_id = id, .instrument = 1, .reason = reason,
                                  .text = "why " + std::to_string(i)}))
        << "reason " << i;
    EXPECT_EQ(LastField(150), "8");
  }
}

TEST_F(OrderEntryTest, ExpiryStatusAndMassRepliesRoundTrip) {
  NewOrder ioc{.cl_ord_id = 3, .instrument = 2, .side = Side::kSell, .tif = TimeInForce::kIoc,
               .price = Px("42000"), .qty = Qty{200'000'000}};
  const ClOrdId x = std::get<NewOrder>(Send(ioc)).cl_ord_id;
  EXPECT_EQ(One(OrderExpired{.cl_ord_id = x, .expired_qty = Qty{200'000'000}}),
            Payload(OrderExpired{.cl_ord_id = 3, .expired_qty = Qty{200'000'000}}));
  EXPECT_EQ(LastField(150), "C");
  EXPECT_EQ(LastField(38), "2");

  StatusRequest sr{.cl_ord_id = 3};
  EXPECT_EQ(std::get<StatusRequest>(Send(sr)).cl_ord_id, x);
  OrderStatusReport rep{.cl_ord_id = x, .venue_order_id = kVid, .instrument = 2,
                        .side = Side::kSell, .status = OrdStatus::kExpired,
                        .price = Px("42000"), .order_qty = Qty{200'000'000},
                        .cum_qty = Qty{50'000'000}, .leaves_qty = Qty{0},
                        .avg_price = Px("42000.123")};
  OrderStatusReport want = rep;
  want.cl_ord_id = 3;
  EXPECT_EQ(One(rep), Payload(want));
  EXPECT_EQ(LastField(150), "I");
  EXPECT_EQ(LastField(39), "C");
  // An order the venue never saw.
  StatusRequest vu = std::get<StatusRequest>(Send(StatusRequest{.cl_ord_id = 3}));
  EXPECT_EQ(One(OrderStatusReport{.cl_ord_id = vu.cl_ord_id}),
            Payload(OrderStatusReport{.cl_ord_id = 3}));
  EXPECT_EQ(LastField(37), "NONE");

  // Mass status: two reports, then an empty reply.
  StatusRequest ms = std::get<StatusRequest>(Send(StatusRequest{.mass_status_id = 77}));
  EXPECT_EQ(ms.cl_ord_id, 0u);
  ASSERT_NE(ms.mass_status_id, 0u);
  rep.mass_status_id = ms.mass_status_id;
  rep.last_report = false;
  want.mass_status_id = 77;
  want.last_report = false;
  EXPECT_EQ(One(rep), Payload(want));
  EXPECT_EQ(LastField(584), "77");
  EXPECT_EQ(LastField(912), "N");
  EXPECT_EQ(One(OrderStatusReport{.mass_status_id = ms.mass_status_id}),
            Payload(OrderStatusReport{.mass_status_id = 77}));
  EXPECT_EQ(LastField(912), "Y");

  // Mass cancel: every instrument, then one instrument and side.
  const ClOrdId y = std::get<NewOrder>(Send(Buy(4, "99", 10))).cl_ord_id;
  MassCancel all = std::get<MassCancel>(Send(MassCancel{.request_id = 500}));
  EXPECT_EQ(all.instrument, 0u);
  EXPECT_EQ(all.side, Side::kNone);
  EXPECT_EQ(One(CancelAck{.cl_ord_id = all.request_id, .orig_cl_ord_id = y,
                          .canceled_qty = Qty{10}}),
            Payload(CancelAck{.cl_ord_id = 500, .orig_cl_ord_id = 4, .canceled_qty = Qty{10}}));
  MassCancel one = std::get<MassCancel>(
      Send(MassCancel{.request_id = 501, .instrument = 2, .side = Side::kSell}));
  EXPECT_EQ(one.instrument, 2u);
  EXPECT_EQ(one.side, Side::kSell);
}

TEST_F(OrderEntryTest, RateLimitRejectsRoundTripForEveryAction) {
  const ClOrdId x = std::get<NewOrder>(Send(Buy(7, "10", 100))).cl_ord_id;
  const RateLimitReject nr{.cl_ord_id = x, .action = OrderAction::kNew,
                           .retry_after = Duration::Micros(2'500), .banned = false};
  EXPECT_EQ(One(nr), Payload(RateLimitReject{.cl_ord_id = 7, .action = OrderAction::kNew,
                                             .retry_after = Duration::Micros(2'500)}));
  EXPECT_EQ(LastField(58), "rate limited, retry after 3 ms");
  EXPECT_EQ(LastField(9701), "2500000");
  // The rejected id may be sent again.
  const ClOrdId x2 = std::get<NewOrder>(Send(Buy(7, "10", 100))).cl_ord_id;
  EXPECT_EQ(x2, x);
  const ClOrdId c = std::get<CancelOrder>(Send(CancelOrder{.cl_ord_id = 8, .orig_cl_ord_id = 7,
                                                           .instrument = 1})).cl_ord_id;
  EXPECT_EQ(One(RateLimitReject{.cl_ord_id = c, .action = OrderAction::kCancel,
                                .retry_after = Duration::Millis(1), .banned = true}),
            Payload(RateLimitReject{.cl_ord_id = 8, .action = OrderAction::kCancel,
                                    .retry_after = Duration::Millis(1), .banned = true}));
  EXPECT_EQ(LastField(35), "9");
  EXPECT_EQ(LastField(9702), "Y");
  EXPECT_EQ(LastField(41), "7");
  const ClOrdId r = std::get<ReplaceOrder>(Send(ReplaceOrder{
      .cl_ord_id = 9, .orig_cl_ord_id = 7, .instrument = 1, .price = Px("11"),
      .qty = Qty{100}})).cl_ord_id;
  EXPECT_EQ(One(RateLimitReject{.cl_ord_id = r, .action = OrderAction::kReplace,
                                .retry_after = Duration::Millis(5)}),
            Payload(RateLimitReject{.cl_ord_id = 9, .action = OrderAction::kReplace,
                                    .retry_after = Duration::Millis(5)}));
  const ClOrdId s = std::get<StatusRequest>(Send(StatusRequest{.cl_ord_id = 7})).cl_ord_id;
  EXPECT_EQ(One(RateLimitReject{.cl_ord_id = s, .action = OrderAction::kStatus,
                                .retry_after = Duration::Millis(5)}),
            Payload(RateLimitReject{.cl_ord_id = 7, .action = OrderAction::kStatus,
                                    .retry_after = Duration::Millis(5)}));
  EXPECT_EQ(LastField(35), "j");
  EXPECT_EQ(LastField(372), "H");
  const uint64_t m =
      std::get<StatusRequest>(Send(StatusRequest{.mass_status_id = 31})).mass_status_id;
  EXPECT_EQ(One(RateLimitReject{.cl_ord_id = m, .action = OrderAction::kStatus,
                                .retry_after = Duration::Millis(5)}),
            Payload(RateLimitReject{.cl_ord_id = 31, .action = OrderAction::kStatus,
                                    .retry_after = Duration::Millis(5)}));
  EXPECT_EQ(LastField(372), "AF");
  const uint64_t q = std::get<MassCancel>(Send(MassCancel{.request_id = 32})).request_id;
  EXPECT_EQ(One(RateLimitReject{.cl_ord_id = q, .action = OrderAction::kMassCancel,
                                .retry_after = Duration::Millis(5)}),
            Payload(RateLimitReject{.cl_ord_id = 32, .action = OrderAction::kMassCancel,
                                    .retry_after = Duration::Millis(5)}));
  EXPECT_EQ(LastField(372), "q");
}

// A D as a third-party client (QuickFIX) would write it.
OutMessage ForeignOrder(std::string_view cl, std::string_view symbol, std::string_view qty,
                        std::string_view ord_type = "2", std::string_view price = "10.5") {
  OutMessage m(msg_type::kNewOrderSingle);
  m.Add(11, cl).Add(55, symbol).Add(54, "1").Add(60, "20240102-14:30:00.000").Add(38, qty);
  m.Add(40, ord_type);
  if (!price.empty()) m.Add(44, price);
  return m;
}

TEST_F(OrderEntryTest, VenueAcceptsAnyClOrdIdTextAndEchoesIt) {
  VenueDecoded d = VenueGets(ForeignOrder("ord-2024/01:a", "AAPL", "100"));
  ASSERT_TRUE(d.command);
  const ClOrdId x = std::get<NewOrder>(*d.command).cl_ord_id;
  EXPECT_EQ(std::get<NewOrder>(*d.command).price, Px("10.5"));
  std::vector<OutMessage> out;
  venue_.Encode(OrderAck{.cl_ord_id = x, .venue_order_id = kVid, .instrument = 1}, kNow, &out);
  ASSERT_EQ(out.size(), 1u);
  Message m;
  const std::string bytes(wire_.Pass(out[0]).raw());
  ASSERT_TRUE(m.Parse(bytes).ok());
  EXPECT_EQ(m.Get(11), "ord-2024/01:a");
  EXPECT_EQ(m.Get(55), "AAPL");
  EXPECT_EQ(m.Get(54), "1");
  EXPECT_EQ(m.Get(38), "100");
  EXPECT_EQ(m.Get(44), "10.5");
  // ExecIDs are unique within the session.
  venue_.Encode(OrderAck{.cl_ord_id = x, .venue_order_id = kVid, .instrument = 1}, kNow, &out);
  Message m2;
  const std::string second(wire_.Pass(out[1]).raw());
  ASSERT_TRUE(m2.Parse(second).ok());
  EXPECT_NE(m2.Get(17), m.Get(17));
}

TEST_F(OrderEntryTest, VenueIgnoresAResentOrderOrRequestItAlreadyProcessed) {
  OutMessage d, f, g;
  ASSERT_TRUE(client_.Encode(Buy(7, "10.5", 100), kNow, &d).ok());
  ASSERT_TRUE(client_.Encode(ReplaceOrder{.cl_ord_id = 8, .orig_cl_ord_id = 7, .instrument = 1,
                                          .price = Px("10.6"), .qty = Qty{100}},
                             kNow, &g).ok());
  ASSERT_TRUE(client_.Encode(CancelOrder{.cl_ord_id = 9, .orig_cl_ord_id = 8, .instrument = 1},
                             kNow, &f).ok());
  for (const OutMessage* m : {&d, &g, &f}) {
    VenueDecoded first;
    venue_.Decode(wire_.Pass(*m), kNow, &first);
    EXPECT_TRUE(first.command.has_value());
    // The same message resent (PossDupFlag=Y): no second order or request, and no reply.
    VenueDecoded again;
    venue_.Decode(wire_.Pass(*m, /*poss_dup=*/true), kNow, &again);
    EXPECT_FALSE(again.command.has_value()) << m->msg_type();
    EXPECT_TRUE(again.replies.empty()) << m->msg_type();
  }
  EXPECT_EQ(venue_.possdup_ignored(), 3u);
  // A resent order the venue never saw (lost before it arrived) is a new order.
  OutMessage fresh;
  ASSERT_TRUE(client_.Encode(Buy(10, "10.4", 100), kNow, &fresh).ok());
  VenueDecoded d10;
  venue_.Decode(wire_.Pass(fresh, /*poss_dup=*/true), kNow, &d10);
  EXPECT_TRUE(d10.command.has_value());
  // Without PossDupFlag a repeated ClOrdID is still a duplicate order, rejected.
  VenueDecoded dup;
  venue_.Decode(wire_.Pass(d), kNow, &dup);
  EXPECT_FALSE(dup.command.has_value());
  ASSERT_EQ(dup.replies.size(), 1u);
}

TEST_F(OrderEntryTest, VenueRejectsBadFieldsWithAClearText) {
  struct Case {
    OutMessage msg;
    std::string reason;  // 103
    std::string text_part;
  };
  std::vector<Case> cases;
  cases.push_back({ForeignOrder("901", "MSFT", "100"), "1", "unknown symbol 'MSFT'"});
  cases.push_back({ForeignOrder("902", "AAPL", "1.5"), "13", "OrderQty"});
  cases.push_back({ForeignOrder("903", "AAPL", "0"), "13", "must be positive"});
  cases.push_back({ForeignOrder("904", "AAPL", "100", "P"), "99", "OrdType"});
  cases.push_back({ForeignOrder("905", "AAPL", "100", "2", "1e5"), "99", "Price"});
  cases.push_back({ForeignOrder("906", "BTCUSD", "0.123456789"), "13", "OrderQty"});
  for (Case& c : cases) {
    VenueDecoded d = VenueGets(c.msg);
    EXPECT_FALSE(d.command);
    ASSERT_EQ(d.replies.size(), 1u);
    Message m;
    const std::string bytes(wire_.Pass(d.replies[0]).raw());
    ASSERT_TRUE(m.Parse(bytes).ok());
    EXPECT_EQ(m.Get(35), "8");
    EXPECT_EQ(m.Get(150), "8");
    EXPECT_EQ(m.Get(39), "8");
    EXPECT_EQ(m.Get(103), c.reason) << bytes;
    EXPECT_NE(m.Get(58).find(c.text_part), std::string_view::npos) << m.Get(58);
    // The client decodes them as OrderRejects.
    ClientOrderEntry client(Instruments());
    std::vector<Payload> got;
    ASSERT_TRUE(client.Decode(m, &got).ok());
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<OrderReject>(got[0]));
  }
  // A duplicate ClOrdID.
  ASSERT_TRUE(VenueGets(ForeignOrder("dup", "AAPL", "1")).command);
  VenueDecoded d = VenueGets(ForeignOrder("dup", "AAPL", "1"));
  EXPECT_FALSE(d.command);
  ASSERT_EQ(d.replies.size(), 1u);
  Message m;
  const std::string bytes(wire_.Pass(d.replies[0]).raw());
  ASSERT_TRUE(m.Parse(bytes).ok());
  EXPECT_EQ(m.Get(103), "6");
  // An unsupported message type gets a BusinessMessageReject.
  OutMessage news("B");
  news.Add(148, "headline");
  d = VenueGets(news);
  ASSERT_EQ(d.replies.size(), 1u);
  EXPECT_EQ(d.replies[0].msg_type(), "j");
}

TEST_F(OrderEntryTest, ClientMapsNonNumericExecIdsToSequentialIds) {
  OutMessage er(msg_type::kExecutionReport);
  er.Add(37, "X1").Add(11, "5").Add(17, "T-abc").Add(150, "F").Add(39, "1").Add(55, "AAPL");
  er.Add(54, "1").Add(38, "10").Add(32, "3").Add(31, "1.5").Add(151, "7").Add(14, "3");
  er.Add(6, "1.5");
  std::vector<Payload> got;
  // 37 must be numeric for the client: it is the venue order id.
  EXPECT_FALSE(client_.Decode(wire_.Pass(er), &got).ok());
  er.Reset(msg_type::kExecutionReport);
  er.Add(37, "12").Add(11, "5").Add(17, "T-abc").Add(150, "F").Add(39, "1").Add(55, "AAPL");
  er.Add(54, "1").Add(38, "10").Add(32, "3").Add(31, "1.5").Add(151, "7").Add(14, "3");
  er.Add(6, "1.5").Add(60, "20240102-14:30:00.250");
  ASSERT_TRUE(client_.Decode(wire_.Pass(er), &got).ok());
  ASSERT_TRUE(client_.Decode(wire_.Pass(er), &got).ok());
  ASSERT_EQ(got.size(), 2u);
  const Fill& f = std::get<Fill>(got[0]);
  EXPECT_EQ(f.exec_id, kNonNumericExecIdBase + 1);
  EXPECT_EQ(std::get<Fill>(got[1]).exec_id, f.exec_id);  // same text, same id
  EXPECT_EQ(f.cl_ord_id, 5u);
  EXPECT_EQ(f.venue_order_id, 12u);
  EXPECT_EQ(f.price, Px("1.5"));
  EXPECT_EQ(f.qty, Qty{3});
  EXPECT_EQ(f.exchange_ts.ns, 1'704'205'800'250'000'000);
}

TEST_F(OrderEntryTest, ClientRefusesWhatItCannotEncode) {
  OutMessage out;
  EXPECT_TRUE(client_.Encode(Buy(1, "1", 1), kNow, &out).ok());
  NewOrder bad = Buy(2, "1", 1);
  bad.instrument = 9;
  EXPECT_FALSE(client_.Encode(bad, kNow, &out).ok());
  EXPECT_FALSE(
      client_.Encode(CancelOrder{.cl_ord_id = 3, .orig_cl_ord_id = 99, .instrument = 1}, kNow,
                     &out)
          .ok());
  EXPECT_FALSE(client_.Encode(StatusRequest{}, kNow, &out).ok());
  EXPECT_FALSE(client_.Encode(Annotation{.text = "x"}, kNow, &out).ok());
}

}  // namespace
}  // namespace td::fix
