// MdServer (md_server.h): the acceptor, the per-subscriber bounded queues and the heartbeat
// timer. Handlers hold the server weakly (a destroyed server turns them into no-ops) and
// their subscriber strongly (its socket lives until its last handler has run).
#include "sim-exchange/server/md_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <chrono>
#include <deque>
#include <map>
#include <utility>
#include <vector>

#include "schema/codec.h"
#include "sim-exchange/server/md_frame.h"

namespace td::server {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Frame = std::shared_ptr<const std::vector<uint8_t>>;
using boost::system::error_code;

// A subscriber that never closes its side after our end frame is closed after this long.
constexpr auto kCloseLinger = std::chrono::seconds(5);
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);
constexpr size_t kMinQueueBytes = size_t{64} << 10;

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Subscriber {
  Subscriber(uint64_t id_in, tcp::socket s)
      : id(id_in), socket(std::move(s)), linger(socket.get_executor()) {}
  uint64_t id;
  tcp::socket socket;
  asio::steady_timer linger;
  std::deque<Frame> queue;
  std::vector<Frame> in_flight;
  size_t queued_bytes = 0;  // queued plus in flight
  size_t in_flight_bytes = 0;
  bool writing = false;
  bool closing = false;  // the end frame is queued: shut down once the queue is written
  bool closed = false;
  bool shut = false;  // half-closed after the end frame
  int64_t last_enqueue_ns = 0;
  std::array<uint8_t, 512> read_buf{};
};
using SubscriberPtr = std::shared_ptr<Subscriber>;

}  // namespace

struct MdServer::Impl : std::enable_shared_from_this<MdServer::Impl> {
  Impl(asio::io_context& io_in, const FeedSource& source_in, MdServerOptions options)
      : io(io_in),
        source(source_in),
        opt(std::move(options)),
        acceptor(io_in),
        heartbeat(io_in),
        accept_retry(io_in) {}

  Status Listen();
  void DoAccept();
  void OnAccept(tcp::socket socket);
  void StartRead(const SubscriberPtr& sub);
  bool Enqueue(const SubscriberPtr& sub, const Frame& frame, bool bounded);
  void Flush(const SubscriberPtr& sub);
  void Remove(const SubscriberPtr& sub);
  void Broadcast(const Frame& frame);
  void EndAll(MdEndReason reason);
  void ArmHeartbeat();
  void OnHeartbeat();
  void CloseAll();
  JournalHeader Header() const;

  asio::io_context& io;
  const FeedSource& source;
  MdServerOptions opt;
  tcp::acceptor acceptor;
  asio::steady_timer heartbeat;
  asio::steady_timer accept_retry;
  std::map<uint64_t, SubscriberPtr> subs;
  uint64_t next_id = 1;
  MdFrameEncoder encoder;
  SeqNo last_seq = 0;
  bool ended = false;
  bool stopped = false;
  uint16_t port = 0;
  MdServerCounters counters;
};

Status MdServer::Impl::Listen() {
  const std::string where = opt.bind_address + ":" + std::to_string(opt.port);
  error_code ec;
  const asio::ip::address addr = asio::ip::make_address(opt.bind_address, ec);
  if (ec) return InvalidArgument("md server: invalid bind address \"" + opt.bind_address + "\"");
  const tcp::endpoint ep(addr, opt.port);
  if (acceptor.open(ep.protocol(), ec); ec) {
    return IoError("md server: open " + where + ": " + ec.message());
  }
  if (acceptor.set_option(tcp::acceptor::reuse_address(true), ec); ec) {
    return IoError("md server: SO_REUSEADDR on " + where + ": " + ec.message());
  }
  if (acceptor.bind(ep, ec); ec) return IoError("md server: bind " + where + ": " + ec.message());
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) {
    return IoError("md server: listen on " + where + ": " + ec.message());
  }
  port = acceptor.local_endpoint(ec).port();
  if (ec) return IoError("md server: local endpoint of " + where + ": " + ec.message());
  return Status::Ok();
}

