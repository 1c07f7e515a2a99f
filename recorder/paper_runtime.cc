#include "recorder/paper_runtime.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

#include "engine/engine.h"
#include "fix/message_store.h"
#include "fix/order_entry.h"
#include "fix/session.h"
#include "journal/writer.h"
#include "recorder/boundary.h"
#include "replayer/record_kinds.h"
#include "replayer/run_config.h"
#include "replayer/simulate.h"
#include "sim-exchange/server/md_frame.h"

namespace td::recorder {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using unix_socket = asio::local::stream_protocol;

constexpr size_t kReadChunkBytes = 64 * 1024;
constexpr size_t kMaxQueuedWriteBytes = size_t{64} << 20;
constexpr size_t kMaxControlLineBytes = 256;
constexpr size_t kMaxOutboxCommands = 10'000;
constexpr int64_t kMaxTimerDelayNs = int64_t{3600} * kNanosPerSecond;

// The one place a paper session reads the wall clock: UTC ns since the Unix epoch.
Timestamp SystemNow() {
  return Timestamp{std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count()};
}

int64_t ThreadCpuNs() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return int64_t{t.tv_sec} * kNanosPerSecond + t.tv_nsec;
}

std::chrono::nanoseconds Until(Timestamp at, Timestamp now) {
  return std::chrono::nanoseconds(std::clamp<int64_t>((at - now).ns, 0, kMaxTimerDelayNs));
}

class JournalSink final : public replayer::RecordSink {
 public:
  explicit JournalSink(journal::JournalWriter* w) : w_(w) {}
  void Record(Timestamp ts, const Payload& payload) override { (void)w_->Append(ts, payload); }

 private:
  journal::JournalWriter* w_;
};

// The local receive time goes into the market-data record itself as well as into its ts.
void StampReceive(Payload* p, Timestamp now) {
  std::visit(
      [now](auto& v) {
        if constexpr (requires { v.receive_ts; }) v.receive_ts = now;
      },
      *p);
}

class Runtime final : public fix::SessionHost {
 public:
  Runtime(const PaperOptions& o, engine::EngineConfig config)
      : o_(o),
        config_(std::move(config)),
        signals_(io_, SIGINT, SIGTERM, SIGUSR1),
        duration_timer_(io_),
        hello_timer_(io_),
        grace_timer_(io_),
        md_socket_(io_),
        md_retry_(io_),
        fix_socket_(io_),
        fix_timer_(io_),
        fix_retry_(io_),
        control_(io_) {
    control_path_ = o.control_path.empty() ? DefaultControlPath(o.journal_dir) : o.control_path;
  }

  Result<PaperSummary> Run();

  // ---- fix::SessionHost
  void SendBytes(std::string_view bytes) override;
  void OnMessageReceived(std::string_view frame) override {
    boundary_->Wire(Now(), fix_conn_, WireDirection::kInbound, frame);
  }
  void Disconnect(std::string_view reason) override {
    fix_closing_ = true;
    fix_close_reason_.assign(reason);
    if (!fix_writing_) CloseFix(fix_close_reason_);
  }
  void OnLogon() override;
  void OnAppMessage(const fix::Message& msg) override;
  void OnSessionEvent(fix::SessionEvent event, std::string_view text) override {
    if (event == fix::SessionEvent::kResendRequested && boundary_ != nullptr) {
      boundary_->Input(Now(), SessionState{fix_conn_, SessionStateKind::kResendRequested,
                                           std::string(text)});
    }
    if (event == fix::SessionEvent::kRejectSent || event == fix::SessionEvent::kGarbledMessage ||
        event == fix::SessionEvent::kError) {
      Log("fix: " + std::string(fix::SessionEventName(event)) + ": " + std::string(text));
    }
  }

 private:
  Timestamp Now() const { return SystemNow(); }
  void Log(const std::string& line) const {
    if (!o_.quiet) std::fprintf(stderr, "paper: %s\n", line.c_str());
  }
  void Fatal(Status s) {
    if (fatal_.ok()) fatal_ = std::move(s);
    Finish();
  }

