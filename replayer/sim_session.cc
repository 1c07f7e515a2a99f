#include "replayer/sim_session.h"

#include <algorithm>
#include <utility>

#include "replayer/record_kinds.h"

namespace td::replayer {
namespace {

size_t SideIndex(Side side) { return side == Side::kBuy ? 0 : 1; }

}  // namespace

uint64_t DeriveSeed(uint64_t seed, uint64_t stream) {
  uint64_t z = seed ^ (stream * 0x9e3779b97f4a7c15ULL);
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

sim::VenueConfig VenueConfigOf(const sim::Scenario& s) {
  sim::VenueConfig v;
  v.rate_limit = s.rate_limit;
  v.faults = s.faults;
  v.slippage = s.slippage;
  v.fees = s.fees;
  return v;
}

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

SimSession::SimSession(const RunConfig& config, std::vector<InstrumentDef> instruments,
                       uint64_t seed, Timestamp t0, RecordSink* sink,
                       std::unique_ptr<engine::Engine> engine, sim::SimVenue venue,
                       sim::VenueFaults faults)
    : latency_(config.scenario.latency),
      link_config_(config.session),
      fix_(config.session.protocol == LinkProtocol::kFix
               ? std::make_unique<FixLink>(config.session, instruments)
               : nullptr),
      wire_rng_(DeriveSeed(seed, kWireSeedStream)),
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
    if (hash_outputs_) hash_.Add(t0_, o);
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
  DispatchToEngine(sched_.now(), Payload(input));
}

void SimSession::EndRecorded(Timestamp t) {
  recorded_ = false;
  exec_id_offset_ = kWhatIfExecIdBase;
  if (t > sched_.now()) sched_.AdvanceTo(t);
  const Timestamp now = sched_.now();
  last_to_venue_ = last_to_engine_ = last_md_ = now;
  for (const auto& [id, fire_at] : timers_) {
    Post(std::max(fire_at, now), ItemKind::kTimer, 0, false, TimerFired{id, fire_at});
  }
  for (const ScheduledCommand& c : operators_) {
    if (t0_ + c.at >= now) {
      Post(t0_ + c.at, ItemKind::kEngineInput, 0, false, c.command);
    }
  }
  ScheduleNextDisconnect(now);
}

void SimSession::Start() {
  StartEngine();
  if (fix_) {
    FixTransportUp(t0_);  // the engine's session logs on; kLoggedOn follows the reply
  } else {
    DispatchToEngine(t0_, SessionState{1, SessionStateKind::kLoggedOn, "simulated venue"});
  }
  for (const ScheduledCommand& c : operators_) {
    Post(t0_ + c.at, ItemKind::kEngineInput, 0, false, c.command);
  }
  ScheduleNextDisconnect(t0_);
}

void SimSession::ScheduleNextDisconnect(Timestamp from) {
  std::optional<sim::Disconnect> d = faults_.NextDisconnect(from, link_rng_);
  if (!d) return;
  Item item{ItemKind::kDisconnect, 0, false, Event{}, d};
  sched_.Schedule(std::max(d->at, from), std::move(item));
}

void SimSession::Run(MarketSource& source, Timestamp end) {
  Event md;  // the next market record, read in place (reused: no Event to build per record)
  bool have_md = false, market_done = false;
  while (true) {
    if (!have_md && !market_done) {
      have_md = source.Next(&md);
      if (!have_md) {
        market_done = true;
        if (end == Timestamp::Max()) {
          // The data ran out without a set duration: the venue's trading day ends here, and
          // its open DAY orders of ours expire.
          end = std::max(last_md_, sched_.now()) + kDrainAfterMarket;
          replies_.clear();
          venue_.EndOfDay(&replies_);
          // Over FIX the venue's session keeps them for a resend when it is down.
          if (connected_ || fix_) SendToEngine(sched_.now(), replies_);
        }
      }
    }
    if (have_md && md.ts <= end && md.ts <= sched_.next_time()) {
      if (md.ts > sched_.now()) sched_.AdvanceTo(md.ts);
      md.ts = sched_.now();
      HandleMarketData(md);
      have_md = false;
      continue;
    }
    if (have_md && md.ts > end) market_done = true, have_md = false;
    Item* item = sched_.PopUntil(end);
    if (item == nullptr) break;
    Handle(sched_.now(), std::move(*item));
  }
  result_.end = std::max(sched_.now(), end == Timestamp::Max() ? sched_.now() : end);
}

void SimSession::HandleMarketData(Event& md) {
  const Timestamp now = md.ts;
  if (const auto* q = std::get_if<L1Quote>(&md.payload); q && touch_.contains(q->instrument)) {
    return;  // an L3 instrument's touch is published from the venue book (TouchChange)
  }
  replies_.clear();
  venue_.OnMarketData(md, &replies_);
  SendToEngine(now, replies_);
  if (now < outage_until_) {  // the venue's feed is down: the touch moves unseen
    if (const auto* l3 = std::get_if<L3Order>(&md.payload)) (void)TouchChange(*l3);
    return;
  }
  Timestamp at = std::max(now + Duration{latency_.market_data.Sample(link_rng_)}, last_md_);
  last_md_ = at;
  // The touch is computed before md's payload is moved into the link; the record is still
  // scheduled first (TouchChange neither schedules nor draws from link_rng_).
  std::optional<L1Quote> q;
  if (const auto* l3 = std::get_if<L3Order>(&md.payload)) q = TouchChange(*l3);
  Post(at, ItemKind::kEngineInput, 0, false, std::move(md.payload));
  if (q) Post(at, ItemKind::kEngineInput, 0, false, *q);
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
    Post(at, ItemKind::kEngineInput, 0, false, q);
  }
}

