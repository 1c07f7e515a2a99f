// FixLink: a FIX 4.4 order-entry session between the engine and the simulated venue, for a
// simulation with `[session] protocol = "fix"` (replayer/run_config.h). It holds both ends:
// the engine's end is an initiator fix::Session with the paper runtime's codec
// (fix::ClientOrderEntry), and the venue's end is an acceptor fix::Session with the exchange
// server's codec (fix::VenueOrderEntry). Each end has its own message store. The FIX session
// code is the same that runs over TCP.
//
// FixLink moves no bytes itself. Every call fills a FixEffects with what the two ends
// produced, in order:
// - the wire messages each end wrote, which SimSession carries over a simulated link, with
//   latency, loss and disconnects, and hands to the other end;
// - the commands the venue's end decoded;
// - the inputs the engine's end decoded, plus its SessionState changes;
// - the engine's wire messages in and out, for the journal.
// The sessions' recovery is FIX's own: a lost message is a sequence gap, and the receiver
// asks for a resend. The venue keeps the execution reports it produced while the session was
// down, and a resend after the next Logon delivers them. The engine's commands made while it
// is not logged on wait in an outbox until the next Logon, as in the paper runtime.
//
// Pure and single-threaded: no clock (every call takes `now`), no sockets.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "core/time.h"
#include "fix/message_store.h"
#include "fix/order_entry.h"
#include "fix/session.h"
#include "replayer/run_config.h"

namespace td::replayer {

// The engine's end of a simulated FIX session, as its SessionState inputs and wire records
// name it.
inline constexpr ConnectionId kFixLinkConnection = 1;
inline constexpr char kFixLinkEngineCompId[] = "ENGINE";
inline constexpr char kFixLinkVenueCompId[] = "TAPEDECK";
// Engine commands held while the engine's end is not logged on; beyond this, dropped and
// counted.
inline constexpr size_t kMaxFixOutbox = 100'000;

struct FixEffects {
  std::vector<std::string> to_venue;   // written by the engine's end
  std::vector<std::string> to_engine;  // written by the venue's end
  std::vector<Payload> venue_commands;
  std::vector<Payload> engine_inputs;
  std::vector<WireMessage> journal;  // the engine's end, inbound and outbound
  // One end ended the connection itself (Logout, logon timeout, sequence number too low):
  // the transport is to be closed, and opened again later.
  bool closed = false;
  std::string close_reason;

  void Clear();
};

struct FixLinkCounters {
  uint64_t logons = 0;             // Logon exchanges completed (engine side)
  uint64_t session_ends = 0;       // connections a session ended itself
  uint64_t resend_requests = 0;    // ResendRequests sent, both ends
  uint64_t resends_served = 0;     // ResendRequests answered, both ends
  uint64_t gaps_filled = 0;        // gaps closed by resent messages or gap fills, both ends
  uint64_t possdup_ignored = 0;    // resent orders the venue had already processed
  uint64_t session_rejects = 0;    // session-level Rejects sent, both ends
  uint64_t commands_held = 0;      // engine commands held in the outbox until a Logon
  uint64_t commands_dropped = 0;   // beyond kMaxFixOutbox, or not encodable
  uint64_t decode_errors = 0;      // venue replies the engine's end could not read
};

class FixLink {
 public:
  FixLink(const SessionLinkConfig& config, const std::vector<InstrumentDef>& instruments);
  ~FixLink();
  FixLink(const FixLink&) = delete;
  FixLink& operator=(const FixLink&) = delete;

  // The transport is up: both ends are connected and the engine's end sends its Logon.
  void Connect(Timestamp now, FixEffects* fx);
  // The transport is down (a fault, or after `closed`): both ends see the disconnect.
  void Disconnect(Timestamp now, std::string_view why, FixEffects* fx);
  // Bytes the link delivered to the venue's end, or to the engine's end.
  void VenueReceives(Timestamp now, std::string_view bytes, FixEffects* fx);
  void EngineReceives(Timestamp now, std::string_view bytes, FixEffects* fx);
  // An engine command (NewOrder, CancelOrder, ...), sent now or held until the next Logon.
  void SendCommand(Timestamp now, const Payload& command, FixEffects* fx);
  // A venue reply (OrderAck, Fill, ...), sent now or stored for a resend when the session
  // is down.
  void SendReply(Timestamp now, const Payload& reply, FixEffects* fx);
  // Heartbeats, test requests, timeouts and overdue resend requests of both ends.
  void OnTimer(Timestamp now, FixEffects* fx);
  Timestamp NextTimerDeadline() const;

  bool engine_logged_on() const;
  FixLinkCounters counters() const;

 private:
  class EngineEnd;
  class VenueEnd;

  // Both write through the engine's session, whose output lands in fx_.
  void FlushOutbox(Timestamp now);
  void Encode(Timestamp now, const Payload& command);

  fix::MemoryMessageStore engine_store_, venue_store_;
  fix::ClientOrderEntry client_codec_;
  fix::VenueOrderEntry venue_codec_;
  std::unique_ptr<EngineEnd> engine_host_;
  std::unique_ptr<VenueEnd> venue_host_;
  std::unique_ptr<fix::Session> engine_, venue_;
  std::deque<Payload> outbox_;
  FixLinkCounters counters_;
  // The call in progress: where the ends' callbacks put what they produce.
  FixEffects* fx_ = nullptr;
  Timestamp now_;
  fix::OutMessage out_;
  std::vector<fix::OutMessage> replies_;
  fix::VenueDecoded decoded_;
};

}  // namespace td::replayer
