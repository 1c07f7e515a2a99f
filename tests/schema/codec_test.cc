// Tests of the journal codec (schema/codec.h): every kind round-trips with edge values, the
// wire union matches td::Payload one to one, and malformed bytes of any shape come back as a
// Corruption status, never a crash or an exception. Randomised tests print their seed; rerun
// one with TD_SEED=<seed>.
#include "schema/codec.h"

#include <capnp/message.h>
#include <capnp/schema.h>
#include <capnp/serialize.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/rng.h"
#include "schema/tapedeck.capnp.h"

namespace td::schema {
namespace {

namespace w = ::td::schema::wire;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();
constexpr uint32_t kU32Max = std::numeric_limits<uint32_t>::max();

uint64_t TestSeed(uint64_t fallback) {
  const char* env = std::getenv("TD_SEED");
  const uint64_t seed = env != nullptr ? std::strtoull(env, nullptr, 10) : fallback;
  std::printf("seed %llu (rerun with TD_SEED=%llu)\n", static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(seed));
  return seed;
}

// One fully populated record of every Payload alternative, in Payload order. `high` picks
// maximal values and non-empty strings; otherwise minimal values and empty strings.
std::vector<Event> Examples(bool high) {
  const int64_t i64 = high ? kMax : kMin;
  const int64_t other = high ? kMin : kMax;  // the opposite extreme
  const uint64_t u64 = high ? kU64Max : 0;
  const uint32_t u32 = high ? kU32Max : 0;
  const Timestamp ts{i64};
  const Price px{i64};
  const Qty q{high ? kMax : kMin};
  auto text = [&](const char* s) { return high ? std::string(s) : std::string(); };
  const Side side = high ? Side::kSell : Side::kNone;

  std::vector<Payload> p;
  p.push_back(L3Order{u32, high ? L3Action::kCross : L3Action::kAdd, side, u64, px, q, ts, ts});
  p.push_back(TradingStatus{u32, high ? TradingState::kClosed : TradingState::kHalted, ts, ts});
  p.push_back(L2Update{u32, side, px, q, u64, ts, ts});
  L2Snapshot snap{u32, u64, {}, {}, ts, ts};
  if (high) {
    for (int i = 0; i < 500; ++i) {
      snap.bids.push_back({Price{kMax - i}, Qty{i}});
      snap.asks.push_back({Price{kMin + i}, Qty{kMax - i}});
    }
  }
  p.push_back(snap);
  p.push_back(L1Quote{u32, {px, q}, {Price{other}, Qty{other}}, u64, ts, ts});
  p.push_back(Trade{u32, px, q, side, u64, ts, ts});
  p.push_back(OrderAck{u64, u64, u32});
  p.push_back(OrderReject{u64, u32, high ? RejectReason::kOther : RejectReason::kNone,
                          text("price band: 1.23 outside [1.30, 1.50] \xE2\x82\xAC")});
  p.push_back(Fill{u64, u64, u64, u32, side, px, q, q, q,
                   high ? Liquidity::kTaker : Liquidity::kNone, Money{i64}, ts});
  p.push_back(CancelAck{u64, u64, q});
  p.push_back(CancelReject{u64, u64, high ? CancelRejectOf::kReplace : CancelRejectOf::kCancel,
                           high ? RejectReason::kTooLateToCancel : RejectReason::kNone,
                           text("too late to cancel")});
  p.push_back(ReplaceAck{u64, u64, u64, px, q, q});
  p.push_back(OrderExpired{u64, q});
  p.push_back(OrderStatusReport{u64, u64, u32, side,
                                high ? OrdStatus::kUnknown : OrdStatus::kPendingNew, px, q, q, q,
                                px, u64, high});
  p.push_back(RateLimitReject{u64, high ? OrderAction::kMassCancel : OrderAction::kNew,
                              Duration{i64}, high});
  p.push_back(SessionState{u32,
                           high ? SessionStateKind::kDisconnected : SessionStateKind::kConnecting,
                           text("peer reset: 10.0.0.1:9878")});
  p.push_back(TimerFired{u64, ts});
  p.push_back(
      OperatorCommand{high ? OperatorCommandKind::kSetParam : OperatorCommandKind::kKillSwitch,
                      text("max_qty"), text("12.5"), text("control socket")});
  p.push_back(NewOrder{u64, u32, side, high ? OrdType::kStopLimit : OrdType::kLimit,
                       high ? TimeInForce::kFok : TimeInForce::kDay, px, Price{other}, q, q, high});
  p.push_back(CancelOrder{u64, u64, u32});
  p.push_back(ReplaceOrder{u64, u64, u32, px, q});
  p.push_back(StatusRequest{u64, u64});
  p.push_back(MassCancel{u64, u32, side});
  p.push_back(TimerSet{u64, ts});
  p.push_back(TimerCancel{u64});
  p.push_back(RiskEvent{high ? RiskEventKind::kResumed : RiskEventKind::kBreach,
                        high ? RiskAction::kFlatten : RiskAction::kNone, text("max_daily_loss"),
                        u32, i64, other, text("loss 1200.5 > 1000")});
  p.push_back(Annotation{text("scenario: open auction done")});
  std::string wire_bytes;
  if (high) {
    wire_bytes = std::string(
        "8=FIX.4.4\x01"
        "9=5\x01\0\0\xff\x80 35=0\x01",
        24);
    wire_bytes.push_back('\0');  // ends with a NUL too
  }
  p.push_back(
      WireMessage{u32, high ? WireDirection::kOutbound : WireDirection::kInbound, wire_bytes});
  p.push_back(Checkpoint{u64, u64, u64});
  p.push_back(RecordsDropped{u64, ts, Timestamp{other}});

  std::vector<Event> events;
  for (size_t i = 0; i < p.size(); ++i) {
    events.push_back(Event{high ? kU64Max - i : i, Timestamp{high ? kMax : kMin}, p[i]});
  }
  return events;
}

// One record of every alternative in which every numeric field holds a different value, and
// every text a different string, so that a codec swapping two fields fails the round trip.
std::vector<Event> Distinct() {
  int64_t n = 1000;
  auto i = [&] { return n += 7; };
  auto u = [&] { return static_cast<uint64_t>(n += 7); };
  auto u32 = [&] { return static_cast<uint32_t>(n += 7); };
  auto ts = [&] { return Timestamp{n += 7}; };
  auto px = [&] { return Price{n += 7}; };
  auto q = [&] { return Qty{n += 7}; };
  auto s = [&] { return "text" + std::to_string(n += 7); };
  std::vector<Payload> p;
  p.push_back(L3Order{u32(), L3Action::kModify, Side::kBuy, u(), px(), q(), ts(), ts()});
  p.push_back(TradingStatus{u32(), TradingState::kQuoting, ts(), ts()});
  p.push_back(L2Update{u32(), Side::kSell, px(), q(), u(), ts(), ts()});
  p.push_back(L2Snapshot{u32(), u(), {{px(), q()}, {px(), q()}}, {{px(), q()}}, ts(), ts()});
  p.push_back(L1Quote{u32(), {px(), q()}, {px(), q()}, u(), ts(), ts()});
  p.push_back(Trade{u32(), px(), q(), Side::kBuy, u(), ts(), ts()});
  p.push_back(OrderAck{u(), u(), u32()});
  p.push_back(OrderReject{u(), u32(), RejectReason::kPriceBand, s()});
  p.push_back(Fill{u(), u(), u(), u32(), Side::kBuy, px(), q(), q(), q(), Liquidity::kMaker,
                   Money{i()}, ts()});
  p.push_back(CancelAck{u(), u(), q()});
  p.push_back(CancelReject{u(), u(), CancelRejectOf::kReplace, RejectReason::kUnknownOrder, s()});
  p.push_back(ReplaceAck{u(), u(), u(), px(), q(), q()});
  p.push_back(OrderExpired{u(), q()});
  p.push_back(OrderStatusReport{u(), u(), u32(), Side::kSell, OrdStatus::kPartiallyFilled, px(),
                                q(), q(), q(), px(), u(), false});
  p.push_back(RateLimitReject{u(), OrderAction::kReplace, Duration{i()}, true});
  p.push_back(SessionState{u32(), SessionStateKind::kLoggedOn, s()});
  p.push_back(TimerFired{u(), ts()});
  p.push_back(OperatorCommand{OperatorCommandKind::kPause, s(), s(), s()});
  p.push_back(NewOrder{u(), u32(), Side::kBuy, OrdType::kStop, TimeInForce::kIoc, px(), px(), q(),
                       q(), true});
  p.push_back(CancelOrder{u(), u(), u32()});
  p.push_back(ReplaceOrder{u(), u(), u32(), px(), q()});
  p.push_back(StatusRequest{u(), u()});
  p.push_back(MassCancel{u(), u32(), Side::kSell});
  p.push_back(TimerSet{u(), ts()});
  p.push_back(TimerCancel{u()});
  p.push_back(
      RiskEvent{RiskEventKind::kKillSwitchFlat, RiskAction::kCancelAll, s(), u32(), i(), i(), s()});
  p.push_back(Annotation{s()});
  p.push_back(WireMessage{u32(), WireDirection::kOutbound, s()});
  p.push_back(Checkpoint{u(), u(), u()});
  p.push_back(RecordsDropped{u(), ts(), ts()});
  std::vector<Event> events;
  for (Payload& payload : p) events.push_back(Event{u(), ts(), std::move(payload)});
  return events;
}

std::vector<uint8_t> Encode(const std::vector<Event>& events) {
  BlockEncoder enc;
  enc.Begin(events.size());
  for (const Event& e : events) enc.Add(e);
  std::span<const uint8_t> bytes = enc.Finish();
  return {bytes.begin(), bytes.end()};
}

// Decoding must fail with Corruption and leave no records behind.
void ExpectCorruption(std::span<const uint8_t> bytes, const std::string& context) {
  std::vector<Event> out(3);
  Status s = DecodeBlock(bytes, &out);
  ASSERT_FALSE(s.ok()) << context;
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << context << ": " << s.ToString();
  EXPECT_TRUE(out.empty()) << context;
}

// Minimal values, maximal values, and all-distinct values.
std::vector<std::vector<Event>> ExampleSets() {
  return {Examples(false), Examples(true), Distinct()};
}

TEST(Codec, ExamplesCoverEveryPayloadAlternativeInOrder) {
  for (const std::vector<Event>& events : ExampleSets()) {
    ASSERT_EQ(events.size(), kPayloadKindCount);
    for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].payload.index(), i);
  }
}

