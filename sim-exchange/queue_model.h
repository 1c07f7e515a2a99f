// Queue-position models for a resting order of ours when only L2 depth is known (Binance and
// other aggregated feeds): the venue shows the total quantity at each price, not the orders,
// so how much rests ahead of our order must be estimated. docs/queue-models.md explains the
// models, their assumptions and how to choose one. Pure, deterministic (integer arithmetic
// only, no RNG) and single-threaded; one model instance follows one order.
//
// Quantities are the market's displayed quantities at our price, *excluding* our own order
// (historical data never contains it). The caller feeds, in data order:
//   OnOrderPlaced(level)      when our order starts resting (it joins at the back);
//   FilledQty(t) then OnTrade(t) for each trade at our price against our side;
//   OnLevelChange(level)      for each new displayed quantity at our price (after a diff).
// A trade through our price (at a better price) fills us whatever the queue; that decision
// belongs to the caller, not to the model.
//
//   auto model = MakeQueueModel(*ParseQueueModelConfig("probabilistic:2/1"));
//   model->OnOrderPlaced(Qty{500});
//   Qty fill = model->FilledQty(Qty{600});  // 100: the trade reached through the 500 ahead
//   model->OnTrade(Qty{600});
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/fixed_point.h"
#include "core/status.h"

namespace td::sim {

class QueueModel {
 public:
  virtual ~QueueModel() = default;

  // Our order joined the back of a level displaying `level_qty`. REQUIRES: level_qty >= 0.
  virtual void OnOrderPlaced(Qty level_qty) = 0;
  // The displayed quantity at our price is now `new_level_qty` (>= 0). A decrease not
  // explained by the trades reported since the last change is cancellation.
  virtual void OnLevelChange(Qty new_level_qty) = 0;
  // A trade of `qty` (> 0) at our price took resting liquidity of our side.
  virtual void OnTrade(Qty qty) = 0;
  // The estimated quantity resting ahead of our order (>= 0).
  virtual Qty QtyAhead() const = 0;
  // How much of a trade of `trade_qty` at our price reaches our order: what exceeds the
  // quantity ahead (the caller caps it at our leaves quantity). Call before OnTrade.
  virtual Qty FilledQty(Qty trade_qty) const = 0;
};

// Fixed-point probabilities: kProbOne is 1.
inline constexpr int64_t kProbOne = int64_t{1} << 30;
// Exponents are num/den with 0 <= num <= kMaxExponentTerm and 1 <= den <= kMaxExponentTerm.
inline constexpr int kMaxExponentTerm = 8;

// x^(num/den) for x in [0, kProbOne], in the same fixed point: the integer power rounded down
// at each step, then the largest r whose den-th power (same rounding) does not exceed it.
// Integer arithmetic only, so every compiler and machine gives the same bits.
int64_t PowFraction(int64_t x, int num, int den);

// The common part of the L2 models: the quantity ahead, trades at our price, the level's last
// displayed quantity. A subclass decides how much of a cancellation came from ahead of us.
class L2QueueModel : public QueueModel {
 public:
  void OnOrderPlaced(Qty level_qty) override;
  void OnLevelChange(Qty new_level_qty) override;
  void OnTrade(Qty qty) override;
  Qty QtyAhead() const override { return Qty{ahead_}; }
  Qty FilledQty(Qty trade_qty) const override;

 protected:
  // Of `canceled` (> 0) leaving a level with `ahead` in front of us and `behind` after us,
  // the part taken from ahead. The caller clamps it to what is possible.
  virtual int64_t CanceledAhead(int64_t canceled, int64_t ahead, int64_t behind) const = 0;

 private:
  bool placed_ = false;
  int64_t ahead_ = 0;
  int64_t level_ = 0;               // last displayed quantity at our price
  int64_t traded_since_level_ = 0;  // trades at our price since that quantity was shown
};

// Our order joins at the back; the quantity ahead decreases only by trades at our price,
// never by cancellations (except that it never exceeds what the level displays). The
// pessimistic bound: real fills come no later than this model's.
class ConservativeQueueModel final : public L2QueueModel {
 protected:
  int64_t CanceledAhead(int64_t, int64_t, int64_t) const override { return 0; }
};

// After hftbacktest's probabilistic queue models: of a cancellation, the expected share
// P(ahead) = x^(num/den), x = ahead / (ahead + behind), is credited to the queue ahead, the
// rest to the queue behind. num/den = 1 splits in proportion to the quantities; larger
// exponents say that cancels come mostly from behind (recent orders cancel more). The
// expected share is applied deterministically, never drawn at random.
class ProbabilisticQueueModel final : public L2QueueModel {
 public:
  ProbabilisticQueueModel(int exponent_num, int exponent_den);
  int exponent_num() const { return num_; }
  int exponent_den() const { return den_; }

 protected:
  int64_t CanceledAhead(int64_t canceled, int64_t ahead, int64_t behind) const override;

 private:
  int num_, den_;
};

enum class QueueModelKind : uint8_t { kConservative = 1, kProbabilistic = 2 };

struct QueueModelConfig {
  QueueModelKind kind = QueueModelKind::kConservative;
  int exponent_num = 2;  // probabilistic only
  int exponent_den = 1;
};

// "conservative", "probabilistic" (exponent 2) or "probabilistic:NUM/DEN" ("probabilistic:3/2").
Result<QueueModelConfig> ParseQueueModelConfig(std::string_view text);
std::string QueueModelConfigText(const QueueModelConfig& config);
std::unique_ptr<QueueModel> MakeQueueModel(const QueueModelConfig& config);

}  // namespace td::sim
