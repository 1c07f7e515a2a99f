// A FIX 4.4 session (FIX 4.4 Volume 2, "Session Protocol") as a pure state machine: no sockets,
// no threads, no clock. Every input carries the current UTC time (`now`); every output goes
// through the SessionHost the caller supplies. The same code runs over TCP
// (sim-exchange/server/fix_acceptor.h) and over the replayer's simulated links, where two
// Sessions are wired back to back on a virtual clock. Single-threaded.
//
//   class MyHost : public SessionHost { ... };     // SendBytes, Disconnect, OnAppMessage, ...
//   MemoryMessageStore store;
//   Session s(SessionConfig{.role = Role::kAcceptor, .sender_comp_id = "ISLD"}, host, store);
//   s.OnConnected(now);
//   s.OnBytes(now, bytes_from_socket);             // any split: partial, several, garbage
//   s.OnTimer(now);                                // at s.NextTimerDeadline() or periodically
//   s.Send(now, execution_report);                 // application messages, once logged on
//
// States: kDisconnected -> (OnConnected) -> kAwaitingLogon (acceptor) / kLogonSent (initiator)
// -> (valid Logon) -> kActive -> (Logout sent) -> kLogoutSent -> (Logout reply or timeout)
// -> kDisconnected. docs/fix.md lists every transition and the checks applied to each message.
//
// Host callbacks run synchronously inside the input call. A callback may call Send(),
// SendBusinessReject() or Logout() on this session, but must not feed it input (OnBytes,
// OnTimer, ...) or destroy it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "fix/dictionary.h"
#include "fix/fields.h"
#include "fix/message.h"
#include "fix/message_store.h"
#include "fix/writer.h"