// AssignPayload (core/event.h), the copy of the journal's ring and the replayer's items: every
// kind over every kind (the same kind: assigned in place; another: replaced), copied and
// moved.
TEST(Payload, AssignPayloadCopiesAndMovesEveryKindOverEveryKind) {
  const std::vector<Event> from = Distinct();
  const std::vector<Event> over = Examples(true);
  for (const Event& f : from) {
    for (const Event& o : over) {
      Payload copied = o.payload;
      AssignPayload(f.payload, &copied);
      EXPECT_EQ(copied, f.payload) << KindName(f) << " over " << KindName(o);
      Payload moved = o.payload;
      Payload source = f.payload;
      AssignPayload(std::move(source), &moved);
      EXPECT_EQ(moved, f.payload) << KindName(f) << " moved over " << KindName(o);
    }
  }
}

TEST(Codec, EveryKindRoundTripsWithEdgeAndDistinctValues) {
  int set = 0;
  for (const std::vector<Event>& events : ExampleSets()) {
    std::vector<uint8_t> bytes = Encode(events);
    std::vector<Event> back;
    Status s = DecodeBlock(bytes, &back);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(back.size(), events.size());
    for (size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ(back[i], events[i]) << "example set " << set << ", kind " << KindName(events[i]);
    }
    ++set;
  }
}

