#include "tools/commands.h"

#include <fmt/format.h>
#include <x86intrin.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "journal/reader.h"
#include "tools/cli_common.h"
#include "journal/writer.h"
#include "marketdata/synthetic.h"

namespace td::tools {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// TSC ticks per nanosecond, measured against the steady clock: per-event latency is taken
// with rdtsc because a clock call per event would cost as much as the append itself.
double TscPerNs() {
  const auto t0 = Clock::now();
  const uint64_t c0 = __rdtsc();
  while (Clock::now() - t0 < std::chrono::milliseconds(50)) {
  }
  const uint64_t c1 = __rdtsc();
  return static_cast<double>(c1 - c0) /
         static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
}

// The benchmark's records: the synthetic market (marketdata/synthetic.h) on four instruments,
// L3 order events and trades of about 64 bytes each, unbounded in time so that any N fits.
std::unique_ptr<marketdata::SyntheticMarket> BenchMarket() {
  marketdata::SyntheticConfig config;
  config.instruments = 4;
  config.duration = Duration::Seconds(1'000'000);
  return std::make_unique<marketdata::SyntheticMarket>(config, 7);
}

JournalHeader BenchHeader(const marketdata::SyntheticMarket& market) {
  JournalHeader h;
  h.engine_name = "tapedeck-bench";
  h.engine_build_id = "bench";
  h.session_kind = "bench";
  h.seed = 7;
  h.instruments = market.instruments();
  return h;
}

struct BenchResult {
  uint64_t events = 0;
  double append_events_per_s = 0, write_events_per_s = 0, read_events_per_s = 0;
  double compression_ratio = 0, bytes_per_event = 0;
  double append_ns_p50 = 0, append_ns_p99 = 0, append_ns_p999 = 0, append_ns_max = 0;
  journal::WriterStats write_stats;
};

// Sustained: append every event as fast as the journal thread can take them (the queue
// blocks when full), until Close() has written, compressed and synced everything.
Status MeasureWrite(const std::string& dir, uint64_t n, BenchResult* out) {
  journal::WriterOptions opts;
  std::unique_ptr<marketdata::SyntheticMarket> market = BenchMarket();
  auto w = journal::JournalWriter::Create(dir, BenchHeader(*market), opts);
  if (!w.ok()) return w.status();
  Event e;
  const auto t0 = Clock::now();
  for (uint64_t i = 0; i < n && market->Next(&e); ++i) (*w)->Append(e.ts, e.payload);
  TD_RETURN_IF_ERROR((*w)->Close());
  out->write_events_per_s = static_cast<double>(n) / Seconds(Clock::now() - t0);
  out->write_stats = (*w)->stats();
  out->compression_ratio = static_cast<double>(out->write_stats.raw_bytes) /
                           static_cast<double>(out->write_stats.stored_bytes);
  out->bytes_per_event =
      static_cast<double>(out->write_stats.stored_bytes) / static_cast<double>(n);
  return Status::Ok();
}

// Hot path: what the engine thread pays per event while the journal keeps up. Events go in
// bursts that fit the queue; between bursts the journal drains (not timed). Even bursts are
// timed as a whole (rate), odd bursts event by event (latency).
Status MeasureAppend(const std::string& dir, uint64_t n, BenchResult* out) {
  journal::WriterOptions opts;
  opts.queue_capacity = 1u << 20;
  // At least four bursts, so that a small run still has timed and latency rounds.
  const uint64_t burst = std::max<uint64_t>(1, std::min<uint64_t>(opts.queue_capacity / 2, n / 4));
  std::unique_ptr<marketdata::SyntheticMarket> market = BenchMarket();
  auto w = journal::JournalWriter::Create(dir, BenchHeader(*market), opts);
  if (!w.ok()) return w.status();
  std::vector<Event> pending(burst);
  std::vector<uint32_t> ticks;
  ticks.reserve(n / 2 + burst);
  double timed_s = 0;
  uint64_t timed_events = 0;
  for (uint64_t done = 0, round = 0; done < n; ++round) {
    const uint64_t k = std::min(burst, n - done);
    for (uint64_t i = 0; i < k; ++i) market->Next(&pending[i]);
    if (round % 2 == 0) {
      const auto t0 = Clock::now();
      for (uint64_t i = 0; i < k; ++i) (*w)->Append(pending[i].ts, pending[i].payload);
      timed_s += Seconds(Clock::now() - t0);
      timed_events += k;
    } else {
      for (uint64_t i = 0; i < k; ++i) {
        const uint64_t c0 = __rdtsc();
        (*w)->Append(pending[i].ts, pending[i].payload);
        ticks.push_back(static_cast<uint32_t>(std::min<uint64_t>(__rdtsc() - c0, UINT32_MAX)));
      }
    }
    done += k;
    TD_RETURN_IF_ERROR((*w)->Flush());
  }
  TD_RETURN_IF_ERROR((*w)->Close());
  out->append_events_per_s = static_cast<double>(timed_events) / timed_s;
  if (!ticks.empty()) {
    std::sort(ticks.begin(), ticks.end());
    const double per_ns = TscPerNs();
    auto pct = [&](double q) {
      return ticks[std::min(ticks.size() - 1, static_cast<size_t>(q * ticks.size()))] / per_ns;
    };
    out->append_ns_p50 = pct(0.5);
    out->append_ns_p99 = pct(0.99);
    out->append_ns_p999 = pct(0.999);
    out->append_ns_max = ticks.back() / per_ns;
  }
  return Status::Ok();
}

// Read + decode: every record of the sustained run's journal, every field touched.
Status MeasureRead(const std::string& dir, uint64_t n, BenchResult* out) {
  const auto t0 = Clock::now();
  auto r = journal::JournalReader::Open(dir);
  if (!r.ok()) return r.status();
  uint64_t count = 0;
  volatile int64_t sink = 0;  // the fields are really read
  while (const Event* e = (*r)->Next()) {
    if (const auto* o = std::get_if<L3Order>(&e->payload)) sink = sink + o->price.raw + o->qty.raw;
    ++count;
  }
  TD_RETURN_IF_ERROR((*r)->status());
  const double s = Seconds(Clock::now() - t0);
  if (count != n) {
    return Corruption("read back " + std::to_string(count) + " records, wrote " +
                      std::to_string(n));
  }
  out->read_events_per_s = static_cast<double>(n) / s;
  return Status::Ok();
}

void PrintResult(const BenchResult& r, const std::string& dir, bool json) {
  if (json) {
    fmt::print(
        "{{\"events\": {}, \"append_events_per_s\": {:.0f}, \"write_events_per_s\": {:.0f}, "
        "\"read_events_per_s\": {:.0f}, \"compression_ratio\": {:.2f}, "
        "\"bytes_per_event_on_disk\": {:.2f}, \"append_ns_p50\": {:.1f}, "
        "\"append_ns_p99\": {:.1f}, \"append_ns_p999\": {:.1f}, \"append_ns_max\": {:.0f}, "
        "\"blocks\": {}, \"segments\": {}, \"dropped\": {}, \"journal\": \"{}\"}}\n",
        r.events, r.append_events_per_s, r.write_events_per_s, r.read_events_per_s,
        r.compression_ratio, r.bytes_per_event, r.append_ns_p50, r.append_ns_p99,
        r.append_ns_p999, r.append_ns_max, r.write_stats.blocks_written, r.write_stats.segments,
        r.write_stats.dropped, dir);
    return;
  }
  fmt::print("journal benchmark, {} synthetic L3 order and trade records\n", r.events);
  fmt::print("  append (hot path)    {:>8.2f} M events/s   p50 {:.0f} ns  p99.9 {:.0f} ns\n",
             r.append_events_per_s / 1e6, r.append_ns_p50, r.append_ns_p999);
  fmt::print("  write (LZ4, on disk) {:>8.2f} M events/s   {:.1f} bytes/event, ratio {:.2f}\n",
             r.write_events_per_s / 1e6, r.bytes_per_event, r.compression_ratio);
  fmt::print("  read + decode        {:>8.2f} M events/s\n", r.read_events_per_s / 1e6);
  fmt::print("  journal: {}\n", dir);
}

int RunJournalBench(uint64_t n, const std::string& keep, bool json) {
  namespace fs = std::filesystem;
  const fs::path scratch = fs::temp_directory_path() / ("tapedeck-bench-" + std::to_string(::getpid()));
  const std::string kept = keep.empty() ? (scratch / "sustained").string() : keep;
  if (!keep.empty() && fs::exists(keep) && !fs::is_empty(keep)) {
    fmt::print(stderr, "tapedeck bench journal: --keep {}: directory exists and is not empty\n", keep);
    return 2;
  }
  fs::create_directories(scratch);
  BenchResult r;
  r.events = n;
  Status s = MeasureWrite(kept, n, &r);
  if (s.ok()) s = MeasureRead(kept, n, &r);
  if (s.ok()) s = MeasureAppend((scratch / "hot").string(), n, &r);
  fs::remove_all(scratch);
  if (!s.ok()) {
    fmt::print(stderr, "tapedeck bench journal: {}\n", s.ToString());
    return 1;
  }
  PrintResult(r, keep.empty() ? "(removed)" : keep, json);
  return 0;
}

}  // namespace

void RegisterBenchCommands(CLI::App& app, int* exit_code) {
  CLI::App* bench = Group(app, "bench", "Measure throughput and latency");
  CLI::App* j = bench->add_subcommand(
      "journal",
      "Write N synthetic ~64-byte market-data records through the real journal writer and read "
      "them back; prints append (hot path), sustained write and read rates, compression and "
      "append latency percentiles");
  struct Opts {
    uint64_t events = 5'000'000;
    std::string keep;
    bool json = false;
  };
  auto opts = std::make_shared<Opts>();
  j->add_option("--events", opts->events, "Number of records")->check(CLI::Range(1ull, 1ull << 32));
  j->add_option("--keep", opts->keep, "Leave the sustained-write journal in this directory");
  j->add_flag("--json", opts->json, "One JSON object on stdout");
  j->callback([opts, exit_code] { *exit_code = RunJournalBench(opts->events, opts->keep, opts->json); });
}

}  // namespace td::tools
