// ExchangeCore (exchange_core.h): one steady_timer drives everything. Pump() handles, in due
// order, the next market record, the link messages and the next fault, each due at an
// absolute wall time, then re-arms the timer at the earliest remaining due time.
#include "sim-exchange/server/exchange_core.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "core/fixed_point.h"
#include "core/rng.h"
#include "replayer/market_source.h"
#include "replayer/record_kinds.h"
#include "replayer/sim_session.h"
#include "sim-exchange/faults.h"

namespace td::server {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
constexpr int64_t kNow = std::numeric_limits<int64_t>::min();
// The simulator's seed streams (replayer/sim_session.cc), so a scenario and seed mean the
// same venue and link draws here.

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string SecondsText(Duration d) { return FormatDecimal(d.ns, 9) + "s"; }

// The feed-side state of an instrument without L3 data, for late joiners.
struct FeedBook {
  std::map<int64_t, int64_t, std::greater<>> bids;  // price raw -> qty raw, best first
  std::map<int64_t, int64_t> asks;
  bool has_l2 = false;
  std::optional<L1Quote> l1;
  std::optional<TradingStatus> status;
};

template <typename Map>
void SetLevel(Map& side, int64_t price, int64_t qty) {
  if (qty <= 0) {
    side.erase(price);
    return;
  }
  side[price] = qty;
  if (side.size() > kMaxFeedLevelsPerSide) side.erase(std::prev(side.end()));  // the worst
}

template <typename Map>
std::vector<PriceLevel> TopLevels(const Map& side, size_t n) {
  std::vector<PriceLevel> out;
  for (auto it = side.begin(); it != side.end() && out.size() < n; ++it) {
    out.push_back(PriceLevel{Price{it->first}, Qty{it->second}});
  }
  return out;
}

}  // namespace

struct ExchangeCore::Impl : std::enable_shared_from_this<ExchangeCore::Impl> {
  enum class LinkKind : uint8_t { kToVenue = 1, kAdmitted, kToSession };
  struct LinkItem {
    LinkKind kind = LinkKind::kToVenue;
    uint64_t session = 0;
    Payload payload;
  };
  struct Session {
    uint64_t id = 0;
    ReplyFn on_reply;
    ForcedDisconnectFn on_forced_disconnect;
  };
  using OwnQty = std::map<std::pair<Side, int64_t>, int64_t>;

  Impl(asio::io_context& io_in, std::unique_ptr<replayer::MarketSource> src, ExchangeOptions opt,
       sim::SimVenue v, sim::VenueFaults f, Timestamp t0_in)
      : io(io_in),
        timer(io_in),
        source(std::move(src)),
        options(std::move(opt)),
        instruments(source->instruments()),
        venue(std::move(v)),
        faults(std::move(f)),
        latency(options.scenario.latency),
        link_rng(replayer::DeriveSeed(options.seed, replayer::kLinkSeedStream)),
        t0(t0_in),
        pacer(t0_in, 0, options.speed),
        market_now(t0_in) {
    for (const InstrumentDef& d : instruments) symbols.emplace(d.symbol, d.id);
  }

  // ---- clocks
  bool UnpacedRunning() const { return options.speed.unpaced() && !counters.market_ended; }
  Timestamp MarketNowAt(int64_t wall) const {
    if (!started || UnpacedRunning()) return market_now;
    return std::max(market_now, pacer.MarketTimeAt(wall));
  }
  Timestamp AdvanceMarketClock() {
    market_now = MarketNowAt(SteadyNowNs());
    return market_now;
  }
  // The wall time at which market time `at` comes: paced by the pacer; unpaced, `at`'s
  // distance from the market clock on the wall, 1:1.
  int64_t WallDueOfMarket(Timestamp at, int64_t wall_now) const {
    if (!UnpacedRunning()) return pacer.DueWallNs(at);
    return wall_now + std::max<int64_t>(0, (at - market_now).ns);
  }

