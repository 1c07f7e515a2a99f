// Fidelity of the simulated book against LOBSTER history. See lobster_fidelity.h.
#include "marketdata/lobster_fidelity.h"

#include <algorithm>
#include <memory>
#include <unordered_map>
#include <utility>

#include "core/rng.h"

namespace td::marketdata {
namespace {

// An add's life as the message file tells it (pass 1).
struct Life {
  uint64_t add_row = 0;
  Side side = Side::kNone;
  int64_t price = 0;
  int64_t size = 0;
  int64_t left = 0;
  uint32_t executions = 0;
  bool broken = false;  // an event after its end, or more removed than it had
};

// Fills aggregated per time: (time_ns, qty), times increasing.
using FillTimes = std::vector<std::pair<int64_t, int64_t>>;

void AddFill(FillTimes* f, int64_t time_ns, int64_t qty) {
  if (!f->empty() && f->back().first == time_ns) {
    f->back().second += qty;
  } else {
    f->push_back({time_ns, qty});
  }
}

// Pass 1: the adds whose whole life is in the file (their published cancels, deletes and
// executions add up to their size), in the order of their adds.
Result<std::vector<Life>> FindCandidates(const std::string& message_path,
                                         const LobsterReaderOptions& reader_options,
                                         std::vector<VenueOrderId>* ids) {
  Result<std::unique_ptr<LobsterReader>> r = LobsterReader::Open(message_path, "", reader_options);
  if (!r.ok()) return r.status();
  std::unordered_map<VenueOrderId, Life> lives;  // lookups only
  std::vector<VenueOrderId> order;
  for (;;) {
    Result<bool> more = (*r)->Next();
    if (!more.ok()) return more.status();
    if (!*more) break;
    const LobsterMessage& m = (*r)->message();
    const auto id = static_cast<VenueOrderId>(m.order_id);
    if (m.type == LobsterType::kAdd) {
      auto [it, fresh] = lives.try_emplace(id);
      if (!fresh) {
        it->second.broken = true;  // a reused id: not a clean life
        continue;
      }
      it->second = Life{.add_row = (*r)->line(),
                        .side = m.side(),
                        .price = m.price,
                        .size = m.size,
                        .left = m.size};
      order.push_back(id);
      continue;
    }
    if (m.type != LobsterType::kCancel && m.type != LobsterType::kDelete &&
        m.type != LobsterType::kExecute) {
      continue;
    }
    auto it = lives.find(id);
    if (it == lives.end()) continue;
    Life& l = it->second;
    if (l.left <= 0 || m.size > l.left || m.price != l.price || m.side() != l.side) {
      l.broken = true;
      continue;
    }
    l.left -= m.size;
    if (m.type == LobsterType::kExecute) ++l.executions;
    if (m.type == LobsterType::kDelete && l.left != 0) l.broken = true;
  }
  std::vector<Life> out;
  for (VenueOrderId id : order) {
    const Life& l = lives.at(id);
    if (!l.broken && l.left == 0) {
      out.push_back(l);
      ids->push_back(id);
    }
  }
  return out;
}

}  // namespace

Result<LobsterFidelityResult> RunLobsterFidelity(const std::string& message_path,
                                                 const std::string& orderbook_path,
                                                 const LobsterFidelityOptions& options) {
  if (options.orders > kMaxFidelityOrders) {
    return InvalidArgument("--orders " + std::to_string(options.orders) + " exceeds " +
                           std::to_string(kMaxFidelityOrders));
  }
  std::vector<VenueOrderId> candidate_ids;
  Result<std::vector<Life>> lives = FindCandidates(message_path, options.reader, &candidate_ids);
  if (!lives.ok()) return lives.status();
  LobsterFidelityResult res;
  res.candidates = lives->size();
  std::vector<size_t> pool;
  for (size_t i = 0; i < lives->size(); ++i) {
    if ((*lives)[i].executions > 0) ++res.candidates_with_fills;
    if (!options.filled_only || (*lives)[i].executions > 0) pool.push_back(i);
  }

  // The draw: a partial Fisher-Yates shuffle of the pool with td::Rng, then the add order.
  Rng rng(options.seed);
  const size_t n = static_cast<size_t>(std::min<uint64_t>(options.orders, pool.size()));
  for (size_t k = 0; k < n; ++k) {
    const size_t j = k + static_cast<size_t>(rng.UniformBelow(pool.size() - k));
    std::swap(pool[k], pool[j]);
  }
  pool.resize(n);
  std::sort(pool.begin(), pool.end());

  Result<std::unique_ptr<LobsterReader>> opened =
      LobsterReader::Open(message_path, orderbook_path, options.reader);
  if (!opened.ok()) return opened.status();
  LobsterReader& r = **opened;
  LobsterReplay replay(LobsterInstrument(1, r.file_name().symbol), r.levels());

  std::unordered_map<VenueOrderId, size_t> by_hist, by_ours;  // -> index in per_order
  res.per_order.reserve(n);
  for (size_t k = 0; k < n; ++k) {
    const Life& l = (*lives)[pool[k]];
    LobsterFidelityOrder o;
    o.historical_id = candidate_ids[pool[k]];
    o.our_id = kLobsterOurIdBase + k + 1;
    o.add_row = l.add_row;
    o.side = l.side;
    o.price = l.price;
    o.qty = l.size;
    by_hist[o.historical_id] = k;
    by_ours[o.our_id] = k;
    replay.Substitute(o.historical_id, o.our_id, kLobsterOurOwner);
    res.per_order.push_back(o);
  }
  std::vector<FillTimes> hist_fills(n), our_fills(n);

  for (;;) {
    Result<bool> more = r.Next();
    if (!more.ok()) return more.status();
    if (!*more) break;
    const LobsterMessage& m = r.message();
    replay.Step(m, r.row(), r.ToUtc(m.time_ns));
    if (m.type == LobsterType::kExecute) {
      auto it = by_hist.find(static_cast<VenueOrderId>(m.order_id));
      if (it != by_hist.end()) AddFill(&hist_fills[it->second], m.time_ns, m.size);
    }
    for (const sim::BookEvent& e : replay.events()) {
      if (e.kind != sim::BookEventKind::kFill) continue;
      // Ours as the resting order (the usual case), or as the taker.
      for (VenueOrderId id : {e.maker_id, e.order_id}) {
        auto it = by_ours.find(id);
        if (it != by_ours.end()) AddFill(&our_fills[it->second], m.time_ns, e.qty.raw);
      }
    }
  }

  res.orders = n;
  for (size_t k = 0; k < n; ++k) {
    LobsterFidelityOrder& o = res.per_order[k];
    for (const auto& [t, q] : hist_fills[k]) o.hist_filled_qty += q;
    for (const auto& [t, q] : our_fills[k]) o.our_filled_qty += q;
    o.hist_fill_times = static_cast<uint32_t>(hist_fills[k].size());
    o.our_fill_times = static_cast<uint32_t>(our_fills[k].size());
    o.exact = hist_fills[k] == our_fills[k];
    res.exact += o.exact;
    res.same_filled_qty += o.hist_filled_qty == o.our_filled_qty;
    if (o.hist_filled_qty > 0) {
      ++res.orders_with_fills;
      res.exact_with_fills += o.exact;
    }
    res.hist_filled_qty += o.hist_filled_qty;
    res.our_filled_qty += o.our_filled_qty;
    res.abs_error_qty += std::abs(o.our_filled_qty - o.hist_filled_qty);
  }
  res.filled_qty_error_pct = res.hist_filled_qty == 0
                                 ? 0.0
                                 : static_cast<double>(res.abs_error_qty) * 100.0 /
                                       static_cast<double>(res.hist_filled_qty);
  res.replay = replay.stats();
  return res;
}

}  // namespace td::marketdata
