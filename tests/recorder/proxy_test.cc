// The recording FIX proxy and replay-venue (recorder/proxy.h, recorder/replay_venue.h) over
// loopback TCP with plain sockets: a fake venue and a scripted fake engine exchange FIX
// messages through the proxy; the journal must hold every message in order, redacted, with
// the bytes forwarded unchanged; replay-venue must then replay the journal to the same engine
// script with no divergence, and report a changed engine message as a divergence.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/event.h"
#include "fix/framer.h"
#include "fix/message.h"
#include "journal/reader.h"
#include "recorder/proxy.h"
#include "recorder/replay_venue.h"
#include "recorder/replay_venue_script.h"

namespace td::recorder {
namespace {

constexpr int kIoTimeoutMs = 5000;

std::string TempDir(const std::string& name) {
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("td_proxy_test_" + std::to_string(::getpid()) + "_" + name))
                              .string();
  std::filesystem::remove_all(dir);
  return dir;
}

// A valid FIX 4.4 message: `fields` is "35=...|..." with '|' for SOH, without 8, 9 and 10.
std::string Fix(std::string fields) {
  for (char& c : fields) {
    if (c == '|') c = '\x01';
  }
  std::string out =
      "8=FIX.4.4\x01"
      "9=" +
      std::to_string(fields.size()) + "\x01" + fields;
  char cs[8];
  std::snprintf(cs, sizeof cs, "10=%03u\x01", static_cast<unsigned>(fix::ComputeCheckSum(out)));
  return out + cs;
}

// SendingTime of now: differs from run to run, as a real engine's does.
std::string NowText() {
  const auto t = std::chrono::system_clock::now().time_since_epoch();
  const long long ms = std::chrono::duration_cast<std::chrono::milliseconds>(t).count();
  return "20260101-00:00:" + std::to_string(10 + ms % 50) + "." + std::to_string(100 + ms % 900);
}

// A blocking TCP socket with bounded waits.
class Sock {
 public:
  explicit Sock(int fd = -1) : fd_(fd) {}
  ~Sock() { Close(); }
  Sock(const Sock&) = delete;
  Sock& operator=(const Sock&) = delete;

  static std::unique_ptr<Sock> Connect(uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      return nullptr;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return std::make_unique<Sock>(fd);
  }
  // Listens on an ephemeral loopback port.
  static std::unique_ptr<Sock> Listen(uint16_t* port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 4) != 0) {
      ::close(fd);
      return nullptr;
    }
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    *port = ntohs(a.sin_port);
    return std::make_unique<Sock>(fd);
  }
  std::unique_ptr<Sock> Accept() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, kIoTimeoutMs) != 1) return nullptr;
    const int fd = ::accept(fd_, nullptr, nullptr);
    return fd < 0 ? nullptr : std::make_unique<Sock>(fd);
  }
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // The next framed FIX message (garbage skipped), or "" on timeout or close.
  std::string ReadMessage() {
    for (;;) {
      const fix::Frame f = fix::FindFrame(buf_);
      if (f.kind == fix::FrameKind::kGarbage) {
        buf_.erase(0, f.size);
        continue;
      }
      if (f.kind == fix::FrameKind::kFrame) {
        std::string m = buf_.substr(0, f.size);
        buf_.erase(0, f.size);
        return m;
      }
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, kIoTimeoutMs) != 1) return "";
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return "";
      raw_.append(chunk, static_cast<size_t>(n));
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }
  // Reads until the peer closes (or the timeout); true on a clean close.
  bool DrainToEof() {
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, kIoTimeoutMs) != 1) return false;
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n == 0) return true;
      if (n < 0) return false;
      raw_.append(chunk, static_cast<size_t>(n));
    }
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  const std::string& raw() const { return raw_; }  // every byte received

 private:
  int fd_;
  std::string buf_;
  std::string raw_;
};

std::string MsgType(const std::string& bytes) {
  fix::Message m;
  if (!m.ParseFieldsOnly(bytes).ok()) return "?";
  return std::string(m.msg_type());
}

std::string GetField(const std::string& bytes, int tag) {
  fix::Message m;
  if (!m.ParseFieldsOnly(bytes).ok()) return "";
  return std::string(m.Get(tag));
}