  // ---- the loop
  void Kick();
  void Pump();
  void Arm(int64_t due);
  int64_t MarketDue();
  int64_t FaultDue() const;
  void EndMarket();
  void ReleaseMarket(int64_t wall_now, int64_t due);
  void FireFault();
  void HandleLink(LinkItem item);
  void SendToSession(uint64_t session_id, std::vector<Payload>& replies);
  void Schedule(int64_t due, LinkItem item);

  // ---- feed state
  void PruneOurs();
  OwnQty OwnResting(InstrumentId instrument) const;
  std::optional<L1Quote> TouchChange(const L3Order& l3);
  void NoteFeed(const Payload& p);
  void Publish(Timestamp ts, const Payload& p);
  std::vector<Event> Snapshot() const;

  asio::io_context& io;
  asio::steady_timer timer;
  int64_t armed_due = kNever;
  bool pump_posted = false;
  std::unique_ptr<replayer::MarketSource> source;
  ExchangeOptions options;
  std::vector<InstrumentDef> instruments;
  std::map<std::string, InstrumentId, std::less<>> symbols;
  sim::SimVenue venue;
  sim::VenueFaults faults;
  sim::LatencyProfile latency;
  Rng link_rng;
  FeedPublisher* publisher = nullptr;

  Timestamp t0;
  Pacer pacer;
  Timestamp market_now;
  bool started = false;
  bool stopped = false;
  std::optional<Event> next;  // the next market record, read ahead
  Status market_status;

  std::map<std::pair<int64_t, uint64_t>, LinkItem> links;  // (due wall ns, arrival) -> item
  uint64_t link_seq = 0;
  int64_t last_to_venue_due = kNow, last_to_session_due = kNow;

  std::optional<Session> session;
  uint64_t next_session_id = 1;
  std::optional<sim::Disconnect> next_fault;
  std::optional<sim::Disconnect> last_fault;  // the downtime in effect, if any

  std::map<InstrumentId, L1Quote> touch;  // L3 instruments: the last published touch
  std::set<ClOrdId> ours;                 // our orders the venue may hold open
  std::map<InstrumentId, FeedBook> feed;  // the other instruments
  ExchangeCounters counters;
  std::vector<Payload> replies;  // scratch
};

// ------------------------------------------------------------------------------ the loop

void ExchangeCore::Impl::Kick() {
  if (pump_posted || stopped) return;
  pump_posted = true;
  asio::post(io, [w = weak_from_this()] {
    auto self = w.lock();
    if (!self) return;
    self->pump_posted = false;
    self->Pump();
  });
}

void ExchangeCore::Impl::Arm(int64_t due) {
  if (due == armed_due) return;
  armed_due = due;
  if (due == kNever) {
    timer.cancel();
    return;
  }
  timer.expires_at(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(due)));
  timer.async_wait([w = weak_from_this(), due](error_code ec) {
    auto self = w.lock();
    if (!self || ec || self->armed_due != due) return;
    self->armed_due = kNever;
    self->Pump();
  });
}

void ExchangeCore::Impl::Pump() {
  if (!started || stopped) return;
  for (size_t n = 0; n < options.max_records_per_turn; ++n) {
    if (stopped) return;
    const int64_t now = SteadyNowNs();
    const int64_t md_due = MarketDue();
    const int64_t fault_due = FaultDue();
    const int64_t link_due = links.empty() ? kNever : links.begin()->first.first;
    const int64_t due = std::min({md_due, fault_due, link_due});
    if (due == kNever || due > now) {
      Arm(due);
      return;
    }
    // Ties: market data first (as the simulator), then the fault, then the links.
    if (md_due == due) {
      ReleaseMarket(now, due);
    } else if (fault_due == due) {
      FireFault();
    } else {
      LinkItem item = std::move(links.begin()->second);
      links.erase(links.begin());
      HandleLink(std::move(item));
    }
  }
  Kick();  // more is due: let the sockets be served first
}

