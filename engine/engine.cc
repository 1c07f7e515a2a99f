// Engine: hosts the strategy behind the Context, routes each input to the order manager,
// positions, risk gate and kill switch, and appends every resulting command to the outputs.
// Single-threaded and deterministic (engine.h). Risk refusals return 0/false to the strategy
// and are output as RiskEvents; the kill switch's own cancels and flatten orders bypass the
// pre-trade gate (they only reduce risk) but are outputs like any other command.
#include "engine/engine.h"

#include <algorithm>

#include "core/digest_writer.h"
#include "engine/kill_switch.h"
#include "engine/order_manager.h"
#include "engine/positions.h"
#include "engine/risk.h"

// Designated initializers leave the defaulted members out on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace td::engine {

using internal::OrderRecord;

struct Engine::Impl final : public Context {
  Impl(EngineConfig c, std::unique_ptr<Strategy> s, std::vector<InstrumentDef> instr,
       uint64_t seed)
      : config(std::move(c)),
        strategy(std::move(s)),
        instruments_(std::move(instr)),
        rng_(seed),
        positions(&instruments_),
        risk(config.risk) {}

  // ------------------------------------------------------------ Context
  Timestamp now() const override { return now_; }
  Rng& rng() override { return rng_; }
  const std::vector<InstrumentDef>& instruments() const override { return instruments_; }
  const InstrumentDef* instrument(InstrumentId id) const override { return positions.Def(id); }
  ClOrdId SendNew(const NewOrderParams& p) override;
  bool SendCancel(ClOrdId id) override;
  bool SendReplace(ClOrdId id, Price price, Qty qty) override;
  void RequestStatus(ClOrdId id) override;
  void SendMassCancel(InstrumentId instrument, Side side) override {
    Emit(MassCancel{.request_id = next_request_id++, .instrument = instrument, .side = side});
  }
  TimerId SetTimer(Timestamp fire_at) override {
    const TimerId id = next_timer++;
    strategy_timers[id] = fire_at;
    Emit(TimerSet{.timer_id = id, .fire_at = fire_at});
    return id;
  }
  void CancelTimer(TimerId id) override {
    if (strategy_timers.erase(id) != 0) Emit(TimerCancel{.timer_id = id});
  }
  void Annotate(std::string_view text) override { Emit(Annotation{std::string(text)}); }
  const OrderState* order(ClOrdId id) const override {
    const OrderRecord* r = orders.Find(id);
    return r == nullptr ? nullptr : &r->s;
  }
  std::vector<const OrderState*> open_orders(InstrumentId instrument) const override {
    std::vector<const OrderState*> out;
    for (const OrderRecord* r : orders.Open(instrument)) out.push_back(&r->s);
    return out;
  }
  PositionState position(InstrumentId instrument) const override {
    return positions.State(instrument);
  }
  Qty position_qty(InstrumentId instrument) const override {
    return positions.Position(instrument);
  }
  Price mid(InstrumentId instrument) const override { return positions.Mid(instrument); }
  std::optional<PriceLevel> best(InstrumentId instrument, Side side) const override {
    return positions.Best(instrument, side);
  }
  std::optional<std::string> param(std::string_view key) const override {
    auto it = config.params.find(std::string(key));
    if (it == config.params.end()) return std::nullopt;
    return it->second;
  }

  // ------------------------------------------------------------ engine internals
  // Appends one output (any Payload alternative), built in place in *out_.
  template <typename T>
  void Emit(T&& p) {
    TD_CHECK_MSG(out_ != nullptr, "Context commands are only valid inside an engine callback");
    out_->emplace_back(std::forward<T>(p));
    ++outputs;
  }
  void Refuse(RiskEvent e) { Emit(std::move(e)); }
  void OnVenue(const Event& in);
  void OnSession(const SessionState& s);
  void OnCommand(const OperatorCommand& cmd);
  // The risk gate's breaches after a fill or a mark: almost always none (checked inline, as
  // it runs after every market-data input).
  void HandleBreaches(const std::vector<RiskEvent>& events) {
    if (!events.empty()) HandleBreachEvents(events);
  }
  void HandleBreachEvents(const std::vector<RiskEvent>& events);
  ClOrdId CancelInternal(OrderRecord& r);
  void CancelAllOpen();
  // Kill switch steps.
  void FireKillSwitch(std::string reason);
  void KillSwitchTick();
  // request_timeout: arms the watchdog timer while a cancel or replace is outstanding or an
  // order's state is unknown, and asks for the status of the orders that waited that long.
  void ArmRequestWatchdog();
  void RequestWatchdogTick();
  void Flatten();
  void CheckFlat();
  void FinalReport(std::string_view outcome);
  uint64_t Digest() const;
  bool StrategyLive() const { return !ks.active && !paused; }

