// libFuzzer target for the FIX session state machine (fix/session.h). The input drives an
// acceptor Session (built-in dictionary, SenderCompID TAPEDECK, reset_on_logon) on a fake,
// monotonic clock. It decodes into operations, one per leading byte (op = byte % 8; every
// missing byte reads as 0, so any input is valid):
//   0      raw: len = b % 96, then len bytes fed to OnBytes as they are
//   1,2,3  counterparty message: type, seq, flags, time bytes (+ per-type bytes), built with
//          a valid BodyLength/CheckSum by MessageWriter; flags pick PossDup, OrigSendingTime
//          (good or later than SendingTime), wrong CompIDs, a corrupted byte, BeginString
//          FIX.4.2, a split into two OnBytes calls
//   4      advance the clock (1 ms, seconds, to the timer deadline, just before it, ...) and
//          call OnTimer
//   5      transport: disconnect + reconnect, disconnect only, OnConnected only
//   6      application: Send() an app message, Send() a session type (must be refused),
//          Logout(), or choose what OnAppMessage does (nothing, Send, SendBusinessReject,
//          Logout)
//   7      like 1..3 (more messages than anything else)
// After every step (and inside every callback) the invariants below must hold; a violation
// prints what broke and traps:
//  - every byte string given to SendBytes parses with Message::Parse (BodyLength, CheckSum),
//    carries BeginString FIX.4.4, SenderCompID TAPEDECK and the session's TargetCompID;
//  - SendBytes only while connected, never in kDisconnected; in kAwaitingLogon only a Logout
//    refusing a too-low Logon (as QuickFIX does), then a disconnect; otherwise the first
//    message of every connection is our Logon;
//  - a message without PossDup has MsgSeqNum = previous + 1 (a Logon reply is 1: reset on
//    logon), was saved in the store first with the same seq and the identical bytes;
//  - a PossDup message is either a resend of an application message we sent in this sequence
//    epoch (same fields, OrigSendingTime = its SendingTime) or a SequenceReset-GapFill whose
//    NewSeqNo lies in (MsgSeqNum, next_sender_seq]; session messages are never resent;
//  - the store: SaveSent seq == next_sender_seq; next_target_seq only strictly increases,
//    both numbers go back to 1 (Reset) only while a Logon is being handled;
//  - OnAppMessage only while logged on (kActive/kLogoutSent, after OnLogon), with an app
//    MsgType, a message that validates against the dictionary, the session's CompIDs, a
//    SendingTime within the skew, MsgSeqNum = next_target_seq - 1 and strictly greater than
//    every MsgSeqNum delivered before in this sequence epoch (so never twice, PossDup or not);
//  - OnLogon only in kActive, once per connection; OnLogout only after OnLogon, once; after
//    every step "host saw OnLogon and no OnLogout" <=> status is kActive/kLogoutSent;
//  - Disconnect() only in kDisconnected, once per connection; after every step the host's
//    view of the transport matches status != kDisconnected;
//  - NextTimerDeadline() is Max when disconnected; OnTimer before the deadline does nothing
//    (no bytes, no status change); after OnTimer(now) the deadline is later than now;
//  - Send() succeeds iff the session is kActive and then writes exactly one message with the
//    next sender seq; Send() of a session MsgType is refused without writing anything;
//    Logout() in kActive writes one Logout and moves to kLogoutSent.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar.h"
#include "core/status.h"
#include "core/time.h"
#include "fix/fields.h"
#include "fix/message.h"
#include "fix/message_store.h"
#include "fix/session.h"
#include "fix/utc_time.h"
#include "fix/validator.h"
#include "fix/writer.h"