  // Market data.
  void MdConnect();
  void MdRead();
  void MdFrameIn(const server::MdFrame& f);
  void MdClose(const std::string& why, bool reconnect);
  void MdRetry();
  // The first hello: the journal, the engine, then the rest of the session.
  Status Open(const server::MdHello& hello);

  // FIX.
  void FixConnect();
  void FixRead();
  void FixWrite();
  void FixArmTimer();
  void CloseFix(const std::string& why);
  void FixRetry();

  // Engine outputs.
  void OnOutput(Timestamp ts, const Payload& out);
  void SendCommand(const Payload& cmd);
  void FlushOutbox();
  void ArmEngineTimer(TimerId id, Timestamp fire_at);

  // Operator and lifecycle.
  void WaitSignal();
  Status OpenControl();
  void AcceptControl();
  void KillSwitch(const char* origin);
  void Shutdown(const std::string& reason);
  void Finish();

  const PaperOptions& o_;
  engine::EngineConfig config_;
  asio::io_context io_;
  asio::signal_set signals_;
  asio::steady_timer duration_timer_, hello_timer_, grace_timer_;
  Status fatal_;
  bool stopping_ = false, finished_ = false;
  PaperSummary summary_;

  // Journal and engine, created at the first hello.
  std::unique_ptr<journal::JournalWriter> writer_;
  std::unique_ptr<JournalSink> sink_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<Boundary> boundary_;
  std::unique_ptr<fix::ClientOrderEntry> codec_;  // the FIX order-entry mapping
  std::vector<InstrumentDef> instruments_;
  std::map<TimerId, std::pair<Timestamp, std::unique_ptr<asio::steady_timer>>> timers_;

  // Market data.
  tcp::socket md_socket_;
  asio::steady_timer md_retry_;
  std::array<uint8_t, kReadChunkBytes> md_buf_{};
  std::optional<server::MdFrameDecoder> md_dec_;
  bool md_open_ = false, md_ended_ = false;
  SeqNo md_last_seq_ = 0;
  Duration md_backoff_ = kReconnectBackoffMin;
  uint64_t md_connections_ = 0;

  // FIX.
  tcp::socket fix_socket_;
  asio::steady_timer fix_timer_, fix_retry_;
  std::array<char, kReadChunkBytes> fix_buf_{};
  fix::MemoryMessageStore store_;
  std::unique_ptr<fix::Session> session_;
  ConnectionId fix_conn_ = 0;  // 1, 2, ...: one per TCP connection to the venue
  bool fix_open_ = false, fix_writing_ = false, fix_closing_ = false;
  std::string fix_close_reason_;
  std::deque<std::string> fix_writes_;
  size_t fix_queued_bytes_ = 0;
  Duration fix_backoff_ = kReconnectBackoffMin;
  fix::OutMessage out_msg_;
  std::deque<Payload> outbox_;  // commands emitted while not logged on
  std::vector<Payload> decoded_;

  // Control socket.
  std::string control_path_;
  unix_socket::acceptor control_;
  bool control_bound_ = false;
};

// ---------------------------------------------------------------- lifecycle

Result<PaperSummary> Runtime::Run() {
  summary_.journal_dir = o_.record ? o_.journal_dir : std::string();
  WaitSignal();
  hello_timer_.expires_after(std::chrono::nanoseconds(kFirstHelloTimeout.ns));
  hello_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || engine_ != nullptr) return;
    Fatal(Status(StatusCode::kUnavailable,
                 "no hello from the market-data feed " + o_.md_host + ":" +
                     std::to_string(o_.md_port) + " within " +
                     std::to_string(kFirstHelloTimeout.ns / kNanosPerSecond) + " s"));
  });
  MdConnect();
  const int64_t cpu_start_ns = ThreadCpuNs();
  io_.run();
  summary_.session_thread_cpu_ns = ThreadCpuNs() - cpu_start_ns;
  if (writer_ != nullptr) {
    Status s = writer_->Close();
    if (!s.ok() && fatal_.ok()) fatal_ = s;
    const journal::WriterStats st = writer_->stats();
    summary_.journal_records = st.appended;
    summary_.journal_dropped = st.dropped;
    summary_.journal_stored_bytes = st.stored_bytes;
    summary_.journal_ring_high_water = st.queue_high_water;
  }
  if (control_bound_) ::unlink(control_path_.c_str());
  if (!fatal_.ok()) return fatal_;
  if (boundary_ == nullptr) {
    return FailedPrecondition("the session ended (" + summary_.end_reason +
                              ") before the market-data feed's hello: no journal was written");
  }
  {
    const BoundaryCounters& c = boundary_->counters();
    summary_.inputs = c.inputs;
    summary_.outputs = c.outputs;
    summary_.wire_in = c.wire_in;
    summary_.wire_out = c.wire_out;
    summary_.fills = c.fills;
    summary_.market_data = c.market_data;
    summary_.timers_fired = c.timers_fired;
    summary_.operator_commands = c.operator_commands;
  }
  return summary_;
}

