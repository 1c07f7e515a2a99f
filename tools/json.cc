#include "tools/json.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/calendar.h"
#include "core/fixed_point.h"

namespace td::tools {
namespace {

// ---------------------------------------------------------------- enum names

// names[i] is the name of the enumerator with value i; "" marks a value with no enumerator.
template <typename E, size_t N>
std::string_view EnumName(E v, const std::array<std::string_view, N>& names) {
  const auto i = static_cast<size_t>(v);
  return i < N && !names[i].empty() ? names[i] : "unknown";
}

// Hand-aligned tables: clang-format would put one name a line.
// clang-format off
std::string_view Name(L3Action v) {
  static constexpr std::array<std::string_view, 8> k = {
      "", "add", "modify", "cancel", "delete", "execute", "execute_hidden", "cross"};
  return EnumName(v, k);
}
std::string_view Name(TradingState v) {
  static constexpr std::array<std::string_view, 5> k = {
      "", "halted", "quoting", "trading", "closed"};
  return EnumName(v, k);
}
std::string_view Name(OrdStatus v) {
  static constexpr std::array<std::string_view, 12> k = {
      "", "pending_new", "new", "partially_filled", "filled", "pending_cancel",
      "pending_replace", "canceled", "replaced", "rejected", "expired", "unknown"};
  return EnumName(v, k);
}
std::string_view Name(RejectReason v) {
  static constexpr std::array<std::string_view, 15> k = {
      "none", "unknown_symbol", "exchange_closed", "order_exceeds_limit", "too_late_to_cancel",
      "unknown_order", "duplicate_order", "invalid_price", "invalid_qty", "price_band",
      "post_only_would_cross", "self_trade", "risk_limit", "rate_limited", "other"};
  return EnumName(v, k);
}
std::string_view Name(Liquidity v) {
  static constexpr std::array<std::string_view, 3> k = {
      "none", "maker", "taker"};
  return EnumName(v, k);
}
std::string_view Name(CancelRejectOf v) {
  static constexpr std::array<std::string_view, 3> k = {
      "", "cancel", "replace"};
  return EnumName(v, k);
}
std::string_view Name(OrderAction v) {
  static constexpr std::array<std::string_view, 6> k = {
      "", "new", "cancel", "replace", "status", "mass_cancel"};
  return EnumName(v, k);
}
std::string_view Name(SessionStateKind v) {
  static constexpr std::array<std::string_view, 7> k = {
      "", "connecting", "connected", "logged_on", "resend_requested", "logged_out",
      "disconnected"};
  return EnumName(v, k);
}
std::string_view Name(OperatorCommandKind v) {
  static constexpr std::array<std::string_view, 5> k = {
      "", "kill_switch", "pause", "resume", "set_param"};
  return EnumName(v, k);
}
std::string_view Name(OrdType v) {
  static constexpr std::array<std::string_view, 5> k = {
      "", "limit", "market", "stop", "stop_limit"};
  return EnumName(v, k);
}
std::string_view Name(TimeInForce v) {
  static constexpr std::array<std::string_view, 5> k = {
      "", "day", "gtc", "ioc", "fok"};
  return EnumName(v, k);
}
std::string_view Name(RiskEventKind v) {
  static constexpr std::array<std::string_view, 7> k = {
      "", "breach", "kill_switch_fired", "kill_switch_flat", "kill_switch_deadline", "halted",
      "resumed"};
  return EnumName(v, k);
}
std::string_view Name(RiskAction v) {
  static constexpr std::array<std::string_view, 5> k = {
      "none", "reject", "halt_new", "cancel_all", "flatten"};
  return EnumName(v, k);
}
std::string_view Name(WireDirection v) {
  static constexpr std::array<std::string_view, 3> k = {
      "", "inbound", "outbound"};
  return EnumName(v, k);
}
std::string_view Name(AssetClass v) {
  static constexpr std::array<std::string_view, 6> k = {
      "unknown", "equity", "crypto", "future", "option", "fx"};
  return EnumName(v, k);
}
std::string_view Name(Side v) {
  static constexpr std::array<std::string_view, 3> k = {
      "none", "buy", "sell"};
  return EnumName(v, k);
}
// clang-format on

// ---------------------------------------------------------------- bytes and strings

// Length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629, table 3-7 of the
// Unicode standard), or 0 when the bytes there are not one.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t c = b(i);
  if (c < 0x80) return 1;
  size_t len = 0;
  uint8_t lo = 0x80, hi = 0xbf;  // allowed range of the second byte
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;  // no UTF-16 surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size() || b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (b(i + k) < 0x80 || b(i + k) > 0xbf) return 0;
  }
  return len;
}

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<uint8_t>(c) >= 0x80) return false;
  }
  return true;
}