// The fake venue: answers Logon with Logon, two NewOrderSingles with two ExecutionReports
// (only once both arrived, so the journal order is fixed), Logout with Logout, then closes.
struct FakeVenue {
  std::unique_ptr<Sock> listener;
  uint16_t port = 0;
  std::string received_raw;  // every byte the venue received
  std::string error;
  std::thread thread;

  FakeVenue() {
    listener = Sock::Listen(&port);
    thread = std::thread([this] { Serve(); });
  }
  ~FakeVenue() {
    if (thread.joinable()) thread.join();
  }
  void Serve() {
    std::unique_ptr<Sock> c = listener->Accept();
    if (!c) return void(error = "no connection");
    int seq = 1;
    std::vector<std::string> orders;
    auto hdr = [&](const std::string& type) {
      return "35=" + type + "|34=" + std::to_string(seq++) + "|49=VENUE|52=" + NowText() +
             "|56=ENGINE|";
    };
    for (;;) {
      const std::string m = c->ReadMessage();
      if (m.empty()) break;
      const std::string type = MsgType(m);
      if (type == "A") {
        c->Send(Fix(hdr("A") + "98=0|108=30|"));
      } else if (type == "D") {
        orders.push_back(GetField(m, 11));
        if (orders.size() == 2) {
          std::string both;
          for (const std::string& id : orders) {
            both += Fix(hdr("8") + "11=" + id + "|37=V-" + id + "|17=E-" + id +
                        "|150=0|39=0|55=ACME|54=1|151=10|14=0|6=0|60=" + NowText() + "|");
          }
          c->Send(both);
        }
      } else if (type == "5") {
        c->Send(Fix(hdr("5")));
        break;
      }
    }
    c->DrainToEof();
    received_raw = c->raw();
  }
};

// The fake engine's script. Returns the bytes it sent, or "" when the conversation broke.
std::string RunEngine(uint16_t port, const std::string& price_of_first_order) {
  std::unique_ptr<Sock> s = Sock::Connect(port);
  if (!s) return "";
  std::string sent;
  int seq = 1;
  auto hdr = [&](const std::string& type) {
    return "35=" + type + "|34=" + std::to_string(seq++) + "|49=ENGINE|52=" + NowText() +
           "|56=VENUE|";
  };
  auto send = [&](const std::string& bytes) {
    sent += bytes;
    return s->Send(bytes);
  };
  // Garbage first, then a Logon with credentials split across two writes.
  const std::string logon = Fix(hdr("A") + "98=0|108=30|553=trader|554=s3cret|");
  if (!send("JUNK\x01")) return "";
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (!send(logon.substr(0, 20))) return "";
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (!send(logon.substr(20))) return "";
  if (MsgType(s->ReadMessage()) != "A") return "";
  // Two orders in one write.
  const std::string orders =
      Fix(hdr("D") + "11=ORD-1|55=ACME|54=1|38=10|40=2|44=" + price_of_first_order +
          "|60=" + NowText() + "|") +
      Fix(hdr("D") + "11=ORD-2|55=ACME|54=1|38=10|40=2|44=99|60=" + NowText() + "|");
  if (!send(orders)) return "";
  if (MsgType(s->ReadMessage()) != "8" || MsgType(s->ReadMessage()) != "8") return "";
  if (!send(Fix(hdr("5")))) return "";
  if (MsgType(s->ReadMessage()) != "5") return "";
  s->Close();
  return sent;
}

struct Recorded {
  std::vector<Event> events;
  JournalHeader header;
};

Recorded ReadAll(const std::string& dir) {
  Recorded r;
  auto reader = journal::JournalReader::Open(dir);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return r;
  r.header = (*reader)->header();
  while (const Event* e = (*reader)->Next()) r.events.push_back(*e);
  EXPECT_TRUE((*reader)->status().ok()) << (*reader)->status().ToString();
  return r;
}

// Records one engine session through the proxy into `dir`; returns the engine's sent bytes.
std::string RecordSession(const std::string& dir, std::string* venue_received) {
  FakeVenue venue;
  ProxyOptions po;
  po.upstream_port = venue.port;
  po.journal_dir = dir;
  po.handle_signals = false;
  auto proxy = Proxy::Create(po);
  EXPECT_TRUE(proxy.ok()) << proxy.status().ToString();
  if (!proxy.ok()) return "";
  Result<ProxySummary> summary = Status(StatusCode::kInternal, "not run");
  std::thread runner([&] { summary = (*proxy)->Run(); });
  const std::string sent = RunEngine((*proxy)->port(), "100");
  venue.thread.join();
  (*proxy)->Stop();
  runner.join();
  EXPECT_TRUE(summary.ok()) << summary.status().ToString();
  if (summary.ok()) {
    EXPECT_EQ(summary->connections, 1u);
    EXPECT_EQ(summary->messages_outbound, 4u);
    EXPECT_EQ(summary->messages_inbound, 4u);
  }
  EXPECT_EQ(venue.error, "");
  *venue_received = venue.received_raw;
  return sent;
}

