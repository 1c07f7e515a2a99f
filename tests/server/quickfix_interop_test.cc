// Interop: a QuickFIX initiator (libquickfix, a third-party FIX engine) trades against
// `tapedeck exchange serve` started as a child process: logon, an aggressive order that
// fills (partially: its size is beyond the synthetic book's whole ask side), a status request,
// a cancel/replace, a cancel and a logout; every ExecutionReport is checked for the fields FIX
// 4.4 requires. Compiled as C++14 without project headers (QuickFIX's headers need it).
#include <gtest/gtest.h>

#ifdef TD_HAVE_QUICKFIX

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include <quickfix/Application.h>
#include <quickfix/MessageStore.h>
#include <quickfix/Message.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/SocketInitiator.h>

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::seconds kWait(15);

// `tapedeck exchange serve` as a child process; its stdout is read line by line.
class ExchangeProcess {
 public:
  ~ExchangeProcess() { Kill(); }

  bool Start(const std::vector<std::string>& args) {
    int fds[2];
    if (pipe(fds) != 0) return false;
    pid_ = fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(TD_TAPEDECK_BIN));
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(TD_TAPEDECK_BIN, argv.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fds[0];
    return true;
  }
  // The next line of stdout, or false at EOF or after the deadline.
  bool ReadLine(std::string* line, Clock::time_point deadline) {
    for (;;) {
      const size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        *line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        all_ += *line + "\n";
        return true;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left)) <= 0) return false;
      char chunk[4096];
      const ssize_t n = read(out_, chunk, sizeof chunk);
      if (n <= 0) return false;
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }
  // Sends SIGTERM and waits for the exit status (-1 on timeout).
  int Terminate(Clock::time_point deadline) {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    std::string line;
    while (ReadLine(&line, deadline)) {
    }
    while (Clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      usleep(20000);
    }
    return -1;
  }
  bool Alive() const { return pid_ > 0 && kill(pid_, 0) == 0; }
  const std::string& output() const { return all_; }

 private:
  void Kill() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    if (out_ >= 0) close(out_), out_ = -1;
  }
  pid_t pid_ = -1;
  int out_ = -1;
  std::string buf_;
  std::string all_;
};

// Collects what the initiator receives.
class Client : public FIX::Application {
 public:
  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    logged_on_ = true;
    session_ = id;
    cv_.notify_all();
  }
  void onLogout(const FIX::SessionID&) override {
    std::lock_guard<std::mutex> lock(mu_);
    logged_on_ = false;
    cv_.notify_all();
  }
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message&, const FIX::SessionID&) throw(
      FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue,
      FIX::RejectLogon) override {}
  void fromApp(const FIX::Message& m, const FIX::SessionID&) throw(
      FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue,
      FIX::UnsupportedMessageType) override {
    std::lock_guard<std::mutex> lock(mu_);
    inbox_.push_back(m);
    cv_.notify_all();
  }

  bool WaitLogon(bool on) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kWait, [&] { return logged_on_ == on; });
  }
  // The next application message matching pred; the ones before it are kept in `seen`.
  bool WaitFor(const std::function<bool(const FIX::Message&)>& pred, FIX::Message* out) {
    std::unique_lock<std::mutex> lock(mu_);
    const auto deadline = Clock::now() + kWait;
    for (;;) {
      while (!inbox_.empty()) {
        FIX::Message m = inbox_.front();
        inbox_.pop_front();
        seen_.push_back(m);
        if (pred(m)) {
          *out = m;
          return true;
        }
      }
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && inbox_.empty()) {
        return false;
      }
    }
  }
  bool Send(FIX::Message m) { return FIX::Session::sendToTarget(m, session_); }
  std::vector<FIX::Message> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool logged_on_ = false;
  FIX::SessionID session_;
  std::deque<FIX::Message> inbox_;
  std::vector<FIX::Message> seen_;
};