  EngineConfig config;
  std::unique_ptr<Strategy> strategy;
  std::vector<InstrumentDef> instruments_;
  Rng rng_;
  internal::OrderManager orders;
  internal::PositionBook positions;
  internal::RiskGate risk;
  internal::KillSwitchState ks;
  Timestamp now_;
  std::vector<Payload>* out_ = nullptr;
  ClOrdId next_id = 1;
  TimerId next_timer = 1;
  uint64_t next_request_id = 1;
  std::map<TimerId, Timestamp> strategy_timers;
  TimerId request_timer = 0;  // the request watchdog's timer, 0 when not armed
  Timestamp logged_on_at;     // the last logon: every unknown order was asked about then
  bool halted = false;        // a circuit breaker halted new orders
  bool paused = false;        // operator pause
  bool session_down = false;  // between a disconnect and the next logon
  // A RateLimitReject's retry_after: the strategy's orders, replaces and cancels wait until
  // then (refused here, one RiskEvent per back-off window), so a rate-limited strategy does
  // not hammer the venue. The kill switch's cancels and orders are not held back (it retries
  // on its own timer).
  Timestamp venue_backoff_until;
  bool backoff_reported = false;
  bool VenueBackoff(InstrumentId instrument) {
    if (now_ >= venue_backoff_until) return false;
    if (!backoff_reported) {
      backoff_reported = true;
      Refuse(RiskEvent{.kind = RiskEventKind::kBreach, .action = RiskAction::kReject,
                       .rule = "venue_rate_limit", .instrument = instrument,
                       .value = venue_backoff_until.ns,
                       .text = "the venue rate-limited us: new orders and replaces wait "
                               "until its retry-after time"});
    }
    return true;
  }
  uint64_t inputs = 0, outputs = 0, fills = 0;
};

// ---------------------------------------------------------------- commands from the strategy

ClOrdId Engine::Impl::SendNew(const NewOrderParams& p) {
  if (ks.active || halted || paused) {
    Refuse(RiskEvent{.kind = RiskEventKind::kBreach, .action = RiskAction::kReject,
                     .rule = ks.active ? "kill_switch" : (paused ? "paused" : "halted"),
                     .instrument = p.instrument, .value = p.qty.raw,
                     .text = "new orders are halted"});
    return 0;
  }
  if (VenueBackoff(p.instrument)) return 0;
  internal::OrderIntent intent{.instrument = p.instrument, .side = p.side, .type = p.type,
                               .price = p.price, .qty = p.qty};
  if (auto refusal = risk.Check(intent, positions, orders, now_)) {
    Refuse(*refusal);
    return 0;
  }
  NewOrder o{.cl_ord_id = next_id++, .instrument = p.instrument, .side = p.side, .type = p.type,
             .tif = p.tif, .price = p.price, .stop_price = p.stop_price, .qty = p.qty,
             .display_qty = p.display_qty, .post_only = p.post_only};
  orders.AddNew(o, now_);
  Emit(o);
  return o.cl_ord_id;
}

bool Engine::Impl::SendCancel(ClOrdId id) {
  OrderRecord* r = orders.Find(id);
  if (r == nullptr || internal::IsTerminal(r->s.status)) {
    Refuse(RiskEvent{.kind = RiskEventKind::kBreach, .action = RiskAction::kReject,
                     .rule = "cancel_not_open", .value = static_cast<int64_t>(id),
                     .text = "cancel of an order that is not open"});
    return false;
  }
  if (r->s.cancel_pending) return true;  // already on its way
  if (VenueBackoff(r->s.instrument)) return false;
  CancelInternal(*r);
  return true;
}