// Journaled strings are bytes; JSON needs UTF-8. Each byte that does not start a well-formed
// sequence becomes U+FFFD, so both JSON forms hold exactly the same text.
std::string ValidUtf8(std::string_view s) {
  if (IsAscii(s)) return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      out.append("\xef\xbf\xbd");
      ++i;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

// FIX messages separate fields with SOH; '|' is how people write them down.
std::string WireReadable(const std::string& bytes) {
  std::string s = bytes;
  for (char& c : s) {
    if (c == '\x01') c = '|';
  }
  return ValidUtf8(s);
}

std::string HexBytes(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto c = static_cast<uint8_t>(bytes[i]);
    out[2 * i] = kDigits[c >> 4];
    out[2 * i + 1] = kDigits[c & 0xf];
  }
  return out;
}

// A JSON string literal (RFC 8259 section 7). REQUIRES: s is valid UTF-8.
void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<uint8_t>(c) < 0x20) {
          fmt::format_to(std::back_inserter(*out), "\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

// A quoted string for the text form: C escapes for quotes, backslashes and control bytes,
// so that a record stays on one line whatever its strings hold.
void AppendQuoted(std::string_view raw, std::string* out) {
  const std::string s = ValidUtf8(raw);
  out->push_back('"');
  for (char c : s) {
    const auto u = static_cast<uint8_t>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (c == '\n') {
      out->append("\\n");
    } else if (u < 0x20 || u == 0x7f) {
      fmt::format_to(std::back_inserter(*out), "\\x{:02x}", static_cast<unsigned>(u));
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

// ---------------------------------------------------------------- quantities

// The instrument's qty_decimals from the header, or nullopt when it is not described there.
std::optional<int> QtyDecimals(const JournalHeader* h, InstrumentId id) {
  if (h == nullptr || id == 0) return std::nullopt;
  // Ids are normally positions from 1; fall back to a search for tables numbered otherwise.
  if (id <= h->instruments.size() && h->instruments[id - 1].id == id) {
    return h->instruments[id - 1].qty_decimals;
  }
  for (const InstrumentDef& d : h->instruments) {
    if (d.id == id) return d.qty_decimals;
  }
  return std::nullopt;
}

// A decimal string when the scale is known and fractional; the raw integer otherwise (which
// is also the exact value at 0 decimals). A header is input: a scale FormatDecimal cannot take
// (outside 0..18) counts as unknown rather than tripping its check.
bool QtyIsDecimal(std::optional<int> decimals) {
  return decimals && *decimals > 0 && *decimals <= 18;
}

nlohmann::json QtyJson(Qty q, std::optional<int> decimals) {
  if (QtyIsDecimal(decimals)) return FormatDecimal(q.raw, *decimals);
  return q.raw;
}

// ---------------------------------------------------------------- the fields of each kind

// Describe(payload, sink) lists a record's fields in declaration order through the sink's
// typed calls, so the JSON and text forms cannot disagree on what a record holds. Payload
// fields named `kind` are renamed (`command`, `event`): `kind` is the record kind.
template <class S>
void Describe(const L3Order& p, S& s) {
  s.Int("instrument", p.instrument);
  s.Enum("action", Name(p.action));
  s.Enum("side", Name(p.side));
  s.Int("order_id", p.order_id);
  s.Px("price", p.price);
  s.Quantity("qty", p.qty, p.instrument);
  s.Time("exchange_ts", p.exchange_ts);
  s.Time("receive_ts", p.receive_ts);
}
template <class S>
void Describe(const TradingStatus& p, S& s) {
  s.Int("instrument", p.instrument);
  s.Enum("state", Name(p.state));
  s.Time("exchange_ts", p.exchange_ts);
  s.Time("receive_ts", p.receive_ts);
}
template <class S>
void Describe(const L2Update& p, S& s) {
  s.Int("instrument", p.instrument);
  s.Enum("side", Name(p.side));
  s.Px("price", p.price);
  s.Quantity("qty", p.qty, p.instrument);
  s.Int("update_id", p.update_id);
  s.Time("exchange_ts", p.exchange_ts);
  s.Time("receive_ts", p.receive_ts);
}
template <class S>
void Describe(const L2Snapshot& p, S& s) {
  s.Int("instrument", p.instrument);
  s.Int("update_id", p.update_id);
  s.Levels("bids", p.bids, p.instrument);
  s.Levels("asks", p.asks, p.instrument);
  s.Time("exchange_ts", p.exchange_ts);
  s.Time("receive_ts", p.receive_ts);
}
template <class S>
void Describe(const L1Quote& p, S& s) {
  s.Int("instrument", p.instrument);
  s.Level("bid", p.bid, p.instrument);
  s.Level("ask", p.ask, p.instrument);
  s.Int("update_id", p.update_id);
  s.Time("exchange_ts", p.exchange_ts);
  s.Time("receive_ts", p.receive_ts);
}
template <class S>
void Describe(const Trade& p, S& s) {
  s.Int("instrument", p.instrument);
  s.Px("price", p.price);
  s.Quantity("qty", p.qty, p.instrument);
  s.Enum("aggressor", Name(p.aggressor));
  s.Int("trade_id", p.trade_id);
  s.Time("exchange_ts", p.exchange_ts);
  s.Time("receive_ts", p.receive_ts);
}
template <class S>
void Describe(const OrderAck& p, S& s) {
  s.Int("cl_ord_id", p.cl_ord_id);
  s.Int("venue_order_id", p.venue_order_id);
  s.Int("instrument", p.instrument);
}
template <class S>
void Describe(const OrderReject& p, S& s) {
  s.Int("cl_ord_id", p.cl_ord_id);
  s.Int("instrument", p.instrument);
  s.Enum("reason", Name(p.reason));
  s.String("text", p.text);
}
template <class S>
void Describe(const Fill& p, S& s) {
  s.Int("cl_ord_id", p.cl_ord_id);
  s.Int("venue_order_id", p.venue_order_id);
  s.Int("exec_id", p.exec_id);
  s.Int("instrument", p.instrument);
  s.Enum("side", Name(p.side));
  s.Px("price", p.price);
  s.Quantity("qty", p.qty, p.instrument);
  s.Quantity("cum_qty", p.cum_qty, p.instrument);
  s.Quantity("leaves_qty", p.leaves_qty, p.instrument);
  s.Enum("liquidity", Name(p.liquidity));
  s.Cash("fee", p.fee);
  s.Time("exchange_ts", p.exchange_ts);
}
template <class S>
void Describe(const CancelAck& p, S& s) {
  s.Int("cl_ord_id", p.cl_ord_id);
  s.Int("orig_cl_ord_id", p.orig_cl_ord_id);
  s.Quantity("canceled_qty", p.canceled_qty, 0);
}
template <class S>
void Describe(const CancelReject& p, S& s) {
  s.Int("cl_ord_id", p.cl_ord_id);
  s.Int("orig_cl_ord_id", p.orig_cl_ord_id);
  s.Enum("response_to", Name(p.response_to));
  s.Enum("reason", Name(p.reason));
  s.String("text", p.text);
}
template <class S>
void Describe(const ReplaceAck& p, S& s) {
  s.Int("cl_ord_id", p.cl_ord_id);
  s.Int("orig_cl_ord_id", p.orig_cl_ord_id);
  s.Int("venue_order_id", p.venue_order_id);
  s.Px("price", p.price);
  s.Quantity("qty", p.qty, 0);
  s.Quantity("leaves_qty", p.leaves_qty, 0);
}
template <class S>
void Describe(const OrderExpired& p, S& s) {
  s.Int("cl_ord_id", p.cl_ord_id);
  s.Quantity("expired_qty", p.expired_qty, 0);
}
template <class S>
void Describe(const OrderStatusReport& p, S& s) {
  s.Int("cl_ord_id", p.cl_ord_id);
  s.Int("venue_order_id", p.venue_order_id);
  s.Int("instrument", p.instrument);
  s.Enum("side", Name(p.side));
  s.Enum("status", Name(p.status));
  s.Px("price", p.price);
  s.Quantity("order_qty", p.order_qty, p.instrument);
  s.Quantity("cum_qty", p.cum_qty, p.instrument);
  s.Quantity("leaves_qty", p.leaves_qty, p.instrument);
  s.Px("avg_price", p.avg_price);
  s.Int("mass_status_id", p.mass_status_id);
  s.Bool("last_report", p.last_report);
}
template <class S>
void Describe(const RateLimitReject& p, S& s) {
  s.Int("cl_ord_id", p.cl_ord_id);
  s.Enum("action", Name(p.action));
  s.Int("retry_after_ns", p.retry_after.ns);
  s.Bool("banned", p.banned);
}
template <class S>
void Describe(const SessionState& p, S& s) {
  s.Int("connection", p.connection);
  s.Enum("state", Name(p.state));
  s.String("text", p.text);
}
template <class S>
void Describe(const TimerFired& p, S& s) {
  s.Int("timer_id", p.timer_id);
  s.Time("scheduled", p.scheduled);
}
template <class S>
void Describe(const OperatorCommand& p, S& s) {
  s.Enum("command", Name(p.kind));
  s.String("key", p.key);
  s.String("value", p.value);
  s.String("origin", p.origin);
}
template <class S>
void Describe(const NewOrder& p, S& s) {
  s.Int("cl_ord_id", p.cl_ord_id);
  s.Int("instrument", p.instrument);
  s.Enum("side", Name(p.side));
  s.Enum("type", Name(p.type));
  s.Enum("tif", Name(p.tif));
  s.Px("price", p.price);
  s.Px("stop_price", p.stop_price);
  s.Quantity("qty", p.qty, p.instrument);
  s.Quantity("display_qty", p.display_qty, p.instrument);
  s.Bool("post_only", p.post_only);
}
template <class S>
void Describe(const CancelOrder& p, S& s) {
  s.Int("cl_ord_id", p.cl_ord_id);
  s.Int("orig_cl_ord_id", p.orig_cl_ord_id);
  s.Int("instrument", p.instrument);
}
template <class S>
void Describe(const ReplaceOrder& p, S& s) {
  s.Int("cl_ord_id", p.cl_ord_id);
  s.Int("orig_cl_ord_id", p.orig_cl_ord_id);
  s.Int("instrument", p.instrument);
  s.Px("price", p.price);
  s.Quantity("qty", p.qty, p.instrument);
}
template <class S>
void Describe(const StatusRequest& p, S& s) {
  s.Int("cl_ord_id", p.cl_ord_id);
  s.Int("mass_status_id", p.mass_status_id);
}
template <class S>
void Describe(const MassCancel& p, S& s) {
  s.Int("request_id", p.request_id);
  s.Int("instrument", p.instrument);
  s.Enum("side", Name(p.side));
}
template <class S>
void Describe(const TimerSet& p, S& s) {
  s.Int("timer_id", p.timer_id);
  s.Time("fire_at", p.fire_at);
}
template <class S>
void Describe(const TimerCancel& p, S& s) {
  s.Int("timer_id", p.timer_id);
}
template <class S>
void Describe(const RiskEvent& p, S& s) {
  s.Enum("event", Name(p.kind));
  s.Enum("action", Name(p.action));
  s.String("rule", p.rule);
  s.Int("instrument", p.instrument);
  s.Int("value", p.value);
  s.Int("limit", p.limit);
  s.String("text", p.text);
}
template <class S>
void Describe(const Annotation& p, S& s) {
  s.String("text", p.text);
}
template <class S>
void Describe(const WireMessage& p, S& s) {
  s.Int("connection", p.connection);
  s.Enum("direction", Name(p.direction));
  s.Bytes("bytes", p.bytes);
}
template <class S>
void Describe(const Checkpoint& p, S& s) {
  s.Int("inputs", p.inputs);
  s.Int("outputs", p.outputs);
  s.Hash("digest", p.digest);
}
template <class S>
void Describe(const RecordsDropped& p, S& s) {
  s.Int("count", p.count);
  s.Time("first_ts", p.first_ts);
  s.Time("last_ts", p.last_ts);
}

template <class S>
void DescribePayload(const Payload& payload, S& s) {
  std::visit([&s](const auto& p) { Describe(p, s); }, payload);
}

// ---------------------------------------------------------------- sinks

// Builds a nlohmann::json object.
class DomSink {
 public:
  DomSink(const JournalHeader* header, nlohmann::json* out) : header_(header), out_(out) {}

  template <typename T>
  void Int(const char* k, T v) {
    (*out_)[k] = v;
  }
  void Bool(const char* k, bool v) { (*out_)[k] = v; }
  void Enum(const char* k, std::string_view v) { (*out_)[k] = std::string(v); }
  void String(const char* k, const std::string& v) { (*out_)[k] = ValidUtf8(v); }
  void Time(const char* k, Timestamp v) { (*out_)[k] = v.ns; }
  void Px(const char* k, Price v) { (*out_)[k] = FormatDecimal(v.raw, Price::kDecimals); }
  void Cash(const char* k, Money v) { (*out_)[k] = FormatDecimal(v.raw, Money::kDecimals); }
  void Hash(const char* k, uint64_t v) { (*out_)[k] = Hex64(v); }
  void Quantity(const char* k, Qty q, InstrumentId id) { (*out_)[k] = QtyValue(q, id); }
  void Level(const char* k, const PriceLevel& l, InstrumentId id) {
    (*out_)[k] = LevelValue(l, id);
  }
  void Levels(const char* k, const std::vector<PriceLevel>& levels, InstrumentId id) {
    nlohmann::json a = nlohmann::json::array();
    for (const PriceLevel& l : levels) a.push_back(LevelValue(l, id));
    (*out_)[k] = std::move(a);
  }
  void Bytes(const char* k, const std::string& v) {
    (*out_)[k] = WireReadable(v);
    (*out_)[std::string(k) + "_hex"] = HexBytes(v);
  }

 private:
  nlohmann::json QtyValue(Qty q, InstrumentId id) const {
    return QtyJson(q, QtyDecimals(header_, id));
  }
  nlohmann::json LevelValue(const PriceLevel& l, InstrumentId id) const {
    return {{"price", FormatDecimal(l.price.raw, Price::kDecimals)}, {"qty", QtyValue(l.qty, id)}};
  }

  const JournalHeader* header_;
  nlohmann::json* out_;
};

// Appends compact JSON text directly: `,"key":value` for each field.
class JsonLineSink {
 public:
  JsonLineSink(const JournalHeader* header, std::string* out) : header_(header), out_(out) {}

  template <typename T>
  void Int(const char* k, T v) {
    Key(k);
    fmt::format_to(std::back_inserter(*out_), "{}", v);
  }
  void Bool(const char* k, bool v) {
    Key(k);
    out_->append(v ? "true" : "false");
  }
  void Enum(const char* k, std::string_view v) {
    Key(k);
    AppendJsonString(v, out_);
  }
  void String(const char* k, const std::string& v) {
    Key(k);
    AppendJsonString(ValidUtf8(v), out_);
  }
  void Time(const char* k, Timestamp v) { Int(k, v.ns); }
  void Px(const char* k, Price v) { Quoted(k, FormatDecimal(v.raw, Price::kDecimals)); }
  void Cash(const char* k, Money v) { Quoted(k, FormatDecimal(v.raw, Money::kDecimals)); }
  void Hash(const char* k, uint64_t v) { Quoted(k, Hex64(v)); }
  void Quantity(const char* k, Qty q, InstrumentId id) {
    Key(k);
    QtyValue(q, id);
  }
  void Level(const char* k, const PriceLevel& l, InstrumentId id) {
    Key(k);
    LevelValue(l, id);
  }
  void Levels(const char* k, const std::vector<PriceLevel>& levels, InstrumentId id) {
    Key(k);
    out_->push_back('[');
    for (size_t i = 0; i < levels.size(); ++i) {
      if (i > 0) out_->push_back(',');
      LevelValue(levels[i], id);
    }
    out_->push_back(']');
  }
  void Bytes(const char* k, const std::string& v) {
    Key(k);
    AppendJsonString(WireReadable(v), out_);
    out_->append(",\"").append(k).append("_hex\":\"").append(HexBytes(v)).append("\"");
  }

 private:
  void Key(const char* k) { out_->append(",\"").append(k).append("\":"); }
  void Quoted(const char* k, const std::string& v) {
    Key(k);
    out_->append("\"").append(v).append("\"");
  }
  void QtyValue(Qty q, InstrumentId id) {
    const std::optional<int> d = QtyDecimals(header_, id);
    if (QtyIsDecimal(d)) {
      out_->append("\"").append(FormatDecimal(q.raw, *d)).append("\"");
    } else {
      fmt::format_to(std::back_inserter(*out_), "{}", q.raw);
    }
  }
  void LevelValue(const PriceLevel& l, InstrumentId id) {
    out_->append("{\"price\":\"").append(FormatDecimal(l.price.raw, Price::kDecimals));
    out_->append("\",\"qty\":");
    QtyValue(l.qty, id);
    out_->push_back('}');
  }

  const JournalHeader* header_;
  std::string* out_;
};

// Appends ` key=value` for each field, and enums bare (` add buy`): short lines for people.
class TextSink {
 public:
  TextSink(const JournalHeader* header, std::string* out) : header_(header), out_(out) {}

  template <typename T>
  void Int(const char* k, T v) {
    fmt::format_to(std::back_inserter(*out_), " {}={}", k, v);
  }
  void Bool(const char* k, bool v) { Plain(k, v ? "true" : "false"); }
  void Enum(const char*, std::string_view v) { out_->append(" ").append(v); }
  void String(const char* k, const std::string& v) {
    Key(k);
    AppendQuoted(v, out_);
  }
  void Time(const char* k, Timestamp v) { Int(k, v.ns); }
  void Px(const char* k, Price v) { Plain(k, FormatDecimal(v.raw, Price::kDecimals)); }
  void Cash(const char* k, Money v) { Plain(k, FormatDecimal(v.raw, Money::kDecimals)); }
  void Hash(const char* k, uint64_t v) { Plain(k, Hex64(v)); }
  void Quantity(const char* k, Qty q, InstrumentId id) { Plain(k, QtyText(q, id)); }
  void Level(const char* k, const PriceLevel& l, InstrumentId id) { Plain(k, LevelText(l, id)); }
  // bids=[585.33x18,585.32x5]
  void Levels(const char* k, const std::vector<PriceLevel>& levels, InstrumentId id) {
    Key(k);
    out_->push_back('[');
    for (size_t i = 0; i < levels.size(); ++i) {
      if (i > 0) out_->push_back(',');
      out_->append(LevelText(levels[i], id));
    }
    out_->push_back(']');
  }
  void Bytes(const char* k, const std::string& v) {
    Key(k);
    AppendQuoted(WireReadable(v), out_);
  }

 private:
  void Key(const char* k) { out_->append(" ").append(k).append("="); }
  void Plain(const char* k, std::string_view v) {
    Key(k);
    out_->append(v);
  }
  std::string QtyText(Qty q, InstrumentId id) const {
    const std::optional<int> d = QtyDecimals(header_, id);
    return QtyIsDecimal(d) ? FormatDecimal(q.raw, *d) : std::to_string(q.raw);
  }
  std::string LevelText(const PriceLevel& l, InstrumentId id) const {
    return FormatDecimal(l.price.raw, Price::kDecimals) + "x" + QtyText(l.qty, id);
  }

  const JournalHeader* header_;
  std::string* out_;
};

// ---------------------------------------------------------------- civil time

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[static_cast<size_t>(m - 1)];
}

constexpr int64_t kNanosPerDay = 86'400 * kNanosPerSecond;

// Reads exactly `width` digits at text[*pos]; false when there are not that many.
bool ReadDigits(std::string_view text, size_t* pos, size_t width, int64_t* value) {
  if (*pos + width > text.size()) return false;
  int64_t v = 0;
  for (size_t i = 0; i < width; ++i) {
    const char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += width;
  *value = v;
  return true;
}

bool Expect(std::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

// The fraction after the seconds: '.' and 1 to 9 digits, scaled to ns. Absent is 0.
bool ReadFractionNs(std::string_view text, size_t* pos, int64_t* ns) {
  *ns = 0;
  if (*pos >= text.size() || text[*pos] != '.') return true;
  ++*pos;
  size_t digits = 0;
  while (*pos < text.size() && text[*pos] >= '0' && text[*pos] <= '9') {
    if (++digits > 9) return false;
    *ns = *ns * 10 + (text[(*pos)++] - '0');
  }
  if (digits == 0) return false;
  for (size_t i = digits; i < 9; ++i) *ns *= 10;
  return true;
}

Result<Timestamp> ParseIsoUtc(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return InvalidArgument(
        fmt::format("invalid time \"{}\": {} (expected integer ns or "
                    "YYYY-MM-DDTHH:MM:SS[.fffffffff]Z)",
                    text, why));
  };
  size_t pos = 0;
  int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, frac = 0;
  if (!ReadDigits(text, &pos, 4, &y) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &mo) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &d) || !Expect(text, &pos, 'T') ||
      !ReadDigits(text, &pos, 2, &h) || !Expect(text, &pos, ':') ||
      !ReadDigits(text, &pos, 2, &mi) || !Expect(text, &pos, ':') ||
      !ReadDigits(text, &pos, 2, &s)) {
    return bad("malformed date or time");
  }
  if (!ReadFractionNs(text, &pos, &frac)) return bad("the fraction takes 1 to 9 digits");
  if (!Expect(text, &pos, 'Z') || pos != text.size()) return bad("must end in 'Z' (UTC)");
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, static_cast<int>(mo))) {
    return bad("no such date");
  }
  if (h > 23 || mi > 59 || s > 59) return bad("no such time of day");
  // int64 ns spans 1677-09-21 to 2262-04-11; whole years inside that range are safe.
  if (y < 1678 || y > 2261) return bad("year outside 1678..2261");
  const int64_t days = DaysFromCivil(y, static_cast<int>(mo), static_cast<int>(d));
  return Timestamp{days * kNanosPerDay + ((h * 60 + mi) * 60 + s) * kNanosPerSecond + frac};
}

}  // namespace