std::string Get(const FIX::Message& m, int tag) {
  if (m.isSetField(tag)) return m.getField(tag);
  if (m.getHeader().isSetField(tag)) return m.getHeader().getField(tag);
  return "";
}
double Num(const FIX::Message& m, int tag) { return std::atof(Get(m, tag).c_str()); }

FIX::Message App(const char* type) {
  FIX::Message m;
  m.getHeader().setField(35, type);
  m.setField(60, "20240102-14:30:00.000");
  return m;
}

std::function<bool(const FIX::Message&)> Er(const std::string& cl, const std::string& exec_type) {
  return [cl, exec_type](const FIX::Message& m) {
    return Get(m, 35) == "8" && Get(m, 11) == cl && Get(m, 150) == exec_type;
  };
}

// Fields FIX 4.4 requires in every ExecutionReport.
void ExpectRequiredFields(const FIX::Message& m) {
  for (int tag : {37, 17, 150, 39, 55, 54, 151, 14, 6}) {
    EXPECT_TRUE(m.isSetField(tag)) << "tag " << tag << " missing in " << m.toString();
  }
}

TEST(QuickFixInterop, TradesAgainstExchangeServe) {
  ExchangeProcess exchange;
  ASSERT_TRUE(exchange.Start({"exchange", "serve", "--synth", "1", "--speed", "max",
                              "--fix-port", "0", "--md-port", "0", "--seed", "3"}));
  int fix_port = 0;
  std::string line;
  const auto deadline = Clock::now() + kWait;
  while ((fix_port == 0) && exchange.ReadLine(&line, deadline)) {
    const std::string prefix = "fix listening on 127.0.0.1:";
    if (line.compare(0, prefix.size(), prefix) == 0) fix_port = std::atoi(line.c_str() + prefix.size());
  }
  ASSERT_GT(fix_port, 0) << exchange.output();

  char dir_template[] = "/tmp/td-quickfix-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::stringstream cfg;
  cfg << "[DEFAULT]\nConnectionType=initiator\nReconnectInterval=1\nHeartBtInt=30\n"
      << "StartTime=00:00:00\nEndTime=00:00:00\nUseDataDictionary=N\nResetOnLogon=Y\n"
      << "FileStorePath=" << dir_template << "\nSocketConnectHost=127.0.0.1\n"
      << "SocketConnectPort=" << fix_port << "\n"
      << "[SESSION]\nBeginString=FIX.4.4\nSenderCompID=QFCLIENT\nTargetCompID=TAPEDECK\n";
  FIX::SessionSettings settings(cfg);
  FIX::MemoryStoreFactory store;
  Client client;
  FIX::SocketInitiator initiator(client, store, settings);
  initiator.start();
  ASSERT_TRUE(client.WaitLogon(true)) << exchange.output();

  // An aggressive buy far beyond the book's whole ask side: it fills what there is and the
  // rest rests at the limit (partially filled).
  FIX::Message d = App("D");
  d.setField(11, "qf-order-1");
  d.setField(55, "SYN1");
  d.setField(54, "1");
  d.setField(38, "10000000");
  d.setField(40, "2");
  d.setField(44, "1000");
  d.setField(59, "0");
  ASSERT_TRUE(client.Send(d));
  FIX::Message m;
  ASSERT_TRUE(client.WaitFor(Er("qf-order-1", "0"), &m));
  ExpectRequiredFields(m);
  EXPECT_EQ(Get(m, 55), "SYN1");
  const std::string order_id = Get(m, 37);
  EXPECT_NE(order_id, "NONE");

  // A status request is answered after every fill of the order (the reply link is FIFO).
  FIX::Message h;
  h.getHeader().setField(35, "H");
  h.setField(11, "qf-order-1");
  h.setField(55, "SYN1");
  h.setField(54, "1");
  ASSERT_TRUE(client.Send(h));
  FIX::Message status;
  ASSERT_TRUE(client.WaitFor(Er("qf-order-1", "I"), &status));
  ExpectRequiredFields(status);
  int fills = 0;
  double fill_qty = 0;
  for (const FIX::Message& e : client.seen()) {
    if (Get(e, 35) != "8" || Get(e, 150) != "F") continue;
    ++fills;
    ExpectRequiredFields(e);
    EXPECT_TRUE(e.isSetField(31) && e.isSetField(32)) << e.toString();
    EXPECT_EQ(Get(e, 851), "2") << e.toString();  // we took liquidity
    EXPECT_EQ(Get(e, 37), order_id);
    fill_qty += Num(e, 32);
    EXPECT_EQ(Num(e, 14), fill_qty);
    EXPECT_EQ(Num(e, 14) + Num(e, 151), 10000000.0);
  }
  ASSERT_GE(fills, 1) << "no fill; exchange output:\n" << exchange.output();
  EXPECT_EQ(Get(status, 39), "1") << status.toString();  // partially filled
  EXPECT_EQ(Num(status, 14), fill_qty);
  EXPECT_GT(Num(status, 151), 0.0);

  // Cancel/replace: lower the price; the order stays partially filled under the new id.
  FIX::Message g = App("G");
  g.setField(11, "qf-order-2");
  g.setField(41, "qf-order-1");
  g.setField(55, "SYN1");
  g.setField(54, "1");
  g.setField(38, "10000000");
  g.setField(40, "2");
  g.setField(44, "999");
  ASSERT_TRUE(client.Send(g));
  ASSERT_TRUE(client.WaitFor(Er("qf-order-2", "5"), &m));
  ExpectRequiredFields(m);
  EXPECT_EQ(Get(m, 41), "qf-order-1");
  EXPECT_EQ(Get(m, 39), "1");
  EXPECT_EQ(Num(m, 44), 999.0);
  EXPECT_EQ(Num(m, 14), fill_qty);

  // Cancel by the new id.
  FIX::Message f = App("F");
  f.setField(11, "qf-cancel-3");
  f.setField(41, "qf-order-2");
  f.setField(55, "SYN1");
  f.setField(54, "1");
  ASSERT_TRUE(client.Send(f));
  ASSERT_TRUE(client.WaitFor(Er("qf-cancel-3", "4"), &m));
  ExpectRequiredFields(m);
  EXPECT_EQ(Get(m, 39), "4");
  EXPECT_EQ(Get(m, 41), "qf-order-2");
  EXPECT_EQ(Num(m, 151), 0.0);

  // A cancel of an order that is gone: OrderCancelReject.
  FIX::Message f2 = App("F");
  f2.setField(11, "qf-cancel-4");
  f2.setField(41, "qf-order-2");
  f2.setField(55, "SYN1");
  f2.setField(54, "1");
  ASSERT_TRUE(client.Send(f2));
  ASSERT_TRUE(client.WaitFor(
      [](const FIX::Message& x) { return Get(x, 35) == "9" && Get(x, 11) == "qf-cancel-4"; },
      &m));
  EXPECT_EQ(Get(m, 434), "1");
  EXPECT_TRUE(m.isSetField(102));

  // An unknown symbol is rejected with a Text naming it.
  FIX::Message bad = App("D");
  bad.setField(11, "qf-order-5");
  bad.setField(55, "NOPE");
  bad.setField(54, "2");
  bad.setField(38, "1");
  bad.setField(40, "1");
  ASSERT_TRUE(client.Send(bad));
  ASSERT_TRUE(client.WaitFor(Er("qf-order-5", "8"), &m));
  EXPECT_EQ(Get(m, 103), "1");
  EXPECT_NE(Get(m, 58).find("NOPE"), std::string::npos);

  initiator.stop();
  EXPECT_TRUE(client.WaitLogon(false));
  rmdir(dir_template);
  EXPECT_TRUE(exchange.Alive());
  EXPECT_EQ(exchange.Terminate(Clock::now() + kWait), 0) << exchange.output();
  EXPECT_NE(exchange.output().find("order entry:"), std::string::npos) << exchange.output();
}

}  // namespace

#else

TEST(QuickFixInterop, TradesAgainstExchangeServe) {
  GTEST_SKIP() << "libquickfix not found at configure time (pkg-config quickfix)";
}

#endif
