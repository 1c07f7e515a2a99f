// The pure half of `tapedeck replay-venue` (replay_venue.h): the script of one recorded proxy
// connection read from a journal, the field-by-field comparison of an engine message with the
// recorded one, and the refresh of a recorded venue message's session fields before it is sent
// again. No sockets, no clock (the caller passes the time). docs/proxy.md describes the rules.
//
//   Result<VenueScript> s = LoadVenueScript("proxy.journal", 0, {});
//   std::optional<FieldDivergence> d = CompareFixMessages(expected, received,
//   DefaultIgnoredTags()); std::string out = RefreshSessionFields(recorded_inbound, now);
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace td::recorder {

// A journal may hold at most this many messages of one connection to be replayed.
inline constexpr size_t kMaxScriptSteps = 1u << 22;

struct ScriptStep {
  SeqNo seq = 0;  // the WireMessage's journal sequence number
  Timestamp ts;   // its receive time at the proxy
  WireDirection direction = WireDirection::kInbound;
  std::string bytes;  // as journaled (credentials redacted)
};

struct VenueScript {
  ConnectionId connection = 0;
  Timestamp start_ts;               // when the proxy accepted the engine's connection
  std::vector<ScriptStep> steps;    // in journal order
  uint64_t skipped_garbage = 0;     // WireMessages the proxy noted as garbage
  uint64_t skipped_heartbeats = 0;  // Heartbeats (35=0), when skipped
  std::string engine_peer;          // the SessionState text of the accept
};

struct ScriptOptions {
  ConnectionId connection = 0;  // 0: the first connection with a message
  bool skip_heartbeats = true;  // Heartbeats follow the wall clock, not the conversation
};

// Reads the journal written by `tapedeck proxy`. NotFound when the connection has no message;
// InvalidArgument when the journal is not a proxy journal.
Result<VenueScript> LoadVenueScript(const std::string& journal_dir, const ScriptOptions& options);

// The fields that legitimately change between runs: BodyLength, CheckSum, SendingTime,
// TransactTime, OrigSendingTime.
std::set<int> DefaultIgnoredTags();

struct FieldDivergence {
  size_t field_index = 0;  // position among the compared (not ignored) fields
  int tag = 0;
  std::string expected;  // "(absent)" when the recording has no more fields
  std::string received;  // "(absent)" when the engine's message has no more fields
};

// Compares two messages field by field, in wire order, skipping `ignored` tags; nullopt when
// they are equal. Unparseable input compares as its raw bytes (tag 0).
std::optional<FieldDivergence> CompareFixMessages(std::string_view expected,
                                                  std::string_view received,
                                                  const std::set<int>& ignored);

// The recorded message with SendingTime (52) set to `now` (same precision as recorded,
// milliseconds when absent) and BodyLength (9) and CheckSum (10) recomputed; every other field
// unchanged and in order. Error when the bytes do not split into fields.
Result<std::string> RefreshSessionFields(std::string_view recorded, Timestamp now);

// "8=FIX.4.4|9=65|35=A|..." for reports.
std::string Printable(std::string_view fix_bytes);

}  // namespace td::recorder