int64_t ExchangeCore::Impl::MarketDue() {
  if (counters.market_ended) return kNever;
  if (!next) {
    Event e;
    if (!source->Next(&e)) {
      EndMarket();
      return kNever;
    }
    next = std::move(e);
  }
  return options.speed.unpaced() ? kNow : pacer.DueWallNs(next->ts);
}

int64_t ExchangeCore::Impl::FaultDue() const {
  if (!next_fault) return kNever;
  if (UnpacedRunning()) return market_now >= next_fault->at ? kNow : kNever;
  return pacer.DueWallNs(next_fault->at);
}

void ExchangeCore::Impl::EndMarket() {
  const int64_t now = SteadyNowNs();
  market_now = MarketNowAt(now);
  counters.market_ended = true;
  counters.market_end = market_now;
  market_status = source->status();
  // Unpaced: from here the market clock runs at 1x from the last record.
  if (options.speed.unpaced()) pacer = Pacer(market_now, now, Speed::Times(1));
  if (publisher != nullptr) publisher->EndOfMarketData();
  if (options.on_market_end) options.on_market_end();
}

void ExchangeCore::Impl::ReleaseMarket(int64_t wall_now, int64_t due) {
  Event e = std::move(*next);
  next.reset();
  if (due != kNow)
    counters.max_release_lag_ns = std::max(counters.max_release_lag_ns, wall_now - due);
  market_now = std::max(MarketNowAt(wall_now), e.ts);
  if (const auto* q = std::get_if<L1Quote>(&e.payload); q && touch.contains(q->instrument)) {
    ++counters.md_l1_dropped;  // an L3 instrument's touch comes from the venue book
    return;
  }
  ++counters.md_records;
  replies.clear();
  venue.OnMarketData(Event{0, market_now, e.payload}, &replies);
  std::vector<Payload> fills = std::move(replies);
  replies.clear();
  SendToSession(session ? session->id : 0, fills);
  Publish(e.ts, e.payload);
  if (const auto* l3 = std::get_if<L3Order>(&e.payload)) {
    if (std::optional<L1Quote> q = TouchChange(*l3)) {
      ++counters.touch_quotes;
      Publish(e.ts, *q);
    }
  }
}

void ExchangeCore::Impl::FireFault() {
  const sim::Disconnect d = *next_fault;
  next_fault.reset();
  AdvanceMarketClock();
  ++counters.venue_disconnects;
  std::vector<Payload> silent;
  venue.OnDisconnect(d.open_orders, &silent);
  last_fault = d;
  next_fault = faults.NextDisconnect(d.reconnect_at, link_rng);
  if (!session) return;
  Session s = std::move(*session);
  session.reset();
  ++counters.forced_disconnects;
  ++counters.sessions_closed;
  if (s.on_forced_disconnect) {
    s.on_forced_disconnect("venue fault: " + std::string(sim::DisconnectCauseName(d.cause)) +
                           " disconnect at " + SecondsText(d.at - t0) +
                           " after the session start; open orders " +
                           std::string(sim::OpenOrderPolicyName(d.open_orders)) +
                           "; logon possible again at " + SecondsText(d.reconnect_at - t0));
  }
}

void ExchangeCore::Impl::Schedule(int64_t due, LinkItem item) {
  links.emplace(std::make_pair(due, link_seq++), std::move(item));
  if (due < armed_due) Kick();
}