std::optional<L1Quote> SimSession::TouchChange(const L3Order& l3) {
  const sim::OrderBook* book = venue_.book(l3.instrument);
  if (book == nullptr) return std::nullopt;
  // The touch last read from this book still stands when nothing displayed changed at its
  // prices or better (the touch itself, and the levels above it, which hold only ours): it
  // is decided by those levels alone. Our own orders are in the book, so a change to them is
  // a change there too.
  if (book == touch_book_ && !book->ChangedAtOrBetter(Side::kBuy, touch_bound_[0]) &&
      !book->ChangedAtOrBetter(Side::kSell, touch_bound_[1])) {
    book->ClearChanged();
    return std::nullopt;
  }
  book->ClearChanged();
  touch_book_ = book;
  L1Quote q;
  q.instrument = l3.instrument;
  for (Side side : {Side::kBuy, Side::kSell}) {
    // The market's touch: our displayed quantity taken out, a level of only ours skipped.
    const std::optional<sim::LevelView> best =
        book->BestExcluding(side, sim::kSession, kTouchLevelsScanned);
    touch_bound_[SideIndex(side)] = best ? std::optional<Price>(best->price) : std::nullopt;
    if (best) (side == Side::kBuy ? q.bid : q.ask) = PriceLevel{best->price, best->qty};
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

void SimSession::Handle(Timestamp now, Item&& item) {
  switch (item.kind) {
    case ItemKind::kEngineInput:
      if (item.from_venue && (!connected_ || item.epoch != epoch_)) {
        ++result_.links.replies_lost;
        return;
      }
      item.event.ts = now;
      DispatchToEngine(item.event);
      return;
    case ItemKind::kVenueCommand:
    case ItemKind::kVenueAdmitted:
      ExecuteAtVenue(now, std::move(item));
      return;
    case ItemKind::kWireToVenue:
    case ItemKind::kWireToEngine: {
      if (!connected_ || item.epoch != epoch_) {
        ++result_.links.wire_lost_in_flight;
        return;
      }
      const std::string& bytes = std::get<WireMessage>(item.event.payload).bytes;
      FixEffects fx;
      if (item.kind == ItemKind::kWireToVenue) {
        fix_->VenueReceives(now, bytes, &fx);
      } else {
        fix_->EngineReceives(now, bytes, &fx);
      }
      ProcessFix(now, fx);
      return;
    }
    case ItemKind::kVenueReply: {
      FixEffects fx;
      fix_->SendReply(now, item.event.payload, &fx);
      ProcessFix(now, fx);
      return;
    }
    case ItemKind::kFixTimer: {
      if (now >= fix_timer_at_) fix_timer_at_ = Timestamp::Max();
      FixEffects fx;
      fix_->OnTimer(now, &fx);
      ProcessFix(now, fx);
      return;
    }
    case ItemKind::kTimer: {
      const auto& fired = std::get<TimerFired>(item.event.payload);
      auto it = timers_.find(fired.timer_id);
      if (it == timers_.end() || it->second != fired.scheduled) return;  // canceled or reset
      timers_.erase(it);
      item.event.ts = now;
      DispatchToEngine(item.event);
      return;
    }
    case ItemKind::kDisconnect: {
      const sim::Disconnect d = *item.disconnect;
      ++result_.links.disconnects;
      if (d.cause == sim::DisconnectCause::kOutage) outage_until_ = d.reconnect_at;
      if (fix_) {
        fault_down_until_ = std::max(fault_down_until_, d.reconnect_at);
        if (connected_) {
          FixTransportDown(now, sim::DisconnectCauseName(d.cause), d.open_orders);
        }
      } else {
        connected_ = false;
        ++epoch_;
        std::vector<Payload> silent;
        venue_.OnDisconnect(d.open_orders, &silent);
        DispatchToEngine(now, SessionState{1, SessionStateKind::kDisconnected,
                                           std::string(sim::DisconnectCauseName(d.cause))});
      }
      item.kind = ItemKind::kReconnect;
      sched_.Schedule(std::max(d.reconnect_at, now), std::move(item));
      return;
    }
    case ItemKind::kReconnect: {
      // FIX: a reconnect after a session ended itself carries no disconnect; it waits for a
      // fault's down time, and one that finds the transport up has nothing to do.
      if (fix_ && (connected_ || now < fault_down_until_)) {
        if (item.disconnect) ScheduleNextDisconnect(now);
        return;
      }
      const bool after_outage =
          item.disconnect && item.disconnect->cause == sim::DisconnectCause::kOutage;
      if (fix_) {
        FixTransportUp(now);
      } else {
        connected_ = true;
        DispatchToEngine(now, SessionState{1, SessionStateKind::kLoggedOn, "reconnected"});
      }
      PublishSnapshotAfterReconnect(now, after_outage);
      if (item.disconnect) ScheduleNextDisconnect(now);
      return;
    }
  }
}

void SimSession::ExecuteAtVenue(Timestamp now, Item&& item) {
  if (!connected_ || item.epoch != epoch_) {
    ++result_.links.commands_lost;
    return;
  }
  Event& cmd = item.event;
  cmd.ts = now;
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
  SendToEngine(now, replies_);
}

void SimSession::DispatchToEngine(Event& input) {
  const Timestamp now = input.ts;
  sink_->Record(now, input.payload);
  ++result_.inputs;
  out_.clear();
  engine_->Dispatch(input, &out_);
  // Swap into a second scratch vector rather than moving out_ away, so that neither loses its
  // capacity (no allocation per dispatch). HandleOutput never dispatches to the engine again,
  // so dispatched_ is not reused while it is being walked.
  std::vector<Payload>& outputs = dispatched_;
  outputs.swap(out_);
  out_.clear();
  for (const Payload& o : outputs) {
    sink_->Record(now, o);
    if (hash_outputs_) hash_.Add(now, o);
    ++result_.outputs;
  }
  for (const Payload& o : outputs) HandleOutput(now, o);
  outputs.clear();
}

void SimSession::HandleOutput(Timestamp now, const Payload& out) {
  if (recorded_) {
    // The recorded prefix: the venue learns of our orders; its replies are not delivered
    // (the journal's own replies are).
    if (const auto* t = std::get_if<TimerSet>(&out)) timers_[t->timer_id] = t->fire_at;
    if (const auto* c = std::get_if<TimerCancel>(&out)) timers_.erase(c->timer_id);
    if (IsVenueCommand(out)) {
      replies_.clear();
      (void)venue_.OnCommand(Event{0, now, out}, &replies_);
    }
    return;
  }
  if (IsVenueCommand(out)) {
    if (fix_) {  // sent by the engine's FIX session, or held until its next Logon
      FixEffects fx;
      fix_->SendCommand(now, out, &fx);
      ProcessFix(now, fx);
      return;
    }
    if (!connected_) {
      ++result_.links.commands_lost;
      return;
    }
    Timestamp at = std::max(now + Duration{latency_.order_entry.Sample(link_rng_)}, last_to_venue_);
    last_to_venue_ = at;
    Post(at, ItemKind::kVenueCommand, epoch_, false, out);
  } else if (const auto* t = std::get_if<TimerSet>(&out)) {
    timers_[t->timer_id] = t->fire_at;
    Post(std::max(t->fire_at, now), ItemKind::kTimer, 0, false,
         TimerFired{t->timer_id, t->fire_at});
  } else if (const auto* c = std::get_if<TimerCancel>(&out)) {
    timers_.erase(c->timer_id);
  }
}

int SimSession::AckFault(const Payload& reply, std::optional<Duration>* delay) {
  if (!IsAck(reply)) return 1;
  const sim::AckDecision d = faults_.DecideAck(link_rng_);
  switch (d.fate) {
    case sim::AckFate::kDrop:
      ++result_.links.acks_dropped;
      return 0;
    case sim::AckFate::kDuplicate:
      ++result_.links.acks_duplicated;
      return 2;
    case sim::AckFate::kDelay:
      ++result_.links.acks_delayed;
      *delay = d.extra_delay;
      return 0;
    case sim::AckFate::kDeliver:
      break;
  }
  return 1;
}

void SimSession::SendToEngine(Timestamp now, std::vector<Payload>& replies) {
  if (fix_) {
    // Ack faults act before encoding: a dropped ack is never sent, a duplicated one is sent
    // twice (two ExecutionReports), a delayed one is encoded when it is due.
    FixEffects fx;
    for (Payload& r : replies) {
      std::optional<Duration> delay;
      const int copies = AckFault(r, &delay);
      if (delay) {
        Post(now + *delay, ItemKind::kVenueReply, epoch_, true, std::move(r));
      }
      for (int i = 0; i < copies; ++i) fix_->SendReply(now, r, &fx);
    }
    ProcessFix(now, fx);
    return;
  }
  for (Payload& r : replies) {
    if (auto* f = std::get_if<Fill>(&r)) f->exec_id += exec_id_offset_;
    Timestamp at =
        std::max(now + Duration{latency_.venue_response.Sample(link_rng_)}, last_to_engine_);
    std::optional<Duration> delay;
    const int copies = AckFault(r, &delay);
    if (delay) {  // a late ack may overtake later replies: last_to_engine_ stays
      Post(at + *delay, ItemKind::kEngineInput, epoch_, true, std::move(r));
    }
    if (copies == 0) continue;
    last_to_engine_ = at;
    // The caller discards `replies` afterwards: the last copy takes the payload by move.
    if (copies == 2) Post(at, ItemKind::kEngineInput, epoch_, true, r);
    Post(at, ItemKind::kEngineInput, epoch_, true, std::move(r));
  }
}

void SimSession::ProcessFix(Timestamp now, FixEffects& fx) {
  for (const WireMessage& w : fx.journal) sink_->Record(now, w);
  for (std::string& b : fx.to_venue) CarryWire(now, true, std::move(b));
  for (std::string& b : fx.to_engine) CarryWire(now, false, std::move(b));
  for (Payload& c : fx.venue_commands) {
    ExecuteAtVenue(now,
                   Item{ItemKind::kVenueCommand, epoch_, false, Event{0, now, std::move(c)}, {}});
  }
  for (Payload& in : fx.engine_inputs) DispatchToEngine(now, std::move(in));
  if (fx.closed && connected_) {
    FixTransportDown(now, fx.close_reason, faults_.config().disconnect_open_orders);
    Post(now + link_config_.reconnect_interval, ItemKind::kReconnect, 0, false, SessionState{});
  }
  ArmFixTimer(now);
}

void SimSession::CarryWire(Timestamp now, bool to_venue, std::string bytes) {
  if (link_config_.wire_loss.Draw(wire_rng_)) {
    ++result_.links.wire_lost;
    return;
  }
  ++result_.links.wire_messages;
  const Duration latency{
      (to_venue ? latency_.order_entry : latency_.venue_response).Sample(link_rng_)};
  Timestamp& last = to_venue ? last_to_venue_ : last_to_engine_;
  last = std::max(now + latency, last);
  const WireDirection dir = to_venue ? WireDirection::kOutbound : WireDirection::kInbound;
  Post(last, to_venue ? ItemKind::kWireToVenue : ItemKind::kWireToEngine, epoch_, !to_venue,
       WireMessage{kFixLinkConnection, dir, std::move(bytes)});
}

void SimSession::ArmFixTimer(Timestamp now) {
  Timestamp due = fix_->NextTimerDeadline();
  if (due == Timestamp::Max()) return;
  // Whatever was due by now has been handled; a deadline not in the future is looked at
  // again shortly rather than at once, so that a timer can never spin on one instant.
  if (due <= now) due = now + Duration::Millis(1);
  if (due >= fix_timer_at_) return;  // an earlier timer is already scheduled
  fix_timer_at_ = due;
  Post(due, ItemKind::kFixTimer, 0, false, SessionState{});
}

void SimSession::FixTransportDown(Timestamp now, std::string_view why,
                                  sim::OpenOrderPolicy policy) {
  connected_ = false;
  ++epoch_;
  std::vector<Payload> silent;
  venue_.OnDisconnect(policy, &silent);
  FixEffects fx;
  fix_->Disconnect(now, why, &fx);
  ProcessFix(now, fx);
}

void SimSession::FixTransportUp(Timestamp now) {
  connected_ = true;
  FixEffects fx;
  fix_->Connect(now, &fx);
  ProcessFix(now, fx);
}

SessionResult SimSession::Finish() const {
  SessionResult r = result_;
  r.protocol = link_config_.protocol;
  if (fix_) r.links.fix = fix_->counters();
  r.event_hash = hash_outputs_ ? hash_.digest() : 0;
  r.engine_digest = engine_->StateDigest();
  r.venue_digest = venue_.StateDigest();
  r.engine = engine_->Summary();
  r.venue = venue_.counters();
  r.venue_holdings = venue_.SessionHoldings();
  return r;
}

}  // namespace td::replayer