bool Engine::Impl::SendReplace(ClOrdId id, Price price, Qty qty) {
  OrderRecord* r = orders.Find(id);
  if (r == nullptr || internal::IsTerminal(r->s.status) || r->s.cancel_pending ||
      r->s.replace_pending || r->unknown_state) {
    Refuse(RiskEvent{.kind = RiskEventKind::kBreach, .action = RiskAction::kReject,
                     .rule = "replace_not_allowed", .value = static_cast<int64_t>(id),
                     .text = "replace of an order that is not open or has a request pending"});
    return false;
  }
  if (ks.active || halted || paused) {
    Refuse(RiskEvent{.kind = RiskEventKind::kBreach, .action = RiskAction::kReject,
                     .rule = ks.active ? "kill_switch" : (paused ? "paused" : "halted"),
                     .instrument = r->s.instrument, .text = "replaces are halted"});
    return false;
  }
  if (VenueBackoff(r->s.instrument)) return false;
  const Qty new_leaves{std::max<int64_t>(0, qty.raw - r->s.cum_qty.raw)};
  internal::OrderIntent intent{.instrument = r->s.instrument, .side = r->s.side,
                               .type = r->s.type, .price = price,
                               .qty = Qty{new_leaves.raw - r->s.leaves_qty.raw},
                               .is_replace = true, .replaced_leaves = r->s.leaves_qty};
  if (auto refusal = risk.Check(intent, positions, orders, now_)) {
    Refuse(*refusal);
    return false;
  }
  ReplaceOrder o{.cl_ord_id = next_id++, .orig_cl_ord_id = r->s.cl_ord_id,
                 .instrument = r->s.instrument, .price = price, .qty = qty};
  orders.AddReplace(*r, o.cl_ord_id, price, qty, now_);
  Emit(o);
  return true;
}

void Engine::Impl::RequestStatus(ClOrdId id) {
  const OrderRecord* r = orders.Find(id);
  Emit(StatusRequest{.cl_ord_id = r == nullptr ? id : r->s.cl_ord_id});
}

ClOrdId Engine::Impl::CancelInternal(OrderRecord& r) {
  CancelOrder c{.cl_ord_id = next_id++, .orig_cl_ord_id = r.s.cl_ord_id,
                .instrument = r.s.instrument};
  orders.AddCancel(r, c.cl_ord_id, now_);
  Emit(c);
  return c.cl_ord_id;
}

void Engine::Impl::CancelAllOpen() {
  if (session_down) return;  // retried by the kill switch timer after the logon
  for (OrderRecord* r : orders.Open(0)) {
    if (!r->s.cancel_pending && !r->flatten) CancelInternal(*r);
  }
}

// ---------------------------------------------------------------- inputs

void Engine::Impl::OnVenue(const Event& in) {
  if (const auto* rl = std::get_if<RateLimitReject>(&in.payload);
      rl != nullptr && now_ + rl->retry_after > venue_backoff_until) {
    venue_backoff_until = now_ + rl->retry_after;
    backoff_reported = false;
  }
  internal::Applied a = orders.Apply(in.payload, now_);
  if (a.duplicate) {
    Emit(Annotation{"duplicate execution report ignored (exec id " +
                    std::to_string(std::get<Fill>(in.payload).exec_id) + ")"});
    return;
  }
  if (a.position_fill) {
    const Money realized =
        positions.ApplyFill(a.instrument, a.side, a.fill_price, a.fill_qty, a.fee);
    ++fills;
    HandleBreaches(risk.AfterFill(a.instrument, realized - a.fee, positions));
  }
  if (a.need_status && a.order != nullptr && !session_down) {
    Emit(StatusRequest{.cl_ord_id = a.order->s.cl_ord_id});
  }
  if (a.order != nullptr && !a.order->flatten && StrategyLive()) {
    OrderUpdate u{.order = &a.order->s, .cause = &in, .fill_qty = a.fill_qty,
                  .fill_price = a.fill_price};
    if (!a.position_fill) u.fill_qty = Qty{};
    strategy->OnOrderUpdate(*this, u);
  }
  if (ks.active && !ks.done) {
    const auto* rej = std::get_if<OrderReject>(&in.payload);
    const auto* rl = std::get_if<RateLimitReject>(&in.payload);
    if (rej == nullptr && rl == nullptr) Flatten();  // a canceled order may leave a position
    CheckFlat();
  }
}

