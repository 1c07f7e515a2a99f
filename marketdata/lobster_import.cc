// LOBSTER -> journal. See lobster_import.h for the record mapping.
#include "marketdata/lobster_import.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "core/fixed_point.h"
#include "marketdata/lobster_replay.h"

namespace td::marketdata {
namespace {

constexpr InstrumentId kInstrument = 1;

std::string TomlString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

L3Action ActionOf(LobsterType t) {
  switch (t) {
    case LobsterType::kAdd:
      return L3Action::kAdd;
    case LobsterType::kCancel:
      return L3Action::kCancel;
    case LobsterType::kDelete:
      return L3Action::kDelete;
    default:
      return L3Action::kExecute;
  }
}

}  // namespace

Result<LobsterImportStats> ImportLobster(const std::string& message_path,
                                         const std::string& orderbook_path,
                                         const std::string& out_dir,
                                         const LobsterImportOptions& options) {
  if (orderbook_path.empty()) {
    return InvalidArgument(message_path + ": the orderbook file is needed for the seed");
  }
  Result<std::unique_ptr<LobsterReader>> opened =
      LobsterReader::Open(message_path, orderbook_path, options.reader);
  if (!opened.ok()) return opened.status();
  LobsterReader& r = **opened;
  LobsterImportStats st;
  st.levels = r.levels();
  st.symbol = options.symbol.empty() ? r.file_name().symbol : options.symbol;

  // The first message is needed before anything is written: the seed depends on it.
  Result<bool> more = r.Next();
  if (!more.ok()) return more.status();
  if (!*more) return InvalidArgument(message_path + ": no messages");

  const LobsterFileName& fn = r.file_name();
  JournalHeader header;
  header.engine_name = "tapedeck import lobster";
  header.engine_build_id = "";
  header.session_kind = "import";
  header.config_text = "[import.lobster]\nmessage_file = " + TomlString(message_path) +
                       "\norderbook_file = " + TomlString(orderbook_path) +
                       "\nlevels = " + std::to_string(r.levels()) +
                       "\nutc_offset_s = " + std::to_string(r.utc_offset_s()) +
                       "\npseudo_id_base = " + std::to_string(kLobsterPseudoIdBase) + "\n";
  header.instruments.push_back(LobsterInstrument(kInstrument, st.symbol));
  const Timestamp first_ts = r.ToUtc(r.message().time_ns);
  const Timestamp session_start = r.ToUtc(fn.start_ms * 1'000'000);
  const Timestamp seed_ts = std::min(session_start, first_ts);
  header.created = seed_ts;

  Result<std::unique_ptr<journal::JournalWriter>> w =
      journal::JournalWriter::Create(out_dir, header, options.writer);
  if (!w.ok()) return w.status();
  journal::JournalWriter& out = **w;

  // Seed: the book before message 1.
  const LobsterWindow seed = SeedWindow(r.message(), r.row(), r.levels());
  L2Snapshot snap;
  snap.instrument = kInstrument;
  snap.exchange_ts = snap.receive_ts = seed_ts;
  for (const LobsterLevel& l : seed.bids.levels) {
    snap.bids.push_back({LobsterPrice(l.price), Qty{l.size}});
  }
  for (const LobsterLevel& l : seed.asks.levels) {
    snap.asks.push_back({LobsterPrice(l.price), Qty{l.size}});
  }
  out.Append(seed_ts, snap);
  ++st.records;
  VenueOrderId pseudo = kLobsterPseudoIdBase;
  for (Side s : {Side::kBuy, Side::kSell}) {
    for (const LobsterLevel& l : seed.side(s).levels) {
      L3Order o;
      o.instrument = kInstrument;
      o.action = L3Action::kAdd;
      o.side = s;
      o.order_id = ++pseudo;
      o.price = LobsterPrice(l.price);
      o.qty = Qty{l.size};
      o.exchange_ts = o.receive_ts = seed_ts;
      out.Append(seed_ts, o);
      ++st.records;
      ++st.seed_levels;
    }
  }

  // One record per message (two for a cross).
  st.first_ts = first_ts;
  do {
    const LobsterMessage& m = r.message();
    const Timestamp ts = r.ToUtc(m.time_ns);
    st.last_ts = ts;
    ++st.messages;
    switch (m.type) {
      case LobsterType::kAdd:
      case LobsterType::kCancel:
      case LobsterType::kDelete:
      case LobsterType::kExecute: {
        L3Order o;
        o.instrument = kInstrument;
        o.action = ActionOf(m.type);
        o.side = m.side();
        o.order_id = static_cast<VenueOrderId>(m.order_id);
        o.price = LobsterPrice(m.price);
        o.qty = Qty{m.size};
        o.exchange_ts = o.receive_ts = ts;
        out.Append(ts, o);
        ++st.l3_orders;
        break;
      }
      case LobsterType::kExecuteHidden:
      case LobsterType::kCross: {
        if (m.type == LobsterType::kCross) {
          out.Append(ts, Annotation{"LOBSTER type 6 auction cross, pseudo order id " +
                                    std::to_string(m.order_id) + ", " + std::to_string(m.size) +
                                    " @ " + FormatDecimal(m.price, 4) + " (" + message_path + ":" +
                                    std::to_string(r.line()) + ")"});
          ++st.annotations;
          ++st.records;
        }
        Trade t;
        t.instrument = kInstrument;
        t.price = LobsterPrice(m.price);
        t.qty = Qty{m.size};
        // Direction is the resting (hidden) order's side; the aggressor is the other one.
        t.aggressor = m.type == LobsterType::kCross ? Side::kNone : Opposite(m.side());
        t.trade_id = r.line();
        t.exchange_ts = t.receive_ts = ts;
        out.Append(ts, t);
        ++st.trades;
        break;
      }
      case LobsterType::kHalt: {
        TradingStatus s;
        s.instrument = kInstrument;
        s.state = m.price < 0    ? TradingState::kHalted
                  : m.price == 0 ? TradingState::kQuoting
                                 : TradingState::kTrading;
        s.exchange_ts = s.receive_ts = ts;
        out.Append(ts, s);
        ++st.statuses;
        break;
      }
    }
    ++st.records;
    more = r.Next();
    if (!more.ok()) {
      Status closed = out.Close();
      (void)closed;  // the input error is the one to report
      return more.status();
    }
  } while (*more);
  st.time_artefacts = r.time_artefacts();
  TD_RETURN_IF_ERROR(out.Close());
  const journal::WriterStats ws = out.stats();
  if (ws.dropped != 0 || ws.appended != st.records) {
    return Status(StatusCode::kInternal, out_dir + ": journaled " + std::to_string(ws.appended) +
                                             " of " + std::to_string(st.records) + " records");
  }
  return st;
}

}  // namespace td::marketdata
