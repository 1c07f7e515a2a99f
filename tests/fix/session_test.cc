// The session state machine, driven with fake time: two Sessions wired back to back through a
// simulated link (initiator <-> acceptor), and raw crafted messages into an acceptor.
#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <fstream>

#include "fix/file_message_store.h"
#include "fix/session.h"
#include "tests/fix/fix_test_util.h"

namespace td::fix {
namespace {

using testing::Fix;
using testing::kT0;
using testing::Pipes;
using testing::Ts;

// Records everything a session asks of its host.
class Host : public SessionHost {
 public:
  void SendBytes(std::string_view bytes) override { outbox.emplace_back(bytes); }
  void Disconnect(std::string_view reason) override {
    disconnected = true;
    disconnect_reason.assign(reason);
  }
  void OnLogon() override { ++logons; }
  void OnLogout(std::string_view reason) override { logouts.emplace_back(reason); }
  void OnAppMessage(const Message& msg) override {
    app.emplace_back(msg.raw());
    app_seq.push_back(msg.seq_num());
  }
  void OnSessionEvent(SessionEvent e, std::string_view text) override {
    events.emplace_back(e, std::string(text));
  }
  bool Saw(SessionEvent e) const {
    for (const auto& [k, t] : events) {
      if (k == e) return true;
    }
    return false;
  }
  // Parsed copies of the messages sent so far (then cleared).
  std::vector<std::string> TakeSent() {
    std::vector<std::string> out(outbox.begin(), outbox.end());
    outbox.clear();
    return out;
  }

  std::deque<std::string> outbox;
  bool disconnected = false;
  std::string disconnect_reason;
  int logons = 0;
  std::vector<std::string> logouts;
  std::vector<std::string> app;
  std::vector<int64_t> app_seq;
  std::vector<std::pair<SessionEvent, std::string>> events;
};

std::string Field(const std::string& raw, int tag) {
  Message m;
  EXPECT_TRUE(m.Parse(raw).ok()) << Pipes(raw);
  return std::string(m.Get(tag));
}

SessionConfig InitiatorConfig() {
  SessionConfig c;
  c.role = Role::kInitiator;
  c.sender_comp_id = "CLIENT";
  c.target_comp_id = "VENUE";
  c.heartbeat_interval_s = 10;
  return c;
}

SessionConfig AcceptorConfig() {
  SessionConfig c;
  c.role = Role::kAcceptor;
  c.sender_comp_id = "VENUE";
  c.allowed_target_comp_ids = {"CLIENT"};
  return c;
}

// Two sessions and a link between them that delivers only when pumped, can drop messages and
// can be cut.
struct Link {
  Host ih, ah;
  MemoryMessageStore is, as;
  Session initiator{InitiatorConfig(), ih, is};
  Session acceptor{AcceptorConfig(), ah, as};
  Timestamp now = kT0;

