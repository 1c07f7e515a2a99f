// LOBSTER book reconstruction: seeding, reconciliation of the visible window, message
// application and row comparison. See lobster_replay.h and docs/lobster-replay.md.
#include "marketdata/lobster_replay.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "core/fixed_point.h"

namespace td::marketdata {
namespace {

using sim::BookEvent;
using sim::BookEventKind;

// A ledger is compacted (ids that left the book dropped) when it reaches this many ids, and
// then again at twice its compacted size: amortised O(1) per add.
constexpr size_t kLedgerCompactMin = 64;

bool Better(Side side, int64_t a, int64_t b) { return side == Side::kBuy ? a > b : a < b; }

bool Within(Side side, int64_t price, const std::optional<int64_t>& boundary) {
  return !boundary.has_value() || !Better(side, *boundary, price);
}

int64_t ToLobster(Price p) { return p.raw / kLobsterPriceScale; }

std::string Dollars(int64_t lobster_price) { return FormatDecimal(lobster_price, 4); }

// A plain limit order, day, fully displayed.
sim::OrderSpec Limit(VenueOrderId id, sim::ParticipantId owner, Side side, int64_t lobster_price,
                     int64_t qty) {
  sim::OrderSpec spec;
  spec.id = id;
  spec.owner = owner;
  spec.side = side;
  spec.price = LobsterPrice(lobster_price);
  spec.qty = Qty{qty};
  return spec;
}

void SideOfRow(const std::vector<LobsterLevel>& levels, int max, LobsterSideWindow* out) {
  out->levels = levels;
  out->boundary.reset();
  if (static_cast<int>(levels.size()) == max && !levels.empty())
    out->boundary = levels.back().price;
}

}  // namespace

void RowWindow(const LobsterBookRow& row, int levels, LobsterWindow* out) {
  SideOfRow(row.bids, levels, &out->bids);
  SideOfRow(row.asks, levels, &out->asks);
}

LobsterWindow SeedWindow(const LobsterMessage& first, const LobsterBookRow& first_row, int levels,
                         uint64_t* undo_conflicts) {
  LobsterWindow w;
  RowWindow(first_row, levels, &w);
  std::vector<LobsterLevel>& side = w.side(first.side()).levels;
  auto it = std::find_if(side.begin(), side.end(),
                         [&](const LobsterLevel& l) { return l.price == first.price; });
  switch (first.type) {
    case LobsterType::kAdd:
      // The add created or grew its level: take it out again.
      if (it == side.end() || it->size < first.size) {
        if (undo_conflicts != nullptr) ++*undo_conflicts;
        if (it != side.end()) side.erase(it);
      } else if ((it->size -= first.size) == 0) {
        side.erase(it);
      }
      break;
    case LobsterType::kCancel:
    case LobsterType::kDelete:
    case LobsterType::kExecute:
      // The shares it removed were there before; the level too, if it emptied it.
      if (it != side.end()) {
        it->size += first.size;
      } else {
        auto pos = std::find_if(side.begin(), side.end(), [&](const LobsterLevel& l) {
          return Better(first.side(), first.price, l.price);
        });
        side.insert(pos, {first.price, first.size});
      }
      break;
    default:
      break;  // hidden executions, crosses and halts leave the visible book alone
  }
  return w;
}

LobsterReplay::LobsterReplay(const InstrumentDef& instrument, int levels,
                             LobsterReplayOptions options)
    : book_(instrument, sim::BookOptions{.initial_order_capacity = 1u << 16}),
      levels_(levels),
      options_(options) {
  TD_CHECK(levels >= 1 && levels <= kMaxLobsterLevels);
  events_.reserve(256);
  compare_buf_.resize(static_cast<size_t>(levels));
}

void LobsterReplay::Substitute(VenueOrderId historical_id, VenueOrderId our_id,
                               sim::ParticipantId owner) {
  TD_CHECK(owner != sim::kMarket && !IsLobsterPseudoId(our_id) && our_id > (VenueOrderId{1} << 32));
  subs_[historical_id] = Substitution{.our_id = our_id, .owner = owner};
}

void LobsterReplay::Step(const LobsterMessage& m, const LobsterBookRow& row, Timestamp ts) {
  events_.clear();
  if (!seeded_) {
    Seed(m, row);
  } else {
    Reconcile(prev_);
  }
  Apply(m, ts);
  ++stats_.rows;
  if (options_.compare) {
    if (Compare(row, stats_.rows)) {
      ++stats_.matched;
    } else {
      ++stats_.mismatched;
    }
  }
  RowWindow(row, levels_, &prev_);
}

// ---------------------------------------------------------------- seeding and reconciling

void LobsterReplay::Seed(const LobsterMessage& m, const LobsterBookRow& row) {
  prev_ = SeedWindow(m, row, levels_);
  for (Side s : {Side::kBuy, Side::kSell}) {
    for (const LobsterLevel& l : prev_.side(s).levels) {
      AddPlaceholder(s, l.price, l.size);
      ++stats_.seeded_levels;
    }
  }
  seeded_ = true;
}

// Makes the book agree with the previous row on every level the row shows, and removes the
// levels the book has inside the row's window that the row does not show. Removals and
// reductions on both sides come before additions, so an addition never meets a stale level
// of the other side.
void LobsterReplay::Reconcile(const LobsterWindow& prev) {
  const bool add_bids = ReconcileSide(Side::kBuy, prev.bids, /*add_phase=*/false);
  const bool add_asks = ReconcileSide(Side::kSell, prev.asks, false);
  if (add_bids) ReconcileSide(Side::kBuy, prev.bids, true);
  if (add_asks) ReconcileSide(Side::kSell, prev.asks, true);
}

// The removal phase returns whether the addition phase has work: a level of the window that
// the book lacks or holds short.
bool LobsterReplay::ReconcileSide(Side side, const LobsterSideWindow& w, bool add_phase) {
  size_t n = LevelsWithin(side, w.boundary);
  // Merge the book's levels (best first) with the window's (best first).
  size_t j = 0;
  const std::vector<LobsterLevel>& want = w.levels;
  // Copy what is needed: the operations below change the book (and levels_buf_).
  struct Seen {
    int64_t price, qty;
  };
  Seen seen_buf[kMaxLobsterLevels + 8];
  std::vector<Seen> seen_heap;
  Seen* seen = seen_buf;
  if (n > std::size(seen_buf)) {
    seen_heap.resize(n);
    seen = seen_heap.data();
  }
  size_t kept = 0;
  for (size_t i = 0; i < n; ++i) {
    const int64_t p = ToLobster(levels_buf_[i].price);
    const int64_t q = HistoricalQty(side, p, levels_buf_[i].qty.raw);
    if (q > 0) seen[kept++] = {p, q};  // 0: only ours rest there, history has no level
  }
  n = kept;
  if (!add_phase) {
    size_t present = 0;  // window levels the book holds with at least their size
    for (size_t i = 0; i < n; ++i) {
      while (j < want.size() && Better(side, want[j].price, seen[i].price)) ++j;
      if (j < want.size() && want[j].price == seen[i].price) {
        present += seen[i].qty >= want[j].size;
        if (seen[i].qty > want[j].size) {
          ReduceUnattributed(side, seen[i].price, seen[i].qty - want[j].size);
          ++stats_.levels_learned;
          stats_.learned_qty += seen[i].qty - want[j].size;
        }
      } else {
        RemoveLevel(side, seen[i].price);
        ++stats_.levels_dropped;
      }
    }
    return present < want.size();
  }
  size_t i = 0;
  for (const LobsterLevel& l : want) {
    while (i < n && Better(side, seen[i].price, l.price)) ++i;
    const int64_t have = i < n && seen[i].price == l.price ? seen[i].qty : 0;
    if (have < l.size) {
      AddPlaceholder(side, l.price, l.size - have);
      ++stats_.levels_learned;
      stats_.learned_qty += l.size - have;
    }
  }
  return false;
}

size_t LobsterReplay::LevelsWithin(Side side, const std::optional<int64_t>& boundary) {
  size_t n = static_cast<size_t>(levels_) + 4;
  for (;;) {
    if (levels_buf_.size() < n) levels_buf_.resize(n);
    const size_t k = book_.Levels(side, n, levels_buf_.data());
    size_t within = 0;
    while (within < k && Within(side, ToLobster(levels_buf_[within].price), boundary)) ++within;
    if (within < k || k < n) return within;
    n *= 2;
  }
}

int64_t LobsterReplay::HistoricalQty(Side side, int64_t price, int64_t book_qty) const {
  if (subs_.empty()) return book_qty;
  auto it = sub_levels_.find(Key(side, price));
  if (it == sub_levels_.end()) return book_qty;
  int64_t q = book_qty;
  for (VenueOrderId hid : it->second) {
    const Substitution& s = subs_.at(hid);
    q += s.hist_leaves;
    if (auto v = book_.Find(s.our_id); v.has_value() && !v->parked_stop) q -= v->displayed_qty.raw;
  }
  return q;
}

// ---------------------------------------------------------------- ledger and placeholders

std::vector<VenueOrderId>& LobsterReplay::Ledger(Side side, int64_t price) {
  return ledger_[Key(side, price)].ids;
}

void LobsterReplay::Track(Side side, int64_t price, VenueOrderId id) {
  LevelLedger& l = ledger_[Key(side, price)];
  l.ids.push_back(id);
  if (l.compact_at == 0) l.compact_at = kLedgerCompactMin;
  if (l.ids.size() >= l.compact_at) {
    // TODO(perf): Find() walks the queue ahead of each id; fine for LOBSTER's short queues.
    std::erase_if(l.ids, [&](VenueOrderId x) { return !book_.Find(x).has_value(); });
    l.compact_at = std::max(kLedgerCompactMin, 2 * l.ids.size());
  }
}

void LobsterReplay::AddPlaceholder(Side side, int64_t price, int64_t qty) {
  TD_CHECK(qty > 0);
  const VenueOrderId id = ++next_pseudo_;
  const size_t from = events_.size();
  book_.Submit(Limit(id, sim::kMarket, side, price, qty), Timestamp{}, &events_);
  Run(from);
  Track(side, price, id);
}

void LobsterReplay::ReduceUnattributed(Side side, int64_t price, int64_t qty) {
  std::vector<VenueOrderId>& ids = Ledger(side, price);
  // One pass over placeholders front to back, one over historical orders back to front.
  auto take = [&](VenueOrderId id) -> bool {  // false: `id` left the book (drop it)
    book_.Cancel(id, Qty{qty}, &events_);
    const BookEvent& e = events_.back();
    if (e.kind != BookEventKind::kCanceled) return false;
    qty -= e.qty.raw;
    return e.leaves_qty.raw > 0;
  };
  for (size_t i = 0; i < ids.size() && qty > 0; ++i) {
    if (IsLobsterPseudoId(ids[i]) && !take(ids[i])) ids[i] = 0;
  }
  for (size_t i = ids.size(); i-- > 0 && qty > 0;) {
    const VenueOrderId id = ids[i];
    if (id == 0 || IsLobsterPseudoId(id) || our_ids_.count(id) != 0) continue;
    if (!take(id)) ids[i] = 0;
  }
  std::erase(ids, VenueOrderId{0});
  stats_.unresolved_qty += static_cast<uint64_t>(qty);
}

void LobsterReplay::RemoveLevel(Side side, int64_t price) {
  std::vector<VenueOrderId>& ids = Ledger(side, price);
  for (VenueOrderId& id : ids) {
    if (our_ids_.count(id) != 0) continue;
    book_.Cancel(id, Qty{0}, &events_);
    id = 0;
  }
  std::erase(ids, VenueOrderId{0});
}

void LobsterReplay::Run(size_t from) {
  for (size_t i = from; i < events_.size(); ++i) {
    if (events_[i].kind == BookEventKind::kFill) ++stats_.unexpected_fills;
  }
}

// ---------------------------------------------------------------- messages

void LobsterReplay::Apply(const LobsterMessage& m, Timestamp ts) {
  Substitution* sub = nullptr;
  if (!subs_.empty() && m.type >= LobsterType::kAdd && m.type <= LobsterType::kExecute) {
    auto it = subs_.find(static_cast<VenueOrderId>(m.order_id));
    if (it != subs_.end()) sub = &it->second;
  }
  if (sub != nullptr) {
    ApplyToSubstitute(m, sub, ts);
    return;
  }
  switch (m.type) {
    case LobsterType::kAdd: {
      const size_t from = events_.size();
      const auto id = static_cast<VenueOrderId>(m.order_id);
      book_.Submit(Limit(id, sim::kMarket, m.side(), m.price, m.size), ts, &events_);
      if (events_[from].kind == BookEventKind::kRejected) {
        ++stats_.rejected_adds;
        return;
      }
      Run(from);
      Track(m.side(), m.price, id);
      return;
    }
    case LobsterType::kCancel:
    case LobsterType::kDelete:
      CancelKnown(m);
      return;
    case LobsterType::kExecute:
      ExecuteKnown(m);
      return;
    case LobsterType::kExecuteHidden:
      ++stats_.hidden_executions;
      return;
    case LobsterType::kCross:
      ++stats_.crosses;
      return;
    case LobsterType::kHalt:
      ++stats_.halts;
      return;
  }
}

void LobsterReplay::CancelKnown(const LobsterMessage& m) {
  book_.Cancel(static_cast<VenueOrderId>(m.order_id), Qty{m.size}, &events_);
  const BookEvent& e = events_.back();
  if (e.kind != BookEventKind::kCanceled) {
    ++stats_.unknown_order_refs;
    ReduceUnattributed(m.side(), m.price, m.size);
    return;
  }
  const int64_t removed = e.qty.raw;
  if (m.type == LobsterType::kDelete && e.leaves_qty.raw > 0) ++stats_.delete_leftovers;
  if (removed < m.size) {
    ++stats_.attribution_shortfalls;
    ReduceUnattributed(m.side(), m.price, m.size - removed);
  }
}

void LobsterReplay::ExecuteKnown(const LobsterMessage& m) {
  const auto id = static_cast<VenueOrderId>(m.order_id);
  const size_t from = events_.size();
  book_.ExecuteHistorical(id, Qty{m.size}, &events_);
  if (events_[from].kind == BookEventKind::kRejected) {
    ++stats_.unknown_order_refs;
    ReduceUnattributed(m.side(), m.price, m.size);
    return;
  }
  int64_t absorbed = 0;
  for (size_t i = from; i < events_.size(); ++i) {
    if (events_[i].kind == BookEventKind::kFill) absorbed += events_[i].qty.raw;
  }
  if (absorbed < m.size) {
    // The order had less than the feed executed: the rest rested in liquidity the book
    // attributes elsewhere at that level.
    ++stats_.attribution_shortfalls;
    ReduceUnattributed(m.side(), m.price, m.size - absorbed);
  }
}

void LobsterReplay::ApplyToSubstitute(const LobsterMessage& m, Substitution* sub, Timestamp ts) {
  const size_t from = events_.size();
  switch (m.type) {
    case LobsterType::kAdd: {
      sub->side = m.side();
      sub->price = m.price;
      sub->hist_leaves = m.size;
      our_ids_.insert(sub->our_id);
      book_.Submit(Limit(sub->our_id, sub->owner, m.side(), m.price, m.size), ts, &events_);
      Run(from);
      if (events_[from].kind != BookEventKind::kRejected) {
        Track(m.side(), m.price, sub->our_id);
        sub_levels_[Key(m.side(), m.price)].push_back(static_cast<VenueOrderId>(m.order_id));
      }
      return;
    }
    case LobsterType::kCancel:
    case LobsterType::kDelete: {
      // The historical owner withdrew (part of) the order: ours does the same. A delete
      // withdraws whatever ours still has.
      const int64_t q = m.type == LobsterType::kDelete ? 0 : m.size;
      book_.Cancel(sub->our_id, Qty{q}, &events_);
      const BookEvent& e = events_.back();
      if (e.kind != BookEventKind::kCanceled || (q > 0 && e.qty.raw < q)) ++stats_.our_refs_clamped;
      break;
    }
    case LobsterType::kExecute: {
      // The aggressor that hit the historical order hits ours, which holds its FIFO place.
      book_.ExecuteHistorical(sub->our_id, Qty{m.size}, &events_);
      int64_t got = 0;
      for (size_t i = from; i < events_.size(); ++i) {
        if (events_[i].kind == BookEventKind::kFill) got += events_[i].qty.raw;
      }
      if (got < m.size) ++stats_.our_refs_clamped;
      break;
    }
    default:
      break;
  }
  sub->hist_leaves = std::max<int64_t>(0, sub->hist_leaves - m.size);
  if (m.type == LobsterType::kDelete) sub->hist_leaves = 0;
}

// ---------------------------------------------------------------- comparing

bool LobsterReplay::Compare(const LobsterBookRow& row, uint64_t row_number) {
  std::string diff;
  bool ok = CompareSide(Side::kBuy, row.bids, prev_.bids.boundary, &diff);
  if (ok) ok = CompareSide(Side::kSell, row.asks, prev_.asks.boundary, &diff);
  for (Side s : {Side::kBuy, Side::kSell}) {
    const std::vector<LobsterLevel>& lv = row.side(s);
    if (!lv.empty() && !Within(s, lv.back().price, prev_.side(s).boundary)) {
      ++stats_.rows_with_entering_levels;
      break;
    }
  }
  if (!ok && !stats_.first_mismatch_row.has_value()) {
    stats_.first_mismatch_row = row_number;
    stats_.first_mismatch = "row " + std::to_string(row_number) + ": " + diff;
  }
  return ok;
}

bool LobsterReplay::CompareSide(Side side, const std::vector<LobsterLevel>& want,
                                const std::optional<int64_t>& boundary, std::string* diff) {
  const size_t all = LevelsWithin(side, boundary);
  // The book's levels as history sees them: levels where only ours rest are left out.
  size_t n = 0;
  for (size_t i = 0; i < all && n < static_cast<size_t>(levels_); ++i) {
    const int64_t p = ToLobster(levels_buf_[i].price);
    const int64_t q = HistoricalQty(side, p, levels_buf_[i].qty.raw);
    if (q > 0) compare_buf_[n++] = {p, q};
  }
  size_t k = 0;  // the row's levels within the boundary: a prefix
  while (k < want.size() && Within(side, want[k].price, boundary)) ++k;
  const std::string_view name = side == Side::kBuy ? "bid" : "ask";
  for (size_t i = 0; i < std::max(n, k); ++i) {
    const LobsterLevel have = i < n ? compare_buf_[i] : LobsterLevel{};
    const LobsterLevel file = i < k ? want[i] : LobsterLevel{};
    if (have == file) continue;
    auto text = [](const LobsterLevel& l) {
      return l.size == 0 ? std::string("none") : Dollars(l.price) + " x " + std::to_string(l.size);
    };
    *diff = std::string(name) + " level " + std::to_string(i + 1) + ": file " + text(file) +
            ", book " + text(have);
    return false;
  }
  return true;
}

// ---------------------------------------------------------------- the whole file

Result<LobsterCheckResult> CheckLobster(const std::string& message_path,
                                        const std::string& orderbook_path,
                                        LobsterReplayOptions options,
                                        const LobsterReaderOptions& reader_options) {
  if (orderbook_path.empty()) return InvalidArgument("check-lobster needs the orderbook file");
  Result<std::unique_ptr<LobsterReader>> opened =
      LobsterReader::Open(message_path, orderbook_path, reader_options);
  if (!opened.ok()) return opened.status();
  LobsterReader& r = **opened;
  LobsterReplay replay(LobsterInstrument(1, r.file_name().symbol), r.levels(), options);
  for (;;) {
    Result<bool> more = r.Next();
    if (!more.ok()) return more.status();
    if (!*more) break;
    replay.Step(r.message(), r.row(), r.ToUtc(r.message().time_ns));
  }
  LobsterCheckResult out;
  out.stats = replay.stats();
  out.levels = r.levels();
  out.time_artefacts = r.time_artefacts();
  return out;
}

}  // namespace td::marketdata