// ---------------------------------------------------------------- public

nlohmann::json EventToJson(const Event& e, const JournalHeader* header) {
  nlohmann::json j = nlohmann::json::object();
  j["seq"] = e.seq;
  j["ts"] = e.ts.ns;
  j["kind"] = std::string(KindName(e));
  DomSink sink(header, &j);
  DescribePayload(e.payload, sink);
  return j;
}

void AppendEventJsonLine(const Event& e, const JournalHeader* header, std::string* out) {
  fmt::format_to(std::back_inserter(*out), "{{\"seq\":{},\"ts\":{},\"kind\":\"{}\"", e.seq, e.ts.ns,
                 KindName(e));
  JsonLineSink sink(header, out);
  DescribePayload(e.payload, sink);
  out->push_back('}');
}

void AppendEventText(const Event& e, const JournalHeader* header, std::string* out) {
  fmt::format_to(std::back_inserter(*out), "seq={} ts={} {}", e.seq, e.ts.ns, KindName(e));
  TextSink sink(header, out);
  DescribePayload(e.payload, sink);
}

std::string EventToText(const Event& e, const JournalHeader* header) {
  std::string out;
  AppendEventText(e, header, &out);
  return out;
}

nlohmann::json HeaderToJson(const JournalHeader& h) {
  nlohmann::json instruments = nlohmann::json::array();
  for (const InstrumentDef& d : h.instruments) {
    instruments.push_back({
        {"id", d.id},
        {"symbol", ValidUtf8(d.symbol)},
        {"venue", ValidUtf8(d.venue)},
        {"asset_class", std::string(Name(d.asset_class))},
        {"currency", ValidUtf8(d.currency)},
        {"tick_size", FormatDecimal(d.tick_size.raw, Price::kDecimals)},
        {"qty_decimals", d.qty_decimals},
        {"lot_size", QtyJson(d.lot_size, d.qty_decimals)},
        {"min_qty", QtyJson(d.min_qty, d.qty_decimals)},
    });
  }
  return {
      {"format_version", h.format_version},
      {"schema_id", Hex64(h.schema_id)},
      {"engine_name", ValidUtf8(h.engine_name)},
      {"engine_build_id", ValidUtf8(h.engine_build_id)},
      {"session_kind", ValidUtf8(h.session_kind)},
      {"seed", h.seed},
      {"created", h.created.ns},
      {"created_utc", FormatUtc(h.created)},
      {"config_text", ValidUtf8(h.config_text)},
      {"instruments", std::move(instruments)},
  };
}

std::string FormatUtc(Timestamp ts) {
  const int64_t days = DivFloor(ts.ns, kNanosPerDay);
  const int64_t in_day = ts.ns - days * kNanosPerDay;
  const int64_t secs = in_day / kNanosPerSecond;
  const CivilDate c = CivilFromDays(days);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", c.year, c.month, c.day,
                     secs / 3600, secs / 60 % 60, secs % 60, in_day % kNanosPerSecond);
}

Result<Timestamp> ParseTimeArg(std::string_view text) {
  const bool integer = !text.empty() && text.find_first_not_of("-0123456789") == text.npos;
  if (!integer) return ParseIsoUtc(text);
  int64_t ns = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ns);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return InvalidArgument(fmt::format("invalid time \"{}\": not an int64 count of ns", text));
  }
  return Timestamp{ns};
}

std::string Hex64(uint64_t v) { return fmt::format("{:016x}", v); }

}  // namespace td::tools