void MdServer::Impl::DoAccept() {
  acceptor.async_accept([w = weak_from_this()](error_code ec, tcp::socket socket) {
    auto self = w.lock();
    if (!self || self->stopped || ec == asio::error::operation_aborted) return;
    if (!ec) {
      self->OnAccept(std::move(socket));
      self->DoAccept();
      return;
    }
    // Out of descriptors and the like: retry later rather than spin.
    self->accept_retry.expires_after(kAcceptRetry);
    self->accept_retry.async_wait([w](error_code wec) {
      auto s = w.lock();
      if (s && !wec && !s->stopped) s->DoAccept();
    });
  });
}

JournalHeader MdServer::Impl::Header() const {
  JournalHeader h;
  h.format_version = kMdFormatVersion;
  h.schema_id = schema::SchemaId();
  h.engine_name = "tapedeck sim-exchange";
  h.seed = source.seed();
  h.created = source.session_start();
  h.session_kind = std::string(kMdSessionKind);
  h.instruments = source.instruments();
  return h;
}

void MdServer::Impl::OnAccept(tcp::socket socket) {
  error_code ec;
  if (subs.size() >= opt.max_subscribers) {
    ++counters.subscribers_refused;
    socket.close(ec);
    return;
  }
  socket.set_option(tcp::no_delay(true), ec);
  if (opt.send_buffer_bytes > 0) {
    socket.set_option(asio::socket_base::send_buffer_size(opt.send_buffer_bytes), ec);
  }
  auto sub = std::make_shared<Subscriber>(next_id++, std::move(socket));
  ++counters.subscribers_accepted;

  // The hello and the snapshot go out as one private buffer: they are this subscriber's.
  // A snapshot record too large for a frame is left out (counted), never sent cut.
  const std::vector<Event> snapshot = source.FeedSnapshot();
  std::vector<uint8_t> snapshot_frames;
  uint32_t snapshot_count = 0;
  for (const Event& e : snapshot) {
    if (encoder.AppendSnapshot(last_seq, e, &snapshot_frames).ok()) {
      ++snapshot_count;
    } else {
      ++counters.records_oversized;
    }
  }
  MdHello hello;
  hello.next_seq = last_seq + 1;
  hello.snapshot_count = snapshot_count;
  hello.header = Header();
  auto first = std::make_shared<std::vector<uint8_t>>();
  if (!AppendHelloFrame(hello, first.get()).ok()) {
    // An instrument table beyond the frame limit: no subscriber can be served.
    ++counters.subscribers_refused;
    sub->socket.close(ec);
    return;
  }
  first->insert(first->end(), snapshot_frames.begin(), snapshot_frames.end());
  counters.snapshot_frames += snapshot_count;
  subs.emplace(sub->id, sub);
  Enqueue(sub, first, /*bounded=*/false);
  if (ended || stopped) {
    auto end = std::make_shared<std::vector<uint8_t>>();
    AppendEndFrame(last_seq, source.MarketNow(),
                   ended ? MdEndReason::kMarketDataEnded : MdEndReason::kServerShutdown, end.get());
    Enqueue(sub, end, /*bounded=*/false);
    sub->closing = true;
  }
  StartRead(sub);
  Flush(sub);
}

void MdServer::Impl::StartRead(const SubscriberPtr& sub) {
  sub->socket.async_read_some(
      asio::buffer(sub->read_buf), [w = weak_from_this(), sub](error_code ec, size_t) {
        auto self = w.lock();
        if (!self || sub->closed) return;
        if (ec) {
          // EOF after our end frame is the orderly close; anything else is the peer leaving.
          if (!sub->closing || ec != asio::error::eof) ++self->counters.subscribers_closed;
          self->Remove(sub);
          return;
        }
        self->StartRead(sub);  // the feed is one-way: what a subscriber sends is discarded
      });
}