Status Runtime::Open(const server::MdHello& hello) {
  instruments_ = hello.header.instruments;
  const Timestamp t0 = Now();
  JournalHeader header;
  header.engine_name = replayer::kEngineName;
  header.engine_build_id = replayer::BuildId();
  header.config_text = o_.config_text;
  header.seed = o_.seed;
  header.created = t0;
  header.session_kind = "paper";
  header.instruments = instruments_;
  if (o_.record) {
    journal::WriterOptions wo;
    wo.durability = journal::Durability::kInterval;
    auto writer = journal::JournalWriter::Create(o_.journal_dir, header, wo);
    if (!writer.ok()) return writer.status();
    writer_ = std::move(*writer);
    sink_ = std::make_unique<JournalSink>(writer_.get());
  }
  TD_RETURN_IF_ERROR(OpenControl());
  auto strategy = engine::MakeStrategy(config_.strategy, config_.bug);
  if (!strategy.ok()) return strategy.status();
  engine_ = std::make_unique<engine::Engine>(config_, std::move(*strategy), instruments_, o_.seed);
  codec_ = std::make_unique<fix::ClientOrderEntry>(instruments_);
  boundary_ = std::make_unique<Boundary>(
      engine_.get(), sink_.get(), [this](Timestamp ts, const Payload& p) { OnOutput(ts, p); });

  fix::SessionConfig sc;
  sc.role = fix::Role::kInitiator;
  sc.sender_comp_id = o_.sender_comp_id;
  sc.target_comp_id = o_.target_comp_id;
  sc.heartbeat_interval_s = o_.heartbeat_interval_s;
  sc.reset_on_logon = true;  // a paper session starts afresh on every connection
  session_ = std::make_unique<fix::Session>(sc, *this, store_);

  Log((o_.record ? "journal " + o_.journal_dir : std::string("recording off")) +
      ", control socket " + control_path_ + ", " +
      std::to_string(instruments_.size()) + " instrument(s)");
  boundary_->Start(t0);
  if (o_.duration.ns > 0) {
    duration_timer_.expires_after(std::chrono::nanoseconds(o_.duration.ns));
    duration_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) Shutdown("duration");
    });
  }
  AcceptControl();
  FixConnect();
  return Status::Ok();
}

void Runtime::WaitSignal() {
  signals_.async_wait([this](boost::system::error_code ec, int sig) {
    if (ec) return;
    if (sig == SIGUSR1) {
      KillSwitch("SIGUSR1");
    } else if (stopping_) {
      Log("second signal: closing without waiting for the venue");
      Finish();
      return;
    } else {
      Shutdown(sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
    if (!finished_) WaitSignal();
  });
}

void Runtime::KillSwitch(const char* origin) {
  if (boundary_ == nullptr) {
    Log(std::string("kill switch (") + origin + ") before the session opened: ignored");
    return;
  }
  Log(std::string("kill switch from ") + origin);
  boundary_->Input(Now(), OperatorCommand{OperatorCommandKind::kKillSwitch, "", "", origin});
}

void Runtime::Shutdown(const std::string& reason) {
  if (stopping_) return;
  stopping_ = true;
  summary_.end_reason = reason;
  Log("ending the session (" + reason + ")");
  md_retry_.cancel();
  fix_retry_.cancel();
  MdClose("session end", /*reconnect=*/false);
  if (session_ != nullptr && fix_open_ && session_->logged_on()) {
    session_->Logout(Now(), "session end");
    FixArmTimer();
    grace_timer_.expires_after(std::chrono::nanoseconds(kShutdownGrace.ns));
    grace_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) Finish();
    });
    return;
  }
  Finish();
}