void ExchangeCore::Impl::HandleLink(LinkItem item) {
  const bool live = session && session->id == item.session;
  if (item.kind == LinkKind::kToSession) {
    if (!live) {
      ++counters.replies_lost;
      return;
    }
    ++counters.replies_delivered;
    // Copy the callback: it may close the session (and so destroy the stored one).
    ReplyFn on_reply = session->on_reply;
    if (on_reply) on_reply(item.payload);
    return;
  }
  if (!live) {
    ++counters.commands_lost;
    return;
  }
  const Timestamp ts = AdvanceMarketClock();
  if (const auto* n = std::get_if<NewOrder>(&item.payload)) ours.insert(n->cl_ord_id);
  if (const auto* r = std::get_if<ReplaceOrder>(&item.payload)) ours.insert(r->cl_ord_id);
  const Event cmd{0, ts, item.payload};
  replies.clear();
  if (item.kind == LinkKind::kAdmitted) {
    venue.ExecuteAdmitted(cmd, &replies);
  } else {
    const sim::CommandResult r = venue.OnCommand(cmd, &replies);
    if (r.outcome == sim::CommandOutcome::kQueued) {
      ++counters.commands_queued;
      item.kind = LinkKind::kAdmitted;
      Schedule(WallDueOfMarket(r.send_at, SteadyNowNs()), std::move(item));
      return;
    }
  }
  std::vector<Payload> out = std::move(replies);
  replies.clear();
  SendToSession(item.session, out);
}

void ExchangeCore::Impl::SendToSession(uint64_t session_id, std::vector<Payload>& out) {
  if (out.empty()) return;
  const int64_t now = SteadyNowNs();
  for (Payload& r : out) {
    if (links.size() >= options.max_pending_messages) {
      ++counters.replies_lost;  // bounded: a session this far behind has lost the thread
      continue;
    }
    const int64_t delay = pacer.WallDelayNs(Duration{latency.venue_response.Sample(link_rng)});
    const int64_t at = std::max(now + delay, last_to_session_due);
    int copies = 1;
    if (replayer::IsAck(r)) {
      const sim::AckDecision d = faults.DecideAck(link_rng);
      if (d.fate == sim::AckFate::kDrop) {
        ++counters.acks_dropped;
        continue;
      }
      if (d.fate == sim::AckFate::kDuplicate) ++counters.acks_duplicated, copies = 2;
      if (d.fate == sim::AckFate::kDelay) {
        ++counters.acks_delayed;
        Schedule(at + pacer.WallDelayNs(d.extra_delay),
                 LinkItem{LinkKind::kToSession, session_id, r});
        continue;
      }
    }
    last_to_session_due = at;
    for (int i = 0; i < copies; ++i) Schedule(at, LinkItem{LinkKind::kToSession, session_id, r});
  }
}

// ------------------------------------------------------------------------------ feed state

void ExchangeCore::Impl::PruneOurs() {
  for (auto it = ours.begin(); it != ours.end();) {
    const std::optional<sim::SessionOrderView> v = venue.FindOrder(*it);
    const bool open = v && v->leaves_qty.raw > 0 &&
                      (v->status == OrdStatus::kNew || v->status == OrdStatus::kPartiallyFilled ||
                       v->status == OrdStatus::kPendingNew);
    const bool replaced = v && v->status == OrdStatus::kReplaced;  // lives on under a new id
    it = (open || replaced) ? std::next(it) : ours.erase(it);
  }
}

ExchangeCore::Impl::OwnQty ExchangeCore::Impl::OwnResting(InstrumentId instrument) const {
  OwnQty own;
  for (ClOrdId id : ours) {
    const std::optional<sim::SessionOrderView> v = venue.FindOrder(id);
    if (!v || v->instrument != instrument || v->leaves_qty.raw <= 0) continue;
    if (v->status != OrdStatus::kNew && v->status != OrdStatus::kPartiallyFilled &&
        v->status != OrdStatus::kPendingNew) {
      continue;
    }
    own[{v->side, v->price.raw}] += v->leaves_qty.raw;
  }
  return own;
}

