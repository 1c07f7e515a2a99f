#include "replayer/simulate.h"

#include <memory>
#include <optional>

#include "replayer/event_hash.h"
#include "replayer/record_kinds.h"

namespace td::replayer {
namespace {

// A source with one record looked ahead, so that the first record's time can open the session.
class PeekedSource : public MarketSource {
 public:
  explicit PeekedSource(MarketSource& inner) : inner_(inner) { has_ = inner_.Next(&first_); }
  bool Next(Event* out) override {
    if (has_) {
      *out = std::move(first_);
      has_ = false;
      return true;
    }
    return inner_.Next(out);
  }
  const std::vector<InstrumentDef>& instruments() const override { return inner_.instruments(); }
  Status status() const override { return inner_.status(); }
  std::optional<Timestamp> first_ts() const {
    return has_ ? std::optional<Timestamp>(first_.ts) : std::nullopt;
  }

 private:
  MarketSource& inner_;
  Event first_;
  bool has_ = false;
};

// The event hash of a journaled run, kept on the journal thread from the records it takes
// from the ring: the engine's outputs, in journal order, which is the order the session would
// have hashed them in (each is recorded as it is hashed). The simulating thread is spared it.
class OutputHash final : public journal::RecordObserver {
 public:
  void OnRecord(const Event& record) override {
    if (RoleOf(record.payload) == RecordRole::kOutput) hash_.Add(record.ts, record.payload);
  }
  uint64_t digest() const { return hash_.digest(); }

 private:
  EventHash hash_;
};

}  // namespace

const char* BuildId() { return TD_BUILD_ID; }

journal::WriterOptions DeterministicWriterOptions() {
  journal::WriterOptions o;
  o.linger = Duration::Seconds(365LL * 24 * 3600);  // never write a partial block early
  o.backpressure = journal::Backpressure::kBlock;
  o.durability = journal::Durability::kNone;
  o.sync_on_close = false;  // the run can be made again, bit for bit, from its header
  // A simulation's producer is at most a little faster than the journal thread, so a shorter
  // queue than the default (64 Ki events, 8 MiB) absorbs its bursts as well, and costs a
  // quarter to set up and tear down per run.
  o.queue_capacity = 1u << 14;
  return o;
}

Result<SessionResult> Simulate(const SimulateOptions& options, MarketSource& source) {
  Result<RunConfig> config = ParseRunConfig(options.config_text, options.config_origin);
  if (!config.ok()) return config.status();
  PeekedSource peeked(source);
  if (!peeked.first_ts()) {
    TD_RETURN_IF_ERROR(source.status());
    return InvalidArgument("the market data source has no market-data record");
  }
  const Timestamp t0 = *peeked.first_ts();

  JournalHeader header;
  header.engine_name = kEngineName;
  header.engine_build_id = BuildId();
  header.config_text = options.config_text;
  header.seed = options.seed;
  header.created = t0;
  header.session_kind = "simulate";
  header.instruments = source.instruments();
  OutputHash output_hash;  // before the writer: it outlives the journal thread
  std::unique_ptr<journal::JournalWriter> writer;
  NullSink null_sink;
  std::optional<JournalSink> journal_sink;
  RecordSink* sink = &null_sink;
  if (!options.out_dir.empty()) {
    journal::WriterOptions wo = DeterministicWriterOptions();
    wo.observer = &output_hash;
    auto w = journal::JournalWriter::Create(options.out_dir, header, wo);
    if (!w.ok()) return w.status();
    writer = std::move(*w);
    sink = &journal_sink.emplace(writer.get());
  }

  auto session = SimSession::Create(*config, header.instruments, options.seed, t0, sink);
  if (!session.ok()) return session.status();
  if (writer != nullptr) (*session)->HashOutputsElsewhere();
  (*session)->Start();
  const Timestamp end = options.duration.ns > 0 ? t0 + options.duration : Timestamp::Max();
  (*session)->Run(peeked, end);
  SessionResult result = (*session)->Finish();
  TD_RETURN_IF_ERROR(source.status());
  if (writer != nullptr) {
    TD_RETURN_IF_ERROR(writer->Close());
    result.event_hash = output_hash.digest();
  }
  return result;
}

}  // namespace td::replayer
