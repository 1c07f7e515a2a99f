// ExchangeApp: the FixApplication that puts ExchangeCore's order entry on the FIX acceptor
// (`tapedeck exchange serve`). One trading session at a time, as the core allows: the first
// logged-on connection opens the core's session; a second concurrent one is logged out with a
// Text saying why. Inbound D/F/G/H/AF/q are decoded by fix::VenueOrderEntry (fix/order_entry.h,
// docs/order-entry.md) and submitted to the core; the core's replies are encoded back and sent.
//
// Cancel on disconnect: when the session's connection ends (Logout, timeout, TCP close) the
// core closes the session with cancel_on_disconnect = options.cancel_on_disconnect, whose
// default in the CLI is the scenario's faults.disconnect_open_orders (kKeep unless the scenario
// says cancel-all). A forced disconnect (fault-injected, or the exchange stopping) logs the
// connection out with the core's reason; the core has already applied the scenario's policy.
//
// One VenueOrderEntry lives as long as the app: SimVenue's ClOrdId space spans reconnections,
// so a client reconnecting may cancel or query the orders of its earlier connection by the
// same ClOrdIDs (FIX ClOrdIDs are unique per trading day, not per connection).
//
// Threading: the io_context thread of the core and the acceptor; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fix/order_entry.h"
#include "sim-exchange/server/exchange_core.h"
#include "sim-exchange/server/fix_acceptor.h"

namespace td::server {

struct ExchangeAppOptions {
  bool cancel_on_disconnect = false;
};

struct ExchangeAppCounters {
  uint64_t logons = 0;
  uint64_t logons_refused = 0;  // a session was already open, or the core refused
  uint64_t messages_in = 0;     // application messages received
  uint64_t commands = 0;        // submitted to the core
  uint64_t decode_rejects = 0;  // answered by the codec without reaching the venue
  uint64_t submit_errors = 0;   // the core refused a command (link queue full, ...)
  uint64_t replies = 0;         // venue replies encoded
  uint64_t messages_out = 0;    // application messages sent
  uint64_t send_errors = 0;
  uint64_t forced_disconnects = 0;
};

class ExchangeApp : public FixApplication {
 public:
  ExchangeApp(ExchangeCore& core, ExchangeAppOptions options);
  ~ExchangeApp() override;
  ExchangeApp(const ExchangeApp&) = delete;
  ExchangeApp& operator=(const ExchangeApp&) = delete;

  void OnLogon(FixConnection& conn) override;
  void OnMessage(FixConnection& conn, const fix::Message& msg) override;
  void OnLogout(FixConnection& conn, std::string_view reason) override;

  const ExchangeAppCounters& counters() const { return counters_; }
  bool has_session() const { return conn_ != nullptr; }

 private:
  void OnReply(uint64_t generation, const Payload& reply);
  void OnForcedDisconnect(uint64_t generation, std::string reason);
  void SendAll();

  ExchangeCore& core_;
  ExchangeAppOptions options_;
  fix::VenueOrderEntry entry_;
  FixConnection* conn_ = nullptr;  // the session's connection, until its OnLogout
  ConnectionId conn_id_ = 0;
  SessionHandle handle_;           // none after a forced disconnect
  uint64_t generation_ = 0;        // bumps per session: late callbacks of an old one are ignored
  std::vector<fix::OutMessage> out_;
  ExchangeAppCounters counters_;
};

}  // namespace td::server