void Runtime::Finish() {
  if (finished_) return;
  finished_ = true;
  stopping_ = true;
  if (summary_.end_reason.empty()) summary_.end_reason = fatal_.ok() ? "stopped" : "error";
  boost::system::error_code ec;
  CloseFix("session end");
  MdClose("session end", false);
  for (auto& [id, t] : timers_) t.second->cancel();
  duration_timer_.cancel();
  hello_timer_.cancel();
  grace_timer_.cancel();
  md_retry_.cancel();
  fix_retry_.cancel();
  signals_.cancel(ec);
  control_.close(ec);
  io_.stop();
}

// ---------------------------------------------------------------- market data

void Runtime::MdConnect() {
  if (stopping_) return;
  tcp::resolver resolver(io_);
  boost::system::error_code ec;
  auto endpoints = resolver.resolve(o_.md_host, std::to_string(o_.md_port), ec);
  if (ec) {
    Log("md: resolve " + o_.md_host + ": " + ec.message());
    MdRetry();
    return;
  }
  asio::async_connect(md_socket_, endpoints,
                      [this](boost::system::error_code cec, const tcp::endpoint&) {
                        if (stopping_) return;
                        if (cec) {
                          Log("md: connect " + o_.md_host + ":" + std::to_string(o_.md_port) +
                              ": " + cec.message());
                          boost::system::error_code ignored;
                          md_socket_.close(ignored);
                          MdRetry();
                          return;
                        }
                        if (md_connections_++ > 0) ++summary_.md_reconnects;
                        md_open_ = true;
                        md_dec_.emplace();
                        MdRead();
                      });
}

void Runtime::MdRetry() {
  if (stopping_ || md_ended_) return;
  md_retry_.expires_after(std::chrono::nanoseconds(md_backoff_.ns));
  md_backoff_ = std::min(md_backoff_ * 2, kReconnectBackoffMax);
  md_retry_.async_wait([this](boost::system::error_code ec) {
    if (!ec) MdConnect();
  });
}

void Runtime::MdRead() {
  md_socket_.async_read_some(
      asio::buffer(md_buf_), [this](boost::system::error_code ec, size_t n) {
        if (!md_open_ || stopping_) return;
        if (ec) {
          Status fin = md_dec_->Finish();
          MdClose(ec == asio::error::eof ? (fin.ok() ? "feed closed" : fin.message())
                                         : "read: " + ec.message(),
                  true);
          return;
        }
        md_dec_->Append(std::span<const uint8_t>(md_buf_.data(), n));
        server::MdFrame f;
        for (;;) {
          Result<bool> r = md_dec_->Next(&f);
          if (!r.ok()) {
            MdClose(r.status().message(), true);
            return;
          }
          if (!*r) break;
          MdFrameIn(f);
          if (!md_open_ || stopping_) return;
        }
        MdRead();
      });
}

void Runtime::MdFrameIn(const server::MdFrame& f) {
  switch (f.type) {
    case server::MdFrameType::kHello:
      md_backoff_ = kReconnectBackoffMin;
      if (engine_ == nullptr) {
        if (Status s = Open(f.hello); !s.ok()) return Fatal(s);
      } else if (f.hello.next_seq > md_last_seq_ + 1) {
        ++summary_.md_gaps;
        Log("md: gap after reconnect: feed seq " + std::to_string(md_last_seq_ + 1) + " to " +
            std::to_string(f.hello.next_seq - 1) + " missed (snapshot follows)");
      }
      return;
    case server::MdFrameType::kSnapshot:
    case server::MdFrameType::kData: {
      if (f.type == server::MdFrameType::kData) md_last_seq_ = f.seq;
      if (boundary_ == nullptr) return;
      const Timestamp now = Now();
      Payload p = f.event.payload;
      StampReceive(&p, now);
      boundary_->Input(now, std::move(p));
      return;
    }
    case server::MdFrameType::kHeartbeat:
      return;
    case server::MdFrameType::kEnd:
      Log(std::string("md: end of feed (") + std::string(server::MdEndReasonName(f.end_reason)) +
          ")");
      if (f.end_reason == server::MdEndReason::kMarketDataEnded) {
        md_ended_ = true;
        if (o_.end_at_market_end) Shutdown("market data ended");
      }
      return;
  }
}

