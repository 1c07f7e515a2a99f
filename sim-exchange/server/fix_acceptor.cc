#include "sim-exchange/server/fix_acceptor.h"

#include <array>
#include <boost/asio.hpp>
#include <chrono>
#include <deque>
#include <map>

namespace td::server {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr size_t kReadChunkBytes = 64 * 1024;
constexpr int64_t kMaxTimerDelayNs = 3600 * kNanosPerSecond;

Timestamp SystemNow() {
  // The live edge: the real UTC clock (never read inside fix/).
  return Timestamp{std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count()};
}

// A MessageStore that forwards to the store of the identity chosen at Logon. Before the Logon
// (and after a refused one) it forwards to a scratch store.
class DelegatingStore final : public fix::MessageStore {
 public:
  void Bind(fix::MessageStore* target) { target_ = target != nullptr ? target : &scratch_; }
  int64_t next_sender_seq() const override { return target_->next_sender_seq(); }
  int64_t next_target_seq() const override { return target_->next_target_seq(); }
  Status SetNextSenderSeq(int64_t s) override { return target_->SetNextSenderSeq(s); }
  Status SetNextTargetSeq(int64_t s) override { return target_->SetNextTargetSeq(s); }
  Status SaveSent(int64_t s, std::string_view b) override { return target_->SaveSent(s, b); }
  Status ForEachSent(int64_t b, int64_t e,
                     const std::function<void(int64_t, std::string_view)>& fn) const override {
    return target_->ForEachSent(b, e, fn);
  }
  Status Reset() override { return target_->Reset(); }

 private:
  fix::MemoryMessageStore scratch_;
  fix::MessageStore* target_ = &scratch_;
};

class Connection;

}  // namespace

struct FixAcceptor::Impl : std::enable_shared_from_this<FixAcceptor::Impl> {
  Impl(asio::io_context& io_in, FixAcceptorConfig cfg, FixApplication& app_in)
      : io(io_in), config(std::move(cfg)), app(app_in), acceptor(io_in) {}

  Timestamp Now() const { return config.clock ? config.clock() : SystemNow(); }
  void Accept();
  Result<fix::MessageStore*> StoreFor(const std::string& counterparty);

  asio::io_context& io;
  FixAcceptorConfig config;
  FixApplication& app;
  tcp::acceptor acceptor;
  uint16_t bound_port = 0;
  bool stopped = false;
  ConnectionId next_id = 1;
  std::map<ConnectionId, std::shared_ptr<Connection>> connections;
  std::map<std::string, ConnectionId, std::less<>> logged_on;  // identity -> connection
  std::map<std::string, std::unique_ptr<fix::MessageStore>, std::less<>> stores;
};

