// `tapedeck bench recording` and `tapedeck bench fix-roundtrip`: the live-side figures of
// DESIGN.md's performance table (docs/benchmarks-live.md says how they were taken).
//
// bench recording: the cost of the flight recorder on a live engine ("recording overhead
// < 1 % of event handling time").
// - The live view (the figure DESIGN.md asks for): one process, two threads. The exchange
//   thread runs the real exchange server code (ExchangeCore over a synthetic market held in
//   memory, unpaced by default, the market-data feed and the FIX acceptor on 127.0.0.1); the
//   calling thread runs a paper session (recorder/paper_runtime.h) against it until the market
//   ends: epoll wakeups and socket reads, feed frame and Cap'n Proto decoding, FIX parsing and
//   decoding, the Boundary (journal + Engine::Dispatch), FIX encoding and socket writes. Pairs
//   of sessions, interleaved: (A) recording as `tapedeck paper` does, (B) recording off
//   (PaperOptions::record = false: no journal, the Boundary with no sink). The figure is the
//   CPU time of the session's thread per event handled (engine input dispatched). Beside it,
//   the direct estimate: journal appends per event x the producer-side Append cost measured
//   on A's journal records / B's ns per event.
// - The micro view, for context: a simulated session's engine inputs, in memory, through a
//   bare Engine::Dispatch loop, the Boundary with recording off, and the Boundary journaling
//   to a JournalWriter (durability none); only the input loop is timed, the writer's Close
//   apart. Against a ~20 ns dispatch no journal can cost < 1 %: it is not the live path.
// docs/benchmarks-live.md says how the figures were taken.
//
// bench fix-roundtrip: one process, two threads. The io thread runs ExchangeCore (synthetic
// market, zero-latency default scenario), ExchangeApp and the FIX acceptor on 127.0.0.1:0; the
// calling thread is a FIX initiator (fix::Session over a blocking Asio socket, TCP_NODELAY,
// ClientOrderEntry codec) sending, one at a time, a NewOrderSingle far below the market and
// then its cancel, timing send -> ExecutionReport(New) and send -> ExecutionReport(Canceled).
#include <fmt/format.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "engine/engine.h"
#include "fix/message_store.h"
#include "fix/order_entry.h"
#include "fix/session.h"
#include "journal/reader.h"
#include "journal/writer.h"
#include "marketdata/synthetic.h"
#include "recorder/boundary.h"
#include "recorder/paper_runtime.h"
#include "replayer/market_source.h"
#include "replayer/record_kinds.h"
#include "replayer/run_config.h"
#include "replayer/simulate.h"
#include "sim-exchange/server/exchange_app.h"
#include "sim-exchange/server/exchange_core.h"
#include "sim-exchange/server/fix_acceptor.h"
#include "sim-exchange/server/md_server.h"
#include "sim-exchange/server/pacer.h"
#include "tools/cli_common.h"
#include "tools/commands.h"