namespace td::fix {

enum class Role : uint8_t { kInitiator, kAcceptor };

enum class SessionStatus : uint8_t {
  kDisconnected,
  kAwaitingLogon,  // acceptor: connected, waiting for the counterparty's Logon
  kLogonSent,      // initiator: Logon sent, waiting for the response
  kActive,         // logged on
  kLogoutSent,     // our Logout is out, waiting for the counterparty's
};

std::string_view SessionStatusName(SessionStatus s);

struct SessionConfig {
  Role role = Role::kAcceptor;
  std::string begin_string = "FIX.4.4";
  std::string sender_comp_id;
  // Initiator: the counterparty. Acceptor: empty = learned from the Logon's SenderCompID.
  std::string target_comp_id;
  // Acceptor: the SenderCompIDs accepted in a Logon; empty = any.
  std::vector<std::string> allowed_target_comp_ids;
  int heartbeat_interval_s = 30;  // initiator's HeartBtInt; an acceptor adopts the Logon's
  bool reset_on_logon = false;    // sequence numbers back to 1 at every Logon (141=Y)
  Duration max_sending_time_skew = Duration::Seconds(120);
  Duration logon_timeout = Duration::Seconds(10);
  Duration logout_timeout = Duration::Seconds(2);
  std::string test_request_id = "TEST";
  const Dictionary* dictionary = nullptr;  // nullptr = BuiltinFix44Dictionary()
  size_t max_queued_messages = 10'000;     // messages held while a gap is being filled
  // A gap we asked to be filled that is still open after this long is asked for again (at the
  // next too-high message or timer): the ResendRequest, or a message it brought, may have been
  // lost. Zero: never again (the gap waits for the counterparty or a disconnect).
  Duration resend_request_timeout = Duration::Seconds(2);
  // Send() while not logged on (after a first Logon) stores the message under the next
  // MsgSeqNum without writing it: the counterparty's next Logon shows the gap and a resend
  // delivers it (a venue that keeps execution reports across a disconnect). False: Send()
  // fails with FailedPrecondition.
  bool store_while_disconnected = false;
  size_t max_input_buffer_bytes = 4u << 20;
};

// Notable session events, for journaling and logs (the recorder maps them to SessionState).
enum class SessionEvent : uint8_t {
  kConnected,
  kLogonSent,
  kLoggedOn,
  kLogoutSent,
  kLoggedOut,  // Logout exchange complete or counterparty logged out
  kDisconnected,
  kGarbageSkipped,      // bytes before a BeginString, or an unparseable frame start
  kGarbledMessage,      // bad BodyLength / CheckSum / structure: ignored (no seq increment)
  kRejectSent,          // session-level Reject (3)
  kBusinessRejectSent,  // BusinessMessageReject (j)
  kResendRequested,     // we detected a gap and sent a ResendRequest
  kGapFilled,           // the gap we asked for is filled
  kResendServed,        // we answered the counterparty's ResendRequest
  kSequenceReset,       // SequenceReset or ResetSeqNumFlag moved a sequence number
  kMessageIgnored,      // a duplicate (PossDup with a low MsgSeqNum), ...
  kTestRequestSent,
  kError,  // store failure or an input the session cannot handle
};

std::string_view SessionEventName(SessionEvent e);

class SessionHost {
 public:
  virtual ~SessionHost() = default;
  // One complete, serialised message to write to the transport, in order.
  virtual void SendBytes(std::string_view bytes) = 0;
  // Every framed inbound message, valid or garbled, before it is handled (for wire journals).
  virtual void OnMessageReceived(std::string_view frame) { (void)frame; }
  // Close the transport after the bytes already handed to SendBytes are written. The session
  // is already kDisconnected when this is called; OnDisconnected afterwards is harmless.
  virtual void Disconnect(std::string_view reason) = 0;
  // Acceptor: a valid Logon arrived; return non-ok to refuse it (the session then disconnects
  // without replying), e.g. because the identity is already logged on elsewhere.
  virtual Status AuthorizeLogon(const Message& logon) {
    (void)logon;
    return Status::Ok();
  }
  virtual void OnLogon() {}
  // The session left kActive/kLogoutSent (Logout exchange, timeout or disconnect).
  virtual void OnLogout(std::string_view reason) { (void)reason; }
  // A valid, in-sequence application message (already counted in next_target_seq).
  virtual void OnAppMessage(const Message& msg) = 0;
  virtual void OnSessionEvent(SessionEvent event, std::string_view text) {
    (void)event;
    (void)text;
  }
};

class Session {
 public:
  // REQUIRES: config.sender_comp_id non-empty; initiator: target_comp_id non-empty.
  Session(SessionConfig config, SessionHost& host, MessageStore& store);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void OnConnected(Timestamp now);
  void OnBytes(Timestamp now, std::string_view bytes);
  void OnTimer(Timestamp now);
  void OnDisconnected(Timestamp now, std::string_view reason);

  // Sends an application message (sequence number, header and SendingTime filled in here).
  // FailedPrecondition unless logged on (or stored for a resend, with
  // store_while_disconnected, once the session has logged on at least once).
  Status Send(Timestamp now, const OutMessage& msg);
  // BusinessMessageReject (j) answering `ref` (FIX 4.4 Volume 1, "Business Message Reject").
  Status SendBusinessReject(Timestamp now, const Message& ref, BusinessRejectReason reason,
                            std::string_view text = {}, int ref_tag = 0);
  // Starts the Logout handshake; disconnects when the reply or the logout timeout comes.
  void Logout(Timestamp now, std::string_view text);

  // When OnTimer next has work (heartbeat, test request, timeout); Timestamp::Max() if none.
  Timestamp NextTimerDeadline() const;

  SessionStatus status() const { return status_; }
  bool logged_on() const { return status_ == SessionStatus::kActive; }
  int64_t next_sender_seq() const { return store_.next_sender_seq(); }
  int64_t next_target_seq() const { return store_.next_target_seq(); }
  int heartbeat_interval_s() const { return heartbeat_s_; }
  const std::string& target_comp_id() const { return target_comp_id_; }
  const SessionConfig& config() const { return config_; }
  const Dictionary& dictionary() const { return *dict_; }

 private:
  enum class Verdict { kProcess, kStop };