namespace {

class Connection final : public std::enable_shared_from_this<Connection>,
                         public fix::SessionHost,
                         public FixConnection {
 public:
  Connection(FixAcceptor::Impl& acc, tcp::socket socket, ConnectionId id, std::string peer)
      : acc_(acc),
        socket_(std::move(socket)),
        timer_(acc.io),
        id_(id),
        peer_(std::move(peer)),
        session_(MakeConfig(acc.config), *this, store_) {}

  static fix::SessionConfig MakeConfig(const FixAcceptorConfig& c) {
    fix::SessionConfig s;
    s.role = fix::Role::kAcceptor;
    s.sender_comp_id = c.sender_comp_id;
    s.allowed_target_comp_ids = c.allowed_target_comp_ids;
    s.reset_on_logon = c.reset_on_logon;
    s.dictionary = c.dictionary;
    s.logon_timeout = c.logon_timeout;
    s.logout_timeout = c.logout_timeout;
    s.max_sending_time_skew = c.max_sending_time_skew;
    return s;
  }

  void Start() {
    if (acc_.config.observer) acc_.config.observer->OnConnection(id_, Now(), true, peer_);
    session_.OnConnected(Now());
    ArmTimer();
    Read();
  }

  // Closes without a Logout (acceptor shutdown).
  void Abort(std::string_view reason) {
    session_.OnDisconnected(Now(), reason);
    CloseSocket(reason);
  }

  // ---- FixConnection
  ConnectionId id() const override { return id_; }
  const std::string& counterparty() const override { return counterparty_; }
  const std::string& peer_address() const override { return peer_; }
  Timestamp Now() const override { return acc_.Now(); }
  Status Send(const fix::OutMessage& msg) override { return session_.Send(Now(), msg); }
  Status SendBusinessReject(const fix::Message& ref, fix::BusinessRejectReason reason,
                            std::string_view text, int ref_tag) override {
    return session_.SendBusinessReject(Now(), ref, reason, text, ref_tag);
  }
  void Logout(std::string_view text) override {
    session_.Logout(Now(), text);
    ArmTimer();
  }
  const fix::Session& session() const override { return session_; }

  // ---- fix::SessionHost
  void SendBytes(std::string_view bytes) override {
    if (closed_) return;
    if (acc_.config.observer) {
      acc_.config.observer->OnWire(id_, WireDirection::kOutbound, Now(), bytes);
    }
    queued_bytes_ += bytes.size();
    if (queued_bytes_ > acc_.config.max_queued_write_bytes) {
      session_.OnDisconnected(Now(), "peer does not read: write queue over its bound");
      CloseSocket("write queue over its bound");
      return;
    }
    writes_.emplace_back(bytes);
    if (!writing_) Write();
  }
  void Disconnect(std::string_view reason) override {
    closing_ = true;
    close_reason_.assign(reason);
    if (!writing_) CloseSocket(reason);
  }
  Status AuthorizeLogon(const fix::Message& logon) override {
    const std::string who(logon.Get(fix::tag::kSenderCompId));
    auto it = acc_.logged_on.find(who);
    if (it != acc_.logged_on.end() && it->second != id_) {
      return FailedPrecondition("'" + who + "' is already logged on (connection " +
                                std::to_string(it->second) + ")");
    }
    Result<fix::MessageStore*> store = acc_.StoreFor(who);
    if (!store.ok()) return store.status();
    store_.Bind(*store);
    acc_.logged_on[who] = id_;
    counterparty_ = who;
    return Status::Ok();
  }
  void OnLogon() override { acc_.app.OnLogon(*this); }
  void OnLogout(std::string_view reason) override {
    Unregister();
    acc_.app.OnLogout(*this, reason);
  }
  void OnAppMessage(const fix::Message& msg) override { acc_.app.OnMessage(*this, msg); }
  void OnMessageReceived(std::string_view frame) override {
    if (acc_.config.observer) {
      acc_.config.observer->OnWire(id_, WireDirection::kInbound, Now(), frame);
    }
  }
  void OnSessionEvent(fix::SessionEvent event, std::string_view text) override {
    if (acc_.config.observer) acc_.config.observer->OnSessionEvent(id_, Now(), event, text);
  }

 private:
  void Read() {
    socket_.async_read_some(asio::buffer(read_buf_), [self = shared_from_this()](
                                                         boost::system::error_code ec, size_t n) {
      if (self->closed_) return;
      if (ec) {
        const std::string why =
            ec == asio::error::eof ? "peer closed the connection" : "read: " + ec.message();
        self->session_.OnDisconnected(self->Now(), why);
        self->CloseSocket(why);
        return;
      }
      self->session_.OnBytes(self->Now(), std::string_view(self->read_buf_.data(), n));
      if (self->closed_) return;
      self->ArmTimer();
      if (!self->closing_) self->Read();
    });
  }

  void Write() {
    writing_ = true;
    asio::async_write(socket_, asio::buffer(writes_.front()),
                      [self = shared_from_this()](boost::system::error_code ec, size_t) {
                        self->writing_ = false;
                        if (self->closed_) return;
                        self->queued_bytes_ -= self->writes_.front().size();
                        self->writes_.pop_front();
                        if (ec) {
                          const std::string why = "write: " + ec.message();
                          self->session_.OnDisconnected(self->Now(), why);
                          self->CloseSocket(why);
                          return;
                        }
                        if (!self->writes_.empty()) {
                          self->Write();
                        } else if (self->closing_) {
                          self->CloseSocket(self->close_reason_);
                        }
                      });
  }

  void ArmTimer() {
    if (closed_) return;
    const Timestamp deadline = session_.NextTimerDeadline();
    if (deadline == Timestamp::Max()) {
      timer_.cancel();
      return;
    }
    int64_t delay_ns = (deadline - Now()).ns;
    delay_ns = std::clamp<int64_t>(delay_ns, 0, kMaxTimerDelayNs);
    timer_.expires_after(std::chrono::nanoseconds(delay_ns));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->closed_) return;  // re-armed or closed
      self->session_.OnTimer(self->Now());
      self->ArmTimer();
    });
  }

  void Unregister() {
    if (counterparty_.empty()) return;
    auto it = acc_.logged_on.find(counterparty_);
    if (it != acc_.logged_on.end() && it->second == id_) acc_.logged_on.erase(it);
  }

  void CloseSocket(std::string_view reason) {
    if (closed_) return;
    closed_ = true;
    Unregister();
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    timer_.cancel();
    if (acc_.config.observer) acc_.config.observer->OnConnection(id_, Now(), false, reason);
    acc_.connections.erase(id_);  // pending handlers hold the last references
  }

  FixAcceptor::Impl& acc_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  ConnectionId id_;
  std::string peer_;
  std::string counterparty_;
  DelegatingStore store_;
  fix::Session session_;
  std::array<char, kReadChunkBytes> read_buf_{};
  std::deque<std::string> writes_;
  size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool closing_ = false;
  bool closed_ = false;
  std::string close_reason_;
};

}  // namespace

