// `tapedeck paper` end to end, as a child process: against an in-test feed and a silent FIX
// port (always), and against `tapedeck exchange serve` (when the CLI has it). The journal must
// replay with no divergence, and both kill-switch paths (SIGUSR1, `tapedeck kill`) must reach
// it as OperatorCommand inputs.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "journal/reader.h"
#include "replayer/exact_replay.h"
#include "sim-exchange/server/md_frame.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace td::recorder {
namespace {

const std::string kBin = TD_TAPEDECK_BIN;

struct Child {
  pid_t pid = -1;
  int out_fd = -1;  // stdout + stderr, when captured
};

// Starts `kBin args...`; with capture, its stdout and stderr come back through out_fd.
Child Spawn(const std::vector<std::string>& args, bool capture) {
  int fds[2] = {-1, -1};
  if (capture) {
    EXPECT_EQ(::pipe(fds), 0);
  }
  Child c;
  c.pid = ::fork();
  if (c.pid == 0) {
    if (capture) {
      ::dup2(fds[1], 1);
      ::dup2(fds[1], 2);
      ::close(fds[0]);
      ::close(fds[1]);
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(kBin.c_str()));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(kBin.c_str(), argv.data());
    ::_exit(127);
  }
  if (capture) {
    ::close(fds[1]);
    c.out_fd = fds[0];
  }
  return c;
}

int Wait(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int RunTool(const std::vector<std::string>& args) { return Wait(Spawn(args, false).pid); }

std::string TempJournal(const std::string& name) {
  const std::string dir = ::testing::TempDir() + name + "_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

struct JournalFacts {
  uint64_t wire = 0, logged_on = 0, disconnected = 0, md = 0;
  std::vector<std::string> operator_origins;
};

JournalFacts Scan(const std::string& dir) {
  JournalFacts f;
  auto r = journal::JournalReader::Open(dir);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return f;
  while (const Event* e = (*r)->Next()) {
    if (std::holds_alternative<WireMessage>(e->payload)) ++f.wire;
    if (std::holds_alternative<L1Quote>(e->payload)) ++f.md;
    if (const auto* s = std::get_if<SessionState>(&e->payload)) {
      if (s->state == SessionStateKind::kLoggedOn) ++f.logged_on;
      if (s->state == SessionStateKind::kDisconnected) ++f.disconnected;
    }
    if (const auto* o = std::get_if<OperatorCommand>(&e->payload)) {
      f.operator_origins.push_back(o->origin);
    }
  }
  return f;
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// ---------------------------------------------------------------- in-test venue

int Listen(uint16_t* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  EXPECT_EQ(::listen(fd, 8), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

// Waits up to `ms` for a connection on `fd`; -1 on timeout.
int AcceptWithin(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, ms) <= 0) return -1;
  return ::accept(fd, nullptr, nullptr);
}

void SendAll(int fd, const std::vector<uint8_t>& b) {
  size_t off = 0;
  while (off < b.size()) {
    ssize_t n = ::send(fd, b.data() + off, b.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

// One subscriber: hello, then an L1 quote every 50 ms until `stop`.
void ServeFeed(int listen_fd, const std::atomic<bool>* stop) {
  int c = AcceptWithin(listen_fd, 10'000);
  if (c < 0) return;
  server::MdHello hello;
  hello.header.session_kind = std::string(server::kMdSessionKind);
  hello.header.created = Timestamp{1'600'000'000'000'000'000};
  hello.header.instruments = {InstrumentDef{
      .id = 1, .symbol = "AAPL", .venue = "X", .asset_class = AssetClass::kEquity,
      .currency = "USD", .tick_size = *Price::Parse("0.01"), .qty_decimals = 0,
      .lot_size = Qty{1}, .min_qty = Qty{1}}};
  std::vector<uint8_t> wire;
  EXPECT_TRUE(server::AppendHelloFrame(hello, &wire).ok());
  SendAll(c, wire);
  server::MdFrameEncoder enc;
  for (SeqNo seq = 1; !stop->load() && seq < 10'000; ++seq) {
    wire.clear();
    const int64_t cents = 10'000 + static_cast<int64_t>(seq % 7);
    L1Quote q{.instrument = 1,
              .bid = {Price{cents * 10'000'000}, Qty{100}},
              .ask = {Price{(cents + 2) * 10'000'000}, Qty{100}}};
    Event e{seq, hello.header.created + Duration::Millis(static_cast<int64_t>(seq)), q};
    EXPECT_TRUE(enc.AppendData(seq, e, &wire).ok());
    SendAll(c, wire);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::close(c);
}

// A FIX port that accepts and never answers: the paper session's Logon times out, it
// disconnects and reconnects with backoff.
void ServeSilentFix(int listen_fd, const std::atomic<bool>* stop) {
  std::vector<int> conns;
  while (!stop->load()) {
    int c = AcceptWithin(listen_fd, 100);
    if (c >= 0) conns.push_back(c);
    for (int fd : conns) {
      char buf[4096];
      while (::recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0) {
      }
    }
  }
  for (int fd : conns) ::close(fd);
}

TEST(PaperE2E, InTestFeedSilentVenueKillSwitchAndExactReplay) {
  uint16_t md_port = 0, fix_port = 0;
  int md_fd = Listen(&md_port);
  int fix_fd = Listen(&fix_port);
  std::atomic<bool> stop{false};
  std::thread feed(ServeFeed, md_fd, &stop);
  std::thread venue(ServeSilentFix, fix_fd, &stop);

  const std::string j = TempJournal("paper_fake");
  Child paper = Spawn({"paper", "--fix", "127.0.0.1:" + std::to_string(fix_port), "--md",
                       "127.0.0.1:" + std::to_string(md_port), "--strategy", "market-maker",
                       "--duration", "4s", "--seed", "5", "-o", j, "-q"},
                      false);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(RunTool({"kill", j}), 0) << "tapedeck kill through " << j << ".ctl";
  EXPECT_EQ(::kill(paper.pid, SIGUSR1), 0);
  EXPECT_EQ(Wait(paper.pid), 0);
  stop = true;
  feed.join();
  venue.join();
  ::close(md_fd);
  ::close(fix_fd);

  JournalFacts f = Scan(j);
  EXPECT_GT(f.md, 10u);
  EXPECT_GT(f.wire, 0u) << "the Logon attempts are on the journal";
  EXPECT_TRUE(Has(f.operator_origins, "control socket"));
  EXPECT_TRUE(Has(f.operator_origins, "SIGUSR1"));
  Result<replayer::ReplayReport> r = replayer::ExactReplay(j, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->divergences, 0u);
  EXPECT_GT(r->inputs, 10u);
  EXPECT_FALSE(std::filesystem::exists(j + ".ctl")) << "the control socket is removed at the end";
  std::filesystem::remove_all(j);
}

// ---------------------------------------------------------------- against exchange serve

// Reads the child's output until both listening lines appeared (or 20 s passed).
bool ReadPorts(int fd, uint16_t* fix_port, uint16_t* md_port, std::string* seen) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::string buf;
  auto port_after = [&](const std::string& key) -> uint16_t {
    size_t at = buf.find(key);
    if (at == std::string::npos) return 0;
    size_t end = buf.find('\n', at);
    if (end == std::string::npos) return 0;
    return static_cast<uint16_t>(std::atoi(buf.substr(at + key.size(), end).c_str()));
  };
  while (std::chrono::steady_clock::now() < deadline) {
    *fix_port = port_after("fix listening on 127.0.0.1:");
    *md_port = port_after("md listening on 127.0.0.1:");
    if (*fix_port != 0 && *md_port != 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    char chunk[4096];
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) break;
    buf.append(chunk, static_cast<size_t>(n));
  }
  *seen = buf;
  return *fix_port != 0 && *md_port != 0;
}

// A paper session of `duration` against `tapedeck exchange serve` (with `exchange_args` added),
// killed by `tapedeck kill` at 3 s; its journal must replay exactly. Returns what it saw.
JournalFacts PaperAgainstExchange(const std::string& name,
                                  const std::vector<std::string>& exchange_args,
                                  const std::string& duration) {
  std::vector<std::string> args = {"exchange", "serve", "--synth",  "1", "--fix-port",
                                   "0",        "--md-port", "0", "--speed", "1"};
  args.insert(args.end(), exchange_args.begin(), exchange_args.end());
  Child ex = Spawn(args, true);
  uint16_t fix_port = 0, md_port = 0;
  std::string seen;
  const bool up = ReadPorts(ex.out_fd, &fix_port, &md_port, &seen);
  if (!up) {
    ::kill(ex.pid, SIGTERM);
    Wait(ex.pid);
    ADD_FAILURE() << "exchange serve did not print its ports; it said:\n" << seen;
    return {};
  }
  // Keep draining its output so it never blocks on a full pipe.
  std::atomic<bool> done{false};
  std::thread drain([&] {
    char chunk[4096];
    while (!done.load()) {
      pollfd p{ex.out_fd, POLLIN, 0};
      if (::poll(&p, 1, 100) > 0 && ::read(ex.out_fd, chunk, sizeof chunk) <= 0) break;
    }
  });

  const std::string j = TempJournal(name);
  Child paper = Spawn({"paper", "--fix", "127.0.0.1:" + std::to_string(fix_port), "--md",
                       "127.0.0.1:" + std::to_string(md_port), "--strategy", "market-maker",
                       "--duration", duration, "-o", j, "-q"},
                      false);
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));
  EXPECT_EQ(RunTool({"kill", j}), 0);
  EXPECT_EQ(Wait(paper.pid), 0);
  ::kill(ex.pid, SIGTERM);
  Wait(ex.pid);
  done = true;
  drain.join();
  ::close(ex.out_fd);

  JournalFacts f = Scan(j);
  EXPECT_GT(f.logged_on, 0u);
  EXPECT_GT(f.wire, 0u);
  EXPECT_TRUE(Has(f.operator_origins, "control socket"));
  Result<replayer::ReplayReport> r = replayer::ExactReplay(j, {});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (r.ok()) {
    EXPECT_EQ(r->divergences, 0u);
    EXPECT_GT(r->inputs, 0u);
    EXPECT_GT(r->outputs, 0u) << "the market maker should have quoted";
  }
  std::filesystem::remove_all(j);
  return f;
}

TEST(PaperE2E, AgainstExchangeServeReplaysWithNoDivergence) {
  if (RunTool({"exchange", "serve", "--help"}) != 0) {
    GTEST_SKIP() << "`tapedeck exchange serve` is not in this build of " << kBin
                 << ": the loopback test against the simulated exchange is skipped";
  }
  PaperAgainstExchange("paper_exchange", {}, "5s");
}

// Jittery latency on both links and one venue-side disconnect at 1.5 s: the paper runtime
// reconnects and logs on again, and the journal still replays exactly.
TEST(PaperE2E, JitteryLatencyAndADisconnectStillReplayExactly) {
  if (RunTool({"exchange", "serve", "--help"}) != 0) GTEST_SKIP() << "no `exchange serve`";
  const std::string config = ::testing::TempDir() + "jitter_" + std::to_string(::getpid()) + ".toml";
  {
    std::ofstream out(config);
    out << "seed = 11\n"
           "[latency.order_entry]\nmodel = \"lognormal\"\nmedian = \"2ms\"\nsigma = \"0.6\"\n"
           "[latency.venue_response]\nmodel = \"uniform\"\nlo = \"500us\"\nhi = \"5ms\"\n"
           "[faults]\nduplicate_ack = \"1/20\"\ndelay_ack = \"1/20\"\n"
           "disconnect_open_orders = \"cancel_all\"\n"
           "[[faults.disconnect]]\nat = \"1500ms\"\ndown_for = \"500ms\"\n";
  }
  JournalFacts f = PaperAgainstExchange("paper_jitter", {"--config", config}, "6s");
  EXPECT_GE(f.logged_on, 2u) << "the injected disconnect must be followed by a new logon";
  EXPECT_GE(f.disconnected, 1u);
  std::filesystem::remove(config);
}

}  // namespace
}  // namespace td::recorder
