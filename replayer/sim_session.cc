#include "replayer/sim_session.h"

#include <algorithm>
#include <utility>

#include "replayer/record_kinds.h"

namespace td::replayer {

uint64_t DeriveSeed(uint64_t seed, uint64_t stream) {
  uint64_t z = seed ^ (stream * 0x9e3779b97f4a7c15ULL);
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

namespace {

constexpr uint64_t kVenueSeedStream = 1;
constexpr uint64_t kLinkSeedStream = 2;

bool IsAck(const Payload& p) {
  return std::holds_alternative<OrderAck>(p) || std::holds_alternative<CancelAck>(p) ||
         std::holds_alternative<ReplaceAck>(p);
}

sim::VenueConfig VenueConfigOf(const sim::Scenario& s) {
  sim::VenueConfig v;
  v.rate_limit = s.rate_limit;
  v.faults = s.faults;
  v.slippage = s.slippage;
  v.fees = s.fees;
  return v;
}

}  // namespace

Result<std::unique_ptr<SimSession>> SimSession::Create(const RunConfig& config,
                                                       std::vector<InstrumentDef> instruments,
                                                       uint64_t seed, Timestamp t0,
                                                       RecordSink* sink) {
  auto strategy = engine::MakeStrategy(config.engine.strategy, config.engine.bug);
  if (!strategy.ok()) return strategy.status();
  auto venue = sim::SimVenue::Create(instruments, VenueConfigOf(config.scenario),
                                     DeriveSeed(seed, kVenueSeedStream));
  if (!venue.ok()) return venue.status();
  auto faults = sim::VenueFaults::Create(config.scenario.faults, t0);
  if (!faults.ok()) return faults.status();
  auto engine =
      std::make_unique<engine::Engine>(config.engine, std::move(*strategy), instruments, seed);
  return std::unique_ptr<SimSession>(new SimSession(config, std::move(instruments), seed, t0, sink,
                                                    std::move(engine), std::move(*venue),
                                                    std::move(*faults)));
}

SimSession::SimSession(const RunConfig& config, std::vector<InstrumentDef>, uint64_t seed,
                       Timestamp t0, RecordSink* sink, std::unique_ptr<engine::Engine> engine,
                       sim::SimVenue venue, sim::VenueFaults faults)
    : latency_(config.scenario.latency),
      sink_(sink),
      engine_(std::move(engine)),
      venue_(std::move(venue)),
      faults_(std::move(faults)),
      link_rng_(DeriveSeed(seed, kLinkSeedStream)),
      sched_(t0),
      t0_(t0),
      operators_(config.operators),
      last_to_venue_(t0),
      last_to_engine_(t0),
      last_md_(t0) {
  result_.start = t0;
}

SimSession::~SimSession() = default;

void SimSession::StartEngine() {
  out_.clear();
  engine_->Start(t0_, &out_);
  std::vector<Payload> started = std::move(out_);
  for (const Payload& o : started) {
    sink_->Record(t0_, o);
    hash_.Add(t0_, o);
    ++result_.outputs;
    HandleOutput(t0_, o);
  }
}

void SimSession::StartRecorded() {
  recorded_ = true;
  StartEngine();
}

void SimSession::FeedRecorded(Timestamp ts, const Payload& input) {
  TD_CHECK(recorded_);
  if (ts > sched_.now()) sched_.AdvanceTo(ts);
  if (IsMarketData(input)) {
    replies_.clear();
    venue_.OnMarketData(Event{0, sched_.now(), input}, &replies_);
  }
  if (const auto* f = std::get_if<TimerFired>(&input)) timers_.erase(f->timer_id);
  DispatchToEngine(sched_.now(), input);
}

void SimSession::EndRecorded(Timestamp t) {
  recorded_ = false;
  exec_id_offset_ = kWhatIfExecIdBase;
  if (t > sched_.now()) sched_.AdvanceTo(t);
  const Timestamp now = sched_.now();
  last_to_venue_ = last_to_engine_ = last_md_ = now;
  for (const auto& [id, fire_at] : timers_) {
    sched_.Schedule(std::max(fire_at, now),
                    Item{ItemKind::kTimer, 0, false, TimerFired{id, fire_at}, {}});
  }
  for (const ScheduledCommand& c : operators_) {
    if (t0_ + c.at >= now) {
      sched_.Schedule(t0_ + c.at, Item{ItemKind::kEngineInput, 0, false, c.command, {}});
    }
  }
  ScheduleNextDisconnect(now);
}

void SimSession::Start() {
  StartEngine();
  DispatchToEngine(t0_, SessionState{1, SessionStateKind::kLoggedOn, "simulated venue"});
  for (const ScheduledCommand& c : operators_) {
    sched_.Schedule(t0_ + c.at, Item{ItemKind::kEngineInput, 0, false, c.command, {}});
  }
  ScheduleNextDisconnect(t0_);
}

void SimSession::ScheduleNextDisconnect(Timestamp from) {
  std::optional<sim::Disconnect> d = faults_.NextDisconnect(from, link_rng_);
  if (!d) return;
  Item item{ItemKind::kDisconnect, 0, false, SessionState{}, d};
  sched_.Schedule(std::max(d->at, from), std::move(item));
}

void SimSession::Run(MarketSource& source, Timestamp end) {
  std::optional<Event> md;
  bool market_done = false;
  while (true) {
    if (!md && !market_done) {
      Event e;
      if (source.Next(&e)) {
        md = std::move(e);
      } else {
        market_done = true;
        if (end == Timestamp::Max()) {
          // The data ran out without a set duration: the venue's trading day ends here, and
          // its open DAY orders of ours expire.
          end = std::max(last_md_, sched_.now()) + kDrainAfterMarket;
          replies_.clear();
          venue_.EndOfDay(&replies_);
          std::vector<Payload> expired = std::move(replies_);
          if (connected_) SendToEngine(sched_.now(), expired);
        }
      }
    }
    const std::optional<Timestamp> next = sched_.next_time();
    if (md && md->ts <= end && (!next || md->ts <= *next)) {
      if (md->ts > sched_.now()) sched_.AdvanceTo(md->ts);
      md->ts = sched_.now();
      HandleMarketData(*md);
      md.reset();
      continue;
    }
    if (md && md->ts > end) market_done = true, md.reset();
    std::optional<Scheduler<Item>::Entry> e = sched_.PopUntil(end);
    if (!e) break;
    Handle(e->at, std::move(e->item));
  }
  result_.end = std::max(sched_.now(), end == Timestamp::Max() ? sched_.now() : end);
}

void SimSession::HandleMarketData(const Event& md) {
  const Timestamp now = md.ts;
  if (const auto* q = std::get_if<L1Quote>(&md.payload); q && touch_.contains(q->instrument)) {
    return;  // an L3 instrument's touch is published from the venue book (TouchChange)
  }
  replies_.clear();
  venue_.OnMarketData(md, &replies_);
  std::vector<Payload> fills = std::move(replies_);
  SendToEngine(now, fills);
  if (now < outage_until_) {  // the venue's feed is down: the touch moves unseen
    if (const auto* l3 = std::get_if<L3Order>(&md.payload)) (void)TouchChange(*l3);
    return;
  }
  Timestamp at = std::max(now + Duration{latency_.market_data.Sample(link_rng_)}, last_md_);
  last_md_ = at;
  sched_.Schedule(at, Item{ItemKind::kEngineInput, 0, false, md.payload, {}});
  if (const auto* l3 = std::get_if<L3Order>(&md.payload)) {
    if (std::optional<L1Quote> q = TouchChange(*l3)) {
      sched_.Schedule(at, Item{ItemKind::kEngineInput, 0, false, *q, {}});
    }
  }
}

void SimSession::PublishSnapshotAfterReconnect(Timestamp now, bool after_outage) {
  const std::optional<Duration> stale = faults_.StaleSnapshotAge(link_rng_);
  if (!after_outage && !stale) return;
  Timestamp at = std::max(now + Duration{latency_.market_data.Sample(link_rng_)}, last_md_);
  last_md_ = at;
  for (const auto& [instrument, current] : touch_) {
    L1Quote q = current;
    if (stale) {  // the last touch at or before now - age (the oldest kept when none is)
      const auto& h = touch_history_[instrument];
      for (auto it = h.rbegin(); it != h.rend(); ++it) {
        q = it->second;
        if (it->first <= now - *stale) break;
      }
    }
    sched_.Schedule(at, Item{ItemKind::kEngineInput, 0, false, q, {}});
  }
}

std::optional<L1Quote> SimSession::TouchChange(const L3Order& l3) {
  const sim::OrderBook* book = venue_.book(l3.instrument);
  if (book == nullptr) return std::nullopt;
  // Our own resting quantity by side and price, to take out of the public touch.
  std::map<std::pair<Side, int64_t>, int64_t> own;
  for (auto it = ours_.begin(); it != ours_.end();) {
    std::optional<sim::SessionOrderView> v = venue_.FindOrder(*it);
    const bool open = v && v->leaves_qty.raw > 0 &&
                      (v->status == OrdStatus::kNew || v->status == OrdStatus::kPartiallyFilled ||
                       v->status == OrdStatus::kPendingNew);
    if (v && v->status == OrdStatus::kReplaced) {
      ++it;  // the order lives on under the replace's id
      continue;
    }
    if (!open) {
      it = ours_.erase(it);
      continue;
    }
    if (v->instrument == l3.instrument) own[{v->side, v->price.raw}] += v->leaves_qty.raw;
    ++it;
  }
  L1Quote q;
  q.instrument = l3.instrument;
  for (Side side : {Side::kBuy, Side::kSell}) {
    sim::LevelView levels[kTouchLevelsScanned];
    const size_t n = book->Levels(side, kTouchLevelsScanned, levels);
    for (size_t i = 0; i < n; ++i) {
      auto o = own.find({side, levels[i].price.raw});
      const int64_t qty = levels[i].qty.raw - (o == own.end() ? 0 : o->second);
      if (qty <= 0) continue;
      (side == Side::kBuy ? q.bid : q.ask) = PriceLevel{levels[i].price, Qty{qty}};
      break;
    }
  }
  q.exchange_ts = l3.exchange_ts;
  q.receive_ts = l3.receive_ts;
  auto [it, inserted] = touch_.try_emplace(l3.instrument, q);
  if (!inserted) {
    if (it->second.bid == q.bid && it->second.ask == q.ask) return std::nullopt;
    it->second = q;
  }
  if (faults_.config().stale_book_after_reconnect.num > 0) {
    auto& h = touch_history_[l3.instrument];
    const Timestamp now = sched_.now();
    h.emplace_back(now, q);
    while (h.size() > 1 && h[1].first <= now - faults_.config().stale_book_age) h.pop_front();
  }
  return q;
}

void SimSession::Handle(Timestamp now, Item item) {
  switch (item.kind) {
    case ItemKind::kEngineInput:
      if (item.from_venue && (!connected_ || item.epoch != epoch_)) {
        ++result_.links.replies_lost;
        return;
      }
      DispatchToEngine(now, item.payload);
      return;
    case ItemKind::kVenueCommand:
    case ItemKind::kVenueAdmitted: {
      if (!connected_ || item.epoch != epoch_) {
        ++result_.links.commands_lost;
        return;
      }
      if (const auto* n = std::get_if<NewOrder>(&item.payload)) ours_.insert(n->cl_ord_id);
      if (const auto* r = std::get_if<ReplaceOrder>(&item.payload)) ours_.insert(r->cl_ord_id);
      const Event cmd{0, now, item.payload};
      replies_.clear();
      if (item.kind == ItemKind::kVenueAdmitted) {
        venue_.ExecuteAdmitted(cmd, &replies_);
      } else {
        sim::CommandResult r = venue_.OnCommand(cmd, &replies_);
        if (r.outcome == sim::CommandOutcome::kQueued) {
          item.kind = ItemKind::kVenueAdmitted;
          sched_.Schedule(std::max(r.send_at, now), std::move(item));
          return;
        }
      }
      std::vector<Payload> replies = std::move(replies_);
      SendToEngine(now, replies);
      return;
    }
    case ItemKind::kTimer: {
      const auto& fired = std::get<TimerFired>(item.payload);
      auto it = timers_.find(fired.timer_id);
      if (it == timers_.end() || it->second != fired.scheduled) return;  // canceled or reset
      timers_.erase(it);
      DispatchToEngine(now, item.payload);
      return;
    }
    case ItemKind::kDisconnect: {
      const sim::Disconnect d = *item.disconnect;
      connected_ = false;
      ++epoch_;
      ++result_.links.disconnects;
      std::vector<Payload> silent;
      venue_.OnDisconnect(d.open_orders, &silent);
      if (d.cause == sim::DisconnectCause::kOutage) outage_until_ = d.reconnect_at;
      DispatchToEngine(now, SessionState{1, SessionStateKind::kDisconnected,
                                         std::string(sim::DisconnectCauseName(d.cause))});
      item.kind = ItemKind::kReconnect;
      sched_.Schedule(std::max(d.reconnect_at, now), std::move(item));
      return;
    }
    case ItemKind::kReconnect: {
      connected_ = true;
      const bool after_outage = item.disconnect->cause == sim::DisconnectCause::kOutage;
      DispatchToEngine(now, SessionState{1, SessionStateKind::kLoggedOn, "reconnected"});
      PublishSnapshotAfterReconnect(now, after_outage);
      ScheduleNextDisconnect(now);
      return;
    }
  }
}

void SimSession::DispatchToEngine(Timestamp now, const Payload& input) {
  sink_->Record(now, input);
  ++result_.inputs;
  out_.clear();
  engine_->Dispatch(Event{0, now, input}, &out_);
  std::vector<Payload> outputs = std::move(out_);
  out_.clear();
  for (const Payload& o : outputs) {
    sink_->Record(now, o);
    hash_.Add(now, o);
    ++result_.outputs;
  }
  for (const Payload& o : outputs) HandleOutput(now, o);
}

void SimSession::HandleOutput(Timestamp now, const Payload& out) {
  if (recorded_) {
    // The recorded prefix: the venue learns of our orders; its replies are not delivered
    // (the journal's own replies are).
    if (const auto* t = std::get_if<TimerSet>(&out)) timers_[t->timer_id] = t->fire_at;
    if (const auto* c = std::get_if<TimerCancel>(&out)) timers_.erase(c->timer_id);
    if (IsVenueCommand(out)) {
      if (const auto* n = std::get_if<NewOrder>(&out)) ours_.insert(n->cl_ord_id);
      if (const auto* r = std::get_if<ReplaceOrder>(&out)) ours_.insert(r->cl_ord_id);
      replies_.clear();
      (void)venue_.OnCommand(Event{0, now, out}, &replies_);
    }
    return;
  }
  if (IsVenueCommand(out)) {
    if (!connected_) {
      ++result_.links.commands_lost;
      return;
    }
    Timestamp at = std::max(now + Duration{latency_.order_entry.Sample(link_rng_)}, last_to_venue_);
    last_to_venue_ = at;
    sched_.Schedule(at, Item{ItemKind::kVenueCommand, epoch_, false, out, {}});
  } else if (const auto* t = std::get_if<TimerSet>(&out)) {
    timers_[t->timer_id] = t->fire_at;
    sched_.Schedule(std::max(t->fire_at, now),
                    Item{ItemKind::kTimer, 0, false, TimerFired{t->timer_id, t->fire_at}, {}});
  } else if (const auto* c = std::get_if<TimerCancel>(&out)) {
    timers_.erase(c->timer_id);
  }
}

void SimSession::SendToEngine(Timestamp now, std::vector<Payload>& replies) {
  for (Payload& r : replies) {
    if (auto* f = std::get_if<Fill>(&r)) f->exec_id += exec_id_offset_;
    Timestamp at =
        std::max(now + Duration{latency_.venue_response.Sample(link_rng_)}, last_to_engine_);
    int copies = 1;
    if (IsAck(r)) {
      sim::AckDecision d = faults_.DecideAck(link_rng_);
      if (d.fate == sim::AckFate::kDrop) {
        ++result_.links.acks_dropped;
        continue;
      }
      if (d.fate == sim::AckFate::kDuplicate) ++result_.links.acks_duplicated, copies = 2;
      if (d.fate == sim::AckFate::kDelay) {
        ++result_.links.acks_delayed;
        sched_.Schedule(at + d.extra_delay, Item{ItemKind::kEngineInput, epoch_, true, r, {}});
        continue;
      }
    }
    last_to_engine_ = at;
    for (int i = 0; i < copies; ++i) {
      sched_.Schedule(at, Item{ItemKind::kEngineInput, epoch_, true, r, {}});
    }
  }
}

SessionResult SimSession::Finish() const {
  SessionResult r = result_;
  r.event_hash = hash_.digest();
  r.engine_digest = engine_->StateDigest();
  r.venue_digest = venue_.StateDigest();
  r.engine = engine_->Summary();
  r.venue = venue_.counters();
  return r;
}

}  // namespace td::replayer