TEST(Proxy, JournalsEveryMessageInOrderRedactedAndForwardsBytesUnchanged) {
  const std::string dir = TempDir("record");
  std::string venue_received;
  const std::string engine_sent = RecordSession(dir, &venue_received);
  ASSERT_FALSE(engine_sent.empty()) << "the engine's conversation through the proxy broke";
  EXPECT_EQ(venue_received, engine_sent) << "the proxy changed the forwarded bytes";

  const Recorded r = ReadAll(dir);
  EXPECT_EQ(r.header.session_kind, "proxy");
  EXPECT_EQ(r.header.engine_name, "tapedeck-proxy");
  EXPECT_NE(r.header.config_text.find("upstream = \"127.0.0.1:"), std::string::npos);

  std::vector<std::string> wire;  // "out:A", "in:8", ... for framed messages
  std::vector<SeqNo> wire_seqs;
  int garbage = 0, sent_notes = 0, connected = 0, disconnected = 0;
  std::string logon;
  for (size_t i = 0; i < r.events.size(); ++i) {
    const Event& e = r.events[i];
    if (const auto* w = std::get_if<WireMessage>(&e.payload)) {
      EXPECT_EQ(w->connection, 1u);
      const bool is_garbage =
          i + 1 < r.events.size() && std::holds_alternative<Annotation>(r.events[i + 1].payload) &&
          std::get<Annotation>(r.events[i + 1].payload).text.starts_with("proxy: garbage seq=");
      if (is_garbage) {
        ++garbage;
        EXPECT_EQ(w->bytes, "JUNK\x01");
        EXPECT_EQ(w->direction, WireDirection::kOutbound);
        continue;
      }
      wire.push_back(std::string(w->direction == WireDirection::kOutbound ? "out:" : "in:") +
                     MsgType(w->bytes));
      wire_seqs.push_back(e.seq);
      if (w->direction == WireDirection::kOutbound && MsgType(w->bytes) == "A") logon = w->bytes;
    } else if (const auto* a = std::get_if<Annotation>(&e.payload)) {
      if (a->text.starts_with("proxy: sent seq=")) ++sent_notes;
    } else if (const auto* s = std::get_if<SessionState>(&e.payload)) {
      if (s->state == SessionStateKind::kConnected) ++connected;
      if (s->state == SessionStateKind::kDisconnected) ++disconnected;
      EXPECT_NE(s->text.find("127.0.0.1:"), std::string::npos) << s->text;
    }
  }
  EXPECT_EQ(wire, (std::vector<std::string>{"out:A", "in:A", "out:D", "out:D", "in:8", "in:8",
                                            "out:5", "in:5"}));
  EXPECT_EQ(garbage, 1);
  EXPECT_EQ(sent_notes, 8) << "every message gets its send time";
  EXPECT_EQ(connected, 2) << "engine accepted, upstream connected";
  EXPECT_EQ(disconnected, 2) << "one per side";
  EXPECT_NE(logon.find("\x01"
                       "554=***\x01"),
            std::string::npos)
      << logon;
  EXPECT_EQ(logon.find("s3cret"), std::string::npos);
  EXPECT_NE(logon.find("\x01"
                       "553=trader\x01"),
            std::string::npos);
  std::filesystem::remove_all(dir);
}

ReplayVenueReport Replay(const std::string& dir, const std::string& price, bool* engine_ok) {
  ReplayVenueOptions vo;
  vo.journal_dir = dir;
  vo.handle_signals = false;
  vo.timeout = Duration::Seconds(5);
  auto venue = ReplayVenue::Create(vo);
  EXPECT_TRUE(venue.ok()) << venue.status().ToString();
  if (!venue.ok()) return {};
  Result<ReplayVenueReport> report = Status(StatusCode::kInternal, "not run");
  std::thread runner([&] { report = (*venue)->Run(); });
  *engine_ok = !RunEngine((*venue)->port(), price).empty();
  runner.join();
  EXPECT_TRUE(report.ok()) << report.status().ToString();
  return report.ok() ? *report : ReplayVenueReport{};
}

