#include "sim-exchange/server/exchange_app.h"

#include <utility>

namespace td::server {

ExchangeApp::ExchangeApp(ExchangeCore& core, ExchangeAppOptions options)
    : core_(core), options_(options), entry_(core.instruments()) {}

ExchangeApp::~ExchangeApp() {
  if (handle_.id != 0) core_.CloseSession(handle_, options_.cancel_on_disconnect);
}

void ExchangeApp::OnLogon(FixConnection& conn) {
  if (conn_ != nullptr) {
    ++counters_.logons_refused;
    conn.Logout("another session (" + conn_->counterparty() + ") is logged on; " +
                "the simulated exchange serves one trading session at a time");
    return;
  }
  const uint64_t gen = ++generation_;
  Result<SessionHandle> h = core_.OpenSession(
      [this, gen](const Payload& reply) { OnReply(gen, reply); },
      [this, gen](std::string reason) { OnForcedDisconnect(gen, std::move(reason)); });
  if (!h.ok()) {
    ++counters_.logons_refused;
    conn.Logout("session refused: " + h.status().message());
    return;
  }
  ++counters_.logons;
  conn_ = &conn;
  conn_id_ = conn.id();
  handle_ = *h;
}

void ExchangeApp::OnMessage(FixConnection& conn, const fix::Message& msg) {
  ++counters_.messages_in;
  if (conn_ == nullptr || conn.id() != conn_id_ || handle_.id == 0) {
    (void)conn.SendBusinessReject(msg, fix::BusinessRejectReason::kApplicationNotAvailable,
                                  "no open trading session on this connection");
    return;
  }
  fix::VenueDecoded d;
  entry_.Decode(msg, conn.Now(), &d);
  for (const fix::OutMessage& m : d.replies) {
    ++counters_.decode_rejects;
    if (conn.Send(m).ok()) {
      ++counters_.messages_out;
    } else {
      ++counters_.send_errors;
    }
  }
  if (!d.command) return;
  if (Status s = core_.Submit(handle_, *d.command); !s.ok()) {
    ++counters_.submit_errors;
    (void)conn.SendBusinessReject(msg, fix::BusinessRejectReason::kApplicationNotAvailable,
                                  s.message());
    return;
  }
  ++counters_.commands;
}

void ExchangeApp::OnReply(uint64_t generation, const Payload& reply) {
  if (generation != generation_ || conn_ == nullptr) return;
  ++counters_.replies;
  out_.clear();
  entry_.Encode(reply, conn_->Now(), &out_);
  SendAll();
}

void ExchangeApp::SendAll() {
  for (const fix::OutMessage& m : out_) {
    if (conn_->Send(m).ok()) {
      ++counters_.messages_out;
    } else {
      ++counters_.send_errors;
    }
  }
}

void ExchangeApp::OnForcedDisconnect(uint64_t generation, std::string reason) {
  if (generation != generation_) return;
  ++counters_.forced_disconnects;
  handle_ = SessionHandle{};  // the core closed it already
  if (conn_ != nullptr) conn_->Logout(reason);
}

void ExchangeApp::OnLogout(FixConnection& conn, std::string_view reason) {
  (void)reason;
  if (conn_ == nullptr || conn.id() != conn_id_) return;
  if (handle_.id != 0) core_.CloseSession(handle_, options_.cancel_on_disconnect);
  handle_ = SessionHandle{};
  conn_ = nullptr;
  conn_id_ = 0;
  ++generation_;
}

}  // namespace td::server
