// replay_venue_script.h: reading a proxy journal into a script, comparing and refreshing FIX
// messages. Pure functions over values; the journal is read once, front to back.
#include "recorder/replay_venue_script.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>

#include "fix/fields.h"
#include "fix/message.h"
#include "fix/utc_time.h"
#include "journal/reader.h"

namespace td::recorder {
namespace {

constexpr std::string_view kGarbagePrefix = "proxy: garbage seq=";
constexpr std::string_view kAbsent = "(absent)";
constexpr int kTransactTime = 60;

bool IsHeartbeat(std::string_view bytes) {
  fix::Message m;
  if (!m.ParseFieldsOnly(bytes).ok()) return false;
  return m.msg_type() == fix::msg_type::kHeartbeat;
}

}  // namespace

Result<VenueScript> LoadVenueScript(const std::string& journal_dir, const ScriptOptions& options) {
  Result<std::unique_ptr<journal::JournalReader>> r = journal::JournalReader::Open(journal_dir);
  if (!r.ok()) return r.status();
  journal::JournalReader& reader = **r;
  if (reader.header().session_kind != "proxy") {
    return InvalidArgument(journal_dir + ": session kind is '" + reader.header().session_kind +
                           "', not 'proxy' (written by `tapedeck proxy`)");
  }
  VenueScript script;
  script.connection = options.connection;
  std::map<ConnectionId, std::pair<Timestamp, std::string>> accepted;  // first SessionState
  std::vector<ScriptStep> candidates;  // WireMessages of the chosen connection
  while (const Event* e = reader.Next()) {
    if (const auto* s = std::get_if<SessionState>(&e->payload)) {
      accepted.try_emplace(s->connection, e->ts, s->text);
    } else if (const auto* w = std::get_if<WireMessage>(&e->payload)) {
      if (script.connection == 0) script.connection = w->connection;
      if (w->connection != script.connection) continue;
      if (candidates.size() >= kMaxScriptSteps) {
        return OutOfRange(journal_dir + ": connection " + std::to_string(script.connection) +
                          " has more than " + std::to_string(kMaxScriptSteps) + " messages");
      }
      candidates.push_back(ScriptStep{e->seq, e->ts, w->direction, w->bytes});
    } else if (const auto* a = std::get_if<Annotation>(&e->payload)) {
      // "proxy: garbage seq=S ..." follows its WireMessage: drop that step.
      if (a->text.starts_with(kGarbagePrefix) && !candidates.empty()) {
        const std::string seq_text = a->text.substr(kGarbagePrefix.size());
        int64_t seq = 0;
        if (fix::ParseNonNegative(seq_text.substr(0, seq_text.find(' ')), &seq) &&
            candidates.back().seq == static_cast<SeqNo>(seq)) {
          candidates.pop_back();
          ++script.skipped_garbage;
        }
      }
    }
  }
  if (!reader.status().ok()) return reader.status();
  if (script.connection == 0) return NotFound(journal_dir + ": no recorded FIX message");
  for (ScriptStep& s : candidates) {
    if (options.skip_heartbeats && IsHeartbeat(s.bytes)) {
      ++script.skipped_heartbeats;
      continue;
    }
    script.steps.push_back(std::move(s));
  }
  if (script.steps.empty()) {
    return NotFound(journal_dir + ": connection " + std::to_string(script.connection) +
                    " has no message to replay");
  }
  auto it = accepted.find(script.connection);
  if (it != accepted.end()) {
    script.start_ts = it->second.first;
    script.engine_peer = it->second.second;
  } else {
    script.start_ts = script.steps.front().ts;
  }
  return script;
}

std::set<int> DefaultIgnoredTags() {
  return {fix::tag::kBodyLength, fix::tag::kCheckSum, fix::tag::kSendingTime, kTransactTime,
          fix::tag::kOrigSendingTime};
}

std::optional<FieldDivergence> CompareFixMessages(std::string_view expected,
                                                  std::string_view received,
                                                  const std::set<int>& ignored) {
  fix::Message e, r;
  if (!e.ParseFieldsOnly(expected).ok() || !r.ParseFieldsOnly(received).ok()) {
    if (expected == received) return std::nullopt;
    return FieldDivergence{0, 0, Printable(expected), Printable(received)};
  }
  auto kept = [&](const fix::Message& m) {
    std::vector<fix::Field> out;
    for (const fix::Field& f : m.fields()) {
      if (ignored.count(f.tag) == 0) out.push_back(f);
    }
    return out;
  };
  const std::vector<fix::Field> ef = kept(e), rf = kept(r);
  for (size_t i = 0; i < std::max(ef.size(), rf.size()); ++i) {
    if (i >= ef.size())
      return FieldDivergence{i, rf[i].tag, std::string(kAbsent), std::string(rf[i].value)};
    if (i >= rf.size())
      return FieldDivergence{i, ef[i].tag, std::string(ef[i].value), std::string(kAbsent)};
    if (ef[i].tag != rf[i].tag) {
      // A field is missing or extra here: name the expected tag and what came instead.
      return FieldDivergence{i, ef[i].tag, std::string(ef[i].value),
                             std::string(kAbsent) + ", tag " + std::to_string(rf[i].tag) + "=" +
                                 std::string(rf[i].value) + " instead"};
    }
    if (ef[i].value != rf[i].value) {
      return FieldDivergence{i, ef[i].tag, std::string(ef[i].value), std::string(rf[i].value)};
    }
  }
  return std::nullopt;
}

Result<std::string> RefreshSessionFields(std::string_view recorded, Timestamp now) {
  fix::Message m;
  TD_RETURN_IF_ERROR(m.ParseFieldsOnly(recorded));
  if (m.size() < 2 || m.field(0).tag != fix::tag::kBeginString) {
    return InvalidArgument("recorded message does not start with BeginString (8): " +
                           Printable(recorded));
  }
  char ts[fix::kUtcTimestampMillisLen];
  const fix::Field* st = m.Find(fix::tag::kSendingTime);
  size_t ts_len = fix::kUtcTimestampMillisLen;
  if (st != nullptr && st->value.size() == fix::kUtcTimestampSecondsLen) {
    fix::FormatUtcTimestampSeconds(now, ts);
    ts_len = fix::kUtcTimestampSecondsLen;
  } else {
    fix::FormatUtcTimestampMillis(now, ts);
  }
  std::string body;  // everything between BodyLength and CheckSum
  body.reserve(recorded.size() + 8);
  for (size_t i = 1; i < m.size(); ++i) {
    const fix::Field& f = m.field(i);
    if (f.tag == fix::tag::kBodyLength || f.tag == fix::tag::kCheckSum) continue;
    body += std::to_string(f.tag);
    body += '=';
    if (f.tag == fix::tag::kSendingTime) {
      body.append(ts, ts_len);
    } else {
      body.append(f.value);
    }
    body += fix::kSoh;
  }
  std::string out;
  out.reserve(body.size() + 32);
  out += "8=";
  out.append(m.field(0).value);
  out += fix::kSoh;
  out += "9=" + std::to_string(body.size());
  out += fix::kSoh;
  out += body;
  char cs[8];
  std::snprintf(cs, sizeof cs, "10=%03u", static_cast<unsigned>(fix::ComputeCheckSum(out)));
  out += cs;
  out += fix::kSoh;
  return out;
}

std::string Printable(std::string_view fix_bytes) {
  std::string out(fix_bytes);
  for (char& c : out) {
    if (c == fix::kSoh) c = '|';
  }
  return out;
}

}  // namespace td::recorder