namespace td::tools {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int64_t ElapsedNs(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// A scratch directory removed on every exit path.
struct Scratch {
  fs::path path;
  explicit Scratch(const std::string& stem)
      : path(fs::temp_directory_path() / (stem + "-" + std::to_string(::getpid()))) {
    std::error_code ec;
    fs::remove_all(path, ec);
    fs::create_directories(path);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// The exchange on its own io thread, as `tapedeck exchange serve` wires it: ExchangeCore over
// `source` (default scenario: zero latency, no faults), the FIX acceptor on 127.0.0.1:0 and,
// with md_feed, the market-data feed (MdServer) on 127.0.0.1:0. Stop() ends it.
struct ExchangeSetup {
  std::unique_ptr<replayer::MarketSource> source;
  server::Speed speed;
  uint64_t seed = 1;
  bool md_feed = false;
  size_t md_max_queue_bytes = size_t{64} << 20;  // per subscriber (MdServerOptions)
  // Hold the market until one feed subscriber is connected and a FIX session is open (so a
  // client sees the whole market from its first record, none of it missed before it came).
  bool start_when_subscribed = false;
};

// How long start_when_subscribed waits for the client, and how often it looks.
constexpr auto kSubscriberWait = std::chrono::seconds(30);
constexpr auto kSubscriberPoll = std::chrono::milliseconds(1);

class InProcessExchange {
 public:
  static Result<std::unique_ptr<InProcessExchange>> Start(ExchangeSetup setup) {
    auto x = std::unique_ptr<InProcessExchange>(new InProcessExchange());
    server::ExchangeOptions eo;
    eo.seed = setup.seed;
    eo.speed = setup.speed;
    auto core = server::ExchangeCore::Create(x->io_, std::move(setup.source), std::move(eo));
    if (!core.ok()) return core.status();
    x->core_ = std::move(*core);
    if (setup.md_feed) {
      server::MdServerOptions mo;
      mo.bind_address = "127.0.0.1";
      mo.port = 0;
      mo.max_queue_bytes = setup.md_max_queue_bytes;
      auto md = server::MdServer::Create(x->io_, *x->core_, mo);
      if (!md.ok()) return md.status();
      x->md_ = std::move(*md);
      x->core_->SetPublisher(x->md_.get());
    }
    x->app_ = std::make_unique<server::ExchangeApp>(*x->core_, server::ExchangeAppOptions{});
    server::FixAcceptorConfig fc;
    fc.bind_address = "127.0.0.1";
    fc.port = 0;
    x->acceptor_ = std::make_unique<server::FixAcceptor>(x->io_, fc, *x->app_);
    TD_RETURN_IF_ERROR(x->acceptor_->Start());
    x->port_ = x->acceptor_->port();
    x->instruments_ = x->core_->instruments();
    if (setup.start_when_subscribed && x->md_ != nullptr) {
      x->StartWhenSubscribed(Clock::now() + kSubscriberWait);
    } else {
      x->core_->Start();
    }
    x->thread_ = std::thread([p = x.get()] { p->io_.run(); });
    return x;
  }
  ~InProcessExchange() { Stop(); }

  void Stop() {
    if (!thread_.joinable()) return;
    boost::asio::post(io_, [this] {
      start_timer_.cancel();
      core_->Stop();
      acceptor_->Stop();
      if (md_ != nullptr) md_->Stop();
      io_.stop();
    });
    thread_.join();
  }
  uint16_t port() const { return port_; }
  uint16_t md_port() const { return md_ != nullptr ? md_->port() : 0; }
  const std::vector<InstrumentDef>& instruments() const { return instruments_; }
  // After Stop().
  const server::ExchangeAppCounters& app_counters() const { return app_->counters(); }
  const server::MdServerCounters* md_counters() const {
    return md_ != nullptr ? &md_->counters() : nullptr;
  }

 private:
  InProcessExchange() : start_timer_(io_) {}

  void StartWhenSubscribed(Clock::time_point deadline) {
    if ((md_->subscriber_count() >= 1 && core_->session_open()) || Clock::now() > deadline) {
      core_->Start();  // past the deadline anyway: the client then sees a shorter market
      return;
    }
    start_timer_.expires_after(kSubscriberPoll);
    start_timer_.async_wait([this, deadline](boost::system::error_code ec) {
      if (!ec) StartWhenSubscribed(deadline);
    });
  }

  boost::asio::io_context io_;
  boost::asio::steady_timer start_timer_;
  std::unique_ptr<server::ExchangeCore> core_;
  std::unique_ptr<server::MdServer> md_;
  std::unique_ptr<server::ExchangeApp> app_;
  std::unique_ptr<server::FixAcceptor> acceptor_;
  uint16_t port_ = 0;
  std::vector<InstrumentDef> instruments_;
  std::thread thread_;
};

// ================================================================ bench recording

constexpr const char* kRecCmd = "bench recording";
constexpr uint64_t kMaxRecordingEvents = 50'000'000;
constexpr uint64_t kMaxLiveEvents = 5'000'000;  // the feed queued whole stays < 1 GiB

struct RecordingOptions {
  // The micro view: in-process, engine inputs from a simulated session.
  uint64_t events = 1'000'000;
  std::string strategy = "market-maker";
  uint64_t seed = 1;
  int runs = 5;
  // The live view: paper sessions against the in-process exchange over loopback TCP.
  uint64_t live_events = 200'000;
  int live_runs = 5;
  std::string live_speed = "max";
  bool json = false;
};

// A live session that has not met the end of its market by then is an error.
constexpr Duration kLiveSessionLimit = Duration::Seconds(300);

// The engine inputs of a simulated session, as a live engine would receive them.
struct InputStream {
  JournalHeader header;
  engine::EngineConfig config;
  std::vector<Event> inputs;
  uint64_t recorded_outputs = 0;
};

class NullSink final : public replayer::RecordSink {
 public:
  void Record(Timestamp, const Payload&) override {}
};

// As paper_runtime.cc's JournalSink.
class WriterSink final : public replayer::RecordSink {
 public:
  explicit WriterSink(journal::JournalWriter* w) : w_(w) {}
  void Record(Timestamp ts, const Payload& payload) override { (void)w_->Append(ts, payload); }

 private:
  journal::JournalWriter* w_;
};

Result<InputStream> MakeInputStream(const RecordingOptions& o, const fs::path& scratch) {
  marketdata::SyntheticConfig sc;
  sc.duration = Duration::Seconds(7 * 24 * 3600);  // long enough for any --events
  replayer::SyntheticMarketSource synth(sc, o.seed);
  std::vector<Event> market;
  market.reserve(o.events);
  Event e;
  while (market.size() < o.events && synth.Next(&e)) market.push_back(e);

  Result<std::string> text = replayer::WithEngineSelection("", o.strategy, "", "(no config)");
  if (!text.ok()) return text.status();
  replayer::SimulateOptions so;
  so.config_text = *text;
  so.seed = o.seed;
  so.out_dir = (scratch / "session").string();
  replayer::MemoryMarketSource source(synth.instruments(), market);
  Result<replayer::SessionResult> r = replayer::Simulate(so, source);
  if (!r.ok()) return r.status();

  InputStream s;
  auto reader = journal::JournalReader::Open(so.out_dir);
  if (!reader.ok()) return reader.status();
  s.header = (*reader)->header();
  while (const Event* rec = (*reader)->Next()) {
    if (replayer::RoleOf(rec->payload) == replayer::RecordRole::kInput) {
      s.inputs.push_back(*rec);
    } else if (replayer::RoleOf(rec->payload) == replayer::RecordRole::kOutput) {
      ++s.recorded_outputs;
    }
  }
  TD_RETURN_IF_ERROR((*reader)->status());
  auto config = replayer::ParseEngineSection(s.header.config_text, "bench session header");
  if (!config.ok()) return config.status();
  s.config = std::move(*config);
  std::error_code ec;
  fs::remove_all(so.out_dir, ec);
  return s;
}

Result<std::unique_ptr<engine::Engine>> MakeEngine(const InputStream& s) {
  auto strategy = engine::MakeStrategy(s.config.strategy, s.config.bug);
  if (!strategy.ok()) return strategy.status();
  return std::make_unique<engine::Engine>(s.config, std::move(*strategy), s.header.instruments,
                                          s.header.seed);
}

enum class Variant { kEngine, kBoundaryNoJournal, kBoundaryJournal };

struct VariantRun {
  int64_t handle_ns = 0;  // the input loop
  int64_t close_ns = 0;   // JournalWriter::Close: the ring drained, the index written
  uint64_t outputs = 0, journaled = 0, dropped = 0, stored_bytes = 0;
  uint32_t queue_high_water = 0;
};

Result<VariantRun> RunVariant(const InputStream& s, Variant v, const fs::path& dir) {
  auto made = MakeEngine(s);
  if (!made.ok()) return made.status();
  engine::Engine& engine = **made;
  VariantRun run;
  const Timestamp t0 = s.header.created;
  if (v == Variant::kEngine) {
    std::vector<Payload> out;
    engine.Start(t0, &out);
    const auto a = Clock::now();
    for (const Event& in : s.inputs) {
      out.clear();
      engine.Dispatch(in, &out);
      run.outputs += out.size();
    }
    run.handle_ns = ElapsedNs(a, Clock::now());
    return run;
  }
  // The Boundary takes its input by value, as the runtime hands it a freshly decoded one; the
  // copies are made here, untimed, and moved in.
  std::vector<Event> inputs = s.inputs;
  std::unique_ptr<journal::JournalWriter> writer;
  std::unique_ptr<replayer::RecordSink> sink;
  if (v == Variant::kBoundaryJournal) {
    JournalHeader h = s.header;
    h.session_kind = "paper";
    journal::WriterOptions wo;
    wo.durability = journal::Durability::kNone;
    auto w = journal::JournalWriter::Create(dir.string(), h, wo);
    if (!w.ok()) return w.status();
    writer = std::move(*w);
    sink = std::make_unique<WriterSink>(writer.get());
  } else {
    sink = std::make_unique<NullSink>();
  }
  recorder::Boundary boundary(&engine, sink.get(), [](Timestamp, const Payload&) {});
  boundary.Start(t0);
  const auto a = Clock::now();
  for (Event& in : inputs) boundary.Input(in.ts, std::move(in.payload));
  run.handle_ns = ElapsedNs(a, Clock::now());
  run.outputs = boundary.counters().outputs;
  if (writer != nullptr) {
    const auto c = Clock::now();
    Status closed = writer->Close();
    run.close_ns = ElapsedNs(c, Clock::now());
    if (!closed.ok()) return closed;
    const journal::WriterStats st = writer->stats();
    run.journaled = st.appended;
    run.dropped = st.dropped;
    run.stored_bytes = st.stored_bytes;
    run.queue_high_water = st.queue_high_water;
  }
  return run;
}

// The producer side of the journal alone: JournalWriter::Append of `records`, in order, to a
// fresh writer (durability none, the default ring), ns per record. The records go in bursts of
// half the ring and the journal drains between bursts, untimed: the cost the engine thread
// pays while the journal keeps up, as it does in a live session (whose ring high water is
// reported beside). One untimed burst first warms the ring's slots.
Result<double> AppendCostNs(const std::vector<Event>& records, const JournalHeader& header,
                            const fs::path& dir) {
  if (records.empty()) return 0.0;
  JournalHeader h = header;
  h.session_kind = "bench";
  journal::WriterOptions wo;
  wo.durability = journal::Durability::kNone;
  auto w = journal::JournalWriter::Create(dir.string(), h, wo);
  if (!w.ok()) return w.status();
  const size_t burst = wo.queue_capacity / 2;
  Timestamp last = Timestamp::Min();
  auto append = [&](size_t from, size_t n) {
    for (size_t i = from; i < from + n; ++i) {
      last = std::max(last, records[i].ts);
      (void)(*w)->Append(last, records[i].payload);
    }
  };
  append(0, std::min(burst, records.size()));  // warm-up
  TD_RETURN_IF_ERROR((*w)->Flush());
  int64_t ns = 0;
  for (size_t from = 0; from < records.size(); from += burst) {
    const size_t n = std::min(burst, records.size() - from);
    const auto a = Clock::now();
    append(from, n);
    ns += ElapsedNs(a, Clock::now());
    TD_RETURN_IF_ERROR((*w)->Flush());
  }
  TD_RETURN_IF_ERROR((*w)->Close());
  return static_cast<double>(ns) / static_cast<double>(records.size());
}

// Every record a session journals (inputs and the engine's outputs, in order), for the
// producer-side figure of the micro view.
Result<std::vector<Event>> SessionRecords(const InputStream& s) {
  auto made = MakeEngine(s);
  if (!made.ok()) return made.status();
  std::vector<Event> all;
  all.reserve(s.inputs.size() + s.recorded_outputs + 16);
  std::vector<Payload> out;
  (*made)->Start(s.header.created, &out);
  for (Payload& p : out) all.push_back(Event{0, s.header.created, std::move(p)});
  for (const Event& in : s.inputs) {
    all.push_back(in);
    out.clear();
    (*made)->Dispatch(in, &out);
    for (Payload& p : out) all.push_back(Event{0, in.ts, std::move(p)});
  }
  return all;
}

// ---------------------------------------------------------------- the live view

int64_t CpuNs(clockid_t clock) {
  timespec t{};
  ::clock_gettime(clock, &t);
  return int64_t{t.tv_sec} * kNanosPerSecond + t.tv_nsec;
}

// A market for the in-process exchange, generated once and played by every session.
struct LiveMarket {
  std::vector<InstrumentDef> instruments;
  std::vector<Event> records;
};

LiveMarket MakeLiveMarket(uint64_t events, uint64_t seed) {
  marketdata::SyntheticConfig sc;
  sc.duration = Duration::Seconds(7 * 24 * 3600);  // long enough for any --live-events
  replayer::SyntheticMarketSource synth(sc, seed);
  LiveMarket m;
  m.instruments = synth.instruments();
  m.records.reserve(events);
  Event e;
  while (m.records.size() < events && synth.Next(&e)) m.records.push_back(e);
  return m;
}

struct LiveRun {
  uint64_t inputs = 0, market_data = 0, outputs = 0, fills = 0, wire = 0;
  int64_t thread_cpu_ns = 0;   // the engine's thread (the paper runtime's io_context)
  int64_t process_cpu_ns = 0;  // every thread: engine, journal, exchange
  int64_t wall_ns = 0;
  uint64_t journal_records = 0, journal_bytes = 0;
  uint32_t ring_high_water = 0;
  double ns_per_event() const {
    return static_cast<double>(thread_cpu_ns) / static_cast<double>(inputs);
  }
  double process_ns_per_event() const {
    return static_cast<double>(process_cpu_ns) / static_cast<double>(inputs);
  }
};

// One paper session (recorder/paper_runtime.h) on this thread against the in-process exchange
// on its own thread, over loopback TCP, until the market ends. record: as `tapedeck paper`
// journals (into `dir`); otherwise recording off (PaperOptions::record).
Result<LiveRun> RunLiveSession(const LiveMarket& m, const RecordingOptions& o,
                               const std::string& config_text, server::Speed speed, bool record,
                               const fs::path& dir) {
  ExchangeSetup setup;
  setup.source = std::make_unique<replayer::MemoryMarketSource>(m.instruments, m.records);
  setup.speed = speed;
  setup.seed = o.seed;
  setup.md_feed = true;
  // The whole feed may queue up when the exchange runs ahead of the engine: never drop it.
  setup.md_max_queue_bytes = size_t{1} << 30;
  setup.start_when_subscribed = true;
  auto x = InProcessExchange::Start(std::move(setup));
  if (!x.ok()) return x.status();

  recorder::PaperOptions po;
  po.fix_port = (*x)->port();
  po.md_port = (*x)->md_port();
  po.config_text = config_text;
  po.config_origin = kRecCmd;
  po.seed = o.seed;
  po.duration = kLiveSessionLimit;
  po.journal_dir = dir.string();
  po.quiet = true;
  po.record = record;
  po.end_at_market_end = true;
  const int64_t cpu0 = CpuNs(CLOCK_PROCESS_CPUTIME_ID);
  const auto a = Clock::now();
  Result<recorder::PaperSummary> r = recorder::RunPaperSession(po);
  LiveRun run;
  run.wall_ns = ElapsedNs(a, Clock::now());
  run.process_cpu_ns = CpuNs(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
  (*x)->Stop();
  if (!r.ok()) return r.status();
  if (r->end_reason != "market data ended") {
    return Status(StatusCode::kFailedPrecondition,
                  "the live session ended early: " + r->end_reason);
  }
  if (r->md_reconnects != 0 || r->md_gaps != 0 || r->fix_reconnects != 0 ||
      r->journal_dropped != 0 || r->inputs == 0) {
    return Status(StatusCode::kFailedPrecondition,
                  fmt::format("the live session was not clean: {} md reconnects, {} gaps, {} FIX "
                              "reconnects, {} records dropped, {} inputs",
                              r->md_reconnects, r->md_gaps, r->fix_reconnects,
                              r->journal_dropped, r->inputs));
  }
  run.inputs = r->inputs;
  run.market_data = r->market_data;
  run.outputs = r->outputs;
  run.fills = r->fills;
  run.wire = r->wire_in + r->wire_out;
  run.thread_cpu_ns = r->session_thread_cpu_ns;
  run.journal_records = r->journal_records;
  run.journal_bytes = r->journal_stored_bytes;
  run.ring_high_water = r->journal_ring_high_water;
  return run;
}

Result<std::vector<Event>> ReadJournal(const fs::path& dir, JournalHeader* header) {
  auto reader = journal::JournalReader::Open(dir.string());
  if (!reader.ok()) return reader.status();
  *header = (*reader)->header();
  std::vector<Event> all;
  while (const Event* rec = (*reader)->Next()) all.push_back(*rec);
  TD_RETURN_IF_ERROR((*reader)->status());
  return all;
}

struct Spread {
  double median = 0, min = 0, max = 0;
};

Spread SpreadOf(const std::vector<double>& v) {
  return Spread{Median(v), *std::min_element(v.begin(), v.end()),
                *std::max_element(v.begin(), v.end())};
}

nlohmann::ordered_json ToJson(const Spread& s) {
  nlohmann::ordered_json j;
  j["median"] = s.median;
  j["min"] = s.min;
  j["max"] = s.max;
  return j;
}

struct LiveFigures {
  std::vector<double> a_ns, b_ns, paired_pct, a_process_ns, b_process_ns;
  LiveRun last_a, last_b;
  double append_ns = 0;       // producer side, over the live journal's records
  uint64_t append_records = 0;
  double appends_per_event = 0;
  double direct_pct = 0;      // appends_per_event * append_ns / B
};

// Repetitions of the pair (A: recording as `paper` does it, B: recording off), the order of
// the two alternating; one untimed warm-up pair first. The last A journal is kept for the
// producer-side Append figure.
Result<LiveFigures> RunLiveView(const RecordingOptions& o, const fs::path& scratch) {
  Result<server::Speed> speed = server::ParseSpeed(o.live_speed);
  if (!speed.ok()) return speed.status();
  Result<std::string> text = replayer::WithEngineSelection("", o.strategy, "", "(no config)");
  if (!text.ok()) return text.status();
  const LiveMarket market = MakeLiveMarket(o.live_events, o.seed);
  LiveFigures f;
  const fs::path kept = scratch / "live-kept";
  for (int rep = 0; rep <= o.live_runs; ++rep) {
    double a_ns = 0, b_ns = 0;
    for (int k = 0; k < 2; ++k) {
      const bool record = ((rep + k) % 2) == 0;
      const fs::path dir = scratch / fmt::format("live-{}-{}", rep, record ? "a" : "b");
      Result<LiveRun> r = RunLiveSession(market, o, *text, *speed, record, dir);
      if (!r.ok()) return r.status();
      std::error_code ec;
      if (record && rep == o.live_runs) {
        fs::rename(dir, kept, ec);
      } else {
        fs::remove_all(dir, ec);
      }
      fs::remove(recorder::DefaultControlPath(dir.string()), ec);
      if (rep == 0) continue;  // warm-up
      (record ? a_ns : b_ns) = r->ns_per_event();
      (record ? f.a_ns : f.b_ns).push_back(r->ns_per_event());
      (record ? f.a_process_ns : f.b_process_ns).push_back(r->process_ns_per_event());
      (record ? f.last_a : f.last_b) = *r;
    }
    if (rep > 0) f.paired_pct.push_back((a_ns - b_ns) / b_ns * 100.0);
  }
  JournalHeader header;
  Result<std::vector<Event>> records = ReadJournal(kept, &header);
  if (!records.ok()) return records.status();
  Result<double> append = AppendCostNs(*records, header, scratch / "live-append");
  if (!append.ok()) return append.status();
  f.append_ns = *append;
  f.append_records = records->size();
  f.appends_per_event = static_cast<double>(f.last_a.journal_records) /
                        static_cast<double>(f.last_a.inputs);
  f.direct_pct = f.appends_per_event * f.append_ns / Median(f.b_ns) * 100.0;
  return f;
}

struct MicroFigures {
  size_t inputs = 0;
  double engine_ns = 0, boundary_ns = 0, journal_ns = 0;  // medians, ns per input
  std::vector<double> runs_ns[3];
  double close_ms = 0;
  VariantRun journal_run;
  double append_ns = 0;
  uint64_t append_records = 0;
};

// The micro view: the same inputs through Engine::Dispatch alone, the Boundary with recording
// off and the Boundary journaling; one warm-up round, then o.runs rounds, the order rotating.
Result<MicroFigures> RunMicroView(const RecordingOptions& o, const fs::path& scratch) {
  Result<InputStream> stream = MakeInputStream(o, scratch);
  if (!stream.ok()) return stream.status();
  const InputStream& s = *stream;
  if (s.inputs.empty()) return FailedPrecondition("the session had no engine input");
  constexpr Variant kOrder[3] = {Variant::kEngine, Variant::kBoundaryNoJournal,
                                 Variant::kBoundaryJournal};
  MicroFigures f;
  f.inputs = s.inputs.size();
  std::vector<double> close_ms;
  for (int run = 0; run <= o.runs; ++run) {
    for (int k = 0; k < 3; ++k) {
      const int i = (run + k) % 3;
      const fs::path dir = scratch / fmt::format("run-{}-{}", run, i);
      Result<VariantRun> r = RunVariant(s, kOrder[i], dir);
      if (!r.ok()) return r.status();
      std::error_code ec;
      fs::remove_all(dir, ec);
      if (run == 0) continue;
      f.runs_ns[i].push_back(static_cast<double>(r->handle_ns) /
                             static_cast<double>(s.inputs.size()));
      if (kOrder[i] == Variant::kBoundaryJournal) {
        close_ms.push_back(static_cast<double>(r->close_ns) / 1e6);
        f.journal_run = *r;
        if (r->dropped != 0) {
          return FailedPrecondition(fmt::format("the journal dropped {} records", r->dropped));
        }
      }
    }
  }
  f.engine_ns = Median(f.runs_ns[0]);
  f.boundary_ns = Median(f.runs_ns[1]);
  f.journal_ns = Median(f.runs_ns[2]);
  f.close_ms = Median(close_ms);
  Result<std::vector<Event>> records = SessionRecords(s);
  if (!records.ok()) return records.status();
  Result<double> append = AppendCostNs(*records, s.header, scratch / "append");
  if (!append.ok()) return append.status();
  f.append_ns = *append;
  f.append_records = records->size();
  return f;
}

int RunRecording(const RecordingOptions& o) {
  Scratch scratch("tapedeck-bench-recording");
  Result<LiveFigures> live = RunLiveView(o, scratch.path);
  if (!live.ok()) return PrintError(kRecCmd, "live view: " + live.status().ToString()), kExitFailed;
  Result<MicroFigures> micro = RunMicroView(o, scratch.path);
  if (!micro.ok()) {
    return PrintError(kRecCmd, "micro view: " + micro.status().ToString()), kExitFailed;
  }
  const LiveFigures& l = *live;
  const MicroFigures& m = *micro;
  const Spread a = SpreadOf(l.a_ns), b = SpreadOf(l.b_ns), paired = SpreadOf(l.paired_pct);
  const double overhead_pct = (a.median - b.median) / b.median * 100.0;
  const bool within = overhead_pct < 1.0 && l.direct_pct < 1.0;
  const std::string verdict =
      within ? fmt::format("within the DESIGN.md target (< 1 % of event handling time) on the "
                           "live path: measured {:+.2f} %, direct estimate {:.2f} %",
                           overhead_pct, l.direct_pct)
             : fmt::format("ABOVE the DESIGN.md target of 1 % on the live path: measured "
                           "{:+.2f} %, direct estimate {:.2f} %",
                           overhead_pct, l.direct_pct);
  const double micro_overhead_pct = (m.journal_ns - m.engine_ns) / m.engine_ns * 100.0;
  const double micro_records_per_input =
      static_cast<double>(m.journal_run.journaled) / static_cast<double>(m.inputs);
  if (o.json) {
    nlohmann::ordered_json j;
    j["what"] =
        "live path per event (engine inputs dispatched), CPU time of the engine's thread, "
        "paper sessions over loopback TCP against the in-process exchange: A journals as "
        "`tapedeck paper` does, B has recording off";
    j["strategy"] = o.strategy;
    j["seed"] = o.seed;
    j["live_market_events"] = o.live_events;
    j["live_speed"] = o.live_speed;
    j["live_runs"] = o.live_runs;
    j["events_per_session"] = l.last_a.inputs;
    j["market_data_per_session"] = l.last_a.market_data;
    j["outputs_per_session"] = l.last_a.outputs;
    j["fills_per_session"] = l.last_a.fills;
    j["fix_messages_per_session"] = l.last_a.wire;
    j["ns_per_event_recording"] = ToJson(a);
    j["ns_per_event_no_recording"] = ToJson(b);
    j["overhead_pct"] = overhead_pct;
    j["overhead_pct_paired"] = ToJson(paired);
    j["journal_appends_per_event"] = l.appends_per_event;
    j["append_ns_per_record"] = l.append_ns;
    j["append_records"] = l.append_records;
    j["overhead_pct_direct"] = l.direct_pct;
    j["process_cpu_ns_per_event_recording"] = Median(l.a_process_ns);
    j["process_cpu_ns_per_event_no_recording"] = Median(l.b_process_ns);
    j["journal_stored_bytes_per_session"] = l.last_a.journal_bytes;
    j["ring_high_water"] = l.last_a.ring_high_water;
    j["session_wall_ms_recording"] = static_cast<double>(l.last_a.wall_ns) / 1e6;
    j["runs_ns_per_event_recording"] = l.a_ns;
    j["runs_ns_per_event_no_recording"] = l.b_ns;
    j["runs_overhead_pct_paired"] = l.paired_pct;
    j["within_target"] = within;
    j["verdict"] = verdict;
    nlohmann::ordered_json mj;
    mj["what"] =
        "micro view, in process: a simulated session's engine inputs through Engine::Dispatch "
        "alone vs the Boundary journaling to a JournalWriter (no sockets, no decoding)";
    mj["market_events"] = o.events;
    mj["engine_inputs"] = m.inputs;
    mj["engine_outputs"] = m.journal_run.outputs;
    mj["journaled_records"] = m.journal_run.journaled;
    mj["journaled_records_per_input"] = micro_records_per_input;
    mj["runs"] = o.runs;
    mj["handle_ns_per_input_engine"] = m.engine_ns;
    mj["handle_ns_per_input_boundary_no_journal"] = m.boundary_ns;
    mj["handle_ns_per_input_boundary_journal"] = m.journal_ns;
    mj["overhead_pct_vs_dispatch"] = micro_overhead_pct;
    mj["overhead_pct_journal_only"] = (m.journal_ns - m.boundary_ns) / m.engine_ns * 100.0;
    mj["append_ns_per_record"] = m.append_ns;
    mj["append_records"] = m.append_records;
    mj["writer_close_ms_median"] = m.close_ms;
    mj["journal_stored_bytes"] = m.journal_run.stored_bytes;
    mj["ring_high_water"] = m.journal_run.queue_high_water;
    mj["runs_ns_per_input_engine"] = m.runs_ns[0];
    mj["runs_ns_per_input_boundary_no_journal"] = m.runs_ns[1];
    mj["runs_ns_per_input_boundary_journal"] = m.runs_ns[2];
    j["micro"] = mj;
    PrintJson(j);
    return kExitOk;
  }
  fmt::print("recording overhead, live path: {} over {} synthetic market events at speed {} "
             "(seed {}), {} interleaved pairs of paper sessions over loopback TCP\n",
             o.strategy, o.live_events, o.live_speed, o.seed, o.live_runs);
  fmt::print("  per session: {} events handled ({} market data), {} outputs, {} fills, "
             "{} FIX messages, {} journal records\n",
             l.last_a.inputs, l.last_a.market_data, l.last_a.outputs, l.last_a.fills,
             l.last_a.wire, l.last_a.journal_records);
  const char* row = "  {:28} {:8.1f} ns/event  (min {:.1f}, max {:.1f})\n";
  fmt::print(fmt::runtime(row), "A: recording (as paper)", a.median, a.min, a.max);
  fmt::print(fmt::runtime(row), "B: recording off", b.median, b.min, b.max);
  fmt::print("  overhead (A-B)/B             {:+8.2f} %    (paired per repetition: median {:+.2f}, "
             "min {:+.2f}, max {:+.2f})\n",
             overhead_pct, paired.median, paired.min, paired.max);
  fmt::print("  direct estimate              {:8.2f} %    ({:.2f} appends/event x {:.1f} ns / "
             "{:.1f} ns)\n",
             l.direct_pct, l.appends_per_event, l.append_ns, b.median);
  fmt::print("  whole process CPU/event      {:8.1f} ns with recording, {:.1f} without "
             "(exchange and journal threads included)\n",
             Median(l.a_process_ns), Median(l.b_process_ns));
  fmt::print("  {}\n", verdict);
  fmt::print("micro view, in process ({} market events, {} engine inputs, median of {} runs)\n",
             o.events, m.inputs, o.runs);
  fmt::print("  Engine::Dispatch alone  {:8.1f} ns/input\n", m.engine_ns);
  fmt::print("  boundary, no journal    {:8.1f} ns/input\n", m.boundary_ns);
  fmt::print("  boundary + journal      {:8.1f} ns/input   {:+.1f} % vs Dispatch alone\n",
             m.journal_ns, micro_overhead_pct);
  fmt::print("  JournalWriter::Append   {:8.1f} ns/record (producer side, {} records)\n",
             m.append_ns, m.append_records);
  return kExitOk;
}

// ================================================================ bench fix-roundtrip

constexpr const char* kRtCmd = "bench fix-roundtrip";
constexpr uint64_t kMaxOrders = 10'000'000;
constexpr size_t kReadChunkBytes = 64 * 1024;
constexpr auto kReplyTimeout = std::chrono::seconds(10);

struct RoundtripOptions {
  uint64_t orders = 10'000;
  uint64_t warmup = 1'000;
  std::string speed = "1";
  uint64_t seed = 1;
  bool json = false;
};

Timestamp UtcNow() {
  return Timestamp{std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count()};
}

// A FIX initiator over a blocking socket: one request outstanding at a time.
class BlockingClient final : public fix::SessionHost {
 public:
  explicit BlockingClient(const std::vector<InstrumentDef>& instruments)
      : socket_(io_), codec_(instruments) {
    fix::SessionConfig sc;
    sc.role = fix::Role::kInitiator;
    sc.sender_comp_id = "BENCH";
    sc.target_comp_id = "TAPEDECK";
    sc.heartbeat_interval_s = 30;
    sc.reset_on_logon = true;
    session_ = std::make_unique<fix::Session>(sc, *this, store_);
  }

  Status Connect(uint16_t port) {
    boost::system::error_code ec;
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    if (ec) return Status(StatusCode::kUnavailable, "connect 127.0.0.1:" + std::to_string(port) +
                                                         ": " + ec.message());
    socket_.set_option(boost::asio::ip::tcp::no_delay(true), ec);
    session_->OnConnected(UtcNow());
    while (!session_->logged_on()) TD_RETURN_IF_ERROR(ReadSome());
    return Status::Ok();
  }

  // Sends `command` and reads until a decoded reply satisfies `done`; the reply's arrival
  // time goes to *received.
  template <typename Done>
  Status Request(const Payload& command, Done done, Clock::time_point* sent,
                 Clock::time_point* received) {
    TD_RETURN_IF_ERROR(codec_.Encode(command, UtcNow(), &out_msg_));
    replies_.clear();
    *sent = Clock::now();
    TD_RETURN_IF_ERROR(session_->Send(UtcNow(), out_msg_));
    TD_RETURN_IF_ERROR(write_status_);
    ++app_out_;
    const auto deadline = Clock::now() + kReplyTimeout;
    for (;;) {
      for (const Payload& p : replies_) {
        if (done(p)) {
          *received = reply_at_;
          return Status::Ok();
        }
        if (const auto* rej = std::get_if<OrderReject>(&p)) {
          return Status(StatusCode::kFailedPrecondition, "order rejected: " + rej->text);
        }
        if (const auto* rej = std::get_if<CancelReject>(&p)) {
          return Status(StatusCode::kFailedPrecondition, "cancel rejected: " + rej->text);
        }
      }
      replies_.clear();
      if (Clock::now() > deadline) {
        return Status(StatusCode::kUnavailable, "no reply within 10 s");
      }
      TD_RETURN_IF_ERROR(ReadSome());
    }
  }

  void Close() {
    if (session_->logged_on()) session_->Logout(UtcNow(), "bench done");
    boost::system::error_code ec;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }
  uint64_t app_in() const { return app_in_; }
  uint64_t app_out() const { return app_out_; }

  // ---- fix::SessionHost
  void SendBytes(std::string_view bytes) override {
    boost::system::error_code ec;
    boost::asio::write(socket_, boost::asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec && write_status_.ok()) {
      write_status_ = Status(StatusCode::kUnavailable, "write: " + ec.message());
    }
  }
  void Disconnect(std::string_view reason) override { disconnected_.assign(reason); }
  void OnAppMessage(const fix::Message& msg) override {
    ++app_in_;
    reply_at_ = Clock::now();
    if (Status s = codec_.Decode(msg, &replies_); !s.ok() && decode_status_.ok()) {
      decode_status_ = s;
    }
  }

 private:
  Status ReadSome() {
    boost::system::error_code ec;
    const size_t n = socket_.read_some(boost::asio::buffer(buf_), ec);
    if (ec) return Status(StatusCode::kUnavailable, "read: " + ec.message());
    session_->OnBytes(UtcNow(), std::string_view(buf_.data(), n));
    session_->OnTimer(UtcNow());
    TD_RETURN_IF_ERROR(decode_status_);
    if (!disconnected_.empty()) {
      return Status(StatusCode::kUnavailable, "the session ended: " + disconnected_);
    }
    return Status::Ok();
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  std::array<char, kReadChunkBytes> buf_{};
  fix::MemoryMessageStore store_;
  std::unique_ptr<fix::Session> session_;
  fix::ClientOrderEntry codec_;
  fix::OutMessage out_msg_;
  std::vector<Payload> replies_;
  Clock::time_point reply_at_;
  Status write_status_, decode_status_;
  std::string disconnected_;
  uint64_t app_in_ = 0, app_out_ = 0;
};

struct Percentiles {
  double p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;
};

Percentiles Summarize(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  auto at = [&](double q) {
    const size_t i = static_cast<size_t>(std::ceil(q * static_cast<double>(us.size()))) - 1;
    return us[std::min(i, us.size() - 1)];
  };
  Percentiles p;
  p.p50 = at(0.50);
  p.p90 = at(0.90);
  p.p99 = at(0.99);
  p.max = us.back();
  double sum = 0;
  for (double v : us) sum += v;
  p.mean = sum / static_cast<double>(us.size());
  return p;
}

nlohmann::ordered_json ToJson(const Percentiles& p) {
  nlohmann::ordered_json j;
  j["p50_us"] = p.p50;
  j["p90_us"] = p.p90;
  j["p99_us"] = p.p99;
  j["max_us"] = p.max;
  j["mean_us"] = p.mean;
  return j;
}

int RunRoundtrip(const RoundtripOptions& o) {
  Result<server::Speed> speed = server::ParseSpeed(o.speed);
  if (!speed.ok()) return PrintError(kRtCmd, speed.status().ToString()), kExitFailed;
  marketdata::SyntheticConfig sc;
  sc.duration = Duration::Seconds(24 * 3600);
  ExchangeSetup setup;
  setup.source = std::make_unique<replayer::SyntheticMarketSource>(sc, o.seed);
  setup.speed = *speed;
  setup.seed = o.seed;
  auto exchange = InProcessExchange::Start(std::move(setup));
  if (!exchange.ok()) return PrintError(kRtCmd, exchange.status().ToString()), kExitFailed;
  const std::vector<InstrumentDef> instruments = (*exchange)->instruments();
  if (instruments.empty()) return PrintError(kRtCmd, "no instrument"), kExitFailed;
  const InstrumentDef& inst = instruments.front();

  BlockingClient client(instruments);
  if (Status s = client.Connect((*exchange)->port()); !s.ok()) {
    return PrintError(kRtCmd, s.ToString()), kExitFailed;
  }
  // Far below the market (the synthetic SYN1 starts at $100.00): half the start price.
  NewOrder order;
  order.instrument = inst.id;
  order.side = Side::kBuy;
  order.type = OrdType::kLimit;
  order.tif = TimeInForce::kDay;
  order.price = Price{inst.tick_size.raw * 5'000};
  order.qty = inst.lot_size.raw > 0 ? inst.lot_size : Qty{100};
  if (order.qty < inst.min_qty) order.qty = inst.min_qty;

  std::vector<double> new_us, cancel_us;
  new_us.reserve(o.orders);
  cancel_us.reserve(o.orders);
  ClOrdId next_id = 1;
  Clock::time_point measured_from;
  uint64_t in_before = 0, out_before = 0;
  for (uint64_t i = 0; i < o.warmup + o.orders; ++i) {
    if (i == o.warmup) {
      measured_from = Clock::now();
      in_before = client.app_in();
      out_before = client.app_out();
    }
    order.cl_ord_id = next_id++;
    const ClOrdId id = order.cl_ord_id;
    Clock::time_point sent, got;
    Status s = client.Request(
        order,
        [id](const Payload& p) {
          const auto* ack = std::get_if<OrderAck>(&p);
          return ack != nullptr && ack->cl_ord_id == id;
        },
        &sent, &got);
    if (!s.ok()) {
      return PrintError(kRtCmd, fmt::format("order {}: {}", id, s.ToString())), kExitFailed;
    }
    const double new_rt = static_cast<double>(ElapsedNs(sent, got)) / 1e3;
    CancelOrder cancel{next_id++, id, inst.id};
    s = client.Request(
        cancel,
        [id](const Payload& p) {
          const auto* ack = std::get_if<CancelAck>(&p);
          return ack != nullptr && ack->orig_cl_ord_id == id;
        },
        &sent, &got);
    if (!s.ok()) {
      return PrintError(kRtCmd, fmt::format("cancel of {}: {}", id, s.ToString())), kExitFailed;
    }
    if (i < o.warmup) continue;
    new_us.push_back(new_rt);
    cancel_us.push_back(static_cast<double>(ElapsedNs(sent, got)) / 1e3);
  }
  const double elapsed_s =
      static_cast<double>(ElapsedNs(measured_from, Clock::now())) / 1e9;
  const uint64_t messages = (client.app_in() - in_before) + (client.app_out() - out_before);
  client.Close();
  (*exchange)->Stop();

  const Percentiles pn = Summarize(new_us), pc = Summarize(cancel_us);
  const double round_trips_per_s = static_cast<double>(2 * o.orders) / elapsed_s;
  const double messages_per_s = static_cast<double>(messages) / elapsed_s;
  if (o.json) {
    nlohmann::ordered_json j;
    j["transport"] = "FIX 4.4 over loopback TCP (127.0.0.1, TCP_NODELAY), one process, 2 threads";
    j["market"] = fmt::format("synthetic seed {}, speed {}", o.seed, o.speed);
    j["scenario"] = "default: zero latency, no rate limit, no faults";
    j["orders"] = o.orders;
    j["warmup_orders"] = o.warmup;
    j["new_order_to_ack"] = ToJson(pn);
    j["cancel_to_ack"] = ToJson(pc);
    j["seconds"] = elapsed_s;
    j["round_trips_per_s"] = std::round(round_trips_per_s);
    j["app_messages"] = messages;
    j["app_messages_per_s"] = std::round(messages_per_s);
    j["outstanding"] = 1;
    PrintJson(j);
    return kExitOk;
  }
  fmt::print("FIX round trip over loopback TCP: {} orders (+{} warm-up), one outstanding, "
             "synthetic market at speed {}\n",
             o.orders, o.warmup, o.speed);
  const char* row = "  {:30} p50 {:7.1f} us  p90 {:7.1f}  p99 {:7.1f}  max {:8.1f}\n";
  fmt::print(fmt::runtime(row), "NewOrderSingle -> ER New", pn.p50, pn.p90, pn.p99, pn.max);
  fmt::print(fmt::runtime(row), "OrderCancelRequest -> ER Cxl", pc.p50, pc.p90, pc.p99, pc.max);
  fmt::print("  {:.0f} round trips/s, {:.0f} application messages/s (in + out, sequential)\n",
             round_trips_per_s, messages_per_s);
  return kExitOk;
}

}  // namespace

void RegisterLiveBenchCommands(CLI::App& app, int* exit_code) {
  CLI::App* bench = Group(app, "bench", "Measure throughput and latency");

  CLI::App* rec = bench->add_subcommand(
      "recording",
      "Recording overhead on a live engine: paper sessions over loopback TCP with and without "
      "recording (engine-thread CPU per event), and the in-process micro view");
  auto ro = std::make_shared<RecordingOptions>();
  rec->add_option("--events", ro->events, "Micro view: synthetic market events of the session")
      ->check(CLI::Range(uint64_t{1'000}, kMaxRecordingEvents));
  rec->add_option("--strategy", ro->strategy, "market-maker, momentum, twap");
  rec->add_option("--seed", ro->seed, "Market and session seed");
  rec->add_option("--runs", ro->runs,
                  "Micro view: timed runs of each variant (the median is reported)")
      ->check(CLI::Range(1, 100));
  rec->add_option("--live-events", ro->live_events,
                  "Live view: synthetic market events the exchange plays per session")
      ->check(CLI::Range(uint64_t{1'000}, kMaxLiveEvents));
  rec->add_option("--live-runs", ro->live_runs,
                  "Live view: repetitions of the pair recording / recording off")
      ->check(CLI::Range(1, 100));
  rec->add_option("--live-speed", ro->live_speed,
                  "Live view: market speed of the exchange: max (default), or 1, 10, ...");
  rec->add_flag("--json", ro->json, "One JSON object on stdout");
  rec->callback([ro, exit_code] { *exit_code = RunRecording(*ro); });

  CLI::App* rt = bench->add_subcommand(
      "fix-roundtrip",
      "FIX order round-trip latency over loopback TCP against the in-process simulated "
      "exchange: NewOrderSingle -> ER New, cancel -> ER Canceled");
  auto to = std::make_shared<RoundtripOptions>();
  rt->add_option("--orders", to->orders, "Measured orders (each also canceled)")
      ->check(CLI::Range(uint64_t{1}, kMaxOrders));
  rt->add_option("--warmup", to->warmup, "Orders sent first, not measured")
      ->check(CLI::Range(uint64_t{0}, kMaxOrders));
  rt->add_option("--speed", to->speed, "Synthetic market speed: 1 (default), 10, max");
  rt->add_option("--seed", to->seed, "Market and venue seed");
  rt->add_flag("--json", to->json, "One JSON object on stdout");
  rt->callback([to, exit_code] { *exit_code = RunRoundtrip(*to); });
}

}  // namespace td::tools
