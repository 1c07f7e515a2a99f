// PaperRuntime: a paper-trading session (DESIGN.md, principles 4 and 5). It hosts an Engine on
// one boost::asio::io_context with the real clock: a FIX 4.4 initiator (fix::Session over TCP)
// to the venue, a market-data feed client (docs/market-data-feed.md) and the engine's timers on
// steady timers. Everything that reaches the engine goes through a Boundary (recorder/boundary.h)
// that journals it first; docs/recorder.md describes the order of records, the signals and the
// control socket.
//
//   PaperOptions o;  o.fix_host = "127.0.0.1"; o.fix_port = 9878; ...
//   Result<PaperSummary> s = RunPaperSession(o);   // blocks until the end, the journal closed
//
// Single-threaded: every handler runs on the io_context's one thread (the journal writer has
// its own thread behind JournalWriter).
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "core/time.h"

namespace td::recorder {

inline constexpr char kDefaultSenderCompId[] = "TAPEDECK-PAPER";
inline constexpr char kDefaultTargetCompId[] = "TAPEDECK";
inline constexpr Duration kReconnectBackoffMin = Duration::Millis(100);
inline constexpr Duration kReconnectBackoffMax = Duration::Seconds(5);
// How long a shutdown waits for the venue's Logout reply before closing anyway.
inline constexpr Duration kShutdownGrace = Duration::Seconds(3);
// The market-data feed's hello (with the instruments) must arrive within this.
inline constexpr Duration kFirstHelloTimeout = Duration::Seconds(30);

struct PaperOptions {
  std::string fix_host = "127.0.0.1";
  uint16_t fix_port = 0;
  std::string md_host = "127.0.0.1";
  uint16_t md_port = 0;
  std::string config_text;    // engine TOML with the engine selection in it (WithEngineSelection)
  std::string config_origin;  // for messages
  uint64_t seed = 1;
  Duration duration;          // 0: until SIGINT / SIGTERM
  std::string journal_dir;    // created; must not exist or be empty
  std::string control_path;   // the Unix control socket; empty: journal_dir + ".ctl"
  std::string sender_comp_id = kDefaultSenderCompId;
  std::string target_comp_id = kDefaultTargetCompId;
  int heartbeat_interval_s = 30;
  bool quiet = false;         // no progress lines on stderr

  // Seams for `tapedeck bench recording` (docs/benchmarks-live.md) and its tests only; the
  // defaults are what `tapedeck paper` does.
  // false: recording off. No journal is created (journal_dir only names the control socket)
  // and the Boundary journals nothing; everything else runs as usual. The baseline the
  // benchmark compares recording with.
  bool record = true;
  // End the session (as SIGTERM does: Logout, then close) when the feed's end frame says the
  // market data ended, so a session over a finite market ends by itself.
  bool end_at_market_end = false;
};

struct PaperSummary {
  uint64_t inputs = 0, outputs = 0, wire_in = 0, wire_out = 0, fills = 0;
  uint64_t market_data = 0, timers_fired = 0, operator_commands = 0;
  uint64_t fix_reconnects = 0, md_reconnects = 0, md_gaps = 0;
  uint64_t commands_not_sent = 0;  // engine commands that could not be put on the wire
  uint64_t commands_held = 0;      // emitted while not logged on, sent at the next Logon
  uint64_t decode_errors = 0;      // venue messages the order-entry codec could not read
  std::string end_reason;          // "duration", "SIGINT", "SIGTERM", ...
  std::string journal_dir;
  // The journal writer's figures (all 0 with record = false).
  uint64_t journal_records = 0, journal_dropped = 0, journal_stored_bytes = 0;
  uint32_t journal_ring_high_water = 0;
  // CPU time of the thread that ran the session (the engine's: every handler, the socket
  // reads and writes, decoding, the Boundary, encoding), CLOCK_THREAD_CPUTIME_ID, from the
  // start of the session to the end of its event loop; the journal's final Close (which
  // waits for the journal thread) is not in it.
  int64_t session_thread_cpu_ns = 0;
};

// Runs the session to its end. Errors: the journal cannot be created, the config does not
// parse, the feed's hello never came (kFirstHelloTimeout), the control socket cannot be bound.
Result<PaperSummary> RunPaperSession(const PaperOptions& options);

// `tapedeck kill`: connects to a session's control socket and asks for the kill switch.
// Returns the session's one-line reply. The default path of journal J is J + ".ctl".
Result<std::string> SendKillCommand(const std::string& control_path);
std::string DefaultControlPath(const std::string& journal_dir);

}  // namespace td::recorder
