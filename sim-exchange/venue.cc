// SimVenue: see venue.h for the semantics. Book events are translated into replies in the
// order the book emitted them; every reply about one of our orders goes through TranslateAll.
#include "sim-exchange/venue.h"

#include <algorithm>
#include <string>
#include <utility>

#include "core/check.h"
#include "core/digest_writer.h"
#include "core/id_index.h"

namespace td::sim {
namespace {

// A plain limit order spec (OrderSpec has members without defaults, so no designated init).
OrderSpec LimitSpec(VenueOrderId id, ParticipantId owner, Side side, TimeInForce tif, Price price,
                    Qty qty) {
  OrderSpec spec;
  spec.id = id;
  spec.owner = owner;
  spec.side = side;
  spec.tif = tif;
  spec.price = price;
  spec.qty = qty;
  return spec;
}

OrderStatusReport UnknownReport(ClOrdId cl_ord_id, uint64_t mass_status_id) {
  OrderStatusReport r;
  r.cl_ord_id = cl_ord_id;
  r.status = OrdStatus::kUnknown;
  r.mass_status_id = mass_status_id;
  r.last_report = true;
  return r;
}

bool IsDone(OrdStatus s) {
  return s == OrdStatus::kFilled || s == OrdStatus::kCanceled || s == OrdStatus::kExpired ||
         s == OrdStatus::kRejected;
}

}  // namespace

struct SimVenue::Impl {
  struct Instrument {
    InstrumentDef def;
    OrderBook book;
    bool has_l3 = false;
    std::optional<SlippageModel> slippage;
    Timestamp slippage_ts = Timestamp::Min();
    std::optional<PriceLevel> bid{}, ask{};           // the touch (quote-only mode)
    std::map<int64_t, int64_t> l2_bids{}, l2_asks{};  // price raw -> qty raw, from L2Update
  };
  struct Order {
    ClOrdId cl_ord_id = 0;
    VenueOrderId venue_order_id = 0;
    InstrumentId instrument = 0;
    Side side = Side::kNone;
    TimeInForce tif = TimeInForce::kDay;
    OrdStatus status = OrdStatus::kPendingNew;
    Price price{};
    Qty order_qty{}, cum_qty{}, leaves_qty{};
    __int128 px_qty_sum = 0;      // sum of price.raw * qty.raw over fills
    bool end_unreported = false;  // canceled on disconnect; told at the next mass status
  };
  struct ClEntry {
    ClOrdId cl_ord_id = 0;
    VenueOrderId venue_order_id = 0;
    bool current = true;  // false: replaced by a later ClOrdId
  };
  // How the events of one operation are to be reported.
  struct Context {
    Timestamp now{};
    std::vector<Payload>* out = nullptr;
    ClOrdId cancel_request_id = 0;  // kRequested / kMassCancel cancels: CancelAck
    bool silent = false;            // cancels go to `out` with cl_ord_id 0, unreported
    ClOrdId replace_cl_ord_id = 0;  // kReplaced: ReplaceAck
    Qty replace_order_qty{};
  };

  VenueConfig config;
  std::map<InstrumentId, Instrument> instruments;  // fixed after Create
  // The instrument last looked up by FindInstrument (nullptr before the first): a feed names
  // the same instrument event after event, and a std::map never moves its elements.
  Instrument* last_instrument = nullptr;
  std::optional<FeeSchedule> fees;
  std::optional<RateLimiter> limiter;
  std::optional<VenueFaults> faults;
  Rng rng;
  // Ours, by venue id: kOurVenueIdBase + n is orders[n - 1] (ids are given in arrival order,
  // and an order is never removed), so a lookup is an index, not a tree walk.
  std::vector<Order> orders;
  // Every ClOrdId of ours, in arrival order (never removed), found through cl_index: a
  // lookup on every command and status look, where a tree walk cost more than the venue's
  // other work. StateDigest sorts a copy by ClOrdId. ClOrdIds are counted out (by the
  // engine, or by the FIX order entry that interns a client's ClOrdID texts).
  std::vector<ClEntry> cl_ids;
  IdIndex cl_index{1024, IdKeys::kSequential};
  uint64_t next_order_n = 1;
  uint64_t next_synthetic_n = 1;
  ExecId next_exec_id = 1;
  VenueCounters counters;
  // The book's events of one operation (OnL3, OnTradePrint, PlaceSyntheticLiquidity, DoNew,
  // DoCancel, DoReplace), kept so that the hot paths do not allocate: BookEvents() clears it
  // for each operation, and none of them nests another (TranslateAll never calls back into a
  // book; DoNew takes it only after PlaceSyntheticLiquidity is done with it).
  std::vector<BookEvent> book_events;
  // DoNew's removal of unused synthetic liquidity, whose events nobody reads, made while
  // book_events still holds the new order's events.
  std::vector<BookEvent> discarded_events;

  explicit Impl(uint64_t seed) : rng(seed) {}
  Instrument* FindInstrument(InstrumentId id) {
    if (last_instrument != nullptr && last_instrument->def.id == id) return last_instrument;
    const auto it = instruments.find(id);
    if (it == instruments.end()) return nullptr;
    last_instrument = &it->second;
    return last_instrument;
  }
  // Without remembering the instrument found.
  const Instrument* FindInstrument(InstrumentId id) const {
    if (last_instrument != nullptr && last_instrument->def.id == id) return last_instrument;
    const auto it = instruments.find(id);
    return it == instruments.end() ? nullptr : &it->second;
  }
  // REQUIRES: a known instrument (the one of an order of ours).
  Instrument& InstrumentOf(InstrumentId id) {
    Instrument* in = FindInstrument(id);
    TD_CHECK_MSG(in != nullptr, "an instrument the venue does not know");
    return *in;
  }
  std::vector<BookEvent>& BookEvents() {
    book_events.clear();
    return book_events;
  }