Result<fix::MessageStore*> FixAcceptor::Impl::StoreFor(const std::string& counterparty) {
  auto it = stores.find(counterparty);
  if (it != stores.end()) return it->second.get();
  std::unique_ptr<fix::MessageStore> store;
  if (config.store_factory) {
    Result<std::unique_ptr<fix::MessageStore>> r = config.store_factory(counterparty);
    if (!r.ok()) return r.status();
    store = std::move(*r);
  } else {
    store = std::make_unique<fix::MemoryMessageStore>();
  }
  fix::MessageStore* raw = store.get();
  stores.emplace(counterparty, std::move(store));
  return raw;
}

void FixAcceptor::Impl::Accept() {
  acceptor.async_accept([self = shared_from_this()](boost::system::error_code ec, tcp::socket s) {
    if (self->stopped) return;
    if (!ec) {
      boost::system::error_code ep_ec;
      const tcp::endpoint ep = s.remote_endpoint(ep_ec);
      const std::string peer =
          ep_ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
      if (self->connections.size() >= self->config.max_connections) {
        s.close(ep_ec);  // over the bound: refuse
      } else {
        s.set_option(tcp::no_delay(true), ep_ec);
        const ConnectionId id = self->next_id++;
        auto conn = std::make_shared<Connection>(*self, std::move(s), id, peer);
        self->connections.emplace(id, conn);
        conn->Start();
      }
    }
    self->Accept();
  });
}

FixAcceptor::FixAcceptor(asio::io_context& io, FixAcceptorConfig config, FixApplication& app)
    : impl_(std::make_shared<Impl>(io, std::move(config), app)) {}

FixAcceptor::~FixAcceptor() { Stop(); }

Status FixAcceptor::Start() {
  Impl& i = *impl_;
  boost::system::error_code ec;
  const asio::ip::address addr = asio::ip::make_address(i.config.bind_address, ec);
  if (ec) return InvalidArgument("FIX acceptor: bad bind address '" + i.config.bind_address + "'");
  const tcp::endpoint ep(addr, i.config.port);
  const std::string where = i.config.bind_address + ":" + std::to_string(i.config.port);
  i.acceptor.open(ep.protocol(), ec);
  if (!ec) i.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) i.acceptor.bind(ep, ec);
  if (!ec) i.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return IoError("FIX acceptor: cannot listen on " + where + ": " + ec.message());
  i.bound_port = i.acceptor.local_endpoint(ec).port();
  i.Accept();
  return Status::Ok();
}

uint16_t FixAcceptor::port() const { return impl_->bound_port; }

size_t FixAcceptor::connection_count() const { return impl_->connections.size(); }

void FixAcceptor::Stop() {
  Impl& i = *impl_;
  if (i.stopped) return;
  i.stopped = true;
  boost::system::error_code ec;
  i.acceptor.close(ec);
  const auto conns = i.connections;  // Abort() erases from the map
  for (const auto& [id, c] : conns) c->Abort("acceptor stopped");
}

}  // namespace td::server