std::optional<L1Quote> ExchangeCore::Impl::TouchChange(const L3Order& l3) {
  const sim::OrderBook* book = venue.book(l3.instrument);
  if (book == nullptr) return std::nullopt;
  PruneOurs();
  const OwnQty own = OwnResting(l3.instrument);
  L1Quote q;
  q.instrument = l3.instrument;
  for (Side side : {Side::kBuy, Side::kSell}) {
    sim::LevelView levels[kTouchLevelsScanned];
    const size_t n = book->Levels(side, kTouchLevelsScanned, levels);
    for (size_t i = 0; i < n; ++i) {
      const auto o = own.find({side, levels[i].price.raw});
      const int64_t qty = levels[i].qty.raw - (o == own.end() ? 0 : o->second);
      if (qty <= 0) continue;
      (side == Side::kBuy ? q.bid : q.ask) = PriceLevel{levels[i].price, Qty{qty}};
      break;
    }
  }
  q.exchange_ts = l3.exchange_ts;
  q.receive_ts = l3.receive_ts;
  auto [it, inserted] = touch.try_emplace(l3.instrument, q);
  if (!inserted) {
    if (it->second.bid == q.bid && it->second.ask == q.ask) return std::nullopt;
    it->second = q;
  }
  return q;
}

void ExchangeCore::Impl::NoteFeed(const Payload& p) {
  if (const auto* s = std::get_if<TradingStatus>(&p)) {
    feed[s->instrument].status = *s;
  } else if (const auto* q = std::get_if<L1Quote>(&p)) {
    feed[q->instrument].l1 = *q;
  } else if (const auto* u = std::get_if<L2Update>(&p)) {
    FeedBook& b = feed[u->instrument];
    b.has_l2 = true;
    if (u->side == Side::kBuy) SetLevel(b.bids, u->price.raw, u->qty.raw);
    if (u->side == Side::kSell) SetLevel(b.asks, u->price.raw, u->qty.raw);
  } else if (const auto* s2 = std::get_if<L2Snapshot>(&p)) {
    FeedBook& b = feed[s2->instrument];
    b.has_l2 = true;
    b.bids.clear();
    b.asks.clear();
    for (const PriceLevel& l : s2->bids) SetLevel(b.bids, l.price.raw, l.qty.raw);
    for (const PriceLevel& l : s2->asks) SetLevel(b.asks, l.price.raw, l.qty.raw);
  }
}

void ExchangeCore::Impl::Publish(Timestamp ts, const Payload& p) {
  NoteFeed(p);
  if (publisher != nullptr) publisher->Publish(Event{0, ts, p});
}

std::vector<Event> ExchangeCore::Impl::Snapshot() const {
  std::vector<Event> out;
  const Timestamp now = MarketNowAt(SteadyNowNs());
  const size_t depth = options.snapshot_levels;
  for (const InstrumentDef& def : instruments) {
    const auto f = feed.find(def.id);
    if (f != feed.end() && f->second.status) out.push_back(Event{0, now, *f->second.status});
    const sim::OrderBook* book = venue.book(def.id);
    if (touch.contains(def.id) && book != nullptr) {
      const OwnQty own = OwnResting(def.id);
      L2Snapshot s;
      s.instrument = def.id;
      s.exchange_ts = s.receive_ts = now;
      std::vector<sim::LevelView> levels(depth);
      for (Side side : {Side::kBuy, Side::kSell}) {
        const size_t n = book->Levels(side, depth, levels.data());
        for (size_t i = 0; i < n; ++i) {
          const auto o = own.find({side, levels[i].price.raw});
          const int64_t qty = levels[i].qty.raw - (o == own.end() ? 0 : o->second);
          if (qty <= 0) continue;
          (side == Side::kBuy ? s.bids : s.asks).push_back(PriceLevel{levels[i].price, Qty{qty}});
        }
      }
      out.push_back(Event{0, now, std::move(s)});
      out.push_back(Event{0, now, touch.at(def.id)});
      continue;
    }
    if (f == feed.end()) continue;
    if (f->second.has_l2) {
      L2Snapshot s;
      s.instrument = def.id;
      s.exchange_ts = s.receive_ts = now;
      s.bids = TopLevels(f->second.bids, depth);
      s.asks = TopLevels(f->second.asks, depth);
      out.push_back(Event{0, now, std::move(s)});
    }
    if (f->second.l1) out.push_back(Event{0, now, *f->second.l1});
  }
  return out;
}