void Runtime::MdClose(const std::string& why, bool reconnect) {
  if (!md_open_) return;
  md_open_ = false;
  boost::system::error_code ec;
  md_socket_.shutdown(tcp::socket::shutdown_both, ec);
  md_socket_.close(ec);
  if (reconnect && !stopping_) {
    if (!md_ended_) Log("md: disconnected (" + why + "); reconnecting");
    MdRetry();
  }
}

// ---------------------------------------------------------------- FIX

void Runtime::FixConnect() {
  if (stopping_) return;
  tcp::resolver resolver(io_);
  boost::system::error_code ec;
  auto endpoints = resolver.resolve(o_.fix_host, std::to_string(o_.fix_port), ec);
  if (ec) {
    Log("fix: resolve " + o_.fix_host + ": " + ec.message());
    FixRetry();
    return;
  }
  asio::async_connect(
      fix_socket_, endpoints, [this](boost::system::error_code cec, const tcp::endpoint& ep) {
        if (stopping_) return;
        if (cec) {
          Log("fix: connect " + o_.fix_host + ":" + std::to_string(o_.fix_port) + ": " +
              cec.message());
          boost::system::error_code ignored;
          fix_socket_.close(ignored);
          FixRetry();
          return;
        }
        if (fix_conn_ > 0) ++summary_.fix_reconnects;
        ++fix_conn_;
        fix_open_ = true;
        fix_closing_ = false;
        fix_writing_ = false;
        fix_writes_.clear();
        fix_queued_bytes_ = 0;
        boundary_->Input(Now(), SessionState{fix_conn_, SessionStateKind::kConnected,
                                             ep.address().to_string() + ":" +
                                                 std::to_string(ep.port())});
        session_->OnConnected(Now());
        FixArmTimer();
        FixRead();
      });
}

void Runtime::FixRetry() {
  if (stopping_) return;
  fix_retry_.expires_after(std::chrono::nanoseconds(fix_backoff_.ns));
  fix_backoff_ = std::min(fix_backoff_ * 2, kReconnectBackoffMax);
  fix_retry_.async_wait([this](boost::system::error_code ec) {
    if (!ec) FixConnect();
  });
}

void Runtime::FixRead() {
  fix_socket_.async_read_some(asio::buffer(fix_buf_), [this](boost::system::error_code ec,
                                                             size_t n) {
    if (!fix_open_) return;
    if (ec) {
      const std::string why =
          ec == asio::error::eof ? "venue closed the connection" : "read: " + ec.message();
      session_->OnDisconnected(Now(), why);
      CloseFix(why);
      return;
    }
    session_->OnBytes(Now(), std::string_view(fix_buf_.data(), n));
    if (!fix_open_) return;
    FixArmTimer();
    if (!fix_closing_) FixRead();
  });
}

void Runtime::SendBytes(std::string_view bytes) {
  if (!fix_open_) return;
  // On the journal before it is on the wire.
  boundary_->Wire(Now(), fix_conn_, WireDirection::kOutbound, bytes);
  fix_queued_bytes_ += bytes.size();
  if (fix_queued_bytes_ > kMaxQueuedWriteBytes) {
    session_->OnDisconnected(Now(), "venue does not read: write queue over its bound");
    CloseFix("write queue over its bound");
    return;
  }
  fix_writes_.emplace_back(bytes);
  if (!fix_writing_) FixWrite();
}

void Runtime::FixWrite() {
  fix_writing_ = true;
  asio::async_write(fix_socket_, asio::buffer(fix_writes_.front()),
                    [this](boost::system::error_code ec, size_t) {
                      fix_writing_ = false;
                      if (!fix_open_) return;
                      fix_queued_bytes_ -= fix_writes_.front().size();
                      fix_writes_.pop_front();
                      if (ec) {
                        const std::string why = "write: " + ec.message();
                        session_->OnDisconnected(Now(), why);
                        CloseFix(why);
                        return;
                      }
                      if (!fix_writes_.empty()) {
                        FixWrite();
                      } else if (fix_closing_) {
                        CloseFix(fix_close_reason_);
                      }
                    });
}