void Engine::Impl::OnSession(const SessionState& s) {
  if (s.state == SessionStateKind::kDisconnected || s.state == SessionStateKind::kLoggedOut) {
    if (!session_down) orders.MarkAllUnknown(now_);
    session_down = true;
  } else if (s.state == SessionStateKind::kLoggedOn) {
    session_down = false;
    logged_on_at = now_;
    for (const OrderRecord* r : orders.Open(0)) {
      if (r->unknown_state) Emit(StatusRequest{.cl_ord_id = r->s.cl_ord_id});
    }
  }
}

void Engine::Impl::OnCommand(const OperatorCommand& cmd) {
  switch (cmd.kind) {
    case OperatorCommandKind::kKillSwitch:
      FireKillSwitch("operator" + (cmd.origin.empty() ? "" : " (" + cmd.origin + ")"));
      return;
    case OperatorCommandKind::kPause:
      paused = true;
      Emit(RiskEvent{.kind = RiskEventKind::kHalted, .rule = "operator_pause", .text = cmd.origin});
      break;
    case OperatorCommandKind::kResume:
      if (ks.active) break;
      paused = false;
      halted = false;
      Emit(RiskEvent{.kind = RiskEventKind::kResumed, .rule = "operator_resume",
                     .text = cmd.origin});
      break;
    case OperatorCommandKind::kSetParam:
      config.params[cmd.key] = cmd.value;
      break;
  }
  if (!ks.active) strategy->OnCommand(*this, cmd);
}

void Engine::Impl::HandleBreachEvents(const std::vector<RiskEvent>& events) {
  for (const RiskEvent& e : events) {
    Emit(e);
    switch (e.action) {
      case RiskAction::kNone:
      case RiskAction::kReject:
        break;
      case RiskAction::kHaltNew:
      case RiskAction::kCancelAll:
        if (!halted) Emit(RiskEvent{.kind = RiskEventKind::kHalted, .action = e.action,
                                    .rule = e.rule});
        halted = true;
        if (e.action == RiskAction::kCancelAll) CancelAllOpen();
        break;
      case RiskAction::kFlatten:
        FireKillSwitch(e.rule);
        break;
    }
  }
}

// ---------------------------------------------------------------- kill switch

void Engine::Impl::FireKillSwitch(std::string reason) {
  if (ks.active) return;
  ks.active = true;
  ks.reason = reason;
  ks.fired = now_;
  ks.deadline = now_ + config.kill_switch_deadline;
  Emit(RiskEvent{.kind = RiskEventKind::kKillSwitchFired, .action = RiskAction::kFlatten,
                 .rule = "kill_switch", .text = reason});
  if (!session_down) {
    Emit(MassCancel{.request_id = next_request_id++, .instrument = 0, .side = Side::kNone});
  }
  CancelAllOpen();
  Flatten();
  ks.timer = next_timer++;
  Emit(TimerSet{.timer_id = ks.timer, .fire_at = now_ + config.kill_switch_retry});
  CheckFlat();
}

