#include "replayer/fix_link.h"

#include <algorithm>
#include <utility>

namespace td::replayer {

void FixEffects::Clear() {
  to_venue.clear();
  to_engine.clear();
  venue_commands.clear();
  engine_inputs.clear();
  journal.clear();
  closed = false;
  close_reason.clear();
}

namespace {

// What both ends count alike.
void CountSessionEvent(fix::SessionEvent e, FixLinkCounters& c) {
  switch (e) {
    case fix::SessionEvent::kResendRequested: ++c.resend_requests; break;
    case fix::SessionEvent::kResendServed: ++c.resends_served; break;
    case fix::SessionEvent::kGapFilled: ++c.gaps_filled; break;
    case fix::SessionEvent::kRejectSent: ++c.session_rejects; break;
    default: break;
  }
}

fix::SessionConfig EndConfig(const SessionLinkConfig& c, fix::Role role) {
  fix::SessionConfig s;
  s.role = role;
  const bool engine = role == fix::Role::kInitiator;
  s.sender_comp_id = engine ? kFixLinkEngineCompId : kFixLinkVenueCompId;
  s.target_comp_id = engine ? kFixLinkVenueCompId : kFixLinkEngineCompId;
  s.heartbeat_interval_s = c.heartbeat_interval_s;
  s.reset_on_logon = c.reset_on_logon;
  s.resend_request_timeout = c.resend_request_timeout;
  s.logon_timeout = c.logon_timeout;
  s.store_while_disconnected = !engine;
  return s;
}

}  // namespace

class FixLink::EngineEnd final : public fix::SessionHost {
 public:
  explicit EngineEnd(FixLink& link) : link_(link) {}
  void SendBytes(std::string_view bytes) override {
    link_.fx_->to_venue.emplace_back(bytes);
    link_.fx_->journal.push_back(
        WireMessage{kFixLinkConnection, WireDirection::kOutbound, std::string(bytes)});
  }
  void OnMessageReceived(std::string_view frame) override {
    link_.fx_->journal.push_back(
        WireMessage{kFixLinkConnection, WireDirection::kInbound, std::string(frame)});
  }
  void Disconnect(std::string_view reason) override {
    ++link_.counters_.session_ends;
    link_.fx_->closed = true;
    link_.fx_->close_reason = "engine: " + std::string(reason);
  }
  void OnLogon() override {
    ++link_.counters_.logons;
    link_.fx_->engine_inputs.push_back(SessionState{
        kFixLinkConnection, SessionStateKind::kLoggedOn,
        "FIX HeartBtInt " + std::to_string(link_.engine_->heartbeat_interval_s())});
    link_.FlushOutbox(link_.now_);
  }
  void OnLogout(std::string_view reason) override {
    link_.fx_->engine_inputs.push_back(
        SessionState{kFixLinkConnection, SessionStateKind::kDisconnected, std::string(reason)});
  }
  void OnAppMessage(const fix::Message& msg) override {
    if (!link_.client_codec_.Decode(msg, &link_.fx_->engine_inputs).ok()) {
      ++link_.counters_.decode_errors;
    }
  }
  void OnSessionEvent(fix::SessionEvent e, std::string_view) override {
    CountSessionEvent(e, link_.counters_);
  }

 private:
  FixLink& link_;
};

class FixLink::VenueEnd final : public fix::SessionHost {
 public:
  explicit VenueEnd(FixLink& link) : link_(link) {}
  void SendBytes(std::string_view bytes) override { link_.fx_->to_engine.emplace_back(bytes); }
  void Disconnect(std::string_view reason) override {
    ++link_.counters_.session_ends;
    link_.fx_->closed = true;
    link_.fx_->close_reason = "venue: " + std::string(reason);
  }
  void OnAppMessage(const fix::Message& msg) override {
    fix::VenueDecoded& d = link_.decoded_;
    link_.venue_codec_.Decode(msg, link_.now_, &d);
    for (const fix::OutMessage& m : d.replies) (void)link_.venue_->Send(link_.now_, m);
    if (d.command) link_.fx_->venue_commands.push_back(std::move(*d.command));
  }
  void OnSessionEvent(fix::SessionEvent e, std::string_view) override {
    CountSessionEvent(e, link_.counters_);
  }

 private:
  FixLink& link_;
};

FixLink::FixLink(const SessionLinkConfig& config, const std::vector<InstrumentDef>& instruments)
    : client_codec_(instruments),
      venue_codec_(instruments),
      engine_host_(std::make_unique<EngineEnd>(*this)),
      venue_host_(std::make_unique<VenueEnd>(*this)),
      engine_(std::make_unique<fix::Session>(EndConfig(config, fix::Role::kInitiator),
                                             *engine_host_, engine_store_)),
      venue_(std::make_unique<fix::Session>(EndConfig(config, fix::Role::kAcceptor),
                                            *venue_host_, venue_store_)) {}

FixLink::~FixLink() = default;

void FixLink::Connect(Timestamp now, FixEffects* fx) {
  fx_ = fx, now_ = now;
  venue_->OnConnected(now);
  engine_->OnConnected(now);
}

void FixLink::Disconnect(Timestamp now, std::string_view why, FixEffects* fx) {
  fx_ = fx, now_ = now;
  engine_->OnDisconnected(now, why);
  venue_->OnDisconnected(now, why);
}

void FixLink::VenueReceives(Timestamp now, std::string_view bytes, FixEffects* fx) {
  fx_ = fx, now_ = now;
  venue_->OnBytes(now, bytes);
}

void FixLink::EngineReceives(Timestamp now, std::string_view bytes, FixEffects* fx) {
  fx_ = fx, now_ = now;
  engine_->OnBytes(now, bytes);
}

void FixLink::SendCommand(Timestamp now, const Payload& command, FixEffects* fx) {
  fx_ = fx, now_ = now;
  if (engine_->logged_on()) return Encode(now, command);
  if (outbox_.size() >= kMaxFixOutbox) {
    ++counters_.commands_dropped;
    return;
  }
  outbox_.push_back(command);
  ++counters_.commands_held;
}

void FixLink::Encode(Timestamp now, const Payload& command) {
  Status s = client_codec_.Encode(command, now, &out_);
  if (s.ok()) s = engine_->Send(now, out_);
  if (!s.ok()) ++counters_.commands_dropped;
}

void FixLink::FlushOutbox(Timestamp now) {
  std::deque<Payload> held = std::move(outbox_);
  outbox_.clear();
  for (const Payload& c : held) Encode(now, c);
}

void FixLink::SendReply(Timestamp now, const Payload& reply, FixEffects* fx) {
  fx_ = fx, now_ = now;
  replies_.clear();
  venue_codec_.Encode(reply, now, &replies_);
  // Not logged on: stored for the resend that follows the next Logon (store_while_disconnected).
  for (const fix::OutMessage& m : replies_) (void)venue_->Send(now, m);
}

void FixLink::OnTimer(Timestamp now, FixEffects* fx) {
  fx_ = fx, now_ = now;
  engine_->OnTimer(now);
  venue_->OnTimer(now);
}

Timestamp FixLink::NextTimerDeadline() const {
  return std::min(engine_->NextTimerDeadline(), venue_->NextTimerDeadline());
}

bool FixLink::engine_logged_on() const { return engine_->logged_on(); }

FixLinkCounters FixLink::counters() const {
  FixLinkCounters c = counters_;
  c.possdup_ignored = venue_codec_.possdup_ignored();
  return c;
}

}  // namespace td::replayer
