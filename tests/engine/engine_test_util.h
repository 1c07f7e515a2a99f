// Test helpers for the engine room: a scripted strategy that hands the Context to the test,
// an instrument table, and an engine harness that feeds inputs and collects outputs.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <vector>

#include "engine/engine.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace td::engine::testing {

// Does nothing by itself; the test drives the Context through ctx().
class Scripted final : public Strategy {
 public:
  std::string_view name() const override { return "scripted"; }
  void OnStart(Context& ctx) override { ctx_ = &ctx; }
  void OnMarketData(Context& ctx, const Event& e) override { (void)ctx, (void)e; ++md_; }
  void OnOrderUpdate(Context& ctx, const OrderUpdate& u) override {
    (void)ctx;
    updates_.push_back(*u.order);
    fill_qty_ += u.fill_qty.raw;
  }
  void OnCommand(Context& ctx, const OperatorCommand& cmd) override {
    if (cmd.key == "test.do" && action_) action_(ctx);
  }
  Context* ctx_ = nullptr;
  std::function<void(Context&)> action_;
  int md_ = 0;
  std::vector<OrderState> updates_;
  int64_t fill_qty_ = 0;
};

inline Price Px(const char* t) { return *Price::Parse(t); }
inline Money Usd(const char* t) { return *Money::Parse(t); }

inline std::vector<InstrumentDef> Instruments() {
  return {InstrumentDef{.id = 1, .symbol = "AAPL", .venue = "X", .asset_class = AssetClass::kEquity,
                        .currency = "USD", .tick_size = Px("0.01"), .qty_decimals = 0,
                        .lot_size = Qty{1}, .min_qty = Qty{1}},
          InstrumentDef{.id = 2, .symbol = "BTCUSD", .venue = "Y",
                        .asset_class = AssetClass::kCrypto, .currency = "USD",
                        .tick_size = Px("0.5"), .qty_decimals = 3, .lot_size = Qty{1},
                        .min_qty = Qty{1}}};
}

struct Harness {
  explicit Harness(EngineConfig config = {}, std::unique_ptr<Strategy> s = nullptr) {
    if (s == nullptr) {
      auto sc = std::make_unique<Scripted>();
      scripted = sc.get();
      s = std::move(sc);
    }
    engine = std::make_unique<Engine>(std::move(config), std::move(s), Instruments(), 42);
    engine->Start(Timestamp{t}, &out);
  }
  Context& ctx() { return *scripted->ctx_; }
  // Feeds one input at the next nanosecond-ish step; returns the outputs it produced.
  std::vector<Payload> Feed(Payload p, int64_t dt_ns = 1'000) {
    t += dt_ns;
    std::vector<Payload> o;
    engine->Dispatch(Event{.seq = ++seq, .ts = Timestamp{t}, .payload = std::move(p)}, &o);
    all.insert(all.end(), o.begin(), o.end());
    return o;
  }
  std::vector<Payload> Quote(const char* bid, const char* ask, InstrumentId id = 1) {
    return Feed(L1Quote{.instrument = id, .bid = {Px(bid), Qty{100}}, .ask = {Px(ask), Qty{100}}});
  }
  // Runs `fn` inside an engine callback (commands are only valid there), as the strategy
  // would; its outputs are kept for Take().
  template <typename R>
  R Do(std::function<R(Context&)> fn) {
    R result{};
    scripted->action_ = [&](Context& c) { result = fn(c); };
    auto o = Feed(OperatorCommand{.kind = OperatorCommandKind::kSetParam, .key = "test.do"}, 1);
    out.insert(out.end(), o.begin(), o.end());
    scripted->action_ = nullptr;
    return result;
  }
  bool Cancel(ClOrdId id) { return Do<bool>([&](Context& c) { return c.SendCancel(id); }); }
  bool Replace(ClOrdId id, Price px, Qty q) {
    return Do<bool>([&](Context& c) { return c.SendReplace(id, px, q); });
  }
  // The outputs of Do() calls (collected since the last Take()).
  std::vector<Payload> Take() {
    std::vector<Payload> o;
    o.swap(out);
    return o;
  }
  Fill MakeFill(ClOrdId id, ExecId exec, Side side, const char* px, int64_t qty, int64_t cum,
                int64_t leaves, InstrumentId inst = 1) {
    return Fill{.cl_ord_id = id, .venue_order_id = 1000 + id, .exec_id = exec,
                .instrument = inst, .side = side, .price = Px(px), .qty = Qty{qty},
                .cum_qty = Qty{cum}, .leaves_qty = Qty{leaves}};
  }
  ClOrdId Buy(const char* px, int64_t qty, InstrumentId inst = 1) {
    return Do<ClOrdId>([&](Context& c) {
      return c.SendNew({.instrument = inst, .side = Side::kBuy, .price = Px(px), .qty = Qty{qty}});
    });
  }
  ClOrdId Sell(const char* px, int64_t qty, InstrumentId inst = 1) {
    return Do<ClOrdId>([&](Context& c) {
      return c.SendNew({.instrument = inst, .side = Side::kSell, .price = Px(px), .qty = Qty{qty}});
    });
  }

  int64_t t = 1'000'000'000;
  SeqNo seq = 0;
  Scripted* scripted = nullptr;
  std::unique_ptr<Engine> engine;
  std::vector<Payload> out;  // outputs of Start and of Do() calls
  std::vector<Payload> all;  // outputs of every Feed
};

template <typename T>
std::vector<T> OfKind(const std::vector<Payload>& v) {
  std::vector<T> r;
  for (const Payload& p : v) {
    if (const T* x = std::get_if<T>(&p)) r.push_back(*x);
  }
  return r;
}

}  // namespace td::engine::testing
