#include "tests/journal/test_util.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace td::journal::testing {

std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = ::testing::TempDir() + "/" + prefix + "-XXXXXX";
  char* made = ::mkdtemp(tmpl.data());
  EXPECT_NE(made, nullptr);
  return tmpl;
}

void RemoveTree(const std::string& path) { std::filesystem::remove_all(path); }

void CopyTree(const std::string& from, const std::string& to) {
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

namespace {
uint64_t Mix(uint64_t x) {  // SplitMix64 finaliser: a cheap, stable hash of seq
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

Payload PayloadFor(uint64_t seq) {
  const uint64_t r = Mix(seq);
  const Price px{static_cast<int64_t>(585'000'000'000 + (r % 200) * 10'000'000)};
  const Qty qty{static_cast<int64_t>(1 + (r >> 8) % 500)};
  const Side side = (r & 1) ? Side::kBuy : Side::kSell;
  switch (r % 64) {
    case 0: return Fill{seq, seq * 3, seq * 7, 1, side, px, qty, qty, Qty{0}, Liquidity::kMaker,
                        Money{-1234}, Timestamp{static_cast<int64_t>(seq)}};
    case 1: return WireMessage{2, WireDirection::kOutbound,
                               std::string("8=FIX.4.4\x01" "9=5\x01" "35=0\x01\0tail", 24)};
    case 2: return L2Snapshot{1, seq, {{px, qty}, {Price{px.raw - 1}, qty}}, {{px, qty}},
                              Timestamp{1}, Timestamp{2}};
    case 3: return Annotation{"note for seq " + std::to_string(seq)};
    case 4: return OrderReject{seq, 1, RejectReason::kPriceBand, "outside the price band"};
    case 5: return Checkpoint{seq, seq / 2, r};
    case 6: return Trade{1, px, qty, side, seq, Timestamp{3}, Timestamp{4}};
    case 7: return NewOrder{seq, 1, side, OrdType::kLimit, TimeInForce::kGtc, px, Price{0}, qty,
                            Qty{0}, false};
    default: {
      L3Order o;
      o.instrument = 1 + static_cast<InstrumentId>(r % 3);
      o.action = static_cast<L3Action>(1 + (r >> 16) % 6);
      o.side = side;
      o.order_id = 16'000'000 + seq;
      o.price = px;
      o.qty = qty;
      o.exchange_ts = TimeFor(seq);
      o.receive_ts = Timestamp{TimeFor(seq).ns + 1500};
      return o;
    }
  }
}

Timestamp TimeFor(uint64_t seq) {
  // 09:30 on 2012-06-21 plus ~1 us a record, three records sharing each time, a 2 s gap
  // every 10000 records.
  const int64_t base = 1'340'285'400'000'000'000;
  return Timestamp{base + static_cast<int64_t>(seq / 3) * 1'000 +
                   static_cast<int64_t>(seq / 10'000) * 2'000'000'000};
}

Event EventFor(uint64_t seq) { return Event{seq, TimeFor(seq), PayloadFor(seq)}; }

JournalHeader TestHeader() {
  JournalHeader h;
  h.engine_name = "journal-test";
  h.engine_build_id = "test";
  h.config_text = "[test]\nvalue = 1\n";
  h.seed = 42;
  h.session_kind = "test";
  InstrumentDef aapl;
  aapl.id = 1;
  aapl.symbol = "AAPL";
  aapl.venue = "NASDAQ";
  aapl.asset_class = AssetClass::kEquity;
  aapl.currency = "USD";
  aapl.tick_size = Price{10'000'000};
  aapl.lot_size = Qty{1};
  h.instruments.push_back(aapl);
  return h;
}

void WriteJournal(const std::string& dir, uint64_t n, WriterOptions options) {
  auto w = JournalWriter::Create(dir, TestHeader(), options);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  for (uint64_t seq = 1; seq <= n; ++seq) {
    const Event e = EventFor(seq);
    ASSERT_EQ((*w)->Append(e.ts, e.payload), seq);
  }
  Status s = (*w)->Close();
  ASSERT_TRUE(s.ok()) << s.ToString();
}

std::vector<Event> ReadAll(const std::string& dir, Status* status, bool skip_corrupt) {
  ReaderOptions opts;
  opts.skip_corrupt = skip_corrupt;
  auto r = JournalReader::Open(dir, opts);
  if (!r.ok()) {
    *status = r.status();
    return {};
  }
  std::vector<Event> out;
  while (const Event* e = (*r)->Next()) out.push_back(*e);
  *status = (*r)->status();
  return out;
}

std::vector<uint8_t> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void WriteBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace td::journal::testing