TEST(Codec, EachKindRoundTripsAlone) {
  BlockEncoder enc;  // also exercises reuse of one encoder across many blocks
  for (const Event& e : Examples(true)) {
    enc.Begin(1);
    enc.Add(e);
    std::span<const uint8_t> bytes = enc.Finish();
    std::vector<Event> back;
    ASSERT_TRUE(DecodeBlock(bytes, &back).ok()) << KindName(e);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back[0], e) << KindName(e);
  }
}

TEST(Codec, EncodedUnionMemberMatchesPayloadIndex) {
  std::vector<Event> events = Examples(true);
  std::vector<uint8_t> bytes = Encode(events);
  kj::ArrayPtr<const capnp::word> words(reinterpret_cast<const capnp::word*>(bytes.data()),
                                        bytes.size() / sizeof(capnp::word));
  capnp::FlatArrayMessageReader reader(words);
  auto records = reader.getRoot<w::RecordBlock>().getRecords();
  ASSERT_EQ(records.size(), events.size());
  for (uint32_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(static_cast<size_t>(records[i].which()), events[i].payload.index())
        << KindName(events[i]);
  }
}

std::string CamelCase(std::string_view snake) {
  std::string out;
  bool upper = false;
  for (char c : snake) {
    if (c == '_') {
      upper = true;
    } else {
      out.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
      upper = false;
    }
  }
  return out;
}

TEST(Codec, SchemaUnionHasOneMemberPerPayloadAlternativeNamedByKind) {
  capnp::StructSchema record = capnp::Schema::from<w::Record>();
  capnp::StructSchema::FieldSubset members = record.getUnionFields();
  ASSERT_EQ(members.size(), kPayloadKindCount)
      << "tapedeck.capnp's Record union and td::Payload disagree";
  for (capnp::StructSchema::Field member : members) {
    const size_t index = member.getProto().getDiscriminantValue();
    ASSERT_LT(index, kPayloadKindCount);
    EXPECT_EQ(std::string(member.getProto().getName().cStr()), CamelCase(PayloadKindName(index)))
        << "union member with discriminant " << index;
  }
}

TEST(Codec, PayloadKindNamesAreDistinct) {
  std::set<std::string_view> names;
  for (size_t i = 0; i < kPayloadKindCount; ++i) {
    EXPECT_NE(PayloadKindName(i), "unknown") << i;
    EXPECT_TRUE(names.insert(PayloadKindName(i)).second) << PayloadKindName(i);
  }
  EXPECT_EQ(PayloadKindName(kPayloadKindCount), "unknown");
}

// The schema's enums must have exactly as many enumerants as the C++ values they carry
// (ordinal == C++ value; codec.cc static_asserts the individual values).
TEST(Codec, WireEnumsHaveOneEnumerantPerCppValue) {
  auto count = [](auto schema) { return schema.getEnumerants().size(); };
  EXPECT_EQ(count(capnp::Schema::from<w::Side>()), uint16_t(Side::kSell) + 1u);
  EXPECT_EQ(count(capnp::Schema::from<w::AssetClass>()), uint16_t(AssetClass::kFx) + 1u);
  EXPECT_EQ(count(capnp::Schema::from<w::L3Action>()), uint16_t(L3Action::kCross) + 1u);
  EXPECT_EQ(count(capnp::Schema::from<w::TradingState>()), uint16_t(TradingState::kClosed) + 1u);
  EXPECT_EQ(count(capnp::Schema::from<w::OrdStatus>()), uint16_t(OrdStatus::kUnknown) + 1u);
  EXPECT_EQ(count(capnp::Schema::from<w::RejectReason>()), uint16_t(RejectReason::kOther) + 1u);
  EXPECT_EQ(count(capnp::Schema::from<w::Liquidity>()), uint16_t(Liquidity::kTaker) + 1u);
  EXPECT_EQ(count(capnp::Schema::from<w::CancelRejectOf>()),
            uint16_t(CancelRejectOf::kReplace) + 1u);
  EXPECT_EQ(count(capnp::Schema::from<w::OrderAction>()), uint16_t(OrderAction::kMassCancel) + 1u);
  EXPECT_EQ(count(capnp::Schema::from<w::SessionStateKind>()),
            uint16_t(SessionStateKind::kDisconnected) + 1u);
  EXPECT_EQ(count(capnp::Schema::from<w::OperatorCommandKind>()),
            uint16_t(OperatorCommandKind::kSetParam) + 1u);
  EXPECT_EQ(count(capnp::Schema::from<w::OrdType>()), uint16_t(OrdType::kStopLimit) + 1u);
  EXPECT_EQ(count(capnp::Schema::from<w::TimeInForce>()), uint16_t(TimeInForce::kFok) + 1u);
  EXPECT_EQ(count(capnp::Schema::from<w::RiskEventKind>()), uint16_t(RiskEventKind::kResumed) + 1u);
  EXPECT_EQ(count(capnp::Schema::from<w::RiskAction>()), uint16_t(RiskAction::kFlatten) + 1u);
  EXPECT_EQ(count(capnp::Schema::from<w::WireDirection>()),
            uint16_t(WireDirection::kOutbound) + 1u);
}

