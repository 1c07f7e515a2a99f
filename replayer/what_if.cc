#include "replayer/what_if.h"

#include <algorithm>

#include "journal/reader.h"
#include "replayer/record_kinds.h"
#include "replayer/simulate.h"

namespace td::replayer {
namespace {

// The rest of the journal's market data, starting with an already read record.
class RestOfJournal : public MarketSource {
 public:
  RestOfJournal(journal::JournalReader* r, std::optional<Event> first) : r_(r), first_(first) {}
  bool Next(Event* out) override {
    if (first_) {
      *out = std::move(*first_);
      first_.reset();
      return true;
    }
    while (const Event* e = r_->Next()) {
      if (IsMarketData(e->payload)) {
        *out = *e;
        return true;
      }
    }
    return false;
  }
  const std::vector<InstrumentDef>& instruments() const override {
    return r_->header().instruments;
  }
  Status status() const override { return r_->status(); }

 private:
  journal::JournalReader* r_;
  std::optional<Event> first_;
};

}  // namespace

Result<WhatIfReport> WhatIf(const std::string& journal_dir, const WhatIfOptions& options) {
  auto reader = journal::JournalReader::Open(journal_dir);
  if (!reader.ok()) return reader.status();
  journal::JournalReader& r = **reader;
  WhatIfReport report;
  report.header = r.header();
  const JournalHeader& h = report.header;
  // The engine stays the journal's; the models may come from another config.
  Result<RunConfig> config =
      ParseRunConfig(options.config_text.empty() ? h.config_text : options.config_text,
                     options.config_text.empty() ? journal_dir + " header" : options.config_origin);
  if (!config.ok()) return config.status();
  if (config->session.protocol != LinkProtocol::kDirect) {
    return InvalidArgument(
        "what-if simulates over direct links only, and the config sets [session] protocol = "
        "\"fix\" (a recorded prefix has no FIX session state to hand over); give --config "
        "without it");
  }
  Result<engine::EngineConfig> engine = ParseEngineSection(h.config_text, journal_dir + " header");
  if (!engine.ok()) return engine.status();
  config->engine = std::move(*engine);

  std::unique_ptr<journal::JournalWriter> writer;
  NullSink null_sink;
  std::unique_ptr<JournalSink> writer_sink;
  RecordSink* sink = &null_sink;
  if (!options.out_dir.empty()) {
    JournalHeader out = h;
    out.session_kind = "simulate";
    out.config_text = options.config_text.empty() ? h.config_text : options.config_text;
    auto w = journal::JournalWriter::Create(options.out_dir, out, DeterministicWriterOptions());
    if (!w.ok()) return w.status();
    writer = std::move(*w);
    writer_sink = std::make_unique<JournalSink>(writer.get());
    sink = writer_sink.get();
  }
  auto session = SimSession::Create(*config, h.instruments, h.seed, h.created, sink);
  if (!session.ok()) return session.status();
  SimSession& s = **session;
  s.StartRecorded();
  std::optional<Event> first_after;
  Timestamp switch_at = h.created;  // T, or the last record's time when T is past the end
  bool reached = false;
  while (const Event* e = r.Next()) {
    if (e->ts >= options.from) {
      if (IsMarketData(e->payload)) first_after = *e;
      reached = true;
      break;
    }
    switch_at = std::max(switch_at, e->ts);
    if (RoleOf(e->payload) != RecordRole::kInput) continue;
    s.FeedRecorded(e->ts, e->payload);
    ++report.recorded_inputs;
  }
  TD_RETURN_IF_ERROR(r.status());
  s.EndRecorded(reached ? std::max(options.from, switch_at) : switch_at);
  RestOfJournal rest(&r, std::move(first_after));
  s.Run(rest, Timestamp::Max());
  TD_RETURN_IF_ERROR(r.status());
  report.result = s.Finish();
  if (writer) TD_RETURN_IF_ERROR(writer->Close());
  return report;
}

}  // namespace td::replayer
