// OrderManager: FIX order states under venue races (see order_manager.h).
#include "engine/order_manager.h"

#include <algorithm>

namespace td::engine::internal {

namespace {

// One order's state, canonically (the per-order part of OrderManager::Digest).
void WriteOrder(ClOrdId key, const OrderRecord& r, DigestWriter* w) {
  const OrderState& s = r.s;
  // One word per field, as DigestWriter's U64 / I64 / Bool would write them; in one call, as
  // this runs for every order that closes (the done fold).
  const auto i64 = [](int64_t v) { return static_cast<uint64_t>(v); };
  const auto flag = [](bool b) -> uint64_t { return b ? 1 : 0; };
  const uint64_t words[] = {key,
                            s.cl_ord_id,
                            s.venue_order_id,
                            s.instrument,
                            static_cast<uint64_t>(s.side),
                            static_cast<uint64_t>(s.type),
                            static_cast<uint64_t>(s.tif),
                            i64(s.price.raw),
                            i64(s.order_qty.raw),
                            i64(s.cum_qty.raw),
                            i64(s.leaves_qty.raw),
                            i64(s.avg_price.raw),
                            static_cast<uint64_t>(s.status),
                            flag(s.cancel_pending),
                            flag(s.replace_pending),
                            i64(s.sent.ns),
                            i64(s.last_update.ns),
                            flag(r.acked),
                            flag(r.unknown_state),
                            flag(r.flatten),
                            r.cancel_req_id,
                            r.replace_req_id,
                            i64(r.replace_price.raw),
                            i64(r.replace_qty.raw)};
  w->U64s(words);
  // Only while replaces are in flight, so that the digest of an order without any is what it
  // was before replaces were tracked.
  if (!r.replaces.empty()) {
    w->U64(r.replaces.size());
    for (const OrderRecord::SentReplace& x : r.replaces) {
      w->U64(x.id);
      w->I64(x.price.raw);
      w->I64(x.qty.raw);
    }
  }
}

// An order-dependent combination (boost::hash_combine's, widened to 64 bits).
uint64_t Combine(uint64_t seed, uint64_t v) {
  return seed ^ (v + 0x9e3779b97f4a7c15ULL + (seed << 12) + (seed >> 4));
}

}  // namespace

bool IsTerminal(OrdStatus s) {
  return s == OrdStatus::kFilled || s == OrdStatus::kCanceled || s == OrdStatus::kRejected ||
         s == OrdStatus::kExpired || s == OrdStatus::kReplaced;
}

void OrderManager::Alias(ClOrdId id, uint32_t index) {
  if (ids_.Find(id) != kIdIndexNone) ids_.Erase(id);
  ids_.Insert(id, index);
}

bool OrderManager::AwaitingVenue(const OrderRecord& r) {
  return !IsTerminal(r.s.status) && (r.s.cancel_pending || r.s.replace_pending || r.unknown_state);
}

void OrderManager::Recount(OrderRecord& r) {
  const bool awaiting = AwaitingVenue(r);
  if (awaiting == r.counted_awaiting) return;
  r.counted_awaiting = awaiting;
  if (awaiting) {
    ++awaiting_count_;
  } else {
    TD_CHECK(awaiting_count_ > 0);
    --awaiting_count_;
  }
}

OrderRecord& OrderManager::AddNew(const NewOrder& o, Timestamp now) {
  TD_CHECK(ids_.Find(o.cl_ord_id) == kIdIndexNone);
  uint32_t index;
  if (free_records_.empty()) {
    index = records_.Add();
  } else {
    index = free_records_.back();
    free_records_.pop_back();
    records_[index] = OrderRecord{};
  }
  OrderRecord& r = records_[index];
  r.s.cl_ord_id = o.cl_ord_id;
  r.s.orig_cl_ord_id = o.cl_ord_id;
  r.s.instrument = o.instrument;
  r.s.side = o.side;
  r.s.type = o.type;
  r.s.tif = o.tif;
  r.s.price = o.price;
  r.s.order_qty = o.qty;
  r.s.leaves_qty = o.qty;
  r.s.status = OrdStatus::kPendingNew;
  r.s.sent = now;
  r.s.last_update = now;
  r.ids.push_back(o.cl_ord_id);
  ids_.Insert(o.cl_ord_id, index);
  open_.insert(std::lower_bound(open_.begin(), open_.end(), o.cl_ord_id), o.cl_ord_id);
  return r;
}

void OrderManager::AddCancel(OrderRecord& r, ClOrdId cancel_id, Timestamp now) {
  r.cancel_req_id = cancel_id;
  r.s.cancel_pending = true;
  r.s.last_update = now;
  r.ids.push_back(cancel_id);
  Alias(cancel_id, ids_.Find(r.s.orig_cl_ord_id));
  Refresh(r);
  Recount(r);
}

void OrderManager::AddReplace(OrderRecord& r, ClOrdId replace_id, Price price, Qty qty,
                              Timestamp now) {
  r.replace_req_id = replace_id;
  r.replace_price = price;
  r.replace_qty = qty;
  r.replaces.push_back({replace_id, price, qty});
  r.s.replace_pending = true;
  r.s.last_update = now;
  r.ids.push_back(replace_id);
  Alias(replace_id, ids_.Find(r.s.orig_cl_ord_id));
  Refresh(r);
  Recount(r);
}

OrderRecord* OrderManager::Find(ClOrdId any_id) {
  const uint32_t index = ids_.Find(any_id);
  return index == kIdIndexNone ? nullptr : &records_[index];
}

const OrderRecord* OrderManager::Find(ClOrdId any_id) const {
  return const_cast<OrderManager*>(this)->Find(any_id);
}

void OrderManager::Refresh(OrderRecord& r) {
  if (IsTerminal(r.s.status)) return;
  if (r.unknown_state) {
    r.s.status = OrdStatus::kUnknown;
  } else if (r.s.replace_pending) {
    r.s.status = OrdStatus::kPendingReplace;
  } else if (r.s.cancel_pending) {
    r.s.status = OrdStatus::kPendingCancel;
  } else if (r.s.cum_qty.raw > 0) {
    r.s.status = OrdStatus::kPartiallyFilled;
  } else {
    r.s.status = r.acked ? OrdStatus::kNew : OrdStatus::kPendingNew;
  }
}

void OrderManager::Close(OrderRecord& r, OrdStatus status, Timestamp now) {
  const bool was_open = !IsTerminal(r.s.status);
  r.s.status = status;
  r.s.leaves_qty = Qty{0};
  r.s.cancel_pending = false;
  r.s.replace_pending = false;
  r.unknown_state = false;
  r.s.last_update = now;
  if (was_open) {
    auto open = std::lower_bound(open_.begin(), open_.end(), r.s.orig_cl_ord_id);
    TD_CHECK(open != open_.end() && *open == r.s.orig_cl_ord_id);
    open_.erase(open);
    closed_fifo_.push_back(r.s.orig_cl_ord_id);
    Prune();
  }
}

void OrderManager::Prune() {
  while (closed_fifo_.size() > kMaxClosedOrders) {
    const ClOrdId key = closed_fifo_.front();
    closed_fifo_.pop_front();
    const uint32_t index = ids_.Find(key);
    if (index == kIdIndexNone || records_[index].s.orig_cl_ord_id != key) continue;
    records_[index].ids.ForEach([&](ClOrdId id) {
      if (ids_.Find(id) != kIdIndexNone) ids_.Erase(id);
    });
    free_records_.push_back(index);
  }
}

Applied OrderManager::ApplyFill(const Fill& f, Timestamp now) {
  Applied a;
  if (seen_exec_.count(f.exec_id) != 0) {
    a.duplicate = true;
    a.order = Find(f.cl_ord_id);
    return a;
  }
  seen_exec_.insert(f.exec_id);
  exec_fifo_.push_back(f.exec_id);
  exec_fold_ = Combine(exec_fold_, f.exec_id);
  while (exec_fifo_.size() > kMaxSeenExecIds) {
    seen_exec_.erase(exec_fifo_.front());
    exec_fifo_.pop_front();
  }
  a.instrument = f.instrument;
  a.side = f.side;
  a.fill_qty = f.qty;
  a.fill_price = f.price;
  a.fee = f.fee;
  a.position_fill = true;
  OrderRecord* r = Find(f.cl_ord_id);
  a.order = r;
  if (r == nullptr) return a;  // unknown order: positions still take it
  a.instrument = r->s.instrument;
  a.side = r->s.side;
  if (f.cum_qty.raw > 0 && f.cum_qty <= r->s.cum_qty) {
    // Already counted through a status report: state is current, positions must not move.
    a.position_fill = false;
    a.fee = Money{0};
    return a;
  }
  const Qty prev_cum = r->s.cum_qty;
  r->s.cum_qty += f.qty;
  const __int128 num = static_cast<__int128>(r->s.avg_price.raw) * prev_cum.raw +
                       static_cast<__int128>(f.price.raw) * f.qty.raw;
  if (r->s.cum_qty.raw > 0) r->s.avg_price = Price{static_cast<int64_t>(num / r->s.cum_qty.raw)};
  r->acked = true;  // a fill implies the venue accepted the order
  if (f.venue_order_id != 0) r->s.venue_order_id = f.venue_order_id;
  r->s.last_update = now;
  if (IsTerminal(r->s.status)) return a;  // e.g. a fill racing a cancel ack: cum only
  r->s.leaves_qty = f.leaves_qty;
  if (f.leaves_qty.raw <= 0) {
    Close(*r, OrdStatus::kFilled, now);
  } else {
    Refresh(*r);
  }
  return a;
}

bool OrderManager::MoveToReplace(OrderRecord& r, ClOrdId id) {
  auto it = std::find_if(r.replaces.begin(), r.replaces.end(),
                         [id](const OrderRecord::SentReplace& x) { return x.id == id; });
  if (it == r.replaces.end()) return false;
  r.s.cl_ord_id = it->id;
  r.s.price = it->price;
  r.s.order_qty = it->qty;
  r.replaces.erase(r.replaces.begin(), it + 1);
  if (id == r.replace_req_id) r.s.replace_pending = false;
  return true;
}

void OrderManager::DropReplace(OrderRecord& r, ClOrdId id) {
  std::erase_if(r.replaces, [id](const OrderRecord::SentReplace& x) { return x.id == id; });
}

Applied OrderManager::ApplyStatus(const OrderStatusReport& rep, Timestamp now) {
  Applied a;
  OrderRecord* r = Find(rep.cl_ord_id);
  a.order = r;
  if (r == nullptr) return a;
  r->s.last_update = now;
  if (rep.venue_order_id != 0) r->s.venue_order_id = rep.venue_order_id;
  if (rep.cum_qty > r->s.cum_qty) {
    // Fills we missed while the session was down: the difference, at the implied price.
    const Qty delta = rep.cum_qty - r->s.cum_qty;
    const __int128 num = static_cast<__int128>(rep.avg_price.raw) * rep.cum_qty.raw -
                         static_cast<__int128>(r->s.avg_price.raw) * r->s.cum_qty.raw;
    a.position_fill = true;
    a.instrument = r->s.instrument;
    a.side = r->s.side;
    a.fill_qty = delta;
    a.fill_price = Price{static_cast<int64_t>(num / delta.raw)};
    r->s.cum_qty = rep.cum_qty;
    r->s.avg_price = rep.avg_price;
    r->acked = true;
  }
  if (IsTerminal(r->s.status)) return a;
  const ClOrdId id = rep.cl_ord_id;
  switch (rep.status) {
    case OrdStatus::kFilled:
    case OrdStatus::kCanceled:
    case OrdStatus::kRejected:
    case OrdStatus::kExpired:
      // Done under whichever id of the chain: any later replace can only be rejected.
      r->unknown_state = false;
      Close(*r, rep.status, now);
      return a;
    case OrdStatus::kUnknown:
      if (id == r->s.orig_cl_ord_id && r->s.cl_ord_id == id) {
        // The venue never saw the order (or forgot it): it is not working.
        r->unknown_state = false;
        Close(*r, r->s.cum_qty.raw > 0 ? OrdStatus::kCanceled : OrdStatus::kRejected, now);
        return a;
      }
      DropReplace(*r, id);  // a replace that never took effect
      if (id == r->s.cl_ord_id) {
        // We moved to it on a "replaced" answer, but the replace after it is what took
        // effect (the reject of this one was still on its way): move on and ask again.
        r->unknown_state = true;
        a.need_status = !r->replaces.empty() && MoveToReplace(*r, r->replaces.front().id);
      }
      Refresh(*r);
      return a;
    case OrdStatus::kReplaced:
      // The id asked about was replaced: the order lives on under the first replace sent
      // after it that was not rejected. Move to it if it is still pending (its ack lost or
      // on its way) and ask about it; the order stays unknown, so nothing is sent for it,
      // until a report about its current id.
      r->unknown_state = true;
      if (id == r->s.cl_ord_id && !r->replaces.empty()) {
        MoveToReplace(*r, r->replaces.front().id);
      }
      a.need_status = id != r->s.cl_ord_id;
      Refresh(*r);
      return a;
    default:
      break;
  }
  // A working order. A report about a pending replace means that replace took effect.
  MoveToReplace(*r, id);
  if (id != r->s.cl_ord_id) {
    // About an id the order has moved past: it says nothing of now. Ask about the current one.
    r->unknown_state = true;
    a.need_status = true;
    Refresh(*r);
    return a;
  }
  r->unknown_state = false;
  r->acked = true;
  r->s.price = rep.price;
  if (rep.order_qty.raw > 0) r->s.order_qty = rep.order_qty;
  r->s.leaves_qty = rep.leaves_qty;
  // Requests in flight at the disconnect are presumed lost; the owner may send them again.
  // (A late answer to a replace still matches r->replaces.)
  r->s.cancel_pending = false;
  r->s.replace_pending = false;
  Refresh(*r);
  return a;
}

Applied OrderManager::Apply(const Payload& in, Timestamp now) {
  Applied a = ApplyVenue(in, now);
  if (a.order != nullptr) Recount(*a.order);
  if (a.order != nullptr && IsTerminal(a.order->s.status)) {
    fold_writer_.Reset();
    WriteOrder(a.order->s.orig_cl_ord_id, *a.order, &fold_writer_);
    done_fold_ = Combine(done_fold_, fold_writer_.Hash());
  }
  return a;
}

Applied OrderManager::ApplyVenue(const Payload& in, Timestamp now) {
  Applied a;
  if (const auto* ack = std::get_if<OrderAck>(&in)) {
    OrderRecord* r = a.order = Find(ack->cl_ord_id);
    if (r == nullptr) return a;
    r->acked = true;
    if (ack->venue_order_id != 0) r->s.venue_order_id = ack->venue_order_id;
    r->s.last_update = now;
    Refresh(*r);
  } else if (const auto* rej = std::get_if<OrderReject>(&in)) {
    OrderRecord* r = a.order = Find(rej->cl_ord_id);
    if (r != nullptr && !IsTerminal(r->s.status)) Close(*r, OrdStatus::kRejected, now);
  } else if (const auto* f = std::get_if<Fill>(&in)) {
    return ApplyFill(*f, now);
  } else if (const auto* ca = std::get_if<CancelAck>(&in)) {
    OrderRecord* r = a.order = Find(ca->orig_cl_ord_id);
    if (r == nullptr) r = a.order = Find(ca->cl_ord_id);
    if (r == nullptr) return a;
    r->s.cancel_pending = false;
    if (!IsTerminal(r->s.status)) {
      Close(*r, OrdStatus::kCanceled, now);
    }
  } else if (const auto* cr = std::get_if<CancelReject>(&in)) {
    OrderRecord* r = a.order = Find(cr->orig_cl_ord_id);
    if (r == nullptr) r = a.order = Find(cr->cl_ord_id);
    if (r == nullptr) return a;
    if (cr->response_to == CancelRejectOf::kCancel) {
      r->s.cancel_pending = false;
    } else {
      r->s.replace_pending = false;
      DropReplace(*r, cr->cl_ord_id);
    }
    r->s.last_update = now;
    if (!IsTerminal(r->s.status) && cr->reason == RejectReason::kUnknownOrder) {
      r->unknown_state = true;  // we think it works, the venue does not know it
      a.need_status = true;
    } else if (!IsTerminal(r->s.status) && cr->reason == RejectReason::kTooLateToCancel) {
      // Too late: the venue says the order is done (or, under a fault, busy) while we think it
      // is open; its done message may have been lost. Ask, rather than cancel it forever.
      a.need_status = true;
    }
    Refresh(*r);
  } else if (const auto* ra = std::get_if<ReplaceAck>(&in)) {
    OrderRecord* r = a.order = Find(ra->orig_cl_ord_id);
    if (r == nullptr) r = a.order = Find(ra->cl_ord_id);
    if (r == nullptr) return a;
    // Only an ack of a replace still in the chain counts. A duplicate of an ack already
    // applied, or a late ack of a replace the order has moved past, would put back an old id
    // and leaves quantity, and clear the pending flag of a later replace.
    if (IsTerminal(r->s.status)) {
      r->s.replace_pending = false;
      return a;
    }
    if (!MoveToReplace(*r, ra->cl_ord_id)) return a;
    r->acked = true;
    if (ra->venue_order_id != 0) r->s.venue_order_id = ra->venue_order_id;
    r->s.price = ra->price;
    r->s.order_qty = ra->qty;
    r->s.leaves_qty = ra->leaves_qty;
    r->s.last_update = now;
    // A fill that crossed the replace can leave nothing: the new qty is already done.
    if (ra->qty <= r->s.cum_qty || ra->leaves_qty.raw <= 0) {
      Close(*r, OrdStatus::kFilled, now);
    } else {
      Refresh(*r);
    }
  } else if (const auto* ex = std::get_if<OrderExpired>(&in)) {
    OrderRecord* r = a.order = Find(ex->cl_ord_id);
    if (r != nullptr && !IsTerminal(r->s.status)) Close(*r, OrdStatus::kExpired, now);
  } else if (const auto* rep = std::get_if<OrderStatusReport>(&in)) {
    return ApplyStatus(*rep, now);
  } else if (const auto* rl = std::get_if<RateLimitReject>(&in)) {
    OrderRecord* r = a.order = Find(rl->cl_ord_id);
    if (r == nullptr || IsTerminal(r->s.status)) return a;
    if (rl->action == OrderAction::kNew && !r->acked) {
      Close(*r, OrdStatus::kRejected, now);
    } else if (rl->action == OrderAction::kCancel) {
      r->s.cancel_pending = false;
    } else if (rl->action == OrderAction::kReplace) {
      r->s.replace_pending = false;
      DropReplace(*r, rl->cl_ord_id);
    }
    Refresh(*r);
  }
  return a;
}

void OrderManager::MarkAllUnknown(Timestamp now) {
  for (OrderRecord* r : Open(0)) {
    r->unknown_state = true;
    r->s.last_update = now;
    Refresh(*r);
    Recount(*r);
  }
}

std::vector<OrderRecord*> OrderManager::Open(InstrumentId instrument) {
  std::vector<OrderRecord*> out;
  out.reserve(open_.size());
  for (ClOrdId key : open_) {
    OrderRecord& r = Record(key);
    if (instrument != 0 && r.s.instrument != instrument) continue;
    out.push_back(&r);
  }
  return out;
}

std::vector<const OrderRecord*> OrderManager::Open(InstrumentId instrument) const {
  std::vector<const OrderRecord*> out;
  for (OrderRecord* r : const_cast<OrderManager*>(this)->Open(instrument)) out.push_back(r);
  return out;
}

size_t OrderManager::open_count() const { return open_.size(); }

int64_t OrderManager::OpenLeaves(InstrumentId instrument, Side side) const {
  int64_t leaves = 0;
  for (ClOrdId key : open_) {
    const OrderState& s = Record(key).s;
    if ((instrument == 0 || s.instrument == instrument) && s.side == side) {
      leaves += s.leaves_qty.raw;
    }
  }
  return leaves;
}

void OrderManager::Digest(DigestWriter* w) const {
  w->U64(records_.size() - free_records_.size());
  w->U64(open_.size());
  for (ClOrdId key : open_) WriteOrder(key, Record(key), w);
  w->U64(done_fold_);
  w->U64(exec_fifo_.size());
  w->U64(exec_fold_);
}

}  // namespace td::engine::internal