TEST(Codec, SchemaIdIsTheCapnpFileId) {
  // Changing tapedeck.capnp's file id would make every existing journal's schema_id mismatch.
  EXPECT_EQ(SchemaId(), 0xace4c5e4192c3d59ULL);
}

JournalHeader ExampleHeader() {
  JournalHeader h;
  h.format_version = 3;
  h.schema_id = SchemaId();
  h.engine_name = "mm-basic";
  h.engine_build_id = "git:0123abcd-dirty";
  h.config_text = "[engine]\nname = \"mm-basic\"\nspread_ticks = 2\n";
  h.seed = kU64Max;
  h.created = Timestamp{kMin};
  h.session_kind = "simulate";
  h.instruments.push_back(InstrumentDef{1, "SPY", "XNAS", AssetClass::kEquity, "USD",
                                        Price{10'000'000}, 0, Qty{1}, Qty{1}});
  h.instruments.push_back(InstrumentDef{kU32Max, "BTCUSDT", "BINANCE", AssetClass::kFx, "",
                                        Price{kMax}, 18, Qty{kMin}, Qty{kMax}});
  h.instruments.push_back(InstrumentDef{});
  return h;
}

TEST(Codec, HeaderRoundTrips) {
  for (const JournalHeader& h : {ExampleHeader(), JournalHeader{}}) {
    std::vector<uint8_t> bytes = EncodeHeader(h);
    Result<JournalHeader> back = DecodeHeader(bytes);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, h);
  }
}

