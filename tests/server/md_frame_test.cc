// The market-data feed's framing (sim-exchange/server/md_frame.h): every frame type round
// trips, any split of the byte stream decodes to the same frames, and bad input (lengths,
// types, payloads, protocol order, random garbage) gets a clear error naming the stream
// offset, never a crash.
#include "sim-exchange/server/md_frame.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/rng.h"
#include "schema/codec.h"

namespace td::server {
namespace {

InstrumentDef Instrument(InstrumentId id, std::string symbol) {
  InstrumentDef d;
  d.id = id;
  d.symbol = std::move(symbol);
  d.venue = "SIM";
  d.asset_class = AssetClass::kEquity;
  d.currency = "USD";
  d.tick_size = Price{10'000'000};
  d.qty_decimals = 0;
  d.lot_size = Qty{1};
  d.min_qty = Qty{1};
  return d;
}

MdHello Hello(SeqNo next_seq = 1, uint32_t snapshots = 0) {
  MdHello h;
  h.next_seq = next_seq;
  h.snapshot_count = snapshots;
  h.header.format_version = kMdFormatVersion;
  h.header.session_kind = std::string(kMdSessionKind);
  h.header.created = Timestamp{1'704'205'800'000'000'000};
  h.header.seed = 7;
  h.header.instruments = {Instrument(1, "SYN1"), Instrument(2, "SYN2")};
  return h;
}

std::vector<Event> MarketEvents() {
  const Timestamp t{1'704'205'800'000'000'000};
  std::vector<Event> out;
  out.push_back(Event{
      0, t, L3Order{1, L3Action::kAdd, Side::kBuy, 42, Price{100'000'000'000}, Qty{300}, t, t}});
  out.push_back(Event{0, t, TradingStatus{2, TradingState::kHalted, t, t}});
  out.push_back(Event{0, t, L2Update{2, Side::kSell, Price{125'010'000'000}, Qty{7}, 9, t, t}});
  L2Snapshot snap;
  snap.instrument = 2;
  snap.update_id = 10;
  snap.bids = {{Price{125'000'000'000}, Qty{5}}, {Price{124'990'000'000}, Qty{8}}};
  snap.asks = {{Price{125'010'000'000}, Qty{7}}};
  snap.exchange_ts = snap.receive_ts = t;
  out.push_back(Event{0, t, snap});
  out.push_back(Event{
      0, t + Duration::Millis(1),
      L1Quote{1, {Price{99'990'000'000}, Qty{100}}, {Price{100'010'000'000}, Qty{200}}, 0, t, t}});
  out.push_back(Event{0, t + Duration::Millis(2),
                      Trade{1, Price{100'010'000'000}, Qty{50}, Side::kBuy, 3, t, t}});
  return out;
}

// A complete, valid stream: hello, one snapshot, every market-data kind, a heartbeat, the end.
std::vector<uint8_t> ValidStream() {
  std::vector<uint8_t> wire;
  MdFrameEncoder enc;
  TD_CHECK(AppendHelloFrame(Hello(1, 1), &wire).ok());
  std::vector<Event> events = MarketEvents();
  TD_CHECK(enc.AppendSnapshot(0, events[3], &wire).ok());
  for (size_t i = 0; i < events.size(); ++i) {
    TD_CHECK(enc.AppendData(i + 1, events[i], &wire).ok());
  }
  AppendHeartbeatFrame(events.size(), Timestamp{5}, &wire);
  AppendEndFrame(events.size(), Timestamp{6}, MdEndReason::kMarketDataEnded, &wire);
  return wire;
}

// Decodes `wire` fed in chunks of `chunk` bytes; stops at the first error.
Status DecodeAll(const std::vector<uint8_t>& wire, size_t chunk, std::vector<MdFrame>* frames) {
  MdFrameDecoder dec;
  for (size_t at = 0; at < wire.size(); at += chunk) {
    const size_t n = std::min(chunk, wire.size() - at);
    dec.Append(std::span<const uint8_t>(wire.data() + at, n));
    MdFrame f;
    while (true) {
      Result<bool> r = dec.Next(&f);
      if (!r.ok()) return r.status();
      if (!*r) break;
      frames->push_back(f);
    }
  }
  return dec.Finish();
}

TEST(MdFrame, EveryFrameTypeRoundTrips) {
  const std::vector<uint8_t> wire = ValidStream();
  std::vector<MdFrame> frames;
  ASSERT_TRUE(DecodeAll(wire, wire.size(), &frames).ok());
  const std::vector<Event> events = MarketEvents();
  ASSERT_EQ(frames.size(), 1 + 1 + events.size() + 2);
  EXPECT_EQ(frames[0].type, MdFrameType::kHello);
  EXPECT_EQ(frames[0].hello, Hello(1, 1));
  EXPECT_EQ(frames[0].offset, 0u);
  EXPECT_EQ(frames[1].type, MdFrameType::kSnapshot);
  EXPECT_EQ(frames[1].seq, 0u);
  EXPECT_EQ(frames[1].event.payload, events[3].payload);
  for (size_t i = 0; i < events.size(); ++i) {
    const MdFrame& f = frames[2 + i];
    EXPECT_EQ(f.type, MdFrameType::kData);
    EXPECT_EQ(f.seq, i + 1);
    EXPECT_EQ(f.event.seq, i + 1);
    EXPECT_EQ(f.event.ts, events[i].ts);
    EXPECT_EQ(f.event.payload, events[i].payload) << "record " << i;
  }
  const MdFrame& hb = frames[frames.size() - 2];
  EXPECT_EQ(hb.type, MdFrameType::kHeartbeat);
  EXPECT_EQ(hb.seq, events.size());
  EXPECT_EQ(hb.market_time, Timestamp{5});
  const MdFrame& end = frames.back();
  EXPECT_EQ(end.type, MdFrameType::kEnd);
  EXPECT_EQ(end.end_reason, MdEndReason::kMarketDataEnded);
  EXPECT_EQ(end.market_time, Timestamp{6});
  EXPECT_EQ(end.offset + kMdFrameHeaderBytes + kMdEndBytes, wire.size());
}

TEST(MdFrame, AnySplitOfTheStreamDecodesTheSameFrames) {
  const std::vector<uint8_t> wire = ValidStream();
  std::vector<MdFrame> whole;
  ASSERT_TRUE(DecodeAll(wire, wire.size(), &whole).ok());
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{5}, size_t{7}, size_t{64}}) {
    std::vector<MdFrame> frames;
    ASSERT_TRUE(DecodeAll(wire, chunk, &frames).ok()) << "chunk " << chunk;
    ASSERT_EQ(frames.size(), whole.size()) << "chunk " << chunk;
    for (size_t i = 0; i < frames.size(); ++i) {
      EXPECT_EQ(frames[i].offset, whole[i].offset);
      EXPECT_EQ(frames[i].event, whole[i].event);
    }
  }
  // Random splits, seeded (the seed is printed so a failure can be replayed).
  const uint64_t seed = 20240102;
  std::printf("random split seed %llu\n", static_cast<unsigned long long>(seed));
  Rng rng(seed);
  for (int round = 0; round < 50; ++round) {
    MdFrameDecoder dec;
    size_t got = 0;
    for (size_t at = 0; at < wire.size();) {
      const size_t n = std::min<size_t>(1 + rng.UniformBelow(40), wire.size() - at);
      dec.Append(std::span<const uint8_t>(wire.data() + at, n));
      at += n;
      MdFrame f;
      for (Result<bool> r = dec.Next(&f); r.ok() && *r; r = dec.Next(&f)) ++got;
    }
    ASSERT_EQ(got, whole.size()) << "round " << round;
    EXPECT_TRUE(dec.Finish().ok());
    EXPECT_TRUE(dec.ended());
  }
}

std::vector<uint8_t> HelloBytes() {
  std::vector<uint8_t> wire;
  TD_CHECK(AppendHelloFrame(Hello(), &wire).ok());
  return wire;
}

Status DecodeError(const std::vector<uint8_t>& wire) {
  std::vector<MdFrame> frames;
  return DecodeAll(wire, wire.size(), &frames);
}

TEST(MdFrame, OversizedLengthNamesTheOffset) {
  std::vector<uint8_t> wire = HelloBytes();
  const size_t at = wire.size();
  for (uint8_t b : std::vector<uint8_t>{0xff, 0xff, 0xff, 0x7f, 0x03}) wire.push_back(b);
  const Status s = DecodeError(wire);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("offset " + std::to_string(at)), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("exceeds the maximum"), std::string::npos) << s.message();
}

TEST(MdFrame, UnknownTypeNamesTheOffset) {
  std::vector<uint8_t> wire = HelloBytes();
  const size_t at = wire.size();
  for (uint8_t b : std::vector<uint8_t>{0x00, 0x00, 0x00, 0x00, 0x09}) wire.push_back(b);
  const Status s = DecodeError(wire);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("offset " + std::to_string(at) + ": unknown frame type 9"),
            std::string::npos)
      << s.message();
}

TEST(MdFrame, CorruptPayloadIsAnErrorNotACrash) {
  std::vector<uint8_t> wire = HelloBytes();
  const size_t at = wire.size();
  MdFrameEncoder enc;
  std::vector<uint8_t> data;
  TD_CHECK(enc.AppendData(1, MarketEvents()[0], &data).ok());
  // Keep the frame length but zero the Cap'n Proto segment table: a bad message.
  for (size_t i = kMdFrameHeaderBytes + kMdSeqBytes; i < kMdFrameHeaderBytes + kMdSeqBytes + 8;
       ++i) {
    data[i] = 0xff;
  }
  wire.insert(wire.end(), data.begin(), data.end());
  const Status s = DecodeError(wire);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("offset " + std::to_string(at) + ": data frame:"), std::string::npos)
      << s.message();
}

TEST(MdFrame, WrongPayloadSizesAreErrors) {
  for (MdFrameType type :
       {MdFrameType::kHeartbeat, MdFrameType::kEnd, MdFrameType::kData, MdFrameType::kHello}) {
    std::vector<uint8_t> wire = type == MdFrameType::kHello ? std::vector<uint8_t>{} : HelloBytes();
    for (uint8_t b : std::vector<uint8_t>{0x03, 0x00, 0x00, 0x00, static_cast<uint8_t>(type), 0x01,
                                          0x02, 0x03}) {
      wire.push_back(b);
    }
    const Status s = DecodeError(wire);
    ASSERT_FALSE(s.ok()) << MdFrameTypeName(type);
    EXPECT_NE(s.message().find("payload of 3 bytes"), std::string::npos) << s.message();
  }
}

TEST(MdFrame, ProtocolOrderIsChecked) {
  MdFrameEncoder enc;
  const Event e = MarketEvents()[0];
  {  // a data frame before the hello
    std::vector<uint8_t> wire;
    TD_CHECK(enc.AppendData(1, e, &wire).ok());
    const Status s = DecodeError(wire);
    EXPECT_NE(s.message().find("offset 0: data frame before the hello"), std::string::npos)
        << s.message();
  }
  {  // a gap
    std::vector<uint8_t> wire = HelloBytes();
    TD_CHECK(enc.AppendData(1, e, &wire).ok());
    const size_t at = wire.size();
    TD_CHECK(enc.AppendData(3, e, &wire).ok());
    const Status s = DecodeError(wire);
    EXPECT_NE(
        s.message().find("offset " + std::to_string(at) + ": sequence gap: expected seq 2, got 3"),
        std::string::npos)
        << s.message();
  }
  {  // a second hello, then anything after the end
    std::vector<uint8_t> wire = HelloBytes();
    TD_CHECK(AppendHelloFrame(Hello(), &wire).ok());
    EXPECT_NE(DecodeError(wire).message().find("second hello"), std::string::npos);
    wire = HelloBytes();
    AppendEndFrame(0, Timestamp{1}, MdEndReason::kServerShutdown, &wire);
    AppendHeartbeatFrame(0, Timestamp{2}, &wire);
    EXPECT_NE(DecodeError(wire).message().find("after the end frame"), std::string::npos);
  }
  {  // fewer snapshot frames than the hello announced
    std::vector<uint8_t> wire;
    TD_CHECK(AppendHelloFrame(Hello(1, 2), &wire).ok());
    TD_CHECK(enc.AppendSnapshot(0, e, &wire).ok());
    TD_CHECK(enc.AppendData(1, e, &wire).ok());
    EXPECT_NE(DecodeError(wire).message().find("1 snapshot frames are still due"),
              std::string::npos);
  }
  {  // a heartbeat naming a seq that was never sent
    std::vector<uint8_t> wire = HelloBytes();
    AppendHeartbeatFrame(4, Timestamp{2}, &wire);
    EXPECT_NE(DecodeError(wire).message().find("last data frame was 0"), std::string::npos);
  }
}

TEST(MdFrame, NonMarketDataRecordIsRejected) {
  // Built by hand: the encoder refuses to put a Fill on the feed.
  std::vector<uint8_t> wire = HelloBytes();
  schema::BlockEncoder block;
  block.Begin(1);
  block.Add(Event{1, Timestamp{1}, Fill{}});
  std::span<const uint8_t> bytes = block.Finish();
  const uint32_t len = static_cast<uint32_t>(kMdSeqBytes + bytes.size());
  for (int i = 0; i < 4; ++i) wire.push_back(static_cast<uint8_t>(len >> (8 * i)));
  wire.push_back(static_cast<uint8_t>(MdFrameType::kData));
  wire.push_back(1);
  for (int i = 0; i < 7; ++i) wire.push_back(0);
  wire.insert(wire.end(), bytes.begin(), bytes.end());
  const Status s = DecodeError(wire);
  EXPECT_NE(s.message().find("record kind fill is not market data"), std::string::npos)
      << s.message();
}

TEST(MdFrame, OversizedRecordIsRefusedAndAppendsNothing) {
  L2Snapshot big;
  big.instrument = 1;
  for (int64_t i = 0; i < 300'000; ++i) big.bids.push_back({Price{1'000'000'000 - i}, Qty{1}});
  std::vector<uint8_t> wire = {1, 2, 3};
  MdFrameEncoder enc;
  const Status s = enc.AppendData(1, Event{0, Timestamp{1}, big}, &wire);
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  EXPECT_NE(s.message().find("exceeds the maximum"), std::string::npos) << s.message();
  EXPECT_EQ(wire, (std::vector<uint8_t>{1, 2, 3}));
}

TEST(MdFrame, FinishReportsATruncatedStream) {
  std::vector<uint8_t> wire = ValidStream();
  MdFrameDecoder dec;
  dec.Append(std::span<const uint8_t>(wire.data(), wire.size() - 3));
  MdFrame f;
  for (Result<bool> r = dec.Next(&f); r.ok() && *r; r = dec.Next(&f)) {
  }
  const Status s = dec.Finish();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("stream ended inside a frame"), std::string::npos) << s.message();
  MdFrameDecoder empty;
  EXPECT_NE(empty.Finish().message().find("before the hello"), std::string::npos);
}

TEST(MdFrame, ErrorsAreSticky) {
  std::vector<uint8_t> wire = {0, 0, 0, 0, 0xee};
  MdFrameDecoder dec;
  dec.Append(wire);
  MdFrame f;
  Result<bool> r = dec.Next(&f);
  ASSERT_FALSE(r.ok());
  const std::vector<uint8_t> good = ValidStream();
  dec.Append(good);
  Result<bool> again = dec.Next(&f);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().message(), r.status().message());
}

// Random garbage, alone and after a valid hello, in random chunks: always an error or a
// request for more bytes, never a crash, never a frame the protocol would not allow.
TEST(MdFrame, GarbageNeverCrashes) {
  const uint64_t seed = 77;
  std::printf("garbage seed %llu\n", static_cast<unsigned long long>(seed));
  Rng rng(seed);
  const std::vector<uint8_t> valid = ValidStream();
  for (int round = 0; round < 300; ++round) {
    std::vector<uint8_t> wire;
    if (round % 3 == 1) wire = HelloBytes();
    if (round % 3 == 2) {  // a valid stream with bytes flipped
      wire = valid;
      for (int k = 0; k < 4; ++k)
        wire[rng.UniformBelow(wire.size())] ^= static_cast<uint8_t>(1 + rng.UniformBelow(255));
    } else {
      const size_t n = 1 + rng.UniformBelow(600);
      for (size_t i = 0; i < n; ++i) wire.push_back(static_cast<uint8_t>(rng.UniformBelow(256)));
      // Sometimes a plausible header, so payload decoding is reached.
      if (round % 2 == 0 && wire.size() > 16) {
        const size_t at = round % 3 == 1 ? HelloBytes().size() : 0;
        const uint32_t len = static_cast<uint32_t>(wire.size() - at - kMdFrameHeaderBytes);
        for (int i = 0; i < 4; ++i) wire[at + i] = static_cast<uint8_t>(len >> (8 * i));
        wire[at + 4] = static_cast<uint8_t>(1 + rng.UniformBelow(5));
      }
    }
    MdFrameDecoder dec;
    size_t at = 0;
    bool failed = false;
    while (at < wire.size() && !failed) {
      const size_t n = std::min<size_t>(1 + rng.UniformBelow(64), wire.size() - at);
      dec.Append(std::span<const uint8_t>(wire.data() + at, n));
      at += n;
      MdFrame f;
      while (true) {
        Result<bool> r = dec.Next(&f);
        if (!r.ok()) {
          EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
          EXPECT_NE(r.status().message().find("md feed offset "), std::string::npos);
          failed = true;
          break;
        }
        if (!*r) break;
      }
    }
    (void)dec.Finish();
  }
}

}  // namespace
}  // namespace td::server
