// ReplayVenue: `tapedeck replay-venue`, the recorded venue side of a proxy journal played back
// to the engine (docs/proxy.md). It accepts one engine connection and walks the recorded
// conversation of one proxied connection (replay_venue_script.h): a recorded outbound message
// (engine -> venue) is expected from the engine and compared field by field; a recorded
// inbound one (venue -> engine) is sent at the recorded gap after the engine message it
// followed, with SendingTime refreshed and BodyLength/CheckSum recomputed. The first
// divergence ends the replay.
//
//   ReplayVenueOptions o;  o.journal_dir = "proxy.journal";
//   Result<std::unique_ptr<ReplayVenue>> v = ReplayVenue::Create(o);  // script loaded, bound
//   Result<ReplayVenueReport> r = (*v)->Run();   // until the end, a divergence or Stop()
//
// Single-threaded: every handler runs on Run()'s thread; Stop() may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "core/status.h"
#include "core/time.h"
#include "recorder/replay_venue_script.h"

namespace td::recorder {

struct ReplayVenueOptions {
  std::string journal_dir;
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 0;     // 0: ephemeral, see ReplayVenue::port()
  ConnectionId connection = 0;  // 0: the first recorded connection
  // How long the engine may take to connect, and to send each expected message.
  Duration timeout = Duration::Seconds(10);
  // After the last step: how long to watch for an unexpected extra engine message.
  Duration linger = Duration::Millis(200);
  std::set<int> ignored_tags = DefaultIgnoredTags();
  bool skip_heartbeats = true;
  bool handle_signals = true;
};

struct ReplayDivergence {
  // "field" (a field differs), "garbled" (the engine's message does not parse), "timeout",
  // "disconnected" (the engine left early), "unexpected" (an engine message after the end),
  // "stopped" (a signal or Stop()).
  std::string kind;
  SeqNo recorded_seq = 0;  // the recorded message expected (0 for "unexpected")
  size_t step = 0;         // its index in the script
  int tag = 0;             // "field": the first differing tag
  std::string expected_value, received_value;
  std::string expected_message, received_message;  // '|' for SOH
  std::string text;                                // one line for humans
};

struct ReplayVenueReport {
  bool diverged = false;
  ReplayDivergence divergence;
  ConnectionId connection = 0;
  size_t steps = 0;    // recorded messages to replay
  size_t matched = 0;  // engine messages compared equal
  size_t sent = 0;     // recorded venue messages sent
  uint64_t skipped_garbage = 0, skipped_heartbeats = 0;
  uint64_t engine_heartbeats = 0;  // heartbeats from the engine, not compared
  uint64_t engine_garbage_bytes = 0;
};

class ReplayVenue {
 public:
  static Result<std::unique_ptr<ReplayVenue>> Create(const ReplayVenueOptions& options);
  ~ReplayVenue();
  ReplayVenue(const ReplayVenue&) = delete;
  ReplayVenue& operator=(const ReplayVenue&) = delete;

  uint16_t port() const;
  const VenueScript& script() const;
  // Serves one engine connection to the end of the script or the first divergence.
  Result<ReplayVenueReport> Run();
  void Stop();  // thread-safe

  struct Impl;

 private:
  explicit ReplayVenue(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace td::recorder