void Runtime::FixArmTimer() {
  if (!fix_open_) return;
  const Timestamp deadline = session_->NextTimerDeadline();
  if (deadline == Timestamp::Max()) {
    fix_timer_.cancel();
    return;
  }
  fix_timer_.expires_after(Until(deadline, Now()));
  fix_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || !fix_open_) return;
    session_->OnTimer(Now());
    FixArmTimer();
  });
}

void Runtime::CloseFix(const std::string& why) {
  if (!fix_open_) return;
  fix_open_ = false;
  boost::system::error_code ec;
  fix_socket_.shutdown(tcp::socket::shutdown_both, ec);
  fix_socket_.close(ec);
  fix_timer_.cancel();
  if (session_->status() != fix::SessionStatus::kDisconnected) session_->OnDisconnected(Now(), why);
  Log("fix: disconnected (" + why + ")");
  boundary_->Input(Now(), SessionState{fix_conn_, SessionStateKind::kDisconnected, why});
  if (stopping_) {
    Finish();
  } else {
    FixRetry();
  }
}

void Runtime::OnLogon() {
  fix_backoff_ = kReconnectBackoffMin;
  Log("fix: logged on as " + o_.sender_comp_id + " to " + o_.target_comp_id);
  FlushOutbox();
  boundary_->Input(Now(), SessionState{fix_conn_, SessionStateKind::kLoggedOn,
                                       "HeartBtInt " +
                                           std::to_string(session_->heartbeat_interval_s())});
}

void Runtime::OnAppMessage(const fix::Message& msg) {
  decoded_.clear();
  if (Status s = codec_->Decode(msg, &decoded_); !s.ok()) {
    ++summary_.decode_errors;
    Log("fix: cannot read " + std::string(msg.msg_type()) + ": " + s.message());
  }
  std::vector<Payload> inputs = std::move(decoded_);
  decoded_.clear();
  for (Payload& p : inputs) boundary_->Input(Now(), std::move(p));
}

// ---------------------------------------------------------------- engine outputs

void Runtime::OnOutput(Timestamp ts, const Payload& out) {
  (void)ts;
  if (replayer::IsVenueCommand(out)) {
    SendCommand(out);
  } else if (const auto* t = std::get_if<TimerSet>(&out)) {
    ArmEngineTimer(t->timer_id, t->fire_at);
  } else if (const auto* c = std::get_if<TimerCancel>(&out)) {
    auto it = timers_.find(c->timer_id);
    if (it != timers_.end()) {
      it->second.second->cancel();
      timers_.erase(it);
    }
  } else if (const auto* r = std::get_if<RiskEvent>(&out)) {
    if (r->kind != RiskEventKind::kBreach) Log("risk: " + r->rule + " " + r->text);
  }
}

void Runtime::SendCommand(const Payload& cmd) {
  if (session_ == nullptr || !session_->logged_on()) {
    // Held until the next Logon, in order: the engine treats a command as sent once it is
    // journaled. (A synthesized reject instead would make a strategy that re-quotes on a
    // reject loop without bound.) Beyond the bound, dropped and counted.
    if (outbox_.size() < kMaxOutboxCommands) {
      outbox_.push_back(cmd);
      ++summary_.commands_held;
    } else {
      if (summary_.commands_not_sent++ == 0) Log("fix: outbox full: command dropped");
    }
    return;
  }
  Status s = codec_->Encode(cmd, Now(), &out_msg_);
  if (s.ok()) s = session_->Send(Now(), out_msg_);
  if (!s.ok() && summary_.commands_not_sent++ == 0) {
    Log("fix: command not sent: " + s.message());
  }
}

void Runtime::FlushOutbox() {
  std::deque<Payload> held = std::move(outbox_);
  outbox_.clear();
  for (const Payload& cmd : held) SendCommand(cmd);
}

