// MdServer: the market-data feed of the simulated exchange, served over TCP on Boost.Asio
// (docs/market-data-feed.md). It listens on a port (0 = ephemeral, see port()), accepts any
// number of subscribers up to a bound, and sends each one the hello frame, the late-joiner
// snapshot of its FeedSource, then every record published from its connection on, with
// heartbeats when the feed is idle and an end frame when the market data ends (the server
// then closes the connection once the end frame is written).
//
// Every published record is encoded once and shared by all subscribers' queues. The exchange
// is never blocked by a subscriber: each one has a bounded queue (bytes queued and not yet
// written), and a subscriber whose queue would overflow is disconnected at once and counted
// (slow_consumers_dropped); it sees EOF without an end frame and may reconnect for a fresh
// hello and snapshot. Bytes a subscriber sends are read and discarded (the feed is one-way).
//
// Threading: single-threaded on the io_context it is given (the exchange's); every method must
// be called on that thread (or before io_context::run). Asio stays out of this header.
//
//   auto md = MdServer::Create(io, core /*FeedSource*/, {.port = 0});
//   core.SetPublisher(md->get());
//   uint16_t port = (*md)->port();
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "core/time.h"
#include "sim-exchange/server/feed.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace td::server {

struct MdServerOptions {
  std::string bind_address = "0.0.0.0";
  uint16_t port = 0;                                   // 0: ephemeral, see MdServer::port()
  Duration heartbeat_interval = Duration::Seconds(1);  // a subscriber idle this long gets one
  size_t max_subscribers = 256;                        // beyond: accepted and closed, counted
  size_t max_queue_bytes = size_t{64} << 20;           // per subscriber, written not yet
  size_t max_write_bytes = size_t{1} << 20;            // gathered into one async_write
  int send_buffer_bytes = 0;                           // SO_SNDBUF of subscribers; 0: the OS's
};

struct MdServerCounters {
  uint64_t subscribers_accepted = 0;
  uint64_t subscribers_refused = 0;  // over max_subscribers
  uint64_t slow_consumers_dropped = 0;
  uint64_t subscribers_closed = 0;  // by the peer or an I/O error
  uint64_t records_published = 0;   // data frames numbered (== the last seq)
  uint64_t snapshot_frames = 0;
  uint64_t records_oversized = 0;  // beyond kMaxMdFramePayloadBytes: not sent
  uint64_t heartbeats = 0;
  uint64_t bytes_sent = 0;
};

class MdServer : public FeedPublisher {
 public:
  // Binds and listens at once (so port() is known). Errors: bad bind address, bind or listen
  // failure (naming address and port), options out of range.
  static Result<std::unique_ptr<MdServer>> Create(boost::asio::io_context& io,
                                                  const FeedSource& source,
                                                  MdServerOptions options);
  ~MdServer() override;  // closes every socket; pending handlers become no-ops
  MdServer(const MdServer&) = delete;
  MdServer& operator=(const MdServer&) = delete;

  uint16_t port() const;
  size_t subscriber_count() const;
  const MdServerCounters& counters() const;
  SeqNo last_seq() const;

  // FeedPublisher.
  void Publish(const Event& event) override;
  void EndOfMarketData() override;

  // Stops accepting and heartbeating; every subscriber gets an end frame (kServerShutdown)
  // unless it already had one, and is closed once its queue is written. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit MdServer(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;  // shared: Asio handlers hold it weakly
};

}  // namespace td::server
