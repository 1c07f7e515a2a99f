// Scenario loading: toml++ parses the syntax (its exceptions are caught here and become a
// Status); this file walks the tables with a strict reader that knows every allowed key, and
// converts values exactly (strings for durations and decimals, never doubles).
#include "core/time_text.h"
#include "sim-exchange/scenario.h"

#include <toml++/toml.h>
#include <algorithm>
#include <fstream>
#include <initializer_list>
#include <numeric>
#include <sstream>
#include <utility>
#include <vector>

#include "core/fixed_point.h"

namespace td::sim {
namespace {

// ---------------------------------------------------------------- exact text conversions


// Built by appending: gcc 12 at -O3 warns (-Wrestrict, a false positive) on "\"" + s + "\"".
std::string Quoted(std::string_view s) {
  std::string q;
  q.reserve(s.size() + 2);
  q.push_back('"');
  q.append(s);
  q.push_back('"');
  return q;
}

// ---------------------------------------------------------------- the strict TOML reader

// Where a node is, as "file:line:column".
std::string Where(std::string_view origin, const toml::source_region& src) {
  return std::string(origin) + ":" + std::to_string(src.begin.line) + ":" +
         std::to_string(src.begin.column);
}

// One table being read, with its dotted path for messages. Every Read* leaves *out unchanged
// when the key is absent, so callers set defaults first.
class TableReader {
 public:
  TableReader(std::string_view origin, const toml::table& table, std::string path)
      : origin_(origin), table_(table), path_(std::move(path)) {}

  // Every key of the table must be one of `allowed`.
  Status Allow(std::initializer_list<std::string_view> allowed) const {
    for (const auto& [key, node] : table_) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return InvalidArgument(Where(origin_, key.source()) + ": " + Key(key.str()) +
                             ": unknown key (allowed here: " + list + ")");
    }
    return Status::Ok();
  }