void Runtime::ArmEngineTimer(TimerId id, Timestamp fire_at) {
  auto& slot = timers_[id];
  slot.first = fire_at;
  if (slot.second == nullptr) slot.second = std::make_unique<asio::steady_timer>(io_);
  slot.second->expires_after(Until(fire_at, Now()));
  slot.second->async_wait([this, id, fire_at](boost::system::error_code ec) {
    if (ec || finished_) return;
    auto it = timers_.find(id);
    if (it == timers_.end() || it->second.first != fire_at) return;  // canceled or re-set
    if (Now() < fire_at) return ArmEngineTimer(id, fire_at);  // the steady clock ran ahead
    timers_.erase(it);
    boundary_->Input(Now(), TimerFired{id, fire_at});
  });
}

// ---------------------------------------------------------------- control socket

Status Runtime::OpenControl() {
  ::unlink(control_path_.c_str());  // a stale socket of an earlier session
  boost::system::error_code ec;
  control_.open(unix_socket(), ec);
  if (!ec) control_.bind(unix_socket::endpoint(control_path_), ec);
  if (!ec) control_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return IoError("control socket " + control_path_ + ": " + ec.message());
  control_bound_ = true;
  return Status::Ok();
}

void Runtime::AcceptControl() {
  control_.async_accept([this](boost::system::error_code ec, unix_socket::socket sock) {
    if (ec || finished_) return;
    auto s = std::make_shared<unix_socket::socket>(std::move(sock));
    auto buf = std::make_shared<asio::streambuf>(kMaxControlLineBytes);
    asio::async_read_until(*s, *buf, '\n', [this, s, buf](boost::system::error_code rec, size_t) {
      std::string line;
      std::istream is(buf.get());
      std::getline(is, line);
      std::string reply;
      if (rec && line.empty()) {
        reply = "error: no command\n";
      } else if (line == "kill") {
        KillSwitch("control socket");
        reply = "ok: kill switch fired\n";
      } else {
        reply = "error: unknown command '" + line + "' (known: kill)\n";
      }
      auto r = std::make_shared<std::string>(std::move(reply));
      asio::async_write(*s, asio::buffer(*r), [s, r](boost::system::error_code, size_t) {
        boost::system::error_code ignored;
        s->close(ignored);
      });
    });
    AcceptControl();
  });
}

}  // namespace

std::string DefaultControlPath(const std::string& journal_dir) {
  std::string p = journal_dir;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p + ".ctl";
}

Result<PaperSummary> RunPaperSession(const PaperOptions& options) {
  if (options.fix_port == 0 || options.md_port == 0) {
    return InvalidArgument("paper: both the FIX and the market-data ports are required");
  }
  Result<engine::EngineConfig> config =
      replayer::ParseEngineSection(options.config_text, options.config_origin);
  if (!config.ok()) return config.status();
  auto probe = engine::MakeStrategy(config->strategy, config->bug);
  if (!probe.ok()) return probe.status();
  Runtime runtime(options, std::move(*config));
  return runtime.Run();
}

Result<std::string> SendKillCommand(const std::string& control_path) {
  asio::io_context io;
  unix_socket::socket s(io);
  boost::system::error_code ec;
  s.connect(unix_socket::endpoint(control_path), ec);
  if (ec) {
    return Status(StatusCode::kUnavailable,
                  "control socket " + control_path + ": " + ec.message() +
                      " (is a paper session running with this journal?)");
  }
  const std::string cmd = "kill\n";
  asio::write(s, asio::buffer(cmd), ec);
  if (ec) return IoError("control socket " + control_path + ": write: " + ec.message());
  std::string reply;
  std::array<char, kMaxControlLineBytes> buf{};
  for (;;) {
    size_t n = s.read_some(asio::buffer(buf), ec);
    reply.append(buf.data(), n);
    if (ec || reply.size() >= kMaxControlLineBytes || reply.find('\n') != std::string::npos) break;
  }
  while (!reply.empty() && reply.back() == '\n') reply.pop_back();
  if (reply.empty()) return IoError("control socket " + control_path + ": no reply");
  if (reply.rfind("ok", 0) != 0) return FailedPrecondition(reply);
  return reply;
}

}  // namespace td::recorder
