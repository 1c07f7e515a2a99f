// Proxy (proxy.h). Each accepted engine connection becomes a ProxyConnection with two Pipes,
// engine -> venue (outbound) and venue -> engine (inbound). A Pipe reads a chunk, queues it for
// the other socket unchanged (forwarding first), then frames a copy for the journal. A write's
// completion moves the pipe's "written" stream offset; every journaled message whose last byte
// is now written gets its "proxy: sent seq=S" Annotation, so the journal holds both the receive
// time (the WireMessage's ts) and the send time (the Annotation's ts) of every message.
#include "recorder/proxy.h"

#include <array>
#include <boost/asio.hpp>
#include <chrono>
#include <csignal>
#include <deque>
#include <map>
#include <utility>

#include "core/event.h"
#include "fix/framer.h"
#include "fix/redact.h"
#include "journal/writer.h"

#ifndef TD_BUILD_ID
#define TD_BUILD_ID "tapedeck"
#endif

namespace td::recorder {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

Timestamp SystemNow() {
  // The live edge: the real UTC clock.
  return Timestamp{std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count()};
}

std::string Endpoint(const tcp::endpoint& e) {
  return e.address().to_string() + ":" + std::to_string(e.port());
}

std::string PeerOf(const tcp::socket& s) {
  error_code ec;
  const tcp::endpoint e = s.remote_endpoint(ec);
  return ec ? std::string("(unknown peer)") : Endpoint(e);
}

class ProxyConnection;

}  // namespace

struct Proxy::Impl {
  Impl(ProxyOptions o, std::unique_ptr<journal::JournalWriter> w, tcp::endpoint up)
      : options(std::move(o)),
        writer(std::move(w)),
        upstream(std::move(up)),
        acceptor(io),
        signals(io) {}

  // Journal time never goes backwards, even when the system clock does.
  Timestamp Now() {
    Timestamp t = SystemNow();
    if (t < last_ts) t = last_ts;
    last_ts = t;
    return t;
  }
  template <typename T>
  SeqNo Append(Timestamp ts, const T& payload) {
    ++summary.records;
    return writer->Append(ts, payload);
  }
  void Accept();
  void Shutdown(const std::string& reason);

  ProxyOptions options;
  std::unique_ptr<journal::JournalWriter> writer;
  tcp::endpoint upstream;
  asio::io_context io;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  ConnectionId next_id = 1;
  std::map<ConnectionId, std::shared_ptr<ProxyConnection>> connections;
  ProxySummary summary;
  Timestamp last_ts = Timestamp::Min();
  bool stopping = false;
};

namespace {

// One direction of a proxied connection.
struct Pipe {
  WireDirection direction = WireDirection::kOutbound;
  std::string from_name;  // "engine 127.0.0.1:5555" / "upstream 127.0.0.1:9878"
  std::array<char, kProxyReadChunkBytes> read_buf{};
  std::deque<std::string> writes;  // to the other socket, in order
  size_t queued_bytes = 0;
  bool writing = false;
  bool read_paused = false;  // the other socket's queue is over its bound
  bool eof = false;          // the source closed its sending side
  bool disconnect_journaled = false;
  uint64_t written_offset = 0;  // stream bytes written to the other socket
  // The journaling copy: bytes not yet framed, starting at stream offset framed_offset.
  std::string frame_buf;
  uint64_t framed_offset = 0;
  std::string garbage;  // a run of bytes that did not frame, not yet journaled
  std::string garbage_problem;
  std::deque<std::pair<uint64_t, SeqNo>> awaiting_send;  // (stream end offset, record seq)
};

class ProxyConnection final : public std::enable_shared_from_this<ProxyConnection> {
 public:
  ProxyConnection(Proxy::Impl& proxy, tcp::socket engine, ConnectionId id)
      : proxy_(proxy), engine_(std::move(engine)), upstream_(proxy.io), id_(id) {
    out_.direction = WireDirection::kOutbound;
    in_.direction = WireDirection::kInbound;
    out_.from_name = "engine " + PeerOf(engine_);
    in_.from_name = "upstream " + Endpoint(proxy.upstream);
  }