  bool Has(std::string_view key) const { return table_.get(key) != nullptr; }
  const toml::node* Get(std::string_view key) const { return table_.get(key); }
  std::string Key(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  Status Error(std::string_view key, const toml::node& node, std::string_view message) const {
    return InvalidArgument(Where(origin_, node.source()) + ": " + Key(key) + ": " +
                           std::string(message));
  }
  Status Missing(std::string_view key, std::string_view why) const {
    return InvalidArgument(Where(origin_, table_.source()) + ": " + path_ + ": missing key " +
                           Quoted(key) + " (" + std::string(why) + ")");
  }
  std::string_view origin() const { return origin_; }
  const std::string& path() const { return path_; }

  Result<const toml::table*> Table(std::string_view key) const {
    const toml::node* n = Get(key);
    if (n == nullptr) return static_cast<const toml::table*>(nullptr);
    if (!n->is_table()) return Error(key, *n, "expected a table");
    return n->as_table();
  }

  Status ReadString(std::string_view key, std::string* out) const {
    const toml::node* n = Get(key);
    if (n == nullptr) return Status::Ok();
    if (!n->is_string()) return Error(key, *n, "expected a string");
    *out = n->as_string()->get();
    return Status::Ok();
  }

  Status ReadBool(std::string_view key, bool* out) const {
    const toml::node* n = Get(key);
    if (n == nullptr) return Status::Ok();
    if (!n->is_boolean()) return Error(key, *n, "expected true or false");
    *out = n->as_boolean()->get();
    return Status::Ok();
  }

  Status ReadInt(std::string_view key, int64_t lo, int64_t hi, int64_t* out) const {
    const toml::node* n = Get(key);
    if (n == nullptr) return Status::Ok();
    if (!n->is_integer()) return Error(key, *n, "expected an integer");
    const int64_t v = n->as_integer()->get();
    if (v < lo || v > hi) {
      return Error(key, *n,
                   std::to_string(v) + " is outside [" + std::to_string(lo) + ", " +
                       std::to_string(hi) + "]");
    }
    *out = v;
    return Status::Ok();
  }

  // "250us", or an integer number of nanoseconds.
  Status ReadDuration(std::string_view key, Duration* out) const {
    const toml::node* n = Get(key);
    if (n == nullptr) return Status::Ok();
    return DurationOf(key, *n, out);
  }
  Status DurationOf(std::string_view key, const toml::node& n, Duration* out) const {
    if (n.is_integer()) {
      if (n.as_integer()->get() < 0) return Error(key, n, "a duration must not be negative");
      *out = Duration{n.as_integer()->get()};
      return Status::Ok();
    }
    if (!n.is_string()) {
      return Error(key, n,
                   "expected a duration string such as \"250us\" (units ns, us, ms, s, "
                   "m, h)");
    }
    Result<Duration> d = ParseDurationText(n.as_string()->get());
    if (!d.ok()) return Error(key, n, d.status().message());
    *out = *d;
    return Status::Ok();
  }

  // A decimal with up to `decimals` fractional digits, scaled by 10^decimals: a string
  // ("0.4") or an integer. Floats are refused: their text is gone once toml++ made a double.
  Status ReadDecimal(std::string_view key, int decimals, int64_t lo, int64_t hi,
                     int64_t* out) const {
    const toml::node* n = Get(key);
    if (n == nullptr) return Status::Ok();
    int64_t v = 0;
    if (n->is_floating_point()) {
      return Error(key, *n,
                   "write decimals as strings (\"0.4\"): floats are not read, so no "
                   "value passes through binary floating point");
    } else if (n->is_integer()) {
      int64_t scale = 1;
      for (int i = 0; i < decimals; ++i) scale *= 10;
      Result<int64_t> scaled = MulDivRound(n->as_integer()->get(), scale, 1);
      if (!scaled.ok()) return Error(key, *n, "value out of range");
      v = *scaled;
    } else if (n->is_string()) {
      Result<int64_t> parsed = ParseDecimal(n->as_string()->get(), decimals);
      if (!parsed.ok()) return Error(key, *n, parsed.status().message());
      v = *parsed;
    } else {
      return Error(key, *n, "expected a decimal string such as \"0.4\"");
    }
    if (v < lo || v > hi) {
      return Error(key, *n,
                   FormatDecimal(v, decimals) + " is outside [" + FormatDecimal(lo, decimals) +
                       ", " + FormatDecimal(hi, decimals) + "]");
    }
    *out = v;
    return Status::Ok();
  }

  // "1/1000", "0.001", "0.1%", or the integers 0 and 1.
  Status ReadProbability(std::string_view key, Probability* out) const {
    const toml::node* n = Get(key);
    if (n == nullptr) return Status::Ok();
    if (n->is_integer() && (n->as_integer()->get() == 0 || n->as_integer()->get() == 1)) {
      *out = Probability{static_cast<uint64_t>(n->as_integer()->get()), 1};
      return Status::Ok();
    }
    if (!n->is_string()) {
      return Error(key, *n,
                   "expected a probability string such as \"1/1000\", \"0.001\" or "
                   "\"0.1%\"");
    }
    Result<Probability> p = ParseProbabilityText(n->as_string()->get());
    if (!p.ok()) return Error(key, *n, p.status().message());
    *out = *p;
    return Status::Ok();
  }

  // One of `names`; *out gets the matching value.
  template <typename E>
  Status ReadEnum(std::string_view key, std::initializer_list<std::pair<std::string_view, E>> names,
                  E* out) const {
    const toml::node* n = Get(key);
    if (n == nullptr) return Status::Ok();
    std::string list;
    for (const auto& [name, value] : names) {
      list += (list.empty() ? "" : ", ") + Quoted(name);
      if (n->is_string() && n->as_string()->get() == name) {
        *out = value;
        return Status::Ok();
      }
    }
    const std::string got = n->is_string() ? Quoted(n->as_string()->get()) + " is not one of "
                                           : std::string("expected one of ");
    return Error(key, *n, got + list);
  }

  // A model's own validation failed: report it at the table.
  Status Invalid(const Status& s) const {
    const std::string& m = s.message();
    const bool named = m.rfind(path_ + " ", 0) == 0 || m.rfind(path_ + ":", 0) == 0;
    return InvalidArgument(Where(origin_, table_.source()) + ": " + (named ? "" : path_ + ": ") +
                           m);
  }

 private:
  std::string_view origin_;
  const toml::table& table_;
  std::string path_;
};

// ---------------------------------------------------------------- sections

// A latency table, or a string as shorthand for a constant ("250us").
Result<LatencySpec> ReadLatencySpec(const TableReader& parent, std::string_view key,
                                    LatencySpec spec) {
  const toml::node* n = parent.Get(key);
  if (n == nullptr) return spec;
  if (n->is_string() || n->is_integer()) {
    Duration d;
    TD_RETURN_IF_ERROR(parent.DurationOf(key, *n, &d));
    return ConstantLatencySpec(d.ns);
  }
  if (!n->is_table()) return parent.Error(key, *n, "expected a latency table or a duration");
  const TableReader t(parent.origin(), *n->as_table(), parent.Key(key));
  TD_RETURN_IF_ERROR(
      t.Allow({"model", "value", "lo", "hi", "median", "sigma", "bins", "phi", "min", "max"}));
  if (!t.Has("model")) return t.Missing("model", "constant, uniform, lognormal or empirical");
  spec = LatencySpec{};
  TD_RETURN_IF_ERROR(t.ReadEnum<LatencyKind>("model",
                                             {{"constant", LatencyKind::kConstant},
                                              {"uniform", LatencyKind::kUniform},
                                              {"lognormal", LatencyKind::kLogNormal},
                                              {"empirical", LatencyKind::kEmpirical}},
                                             &spec.kind));
  // Only the keys of the chosen model may appear.
  std::vector<std::string_view> needed;
  switch (spec.kind) {
    case LatencyKind::kConstant:
      needed = {"value"};
      break;
    case LatencyKind::kUniform:
      needed = {"lo", "hi"};
      break;
    case LatencyKind::kLogNormal:
      needed = {"median", "sigma"};
      break;
    case LatencyKind::kEmpirical:
      needed = {"bins"};
      break;
  }
  for (std::string_view k : {"value", "lo", "hi", "median", "sigma", "bins"}) {
    const bool wanted = std::find(needed.begin(), needed.end(), k) != needed.end();
    if (wanted && !t.Has(k)) return t.Missing(k, "required by this model");
    if (!wanted && t.Has(k)) {
      return t.Error(
          k, *t.Get(k),
          "not a parameter of the " + std::string(LatencyKindName(spec.kind)) + " model");
    }
  }
  Duration d;
  if (t.Has("value")) {
    TD_RETURN_IF_ERROR(t.ReadDuration("value", &d));
    spec.constant_ns = d.ns;
  }
  if (t.Has("lo")) {
    TD_RETURN_IF_ERROR(t.ReadDuration("lo", &d));
    spec.lo_ns = d.ns;
  }
  if (t.Has("hi")) {
    TD_RETURN_IF_ERROR(t.ReadDuration("hi", &d));
    spec.hi_ns = d.ns;
  }
  if (t.Has("median")) {
    TD_RETURN_IF_ERROR(t.ReadDuration("median", &d));
    spec.median_ns = d.ns;
  }
  TD_RETURN_IF_ERROR(t.ReadDecimal("sigma", 6, 0, 5 * kPpm, &spec.sigma_ppm));
  TD_RETURN_IF_ERROR(t.ReadDecimal("phi", 6, 0, kPpm - 1, &spec.phi_ppm));
  if (t.Has("min")) {
    TD_RETURN_IF_ERROR(t.ReadDuration("min", &d));
    spec.min_ns = d.ns;
  }
  if (t.Has("max")) {
    TD_RETURN_IF_ERROR(t.ReadDuration("max", &d));
    spec.max_ns = d.ns;
  }
  if (const toml::node* bins = t.Get("bins")) {
    if (!bins->is_array() || bins->as_array()->empty()) {
      return t.Error("bins", *bins, "expected a non-empty array of [lower, upper, weight]");
    }
    for (const toml::node& row : *bins->as_array()) {
      const toml::array* r = row.as_array();
      if (r == nullptr || r->size() != 3 || !(*r)[2].is_integer() ||
          (*r)[2].as_integer()->get() < 0) {
        return t.Error("bins", row,
                       "each bin is [lower, upper, weight], e.g. [\"20us\", "
                       "\"40us\", 17], weight a non-negative integer");
      }
      Duration lower, upper;
      TD_RETURN_IF_ERROR(t.DurationOf("bins", (*r)[0], &lower));
      TD_RETURN_IF_ERROR(t.DurationOf("bins", (*r)[1], &upper));
      spec.bins.push_back({lower.ns, upper.ns, static_cast<uint64_t>((*r)[2].as_integer()->get())});
    }
  }
  Result<LatencyModel> check = LatencyModel::Create(spec);
  if (!check.ok()) return t.Invalid(check.status());
  return spec;
}

Status ReadLatency(const TableReader& root, Scenario* s) {
  Result<const toml::table*> table = root.Table("latency");
  if (!table.ok()) return table.status();
  if (*table == nullptr) return Status::Ok();
  const TableReader t(root.origin(), **table, "latency");
  TD_RETURN_IF_ERROR(t.Allow({"order_entry", "venue_response", "market_data"}));
  LatencyModel* models[] = {&s->latency.order_entry, &s->latency.venue_response,
                            &s->latency.market_data};
  const std::string_view keys[] = {"order_entry", "venue_response", "market_data"};
  for (int i = 0; i < 3; ++i) {
    Result<LatencySpec> spec = ReadLatencySpec(t, keys[i], models[i]->spec());
    if (!spec.ok()) return spec.status();
    *models[i] = *LatencyModel::Create(*spec);  // validated by ReadLatencySpec
  }
  return Status::Ok();
}

Status ReadRateLimit(const TableReader& root, Scenario* s) {
  Result<const toml::table*> table = root.Table("rate_limit");
  if (!table.ok()) return table.status();
  if (*table == nullptr) return Status::Ok();
  const TableReader t(root.origin(), **table, "rate_limit");
  TD_RETURN_IF_ERROR(
      t.Allow({"kind", "window", "max_weight", "capacity", "refill", "refill_interval", "policy",
               "max_queue_delay", "ban_after_rejects", "ban_duration", "weights"}));
  RateLimitConfig c;
  if (!t.Has("kind")) return t.Missing("kind", "sliding_window or token_bucket");
  TD_RETURN_IF_ERROR(t.ReadEnum<RateLimitKind>("kind",
                                               {{"sliding_window", RateLimitKind::kSlidingWindow},
                                                {"token_bucket", RateLimitKind::kTokenBucket}},
                                               &c.kind));
  const bool window = c.kind == RateLimitKind::kSlidingWindow;
  for (std::string_view k : {"window", "max_weight"}) {
    if (!window && t.Has(k)) return t.Error(k, *t.Get(k), "not a token_bucket parameter");
    if (window && !t.Has(k)) return t.Missing(k, "required by sliding_window");
  }
  for (std::string_view k : {"capacity", "refill", "refill_interval"}) {
    if (window && t.Has(k)) return t.Error(k, *t.Get(k), "not a sliding_window parameter");
    if (!window && !t.Has(k)) return t.Missing(k, "required by token_bucket");
  }
  TD_RETURN_IF_ERROR(t.ReadDuration("window", &c.window));
  TD_RETURN_IF_ERROR(t.ReadInt("max_weight", 1, kMaxRateWeight, &c.window_weight_max));
  TD_RETURN_IF_ERROR(t.ReadInt("capacity", 1, kMaxRateWeight, &c.bucket_capacity));
  TD_RETURN_IF_ERROR(t.ReadInt("refill", 1, kMaxRateWeight, &c.refill_tokens));
  TD_RETURN_IF_ERROR(t.ReadDuration("refill_interval", &c.refill_interval));
  TD_RETURN_IF_ERROR(t.ReadEnum<RateLimitPolicy>(
      "policy", {{"reject", RateLimitPolicy::kReject}, {"queue", RateLimitPolicy::kQueue}},
      &c.policy));
  TD_RETURN_IF_ERROR(t.ReadDuration("max_queue_delay", &c.max_queue_delay));
  TD_RETURN_IF_ERROR(t.ReadInt("ban_after_rejects", 0, 1'000'000, &c.ban_after_rejects));
  TD_RETURN_IF_ERROR(t.ReadDuration("ban_duration", &c.ban_duration));
  Result<const toml::table*> weights = t.Table("weights");
  if (!weights.ok()) return weights.status();
  if (*weights != nullptr) {
    const TableReader w(root.origin(), **weights, "rate_limit.weights");
    TD_RETURN_IF_ERROR(w.Allow({"new", "cancel", "replace", "status", "mass_cancel"}));
    const std::string_view names[kRateActionCount] = {"new", "cancel", "replace", "status",
                                                      "mass_cancel"};
    for (size_t i = 0; i < kRateActionCount; ++i) {
      TD_RETURN_IF_ERROR(w.ReadInt(names[i], 1, kMaxRateWeight, &c.weights[i]));
    }
  }
  Result<RateLimiter> check = RateLimiter::Create(c);
  if (!check.ok()) return t.Invalid(check.status());
  s->rate_limit = c;
  return Status::Ok();
}

// An array of tables ([[faults.disconnect]]), each read by `read`.
template <typename Fn>
Status ForEachTable(const TableReader& parent, std::string_view key, Fn read) {
  const toml::node* n = parent.Get(key);
  if (n == nullptr) return Status::Ok();
  if (!n->is_array()) return parent.Error(key, *n, "expected an array of tables ([[...]])");
  for (const toml::node& item : *n->as_array()) {
    if (!item.is_table()) return parent.Error(key, item, "expected a table");
    TD_RETURN_IF_ERROR(read(TableReader(parent.origin(), *item.as_table(), parent.Key(key))));
  }
  return Status::Ok();
}

Status ReadFaults(const TableReader& root, Scenario* s) {
  Result<const toml::table*> table = root.Table("faults");
  if (!table.ok()) return table.status();
  if (*table == nullptr) return Status::Ok();
  const TableReader t(root.origin(), **table, "faults");
  TD_RETURN_IF_ERROR(t.Allow({"disconnect", "outage", "random_disconnect_mean_interval",
                              "reconnect_delay", "disconnect_open_orders", "drop_ack",
                              "duplicate_ack", "delay_ack", "ack_delay", "fill_before_ack",
                              "cancel_too_late", "stale_book_after_reconnect", "stale_book_age"}));
  FaultConfig& c = s->faults;
  const std::initializer_list<std::pair<std::string_view, OpenOrderPolicy>> policies = {
      {"cancel_all", OpenOrderPolicy::kCancelAll}, {"keep", OpenOrderPolicy::kKeep}};
  TD_RETURN_IF_ERROR(
      t.ReadDuration("random_disconnect_mean_interval", &c.random_disconnect_mean_interval));
  Result<LatencySpec> reconnect = ReadLatencySpec(t, "reconnect_delay", c.reconnect_delay);
  if (!reconnect.ok()) return reconnect.status();
  c.reconnect_delay = *reconnect;
  TD_RETURN_IF_ERROR(t.ReadEnum("disconnect_open_orders", policies, &c.disconnect_open_orders));
  TD_RETURN_IF_ERROR(t.ReadProbability("drop_ack", &c.drop_ack));
  TD_RETURN_IF_ERROR(t.ReadProbability("duplicate_ack", &c.duplicate_ack));
  TD_RETURN_IF_ERROR(t.ReadProbability("delay_ack", &c.delay_ack));
  Result<LatencySpec> delay = ReadLatencySpec(t, "ack_delay", c.ack_delay);
  if (!delay.ok()) return delay.status();
  c.ack_delay = *delay;
  TD_RETURN_IF_ERROR(t.ReadProbability("fill_before_ack", &c.fill_before_ack));
  TD_RETURN_IF_ERROR(t.ReadProbability("cancel_too_late", &c.cancel_too_late));
  TD_RETURN_IF_ERROR(
      t.ReadProbability("stale_book_after_reconnect", &c.stale_book_after_reconnect));
  TD_RETURN_IF_ERROR(t.ReadDuration("stale_book_age", &c.stale_book_age));
  TD_RETURN_IF_ERROR(ForEachTable(t, "disconnect", [&](const TableReader& d) {
    TD_RETURN_IF_ERROR(d.Allow({"at", "down_for"}));
    if (!d.Has("at")) return d.Missing("at", "offset from the session start, e.g. \"10m\"");
    ScheduledDisconnect sd;
    TD_RETURN_IF_ERROR(d.ReadDuration("at", &sd.at));
    TD_RETURN_IF_ERROR(d.ReadDuration("down_for", &sd.down_for));
    c.disconnects.push_back(sd);
    return Status::Ok();
  }));
  TD_RETURN_IF_ERROR(ForEachTable(t, "outage", [&](const TableReader& o) {
    TD_RETURN_IF_ERROR(o.Allow({"at", "length", "open_orders"}));
    if (!o.Has("at")) return o.Missing("at", "offset from the session start, e.g. \"1h\"");
    if (!o.Has("length")) return o.Missing("length", "how long the venue is down");
    OutageSpec os;
    TD_RETURN_IF_ERROR(o.ReadDuration("at", &os.at));
    TD_RETURN_IF_ERROR(o.ReadDuration("length", &os.length));
    TD_RETURN_IF_ERROR(o.ReadEnum("open_orders", policies, &os.open_orders));
    c.outages.push_back(os);
    return Status::Ok();
  }));
  Result<VenueFaults> check = VenueFaults::Create(c, Timestamp{0});
  if (!check.ok()) return t.Invalid(check.status());
  return Status::Ok();
}

Status ReadSlippage(const TableReader& root, Scenario* s) {
  Result<const toml::table*> table = root.Table("slippage");
  if (!table.ok()) return table.status();
  if (*table == nullptr) return Status::Ok();
  const TableReader t(root.origin(), **table, "slippage");
  TD_RETURN_IF_ERROR(t.Allow({"k", "interval", "alpha", "initial_sigma", "initial_volume",
                              "volume_floor", "displayed_absorbs", "max_impact"}));
  SlippageParams& p = s->slippage;
  TD_RETURN_IF_ERROR(t.ReadDecimal("k", 6, 0, 100 * kPpm, &p.k_ppm));
  TD_RETURN_IF_ERROR(t.ReadDuration("interval", &p.interval));
  TD_RETURN_IF_ERROR(t.ReadDecimal("alpha", 6, 1, kPpm, &p.alpha_ppm));
  TD_RETURN_IF_ERROR(t.ReadDecimal("initial_sigma", Price::kDecimals, 0, kMaxCalibrationPrice,
                                   &p.initial_sigma.raw));
  TD_RETURN_IF_ERROR(t.ReadInt("initial_volume", 0, INT64_MAX / 4, &p.initial_volume.raw));
  TD_RETURN_IF_ERROR(t.ReadInt("volume_floor", 1, INT64_MAX / 4, &p.volume_floor.raw));
  TD_RETURN_IF_ERROR(t.ReadBool("displayed_absorbs", &p.displayed_absorbs));
  TD_RETURN_IF_ERROR(
      t.ReadDecimal("max_impact", Price::kDecimals, 0, INT64_MAX / 4, &p.max_impact.raw));
  Result<SlippageModel> check = SlippageModel::Create(p, Price{1});
  if (!check.ok()) return t.Invalid(check.status());
  return Status::Ok();
}

// [fees]: maker/taker rates in basis points of notional (decimal strings, 6 decimals,
// negative = rebate) and per-unit charges in the quote currency (9 decimals).
Status ReadFees(const TableReader& root, Scenario* s) {
  Result<const toml::table*> table = root.Table("fees");
  if (!table.ok()) return table.status();
  if (*table == nullptr) return Status::Ok();
  const TableReader t(root.origin(), **table, "fees");
  TD_RETURN_IF_ERROR(t.Allow({"maker_bps", "taker_bps", "maker_per_unit", "taker_per_unit"}));
  constexpr int64_t kMaxUbps = 10'000 * kPpm;  // 100% of notional
  constexpr int64_t kMaxPerUnit = 1'000'000 * Money::kScale;
  FeeRates& r = s->fees.base;
  TD_RETURN_IF_ERROR(t.ReadDecimal("maker_bps", 6, -kMaxUbps, kMaxUbps, &r.maker_ubps));
  TD_RETURN_IF_ERROR(t.ReadDecimal("taker_bps", 6, -kMaxUbps, kMaxUbps, &r.taker_ubps));
  TD_RETURN_IF_ERROR(
      t.ReadDecimal("maker_per_unit", 9, -kMaxPerUnit, kMaxPerUnit, &r.maker_per_unit_nanos));
  TD_RETURN_IF_ERROR(
      t.ReadDecimal("taker_per_unit", 9, -kMaxPerUnit, kMaxPerUnit, &r.taker_per_unit_nanos));
  return Status::Ok();
}

}  // namespace

// ---------------------------------------------------------------- public

Result<Probability> ParseProbabilityText(std::string_view text) {
  const std::string what = "invalid probability " + Quoted(text);
  uint64_t num = 0;
  uint64_t den = 1;
  if (const size_t slash = text.find('/'); slash != std::string_view::npos) {
    Result<int64_t> n = ParseDecimal(text.substr(0, slash), 0);
    Result<int64_t> d = ParseDecimal(text.substr(slash + 1), 0);
    if (!n.ok() || !d.ok() || *n < 0 || *d <= 0) {
      return InvalidArgument(what + ": expected num/den with integers num >= 0, den > 0");
    }
    num = static_cast<uint64_t>(*n);
    den = static_cast<uint64_t>(*d);
  } else {
    const bool percent = !text.empty() && text.back() == '%';
    // 16 fractional digits keep every value <= 100 inside int64 (100e16 < 9.2e18).
    Result<int64_t> v = ParseDecimal(percent ? text.substr(0, text.size() - 1) : text, 16);
    if (!v.ok() || *v < 0) {
      return InvalidArgument(what +
                             ": expected \"num/den\", a decimal such as \"0.001\" or a "
                             "percentage such as \"0.1%\"");
    }
    num = static_cast<uint64_t>(*v);
    den = percent ? 1'000'000'000'000'000'000ull : 10'000'000'000'000'000ull;
  }
  if (num > den) return InvalidArgument(what + ": above 1");
  const uint64_t g = std::gcd(num, den);
  return Probability{num / g, den / g};
}

Result<Scenario> ParseScenario(std::string_view text, std::string_view origin_name) {
  if (text.size() > kMaxScenarioBytes) {
    return InvalidArgument(std::string(origin_name) + ": " + std::to_string(text.size()) +
                           " bytes, more than the " + std::to_string(kMaxScenarioBytes) +
                           " allowed for a scenario");
  }
  toml::table root;
  try {
    root = toml::parse(text, origin_name);
  } catch (const toml::parse_error& e) {
    return InvalidArgument(Where(origin_name, e.source()) +
                           ": TOML syntax: " + std::string(e.description()));
  }
  Scenario s;
  s.origin = std::string(origin_name);
  s.text = std::string(text);
  const TableReader t(origin_name, root, "");
  TD_RETURN_IF_ERROR(t.Allow({"seed", "latency", "rate_limit", "faults", "slippage", "fees"}));
  int64_t seed = 0;
  TD_RETURN_IF_ERROR(t.ReadInt("seed", 0, INT64_MAX, &seed));
  s.seed = static_cast<uint64_t>(seed);
  TD_RETURN_IF_ERROR(ReadLatency(t, &s));
  TD_RETURN_IF_ERROR(ReadRateLimit(t, &s));
  TD_RETURN_IF_ERROR(ReadFaults(t, &s));
  TD_RETURN_IF_ERROR(ReadSlippage(t, &s));
  TD_RETURN_IF_ERROR(ReadFees(t, &s));
  return s;
}

Result<Scenario> LoadScenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open scenario file");
  std::string text;
  char buf[64 * 1024];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxScenarioBytes) {
      return InvalidArgument(path + ": larger than the " + std::to_string(kMaxScenarioBytes) +
                             " bytes allowed for a scenario");
    }
  }
  if (in.bad()) return IoError(path + ": read error");
  return ParseScenario(text, path);
}

}  // namespace td::sim