void Engine::Impl::Flatten() {
  if (session_down) return;
  for (const PositionState& p : positions.All()) {
    if (p.position.raw == 0) continue;
    bool working = false;
    for (const OrderRecord* r : orders.Open(p.instrument)) working |= r->flatten;
    if (working) continue;
    const InstrumentDef* def = positions.Def(p.instrument);
    const Side side = p.position.raw > 0 ? Side::kSell : Side::kBuy;
    const std::optional<PriceLevel> touch = positions.Best(p.instrument, Opposite(side));
    const Price ref = touch ? touch->price : positions.Mark(p.instrument);
    NewOrder o{.cl_ord_id = next_id++, .instrument = p.instrument, .side = side,
               .tif = TimeInForce::kIoc, .qty = Qty{internal::AbsI64(p.position.raw)}};
    if (ref.raw <= 0) {
      o.type = OrdType::kMarket;
    } else {
      const int64_t reach = *MulDivRound(ref.raw, internal::kKillSwitchCollarBps, 10'000);
      int64_t px = side == Side::kSell ? ref.raw - reach : ref.raw + reach;
      const int64_t tick = def != nullptr && def->tick_size.raw > 0 ? def->tick_size.raw : 1;
      px = side == Side::kSell ? DivFloor(px, tick) * tick : DivCeil(px, tick) * tick;
      o.price = Price{std::max<int64_t>(px, tick)};
    }
    orders.AddNew(o, now_).flatten = true;
    Emit(o);
  }
}

void Engine::Impl::KillSwitchTick() {
  if (ks.done) return;
  ++ks.rounds;
  if (now_ >= ks.deadline || ks.rounds >= internal::kKillSwitchMaxRounds) {
    Emit(RiskEvent{.kind = RiskEventKind::kKillSwitchDeadline, .action = RiskAction::kFlatten,
                   .rule = "kill_switch_deadline",
                   .value = static_cast<int64_t>(orders.open_count()),
                   .text = "not flat at the deadline"});
    ks.done = true;
    FinalReport("deadline");
    return;
  }
  // Orders we already acted on but that are still open (a cancel or an IOC whose answer was
  // lost on the way) are asked about: a status report closes them or clears the pending
  // cancel, so the next round cancels again. Without this a dropped CancelAck keeps an order
  // "cancel pending" until the deadline.
  if (!session_down) {
    for (const OrderRecord* r : orders.Open(0)) {
      if (r->s.cancel_pending || r->flatten) Emit(StatusRequest{.cl_ord_id = r->s.cl_ord_id});
    }
  }
  CancelAllOpen();
  Flatten();
  CheckFlat();
  if (!ks.done) {
    ks.timer = next_timer++;
    Emit(TimerSet{.timer_id = ks.timer, .fire_at = now_ + config.kill_switch_retry});
  }
}

void Engine::Impl::ArmRequestWatchdog() {
  if (config.request_timeout.ns <= 0 || request_timer != 0 || session_down) return;
  if (!orders.AnyAwaitingVenue()) return;
  request_timer = next_timer++;
  Emit(TimerSet{.timer_id = request_timer, .fire_at = now_ + config.request_timeout});
}

void Engine::Impl::RequestWatchdogTick() {
  request_timer = 0;
  // Down: every open order is asked about at the next logon. Rate-limited: asked after the
  // venue's retry-after (the watchdog is armed again after this input).
  if (session_down || now_ < venue_backoff_until) return;
  for (const OrderRecord* r : orders.Open(0)) {
    // An unknown order's status request may have been lost or rate-limited, like a cancel.
    const bool waiting = r->s.cancel_pending || r->s.replace_pending || r->unknown_state;
    const Timestamp since = std::max(r->s.last_update, logged_on_at);
    if (waiting && now_ - since >= config.request_timeout) {
      Emit(StatusRequest{.cl_ord_id = r->s.cl_ord_id});
    }
  }
}

void Engine::Impl::CheckFlat() {
  if (ks.done || orders.open_count() != 0) return;
  for (const PositionState& p : positions.All()) {
    if (p.position.raw != 0) return;
  }
  ks.done = true;
  ks.flat_at = now_;
  Emit(RiskEvent{.kind = RiskEventKind::kKillSwitchFlat, .action = RiskAction::kFlatten,
                 .rule = "kill_switch", .text = "flat, no open orders"});
  Emit(TimerCancel{.timer_id = ks.timer});
  FinalReport("flat");
}

void Engine::Impl::FinalReport(std::string_view outcome) {
  std::string text = "kill switch report: " + std::string(outcome) + " (" + ks.reason + ")";
  text += "; open_orders=" + std::to_string(orders.open_count());
  for (const PositionState& p : positions.All()) {
    const int dec = positions.QtyDecimals(p.instrument);
    text += "; instrument " + std::to_string(p.instrument) +
            " position=" + p.position.ToString(dec) + " realized=" + p.realized_pnl.ToString() +
            " unrealized=" + p.unrealized_pnl.ToString() + " fees=" + p.fees.ToString();
  }
  text += "; realized_total=" + positions.RealizedPnl().ToString();
  Emit(Annotation{std::move(text)});
}

// ---------------------------------------------------------------- digest

uint64_t Engine::Impl::Digest() const {
  DigestWriter w;
  w.Str("tapedeck-engine-state-v1");
  w.I64(now_.ns);
  w.U64(next_id);
  w.U64(next_timer);
  w.U64(next_request_id);
  w.Bool(halted);
  w.Bool(paused);
  w.Bool(session_down);
  w.I64(venue_backoff_until.ns);
  w.Bool(backoff_reported);
  w.U64(inputs);
  w.U64(outputs);
  w.U64(fills);
  orders.Digest(&w);
  positions.Digest(&w);
  risk.Digest(&w);
  ks.Digest(&w);
  if (config.request_timeout.ns > 0) {  // (absent when off: no state)
    w.U64(request_timer);
    w.I64(logged_on_at.ns);
  }
  w.U64(strategy_timers.size());
  for (const auto& [id, at] : strategy_timers) {
    w.U64(id);
    w.I64(at.ns);
  }
  const Rng::State st = rng_.state();
  for (uint64_t v : st.s) w.U64(v);
  w.U64(st.has_spare_normal);
  w.U64(st.spare_normal_bits);
  w.U64(config.params.size());
  for (const auto& [k, v] : config.params) {
    w.Str(k);
    w.Str(v);
  }
  w.U64(strategy->StateDigest());
  return w.Hash();
}

// ---------------------------------------------------------------- Engine

Engine::Engine(EngineConfig config, std::unique_ptr<Strategy> strategy,
               std::vector<InstrumentDef> instruments, uint64_t seed)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(strategy),
                                   std::move(instruments), seed)) {
  TD_CHECK(impl_->strategy != nullptr);
}