  void Start() {
    const Timestamp t = proxy_.Now();
    error_code ec;
    const tcp::endpoint local = engine_.local_endpoint(ec);
    proxy_.Append(t, SessionState{id_, SessionStateKind::kConnected,
                                  out_.from_name + " accepted on " +
                                      (ec ? std::string("?") : Endpoint(local))});
    proxy_.Append(t, SessionState{id_, SessionStateKind::kConnecting, in_.from_name});
    // The engine is read only once the upstream is connected: until then its bytes wait in
    // the kernel, so nothing is read that could not be forwarded.
    upstream_.async_connect(proxy_.upstream, [self = shared_from_this()](error_code cec) {
      if (self->closed_) return;
      if (cec) {
        self->Close("upstream connect failed: " + cec.message());
        return;
      }
      error_code lec;
      const tcp::endpoint up_local = self->upstream_.local_endpoint(lec);
      self->proxy_.Append(self->proxy_.Now(),
                          SessionState{self->id_, SessionStateKind::kConnected,
                                       self->in_.from_name + " from " +
                                           (lec ? std::string("?") : Endpoint(up_local))});
      error_code nec;
      self->engine_.set_option(tcp::no_delay(true), nec);
      self->upstream_.set_option(tcp::no_delay(true), nec);
      self->Read(self->out_, self->engine_, self->upstream_);
      self->Read(self->in_, self->upstream_, self->engine_);
    });
  }

  // Closes both sockets; journals what was not journaled yet (partial frames as garbage,
  // messages never written onward, the disconnects). Idempotent.
  void Close(const std::string& reason) {
    if (closed_) return;
    closed_ = true;
    const Timestamp t = proxy_.Now();
    for (Pipe* p : {&out_, &in_}) {
      if (!p->frame_buf.empty()) {
        AddGarbage(*p, p->frame_buf, "incomplete message when the connection closed");
        p->framed_offset += p->frame_buf.size();
        p->frame_buf.clear();
      }
      FlushGarbage(*p, t);
      for (const auto& [end, seq] : p->awaiting_send) {
        proxy_.Append(t, Annotation{"proxy: not sent seq=" + std::to_string(seq) +
                                    " conn=" + std::to_string(id_) + " (" + reason + ")"});
      }
      p->awaiting_send.clear();
      JournalDisconnect(*p, t, reason);
    }
    error_code ec;
    engine_.shutdown(tcp::socket::shutdown_both, ec);
    engine_.close(ec);
    upstream_.shutdown(tcp::socket::shutdown_both, ec);
    upstream_.close(ec);
    proxy_.connections.erase(id_);  // pending handlers hold the last references
  }

 private:
  void Read(Pipe& p, tcp::socket& from, tcp::socket& to) {
    from.async_read_some(asio::buffer(p.read_buf),
                         [self = shared_from_this(), &p, &from, &to](error_code ec, size_t n) {
                           if (self->closed_) return;
                           const Timestamp t = self->proxy_.Now();
                           if (n > 0)
                             self->OnBytes(p, to, t, std::string_view(p.read_buf.data(), n));
                           if (self->closed_) return;
                           if (ec == asio::error::eof) {
                             self->OnEof(p, to, t);
                             return;
                           }
                           if (ec) {
                             self->Close(p.from_name + ": read: " + ec.message());
                             return;
                           }
                           if (p.queued_bytes > kProxyMaxQueuedWriteBytes) {
                             p.read_paused = true;
                             return;
                           }
                           self->Read(p, from, to);
                         });
  }

  void OnBytes(Pipe& p, tcp::socket& to, Timestamp t, std::string_view bytes) {
    // Forward first, unchanged; the journal works on a copy.
    p.writes.emplace_back(bytes);
    p.queued_bytes += bytes.size();
    if (!p.writing) Write(p, to);
    (p.direction == WireDirection::kInbound ? proxy_.summary.bytes_inbound
                                            : proxy_.summary.bytes_outbound) += bytes.size();
    p.frame_buf.append(bytes);
    size_t consumed = 0;
    for (;;) {
      const std::string_view rest = std::string_view(p.frame_buf).substr(consumed);
      const fix::Frame f = fix::FindFrame(rest);
      if (f.kind == fix::FrameKind::kNeedMore) break;
      if (f.kind == fix::FrameKind::kGarbage) {
        AddGarbage(p, rest.substr(0, f.size), f.problem);
        consumed += f.size;
        continue;
      }
      FlushGarbage(p, t);
      const std::string_view frame = rest.substr(0, f.size);
      const SeqNo seq =
          proxy_.Append(t, WireMessage{id_, p.direction, fix::RedactCredentials(frame)});
      (p.direction == WireDirection::kInbound ? proxy_.summary.messages_inbound
                                              : proxy_.summary.messages_outbound)++;
      consumed += f.size;
      p.awaiting_send.emplace_back(p.framed_offset + consumed, seq);
    }
    // A garbage run is journaled when the chunk ends too: a later frame may never come.
    FlushGarbage(p, t);
    p.frame_buf.erase(0, consumed);
    p.framed_offset += consumed;
    AnnotateSent(p, t);
  }