TEST(Codec, HeaderDecodeRejectsTruncationAndTrailingBytes) {
  std::vector<uint8_t> bytes = EncodeHeader(ExampleHeader());
  for (size_t n = 0; n < bytes.size(); ++n) {
    Result<JournalHeader> r = DecodeHeader(std::span(bytes.data(), n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << n;
  }
  bytes.resize(bytes.size() + 8, 0);
  Result<JournalHeader> r = DecodeHeader(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("trailing"), std::string::npos) << r.status().ToString();
}

TEST(Codec, HeaderDecodeRejectsOutOfRangeValues) {
  for (int which = 0; which < 2; ++which) {
    capnp::MallocMessageBuilder builder;
    auto inst = builder.initRoot<w::JournalHeader>().initInstruments(1)[0];
    if (which == 0) inst.setQtyDecimals(19);
    if (which == 1) inst.setAssetClass(static_cast<w::AssetClass>(6));
    kj::Array<capnp::word> words = capnp::messageToFlatArray(builder);
    Result<JournalHeader> r = DecodeHeader(words.asBytes());
    ASSERT_FALSE(r.ok()) << which;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    EXPECT_NE(r.status().message().find("instrument 0"), std::string::npos)
        << r.status().ToString();
  }
}

// ~64 KiB of L3 orders, seq 1..n: a typical market-data block.
std::vector<Event> L3Block(uint64_t n) {
  std::vector<Event> events;
  for (uint64_t i = 1; i <= n; ++i) {
    events.push_back(Event{i, Timestamp{int64_t(i)},
                           L3Order{7, L3Action::kAdd, Side::kBuy, i, Price{int64_t(i)}, Qty{100},
                                   Timestamp{1}, Timestamp{2}}});
  }
  return events;
}

TEST(Codec, TypicalMarketDataBlockIsOneSegment) {
  // ~64 KiB of L3 orders: one segment, 80 bytes a record, and 8-byte aligned.
  const std::vector<Event> events = L3Block(800);
  BlockEncoder enc;
  enc.Begin(events.size());
  for (const Event& e : events) enc.Add(e);
  std::span<const uint8_t> bytes = enc.Finish();
  EXPECT_EQ(reinterpret_cast<uintptr_t>(bytes.data()) % 8, 0u);
  uint32_t segments_minus_one;
  std::memcpy(&segments_minus_one, bytes.data(), 4);
  EXPECT_EQ(segments_minus_one, 0u);
  EXPECT_EQ(bytes.size(), 8u + 3 * 8 + 800u * 80);  // table, root + block + list tag, records
}

TEST(Codec, BlockLargerThanTheFirstSegmentGuessRoundTrips) {
  // Large wire messages spill the message into several segments; then a small block reuses
  // the encoder.
  std::vector<Event> events;
  for (uint64_t i = 1; i <= 4; ++i) {
    events.push_back(
        Event{i, Timestamp{0}, WireMessage{1, WireDirection::kInbound, std::string(300'000, 'x')}});
  }
  BlockEncoder enc;
  for (int round = 0; round < 2; ++round) {
    enc.Begin(events.size());
    for (const Event& e : events) enc.Add(e);
    std::span<const uint8_t> bytes = enc.Finish();
    std::vector<Event> back;
    ASSERT_TRUE(DecodeBlock(bytes, &back).ok()) << round;
    EXPECT_EQ(back, events) << round;
  }
  std::vector<Event> small = Examples(false);
  enc.Begin(small.size());
  for (const Event& e : small) enc.Add(e);
  std::vector<Event> back;
  ASSERT_TRUE(DecodeBlock(enc.Finish(), &back).ok());
  EXPECT_EQ(back, small);
}

TEST(Codec, DecodeReplacesPreviousContentsOfOut) {
  std::vector<Event> high = Examples(true);
  std::vector<Event> low = Examples(false);
  std::vector<Event> rotated(low.begin() + 1, low.end());  // every slot changes kind
  rotated.push_back(low.front());
  std::vector<Event> out = high;
  out.insert(out.end(), high.begin(), high.end());  // longer than what follows
  ASSERT_TRUE(DecodeBlock(Encode(low), &out).ok());
  EXPECT_EQ(out, low);
  ASSERT_TRUE(DecodeBlock(Encode(rotated), &out).ok());
  EXPECT_EQ(out, rotated);
  ASSERT_TRUE(DecodeBlock(Encode(high), &out).ok());
  EXPECT_EQ(out, high);
}

TEST(Codec, UnalignedInputDecodes) {
  std::vector<Event> events = Examples(true);
  std::vector<uint8_t> bytes = Encode(events);
  std::vector<uint8_t> shifted(bytes.size() + 3);
  for (size_t offset = 1; offset <= 3; ++offset) {
    std::memcpy(shifted.data() + offset, bytes.data(), bytes.size());
    std::vector<Event> back;
    Status s = DecodeBlock(std::span(shifted.data() + offset, bytes.size()), &back);
    ASSERT_TRUE(s.ok()) << offset << ": " << s.ToString();
    EXPECT_EQ(back, events);
  }
}

TEST(Codec, EmptyRecordListDecodesToNoEvents) {
  capnp::MallocMessageBuilder builder;
  builder.initRoot<w::RecordBlock>();
  kj::Array<capnp::word> words = capnp::messageToFlatArray(builder);
  std::vector<Event> out = Examples(true);
  ASSERT_TRUE(DecodeBlock(words.asBytes(), &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(Codec, EmptyAndOddSizedInputsAreCorruption) {
  std::vector<uint8_t> bytes = Encode(Examples(false));
  ExpectCorruption({}, "empty");
  ExpectCorruption(std::span(bytes.data(), bytes.size() - 1), "size - 1");
  std::vector<uint8_t> longer = bytes;
  longer.push_back(0);
  ExpectCorruption(longer, "size + 1");
}

TEST(Codec, TruncatedBlockIsCorruption) {
  std::vector<uint8_t> bytes = Encode(Examples(true));
  for (size_t n = 0; n < bytes.size(); n += (n < 256 ? 1 : 8)) {
    ExpectCorruption(std::span(bytes.data(), n), "truncated to " + std::to_string(n));
  }
}

TEST(Codec, TrailingGarbageIsCorruption) {
  std::vector<uint8_t> bytes = Encode(Examples(false));
  bytes.insert(bytes.end(), {1, 2, 3, 4, 5, 6, 7, 8});
  std::vector<Event> out;
  Status s = DecodeBlock(bytes, &out);
  ASSERT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("trailing"), std::string::npos) << s.ToString();
  EXPECT_EQ(s.message().rfind("record block: ", 0), 0u) << s.ToString();
}

// A block whose record 2 carries union discriminant `which`, as a newer writer might write.
std::vector<uint8_t> BlockWithDiscriminant(uint16_t which) {
  capnp::MallocMessageBuilder builder;
  auto records = builder.initRoot<w::RecordBlock>().initRecords(3);
  for (uint32_t i = 0; i < 3; ++i) {
    records[i].setSeq(i + 1);
    records[i].initCheckpoint().setDigest(42);
  }
  const uint32_t offset = capnp::Schema::from<w::Record>()
                              .getProto()
                              .getStruct()
                              .getDiscriminantOffset();  // in 16-bit units
  kj::ArrayPtr<kj::byte> data = capnp::AnyStruct::Builder(records[2]).getDataSection();
  data[offset * 2] = static_cast<kj::byte>(which);
  data[offset * 2 + 1] = static_cast<kj::byte>(which >> 8);
  kj::Array<capnp::word> words = capnp::messageToFlatArray(builder);
  return {words.asBytes().begin(), words.asBytes().end()};
}

TEST(Codec, UnknownKindIsCorruptionNamingRecordAndDiscriminant) {
  for (uint16_t which : {uint16_t(kPayloadKindCount), uint16_t(0xffff)}) {
    std::vector<Event> out;
    Status s = DecodeBlock(BlockWithDiscriminant(which), &out);
    ASSERT_EQ(s.code(), StatusCode::kCorruption);
    EXPECT_NE(s.message().find("record 2 (seq 3)"), std::string::npos) << s.ToString();
    EXPECT_NE(s.message().find("unknown kind (union discriminant " + std::to_string(which)),
              std::string::npos)
        << s.ToString();
    EXPECT_TRUE(out.empty());
  }
  std::vector<Event> out;
  ASSERT_TRUE(DecodeBlock(BlockWithDiscriminant(28), &out).ok());  // checkpoint, unchanged
}

TEST(Codec, OutOfRangeEnumIsCorruption) {
  struct Case {
    const char* name;
    void (*set)(w::Record::Builder);
    const char* expect;
  };
  const Case cases[] = {
      {"unset action", [](w::Record::Builder r) { r.initL3Order().setSide(w::Side::BUY); },
       "l3_order: action 0 out of range"},
      {"action past end",
       [](w::Record::Builder r) { r.initL3Order().setAction(static_cast<w::L3Action>(8)); },
       "l3_order: action 8 out of range"},
      {"side past end",
       [](w::Record::Builder r) {
         auto o = r.initL3Order();
         o.setAction(w::L3Action::ADD);
         o.setSide(static_cast<w::Side>(3));
       },
       "l3_order: side 3 out of range"},
      {"reject reason past end",
       [](w::Record::Builder r) {
         r.initOrderReject().setReason(static_cast<w::RejectReason>(15));
       },
       "order_reject: reason 15 out of range"},
      {"tif",
       [](w::Record::Builder r) {
         auto o = r.initNewOrder();
         o.setType(w::OrdType::LIMIT);
         o.setTif(static_cast<w::TimeInForce>(0xffff));
       },
       "new_order: tif 65535 out of range"},
  };
  for (const Case& c : cases) {
    capnp::MallocMessageBuilder builder;
    auto records = builder.initRoot<w::RecordBlock>().initRecords(2);
    records[0].initTimerCancel().setTimerId(1);
    records[1].setSeq(9);
    c.set(records[1]);
    kj::Array<capnp::word> words = capnp::messageToFlatArray(builder);
    std::vector<Event> out;
    Status s = DecodeBlock(words.asBytes(), &out);
    ASSERT_EQ(s.code(), StatusCode::kCorruption) << c.name;
    EXPECT_NE(s.message().find(std::string("record 1 (seq 9) ") + c.expect), std::string::npos)
        << c.name << ": " << s.ToString();
    EXPECT_TRUE(out.empty());
  }
}

// Regression (found by libFuzzer): Cap'n Proto lets a list of zero-sized structs claim up to
// the traversal limit in elements; a few hundred bytes became millions of records or levels.
TEST(Codec, ZeroSizedListElementsCannotAmplifyTheOutput) {
  {
    capnp::MallocMessageBuilder builder;
    auto rec = builder.initRoot<w::RecordBlock>().initRecords(1)[0];
    rec.setSeq(5);
    auto snap = rec.initL2Snapshot();
    capnp::AnyStruct::Builder(kj::mv(snap))
        .getPointerSection()[0]
        .initAsListOfAnyStruct(0, 0, 1'000'000);
    kj::Array<capnp::word> words = capnp::messageToFlatArray(builder);
    std::vector<Event> out;
    Status s = DecodeBlock(words.asBytes(), &out);
    ASSERT_EQ(s.code(), StatusCode::kCorruption);
    EXPECT_NE(s.message().find("record 0 (seq 5) l2_snapshot: bids 1000000 elements claimed"),
              std::string::npos)
        << s.ToString();
  }
  {
    capnp::MallocMessageBuilder builder;
    auto block = builder.initRoot<w::RecordBlock>();
    capnp::AnyStruct::Builder(kj::mv(block))
        .getPointerSection()[0]
        .initAsListOfAnyStruct(0, 0, 100'000);
    kj::Array<capnp::word> words = capnp::messageToFlatArray(builder);
    std::vector<Event> out;
    Status s = DecodeBlock(words.asBytes(), &out);
    ASSERT_EQ(s.code(), StatusCode::kCorruption);
    EXPECT_NE(s.message().find("100000 records claimed"), std::string::npos) << s.ToString();
  }
  {
    capnp::MallocMessageBuilder builder;
    auto header = builder.initRoot<w::JournalHeader>();
    capnp::AnyStruct::Builder(kj::mv(header))
        .getPointerSection()[4]
        .initAsListOfAnyStruct(0, 0, 100'000);
    kj::Array<capnp::word> words = capnp::messageToFlatArray(builder);
    Result<JournalHeader> r = DecodeHeader(words.asBytes());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("100000 instruments claimed"), std::string::npos)
        << r.status().ToString();
  }
}

TEST(CodecDeathTest, EncodingAnOutOfRangeEnumIsAProgrammerError) {
  Event e{1, Timestamp{0}, L3Order{}};
  std::get<L3Order>(e.payload).action = static_cast<L3Action>(0);
  BlockEncoder enc;
  enc.Begin(1);
  EXPECT_DEATH(enc.Add(e), "L3Order.action");
}

TEST(Codec, RandomBytesAreRejectedWithoutCrashing) {
  Rng rng(TestSeed(20240601));
  std::vector<Event> out;
  int accepted = 0;
  for (int iter = 0; iter < 20'000; ++iter) {
    std::vector<uint8_t> bytes(rng.UniformBelow(64) * 8 +
                               (rng.UniformBelow(8) == 0 ? rng.UniformBelow(8) : 0));
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng.NextU64());
    if (bytes.size() >= 8 && rng.UniformBelow(2) == 0) {
      // A plausible one-segment table, so that decoding gets past the framing.
      const uint32_t words = static_cast<uint32_t>(bytes.size() / 8 - 1);
      std::memset(bytes.data(), 0, 4);
      std::memcpy(bytes.data() + 4, &words, 4);
    }
    Status s = DecodeBlock(bytes, &out);
    if (s.ok()) {
      ++accepted;
    } else {
      ASSERT_EQ(s.code(), StatusCode::kCorruption) << "iteration " << iter;
      ASSERT_TRUE(out.empty()) << "iteration " << iter;
    }
  }
  std::printf("accepted %d of 20000 random inputs\n", accepted);
}

TEST(Codec, FlippedBytesAreRejectedOrDecodeWithoutCrashing) {
  Rng rng(TestSeed(77));
  std::vector<Event> events = Examples(true);
  std::vector<Event> low = Examples(false);
  events.insert(events.end(), low.begin(), low.end());
  const std::vector<uint8_t> good = Encode(events);
  std::vector<Event> out;
  int rejected = 0;
  for (int iter = 0; iter < 20'000; ++iter) {
    std::vector<uint8_t> bytes = good;
    const int flips = 1 + static_cast<int>(rng.UniformBelow(4));
    for (int f = 0; f < flips; ++f) {
      // Half of the flips hit the first 1 KiB, where the framing and pointers are.
      const size_t limit =
          rng.UniformBelow(2) == 0 ? std::min<size_t>(1024, bytes.size()) : bytes.size();
      bytes[rng.UniformBelow(limit)] ^= static_cast<uint8_t>(1u << rng.UniformBelow(8));
    }
    Status s = DecodeBlock(bytes, &out);
    if (!s.ok()) {
      ++rejected;
      ASSERT_EQ(s.code(), StatusCode::kCorruption) << "iteration " << iter;
      ASSERT_EQ(s.message().rfind("record block: ", 0), 0u) << s.ToString();
    }
  }
  std::printf("rejected %d of 20000 corrupted blocks\n", rejected);
  EXPECT_GT(rejected, 0);
}

// ------------------------------------------------------------------------------ columns layout

// Records with consecutive sequence numbers from `first_seq`, as a journal block holds them.
std::vector<Event> Numbered(std::vector<Event> events, uint64_t first_seq) {
  for (size_t i = 0; i < events.size(); ++i) events[i].seq = first_seq + i;
  return events;
}

std::vector<uint8_t> EncodeColumns(const std::vector<Event>& events) {
  BlockEncoder enc(BlockLayout::kColumns);
  enc.Begin(CountKinds(events));
  for (const Event& e : events) enc.Add(e);
  std::span<const uint8_t> bytes = enc.Finish();
  return {bytes.begin(), bytes.end()};
}

Status DecodeColumns(std::span<const uint8_t> bytes, uint64_t first_seq, std::vector<Event>* out) {
  return DecodeBlock(bytes, BlockLayout::kColumns, first_seq, out);
}

std::vector<uint8_t> Bytes(capnp::MallocMessageBuilder& builder) {
  kj::Array<capnp::word> words = capnp::messageToFlatArray(builder);
  return {words.asBytes().begin(), words.asBytes().end()};
}

TEST(Columns, EveryKindRoundTripsInAnyOrder) {
  BlockEncoder enc(BlockLayout::kColumns);  // one encoder for every block: reuse
  int set = 0;
  for (const std::vector<Event>& examples : ExampleSets()) {
    // Every kind, then the kinds interleaved with a run of the same kind, as a session mixes
    // them.
    std::vector<Event> mixed = examples;
    for (size_t i = 0; i < examples.size(); ++i) {
      mixed.push_back(examples[(i * 7) % examples.size()]);
      mixed.push_back(examples[0]);
    }
    const std::vector<Event> events = Numbered(mixed, 1000 + set);
    enc.Begin(CountKinds(events));
    for (const Event& e : events) enc.Add(e);
    std::vector<Event> back = Examples(true);  // decoded over: storage reused
    Status s = DecodeColumns(enc.Finish(), 1000 + set, &back);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(back.size(), events.size());
    for (size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ(back[i], events[i]) << "example set " << set << ", record " << i;
    }
    ++set;
  }
}

TEST(Columns, ListsFollowRecordUnionByNameAndOrdinal) {
  capnp::StructSchema columns = capnp::Schema::from<w::RecordColumns>();
  capnp::StructSchema record = capnp::Schema::from<w::Record>();
  ASSERT_EQ(columns.getFields().size(), kPayloadKindCount + 2);
  EXPECT_EQ(std::string(columns.getFields()[0].getProto().getName().cStr()), "ts");
  EXPECT_EQ(std::string(columns.getFields()[1].getProto().getName().cStr()), "kinds");
  for (capnp::StructSchema::Field member : record.getUnionFields()) {
    const std::string name = member.getProto().getName().cStr();
    KJ_IF_MAYBE (list, columns.findFieldByName(name)) {
      EXPECT_EQ(list->getProto().getOrdinal().getExplicit(),
                member.getProto().getOrdinal().getExplicit())
          << name;
      EXPECT_EQ(list->getProto().getOrdinal().getExplicit(),
                member.getProto().getDiscriminantValue() + 2)
          << name;
    } else {
      ADD_FAILURE() << "RecordColumns has no list " << name;
    }
  }
}

TEST(Columns, TypicalMarketDataBlockIsOneSegmentAndSmallerThanRecords) {
  const std::vector<Event> events = L3Block(800);
  const std::vector<uint8_t> bytes = EncodeColumns(events);
  uint32_t segments_minus_one;
  std::memcpy(&segments_minus_one, bytes.data(), 4);
  EXPECT_EQ(segments_minus_one, 0u);
  // Table, root pointer, RecordColumns (32 pointers); ts; kinds; the L3Order list: tag and
  // 6 words each. 58 bytes a record, against the records layout's 80.
  EXPECT_EQ(bytes.size(), 8u + 8 + 32 * 8 + 800u * 8 + 800u * 2 + 8 + 800u * 48);
}

TEST(Columns, BlockLargerThanTheFirstSegmentGuessRoundTrips) {
  std::vector<Event> big;
  for (uint64_t i = 1; i <= 4; ++i) {
    big.push_back(
        Event{i, Timestamp{0}, WireMessage{1, WireDirection::kInbound, std::string(300'000, 'x')}});
  }
  const std::vector<Event> small = Numbered(Examples(false), 1);
  BlockEncoder enc(BlockLayout::kColumns);
  for (const std::vector<Event>* events :
       std::vector<const std::vector<Event>*>{&big, &small, &big}) {
    enc.Begin(CountKinds(*events));
    for (const Event& e : *events) enc.Add(e);
    std::vector<Event> back;
    ASSERT_TRUE(DecodeColumns(enc.Finish(), 1, &back).ok());
    EXPECT_EQ(back, *events);
  }
}

// A columns block of three checkpoints whose kind column says `kinds`, and whose checkpoint
// list holds `checkpoints` elements; ts holds `ts` elements.
std::vector<uint8_t> ColumnsBlock(std::vector<uint16_t> kinds, uint32_t checkpoints, uint32_t ts) {
  capnp::MallocMessageBuilder builder;
  auto root = builder.initRoot<w::RecordColumns>();
  auto ts_list = root.initTs(ts);
  for (uint32_t i = 0; i < ts; ++i) ts_list.set(i, 10 + i);
  auto kind_list = root.initKinds(static_cast<uint32_t>(kinds.size()));
  for (uint32_t i = 0; i < kinds.size(); ++i) kind_list.set(i, kinds[i]);
  auto list = root.initCheckpoint(checkpoints);
  for (uint32_t i = 0; i < checkpoints; ++i) list[i].setDigest(42 + i);
  return Bytes(builder);
}

TEST(Columns, MalformedColumnsAreCorruptionNamingWhat) {
  const uint16_t cp = static_cast<uint16_t>(kKindIndex<Checkpoint>);
  std::vector<Event> out;
  ASSERT_TRUE(DecodeColumns(ColumnsBlock({cp, cp, cp}, 3, 3), 7, &out).ok());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].seq, 9u);
  EXPECT_EQ(out[2].ts.ns, 12);
  EXPECT_EQ(std::get<Checkpoint>(out[2].payload).digest, 44u);

  struct Case {
    std::vector<uint8_t> bytes;
    const char* expect;
  };
  const Case cases[] = {
      {ColumnsBlock({cp, cp, uint16_t(kPayloadKindCount)}, 2, 3),
       "record 2 (seq 9): unknown kind 30; written by a newer schema?"},
      {ColumnsBlock({cp, cp, 0xffff}, 2, 3), "unknown kind 65535"},
      {ColumnsBlock({cp, cp, cp}, 2, 3),
       "the checkpoint list holds 2 elements, the kinds column names 3"},
      {ColumnsBlock({cp, cp}, 3, 2),
       "the checkpoint list holds 3 elements, the kinds column names 2"},
      {ColumnsBlock({cp, cp, cp}, 3, 2), "2 timestamps but 3 kinds"},
  };
  for (const Case& c : cases) {
    out = Examples(true);
    Status s = DecodeColumns(c.bytes, 7, &out);
    ASSERT_EQ(s.code(), StatusCode::kCorruption) << c.expect;
    EXPECT_NE(s.message().find(c.expect), std::string::npos) << s.ToString();
    EXPECT_EQ(s.message().rfind("record block: ", 0), 0u) << s.ToString();
    EXPECT_TRUE(out.empty()) << c.expect;
  }
}

TEST(Columns, RecordsBlockIsNotAColumnsBlock) {
  // A block decoded with the wrong layout (a header's version damaged past its checksum would
  // be needed for that) fails cleanly rather than yielding records.
  const std::vector<Event> events = Numbered(Examples(true), 1);
  std::vector<Event> out;
  Status s = DecodeColumns(Encode(events), 1, &out);
  EXPECT_FALSE(s.ok() && out == events);
}

TEST(ColumnsDeathTest, AddingMoreOfAKindThanCountedIsAProgrammerError) {
  BlockEncoder enc(BlockLayout::kColumns);
  KindCounts counts{};
  counts[kKindIndex<Fill>] = 1;
  counts[kKindIndex<L3Order>] = 1;
  enc.Begin(counts);
  enc.Add(Event{1, Timestamp{0}, Fill{}});
  EXPECT_DEATH(enc.Add(Event{2, Timestamp{0}, Fill{}}), "more records of a kind");
  EXPECT_DEATH(BlockEncoder(BlockLayout::kColumns).Begin(size_t{1}), "give the kind counts");
}

TEST(Columns, FlippedAndRandomBytesAreRejectedOrDecodeWithoutCrashing) {
  Rng rng(TestSeed(91));
  std::vector<Event> events = Examples(true);
  std::vector<Event> low = Examples(false);
  events.insert(events.end(), low.begin(), low.end());
  const std::vector<uint8_t> good = EncodeColumns(Numbered(events, 1));
  std::vector<Event> out;
  int rejected = 0;
  for (int iter = 0; iter < 20'000; ++iter) {
    std::vector<uint8_t> bytes = good;
    if (iter % 4 == 3) {  // random words behind a plausible one-segment table
      bytes.resize(8 + rng.UniformBelow(64) * 8);
      for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng.NextU64());
      const uint32_t words = static_cast<uint32_t>(bytes.size() / 8 - 1);
      std::memset(bytes.data(), 0, 4);
      std::memcpy(bytes.data() + 4, &words, 4);
    } else {
      const int flips = 1 + static_cast<int>(rng.UniformBelow(4));
      for (int f = 0; f < flips; ++f) {
        const size_t limit =
            rng.UniformBelow(2) == 0 ? std::min<size_t>(512, bytes.size()) : bytes.size();
        bytes[rng.UniformBelow(limit)] ^= static_cast<uint8_t>(1u << rng.UniformBelow(8));
      }
    }
    Status s = DecodeColumns(bytes, 1, &out);
    if (!s.ok()) {
      ++rejected;
      ASSERT_EQ(s.code(), StatusCode::kCorruption) << "iteration " << iter;
      ASSERT_EQ(s.message().rfind("record block: ", 0), 0u) << s.ToString();
      ASSERT_TRUE(out.empty()) << "iteration " << iter;
    }
  }
  std::printf("rejected %d of 20000 damaged columns blocks\n", rejected);
  EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace td::schema