TEST(ReplayVenue, ReplaysTheRecordingToTheSameEngineWithNoDivergence) {
  const std::string dir = TempDir("replay_same");
  std::string venue_received;
  ASSERT_FALSE(RecordSession(dir, &venue_received).empty());
  bool engine_ok = false;
  const ReplayVenueReport r = Replay(dir, "100", &engine_ok);
  EXPECT_TRUE(engine_ok) << "the engine's conversation with replay-venue broke";
  EXPECT_FALSE(r.diverged) << r.divergence.kind << ": " << r.divergence.text;
  EXPECT_EQ(r.steps, 8u);
  EXPECT_EQ(r.matched, 4u);
  EXPECT_EQ(r.sent, 4u);
  EXPECT_EQ(r.skipped_garbage, 1u);
  EXPECT_EQ(r.engine_garbage_bytes, 5u);
  std::filesystem::remove_all(dir);
}

TEST(ReplayVenue, ReportsAChangedEngineMessageAsADivergence) {
  const std::string dir = TempDir("replay_changed");
  std::string venue_received;
  ASSERT_FALSE(RecordSession(dir, &venue_received).empty());
  SeqNo first_order_seq = 0;
  for (const Event& e : ReadAll(dir).events) {
    const auto* w = std::get_if<WireMessage>(&e.payload);
    if (w != nullptr && MsgType(w->bytes) == "D" && first_order_seq == 0) first_order_seq = e.seq;
  }
  bool engine_ok = true;
  const ReplayVenueReport r = Replay(dir, "101", &engine_ok);
  EXPECT_FALSE(engine_ok) << "replay-venue should have ended the conversation";
  ASSERT_TRUE(r.diverged);
  EXPECT_EQ(r.divergence.kind, "field");
  EXPECT_EQ(r.divergence.tag, 44);
  EXPECT_EQ(r.divergence.expected_value, "100");
  EXPECT_EQ(r.divergence.received_value, "101");
  EXPECT_EQ(r.divergence.recorded_seq, first_order_seq);
  EXPECT_EQ(r.matched, 1u) << "the Logon matched";
  std::filesystem::remove_all(dir);
}

TEST(ReplayVenueScript, CompareIgnoresSessionTimesAndNamesTheFirstDifferentField) {
  const std::string a = Fix("35=D|34=2|49=E|52=20260101-00:00:01.000|56=V|11=X|44=5|60=1|");
  const std::string b = Fix("35=D|34=2|49=E|52=20260101-00:00:09.999|56=V|11=X|44=5|60=2|");
  EXPECT_FALSE(CompareFixMessages(a, b, DefaultIgnoredTags()).has_value());
  const std::string c = Fix("35=D|34=2|49=E|52=20260101-00:00:01.000|56=V|11=Y|44=5|60=1|");
  auto d = CompareFixMessages(a, c, DefaultIgnoredTags());
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->tag, 11);
  EXPECT_EQ(d->expected, "X");
  EXPECT_EQ(d->received, "Y");
  const std::string shorter = Fix("35=D|34=2|49=E|52=20260101-00:00:01.000|56=V|11=X|");
  d = CompareFixMessages(a, shorter, DefaultIgnoredTags());
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->tag, 44);
  EXPECT_EQ(d->received, "(absent)");
}

TEST(ReplayVenueScript, RefreshSetsSendingTimeAndAValidBodyLengthAndCheckSum) {
  const std::string recorded =
      Fix("35=8|34=7|49=V|52=20200101-00:00:00.000|56=E|11=X|17=E1|150=0|39=0|");
  Result<std::string> out = RefreshSessionFields(recorded, Timestamp{1'700'000'000'123'000'000});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  fix::Message m;
  ASSERT_TRUE(m.Parse(*out).ok()) << m.Parse(*out).ToString();
  EXPECT_EQ(m.Get(52), "20231114-22:13:20.123");
  EXPECT_EQ(m.Get(34), "7");
  EXPECT_EQ(m.Get(11), "X");
  EXPECT_FALSE(CompareFixMessages(recorded, *out, DefaultIgnoredTags()).has_value());
}

}  // namespace
}  // namespace td::recorder