  void Connect() {
    ih.disconnected = ah.disconnected = false;
    acceptor.OnConnected(now);
    initiator.OnConnected(now);
    Pump();
  }
  // Delivers queued bytes both ways until nothing moves.
  void Pump() {
    for (int round = 0; round < 100 && (!ih.outbox.empty() || !ah.outbox.empty()); ++round) {
      while (!ih.outbox.empty()) {
        const std::string b = ih.outbox.front();
        ih.outbox.pop_front();
        acceptor.OnBytes(now, b);
      }
      while (!ah.outbox.empty()) {
        const std::string b = ah.outbox.front();
        ah.outbox.pop_front();
        initiator.OnBytes(now, b);
      }
    }
  }
  void Advance(Duration d) {
    now += d;
    initiator.OnTimer(now);
    acceptor.OnTimer(now);
  }
  void Cut() {
    ih.outbox.clear();
    ah.outbox.clear();
    initiator.OnDisconnected(now, "cable cut");
    acceptor.OnDisconnected(now, "cable cut");
  }
};

OutMessage Order(const std::string& cl_ord_id) {
  OutMessage m(msg_type::kNewOrderSingle);
  m.Add(11, cl_ord_id).AddChar(40, '1').AddChar(54, '1').Add(60, "20240102-03:04:05");
  return m;
}

TEST(Session, LogonHandshakeAndApplicationMessage) {
  Link l;
  l.Connect();
  ASSERT_TRUE(l.initiator.logged_on());
  ASSERT_TRUE(l.acceptor.logged_on());
  EXPECT_EQ(l.ih.logons, 1);
  EXPECT_EQ(l.ah.logons, 1);
  EXPECT_EQ(l.acceptor.target_comp_id(), "CLIENT");
  EXPECT_EQ(l.acceptor.heartbeat_interval_s(), 10);  // adopted from the Logon
  ASSERT_TRUE(l.initiator.Send(l.now, Order("C1")).ok());
  l.Pump();
  ASSERT_EQ(l.ah.app.size(), 1u);
  EXPECT_EQ(Field(l.ah.app[0], 11), "C1");
  EXPECT_EQ(l.initiator.next_sender_seq(), 3);
  EXPECT_EQ(l.acceptor.next_target_seq(), 3);
  // Application messages only once logged on; session messages never through Send().
  OutMessage hb(msg_type::kHeartbeat);
  EXPECT_EQ(l.initiator.Send(l.now, hb).code(), StatusCode::kInvalidArgument);
}

TEST(Session, SendBeforeLogonFails) {
  Host h;
  MemoryMessageStore s;
  Session session(InitiatorConfig(), h, s);
  EXPECT_EQ(session.Send(kT0, Order("C1")).code(), StatusCode::kFailedPrecondition);
}

TEST(Session, HeartbeatWhenIdleThenTestRequestThenDisconnect) {
  Link l;
  l.Connect();
  // Both sides idle for HeartBtInt: each sends a Heartbeat.
  EXPECT_EQ(l.initiator.NextTimerDeadline(), l.now + Duration::Seconds(10));
  l.Advance(Duration::Seconds(10));
  ASSERT_EQ(l.ih.outbox.size(), 1u);
  EXPECT_EQ(Field(l.ih.outbox.front(), 35), "0");
  l.Pump();
  // The acceptor goes silent: its outbound is lost from now on.
  auto drop_acceptor = [&] { l.ah.outbox.clear(); };
  l.Advance(Duration::Seconds(10));  // heartbeats again
  drop_acceptor();
  l.Pump();
  // 12 s (HeartBtInt + 20 %) after the last thing received: a TestRequest.
  l.Advance(Duration::Seconds(2));
  drop_acceptor();
  const std::vector<std::string> sent = l.ih.TakeSent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(Field(sent[0], 35), "1");
  EXPECT_EQ(Field(sent[0], 112), "TEST");
  EXPECT_TRUE(l.ih.Saw(SessionEvent::kTestRequestSent));
  // Unanswered until 2.4 x HeartBtInt: disconnect.
  l.Advance(Duration::Seconds(11));
  EXPECT_FALSE(l.ih.disconnected);
  l.Advance(Duration::Seconds(1));
  EXPECT_TRUE(l.ih.disconnected);
  EXPECT_NE(l.ih.disconnect_reason.find("no message received for 24000 ms"), std::string::npos)
      << l.ih.disconnect_reason;
  ASSERT_EQ(l.ih.logouts.size(), 1u);
}

TEST(Session, GapTriggersResendRequestAndResendWithPossDup) {
  Link l;
  l.Connect();
  ASSERT_TRUE(l.initiator.Send(l.now, Order("C1")).ok());  // seq 2: lost on the wire
  l.ih.outbox.clear();
  l.now += Duration::Seconds(1);
  ASSERT_TRUE(l.initiator.Send(l.now, Order("C2")).ok());  // seq 3: arrives, gap detected
  const std::string c2 = l.ih.outbox.front();
  l.ih.outbox.pop_front();
  l.acceptor.OnBytes(l.now, c2);
  EXPECT_TRUE(l.ah.app.empty());  // queued until the gap is filled
  ASSERT_EQ(l.ah.outbox.size(), 1u);
  EXPECT_EQ(Field(l.ah.outbox.front(), 35), "2");
  EXPECT_EQ(Field(l.ah.outbox.front(), 7), "2");
  EXPECT_EQ(Field(l.ah.outbox.front(), 16), "0");
  EXPECT_TRUE(l.ah.Saw(SessionEvent::kResendRequested));
  // The initiator answers: C1 again (PossDup, OrigSendingTime), then C2 (seq 3) again.
  l.now += Duration::Seconds(1);
  const std::string rr = l.ah.outbox.front();
  l.ah.outbox.pop_front();
  l.initiator.OnBytes(l.now, rr);
  ASSERT_EQ(l.ih.outbox.size(), 2u);
  const std::string resent = l.ih.outbox.front();
  EXPECT_EQ(Field(resent, 34), "2");
  EXPECT_EQ(Field(resent, 43), "Y");
  EXPECT_EQ(Field(resent, 122), Ts(kT0));
  EXPECT_EQ(Field(resent, 52), Ts(l.now));
  EXPECT_EQ(Field(resent, 11), "C1");
  l.Pump();
  ASSERT_EQ(l.ah.app.size(), 2u);
  EXPECT_EQ(Field(l.ah.app[0], 11), "C1");
  EXPECT_EQ(Field(l.ah.app[1], 11), "C2");
  EXPECT_EQ(l.acceptor.next_target_seq(), 4);
  EXPECT_TRUE(l.ah.Saw(SessionEvent::kGapFilled));
}

TEST(Session, AdminMessagesAreGapFilledNotResent) {
  Link l;
  l.Connect();                       // initiator sent Logon (1)
  l.Advance(Duration::Seconds(10));  // Heartbeat (2)
  l.Pump();
  ASSERT_TRUE(l.initiator.Send(l.now, Order("C1")).ok());  // (3)
  l.Pump();
  // The acceptor asks for everything from 1.
  l.initiator.OnBytes(l.now, Fix("35=2|34=" + std::to_string(l.acceptor.next_sender_seq()) +
                                 "|49=VENUE|52=" + Ts(l.now) + "|56=CLIENT|7=1|16=0|"));
  l.acceptor.OnBytes(l.now, "");  // nothing
  const std::vector<std::string> sent = l.ih.TakeSent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(Field(sent[0], 35), "4");
  EXPECT_EQ(Field(sent[0], 34), "1");
  EXPECT_EQ(Field(sent[0], 36), "3");
  EXPECT_EQ(Field(sent[0], 123), "Y");
  EXPECT_EQ(Field(sent[0], 43), "Y");
  EXPECT_EQ(Field(sent[1], 34), "3");
  EXPECT_EQ(Field(sent[1], 11), "C1");
  EXPECT_EQ(l.initiator.next_sender_seq(), 4);  // resending does not consume numbers
}

// An acceptor fed crafted messages by hand.
struct Raw {
  Host h;
  MemoryMessageStore store;
  Session s{AcceptorConfig(), h, store};
  Timestamp now = kT0;
  int64_t next = 1;

