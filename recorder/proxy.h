// Proxy: a recording FIX proxy in front of any engine (a black box). It accepts the engine's
// TCP connections, connects each one to the upstream venue and forwards the bytes both ways
// unchanged and at once; a copy of each direction is split into FIX messages (fix/framer.h) and
// journaled with its receive time, credentials redacted (fix/redact.h). docs/proxy.md describes
// the journal layout: WireMessage per message, an Annotation "proxy: sent seq=S" when the bytes
// were written onward, SessionState per connect and disconnect, garbage kept with a note.
//
//   ProxyOptions o;  o.upstream_host = "127.0.0.1"; o.upstream_port = 9878; o.journal_dir = "j";
//   Result<std::unique_ptr<Proxy>> p = Proxy::Create(o);   // journal created, port bound
//   std::printf("proxy listening on 127.0.0.1:%u\n", (*p)->port());
//   Result<ProxySummary> s = (*p)->Run();                  // until SIGINT/SIGTERM or Stop()
//
// Single-threaded: every handler runs on Run()'s thread (the journal writer has its own thread
// behind JournalWriter). Stop() alone may be called from another thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"

namespace td::recorder {

// Bytes read from one socket in one go.
inline constexpr size_t kProxyReadChunkBytes = 64 * 1024;
// Bytes waiting to be written to one socket; past this the proxy stops reading the other side
// until half of it drained (TCP backpressure, nothing dropped).
inline constexpr size_t kProxyMaxQueuedWriteBytes = 16u << 20;
// Connections open at once; more are refused (accepted, journaled and closed).
inline constexpr size_t kProxyMaxConnections = 256;

struct ProxyOptions {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 0;  // 0: an ephemeral port, see Proxy::port()
  std::string upstream_host = "127.0.0.1";
  uint16_t upstream_port = 0;
  std::string journal_dir;     // created; must not exist or be empty
  bool handle_signals = true;  // SIGINT / SIGTERM end Run() with the journal closed
};

struct ProxySummary {
  uint64_t connections = 0;
  uint64_t messages_inbound = 0;   // venue -> engine, complete FIX messages
  uint64_t messages_outbound = 0;  // engine -> venue
  uint64_t garbage_records = 0;    // runs of bytes that did not frame, journaled with a note
  uint64_t bytes_inbound = 0;
  uint64_t bytes_outbound = 0;
  uint64_t records = 0;    // journal records appended
  std::string end_reason;  // "SIGINT", "SIGTERM", "stopped"
  std::string journal_dir;
};

class Proxy {
 public:
  // Resolves the upstream, creates the journal and binds the listening socket.
  static Result<std::unique_ptr<Proxy>> Create(const ProxyOptions& options);
  ~Proxy();
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  uint16_t port() const;  // the bound listening port
  // Serves until a signal (when handle_signals) or Stop(); closes every connection, then the
  // journal. An error means the journal could not be written completely.
  Result<ProxySummary> Run();
  // Thread-safe: asks Run() to end.
  void Stop();

  struct Impl;

 private:
  explicit Proxy(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace td::recorder
