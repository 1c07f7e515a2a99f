// OrderManager::AnyAwaitingVenue keeps a count instead of walking the open orders: random
// sequences of orders, cancels, replaces, venue answers (in and out of order, for old ids,
// duplicates) and disconnects, checked after every step against the walk it replaces.
#include <gtest/gtest.h>

#include <vector>

#include "core/rng.h"
#include "engine/order_manager.h"

// Designated initializers leave the defaulted members out on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace td::engine::internal {
namespace {

bool WalkAwaiting(OrderManager& om) {
  for (const OrderRecord* r : om.Open(0)) {
    if (r->s.cancel_pending || r->s.replace_pending || r->unknown_state) return true;
  }
  return false;
}

Payload RandomVenueMessage(Rng& rng, ClOrdId id, ClOrdId orig, uint64_t* exec_id) {
  const Qty qty{rng.UniformInt(0, 10)};
  const Qty leaves{rng.UniformInt(0, 10)};
  switch (rng.UniformBelow(9)) {
    case 0:
      return OrderAck{.cl_ord_id = id, .venue_order_id = 9, .instrument = 1};
    case 1:
      return OrderReject{.cl_ord_id = id, .instrument = 1};
    case 2:
      return Fill{.cl_ord_id = id, .exec_id = rng.Bernoulli(1, 8) ? *exec_id : ++*exec_id,
                  .instrument = 1, .side = Side::kBuy, .price = Price{100}, .qty = qty,
                  .cum_qty = Qty{rng.UniformInt(0, 10)}, .leaves_qty = leaves};
    case 3:
      return CancelAck{.cl_ord_id = id, .orig_cl_ord_id = orig};
    case 4:
      return CancelReject{
          .cl_ord_id = id, .orig_cl_ord_id = orig,
          .response_to = rng.Bernoulli(1, 2) ? CancelRejectOf::kCancel : CancelRejectOf::kReplace,
          .reason = static_cast<RejectReason>(rng.UniformInt(0, 5))};
    case 5:
      return ReplaceAck{.cl_ord_id = id, .orig_cl_ord_id = orig, .price = Price{101},
                        .qty = Qty{rng.UniformInt(1, 10)}, .leaves_qty = leaves};
    case 6:
      return OrderExpired{.cl_ord_id = id};
    case 7:
      return OrderStatusReport{.cl_ord_id = id, .instrument = 1, .side = Side::kBuy,
                               .status = static_cast<OrdStatus>(rng.UniformInt(1, 11)),
                               .price = Price{100}, .order_qty = Qty{10},
                               .cum_qty = Qty{rng.UniformInt(0, 10)}, .leaves_qty = leaves,
                               .avg_price = Price{100}};
    default:
      return RateLimitReject{.cl_ord_id = id,
                             .action = static_cast<OrderAction>(rng.UniformInt(1, 3))};
  }
}

TEST(OrderManagerAwaiting, CountAgreesWithAWalkOfTheOpenOrders) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    Rng rng(seed);
    OrderManager om;
    ClOrdId next_id = 1;
    uint64_t exec_id = 0;
    std::vector<ClOrdId> sent;  // every id sent (order, cancel and replace ids)
    Timestamp now;
    for (int step = 0; step < 3000; ++step) {
      now = now + Duration::Nanos(1);
      const uint64_t what = rng.UniformBelow(10);
      const std::vector<OrderRecord*> open = om.Open(0);
      if (what < 2 || sent.empty()) {
        const NewOrder o{.cl_ord_id = next_id++, .instrument = 1, .side = Side::kBuy,
                         .price = Price{100}, .qty = Qty{10}};
        om.AddNew(o, now);
        sent.push_back(o.cl_ord_id);
      } else if (what == 2 && !open.empty()) {
        OrderRecord& r = *open[rng.UniformBelow(open.size())];
        om.AddCancel(r, next_id, now);
        sent.push_back(next_id++);
      } else if (what == 3 && !open.empty()) {
        OrderRecord& r = *open[rng.UniformBelow(open.size())];
        om.AddReplace(r, next_id, Price{101}, Qty{rng.UniformInt(1, 10)}, now);
        sent.push_back(next_id++);
      } else if (what == 4 && rng.Bernoulli(1, 20)) {
        om.MarkAllUnknown(now);
      } else {
        const ClOrdId id = sent[rng.UniformBelow(sent.size())];
        const ClOrdId orig = sent[rng.UniformBelow(sent.size())];
        (void)om.Apply(RandomVenueMessage(rng, id, orig, &exec_id), now);
      }
      ASSERT_EQ(om.AnyAwaitingVenue(), WalkAwaiting(om)) << "step " << step;
    }
  }
}

}  // namespace
}  // namespace td::engine::internal
