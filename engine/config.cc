// ParseEngineConfig and ApplyOverride: the [engine], [strategy] and [risk] tables. toml++
// parses the syntax (its exceptions are caught here and become a Status); values are read
// exactly: durations and decimals are strings ("30s", "1000.50"), never doubles. Unknown keys
// in [engine] and [risk] are errors naming origin:line:column and the key.
#include <toml++/toml.h>

#include <string>

#include "core/fixed_point.h"
#include "core/time_text.h"
#include "engine/engine.h"

namespace td::engine {
namespace {

std::string Where(std::string_view origin, const toml::source_region& src) {
  return std::string(origin) + ":" + std::to_string(src.begin.line) + ":" +
         std::to_string(src.begin.column);
}

Result<RiskAction> ParseAction(std::string_view s) {
  if (s == "reject") return RiskAction::kReject;
  if (s == "halt-new" || s == "halt_new") return RiskAction::kHaltNew;
  if (s == "cancel-all" || s == "cancel_all") return RiskAction::kCancelAll;
  if (s == "flatten") return RiskAction::kFlatten;
  return InvalidArgument("unknown action \"" + std::string(s) +
                         "\" (known: reject, halt-new, cancel-all, flatten)");
}

Result<AssetClass> ParseClass(std::string_view s) {
  if (s == "equity") return AssetClass::kEquity;
  if (s == "crypto") return AssetClass::kCrypto;
  if (s == "future") return AssetClass::kFuture;
  if (s == "option") return AssetClass::kOption;
  if (s == "fx") return AssetClass::kFx;
  return InvalidArgument("unknown asset class \"" + std::string(s) + "\"");
}

// Sets one key of a table from text; used by both the TOML reader and ApplyOverride.
// max_order_qty and max_position are in the instruments' raw Qty units (integers: with
// qty_decimals 3, "1500" is 1.5), since the scale belongs to each instrument.
Status SetKey(EngineConfig* c, std::string_view table, std::string_view key,
              std::string_view value) {
  auto qty = [&](Qty* q) -> Status {
    Result<int64_t> v = ParseDecimal(value, 0);
    if (!v.ok()) return v.status();
    q->raw = *v;
    return Status::Ok();
  };
  auto money = [&](Money* m) -> Status {
    Result<Money> v = Money::Parse(value);
    if (!v.ok()) return v.status();
    *m = *v;
    return Status::Ok();
  };
  auto integer = [&](auto* out) -> Status {
    Result<int64_t> v = ParseDecimal(value, 0);
    if (!v.ok()) return v.status();
    if (*v < 0) return InvalidArgument("must not be negative");
    *out = static_cast<std::remove_pointer_t<decltype(out)>>(*v);
    return Status::Ok();
  };
  if (table == "strategy") {
    c->params[std::string(key)] = std::string(value);
    return Status::Ok();
  }
  if (table == "engine") {
    if (key == "strategy") { c->strategy = value; return Status::Ok(); }
    if (key == "bug") {
      if (!value.empty() && value != "cancel-fill-race") {
        return InvalidArgument("unknown bug \"" + std::string(value) +
                               "\" (known: cancel-fill-race)");
      }
      c->bug = value;
      return Status::Ok();
    }
    if (key == "checkpoint_every_inputs") return integer(&c->checkpoint_every_inputs);
    if (key == "kill_switch_deadline" || key == "kill_switch_retry" ||
        key == "request_timeout") {
      Result<Duration> d = ParseDurationText(value);
      if (!d.ok()) return d.status();
      if (d->ns < 0) return InvalidArgument("must not be negative");
      (key == "kill_switch_deadline" ? c->kill_switch_deadline
       : key == "kill_switch_retry"  ? c->kill_switch_retry
                                     : c->request_timeout) = *d;
      return Status::Ok();
    }
    return InvalidArgument("unknown key (allowed: strategy, bug, checkpoint_every_inputs, "
                           "kill_switch_deadline, kill_switch_retry, request_timeout)");
  }
  if (table == "risk") {
    RiskLimits& r = c->risk;
    if (key == "max_order_qty") return qty(&r.max_order_qty);
    if (key == "max_order_notional") return money(&r.max_order_notional);
    if (key == "price_collar_bps") return integer(&r.price_collar_bps);
    if (key == "max_position") return qty(&r.max_position);
    if (key == "max_gross_exposure") return money(&r.max_gross_exposure);
    if (key == "max_open_orders") return integer(&r.max_open_orders);
    if (key == "max_orders_per_second") return integer(&r.max_orders_per_second);
    if (key == "per_trade_stop_loss") return money(&r.per_trade_stop_loss);
    if (key == "max_daily_loss") return money(&r.max_daily_loss);
    if (key == "max_drawdown") return money(&r.max_drawdown);
    if (key == "on_breach") {
      Result<RiskAction> a = ParseAction(value);
      if (!a.ok()) return a.status();
      r.on_breach = *a;
      return Status::Ok();
    }
    if (key.starts_with("max_gross_exposure.")) {  // max_gross_exposure.crypto = "5000"
      Result<AssetClass> cls = ParseClass(key.substr(19));
      if (!cls.ok()) return cls.status();
      return money(&r.max_gross_exposure_by_class[*cls]);
    }
    return InvalidArgument(
        "unknown key (allowed: max_order_qty, max_order_notional, price_collar_bps, "
        "max_position, max_gross_exposure, max_gross_exposure.<class>, max_open_orders, "
        "max_orders_per_second, per_trade_stop_loss, max_daily_loss, max_drawdown, on_breach)");
  }
  return InvalidArgument("unknown table (allowed: engine, strategy, risk)");
}

// A scalar node as text: strings verbatim, integers and booleans printed. Floats are refused
// (they would not be exact).
Result<std::string> NodeText(const toml::node& n) {
  if (const auto* s = n.as_string()) return s->get();
  if (const auto* i = n.as_integer()) return std::to_string(i->get());
  if (const auto* b = n.as_boolean()) return std::string(b->get() ? "true" : "false");
  if (n.is_floating_point()) {
    return InvalidArgument("floating-point value: write decimals as strings (\"1000.50\")");
  }
  return InvalidArgument("expected a string or an integer");
}

Status ReadTable(EngineConfig* c, std::string_view origin, std::string_view name,
                 const toml::table& t) {
  for (const auto& [key, node] : t) {
    if (const auto* sub = node.as_table(); sub != nullptr && name == "risk" &&
                                           key.str() == "max_gross_exposure") {
      for (const auto& [cls, v] : *sub) {
        Result<std::string> text = NodeText(v);
        Status st = text.ok() ? SetKey(c, name, "max_gross_exposure." + std::string(cls.str()),
                                       *text)
                              : text.status();
        if (!st.ok()) {
          return InvalidArgument(Where(origin, v.source()) + ": risk.max_gross_exposure." +
                                 std::string(cls.str()) + ": " + st.message());
        }
      }
      continue;
    }
    Result<std::string> text = NodeText(node);
    Status st = text.ok() ? SetKey(c, name, key.str(), *text) : text.status();
    if (!st.ok()) {
      const bool bad_key = st.message().starts_with("unknown key");
      return InvalidArgument(Where(origin, bad_key ? key.source() : node.source()) + ": " +
                             std::string(name) + "." +
                             std::string(key.str()) + ": " + st.message());
    }
  }
  return Status::Ok();
}

}  // namespace

Result<EngineConfig> ParseEngineConfig(std::string_view toml_text, std::string_view origin) {
  EngineConfig c;
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    return InvalidArgument(Where(origin, e.source()) + ": " + std::string(e.description()));
  }
  for (std::string_view name : {"engine", "strategy", "risk"}) {
    const toml::node* n = root.get(name);
    if (n == nullptr) continue;
    const toml::table* t = n->as_table();
    if (t == nullptr) {
      return InvalidArgument(Where(origin, n->source()) + ": " + std::string(name) +
                             ": expected a table");
    }
    TD_RETURN_IF_ERROR(ReadTable(&c, origin, name, *t));
  }
  return c;
}

Status ApplyOverride(EngineConfig* config, std::string_view kv) {
  const size_t eq = kv.find('=');
  const size_t dot = kv.find('.');
  if (eq == std::string_view::npos || dot == std::string_view::npos || dot > eq) {
    return InvalidArgument("override \"" + std::string(kv) +
                           "\": expected TABLE.KEY=VALUE (e.g. strategy.spread_ticks=3)");
  }
  const std::string_view table = kv.substr(0, dot);
  const std::string_view key = kv.substr(dot + 1, eq - dot - 1);
  const std::string_view value = kv.substr(eq + 1);
  Status st = SetKey(config, table, key, value);
  if (!st.ok()) {
    return InvalidArgument("override \"" + std::string(kv) + "\": " + st.message());
  }
  return Status::Ok();
}

}  // namespace td::engine