  void ProcessBuffer(Timestamp now, std::string_view* buf);
  void HandleFrame(Timestamp now, std::string_view frame);
  void Dispatch(Timestamp now, const Message& msg, bool queued);
  void ProcessQueue(Timestamp now);

  void OnLogonMessage(Timestamp now, const Message& msg);
  void OnHeartbeat(Timestamp now, const Message& msg);
  void OnTestRequest(Timestamp now, const Message& msg);
  void OnResendRequest(Timestamp now, const Message& msg);
  void OnSequenceReset(Timestamp now, const Message& msg);
  void OnLogoutMessage(Timestamp now, const Message& msg);
  void OnRejectMessage(Timestamp now, const Message& msg);
  void OnApplication(Timestamp now, const Message& msg);

  // FIX 4.4 Volume 2 checks every message passes before it is processed: SendingTime, CompIDs,
  // MsgSeqNum (too high: queue + ResendRequest; too low: Logout or PossDup handling).
  bool Verify(Timestamp now, const Message& msg, bool check_too_high, bool check_too_low);
  void TargetTooHigh(Timestamp now, const Message& msg);
  void TargetTooLow(Timestamp now, const Message& msg);
  // The open gap was asked for resend_request_timeout ago or more.
  bool ResendOverdue(Timestamp now) const;
  // Asks for everything from next_target_seq() on and records the gap up to the highest
  // queued message.
  void RequestResend(Timestamp now, std::string why);

  void SendLogon(Timestamp now, bool reset_flag);
  void SendHeartbeat(Timestamp now, std::string_view test_req_id);
  void SendTestRequest(Timestamp now);
  void SendResendRequest(Timestamp now, int64_t begin, int64_t end);
  void SendLogout(Timestamp now, std::string_view text);
  void SendReject(Timestamp now, const Message& ref, SessionRejectReason reason, int ref_tag,
                  bool has_ref_tag);
  void SendGapFill(Timestamp now, int64_t seq, int64_t new_seq);
  // Fills the standard header, stores and sends; false when the store failed (disconnected).
  bool SendAdminOrApp(Timestamp now, const OutMessage& msg);
  HeaderFill MakeHeader(int64_t seq, Timestamp now) const;
  void Resend(Timestamp now, int64_t seq, std::string_view stored);

  void IncrTargetSeq();
  void SetTargetSeq(int64_t seq);
  void ResetSequences(Timestamp now, std::string_view why);
  void Terminate(std::string_view reason);
  void Event(SessionEvent e, std::string_view text) { host_.OnSessionEvent(e, text); }
  // Stores an application message under the next MsgSeqNum without writing it.
  Status StoreForResend(Timestamp now, const OutMessage& msg);
  bool IsGoodTime(Timestamp now, const Message& msg) const;

  SessionConfig config_;
  SessionHost& host_;
  MessageStore& store_;
  const Dictionary* dict_;

  SessionStatus status_ = SessionStatus::kDisconnected;
  std::string target_comp_id_;
  int heartbeat_s_ = 0;
  Timestamp last_sent_;
  Timestamp last_received_;
  int test_requests_outstanding_ = 0;
  Timestamp logon_deadline_ = Timestamp::Max();
  Timestamp logout_deadline_ = Timestamp::Max();
  bool sent_reset_ = false;  // our Logon carried 141=Y (initiator)

  // A gap we asked to be filled: [resend_begin_, resend_end_]; 0 = none outstanding.
  int64_t resend_begin_ = 0;
  int64_t resend_end_ = 0;
  Timestamp resend_requested_at_;
  std::map<int64_t, std::string> queue_;  // too-high messages, by MsgSeqNum

  std::string in_buf_;          // bytes not yet framed
  uint64_t stream_offset_ = 0;  // of in_buf_[0] within the connection, for error messages
  Message msg_;                 // the message being handled
  Message queued_msg_;          // a message taken from queue_
  Message stored_msg_;          // a stored message being resent
  MessageWriter writer_;
  OutMessage admin_;   // scratch for session messages
  OutMessage resend_;  // scratch for resent messages
};

}  // namespace td::fix