Engine::~Engine() = default;

void Engine::Start(Timestamp t0, std::vector<Payload>* out) {
  Impl& e = *impl_;
  e.out_ = out;
  e.now_ = t0;
  e.strategy->OnStart(e);
  e.out_ = nullptr;
}

void Engine::Dispatch(const Event& input, std::vector<Payload>* out) {
  Impl& e = *impl_;
  TD_CHECK_MSG(input.ts >= e.now_, "engine inputs must come in time order");
  e.out_ = out;
  e.now_ = input.ts;
  std::visit(
      [&](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, L3Order> || std::is_same_v<T, L2Update> ||
                      std::is_same_v<T, L2Snapshot> || std::is_same_v<T, L1Quote> ||
                      std::is_same_v<T, Trade> || std::is_same_v<T, TradingStatus>) {
          e.positions.OnMarketData(input.payload);
          if (!e.positions.empty()) e.HandleBreaches(e.risk.AfterMark(e.positions));
          if (e.StrategyLive()) e.strategy->OnMarketData(e, input);
        } else if constexpr (std::is_same_v<T, OrderAck> || std::is_same_v<T, OrderReject> ||
                             std::is_same_v<T, Fill> || std::is_same_v<T, CancelAck> ||
                             std::is_same_v<T, CancelReject> || std::is_same_v<T, ReplaceAck> ||
                             std::is_same_v<T, OrderExpired> ||
                             std::is_same_v<T, OrderStatusReport> ||
                             std::is_same_v<T, RateLimitReject>) {
          e.OnVenue(input);
        } else if constexpr (std::is_same_v<T, SessionState>) {
          e.OnSession(p);
        } else if constexpr (std::is_same_v<T, TimerFired>) {
          if (e.ks.active && p.timer_id == e.ks.timer) {
            e.KillSwitchTick();
          } else if (p.timer_id == e.request_timer && e.request_timer != 0) {
            e.RequestWatchdogTick();
          } else if (e.strategy_timers.erase(p.timer_id) != 0 && e.StrategyLive()) {
            e.strategy->OnTimer(e, p.timer_id);
          }
        } else if constexpr (std::is_same_v<T, OperatorCommand>) {
          e.OnCommand(p);
        }
        // Outputs, wire records and metadata are not engine inputs: ignored.
      },
      input.payload);
  e.ArmRequestWatchdog();
  ++e.inputs;
  if (e.config.checkpoint_every_inputs != 0 && e.inputs % e.config.checkpoint_every_inputs == 0) {
    // The digest covers the state after this input; `outputs` counts those before the checkpoint.
    e.Emit(Checkpoint{.inputs = e.inputs, .outputs = e.outputs, .digest = e.Digest()});
  }
  e.out_ = nullptr;
}

uint64_t Engine::StateDigest() const { return impl_->Digest(); }

EngineSummary Engine::Summary() const {
  const Impl& e = *impl_;
  EngineSummary s;
  s.inputs = e.inputs;
  s.outputs = e.outputs;
  s.fills = e.fills;
  s.open_orders = static_cast<uint32_t>(e.orders.open_count());
  s.positions = e.positions.All();
  s.realized_pnl = e.positions.RealizedPnl();
  if (e.ks.active) s.kill_switch_fired = e.ks.fired;
  s.kill_switch_flat = e.ks.flat_at;
  return s;
}

}  // namespace td::engine
