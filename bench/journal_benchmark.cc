// Google Benchmark figures for the journal's parts: the hot-path append, block encoding,
// sealing (LZ4 + checksum + chain) and opening (checksum + decompress + decode) of a ~64 KiB
// block of ~64-byte L3 records. `tapedeck bench journal` measures the whole pipeline.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "journal/block.h"
#include "journal/writer.h"
#include "marketdata/synthetic.h"
#include "schema/codec.h"

namespace td::journal {
namespace {

std::vector<Event> MakeEvents(size_t n) {
  marketdata::SyntheticConfig config;
  config.instruments = 4;
  config.duration = Duration::Seconds(1'000'000);
  marketdata::SyntheticMarket market(config, 3);
  std::vector<Event> events(n);
  for (size_t i = 0; i < n; ++i) {
    TD_CHECK(market.Next(&events[i]));
    events[i].seq = i + 1;
  }
  return events;
}

constexpr size_t kBlockRecords = 800;  // ~64 KiB encoded

void BM_JournalAppend(benchmark::State& state) {
  const std::string dir = std::filesystem::temp_directory_path() / "td-bench-append";
  std::filesystem::remove_all(dir);
  WriterOptions opts;
  opts.queue_capacity = 1u << 20;
  auto w = JournalWriter::Create(dir, JournalHeader{}, opts);
  const std::vector<Event> events = MakeEvents(1 << 16);
  size_t i = 0, since_flush = 0;
  for (auto _ : state) {
    const Event& e = events[i++ & 0xffff];
    benchmark::DoNotOptimize((*w)->Append(Timestamp{static_cast<int64_t>(i)}, e.payload));
    if (++since_flush == opts.queue_capacity / 2) {  // let the journal drain, untimed
      state.PauseTiming();
      (void)(*w)->Flush();
      since_flush = 0;
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  (void)(*w)->Close();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_JournalAppend);

void BM_BlockEncode(benchmark::State& state) {
  const std::vector<Event> events = MakeEvents(kBlockRecords);
  schema::BlockEncoder enc(schema::BlockLayout::kColumns);  // the layout the writer writes
  const schema::KindCounts counts = schema::CountKinds(events);
  for (auto _ : state) {
    enc.Begin(counts);
    for (const Event& e : events) enc.Add(e);
    benchmark::DoNotOptimize(enc.Finish().data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBlockRecords));
}
BENCHMARK(BM_BlockEncode);

std::vector<uint8_t> SealedBlock(const std::vector<Event>& events, size_t* raw_bytes) {
  schema::BlockEncoder enc(schema::BlockLayout::kColumns);
  enc.Begin(schema::CountKinds(events));
  for (const Event& e : events) enc.Add(e);
  std::span<const uint8_t> raw = enc.Finish();
  *raw_bytes = raw.size();
  std::vector<uint8_t> out(SealedBytesMax(raw.size()));
  SealInput in{
      raw, static_cast<uint32_t>(events.size()), 1, events.front().ts.ns, events.back().ts.ns, 0,
      true};
  out.resize(kBlockHeaderBytes + SealBlock(in, out).stored_bytes);
  return out;
}

void BM_BlockSealLz4(benchmark::State& state) {
  const std::vector<Event> events = MakeEvents(kBlockRecords);
  schema::BlockEncoder enc(schema::BlockLayout::kColumns);
  enc.Begin(schema::CountKinds(events));
  for (const Event& e : events) enc.Add(e);
  const std::span<const uint8_t> raw_span = enc.Finish();
  const std::vector<uint8_t> raw(raw_span.begin(), raw_span.end());
  std::vector<uint8_t> out(SealedBytesMax(raw.size()));
  for (auto _ : state) {
    SealInput in{raw, kBlockRecords, 1, events.front().ts.ns, events.back().ts.ns, 0, true};
    benchmark::DoNotOptimize(SealBlock(in, out));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBlockRecords));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * raw.size()));
}
BENCHMARK(BM_BlockSealLz4);

void BM_BlockOpen(benchmark::State& state) {
  size_t raw_bytes = 0;
  const std::vector<uint8_t> block = SealedBlock(MakeEvents(kBlockRecords), &raw_bytes);
  std::vector<uint64_t> scratch;
  std::vector<Event> events;
  for (auto _ : state) {
    BlockCheck check = CheckBlock(block);
    benchmark::DoNotOptimize(OpenBlock(check.view, &scratch, &events).ok());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBlockRecords));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * raw_bytes));
}
BENCHMARK(BM_BlockOpen);

}  // namespace
}  // namespace td::journal

BENCHMARK_MAIN();