bool MdServer::Impl::Enqueue(const SubscriberPtr& sub, const Frame& frame, bool bounded) {
  if (sub->closed) return true;
  if (bounded && sub->queued_bytes + frame->size() > opt.max_queue_bytes) return false;
  sub->queue.push_back(frame);
  sub->queued_bytes += frame->size();
  sub->last_enqueue_ns = SteadyNowNs();
  return true;
}

void MdServer::Impl::Flush(const SubscriberPtr& sub) {
  if (sub->closed || sub->writing) return;
  if (sub->queue.empty()) {
    if (sub->closing && !sub->shut) {
      sub->shut = true;
      // Our side is done: half-close, and close for good when the peer does (or later).
      error_code ec;
      sub->socket.shutdown(tcp::socket::shutdown_send, ec);
      sub->linger.expires_after(kCloseLinger);
      sub->linger.async_wait([w = weak_from_this(), sub](error_code tec) {
        auto self = w.lock();
        if (self && !tec) self->Remove(sub);
      });
    }
    return;
  }
  std::vector<asio::const_buffer> buffers;
  sub->in_flight_bytes = 0;
  while (!sub->queue.empty() &&
         (buffers.empty() ||
          sub->in_flight_bytes + sub->queue.front()->size() <= opt.max_write_bytes)) {
    Frame f = std::move(sub->queue.front());
    sub->queue.pop_front();
    sub->in_flight_bytes += f->size();
    buffers.emplace_back(asio::buffer(*f));
    sub->in_flight.push_back(std::move(f));
  }
  sub->writing = true;
  asio::async_write(sub->socket, buffers, [w = weak_from_this(), sub](error_code ec, size_t n) {
    auto self = w.lock();
    if (!self || sub->closed) return;
    sub->writing = false;
    sub->queued_bytes -= sub->in_flight_bytes;
    sub->in_flight_bytes = 0;
    sub->in_flight.clear();
    self->counters.bytes_sent += n;
    if (ec) {
      ++self->counters.subscribers_closed;
      self->Remove(sub);
      return;
    }
    self->Flush(sub);
  });
}

void MdServer::Impl::Remove(const SubscriberPtr& sub) {
  if (sub->closed) return;
  sub->closed = true;
  error_code ec;
  sub->linger.cancel();
  sub->socket.shutdown(tcp::socket::shutdown_both, ec);
  sub->socket.close(ec);
  sub->queue.clear();
  subs.erase(sub->id);
}

void MdServer::Impl::Broadcast(const Frame& frame) {
  std::vector<SubscriberPtr> slow;
  for (auto& [id, sub] : subs) {
    if (sub->closing) continue;
    if (!Enqueue(sub, frame, /*bounded=*/true)) {
      slow.push_back(sub);
      continue;
    }
    Flush(sub);
  }
  for (const SubscriberPtr& sub : slow) {
    ++counters.slow_consumers_dropped;
    Remove(sub);
  }
}

void MdServer::Impl::EndAll(MdEndReason reason) {
  auto end = std::make_shared<std::vector<uint8_t>>();
  AppendEndFrame(last_seq, source.MarketNow(), reason, end.get());
  std::vector<SubscriberPtr> all;
  for (auto& [id, sub] : subs) all.push_back(sub);
  for (const SubscriberPtr& sub : all) {
    if (sub->closing) continue;
    if (!Enqueue(sub, end, /*bounded=*/true)) {
      ++counters.slow_consumers_dropped;
      Remove(sub);
      continue;
    }
    sub->closing = true;
    Flush(sub);
  }
}

void MdServer::Impl::ArmHeartbeat() {
  heartbeat.expires_after(std::chrono::nanoseconds(opt.heartbeat_interval.ns));
  heartbeat.async_wait([w = weak_from_this()](error_code ec) {
    auto self = w.lock();
    if (!self || ec || self->stopped) return;
    self->OnHeartbeat();
    self->ArmHeartbeat();
  });
}

