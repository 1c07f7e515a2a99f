// A real third-party FIX engine through the recording proxy: a QuickFIX 1.15 initiator trades
// through `tapedeck proxy` with `tapedeck exchange serve` upstream; then the same initiator
// (sequence numbers reset, same ClOrdIDs) replays against `tapedeck replay-venue` on that
// journal, which must report no divergence (docs/proxy.md).
//
// QuickFIX's headers need C++14 (dynamic exception specifications), so this file is built as
// its own C++14 target (recorder_quickfix_tests) and includes no project header: the binaries
// run as child processes on port 0.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <quickfix/Application.h>
#include <quickfix/MessageStore.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/SocketInitiator.h>
#include <quickfix/fix44/ExecutionReport.h>
#include <quickfix/fix44/NewOrderSingle.h>
#include <quickfix/fix44/OrderCancelRequest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int kStartTimeoutMs = 15000;
constexpr auto kReplyTimeout = std::chrono::seconds(10);

// A child process whose stdout we read line by line.
class Child {
 public:
  explicit Child(const std::vector<std::string>& argv) {
    int out[2];
    if (::pipe(out) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::close(out[1]);
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(out[1]);
    fd_ = out[0];
  }
  ~Child() {
    if (pid_ > 0 && !waited_) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
    if (fd_ >= 0) ::close(fd_);
  }
  // The first stdout line containing `needle`, or "" after the timeout / end of output.
  std::string WaitForLine(const std::string& needle) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(kStartTimeoutMs);
    for (;;) {
      size_t nl;
      while ((nl = buf_.find('\n')) != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        output_ += line + "\n";
        if (line.find(needle) != std::string::npos) return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now())
                            .count();
      if (left <= 0 || fd_ < 0) return "";
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) != 1) return "";
      char chunk[4096];
      const ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n <= 0) return "";
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }
  // The rest of stdout (until the child closes it).
  std::string ReadRest() {
    std::string rest = buf_;
    buf_.clear();
    char chunk[4096];
    ssize_t n;
    while (fd_ >= 0 && (n = ::read(fd_, chunk, sizeof chunk)) > 0) rest.append(chunk, n);
    output_ += rest;
    return rest;
  }
  void Signal(int sig) {
    if (pid_ > 0 && !waited_) ::kill(pid_, sig);
  }
  // The exit status, or -1 when killed by a signal.
  int Wait() {
    if (waited_) return status_;
    int st = 0;
    ::waitpid(pid_, &st, 0);
    waited_ = true;
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return status_;
  }
  bool started() const { return pid_ > 0 && fd_ >= 0; }
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string buf_, output_;
  bool waited_ = false;
  int status_ = -1;
};

// "... on 127.0.0.1:PORT" -> PORT.
int PortOf(const std::string& line) {
  const size_t colon = line.rfind(':');
  return colon == std::string::npos ? 0 : std::atoi(line.c_str() + colon + 1);
}

std::string TempDir(const std::string& name) {
  char tmpl[] = "/tmp/td_qf_proxy_XXXXXX";
  const char* d = ::mkdtemp(tmpl);
  return d == nullptr ? std::string() : std::string(d) + "/" + name;
}

class App : public FIX::Application {
 public:
  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID& id) override {
    std::lock_guard<std::mutex> l(mu_);
    session_ = id;
    logged_on_ = true;
    cv_.notify_all();
  }
  void onLogout(const FIX::SessionID&) override {
    std::lock_guard<std::mutex> l(mu_);
    logged_on_ = false;
    cv_.notify_all();
  }
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) noexcept override {}
  void fromAdmin(const FIX::Message&, const FIX::SessionID&) noexcept override {}
  void fromApp(const FIX::Message& m, const FIX::SessionID&) noexcept override {
    std::lock_guard<std::mutex> l(mu_);
    app_messages_.push_back(m.toString());
    cv_.notify_all();
  }

  bool WaitLogon() {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, kReplyTimeout, [&] { return logged_on_; });
  }
  // The next application message from the venue, or "" after the timeout or a logout.
  std::string NextMessage() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait_for(l, kReplyTimeout, [&] { return !app_messages_.empty() || !logged_on_; });
    if (app_messages_.empty()) return "";
    std::string m = app_messages_.front();
    app_messages_.pop_front();
    return m;
  }
  FIX::SessionID session() {
    std::lock_guard<std::mutex> l(mu_);
    return session_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool logged_on_ = false;
  FIX::SessionID session_;
  std::deque<std::string> app_messages_;
};

std::string Field(const std::string& raw, int tag) {
  const std::string key = "\x01" + std::to_string(tag) + "=";
  const size_t at = raw.find(key);
  if (at == std::string::npos) return "";
  const size_t start = at + key.size();
  return raw.substr(start, raw.find('\x01', start) - start);
}

