// The event hash's canonical bytes are pinned independently of the engine: a fixed list of
// outputs hashes to a constant on every compiler and machine, and every field reaches it.
#include "replayer/event_hash.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

namespace td::replayer {
namespace {

std::vector<Payload> SampleOutputs() {
  return {
      NewOrder{.cl_ord_id = 1, .instrument = 2, .side = Side::kBuy, .type = OrdType::kLimit,
               .tif = TimeInForce::kGtc, .price = Price{100'010'000'000}, .stop_price = Price{},
               .qty = Qty{100}, .display_qty = Qty{}, .post_only = true},
      CancelOrder{.cl_ord_id = 3, .orig_cl_ord_id = 1, .instrument = 2},
      ReplaceOrder{.cl_ord_id = 4, .orig_cl_ord_id = 1, .instrument = 2,
                   .price = Price{99'990'000'000}, .qty = Qty{200}},
      StatusRequest{.cl_ord_id = 0, .mass_status_id = 9},
      MassCancel{.request_id = 5, .instrument = 0, .side = Side::kNone},
      TimerSet{.timer_id = 6, .fire_at = Timestamp{1'000'000'123}},
      TimerCancel{.timer_id = 6},
      RiskEvent{.kind = RiskEventKind::kBreach, .action = RiskAction::kReject,
                .rule = "max_order_qty", .instrument = 2, .value = -7, .limit = 5,
                .text = "too big"},
      Annotation{.text = "hello"},
      Checkpoint{.inputs = 10, .outputs = 9, .digest = 0xfedcba9876543210ULL},
  };
}

uint64_t HashOf(const std::vector<Payload>& outputs) {
  EventHash h;
  int64_t ts = 1'700'000'000'000'000'000;
  for (const Payload& p : outputs) h.Add(Timestamp{ts++}, p);
  return h.digest();
}

TEST(EventHash, CanonicalBytesArePinned) {
  const uint64_t h = HashOf(SampleOutputs());
  std::printf("sample outputs event_hash: 0x%016llx\n", static_cast<unsigned long long>(h));
  EXPECT_EQ(h, 0x7027c532588f45d2ULL);
}

TEST(EventHash, EveryFieldReachesTheHash) {
  const uint64_t base = HashOf(SampleOutputs());
  std::vector<Payload> v = SampleOutputs();
  std::get<NewOrder>(v[0]).post_only = false;
  EXPECT_NE(HashOf(v), base);
  v = SampleOutputs();
  std::get<RiskEvent>(v[7]).text = "too bif";
  EXPECT_NE(HashOf(v), base);
  v = SampleOutputs();
  std::get<Checkpoint>(v[9]).digest ^= 1;
  EXPECT_NE(HashOf(v), base);
  v = SampleOutputs();
  std::swap(v[1], v[2]);  // order matters
  EXPECT_NE(HashOf(v), base);
  EXPECT_EQ(HashOf({}), EventHash().digest());
}

}  // namespace
}  // namespace td::replayer