// ------------------------------------------------------------------------------ ExchangeCore

Result<std::unique_ptr<ExchangeCore>> ExchangeCore::Create(
    boost::asio::io_context& io, std::unique_ptr<replayer::MarketSource> source,
    ExchangeOptions options) {
  if (source == nullptr) return InvalidArgument("exchange: no market source");
  if (options.max_records_per_turn == 0) {
    return InvalidArgument("exchange: max_records_per_turn must be at least 1");
  }
  if (options.max_pending_messages == 0) {
    return InvalidArgument("exchange: max_pending_messages must be at least 1");
  }
  if (options.snapshot_levels == 0 || options.snapshot_levels > kMaxSnapshotLevels) {
    return InvalidArgument("exchange: snapshot_levels " + std::to_string(options.snapshot_levels) +
                           " outside [1, " + std::to_string(kMaxSnapshotLevels) + "]");
  }
  if (options.speed.ppm < 0 || options.speed.ppm > kMaxSpeedPpm) {
    return InvalidArgument("exchange: speed out of range");
  }
  auto venue = sim::SimVenue::Create(source->instruments(), replayer::VenueConfigOf(options.scenario),
                                     replayer::DeriveSeed(options.seed, replayer::kVenueSeedStream));
  if (!venue.ok()) return venue.status();
  std::optional<Event> first;
  Event e;
  if (source->Next(&e)) first = std::move(e);
  if (!source->status().ok()) return source->status();
  const Timestamp t0 = first ? first->ts : Timestamp{0};
  auto faults = sim::VenueFaults::Create(options.scenario.faults, t0);
  if (!faults.ok()) return faults.status();
  auto impl = std::make_shared<Impl>(io, std::move(source), std::move(options), std::move(*venue),
                                     std::move(*faults), t0);
  impl->next = std::move(first);
  return std::unique_ptr<ExchangeCore>(new ExchangeCore(std::move(impl)));
}