  // ---- market data
  void OnL3(const L3Order& m, Timestamp now, std::vector<Payload>* out);
  // L1Quote, L2Snapshot, L2Update and Trade: the quote-only mode.
  void OnQuoteData(const Event& md, std::vector<Payload>* out);
  void OnQuoteChange(Instrument& in, Timestamp ts);
  void OnTradePrint(Instrument& in, const Trade& t, Timestamp now, std::vector<Payload>* out);
  // ---- commands
  CommandResult Admit(const Event& cmd, std::vector<Payload>* out);
  void Execute(const Event& cmd, std::vector<Payload>* out);
  void DoNew(const NewOrder& c, Timestamp now, std::vector<Payload>* out);
  void DoCancel(const CancelOrder& c, Timestamp now, std::vector<Payload>* out);
  void DoReplace(const ReplaceOrder& c, Timestamp now, std::vector<Payload>* out);
  void DoStatus(const StatusRequest& c, std::vector<Payload>* out);
  void DoMassCancel(const MassCancel& c, Timestamp now, std::vector<Payload>* out);
  // Places synthetic liquidity for an aggressive order on a quote-only instrument; returns
  // its id, or 0 when none was placed.
  // An older order of ours that the quote moved through may fill against it (to `out`).
  VenueOrderId PlaceSyntheticLiquidity(Instrument& in, const NewOrder& c, Timestamp now,
                                       std::vector<Payload>* out);
  // ---- translation
  // Most events of the historical flow concern neither our orders nor the counters (a
  // market order accepted, canceled or filled by the market): the loop only picks out the
  // others, and Translate, out of line, handles them.
  void TranslateAll(Instrument& in, const std::vector<BookEvent>& events, const Context& ctx) {
    for (const BookEvent& e : events) {
      if (e.owner == kSession || e.maker_owner == kSession || e.kind == BookEventKind::kRejected) {
        Translate(in, e, ctx);
      }
    }
  }
  void Translate(Instrument& in, const BookEvent& e, const Context& ctx);
  void OurFill(Instrument& in, VenueOrderId id, Price price, Qty qty, Liquidity liq,
               const Context& ctx);
  void OurCancel(const BookEvent& e, const Context& ctx);
  OrderStatusReport Report(const Order& o, uint64_t mass_status_id) const;
  Order* FindByCl(ClOrdId cl, bool* replaced);
  ClEntry* FindCl(ClOrdId cl) {
    const uint32_t i = cl_index.Find(cl);
    return i == kIdIndexNone ? nullptr : &cl_ids[i];
  }
  const ClEntry* FindCl(ClOrdId cl) const { return const_cast<Impl*>(this)->FindCl(cl); }
  // REQUIRES: `cl` not yet known.
  void AddCl(ClOrdId cl, VenueOrderId venue_order_id) {
    cl_index.Insert(cl, static_cast<uint32_t>(cl_ids.size()));
    cl_ids.push_back({.cl_ord_id = cl, .venue_order_id = venue_order_id, .current = true});
  }
  // REQUIRES: `id` is the venue id of an order of ours.
  Order& OrderOf(VenueOrderId id) {
    TD_CHECK_MSG(id > kOurVenueIdBase && id - kOurVenueIdBase <= orders.size(),
                 "an order of ours the venue does not know");
    return orders[id - kOurVenueIdBase - 1];
  }
  const Order& OrderOf(VenueOrderId id) const { return const_cast<Impl*>(this)->OrderOf(id); }
};

// ---------------------------------------------------------------- translation

void SimVenue::Impl::OurFill(Instrument& in, VenueOrderId id, Price price, Qty qty, Liquidity liq,
                             const Context& ctx) {
  Order& o = OrderOf(id);
  TD_CHECK(qty.raw > 0 && qty <= o.leaves_qty);
  o.cum_qty += qty;
  o.leaves_qty -= qty;
  o.px_qty_sum += static_cast<__int128>(price.raw) * qty.raw;
  o.status = o.leaves_qty.raw == 0 ? OrdStatus::kFilled : OrdStatus::kPartiallyFilled;
  Fill f;
  f.cl_ord_id = o.cl_ord_id;
  f.venue_order_id = o.venue_order_id;
  f.exec_id = next_exec_id++;
  f.instrument = o.instrument;
  f.side = o.side;
  f.price = price;
  f.qty = qty;
  f.cum_qty = o.cum_qty;
  f.leaves_qty = o.leaves_qty;
  f.liquidity = liq;
  f.fee = fees->FeeFor(liq, price, qty, in.def.qty_decimals);
  f.exchange_ts = ctx.now;
  ctx.out->push_back(f);
  ++counters.fills;
}

void SimVenue::Impl::OurCancel(const BookEvent& e, const Context& ctx) {
  Order& o = OrderOf(e.order_id);
  TD_CHECK(e.qty <= o.leaves_qty);
  o.leaves_qty -= e.qty;
  const bool requested = e.cause == CancelCause::kRequested || e.cause == CancelCause::kMassCancel;
  if (requested) {
    if (o.leaves_qty.raw == 0) o.status = OrdStatus::kCanceled;
    if (ctx.silent) {
      o.end_unreported = true;
      ++counters.silent_cancels;
      ctx.out->push_back(
          CancelAck{.cl_ord_id = 0, .orig_cl_ord_id = o.cl_ord_id, .canceled_qty = e.qty});
    } else {
      ctx.out->push_back(CancelAck{.cl_ord_id = ctx.cancel_request_id,
                                   .orig_cl_ord_id = o.cl_ord_id,
                                   .canceled_qty = e.qty});
    }
    return;
  }
  // Removed by the venue itself: IOC/FOK/market remainder, self-trade prevention, post-only
  // on a replace, end of day.
  if (o.leaves_qty.raw == 0) o.status = OrdStatus::kExpired;
  ctx.out->push_back(OrderExpired{.cl_ord_id = o.cl_ord_id, .expired_qty = e.qty});
  ++counters.expired;
}

void SimVenue::Impl::Translate(Instrument& in, const BookEvent& e, const Context& ctx) {
  switch (e.kind) {
    case BookEventKind::kFill:
      if (e.owner == kSession) {
        OurFill(in, e.order_id, e.price, e.qty, Liquidity::kTaker, ctx);
      }
      if (e.maker_owner == kSession) {
        OurFill(in, e.maker_id, e.price, e.qty, Liquidity::kMaker, ctx);
      }
      break;
    case BookEventKind::kCanceled:
      if (e.owner == kSession) OurCancel(e, ctx);
      break;
    case BookEventKind::kReplaced:
      if (e.owner == kSession && ctx.replace_cl_ord_id != 0) {
        Order& o = OrderOf(e.order_id);
        const ClOrdId orig = o.cl_ord_id;
        FindCl(orig)->current = false;
        AddCl(ctx.replace_cl_ord_id, o.venue_order_id);
        o.cl_ord_id = ctx.replace_cl_ord_id;
        o.price = e.price;
        o.order_qty = ctx.replace_order_qty;
        o.leaves_qty = e.qty;
        ctx.out->push_back(ReplaceAck{.cl_ord_id = o.cl_ord_id,
                                      .orig_cl_ord_id = orig,
                                      .venue_order_id = o.venue_order_id,
                                      .price = e.price,
                                      .qty = o.order_qty,
                                      .leaves_qty = o.leaves_qty});
      }
      break;
    case BookEventKind::kRejected:
      if (e.owner == kMarket) {
        if (e.reason == RejectReason::kUnknownOrder) {
          ++counters.historical_unknown_refs;
        } else {
          ++counters.historical_rejects;
        }
      }
      break;
    case BookEventKind::kAccepted:
    case BookEventKind::kTriggered:
      break;
  }
}

// ---------------------------------------------------------------- market data

void SimVenue::Impl::OnL3(const L3Order& m, Timestamp now, std::vector<Payload>* out) {
  Instrument* found = FindInstrument(m.instrument);
  if (found == nullptr) {
    ++counters.historical_unknown_refs;
    return;
  }
  Instrument& in = *found;
  in.has_l3 = true;
  // Our ids (and synthetic ones) are not the feed's: never let the feed move our orders.
  if (m.order_id >= kOurVenueIdBase ||
      (m.order_id == 0 && m.action != L3Action::kExecuteHidden && m.action != L3Action::kCross)) {
    ++counters.historical_unknown_refs;
    return;
  }
  std::vector<BookEvent>& events = BookEvents();
  switch (m.action) {
    case L3Action::kAdd:
      in.book.Submit(LimitSpec(m.order_id, kMarket, m.side, TimeInForce::kDay, m.price, m.qty), now,
                     &events);
      break;
    case L3Action::kModify:
      in.book.Replace(m.order_id, m.price, m.qty, now, &events);
      break;
    case L3Action::kCancel:
      in.book.Cancel(m.order_id, m.qty, &events);
      break;
    case L3Action::kDelete:
      in.book.Cancel(m.order_id, Qty{0}, &events);
      break;
    case L3Action::kExecute:
      in.book.ExecuteHistorical(m.order_id, m.qty, &events);
      break;
    case L3Action::kExecuteHidden:
    case L3Action::kCross:
      return;
  }
  TranslateAll(in, events, {.now = now, .out = out});
}

void SimVenue::Impl::OnQuoteChange(Instrument& in, Timestamp ts) {
  if (!in.slippage || !in.bid || !in.ask || in.bid->price >= in.ask->price) return;
  if (ts < in.slippage_ts) ts = in.slippage_ts;  // the model's clock never goes back
  in.slippage_ts = ts;
  in.slippage->OnQuote(ts, in.bid->price, in.ask->price);
}

void SimVenue::Impl::OnTradePrint(Instrument& in, const Trade& t, Timestamp now,
                                  std::vector<Payload>* out) {
  if (in.slippage && t.qty.raw > 0) {
    Timestamp ts = now < in.slippage_ts ? in.slippage_ts : now;
    in.slippage_ts = ts;
    in.slippage->OnTrade(ts, t.qty);
  }
  if (in.has_l3 || t.qty.raw <= 0) return;  // with L3 the executions say who traded
  const int64_t tick = in.def.tick_size.raw > 0 ? in.def.tick_size.raw : 1;
  // Strictly through: a sell IOC at print + tick reaches only buys above the print, and
  // fills them at their own prices (the book prices at the maker).
  std::vector<BookEvent>& events = BookEvents();
  if (std::optional<LevelView> b = in.book.Best(Side::kBuy); b && b->price > t.price) {
    in.book.Submit(LimitSpec(kSyntheticIdBase + next_synthetic_n++, kMarket, Side::kSell,
                             TimeInForce::kIoc, Price{t.price.raw + tick}, t.qty),
                   now, &events);
  }
  if (std::optional<LevelView> a = in.book.Best(Side::kSell); a && a->price < t.price) {
    in.book.Submit(LimitSpec(kSyntheticIdBase + next_synthetic_n++, kMarket, Side::kBuy,
                             TimeInForce::kIoc, Price{t.price.raw - tick}, t.qty),
                   now, &events);
  }
  TranslateAll(in, events, {.now = now, .out = out});
}

void SimVenue::Impl::OnQuoteData(const Event& md, std::vector<Payload>* out) {
  InstrumentId id = 0;
  if (const auto* q = std::get_if<L1Quote>(&md.payload)) id = q->instrument;
  if (const auto* u = std::get_if<L2Update>(&md.payload)) id = u->instrument;
  if (const auto* sn = std::get_if<L2Snapshot>(&md.payload)) id = sn->instrument;
  if (const auto* t = std::get_if<Trade>(&md.payload)) id = t->instrument;
  Instrument* found = FindInstrument(id);
  if (found == nullptr) return;
  Instrument& in = *found;
  auto level = [](Price p, Qty q) -> std::optional<PriceLevel> {
    if (q.raw <= 0) return std::nullopt;
    return PriceLevel{.price = p, .qty = q};
  };
  if (const auto* q = std::get_if<L1Quote>(&md.payload)) {
    in.bid = level(q->bid.price, q->bid.qty);
    in.ask = level(q->ask.price, q->ask.qty);
    OnQuoteChange(in, md.ts);
  } else if (const auto* sn = std::get_if<L2Snapshot>(&md.payload)) {
    in.l2_bids.clear();
    in.l2_asks.clear();
    for (const PriceLevel& l : sn->bids) in.l2_bids[l.price.raw] = l.qty.raw;
    for (const PriceLevel& l : sn->asks) in.l2_asks[l.price.raw] = l.qty.raw;
  } else if (const auto* u = std::get_if<L2Update>(&md.payload)) {
    auto& side = u->side == Side::kBuy ? in.l2_bids : in.l2_asks;
    if (u->qty.raw <= 0) {
      side.erase(u->price.raw);
    } else {
      side[u->price.raw] = u->qty.raw;
    }
  } else if (const auto* t = std::get_if<Trade>(&md.payload)) {
    OnTradePrint(in, *t, md.ts, out);
    return;
  }
  if (std::holds_alternative<L2Snapshot>(md.payload) ||
      std::holds_alternative<L2Update>(md.payload)) {
    in.bid = in.l2_bids.empty()
                 ? std::nullopt
                 : level(Price{in.l2_bids.rbegin()->first}, Qty{in.l2_bids.rbegin()->second});
    in.ask = in.l2_asks.empty()
                 ? std::nullopt
                 : level(Price{in.l2_asks.begin()->first}, Qty{in.l2_asks.begin()->second});
    OnQuoteChange(in, md.ts);
  }
}

// ---------------------------------------------------------------- commands

VenueOrderId SimVenue::Impl::PlaceSyntheticLiquidity(Instrument& in, const NewOrder& c,
                                                     Timestamp now, std::vector<Payload>* out) {
  if (in.has_l3 || (c.type != OrdType::kLimit && c.type != OrdType::kMarket)) return 0;
  const bool buy = c.side == Side::kBuy;
  if (!buy && c.side != Side::kSell) return 0;
  const std::optional<PriceLevel>& touch = buy ? in.ask : in.bid;
  if (!touch || touch->qty.raw <= 0 || c.qty.raw <= 0) return 0;
  const bool market = c.type == OrdType::kMarket;
  const bool marketable = market || (buy ? c.price >= touch->price : c.price <= touch->price);
  if (!marketable) return 0;
  Price px = touch->price;
  Qty qty = touch->qty;
  if (in.slippage && in.slippage->has_quote()) {
    const Price exec = in.slippage->ExecutionPrice(c.side, c.qty, touch->qty);
    if (market || (buy ? exec <= c.price : exec >= c.price)) {
      px = exec;
      qty = c.qty;
    }
  } else if (market) {
    qty = c.qty;
  }
  const VenueOrderId id = kSyntheticIdBase + next_synthetic_n++;
  std::vector<BookEvent>& events = BookEvents();
  in.book.Submit(LimitSpec(id, kMarket, Opposite(c.side), TimeInForce::kGtc, px, qty), now,
                 &events);
  // It may meet an older resting order of ours that the quote has moved through.
  TranslateAll(in, events, {.now = now, .out = out});
  return id;
}

CommandResult SimVenue::Impl::Admit(const Event& cmd, std::vector<Payload>* out) {
  OrderAction action = OrderAction::kNew;
  ClOrdId id = 0;
  if (const auto* n = std::get_if<NewOrder>(&cmd.payload)) {
    action = OrderAction::kNew, id = n->cl_ord_id;
  } else if (const auto* c = std::get_if<CancelOrder>(&cmd.payload)) {
    action = OrderAction::kCancel, id = c->cl_ord_id;
  } else if (const auto* r = std::get_if<ReplaceOrder>(&cmd.payload)) {
    action = OrderAction::kReplace, id = r->cl_ord_id;
  } else if (const auto* s = std::get_if<StatusRequest>(&cmd.payload)) {
    action = OrderAction::kStatus, id = s->cl_ord_id != 0 ? s->cl_ord_id : s->mass_status_id;
  } else if (const auto* m = std::get_if<MassCancel>(&cmd.payload)) {
    action = OrderAction::kMassCancel, id = m->request_id;
  } else {
    ++counters.ignored;
    return {.outcome = CommandOutcome::kIgnored};
  }
  ++counters.commands;
  if (!limiter) return {};
  const RateDecision d = limiter->Submit(action, cmd.ts);
  switch (d.outcome) {
    case RateOutcome::kAccepted:
      return {};
    case RateOutcome::kQueued:
      return {.outcome = CommandOutcome::kQueued, .send_at = d.send_at};
    case RateOutcome::kRejected:
    case RateOutcome::kBanned:
      break;
  }
  out->push_back(RateLimitReject{.cl_ord_id = id,
                                 .action = action,
                                 .retry_after = d.retry_after,
                                 .banned = d.outcome == RateOutcome::kBanned});
  ++counters.rate_limit_rejects;
  return {.outcome = CommandOutcome::kRateLimited};
}

void SimVenue::Impl::Execute(const Event& cmd, std::vector<Payload>* out) {
  if (const auto* n = std::get_if<NewOrder>(&cmd.payload)) {
    DoNew(*n, cmd.ts, out);
  } else if (const auto* c = std::get_if<CancelOrder>(&cmd.payload)) {
    DoCancel(*c, cmd.ts, out);
  } else if (const auto* r = std::get_if<ReplaceOrder>(&cmd.payload)) {
    DoReplace(*r, cmd.ts, out);
  } else if (const auto* s = std::get_if<StatusRequest>(&cmd.payload)) {
    DoStatus(*s, out);
  } else if (const auto* m = std::get_if<MassCancel>(&cmd.payload)) {
    DoMassCancel(*m, cmd.ts, out);
  }
}

void SimVenue::Impl::DoNew(const NewOrder& c, Timestamp now, std::vector<Payload>* out) {
  auto reject = [&](RejectReason reason, std::string text) {
    out->push_back(OrderReject{.cl_ord_id = c.cl_ord_id,
                               .instrument = c.instrument,
                               .reason = reason,
                               .text = std::move(text)});
    ++counters.order_rejects;
  };
  Instrument* found = FindInstrument(c.instrument);
  if (found == nullptr) {
    return reject(RejectReason::kUnknownSymbol,
                  "unknown instrument " + std::to_string(c.instrument) + " in NewOrder cl_ord_id " +
                      std::to_string(c.cl_ord_id));
  }
  if (c.cl_ord_id == 0 || FindCl(c.cl_ord_id) != nullptr) {
    return reject(RejectReason::kDuplicateOrder,
                  "duplicate cl_ord_id " + std::to_string(c.cl_ord_id));
  }
  if (orders.size() >= kMaxSessionOrders) {
    return reject(RejectReason::kOrderExceedsLimit,
                  "session order limit " + std::to_string(kMaxSessionOrders) + " reached");
  }
  Instrument& in = *found;
  const VenueOrderId vid = kOurVenueIdBase + next_order_n++;
  AddCl(c.cl_ord_id, vid);
  Order& o = orders.emplace_back();
  o = {.cl_ord_id = c.cl_ord_id,
       .venue_order_id = vid,
       .instrument = c.instrument,
       .side = c.side,
       .tif = c.tif,
       .status = OrdStatus::kNew,
       .price = c.price,
       .order_qty = c.qty,
       .leaves_qty = c.qty};

  const VenueOrderId synthetic = PlaceSyntheticLiquidity(in, c, now, out);
  std::vector<BookEvent>& events = BookEvents();
  OrderSpec spec = LimitSpec(vid, kSession, c.side, c.tif, c.price, c.qty);
  spec.type = c.type;
  spec.stop_price = c.stop_price;
  spec.display_qty = c.display_qty;
  spec.post_only = c.post_only;
  spec.stp = config.stp;
  in.book.Submit(spec, now, &events);
  if (synthetic != 0 && in.book.Find(synthetic)) {
    discarded_events.clear();
    in.book.Cancel(synthetic, Qty{0}, &discarded_events);
  }

  if (!events.empty() && events.front().kind == BookEventKind::kRejected &&
      events.front().order_id == vid) {
    o.status = OrdStatus::kRejected;
    o.leaves_qty = Qty{0};
    return reject(events.front().reason,
                  "order rejected by the book, cl_ord_id " + std::to_string(c.cl_ord_id));
  }
  // This order's replies go after what `out` already holds (say, fills of an older order of
  // ours from PlaceSyntheticLiquidity), the ack among them.
  const size_t first = out->size();
  TranslateAll(in, events, {.now = now, .out = out});
  // The fault oracle draws once per acknowledged order, whatever its probability.
  const bool fill_first = faults && faults->FillBeforeAck(rng);
  size_t ack_at = first;
  if (fill_first) {
    while (ack_at < out->size() && std::holds_alternative<Fill>((*out)[ack_at])) ++ack_at;
    if (ack_at > first) ++counters.fills_before_ack;
  }
  out->insert(
      out->begin() + static_cast<ptrdiff_t>(ack_at),
      OrderAck{.cl_ord_id = c.cl_ord_id, .venue_order_id = vid, .instrument = c.instrument});
  ++counters.acks;
}

SimVenue::Impl::Order* SimVenue::Impl::FindByCl(ClOrdId cl, bool* replaced) {
  *replaced = false;
  const ClEntry* e = FindCl(cl);
  if (e == nullptr) return nullptr;
  *replaced = !e->current;
  return &OrderOf(e->venue_order_id);
}

void SimVenue::Impl::DoCancel(const CancelOrder& c, Timestamp now, std::vector<Payload>* out) {
  auto reject = [&](RejectReason reason, std::string text) {
    out->push_back(CancelReject{.cl_ord_id = c.cl_ord_id,
                                .orig_cl_ord_id = c.orig_cl_ord_id,
                                .response_to = CancelRejectOf::kCancel,
                                .reason = reason,
                                .text = std::move(text)});
    ++counters.cancel_rejects;
  };
  bool replaced = false;
  Order* o = FindByCl(c.orig_cl_ord_id, &replaced);
  if (o == nullptr || o->instrument != c.instrument || o->status == OrdStatus::kRejected) {
    return reject(RejectReason::kUnknownOrder,
                  "unknown order cl_ord_id " + std::to_string(c.orig_cl_ord_id));
  }
  if (replaced) {
    return reject(RejectReason::kUnknownOrder, "cl_ord_id " + std::to_string(c.orig_cl_ord_id) +
                                                   " was replaced by " +
                                                   std::to_string(o->cl_ord_id));
  }
  if (IsDone(o->status)) {
    return reject(RejectReason::kTooLateToCancel,
                  "order cl_ord_id " + std::to_string(c.orig_cl_ord_id) + " is already done");
  }
  if (faults && faults->CancelTooLate(rng)) {
    ++counters.cancels_too_late;
    return reject(RejectReason::kTooLateToCancel,
                  "too late to cancel cl_ord_id " + std::to_string(c.orig_cl_ord_id));
  }
  Instrument& in = InstrumentOf(o->instrument);
  std::vector<BookEvent>& events = BookEvents();
  in.book.Cancel(o->venue_order_id, Qty{0}, &events);
  TranslateAll(in, events, {.now = now, .out = out, .cancel_request_id = c.cl_ord_id});
}

void SimVenue::Impl::DoReplace(const ReplaceOrder& c, Timestamp now, std::vector<Payload>* out) {
  auto reject = [&](RejectReason reason, std::string text) {
    out->push_back(CancelReject{.cl_ord_id = c.cl_ord_id,
                                .orig_cl_ord_id = c.orig_cl_ord_id,
                                .response_to = CancelRejectOf::kReplace,
                                .reason = reason,
                                .text = std::move(text)});
    ++counters.cancel_rejects;
  };
  bool replaced = false;
  Order* o = FindByCl(c.orig_cl_ord_id, &replaced);
  if (o == nullptr || replaced || o->instrument != c.instrument ||
      o->status == OrdStatus::kRejected) {
    return reject(RejectReason::kUnknownOrder,
                  "unknown order cl_ord_id " + std::to_string(c.orig_cl_ord_id));
  }
  if (IsDone(o->status)) {
    return reject(RejectReason::kTooLateToCancel,
                  "order cl_ord_id " + std::to_string(c.orig_cl_ord_id) + " is already done");
  }
  if (c.cl_ord_id == 0 || FindCl(c.cl_ord_id) != nullptr) {
    return reject(RejectReason::kDuplicateOrder,
                  "duplicate cl_ord_id " + std::to_string(c.cl_ord_id));
  }
  if (c.qty <= o->cum_qty) {
    return reject(RejectReason::kInvalidQty, "replace qty " + std::to_string(c.qty.raw) +
                                                 " not above the filled " +
                                                 std::to_string(o->cum_qty.raw));
  }
  Instrument& in = InstrumentOf(o->instrument);
  std::vector<BookEvent>& events = BookEvents();
  in.book.Replace(o->venue_order_id, c.price, c.qty - o->cum_qty, now, &events);
  if (!events.empty() && events.front().kind == BookEventKind::kRejected) {
    return reject(events.front().reason,
                  "replace rejected by the book, cl_ord_id " + std::to_string(c.cl_ord_id));
  }
  TranslateAll(
      in, events,
      {.now = now, .out = out, .replace_cl_ord_id = c.cl_ord_id, .replace_order_qty = c.qty});
}

OrderStatusReport SimVenue::Impl::Report(const Order& o, uint64_t mass_status_id) const {
  OrderStatusReport r;
  r.cl_ord_id = o.cl_ord_id;
  r.venue_order_id = o.venue_order_id;
  r.instrument = o.instrument;
  r.side = o.side;
  r.status = o.status;
  r.price = o.price;
  r.order_qty = o.order_qty;
  r.cum_qty = o.cum_qty;
  r.leaves_qty = o.leaves_qty;
  if (o.cum_qty.raw > 0) {
    // Round half away from zero (prices are positive here or the sum is exact anyway).
    const __int128 q = o.cum_qty.raw;
    const __int128 sum = o.px_qty_sum;
    r.avg_price = Price{static_cast<int64_t>((sum >= 0 ? sum + q / 2 : sum - q / 2) / q)};
  }
  r.mass_status_id = mass_status_id;
  r.last_report = true;
  return r;
}

void SimVenue::Impl::DoStatus(const StatusRequest& c, std::vector<Payload>* out) {
  if (c.cl_ord_id != 0) {
    bool replaced = false;
    const Order* o = FindByCl(c.cl_ord_id, &replaced);
    if (o == nullptr) {
      out->push_back(UnknownReport(c.cl_ord_id, 0));
      return;
    }
    OrderStatusReport r = Report(*o, 0);
    if (replaced) {
      r.cl_ord_id = c.cl_ord_id;
      r.status = OrdStatus::kReplaced;
    }
    out->push_back(r);
    return;
  }
  const size_t first = out->size();
  for (Order& o : orders) {
    if (!IsDone(o.status) || o.end_unreported) {
      o.end_unreported = false;
      OrderStatusReport r = Report(o, c.mass_status_id);
      r.last_report = false;
      out->push_back(r);
    }
  }
  if (out->size() == first) {
    out->push_back(UnknownReport(0, c.mass_status_id));
    return;
  }
  std::get<OrderStatusReport>(out->back()).last_report = true;
}

void SimVenue::Impl::DoMassCancel(const MassCancel& c, Timestamp now, std::vector<Payload>* out) {
  for (auto& [id, in] : instruments) {
    if (c.instrument != 0 && c.instrument != id) continue;
    std::vector<BookEvent> events;
    in.book.MassCancel(kSession, c.side, &events);
    TranslateAll(in, events, {.now = now, .out = out, .cancel_request_id = c.request_id});
  }
}

// ---------------------------------------------------------------- SimVenue

SimVenue::SimVenue(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SimVenue::~SimVenue() = default;
SimVenue::SimVenue(SimVenue&&) noexcept = default;
SimVenue& SimVenue::operator=(SimVenue&&) noexcept = default;

Result<SimVenue> SimVenue::Create(std::vector<InstrumentDef> instruments, VenueConfig config,
                                  uint64_t seed) {
  if (instruments.size() > kMaxVenueInstruments) {
    return InvalidArgument("venue: " + std::to_string(instruments.size()) +
                           " instruments, more than " + std::to_string(kMaxVenueInstruments));
  }
  auto impl = std::make_unique<Impl>(seed);
  impl->config = config;
  Result<FeeSchedule> fees = FeeSchedule::Create(config.fees);
  if (!fees.ok()) return InvalidArgument("venue: fees: " + fees.status().message());
  impl->fees.emplace(std::move(fees).value());
  if (config.rate_limit) {
    Result<RateLimiter> rl = RateLimiter::Create(*config.rate_limit);
    if (!rl.ok()) return InvalidArgument("venue: rate_limit: " + rl.status().message());
    impl->limiter.emplace(std::move(rl).value());
  }
  if (config.faults) {
    Result<VenueFaults> f = VenueFaults::Create(*config.faults, Timestamp{});
    if (!f.ok()) return InvalidArgument("venue: faults: " + f.status().message());
    impl->faults.emplace(std::move(f).value());
  }
  for (InstrumentDef& def : instruments) {
    if (def.id == 0 || impl->instruments.contains(def.id)) {
      return InvalidArgument("venue: instrument " + def.symbol + ": id " + std::to_string(def.id) +
                             " is zero or duplicate");
    }
    std::optional<SlippageModel> slip;
    if (def.tick_size.raw > 0) {
      Result<SlippageModel> s = SlippageModel::Create(config.slippage, def.tick_size);
      if (!s.ok()) {
        return InvalidArgument("venue: instrument " + def.symbol +
                               ": slippage: " + s.status().message());
      }
      slip.emplace(std::move(s).value());
    }
    const InstrumentId id = def.id;
    OrderBook book(def, config.book);
    impl->instruments.emplace(
        id, Impl::Instrument{
                .def = std::move(def), .book = std::move(book), .slippage = std::move(slip)});
  }
  return SimVenue(std::move(impl));
}

SimVenue::SimVenue(std::vector<InstrumentDef> instruments, VenueConfig config, uint64_t seed) {
  Result<SimVenue> v = Create(std::move(instruments), std::move(config), seed);
  TD_CHECK_MSG(v.ok(), v.status().ToString().c_str());
  impl_ = std::move(v.value().impl_);
}

void SimVenue::OnMarketData(const Event& md, std::vector<Payload>* replies) {
  Impl& s = *impl_;
  ++s.counters.market_events;
  if (const auto* l3 = std::get_if<L3Order>(&md.payload)) {
    s.OnL3(*l3, md.ts, replies);
  } else if (std::holds_alternative<TradingStatus>(md.payload)) {
    ++s.counters.trading_status_events;
  } else {
    s.OnQuoteData(md, replies);
  }
}

CommandResult SimVenue::OnCommand(const Event& cmd, std::vector<Payload>* replies) {
  CommandResult r = impl_->Admit(cmd, replies);
  if (r.outcome == CommandOutcome::kProcessed) impl_->Execute(cmd, replies);
  return r;
}

void SimVenue::ExecuteAdmitted(const Event& cmd, std::vector<Payload>* replies) {
  impl_->Execute(cmd, replies);
}

void SimVenue::OnDisconnect(OpenOrderPolicy policy, std::vector<Payload>* silent) {
  if (policy != OpenOrderPolicy::kCancelAll) return;
  for (auto& [id, in] : impl_->instruments) {
    std::vector<BookEvent> events;
    in.book.MassCancel(kSession, Side::kNone, &events);
    impl_->TranslateAll(in, events, {.out = silent, .silent = true});
  }
}

void SimVenue::EndOfDay(std::vector<Payload>* replies) {
  for (auto& [id, in] : impl_->instruments) {
    std::vector<BookEvent> events;
    in.book.ExpireDay(&events);
    impl_->TranslateAll(in, events, {.out = replies});
  }
}

uint64_t SimVenue::StateDigest() const {
  const Impl& s = *impl_;
  // DigestWriter hashes the words a buffer at a time: one buffer for the whole state (up to 14
  // words an order, every order of the session) would be megabytes to allocate and fault in.
  // An order's words go in with one copy, not a call each: this loop is most of the cost.
  DigestWriter w;
  for (const Impl::Order& o : s.orders) {
    const VenueOrderId vid = o.venue_order_id;
    uint64_t words[14] = {vid,
                          o.cl_ord_id,
                          o.instrument,
                          static_cast<uint64_t>(o.side),
                          static_cast<uint64_t>(o.tif),
                          static_cast<uint64_t>(o.status),
                          static_cast<uint64_t>(o.price.raw),
                          static_cast<uint64_t>(o.order_qty.raw),
                          static_cast<uint64_t>(o.cum_qty.raw),
                          static_cast<uint64_t>(o.leaves_qty.raw),
                          static_cast<uint64_t>(o.px_qty_sum),
                          static_cast<uint64_t>(o.px_qty_sum >> 64),
                          o.end_unreported ? uint64_t{1} : 0,
                          0};
    size_t n = 13;
    if (!IsDone(o.status)) {
      std::optional<OrderView> v = s.instruments.at(o.instrument).book.Find(vid);
      words[n++] = v ? static_cast<uint64_t>(v->queue_ahead_qty.raw) : ~uint64_t{0};
    }
    w.U64s({words, n});
  }
  auto by_id = [](const Impl::ClEntry& a, const Impl::ClEntry& b) {
    return a.cl_ord_id < b.cl_ord_id;
  };
  // The ids arrive in the order a session numbers them, so they are usually in order already:
  // then the sorted copy is not needed.
  std::vector<Impl::ClEntry> sorted;
  if (!std::is_sorted(s.cl_ids.begin(), s.cl_ids.end(), by_id)) {
    sorted = s.cl_ids;
    std::sort(sorted.begin(), sorted.end(), by_id);
  }
  for (const Impl::ClEntry& e : sorted.empty() ? s.cl_ids : sorted) {
    const uint64_t words[3] = {e.cl_ord_id, e.venue_order_id, e.current ? uint64_t{1} : 0};
    w.U64s(words);
  }
  for (const auto& [id, in] : s.instruments) {
    w.U64(id);
    w.U64(in.book.order_count());
    w.Bool(in.has_l3);
  }
  w.U64(s.next_order_n);
  w.U64(s.next_synthetic_n);
  w.U64(s.next_exec_id);
  const VenueCounters& c = s.counters;
  for (uint64_t v :
       {c.commands, c.acks, c.fills, c.order_rejects, c.cancel_rejects, c.rate_limit_rejects,
        c.expired, c.fills_before_ack, c.cancels_too_late, c.silent_cancels, c.market_events,
        c.historical_unknown_refs, c.historical_rejects, c.trading_status_events, c.ignored}) {
    w.U64(v);
  }
  const Rng::State rs = s.rng.state();
  w.U64s(rs.s);
  w.U64(rs.has_spare_normal);
  w.U64(rs.spare_normal_bits);
  return w.Hash();
}

const VenueCounters& SimVenue::counters() const { return impl_->counters; }

SimVenue::Holdings SimVenue::SessionHoldings() const {
  Holdings h;
  for (const Impl::Order& o : impl_->orders) {
    if (o.cum_qty.raw != 0) {
      Qty& p = h.positions[o.instrument];
      p.raw += o.side == Side::kBuy ? o.cum_qty.raw : -o.cum_qty.raw;
    }
    const bool working = o.status == OrdStatus::kNew || o.status == OrdStatus::kPartiallyFilled ||
                         o.status == OrdStatus::kPendingNew;
    if (working && o.leaves_qty.raw > 0) ++h.open_orders;
  }
  return h;
}

std::optional<SessionOrderView> SimVenue::FindOrder(ClOrdId cl_ord_id) const {
  const Impl::ClEntry* e = impl_->FindCl(cl_ord_id);
  if (e == nullptr) return std::nullopt;
  const Impl::Order& o = impl_->OrderOf(e->venue_order_id);
  SessionOrderView v{.cl_ord_id = o.cl_ord_id,
                     .venue_order_id = o.venue_order_id,
                     .instrument = o.instrument,
                     .side = o.side,
                     .status = o.status,
                     .price = o.price,
                     .order_qty = o.order_qty,
                     .cum_qty = o.cum_qty,
                     .leaves_qty = o.leaves_qty};
  if (!e->current) v.status = OrdStatus::kReplaced;
  if (o.cum_qty.raw > 0) v.avg_price = impl_->Report(o, 0).avg_price;
  return v;
}

const OrderBook* SimVenue::book(InstrumentId instrument) const {
  const Impl::Instrument* in = std::as_const(*impl_).FindInstrument(instrument);
  return in == nullptr ? nullptr : &in->book;
}

}  // namespace td::sim