  // Garbage bytes are consumed from frame_buf by the caller; only their record is deferred.
  void AddGarbage(Pipe& p, std::string_view bytes, std::string_view problem) {
    if (p.garbage.empty()) p.garbage_problem.assign(problem);
    p.garbage.append(bytes);
  }

  void FlushGarbage(Pipe& p, Timestamp t) {
    if (p.garbage.empty()) return;
    const SeqNo seq =
        proxy_.Append(t, WireMessage{id_, p.direction, fix::RedactCredentials(p.garbage)});
    proxy_.Append(t, Annotation{"proxy: garbage seq=" + std::to_string(seq) +
                                " conn=" + std::to_string(id_) + " " + DirectionName(p) + " " +
                                std::to_string(p.garbage.size()) + " bytes: " + p.garbage_problem});
    ++proxy_.summary.garbage_records;
    p.garbage.clear();
    p.garbage_problem.clear();
  }

  static const char* DirectionName(const Pipe& p) {
    return p.direction == WireDirection::kInbound ? "inbound" : "outbound";
  }

  void Write(Pipe& p, tcp::socket& to) {
    p.writing = true;
    asio::async_write(
        to, asio::buffer(p.writes.front()),
        [self = shared_from_this(), &p, &to](error_code ec, size_t n) {
          p.writing = false;
          if (self->closed_) return;
          if (ec) {
            self->Close(
                "write to the " +
                std::string(p.direction == WireDirection::kInbound ? "engine" : "upstream") + ": " +
                ec.message());
            return;
          }
          p.written_offset += n;
          p.queued_bytes -= p.writes.front().size();
          p.writes.pop_front();
          self->AnnotateSent(p, self->proxy_.Now());
          if (!p.writes.empty()) {
            self->Write(p, to);
          } else if (p.eof) {
            self->HalfClose(p, to);
          }
          if (p.read_paused && p.queued_bytes <= kProxyMaxQueuedWriteBytes / 2) {
            p.read_paused = false;
            tcp::socket& from = &p == &self->out_ ? self->engine_ : self->upstream_;
            self->Read(p, from, to);
          }
        });
  }

  void AnnotateSent(Pipe& p, Timestamp t) {
    while (!p.awaiting_send.empty() && p.awaiting_send.front().first <= p.written_offset) {
      proxy_.Append(
          t, Annotation{"proxy: sent seq=" + std::to_string(p.awaiting_send.front().second)});
      p.awaiting_send.pop_front();
    }
  }

  void OnEof(Pipe& p, tcp::socket& to, Timestamp t) {
    p.eof = true;
    if (!p.frame_buf.empty()) {
      AddGarbage(p, p.frame_buf, "incomplete message at the end of the stream");
      p.framed_offset += p.frame_buf.size();
      p.frame_buf.clear();
      FlushGarbage(p, t);
    }
    JournalDisconnect(p, t, "closed the connection");
    if (!p.writing) HalfClose(p, to);
  }

  // The source of `p` closed its side: pass the end of stream on, and close the connection
  // once both directions are done.
  void HalfClose(Pipe& p, tcp::socket& to) {
    error_code ec;
    to.shutdown(tcp::socket::shutdown_send, ec);
    const Pipe& other = &p == &out_ ? in_ : out_;
    if (other.eof && !other.writing) Close("both sides closed");
  }

  void JournalDisconnect(Pipe& p, Timestamp t, const std::string& reason) {
    if (p.disconnect_journaled) return;
    p.disconnect_journaled = true;
    proxy_.Append(t,
                  SessionState{id_, SessionStateKind::kDisconnected, p.from_name + ": " + reason});
  }

  Proxy::Impl& proxy_;
  tcp::socket engine_;
  tcp::socket upstream_;
  ConnectionId id_;
  Pipe out_;  // engine -> upstream
  Pipe in_;   // upstream -> engine
  bool closed_ = false;
};

}  // namespace

