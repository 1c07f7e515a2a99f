// The journaling edge of a paper session (recorder/boundary.h): inputs on the journal before
// the engine sees them, outputs on the journal before the runtime acts on them, wire messages
// redacted, and a journal so written replays exactly (replayer/exact_replay.h).
#include "recorder/boundary.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "journal/writer.h"
#include "replayer/exact_replay.h"
#include "replayer/record_kinds.h"
#include "replayer/run_config.h"
#include "replayer/simulate.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace td::recorder {
namespace {

using replayer::RecordRole;
using replayer::RoleOf;

struct VectorSink final : replayer::RecordSink {
  void Record(Timestamp ts, const Payload& p) override { records.push_back(Event{0, ts, p}); }
  std::vector<Event> records;
};

struct JournalSink final : replayer::RecordSink {
  explicit JournalSink(journal::JournalWriter* w) : w(w) {}
  void Record(Timestamp ts, const Payload& p) override { ASSERT_NE(w->Append(ts, p), 0u); }
  journal::JournalWriter* w;
};

Price Px(const char* t) { return *Price::Parse(t); }

std::vector<InstrumentDef> Instruments() {
  return {InstrumentDef{.id = 1, .symbol = "AAPL", .venue = "X",
                        .asset_class = AssetClass::kEquity, .currency = "USD",
                        .tick_size = Px("0.01"), .qty_decimals = 0, .lot_size = Qty{1},
                        .min_qty = Qty{1}}};
}

L1Quote Quote(const char* bid, const char* ask) {
  return L1Quote{.instrument = 1, .bid = {Px(bid), Qty{100}}, .ask = {Px(ask), Qty{100}}};
}

engine::EngineConfig MarketMakerConfig() {
  engine::EngineConfig c;
  c.strategy = "market-maker";
  c.checkpoint_every_inputs = 3;  // checkpoints are outputs too: exercise them
  return c;
}

std::unique_ptr<engine::Engine> MakeEngine(const engine::EngineConfig& c, uint64_t seed) {
  auto s = engine::MakeStrategy(c.strategy, c.bug);
  EXPECT_TRUE(s.ok());
  return std::make_unique<engine::Engine>(c, std::move(*s), Instruments(), seed);
}

constexpr std::string_view kLogonWithPassword =
    "8=FIX.4.4\x01" "9=80\x01" "35=A\x01" "49=TAPEDECK-PAPER\x01" "56=TAPEDECK\x01"
    "34=1\x01" "98=0\x01" "108=30\x01" "554=hunter2\x01" "10=000\x01";

TEST(Boundary, InputBeforeDispatchOutputsBeforeTheyAreHandled) {
  VectorSink sink;
  auto engine = MakeEngine(MarketMakerConfig(), 7);
  struct Handled {
    size_t journaled_at_call;
    Payload out;
  };
  std::vector<Handled> handled;
  Boundary* bp = nullptr;
  Boundary b(engine.get(), &sink, [&](Timestamp ts, const Payload& out) {
    handled.push_back({sink.records.size(), out});
    // What the runtime does when it sends a command: the wire record follows the outputs.
    if (replayer::IsVenueCommand(out)) bp->Wire(ts, 1, WireDirection::kOutbound, "8=FIX.4.4");
  });
  bp = &b;
  b.Start(Timestamp{1'000});
  b.Input(Timestamp{2'000}, SessionState{1, SessionStateKind::kLoggedOn, "test"});
  b.Input(Timestamp{3'000}, Quote("99.99", "100.01"));
  b.Input(Timestamp{4'000}, Quote("100.04", "100.06"));
  b.Input(Timestamp{5'000}, OrderAck{.cl_ord_id = 1});

  ASSERT_FALSE(handled.empty());
  // Every handled output was already on the journal when the handler ran.
  for (const Handled& h : handled) {
    bool found = false;
    for (size_t i = 0; i < h.journaled_at_call && !found; ++i) {
      found = sink.records[i].payload == h.out;
    }
    EXPECT_TRUE(found) << "output " << PayloadKindName(h.out.index()) << " handled before journaled";
  }
  // Shape: each input is followed by its outputs (same ts), then the wire records they caused.
  size_t inputs = 0;
  for (size_t i = 0; i < sink.records.size(); ++i) {
    const Event& e = sink.records[i];
    if (i > 0) {
      EXPECT_GE(e.ts, sink.records[i - 1].ts);
    }
    if (RoleOf(e.payload) == RecordRole::kInput) {
      ++inputs;
      for (size_t j = i + 1; j < sink.records.size() &&
                             RoleOf(sink.records[j].payload) == RecordRole::kOutput;
           ++j) {
        EXPECT_EQ(sink.records[j].ts, e.ts);
      }
    } else if (RoleOf(e.payload) == RecordRole::kOther) {
      ASSERT_GT(i, 0u);
      EXPECT_NE(RoleOf(sink.records[i - 1].payload), RecordRole::kInput)
          << "a wire record right after an input: it was sent before the outputs were journaled";
    }
  }
  EXPECT_EQ(inputs, 4u);
  EXPECT_EQ(b.counters().inputs, 4u);
  EXPECT_EQ(b.counters().market_data, 2u);
  EXPECT_EQ(b.counters().venue_inputs, 1u);
  EXPECT_GT(b.counters().wire_out, 0u);
  EXPECT_EQ(b.counters().outputs, handled.size());
}

TEST(Boundary, WireMessagesAreRedacted) {
  VectorSink sink;
  auto engine = MakeEngine(MarketMakerConfig(), 7);
  Boundary b(engine.get(), &sink, [](Timestamp, const Payload&) {});
  b.Wire(Timestamp{10}, 3, WireDirection::kOutbound, kLogonWithPassword);
  ASSERT_EQ(sink.records.size(), 1u);
  const auto& w = std::get<WireMessage>(sink.records[0].payload);
  EXPECT_EQ(w.connection, 3u);
  EXPECT_EQ(w.direction, WireDirection::kOutbound);
  EXPECT_EQ(w.bytes.find("hunter2"), std::string::npos) << w.bytes;
  EXPECT_NE(w.bytes.find("554=***"), std::string::npos) << w.bytes;
  EXPECT_EQ(b.counters().wire_out, 1u);
}

TEST(Boundary, TimesNeverGoBackwards) {
  VectorSink sink;
  auto engine = MakeEngine(MarketMakerConfig(), 7);
  Boundary b(engine.get(), &sink, [](Timestamp, const Payload&) {});
  b.Start(Timestamp{100});
  b.Input(Timestamp{500}, Quote("99.99", "100.01"));
  b.Input(Timestamp{300}, Quote("99.98", "100.02"));  // a clock step back
  b.Wire(Timestamp{200}, 1, WireDirection::kInbound, "8=FIX.4.4");
  for (size_t i = 1; i < sink.records.size(); ++i) {
    EXPECT_GE(sink.records[i].ts, sink.records[i - 1].ts) << "record " << i;
  }
  EXPECT_EQ(sink.records.back().ts, Timestamp{500});
}

// A paper journal written through the Boundary, with a scripted venue that acks every order,
// fills one, and fires every timer, replays with no divergence; the wire records are skipped.
TEST(Boundary, PaperJournalReplaysExactly) {
  const std::string dir = ::testing::TempDir() + "boundary_replay_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  Result<std::string> text = replayer::WithEngineSelection(
      "[engine]\ncheckpoint_every_inputs = 4\n", "market-maker", "", "test");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  Result<engine::EngineConfig> config = replayer::ParseEngineSection(*text, "test");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  JournalHeader h;
  h.engine_name = replayer::kEngineName;
  h.engine_build_id = replayer::BuildId();
  h.config_text = *text;
  h.seed = 99;
  h.created = Timestamp{1'700'000'000'000'000'000};
  h.session_kind = "paper";
  h.instruments = Instruments();
  auto writer = journal::JournalWriter::Create(dir, h, {});
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  JournalSink sink(writer->get());
  auto engine = MakeEngine(*config, h.seed);

  std::vector<Payload> venue_replies;
  std::vector<TimerSet> timers;
  Boundary b(engine.get(), &sink, [&](Timestamp, const Payload& out) {
    if (const auto* n = std::get_if<NewOrder>(&out)) {
      venue_replies.push_back(OrderAck{.cl_ord_id = n->cl_ord_id, .venue_order_id = n->cl_ord_id,
                                       .instrument = n->instrument});
      if (n->cl_ord_id == 1) {
        venue_replies.push_back(Fill{.cl_ord_id = 1, .venue_order_id = 1, .exec_id = 1,
                                     .instrument = n->instrument, .side = n->side,
                                     .price = n->price, .qty = Qty{1}, .cum_qty = Qty{1},
                                     .leaves_qty = n->qty - Qty{1}});
      }
    } else if (const auto* c = std::get_if<CancelOrder>(&out)) {
      venue_replies.push_back(
          CancelAck{.cl_ord_id = c->cl_ord_id, .orig_cl_ord_id = c->orig_cl_ord_id});
    } else if (const auto* t = std::get_if<TimerSet>(&out)) {
      timers.push_back(*t);
    }
  });
  int64_t now = h.created.ns;
  auto step = [&] { return Timestamp{now += 1'000'000}; };
  b.Start(h.created);
  b.Input(step(), SessionState{1, SessionStateKind::kConnected, "127.0.0.1:1"});
  b.Wire(step(), 1, WireDirection::kOutbound, kLogonWithPassword);
  b.Input(step(), SessionState{1, SessionStateKind::kLoggedOn, "HeartBtInt 30"});
  const char* quotes[][2] = {{"99.99", "100.01"}, {"100.00", "100.02"}, {"100.04", "100.06"},
                             {"100.03", "100.05"}, {"99.90", "99.92"}};
  for (const auto& q : quotes) {
    b.Input(step(), Quote(q[0], q[1]));
    for (size_t guard = 0; !venue_replies.empty() && guard < 1000; ++guard) {
      std::vector<Payload> replies = std::move(venue_replies);
      venue_replies.clear();
      for (Payload& r : replies) {
        b.Wire(step(), 1, WireDirection::kInbound, "8=FIX.4.4\x01" "35=8\x01");
        b.Input(step(), std::move(r));
      }
    }
    std::vector<TimerSet> due = std::move(timers);
    timers.clear();
    for (const TimerSet& t : due) {
      Timestamp at = std::max(t.fire_at, step());
      now = at.ns;
      b.Input(at, TimerFired{t.timer_id, t.fire_at});
    }
  }
  b.Input(step(), OperatorCommand{.kind = OperatorCommandKind::kKillSwitch,
                                  .origin = "control socket"});
  b.Input(step(), SessionState{1, SessionStateKind::kDisconnected, "venue closed"});
  ASSERT_TRUE((*writer)->Close().ok());
  EXPECT_GT(b.counters().fills, 0u);

  Result<replayer::ReplayReport> r = replayer::ExactReplay(dir, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->divergences, 0u);
  EXPECT_EQ(r->inputs, b.counters().inputs);
  EXPECT_EQ(r->outputs, b.counters().outputs);
  EXPECT_GT(r->outputs, 0u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace td::recorder