namespace {

using td::Duration;
using td::Status;
using td::Timestamp;
using namespace td::fix;  // NOLINT

constexpr size_t kMaxOpsPerInput = 1024;
constexpr std::string_view kUs = "TAPEDECK";
constexpr std::string_view kThem = "CLIENT";

[[noreturn]] void Fail(const char* cond, const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "fix_session_fuzzer invariant violated: %s (%s)\n  %.*s\n", what, cond,
               static_cast<int>(detail.size()), detail.data());
  __builtin_trap();
}
#define CHECK_INV(cond, ...)                   \
  do {                                         \
    if (!(cond)) Fail(#cond, __VA_ARGS__);     \
  } while (0)

class Reader {
 public:
  Reader(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  bool empty() const { return n_ == 0; }
  uint8_t Byte() {
    if (n_ == 0) return 0;
    --n_;
    return *p_++;
  }
  std::string_view Bytes(size_t k) {
    k = std::min(k, n_);
    std::string_view v(reinterpret_cast<const char*>(p_), k);
    p_ += k;
    n_ -= k;
    return v;
  }

 private:
  const uint8_t* p_;
  size_t n_;
};

bool IsLoggedOnStatus(SessionStatus s) {
  return s == SessionStatus::kActive || s == SessionStatus::kLogoutSent;
}

struct Harness;

// Forwards to a MemoryMessageStore and checks how the session uses it.
class CheckingStore final : public MessageStore {
 public:
  explicit CheckingStore(Harness& h) : h_(h) {}
  int64_t next_sender_seq() const override { return inner_.next_sender_seq(); }
  int64_t next_target_seq() const override { return inner_.next_target_seq(); }
  Status SetNextSenderSeq(int64_t seq) override {
    CHECK_INV(seq >= inner_.next_sender_seq(), "SetNextSenderSeq moved backwards");
    return inner_.SetNextSenderSeq(seq);
  }
  Status SetNextTargetSeq(int64_t seq) override {
    CHECK_INV(seq > inner_.next_target_seq(), "next_target_seq must only increase");
    return inner_.SetNextTargetSeq(seq);
  }
  Status SaveSent(int64_t seq, std::string_view bytes) override;
  Status ForEachSent(int64_t begin, int64_t end,
                     const std::function<void(int64_t, std::string_view)>& fn) const override {
    return inner_.ForEachSent(begin, end, fn);
  }
  Status Reset() override;

 private:
  Harness& h_;
  MemoryMessageStore inner_;
};

struct Harness final : SessionHost {
  Timestamp now{td::DaysFromCivil(2024, 1, 2) * 86'400 * td::kNanosPerSecond};
  CheckingStore store{*this};
  Session session{SessionConfig{.role = Role::kAcceptor,
                                .sender_comp_id = std::string(kUs),
                                .reset_on_logon = true},
                  *this, store};

  // Host-side view.
  bool connected = false;
  bool logged_on = false;         // OnLogon seen, no OnLogout since
  int logons_this_connection = 0;
  int sends_this_connection = 0;  // SendBytes calls since OnConnected
  size_t bytes_sent = 0;          // SendBytes calls in total
  std::string last_received_type;
  bool in_input = false;          // inside OnBytes
  bool refused_logon = false;     // a Logout went out in kAwaitingLogon during this step

  // Sequence epoch (since the last store Reset).
  int64_t last_out_seq = 0;
  std::map<int64_t, std::string> sent;  // non-PossDup messages we sent, by MsgSeqNum
  int64_t pending_save_seq = 0;
  std::string pending_save;
  int64_t last_delivered_seq = 0;

  // What OnAppMessage does (the fuzz input picks).
  int callback_mode = 0;
  uint32_t callback_counter = 0;
  Message parsed, original;

  void OnStoreReset() {
    CHECK_INV(in_input && last_received_type == msg_type::kLogon,
              "sequence numbers reset outside Logon handling");
    last_out_seq = 0;
    sent.clear();
    last_delivered_seq = 0;
  }

  void SendBytes(std::string_view bytes) override {
    CHECK_INV(connected, "SendBytes while the transport is closed");
    const SessionStatus st = session.status();
    CHECK_INV(st != SessionStatus::kDisconnected, "SendBytes in kDisconnected");
    ++bytes_sent;
    const Status ps = parsed.Parse(bytes);
    CHECK_INV(ps.ok(), "emitted bytes do not parse", ps.message());
    // Before our Logon reply only the refusal of a too-low Logon (Logout, as QuickFIX does)
    // may go out, and the session disconnects right after it (checked in Check()).
    if (st == SessionStatus::kAwaitingLogon) {
      CHECK_INV(parsed.msg_type() == msg_type::kLogout, "SendBytes before our Logon reply", bytes);
      refused_logon = true;
    }
    CHECK_INV(parsed.begin_string() == "FIX.4.4", "emitted BeginString", bytes);
    CHECK_INV(parsed.Get(tag::kSenderCompId) == kUs, "emitted SenderCompID", bytes);
    CHECK_INV(parsed.Get(tag::kTargetCompId) == session.target_comp_id(),
              "emitted TargetCompID", bytes);
    const std::string_view type = parsed.msg_type();
    if (sends_this_connection++ == 0) {
      CHECK_INV(type == msg_type::kLogon || st == SessionStatus::kAwaitingLogon,
                "first message of a connection is not Logon", bytes);
    }
    const td::Result<int64_t> seq_r = parsed.GetInt(tag::kMsgSeqNum);
    CHECK_INV(seq_r.ok() && *seq_r >= 1, "emitted MsgSeqNum", bytes);
    const int64_t seq = *seq_r;
    if (!parsed.GetFlag(tag::kPossDupFlag)) {
      if (type == msg_type::kLogon) {
        CHECK_INV(seq == 1, "Logon reply not at MsgSeqNum 1 (reset_on_logon)", bytes);
      } else {
        CHECK_INV(seq == last_out_seq + 1, "MsgSeqNum not previous + 1", bytes);
      }
      CHECK_INV(seq == pending_save_seq && bytes == pending_save,
                "message sent is not the one just stored", bytes);
      pending_save_seq = 0;
      last_out_seq = seq;
      sent[seq].assign(bytes);
      CHECK_INV(session.next_sender_seq() == seq + 1, "next_sender_seq after a send");
      return;
    }
    // PossDup: a resend or a gap fill, at a sequence number already used.
    CHECK_INV(seq < session.next_sender_seq(), "PossDup message at an unused MsgSeqNum", bytes);
    CHECK_INV(parsed.Has(tag::kOrigSendingTime), "PossDup without OrigSendingTime", bytes);
    if (type == msg_type::kSequenceReset) {
      CHECK_INV(parsed.GetFlag(tag::kGapFillFlag), "resent SequenceReset is not a gap fill",
                bytes);
      const td::Result<int64_t> ns = parsed.GetInt(tag::kNewSeqNo);
      CHECK_INV(ns.ok() && *ns > seq && *ns <= session.next_sender_seq(), "gap fill NewSeqNo",
                bytes);
      return;
    }
    CHECK_INV(!IsAdminMsgType(type), "session message resent", bytes);
    const auto it = sent.find(seq);
    CHECK_INV(it != sent.end(), "resent a MsgSeqNum we never sent in this epoch", bytes);
    CHECK_INV(original.Parse(it->second).ok(), "stored copy parses");
    CHECK_INV(parsed.Get(tag::kOrigSendingTime) == original.Get(tag::kSendingTime),
              "OrigSendingTime is not the original SendingTime", bytes);
    auto content = [](const Message& m) {
      std::vector<std::pair<int, std::string_view>> v;
      for (const Field& f : m.fields()) {
        switch (f.tag) {
          case 9: case 10: case 34: case 43: case 52: case 97: case 122:
            break;
          default:
            v.emplace_back(f.tag, f.value);
        }
      }
      return v;
    };
    CHECK_INV(content(parsed) == content(original), "resend differs from the original", bytes);
  }

  void OnMessageReceived(std::string_view frame) override {
    Message m;
    last_received_type.clear();
    if (m.ParseFieldsOnly(frame).ok()) last_received_type.assign(m.Get(35));
  }

  void Disconnect(std::string_view reason) override {
    CHECK_INV(session.status() == SessionStatus::kDisconnected, "Disconnect while not disconnected",
              reason);
    CHECK_INV(connected, "Disconnect twice", reason);
    CHECK_INV(session.NextTimerDeadline() == Timestamp::Max(), "timer armed while disconnected");
    connected = false;
  }

  void OnLogon() override {
    CHECK_INV(session.status() == SessionStatus::kActive, "OnLogon outside kActive");
    CHECK_INV(!logged_on && logons_this_connection == 0, "OnLogon twice");
    ++logons_this_connection;
    logged_on = true;
  }

  void OnLogout(std::string_view reason) override {
    CHECK_INV(logged_on, "OnLogout without OnLogon", reason);
    CHECK_INV(session.status() == SessionStatus::kDisconnected, "OnLogout while connected");
    logged_on = false;
  }

  void OnAppMessage(const Message& msg) override {
    CHECK_INV(logged_on && IsLoggedOnStatus(session.status()), "app message while logged off");
    const std::string_view type = msg.msg_type();
    CHECK_INV(!IsAdminMsgType(type), "session message delivered as app message", msg.raw());
    CHECK_INV(!Validate(session.dictionary(), msg).has_value(), "invalid message delivered",
              msg.raw());
    CHECK_INV(msg.begin_string() == "FIX.4.4", "delivered BeginString", msg.raw());
    CHECK_INV(msg.Get(tag::kSenderCompId) == session.target_comp_id() &&
                  msg.Get(tag::kTargetCompId) == kUs,
              "delivered CompIDs", msg.raw());
    const td::Result<Timestamp> t = ParseUtcTimestamp(msg.Get(tag::kSendingTime));
    CHECK_INV(t.ok(), "delivered SendingTime", msg.raw());
    const Duration skew = now > *t ? now - *t : *t - now;
    CHECK_INV(skew <= session.config().max_sending_time_skew, "delivered SendingTime skew",
              msg.raw());
    const int64_t seq = msg.seq_num();
    CHECK_INV(seq == session.next_target_seq() - 1, "delivered seq not counted", msg.raw());
    CHECK_INV(seq > last_delivered_seq, "MsgSeqNum delivered twice or out of order", msg.raw());
    last_delivered_seq = seq;

    switch (callback_mode) {
      case 1: {
        const SessionStatus st = session.status();
        const int64_t next = session.next_sender_seq();
        OutMessage er(msg_type::kExecutionReport);
        er.Add(37, "O-" + std::to_string(++callback_counter)).Add(17, "E-1").Add(150, "0");
        const Status s = session.Send(now, er);
        CHECK_INV(s.ok() == (st == SessionStatus::kActive), "Send from the callback", s.message());
        if (s.ok()) CHECK_INV(session.next_sender_seq() == next + 1, "Send seq from callback");
        break;
      }
      case 2: {
        const Status s = session.SendBusinessReject(now, msg, BusinessRejectReason{0}, "no", 0);
        CHECK_INV(s.ok(), "SendBusinessReject while logged on", s.message());
        break;
      }
      case 3:
        session.Logout(now, "callback logout");
        break;
      default:
        break;
    }
  }

  // ------------------------------------------------------------------------ operations

  void Feed(std::string_view bytes) {
    in_input = true;
    session.OnBytes(now, bytes);
    in_input = false;
  }

  void OpRaw(Reader& r) {
    const size_t len = r.Byte() % 96;
    Feed(r.Bytes(len));
  }

  static int64_t Rel(int64_t base, uint8_t b) {
    switch (b % 4) {
      case 0: return base + 1 + (b >> 2) % 8;
      case 1: return base;
      case 2: return base - 1 - (b >> 2) % 4;
      default: return b >> 2;
    }
  }

  void OpMessage(Reader& r) {
    const uint8_t ty = r.Byte(), sq = r.Byte(), fl = r.Byte(), tm = r.Byte();
    const int64_t expected = session.next_target_seq();
    int64_t seq;
    switch (sq % 8) {
      case 4: seq = expected + 1 + (sq >> 3) % 4; break;
      case 5: seq = expected - 1 - (sq >> 3) % 3; break;
      case 6: seq = sq >> 3; break;
      case 7: seq = 1; break;
      default: seq = expected; break;
    }
    if (seq < 0) seq = 0;

    int64_t skew_s = 0;
    switch (tm % 8) {
      case 4: skew_s = -(tm >> 3); break;
      case 5: skew_s = tm >> 3; break;
      case 6: skew_s = -(100 + (tm >> 3)); break;
      case 7: skew_s = 100 + (tm >> 3); break;
      default: break;
    }
    const Timestamp sending = now + Duration::Seconds(skew_s);

    OutMessage m;
    switch (ty % 12) {
      case 0: {
        m.Reset(msg_type::kLogon);
        const uint8_t b = r.Byte();
        static constexpr int kHb[] = {30, 0, 1, 5, 3601, 2, 60, 30};
        m.Add(tag::kEncryptMethod, 0).Add(tag::kHeartBtInt, kHb[b % 8]);
        if (b & 8) m.AddFlag(tag::kResetSeqNumFlag, true);
        break;
      }
      case 1:
        m.Reset(msg_type::kHeartbeat);
        if (r.Byte() & 1) m.Add(tag::kTestReqId, "TEST");
        break;
      case 2:
        m.Reset(msg_type::kTestRequest);
        m.Add(tag::kTestReqId, "T" + std::to_string(r.Byte()));
        break;
      case 3: {
        m.Reset(msg_type::kResendRequest);
        const int64_t sent_seq = session.next_sender_seq();
        const int64_t begin = Rel(sent_seq - 3, r.Byte());
        const uint8_t e = r.Byte();
        const int64_t end = (e & 1) ? 0 : Rel(begin, e >> 1);
        m.Add(tag::kBeginSeqNo, begin).Add(tag::kEndSeqNo, end);
        break;
      }
      case 4:
      case 5:
        m.Reset(msg_type::kSequenceReset);
        m.Add(tag::kNewSeqNo, Rel(expected, r.Byte()));
        if (ty % 12 == 4) m.AddFlag(tag::kGapFillFlag, true);
        break;
      case 6:
        m.Reset(msg_type::kLogout);
        if (r.Byte() & 1) m.Add(tag::kText, "bye");
        break;
      case 7:
      case 8:
      case 10: {
        m.Reset(msg_type::kNewOrderSingle);
        if (ty % 12 != 10) m.Add(11, "C" + std::to_string(r.Byte()));  // 10: 11 missing
        m.Add(55, "ESZ4").Add(54, "1").Add(60, "20240102-00:00:00").Add(38, 10).Add(40, "2");
        m.Add(44, "5000.25");
        break;
      }
      case 9:
        m.Reset(msg_type::kReject);
        m.Add(tag::kRefSeqNum, static_cast<int64_t>(r.Byte()));
        break;
      default:
        m.Reset("ZZ");
        m.Add(58, "unknown");
        break;
    }

    HeaderFill h;
    h.begin_string = ((fl >> 5) & 3) == 3 ? "FIX.4.2" : "FIX.4.4";
    h.sender_comp_id = ((fl >> 3) & 3) == 3 ? "OTHER" : kThem;
    h.target_comp_id = tm == 0xFF ? "WRONG" : kUs;
    h.msg_seq_num = seq;
    h.sending_time = sending;
    h.poss_dup = fl & 1;
    char orig[kUtcTimestampMillisLen];
    if (fl & 2) {
      const Timestamp o = (fl & 4) ? sending + Duration::Seconds(5) : sending - Duration::Seconds(7);
      FormatUtcTimestampMillis(o, orig);
      h.orig_sending_time = std::string_view(orig, sizeof orig);
    }
    std::string bytes(writer.Write(m, h));
    if (((fl >> 5) & 3) == 2 && !bytes.empty()) {
      bytes[r.Byte() % bytes.size()] ^= static_cast<char>(1 + r.Byte() % 255);
    }
    if (fl & 0x80) {
      const size_t cut = r.Byte() % (bytes.size() + 1);
      Feed(std::string_view(bytes).substr(0, cut));
      Check();
      Feed(std::string_view(bytes).substr(cut));
    } else {
      Feed(bytes);
    }
  }

  void OpTimer(Reader& r) {
    const uint8_t a = r.Byte();
    const Timestamp deadline = session.NextTimerDeadline();
    Timestamp t = now;
    switch (a % 8) {
      case 0: t = now + Duration::Millis(1); break;
      case 1: t = now + Duration::Seconds(1); break;
      case 2: t = now + Duration::Seconds(a >> 3); break;
      case 3: t = now + Duration::Seconds(30); break;
      case 4: t = deadline == Timestamp::Max() ? now + Duration::Seconds(1) : deadline; break;
      case 5:
        t = deadline == Timestamp::Max() ? now + Duration::Seconds(1) : deadline - Duration{1};
        break;
      case 6: t = now + Duration::Seconds(121); break;
      default: t = now + Duration::Seconds(10 * (a >> 3)); break;
    }
    if (t > now) now = t;
    const SessionStatus before = session.status();
    const size_t sent_before = bytes_sent;
    session.OnTimer(now);
    if (now < deadline) {
      CHECK_INV(bytes_sent == sent_before && session.status() == before,
                "OnTimer before the deadline did something");
    }
    CHECK_INV(session.NextTimerDeadline() > now, "timer deadline not after OnTimer's now");
  }

  void Connect() {
    const bool was_connected = connected;
    connected = true;  // the transport is up before the session hears of it
    session.OnConnected(now);
    (void)was_connected;
    sends_this_connection = 0;
    logons_this_connection = 0;
    CHECK_INV(session.status() == SessionStatus::kAwaitingLogon, "acceptor after OnConnected");
  }

  void OpConnection(Reader& r) {
    switch (r.Byte() % 4) {
      case 0:
      case 1:
        session.OnDisconnected(now, "fuzz disconnect");
        connected = false;
        CHECK_INV(!logged_on, "still logged on after OnDisconnected");
        if (r.Byte() & 1) break;
        Connect();
        break;
      case 2:
        session.OnDisconnected(now, "fuzz disconnect");
        connected = false;
        break;
      default:
        // A new connection without an OnDisconnected first (the session handles both).
        Connect();
        break;
    }
  }

  void OpApp(Reader& r) {
    const uint8_t a = r.Byte();
    switch (a % 6) {
      case 0:
      case 1: {
        const SessionStatus st = session.status();
        const int64_t next = session.next_sender_seq();
        const size_t before = bytes_sent;
        OutMessage er(msg_type::kExecutionReport);
        er.Add(37, "O-" + std::to_string(++callback_counter)).Add(17, "E-2").Add(150, "F");
        er.Add(58, std::string(a >> 3, 'x'));
        const Status s = session.Send(now, er);
        CHECK_INV(s.ok() == (st == SessionStatus::kActive), "Send result", s.message());
        if (s.ok()) {
          CHECK_INV(bytes_sent == before + 1 && session.next_sender_seq() == next + 1,
                    "Send wrote one message");
        } else {
          CHECK_INV(bytes_sent == before, "refused Send wrote bytes");
        }
        break;
      }
      case 2: {
        const size_t before = bytes_sent;
        OutMessage hb(msg_type::kHeartbeat);
        const Status s = session.Send(now, hb);
        CHECK_INV(!s.ok() && bytes_sent == before, "Send of a session message accepted");
        break;
      }
      case 3: {
        const SessionStatus st = session.status();
        const size_t before = bytes_sent;
        session.Logout(now, "app logout");
        if (st == SessionStatus::kActive) {
          CHECK_INV(bytes_sent == before + 1 && session.status() == SessionStatus::kLogoutSent,
                    "Logout() in kActive");
        } else {
          CHECK_INV(bytes_sent == before, "Logout() outside kActive wrote bytes");
        }
        break;
      }
      default:
        callback_mode = r.Byte() % 4;
        break;
    }
  }

  void Check() {
    const SessionStatus st = session.status();
    CHECK_INV(!refused_logon || st == SessionStatus::kDisconnected,
              "Logout before logon not followed by a disconnect");
    refused_logon = false;
    CHECK_INV(connected == (st != SessionStatus::kDisconnected), "transport view vs status");
    CHECK_INV(logged_on == IsLoggedOnStatus(st), "OnLogon/OnLogout vs status");
    if (st == SessionStatus::kDisconnected) {
      CHECK_INV(session.NextTimerDeadline() == Timestamp::Max(), "timer armed while disconnected");
    }
    CHECK_INV(session.next_sender_seq() == last_out_seq + 1, "next_sender_seq vs messages sent");
    CHECK_INV(session.next_target_seq() >= 1, "next_target_seq below 1");
  }

  MessageWriter writer;
};

Status CheckingStore::SaveSent(int64_t seq, std::string_view bytes) {
  CHECK_INV(seq == inner_.next_sender_seq(), "SaveSent not at next_sender_seq");
  h_.pending_save_seq = seq;
  h_.pending_save.assign(bytes);
  return inner_.SaveSent(seq, bytes);
}

Status CheckingStore::Reset() {
  h_.OnStoreReset();
  return inner_.Reset();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader r(data, size);
  Harness h;
  h.Connect();
  h.Check();
  for (size_t n = 0; n < kMaxOpsPerInput && !r.empty(); ++n) {
    switch (r.Byte() % 8) {
      case 0: h.OpRaw(r); break;
      case 4: h.OpTimer(r); break;
      case 5: h.OpConnection(r); break;
      case 6: h.OpApp(r); break;
      default: h.OpMessage(r); break;
    }
    h.Check();
  }
  return 0;
}