void MdServer::Impl::OnHeartbeat() {
  const int64_t idle_since = SteadyNowNs() - opt.heartbeat_interval.ns;
  Frame frame;
  std::vector<SubscriberPtr> slow;
  for (auto& [id, sub] : subs) {
    if (sub->closing || sub->last_enqueue_ns > idle_since) continue;
    if (!frame) {
      auto f = std::make_shared<std::vector<uint8_t>>();
      AppendHeartbeatFrame(last_seq, source.MarketNow(), f.get());
      frame = std::move(f);
    }
    if (!Enqueue(sub, frame, /*bounded=*/true)) {
      slow.push_back(sub);
      continue;
    }
    ++counters.heartbeats;
    Flush(sub);
  }
  for (const SubscriberPtr& sub : slow) {
    ++counters.slow_consumers_dropped;
    Remove(sub);
  }
}

void MdServer::Impl::CloseAll() {
  stopped = true;
  error_code ec;
  acceptor.close(ec);
  heartbeat.cancel();
  accept_retry.cancel();
  std::vector<SubscriberPtr> all;
  for (auto& [id, sub] : subs) all.push_back(sub);
  for (const SubscriberPtr& sub : all) Remove(sub);
}

// ------------------------------------------------------------------------------ MdServer

Result<std::unique_ptr<MdServer>> MdServer::Create(boost::asio::io_context& io,
                                                   const FeedSource& source,
                                                   MdServerOptions options) {
  if (options.heartbeat_interval.ns <= 0) {
    return InvalidArgument("md server: heartbeat_interval must be positive");
  }
  if (options.max_subscribers == 0) {
    return InvalidArgument("md server: max_subscribers must be at least 1");
  }
  if (options.max_queue_bytes < kMinQueueBytes) {
    return InvalidArgument("md server: max_queue_bytes " + std::to_string(options.max_queue_bytes) +
                           " is below the minimum " + std::to_string(kMinQueueBytes));
  }
  if (options.max_write_bytes == 0) {
    return InvalidArgument("md server: max_write_bytes must be positive");
  }
  auto impl = std::make_shared<Impl>(io, source, std::move(options));
  TD_RETURN_IF_ERROR(impl->Listen());
  impl->DoAccept();
  impl->ArmHeartbeat();
  return std::unique_ptr<MdServer>(new MdServer(std::move(impl)));
}

MdServer::MdServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

MdServer::~MdServer() {
  if (impl_) impl_->CloseAll();
}

uint16_t MdServer::port() const { return impl_->port; }
size_t MdServer::subscriber_count() const { return impl_->subs.size(); }
const MdServerCounters& MdServer::counters() const { return impl_->counters; }
SeqNo MdServer::last_seq() const { return impl_->last_seq; }

void MdServer::Publish(const Event& event) {
  Impl& s = *impl_;
  if (s.stopped || s.ended) return;
  auto frame = std::make_shared<std::vector<uint8_t>>();
  if (!s.encoder.AppendData(s.last_seq + 1, event, frame.get()).ok()) {
    ++s.counters.records_oversized;  // beyond the frame limit: skipped, no seq consumed
    return;
  }
  ++s.last_seq;
  ++s.counters.records_published;
  s.Broadcast(frame);
}

void MdServer::EndOfMarketData() {
  Impl& s = *impl_;
  if (s.stopped || s.ended) return;
  s.ended = true;
  s.EndAll(MdEndReason::kMarketDataEnded);
}

void MdServer::Stop() {
  Impl& s = *impl_;
  if (s.stopped) return;
  s.stopped = true;
  error_code ec;
  s.acceptor.close(ec);
  s.heartbeat.cancel();
  s.accept_retry.cancel();
  if (!s.ended) s.EndAll(MdEndReason::kServerShutdown);
}

}  // namespace td::server