ExchangeCore::ExchangeCore(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

ExchangeCore::~ExchangeCore() {
  impl_->stopped = true;
  impl_->timer.cancel();
}

void ExchangeCore::SetPublisher(FeedPublisher* publisher) {
  TD_CHECK_MSG(!impl_->started, "SetPublisher after Start");
  impl_->publisher = publisher;
}

void ExchangeCore::Start() {
  Impl& s = *impl_;
  TD_CHECK_MSG(!s.started, "ExchangeCore::Start called twice");
  s.started = true;
  s.pacer = Pacer(s.t0, SteadyNowNs(), s.options.speed);
  s.next_fault = s.faults.NextDisconnect(s.t0, s.link_rng);
  s.Kick();
}

void ExchangeCore::Stop() {
  Impl& s = *impl_;
  if (s.stopped) return;
  s.stopped = true;
  s.timer.cancel();
  s.links.clear();
  if (s.session) {
    Impl::Session session = std::move(*s.session);
    s.session.reset();
    ++s.counters.sessions_closed;
    if (session.on_forced_disconnect) session.on_forced_disconnect("exchange stopping");
  }
}

Result<SessionHandle> ExchangeCore::OpenSession(ReplyFn on_reply,
                                                ForcedDisconnectFn on_forced_disconnect) {
  Impl& s = *impl_;
  if (s.stopped) {
    ++s.counters.sessions_refused;
    return Status(StatusCode::kUnavailable, "the exchange is stopping");
  }
  if (s.session) {
    ++s.counters.sessions_refused;
    return FailedPrecondition(
        "trading session " + std::to_string(s.session->id) +
        " is already open: the simulated venue serves one trading session at a time");
  }
  const Timestamp now = s.AdvanceMarketClock();
  if (s.last_fault && now < s.last_fault->reconnect_at) {
    ++s.counters.sessions_refused;
    return Status(StatusCode::kUnavailable,
                  "the venue is down after a " +
                      std::string(sim::DisconnectCauseName(s.last_fault->cause)) +
                      " disconnect until " + SecondsText(s.last_fault->reconnect_at - s.t0) +
                      " after the session start (now " + SecondsText(now - s.t0) + ")");
  }
  if (std::optional<sim::Disconnect> outage = s.faults.OutageAt(now)) {
    ++s.counters.sessions_refused;
    return Status(StatusCode::kUnavailable, "the venue is in an outage until " +
                                                SecondsText(outage->reconnect_at - s.t0) +
                                                " after the session start");
  }
  s.session =
      Impl::Session{s.next_session_id++, std::move(on_reply), std::move(on_forced_disconnect)};
  ++s.counters.sessions_opened;
  return SessionHandle{s.session->id};
}

Status ExchangeCore::Submit(SessionHandle handle, const Payload& command) {
  Impl& s = *impl_;
  if (!s.session || s.session->id != handle.id) {
    return FailedPrecondition("session " + std::to_string(handle.id) +
                              " is not open (closed, disconnected by a venue fault, or never "
                              "opened)");
  }
  if (!replayer::IsVenueCommand(command)) {
    return InvalidArgument("Submit: a " + std::string(PayloadKindName(command.index())) +
                           " is not an order-entry command");
  }
  if (s.links.size() >= s.options.max_pending_messages) {
    return Status(
        StatusCode::kUnavailable,
        "order-entry link full (" + std::to_string(s.links.size()) + " messages in flight)");
  }
  const int64_t now = SteadyNowNs();
  const int64_t delay = s.pacer.WallDelayNs(Duration{s.latency.order_entry.Sample(s.link_rng)});
  const int64_t at = std::max(now + delay, s.last_to_venue_due);
  s.last_to_venue_due = at;
  ++s.counters.commands;
  s.Schedule(at, Impl::LinkItem{Impl::LinkKind::kToVenue, handle.id, command});
  return Status::Ok();
}

void ExchangeCore::CloseSession(SessionHandle handle, bool cancel_on_disconnect) {
  Impl& s = *impl_;
  if (!s.session || s.session->id != handle.id) return;
  s.session.reset();
  ++s.counters.sessions_closed;
  std::vector<Payload> silent;
  s.venue.OnDisconnect(
      cancel_on_disconnect ? sim::OpenOrderPolicy::kCancelAll : sim::OpenOrderPolicy::kKeep,
      &silent);
}

bool ExchangeCore::session_open() const { return impl_->session.has_value(); }

std::optional<InstrumentId> ExchangeCore::FindSymbol(std::string_view symbol) const {
  const auto it = impl_->symbols.find(symbol);
  if (it == impl_->symbols.end()) return std::nullopt;
  return it->second;
}

const ExchangeCounters& ExchangeCore::counters() const { return impl_->counters; }
const sim::VenueCounters& ExchangeCore::venue_counters() const { return impl_->venue.counters(); }
Status ExchangeCore::market_status() const { return impl_->market_status; }
const sim::SimVenue& ExchangeCore::venue() const { return impl_->venue; }
const std::vector<InstrumentDef>& ExchangeCore::instruments() const { return impl_->instruments; }
Timestamp ExchangeCore::session_start() const { return impl_->t0; }
uint64_t ExchangeCore::seed() const { return impl_->options.seed; }
Timestamp ExchangeCore::MarketNow() const { return impl_->MarketNowAt(SteadyNowNs()); }
std::vector<Event> ExchangeCore::FeedSnapshot() const { return impl_->Snapshot(); }
bool ExchangeCore::market_ended() const { return impl_->counters.market_ended; }

}  // namespace td::server