  explicit Raw(int hb = 30) {
    s.OnConnected(now);
    Send("35=A|34=1|98=0|108=" + std::to_string(hb) + "|");
    next = 2;
    h.outbox.clear();
  }
  // Sends "35=X|34=N|..." with our header around it; the caller writes 35 and 34.
  void Send(const std::string& type_and_seq_and_body) {
    const size_t after_seq = type_and_seq_and_body.find('|', type_and_seq_and_body.find("34=")) + 1;
    const std::string msg = type_and_seq_and_body.substr(0, after_seq) +
                            "49=CLIENT|52=" + Ts(now).substr(0, 17) + "|56=VENUE|" +
                            type_and_seq_and_body.substr(after_seq);
    s.OnBytes(now, Fix(msg));
  }
  void Heartbeat(int64_t seq) { Send("35=0|34=" + std::to_string(seq) + "|"); }
};

TEST(Session, SequenceResetGapFillAndResetModes) {
  Raw r;
  r.Send("35=4|34=2|123=Y|36=10|");
  EXPECT_EQ(r.s.next_target_seq(), 10);
  r.Send("35=4|34=0|36=20|");  // reset mode ignores MsgSeqNum
  EXPECT_EQ(r.s.next_target_seq(), 20);
  EXPECT_TRUE(r.h.outbox.empty());
  r.Send("35=4|34=0|36=5|");  // lower NewSeqNo: Reject, value incorrect
  ASSERT_EQ(r.h.outbox.size(), 1u);
  EXPECT_EQ(Field(r.h.outbox[0], 35), "3");
  EXPECT_EQ(Field(r.h.outbox[0], 373), "5");
  EXPECT_EQ(Field(r.h.outbox[0], 45), "0");
  EXPECT_EQ(r.s.next_target_seq(), 20);
}

TEST(Session, PossDupDuplicateIgnoredAndNoOrigSendingTimeRejected) {
  Raw r;
  r.Heartbeat(2);
  r.Send("35=0|34=2|43=Y|122=" + Ts(r.now).substr(0, 17) + "|");
  EXPECT_TRUE(r.h.outbox.empty());
  EXPECT_TRUE(r.h.Saw(SessionEvent::kMessageIgnored));
  r.Send("35=0|34=2|43=Y|");
  ASSERT_EQ(r.h.outbox.size(), 1u);
  EXPECT_EQ(Field(r.h.outbox[0], 373), "1");
  EXPECT_EQ(Field(r.h.outbox[0], 371), "122");
  EXPECT_EQ(r.s.next_target_seq(), 3);
}

TEST(Session, TooLowWithoutPossDupLogsOutAndDisconnects) {
  Raw r;
  r.Heartbeat(2);
  r.Heartbeat(3);
  r.Heartbeat(2);
  ASSERT_EQ(r.h.outbox.size(), 1u);
  EXPECT_EQ(Field(r.h.outbox[0], 35), "5");
  EXPECT_EQ(Field(r.h.outbox[0], 58), "MsgSeqNum too low, expecting 4 but received 2");
  EXPECT_TRUE(r.h.disconnected);
  EXPECT_EQ(r.s.status(), SessionStatus::kDisconnected);
}

TEST(Session, GarbledMessagesAreIgnoredWithoutSeqIncrement) {
  Raw r;
  std::string bad = Fix("35=0|34=2|49=CLIENT|52=" + Ts(r.now).substr(0, 17) + "|56=VENUE|");
  bad[bad.size() - 2] = bad[bad.size() - 2] == '0' ? '1' : '0';  // wrong checksum
  r.s.OnBytes(r.now, bad);
  EXPECT_TRUE(r.h.Saw(SessionEvent::kGarbledMessage));
  EXPECT_EQ(r.s.next_target_seq(), 2);
  EXPECT_TRUE(r.h.outbox.empty());
  EXPECT_FALSE(r.h.disconnected);
  r.Heartbeat(2);
  EXPECT_EQ(r.s.next_target_seq(), 3);
}

TEST(Session, MessagesSplitAndConcatenatedAcrossReads) {
  Raw r;
  std::string stream;
  for (int seq = 2; seq <= 6; ++seq) {
    stream += Fix("35=1|34=" + std::to_string(seq) + "|49=CLIENT|52=" + Ts(r.now).substr(0, 17) +
                  "|56=VENUE|112=T" + std::to_string(seq) + "|");
  }
  for (size_t i = 0; i < stream.size(); i += 7) r.s.OnBytes(r.now, stream.substr(i, 7));
  ASSERT_EQ(r.h.outbox.size(), 5u);
  EXPECT_EQ(Field(r.h.outbox[4], 112), "T6");
  EXPECT_EQ(r.s.next_target_seq(), 7);
}

TEST(Session, CompIdAndSendingTimeProblemsRejectAndLogOut) {
  {
    Raw r;
    r.s.OnBytes(r.now, Fix("35=0|34=2|49=OTHER|52=" + Ts(r.now).substr(0, 17) + "|56=VENUE|"));
    ASSERT_EQ(r.h.outbox.size(), 2u);
    EXPECT_EQ(Field(r.h.outbox[0], 373), "9");
    EXPECT_EQ(Field(r.h.outbox[1], 35), "5");
    EXPECT_EQ(r.s.status(), SessionStatus::kLogoutSent);
    r.now += Duration::Seconds(3);
    r.s.OnTimer(r.now);  // no Logout reply within the logout timeout
    EXPECT_TRUE(r.h.disconnected);
  }
  {
    Raw r;
    r.s.OnBytes(r.now, Fix("35=0|34=2|49=CLIENT|52=" +
                           Ts(r.now - Duration::Seconds(121)).substr(0, 17) + "|56=VENUE|"));
    ASSERT_EQ(r.h.outbox.size(), 2u);
    EXPECT_EQ(Field(r.h.outbox[0], 373), "10");
    EXPECT_EQ(Field(r.h.outbox[1], 35), "5");
  }
}

TEST(Session, FirstMessageMustBeLogonFromAConfiguredCounterparty) {
  Host h;
  MemoryMessageStore s;
  Session a(AcceptorConfig(), h, s);
  a.OnConnected(kT0);
  a.OnBytes(kT0, Fix("35=0|34=1|49=CLIENT|52=" + Ts(kT0) + "|56=VENUE|"));
  EXPECT_TRUE(h.disconnected);
  EXPECT_TRUE(h.outbox.empty());
  Host h2;
  Session b(AcceptorConfig(), h2, s);
  b.OnConnected(kT0);
  b.OnBytes(kT0, Fix("35=A|34=1|49=STRANGER|52=" + Ts(kT0) + "|56=VENUE|98=0|108=30|"));
  EXPECT_TRUE(h2.disconnected);
  EXPECT_NE(h2.disconnect_reason.find("STRANGER"), std::string::npos);
  // No Logon at all within the logon timeout.
  Host h3;
  Session c(AcceptorConfig(), h3, s);
  c.OnConnected(kT0);
  c.OnTimer(kT0 + Duration::Seconds(11));
  EXPECT_TRUE(h3.disconnected);
}

// Found by fuzz/fix_session_fuzzer: a Logon whose MsgSeqNum is too low, before logon, must be
// refused (Logout naming the numbers, then disconnect), never leave the session half logged on
// (OnLogout without OnLogon, application messages delivered without a logon).
TEST(Session, TooLowLogonBeforeLogonIsRefusedAndDisconnects) {
  for (const bool poss_dup : {false, true}) {
    Host h;
    MemoryMessageStore st;
    Session a(AcceptorConfig(), h, st);
    a.OnConnected(kT0);
    std::string logon = "35=A|34=0|49=CLIENT|52=" + Ts(kT0) + "|56=VENUE|";
    if (poss_dup) logon += "43=Y|122=" + Ts(kT0 + Duration::Seconds(5)) + "|";  // Orig > Sending
    a.OnBytes(kT0, Fix(logon + "98=0|108=30|"));
    EXPECT_TRUE(h.disconnected) << "PossDup " << poss_dup;
    EXPECT_EQ(a.status(), SessionStatus::kDisconnected) << "PossDup " << poss_dup;
    EXPECT_EQ(h.logons, 0);
    EXPECT_TRUE(h.logouts.empty()) << "OnLogout without OnLogon";
    bool refused = false;
    for (const std::string& m : h.outbox) {
      refused |= Field(m, 35) == "5" &&
                 Field(m, 58) == "MsgSeqNum too low, expecting 1 but received 0";
    }
    EXPECT_TRUE(refused) << "PossDup " << poss_dup;
    a.OnTimer(kT0 + Duration::Seconds(10));  // no logout timeout left to fire
    EXPECT_TRUE(h.logouts.empty());
  }
}

TEST(Session, DisconnectMidExchangeThenReconnectRecoversTheGap) {
  Link l;  // no ResetOnLogon: sequence numbers survive the reconnection
  l.Connect();
  ASSERT_TRUE(l.initiator.Send(l.now, Order("C1")).ok());
  l.Pump();
  ASSERT_TRUE(l.initiator.Send(l.now, Order("C2")).ok());  // lost with the connection
  l.Cut();
  EXPECT_EQ(l.ih.logouts.size(), 1u);
  EXPECT_FALSE(l.initiator.logged_on());
  l.now += Duration::Seconds(5);
  l.Connect();
  ASSERT_TRUE(l.initiator.logged_on());
  ASSERT_TRUE(l.acceptor.logged_on());
  // The initiator's Logon (seq 4) is too high for the acceptor (expects 3): it asks for 3 and
  // gets C2 again with PossDup.
  ASSERT_EQ(l.ah.app.size(), 2u);
  EXPECT_EQ(Field(l.ah.app[1], 11), "C2");
  EXPECT_EQ(Field(l.ah.app[1], 43), "Y");
  EXPECT_EQ(l.acceptor.next_target_seq(), 5);
  EXPECT_EQ(l.initiator.next_sender_seq(), 5);
}

TEST(Session, ALostResendRequestIsAskedForAgainAfterTheTimeout) {
  Link l;
  l.Connect();
  ASSERT_TRUE(l.initiator.Send(l.now, Order("C1")).ok());  // seq 2: lost on the wire
  l.ih.outbox.clear();
  ASSERT_TRUE(l.initiator.Send(l.now, Order("C2")).ok());  // seq 3: shows the gap
  l.acceptor.OnBytes(l.now, l.ih.outbox.front());
  l.ih.outbox.clear();
  ASSERT_EQ(l.ah.outbox.size(), 1u);
  l.ah.outbox.clear();  // the ResendRequest is lost too
  // Another too-high message within the timeout: the gap is already asked for.
  l.now += Duration::Millis(500);
  ASSERT_TRUE(l.initiator.Send(l.now, Order("C3")).ok());
  l.acceptor.OnBytes(l.now, l.ih.outbox.front());
  l.ih.outbox.clear();
  EXPECT_TRUE(l.ah.outbox.empty());
  // The timeout (2 s by default) is the acceptor's next timer deadline; then it asks again.
  EXPECT_EQ(l.acceptor.NextTimerDeadline(), kT0 + Duration::Seconds(2));
  l.Advance(Duration::Millis(1500));
  ASSERT_EQ(l.ah.outbox.size(), 1u);
  EXPECT_EQ(Field(l.ah.outbox.front(), 35), "2");
  EXPECT_EQ(Field(l.ah.outbox.front(), 7), "2");
  l.Pump();
  ASSERT_EQ(l.ah.app.size(), 3u);
  EXPECT_EQ(Field(l.ah.app[0], 11), "C1");
  EXPECT_EQ(Field(l.ah.app[2], 11), "C3");
  EXPECT_TRUE(l.ah.Saw(SessionEvent::kGapFilled));
}

TEST(Session, StoreWhileDisconnectedDeliversByResendAfterTheNextLogon) {
  Host ih, ah;
  MemoryMessageStore is, as;
  SessionConfig ac = AcceptorConfig();
  ac.store_while_disconnected = true;
  Session initiator{InitiatorConfig(), ih, is};
  Session acceptor{ac, ah, as};
  // Before any Logon there is no counterparty to store for.
  EXPECT_FALSE(acceptor.Send(kT0, Order("X")).ok());
  acceptor.OnConnected(kT0);
  initiator.OnConnected(kT0);
  acceptor.OnBytes(kT0, ih.outbox.front());
  ih.outbox.clear();
  initiator.OnBytes(kT0, ah.outbox.front());
  ah.outbox.clear();
  ASSERT_TRUE(initiator.logged_on());
  acceptor.OnDisconnected(kT0, "cut");
  initiator.OnDisconnected(kT0, "cut");
  // Down: the acceptor's report is stored under seq 2, not written.
  ASSERT_TRUE(acceptor.Send(kT0, Order("R1")).ok());
  EXPECT_TRUE(ah.outbox.empty());
  EXPECT_EQ(acceptor.next_sender_seq(), 3);
  // The next Logon reply (seq 3) shows the initiator the gap; the resend brings R1.
  const Timestamp t1 = kT0 + Duration::Seconds(1);
  acceptor.OnConnected(t1);
  initiator.OnConnected(t1);
  for (int round = 0; round < 10 && (!ih.outbox.empty() || !ah.outbox.empty()); ++round) {
    while (!ih.outbox.empty()) {
      const std::string b = ih.outbox.front();
      ih.outbox.pop_front();
      acceptor.OnBytes(t1, b);
    }
    while (!ah.outbox.empty()) {
      const std::string b = ah.outbox.front();
      ah.outbox.pop_front();
      initiator.OnBytes(t1, b);
    }
  }
  ASSERT_EQ(ih.app.size(), 1u);
  EXPECT_EQ(Field(ih.app[0], 11), "R1");
  EXPECT_EQ(Field(ih.app[0], 43), "Y");
  EXPECT_EQ(initiator.next_target_seq(), 4);
}

TEST(Session, ResetOnLogonStartsFromOne) {
  Host ih, ah;
  MemoryMessageStore is, as;
  SessionConfig ic = InitiatorConfig();
  ic.reset_on_logon = true;
  Session i(ic, ih, is);
  Session a(AcceptorConfig(), ah, as);
  ASSERT_TRUE(is.SetNextSenderSeq(50).ok());
  ASSERT_TRUE(as.SetNextTargetSeq(50).ok());
  a.OnConnected(kT0);
  i.OnConnected(kT0);
  EXPECT_EQ(Field(ih.outbox.front(), 141), "Y");
  EXPECT_EQ(Field(ih.outbox.front(), 34), "1");
  a.OnBytes(kT0, ih.outbox.front());
  ASSERT_EQ(ah.outbox.size(), 1u);
  EXPECT_EQ(Field(ah.outbox.front(), 141), "Y");
  i.OnBytes(kT0, ah.outbox.front());
  EXPECT_TRUE(i.logged_on());
  EXPECT_TRUE(a.logged_on());
  EXPECT_EQ(a.next_target_seq(), 2);
}

TEST(Session, LogoutHandshake) {
  Link l;
  l.Connect();
  l.initiator.Logout(l.now, "end of day");
  EXPECT_EQ(l.initiator.status(), SessionStatus::kLogoutSent);
  l.Pump();
  EXPECT_TRUE(l.ih.disconnected);
  EXPECT_TRUE(l.ah.disconnected);
  EXPECT_EQ(l.ah.logouts.size(), 1u);
  EXPECT_TRUE(l.ah.Saw(SessionEvent::kLoggedOut));
}

TEST(FileMessageStore, SurvivesReopenAndTruncatesATornTail) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("fixstore-" + std::to_string(::getpid())))
          .string();
  std::filesystem::remove(path);
  {
    auto s = FileMessageStore::Open(path);
    ASSERT_TRUE(s.ok()) << s.status().message();
    ASSERT_TRUE((*s)->SaveSent(1, "one").ok());
    ASSERT_TRUE((*s)->SaveSent(2, "two\x01with soh").ok());
    ASSERT_TRUE((*s)->SetNextTargetSeq(7).ok());
  }
  {
    auto s = FileMessageStore::Open(path);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ((*s)->next_sender_seq(), 3);
    EXPECT_EQ((*s)->next_target_seq(), 7);
    std::vector<std::string> got;
    ASSERT_TRUE(
        (*s)->ForEachSent(1, 5, [&](int64_t, std::string_view b) { got.emplace_back(b); }).ok());
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[1], "two\x01with soh");
    ASSERT_TRUE((*s)->SaveSent(3, "three").ok());
  }
  // A crash mid-append: a few bytes of a record at the end.
  { std::ofstream(path, std::ios::app | std::ios::binary) << "M\0\0"; }
  {
    auto s = FileMessageStore::Open(path);
    ASSERT_TRUE(s.ok());
    EXPECT_GT((*s)->recovered_tail_bytes(), 0u);
    EXPECT_NE((*s)->recovery_note().find("torn"), std::string::npos) << (*s)->recovery_note();
    EXPECT_EQ((*s)->next_sender_seq(), 4);
    ASSERT_TRUE((*s)->Reset().ok());
  }
  {
    auto s = FileMessageStore::Open(path);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ((*s)->next_sender_seq(), 1);
    EXPECT_EQ((*s)->stored_count(), 0u);
  }
  { std::ofstream(path, std::ios::trunc | std::ios::binary) << "not a store"; }
  EXPECT_EQ(FileMessageStore::Open(path).status().code(), StatusCode::kCorruption);
  std::filesystem::remove(path);
}

TEST(Session, PersistentStoreCarriesSequenceNumbersAcrossRestart) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("fixsess-" + std::to_string(::getpid()))).string();
  std::filesystem::remove(path);
  int64_t next_sender = 0;
  {
    auto store = FileMessageStore::Open(path);
    ASSERT_TRUE(store.ok());
    Host ih, ah;
    MemoryMessageStore as;
    Session i(InitiatorConfig(), ih, **store);
    Session a(AcceptorConfig(), ah, as);
    a.OnConnected(kT0);
    i.OnConnected(kT0);
    a.OnBytes(kT0, ih.outbox.front());
    i.OnBytes(kT0, ah.outbox.front());
    ASSERT_TRUE(i.logged_on());
    ASSERT_TRUE(i.Send(kT0, Order("C1")).ok());
    next_sender = i.next_sender_seq();
  }
  auto store = FileMessageStore::Open(path);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->next_sender_seq(), next_sender);
  EXPECT_EQ((*store)->next_target_seq(), 2);
  Host ih;
  Session i(InitiatorConfig(), ih, **store);
  i.OnConnected(kT0);
  EXPECT_EQ(Field(ih.outbox.front(), 34), std::to_string(next_sender));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace td::fix
