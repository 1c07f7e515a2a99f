// FixAcceptor: the simulated exchange's FIX 4.4 order-entry port. A Boost.Asio TCP server that
// hosts one fix::Session (the pure state machine of fix/session.h) per connection, feeds it the
// bytes read and the real UTC clock, writes what it sends, and hands valid application messages
// to a FixApplication. An optional FixWireObserver sees every raw inbound and outbound message
// with its timestamp, so a recorder can journal the wire.
//
// Sessions are identified by the counterparty's SenderCompID. One identity may be logged on over
// one connection at a time (a second Logon is refused by disconnecting). Sequence numbers and
// sent messages live in a MessageStore per identity, kept across reconnections (in memory unless
// `store_factory` says otherwise); with reset_on_logon every Logon starts again from 1.
//
// Threading: single-threaded on the io_context it is given; every method, and every callback
// it makes, runs on that thread. Asio stays out of this header. The application (and the
// observer) must outlive the acceptor: its destructor closes the connections and calls
// OnLogout for the sessions still logged on.
//
//   class Echo : public FixApplication {
//     void OnMessage(FixConnection& c, const fix::Message& m) override { ... c.Send(reply); }
//   };
//   boost::asio::io_context io;
//   Echo app;
//   FixAcceptor acceptor(io, FixAcceptorConfig{.port = 0, .sender_comp_id = "ISLD"}, app);
//   if (Status s = acceptor.Start(); !s.ok()) ...;
//   uint16_t port = acceptor.port();
//   io.run();
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"
#include "fix/dictionary.h"
#include "fix/message.h"
#include "fix/message_store.h"
#include "fix/session.h"
#include "fix/writer.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace td::server {

// The application's handle on one logged-on FIX connection. Valid from OnLogon until the
// matching OnLogout returns; do not keep it longer.
class FixConnection {
 public:
  virtual ~FixConnection() = default;
  virtual ConnectionId id() const = 0;
  // The counterparty's SenderCompID (our TargetCompID).
  virtual const std::string& counterparty() const = 0;
  virtual const std::string& peer_address() const = 0;
  // The acceptor's clock (UTC), the time stamped on what Send() writes.
  virtual Timestamp Now() const = 0;
  // Sends an application message (the session fills the standard header). FailedPrecondition
  // when the session is no longer logged on.
  virtual Status Send(const fix::OutMessage& msg) = 0;
  // BusinessMessageReject (j) for a message the application cannot process.
  virtual Status SendBusinessReject(const fix::Message& ref, fix::BusinessRejectReason reason,
                                    std::string_view text = {}, int ref_tag = 0) = 0;
  // Starts the Logout handshake; the connection closes when it completes or times out.
  virtual void Logout(std::string_view text) = 0;
  virtual const fix::Session& session() const = 0;
};

// What the exchange implements. Callbacks run on the io_context thread.
class FixApplication {
 public:
  virtual ~FixApplication() = default;
  virtual void OnLogon(FixConnection& conn) { (void)conn; }
  // A valid, in-sequence application message; reply through conn.Send(). The message's bytes
  // are valid only during the call.
  virtual void OnMessage(FixConnection& conn, const fix::Message& msg) = 0;
  // The session ended (Logout exchange, timeout, protocol error or TCP close).
  virtual void OnLogout(FixConnection& conn, std::string_view reason) {
    (void)conn;
    (void)reason;
  }
};

// Sees the wire: every framed message received (before it is handled, garbled ones included) and
// every message sent, as raw bytes with the acceptor clock's timestamp, plus session events.
// Journal through fix::RedactCredentials (fix/redact.h).
class FixWireObserver {
 public:
  virtual ~FixWireObserver() = default;
  virtual void OnWire(ConnectionId conn, WireDirection direction, Timestamp ts,
                      std::string_view bytes) = 0;
  virtual void OnSessionEvent(ConnectionId conn, Timestamp ts, fix::SessionEvent event,
                              std::string_view text) {
    (void)conn, (void)ts, (void)event, (void)text;
  }
  virtual void OnConnection(ConnectionId conn, Timestamp ts, bool connected,
                            std::string_view peer_or_reason) {
    (void)conn, (void)ts, (void)connected, (void)peer_or_reason;
  }
};

struct FixAcceptorConfig {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 0;  // 0: an ephemeral port, see FixAcceptor::port()
  std::string sender_comp_id = "TAPEDECK";
  std::vector<std::string> allowed_target_comp_ids;  // counterparties' SenderCompIDs; empty = any
  bool reset_on_logon = true;
  const fix::Dictionary* dictionary = nullptr;  // nullptr: fix::BuiltinFix44Dictionary()
  Duration logon_timeout = Duration::Seconds(10);
  Duration logout_timeout = Duration::Seconds(2);
  Duration max_sending_time_skew = Duration::Seconds(120);
  size_t max_connections = 256;
  size_t max_queued_write_bytes = 16u << 20;  // a slower reader is disconnected
  FixWireObserver* observer = nullptr;
  // UTC now; default std::chrono::system_clock. Tests may pin it.
  std::function<Timestamp()> clock;
  // The store of an identity's sequence numbers and sent messages, created at its first Logon;
  // default a fix::MemoryMessageStore.
  std::function<Result<std::unique_ptr<fix::MessageStore>>(const std::string& counterparty)>
      store_factory;
};

class FixAcceptor {
 public:
  FixAcceptor(boost::asio::io_context& io, FixAcceptorConfig config, FixApplication& app);
  ~FixAcceptor();
  FixAcceptor(const FixAcceptor&) = delete;
  FixAcceptor& operator=(const FixAcceptor&) = delete;

  // Binds and starts accepting; the error names the address and port.
  Status Start();
  // The bound port (after Start).
  uint16_t port() const;
  // Stops accepting and closes every connection (sessions see a disconnect, no Logout).
  void Stop();
  size_t connection_count() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace td::server