// The initiator's script: Logon (sequence numbers reset), a resting buy far from the market,
// its cancel, Logout. Returns the venue's ExecType (150) of each reply, "" when one is missing.
std::vector<std::string> TradeOnce(int port, const std::string& first_cl_ord_id = "QF-1") {
  std::ostringstream cfg;
  cfg << "[DEFAULT]\nConnectionType=initiator\nReconnectInterval=60\nHeartBtInt=30\n"
      << "StartTime=00:00:00\nEndTime=00:00:00\nUseDataDictionary=N\nResetOnLogon=Y\n"
      << "ResetOnLogout=Y\nResetOnDisconnect=Y\nSocketNodelay=Y\n"
      << "[SESSION]\nBeginString=FIX.4.4\nSenderCompID=QFPROXY\nTargetCompID=TAPEDECK\n"
      << "SocketConnectHost=127.0.0.1\nSocketConnectPort=" << port << "\n";
  std::istringstream in(cfg.str());
  FIX::SessionSettings settings(in);
  App app;
  FIX::MemoryStoreFactory store;
  FIX::SocketInitiator initiator(app, store, settings);
  initiator.start();
  std::vector<std::string> exec_types;
  if (app.WaitLogon()) {
    const FIX::ClOrdID cl_ord_id(first_cl_ord_id);
    FIX44::NewOrderSingle nos(cl_ord_id, FIX::Side(FIX::Side_BUY), FIX::TransactTime(),
                              FIX::OrdType(FIX::OrdType_LIMIT));
    nos.set(FIX::Symbol("SYN1"));
    nos.set(FIX::OrderQty(1));
    nos.set(FIX::Price(1));
    nos.set(FIX::TimeInForce(FIX::TimeInForce_DAY));
    FIX::Session::sendToTarget(nos, app.session());
    std::string r = app.NextMessage();
    exec_types.push_back(Field(r, 150));
    if (r.empty()) {
      initiator.stop();
      return exec_types;
    }
    FIX44::OrderCancelRequest cxl(FIX::OrigClOrdID(first_cl_ord_id), FIX::ClOrdID("QF-2"),
                                  FIX::Side(FIX::Side_BUY), FIX::TransactTime());
    cxl.set(FIX::Symbol("SYN1"));
    cxl.set(FIX::OrderQty(1));
    FIX::Session::sendToTarget(cxl, app.session());
    r = app.NextMessage();
    exec_types.push_back(Field(r, 150));
  }
  initiator.stop();  // Logout, wait for the reply, disconnect
  return exec_types;
}

TEST(QuickFixProxy, RecordsAQuickFixSessionAndReplaysItWithNoDivergence) {
  const std::string bin = TD_TAPEDECK_BIN;
  Child exchange({bin, "exchange", "serve", "--synth", "1", "--fix-port", "0", "--md-port", "0"});
  ASSERT_TRUE(exchange.started());
  const std::string fix_line = exchange.WaitForLine("fix listening on");
  if (fix_line.empty()) {
    GTEST_SKIP() << "`tapedeck exchange serve` did not start: " << exchange.output();
  }
  const std::string journal = TempDir("proxy.journal");
  ASSERT_FALSE(journal.empty());
  Child proxy({bin, "proxy", "--listen", "0", "--upstream",
               "127.0.0.1:" + std::to_string(PortOf(fix_line)), "-o", journal});
  const std::string proxy_line = proxy.WaitForLine("proxy listening on");
  ASSERT_FALSE(proxy_line.empty()) << proxy.output();

  const std::vector<std::string> recorded = TradeOnce(PortOf(proxy_line));
  ASSERT_EQ(recorded.size(), 2u) << "no Logon through the proxy";
  EXPECT_FALSE(recorded[0].empty()) << "no reply to the order";
  EXPECT_FALSE(recorded[1].empty()) << "no reply to the cancel";
  proxy.Signal(SIGTERM);
  EXPECT_EQ(proxy.Wait(), 0) << proxy.ReadRest();
  exchange.Signal(SIGTERM);
  exchange.Wait();

  Child venue({bin, "replay-venue", journal, "--listen", "0", "--json"});
  const std::string venue_line = venue.WaitForLine("replay-venue listening on");
  ASSERT_FALSE(venue_line.empty()) << venue.output();
  const std::vector<std::string> replayed = TradeOnce(PortOf(venue_line));
  EXPECT_EQ(replayed, recorded) << "the replayed venue answers as the recorded one did";
  const int status = venue.Wait();
  const std::string report = venue.ReadRest();
  EXPECT_EQ(status, 0) << report;
  EXPECT_NE(report.find("\"result\": \"ok\""), std::string::npos) << report;

  // A changed engine: another ClOrdID on the first order is reported, with its recorded seq.
  Child changed({bin, "replay-venue", journal, "--listen", "0", "--json"});
  const std::string changed_line = changed.WaitForLine("replay-venue listening on");
  ASSERT_FALSE(changed_line.empty()) << changed.output();
  const std::vector<std::string> diverged = TradeOnce(PortOf(changed_line), "QF-X");
  EXPECT_EQ(diverged, std::vector<std::string>{""}) << "no reply after the divergence";
  EXPECT_EQ(changed.Wait(), 1);
  const std::string changed_report = changed.ReadRest();
  EXPECT_NE(changed_report.find("\"tag\": 11"), std::string::npos) << changed_report;
  EXPECT_NE(changed_report.find("\"received_value\": \"QF-X\""), std::string::npos)
      << changed_report;
  Child({"/bin/rm", "-rf", journal.substr(0, journal.rfind('/'))}).Wait();
}

}  // namespace

