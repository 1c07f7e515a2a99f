#include "replayer/exact_replay.h"

#include <deque>
#include <memory>

#include "engine/engine.h"
#include "journal/reader.h"
#include "replayer/event_hash.h"
#include "replayer/record_kinds.h"
#include "replayer/run_config.h"

namespace td::replayer {
namespace {

class Comparator {
 public:
  explicit Comparator(ReplayReport* report) : report_(report) {}

  void Produced(Timestamp ts, std::vector<Payload>& outs) {
    for (Payload& p : outs) {
      hash_.Add(ts, p);
      actual_.push_back(Event{0, ts, std::move(p)});
    }
    outs.clear();
  }
  // A recorded output: compare with the next produced one.
  void Recorded(const Event& e) {
    ++report_->outputs;
    if (actual_.empty()) {
      Diverge(e.seq, e.ts, e, std::nullopt);
    } else {
      Event a = std::move(actual_.front());
      actual_.pop_front();
      a.seq = e.seq;
      if (!(a.ts == e.ts && a.payload == e.payload)) Diverge(e.seq, e.ts, e, a);
    }
    Remember(e);
  }
  // Before the next input (or at the end): produced outputs left over are divergences.
  void Unmatched(SeqNo next_seq, Timestamp ts) {
    while (!actual_.empty()) {
      Event a = std::move(actual_.front());
      actual_.pop_front();
      Diverge(next_seq, ts, std::nullopt, a);
    }
  }
  void Remember(const Event& e) {
    context_.push_back(e);
    if (context_.size() > kDivergenceContextRecords) context_.pop_front();
  }
  uint64_t hash() const { return hash_.digest(); }

 private:
  void Diverge(SeqNo seq, Timestamp ts, std::optional<Event> expected,
               std::optional<Event> actual) {
    ++report_->divergences;
    if (report_->first_divergence) return;
    Divergence d;
    d.seq = seq;
    d.ts = ts;
    d.kind = std::string(expected ? KindName(*expected) : KindName(*actual));
    d.expected = std::move(expected);
    d.actual = std::move(actual);
    d.context.assign(context_.begin(), context_.end());
    report_->first_divergence = std::move(d);
  }

  ReplayReport* report_;
  std::deque<Event> actual_;
  std::deque<Event> context_;
  EventHash hash_;
};

Result<std::unique_ptr<engine::Engine>> MakeEngine(const JournalHeader& h,
                                                   const std::vector<std::string>& overrides,
                                                   const std::string& origin) {
  Result<engine::EngineConfig> config = ParseEngineSection(h.config_text, origin);
  if (!config.ok()) return config.status();
  for (const std::string& kv : overrides) TD_RETURN_IF_ERROR(engine::ApplyOverride(&*config, kv));
  auto strategy = engine::MakeStrategy(config->strategy, config->bug);
  if (!strategy.ok()) return strategy.status();
  return std::make_unique<engine::Engine>(*config, std::move(*strategy), h.instruments, h.seed);
}

// The first input, up to `until`, after which the engine of the recorded configuration and the
// one with `overrides` have different state digests.
Result<std::optional<Event>> FirstStateDifference(const std::string& dir,
                                                  const std::vector<std::string>& overrides,
                                                  SeqNo until) {
  auto reader = journal::JournalReader::Open(dir);
  if (!reader.ok()) return reader.status();
  const JournalHeader& h = (*reader)->header();
  auto recorded = MakeEngine(h, {}, dir + " header");
  if (!recorded.ok()) return recorded.status();
  auto changed = MakeEngine(h, overrides, dir + " header");
  if (!changed.ok()) return changed.status();
  std::vector<Payload> out;
  (*recorded)->Start(h.created, &out);
  (*changed)->Start(h.created, &out);
  while (const Event* e = (*reader)->Next()) {
    if (e->seq > until) break;
    if (RoleOf(e->payload) != RecordRole::kInput) continue;
    out.clear();
    (*recorded)->Dispatch(*e, &out);
    out.clear();
    (*changed)->Dispatch(*e, &out);
    if ((*recorded)->StateDigest() != (*changed)->StateDigest()) return std::optional<Event>(*e);
  }
  TD_RETURN_IF_ERROR((*reader)->status());
  return std::optional<Event>();
}

}  // namespace

Result<ReplayReport> ExactReplay(const std::string& journal_dir, const ReplayOptions& options) {
  auto reader = journal::JournalReader::Open(journal_dir);
  if (!reader.ok()) return reader.status();
  journal::JournalReader& r = **reader;
  ReplayReport report;
  report.header = r.header();
  const JournalHeader& h = report.header;
  if (h.session_kind != "live" && h.session_kind != "paper" && h.session_kind != "simulate") {
    return FailedPrecondition(journal_dir + ": session_kind \"" + h.session_kind +
                              "\" is not an engine session (live, paper or simulate): there is "
                              "no engine configuration or output to replay against");
  }
  auto made = MakeEngine(h, options.overrides, journal_dir + " header");
  if (!made.ok()) return made.status();
  engine::Engine& engine = **made;

  Comparator cmp(&report);
  std::vector<Payload> out;
  engine.Start(h.created, &out);
  cmp.Produced(h.created, out);
  Timestamp last_ts = h.created;
  while (const Event* e = r.Next()) {
    last_ts = e->ts;
    switch (RoleOf(e->payload)) {
      case RecordRole::kInput:
        cmp.Unmatched(e->seq, e->ts);
        ++report.inputs;
        engine.Dispatch(*e, &out);
        cmp.Produced(e->ts, out);
        cmp.Remember(*e);
        break;
      case RecordRole::kOutput:
        cmp.Recorded(*e);
        break;
      case RecordRole::kOther:
        break;
    }
  }
  TD_RETURN_IF_ERROR(r.status());
  cmp.Unmatched(0, last_ts);
  report.event_hash = cmp.hash();
  report.summary = engine.Summary();
  if (Divergence* d = report.first_divergence ? &*report.first_divergence : nullptr;
      d != nullptr && !options.overrides.empty() && d->expected && d->actual &&
      std::holds_alternative<Checkpoint>(d->expected->payload) &&
      std::holds_alternative<Checkpoint>(d->actual->payload)) {
    Result<std::optional<Event>> first = FirstStateDifference(journal_dir, options.overrides, d->seq);
    if (!first.ok()) return first.status();
    d->state_diverged_after = std::move(*first);
  }
  return report;
}

}  // namespace td::replayer
