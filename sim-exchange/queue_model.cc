// L2 queue-position models: see queue_model.h and docs/queue-models.md.
#include "sim-exchange/queue_model.h"

#include <algorithm>
#include <charconv>

#include "core/check.h"

namespace td::sim {

namespace {

// Powers and roots are computed in Q62 (1 = 2^62), 32 bits finer than the Q30 result, with
// 128-bit products, so that their rounding does not show in the result.
using U128 = unsigned __int128;
constexpr uint64_t kOne62 = uint64_t{1} << 62;

// a * b in Q62, rounded down or up. REQUIRES: a, b <= kOne62.
uint64_t Mul62(uint64_t a, uint64_t b, bool round_up) {
  const U128 p = static_cast<U128>(a) * b;
  return static_cast<uint64_t>((p >> 62) + (round_up && (p & (kOne62 - 1)) != 0 ? 1 : 0));
}

uint64_t Pow62(uint64_t x, int n, bool round_up) {
  uint64_t v = kOne62;
  for (int i = 0; i < n; ++i) v = Mul62(v, x, round_up);
  return v;
}

}  // namespace

int64_t PowFraction(int64_t x, int num, int den) {
  TD_CHECK(x >= 0 && x <= kProbOne);
  TD_CHECK(num >= 0 && num <= kMaxExponentTerm && den >= 1 && den <= kMaxExponentTerm);
  const uint64_t v = Pow62(static_cast<uint64_t>(x) << 32, num, /*round_up=*/false);
  if (den == 1) return static_cast<int64_t>(v >> 32);
  // The largest r with r^den <= v, by bisection (62 steps at most). The powers are rounded up
  // here: rounded down, every r below 2^(-62/den) would have a zero power and pass for the
  // root of 0. Rounded up, r^den is never underestimated, so r never exceeds the true root.
  uint64_t lo = 0, hi = kOne62;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo + 1) / 2;
    if (Pow62(mid, den, /*round_up=*/true) <= v) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return static_cast<int64_t>(lo >> 32);
}

// ---------------------------------------------------------------- L2QueueModel

void L2QueueModel::OnOrderPlaced(Qty level_qty) {
  TD_CHECK(level_qty.raw >= 0);
  placed_ = true;
  ahead_ = level_qty.raw;
  level_ = level_qty.raw;
  traded_since_level_ = 0;
}

void L2QueueModel::OnTrade(Qty qty) {
  TD_CHECK_MSG(placed_, "queue model: trade before the order was placed");
  TD_CHECK(qty.raw > 0);
  // Trades take the front of the queue first: what is ahead of us goes before we fill.
  ahead_ -= std::min(qty.raw, ahead_);
  traded_since_level_ += qty.raw;
}

void L2QueueModel::OnLevelChange(Qty new_level_qty) {
  TD_CHECK_MSG(placed_, "queue model: level change before the order was placed");
  TD_CHECK(new_level_qty.raw >= 0);
  // What the level would show now had only the reported trades happened; the trades already
  // moved us forward, so only the rest of a decrease is cancellation.
  const int64_t after_trades = std::max<int64_t>(0, level_ - traded_since_level_);
  const int64_t canceled = after_trades - new_level_qty.raw;
  if (canceled > 0) {
    TD_CHECK(ahead_ <= after_trades);
    const int64_t behind = after_trades - ahead_;
    int64_t from_ahead = CanceledAhead(canceled, ahead_, behind);
    // Whatever the queue behind us cannot account for was canceled ahead of us.
    from_ahead = std::clamp<int64_t>(std::max(from_ahead, canceled - behind), 0, ahead_);
    ahead_ -= from_ahead;
  }
  // An increase joins behind us. Never more ahead than the level displays.
  ahead_ = std::min(ahead_, new_level_qty.raw);
  level_ = new_level_qty.raw;
  traded_since_level_ = 0;
}

Qty L2QueueModel::FilledQty(Qty trade_qty) const {
  TD_CHECK_MSG(placed_, "queue model: fill query before the order was placed");
  return Qty{std::max<int64_t>(0, trade_qty.raw - ahead_)};
}

// ---------------------------------------------------------------- ProbabilisticQueueModel

ProbabilisticQueueModel::ProbabilisticQueueModel(int exponent_num, int exponent_den)
    : num_(exponent_num), den_(exponent_den) {
  TD_CHECK(num_ >= 0 && num_ <= kMaxExponentTerm && den_ >= 1 && den_ <= kMaxExponentTerm);
}

int64_t ProbabilisticQueueModel::CanceledAhead(int64_t canceled, int64_t ahead,
                                               int64_t behind) const {
  const __int128 total = static_cast<__int128>(ahead) + behind;
  if (total == 0) return 0;
  const auto x = static_cast<int64_t>(static_cast<__int128>(ahead) * kProbOne / total);
  const int64_t p_ahead = PowFraction(x, num_, den_);
  // The expected share, rounded down: credit the queue ahead no more than the model says.
  return static_cast<int64_t>((static_cast<__int128>(canceled) * p_ahead) >> 30);
}

// ---------------------------------------------------------------- configuration

Result<QueueModelConfig> ParseQueueModelConfig(std::string_view text) {
  QueueModelConfig c;
  if (text == "conservative") return c;
  constexpr std::string_view kProb = "probabilistic";
  if (text.substr(0, kProb.size()) != kProb) {
    return InvalidArgument("unknown queue model \"" + std::string(text) +
                           "\": expected conservative or probabilistic[:NUM/DEN]");
  }
  c.kind = QueueModelKind::kProbabilistic;
  std::string_view rest = text.substr(kProb.size());
  if (rest.empty()) return c;
  const size_t slash = rest.find('/');
  auto parse = [](std::string_view s, int* out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
  };
  if (rest[0] != ':' || slash == std::string_view::npos ||
      !parse(rest.substr(1, slash - 1), &c.exponent_num) ||
      !parse(rest.substr(slash + 1), &c.exponent_den)) {
    return InvalidArgument("queue model \"" + std::string(text) +
                           "\": expected probabilistic:NUM/DEN, e.g. probabilistic:3/2");
  }
  if (c.exponent_num < 0 || c.exponent_num > kMaxExponentTerm || c.exponent_den < 1 ||
      c.exponent_den > kMaxExponentTerm) {
    return OutOfRange("queue model \"" + std::string(text) + "\": exponent terms must be in 0.." +
                      std::to_string(kMaxExponentTerm) + " (denominator from 1)");
  }
  return c;
}

std::string QueueModelConfigText(const QueueModelConfig& config) {
  if (config.kind == QueueModelKind::kConservative) return "conservative";
  return "probabilistic:" + std::to_string(config.exponent_num) + "/" +
         std::to_string(config.exponent_den);
}

std::unique_ptr<QueueModel> MakeQueueModel(const QueueModelConfig& config) {
  if (config.kind == QueueModelKind::kConservative) {
    return std::make_unique<ConservativeQueueModel>();
  }
  return std::make_unique<ProbabilisticQueueModel>(config.exponent_num, config.exponent_den);
}

}  // namespace td::sim