void Proxy::Impl::Accept() {
  acceptor.async_accept([this](error_code ec, tcp::socket s) {
    if (stopping) return;
    if (ec) {
      if (ec == asio::error::operation_aborted) return;
      Append(Now(), Annotation{"proxy: accept failed: " + ec.message()});
      Accept();
      return;
    }
    const ConnectionId id = next_id++;
    ++summary.connections;
    if (connections.size() >= kProxyMaxConnections) {
      const Timestamp t = Now();
      Append(t, SessionState{id, SessionStateKind::kConnected, "engine " + PeerOf(s)});
      Append(t, SessionState{
                    id, SessionStateKind::kDisconnected,
                    "refused: " + std::to_string(kProxyMaxConnections) + " connections open"});
      error_code cec;
      s.close(cec);
    } else {
      auto c = std::make_shared<ProxyConnection>(*this, std::move(s), id);
      connections.emplace(id, c);
      c->Start();
    }
    Accept();
  });
}

void Proxy::Impl::Shutdown(const std::string& reason) {
  if (stopping) return;
  stopping = true;
  summary.end_reason = reason;
  error_code ec;
  acceptor.close(ec);
  signals.cancel(ec);
  // Close() erases from the map: iterate over a copy.
  std::vector<std::shared_ptr<ProxyConnection>> open;
  for (auto& [id, c] : connections) open.push_back(c);
  for (auto& c : open) c->Close("proxy shutdown (" + reason + ")");
}

Proxy::Proxy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Proxy::~Proxy() {
  if (impl_ && impl_->writer) (void)impl_->writer->Close();
}

Result<std::unique_ptr<Proxy>> Proxy::Create(const ProxyOptions& options) {
  if (options.upstream_port == 0) return InvalidArgument("proxy: the upstream port is 0");
  if (options.journal_dir.empty()) return InvalidArgument("proxy: no journal directory");
  tcp::endpoint upstream;
  {
    asio::io_context resolve_io;
    tcp::resolver resolver(resolve_io);
    error_code ec;
    auto results =
        resolver.resolve(options.upstream_host, std::to_string(options.upstream_port), ec);
    if (ec || results.empty()) {
      return Status(StatusCode::kUnavailable, "proxy: cannot resolve upstream " +
                                                  options.upstream_host + ": " +
                                                  (ec ? ec.message() : std::string("no address")));
    }
    upstream = results.begin()->endpoint();
  }
  error_code ec;
  const asio::ip::address listen_addr = asio::ip::make_address(options.listen_host, ec);
  if (ec) return InvalidArgument("proxy: bad listen address '" + options.listen_host + "'");

  JournalHeader header;
  header.engine_name = "tapedeck-proxy";
  header.engine_build_id = TD_BUILD_ID;
  header.session_kind = "proxy";
  header.config_text = "# tapedeck proxy\nupstream = \"" + options.upstream_host + ":" +
                       std::to_string(options.upstream_port) + "\"\nupstream_address = \"" +
                       Endpoint(upstream) + "\"\nlisten = \"" + options.listen_host + ":" +
                       std::to_string(options.listen_port) + "\"\n";
  header.created = SystemNow();
  journal::WriterOptions wo;
  wo.durability = journal::Durability::kInterval;
  Result<std::unique_ptr<journal::JournalWriter>> w =
      journal::JournalWriter::Create(options.journal_dir, header, wo);
  if (!w.ok()) return w.status();

  auto impl = std::make_unique<Impl>(options, std::move(*w), upstream);
  const tcp::endpoint listen_ep(listen_addr, options.listen_port);
  impl->acceptor.open(listen_ep.protocol(), ec);
  if (!ec) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(listen_ep, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    (void)impl->writer->Close();
    return Status(StatusCode::kUnavailable, "proxy: cannot listen on " + options.listen_host + ":" +
                                                std::to_string(options.listen_port) + ": " +
                                                ec.message());
  }
  impl->summary.journal_dir = options.journal_dir;
  return std::unique_ptr<Proxy>(new Proxy(std::move(impl)));
}

uint16_t Proxy::port() const {
  error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void Proxy::Stop() {
  asio::post(impl_->io, [impl = impl_.get()] { impl->Shutdown("stopped"); });
}

Result<ProxySummary> Proxy::Run() {
  Impl& p = *impl_;
  if (p.options.handle_signals) {
    p.signals.add(SIGINT);
    p.signals.add(SIGTERM);
    p.signals.async_wait([&p](error_code ec, int sig) {
      if (ec) return;
      p.Shutdown(sig == SIGINT ? "SIGINT" : "SIGTERM");
    });
  }
  p.Append(p.Now(), Annotation{"proxy: listening on " + Endpoint(p.acceptor.local_endpoint()) +
                               ", upstream " + Endpoint(p.upstream)});
  p.Accept();
  p.io.run();
  TD_RETURN_IF_ERROR(p.writer->Close());
  return p.summary;
}

}  // namespace td::recorder
