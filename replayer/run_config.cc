#include "core/time_text.h"
#include "replayer/run_config.h"

#include <algorithm>
#include <sstream>

#include <toml++/toml.h>

namespace td::replayer {
namespace {

Result<toml::table> ParseToml(std::string_view text, std::string_view origin) {
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << origin << ":" << e.source().begin.line << ":" << e.source().begin.column;
    return InvalidArgument(where.str() + ": TOML syntax: " + std::string(e.description()));
  }
}

// The tables named in `keys`, printed back as TOML: the part of the file one parser owns.
std::string Subset(const toml::table& root, std::initializer_list<std::string_view> keys) {
  toml::table out;
  for (std::string_view k : keys) {
    if (const toml::node* n = root.get(k)) out.insert(k, *n);
  }
  std::ostringstream s;
  s << out;
  return s.str();
}

Result<OperatorCommandKind> CommandKind(std::string_view name, const std::string& where) {
  if (name == "kill_switch") return OperatorCommandKind::kKillSwitch;
  if (name == "pause") return OperatorCommandKind::kPause;
  if (name == "resume") return OperatorCommandKind::kResume;
  if (name == "set_param") return OperatorCommandKind::kSetParam;
  return InvalidArgument(where + ": unknown command \"" + std::string(name) +
                         "\" (use kill_switch, pause, resume or set_param)");
}

Result<std::vector<ScheduledCommand>> ParseOperators(const toml::table& root,
                                                     std::string_view origin) {
  std::vector<ScheduledCommand> out;
  const toml::node* n = root.get("operator");
  if (n == nullptr) return out;
  const toml::array* arr = n->as_array();
  if (arr == nullptr)
    return InvalidArgument(std::string(origin) + ": operator: expected [[operator]]");
  if (arr->size() > kMaxOperatorCommands) {
    return InvalidArgument(std::string(origin) + ": more than " +
                           std::to_string(kMaxOperatorCommands) + " [[operator]] entries");
  }
  for (size_t i = 0; i < arr->size(); ++i) {
    const std::string where = std::string(origin) + ": operator[" + std::to_string(i) + "]";
    const toml::table* t = (*arr)[i].as_table();
    if (t == nullptr) return InvalidArgument(where + ": expected a table");
    for (const auto& [key, value] : *t) {
      if (key != "at" && key != "command" && key != "key" && key != "value") {
        return InvalidArgument(where + "." + std::string(key.str()) +
                               ": unknown key (allowed: at, command, key, value)");
      }
    }
    std::optional<std::string> at =
        t->get("at") ? t->get("at")->value<std::string>() : std::nullopt;
    std::optional<std::string> cmd =
        t->get("command") ? t->get("command")->value<std::string>() : std::nullopt;
    if (!at) return InvalidArgument(where + ".at: required, a duration string such as \"20s\"");
    if (!cmd) return InvalidArgument(where + ".command: required string");
    Result<Duration> d = ParseDurationText(*at);
    if (!d.ok()) return InvalidArgument(where + ".at: " + d.status().message());
    Result<OperatorCommandKind> kind = CommandKind(*cmd, where + ".command");
    if (!kind.ok()) return kind.status();
    ScheduledCommand c;
    c.at = *d;
    c.command.kind = *kind;
    c.command.origin = "scenario";
    if (const toml::node* k = t->get("key")) c.command.key = k->value<std::string>().value_or("");
    if (const toml::node* v = t->get("value")) {
      if (auto s = v->value<std::string>())
        c.command.value = *s;
      else if (auto iv = v->value<int64_t>())
        c.command.value = std::to_string(*iv);
      else
        return InvalidArgument(where + ".value: expected a string or an integer");
    }
    if (*kind == OperatorCommandKind::kSetParam && c.command.key.empty()) {
      return InvalidArgument(where + ".key: required for set_param");
    }
    out.push_back(std::move(c));
  }
  std::stable_sort(
      out.begin(), out.end(),
      [](const ScheduledCommand& a, const ScheduledCommand& b) { return a.at < b.at; });
  return out;
}

std::string Where(std::string_view origin, const toml::node& n, std::string_view key) {
  return std::string(origin) + ":" + std::to_string(n.source().begin.line) + ":" +
         std::to_string(n.source().begin.column) + ": session." + std::string(key);
}

Result<Duration> SessionDuration(std::string_view origin, const toml::node& n,
                                 std::string_view key) {
  const std::optional<std::string> text = n.value<std::string>();
  if (!text) return InvalidArgument(Where(origin, n, key) + ": expected a duration string");
  Result<Duration> d = ParseDurationText(*text);
  if (!d.ok()) return InvalidArgument(Where(origin, n, key) + ": " + d.status().message());
  if (d->ns < 0) return InvalidArgument(Where(origin, n, key) + ": must not be negative");
  return d;
}

Result<SessionLinkConfig> ParseSession(const toml::table& root, std::string_view origin) {
  SessionLinkConfig c;
  const toml::node* n = root.get("session");
  if (n == nullptr) return c;
  const toml::table* t = n->as_table();
  if (t == nullptr) return InvalidArgument(std::string(origin) + ": session: expected a table");
  for (const auto& [k, v] : *t) {
    const std::string_view key = k.str();
    if (key == "protocol") {
      const std::string p = v.value<std::string>().value_or("");
      if (p == "direct") {
        c.protocol = LinkProtocol::kDirect;
      } else if (p == "fix") {
        c.protocol = LinkProtocol::kFix;
      } else {
        return InvalidArgument(Where(origin, v, key) + ": \"" + p +
                               "\" is not a protocol (use \"direct\" or \"fix\")");
      }
    } else if (key == "heartbeat_interval") {
      Result<Duration> d = SessionDuration(origin, v, key);
      if (!d.ok()) return d.status();
      if (d->ns % 1'000'000'000 != 0 || d->ns <= 0 || d->ns > Duration::Seconds(3600).ns) {
        return InvalidArgument(Where(origin, v, key) +
                               ": FIX HeartBtInt is whole seconds, from 1 s to 3600 s");
      }
      c.heartbeat_interval_s = static_cast<int>(d->ns / 1'000'000'000);
    } else if (key == "wire_loss") {
      const std::string text = v.value<std::string>().value_or("");
      Result<sim::Probability> p = sim::ParseProbabilityText(text);
      if (!p.ok()) return InvalidArgument(Where(origin, v, key) + ": " + p.status().message());
      c.wire_loss = *p;
    } else if (key == "reconnect_interval" || key == "resend_request_timeout" ||
               key == "logon_timeout") {
      Result<Duration> d = SessionDuration(origin, v, key);
      if (!d.ok()) return d.status();
      if (key == "logon_timeout" && d->ns == 0) {
        return InvalidArgument(Where(origin, v, key) + ": must be positive");
      }
      (key == "reconnect_interval"       ? c.reconnect_interval
       : key == "resend_request_timeout" ? c.resend_request_timeout
                                         : c.logon_timeout) = *d;
    } else if (key == "reset_on_logon") {
      const std::optional<bool> b = v.value<bool>();
      if (!b) return InvalidArgument(Where(origin, v, key) + ": expected true or false");
      c.reset_on_logon = *b;
    } else {
      return InvalidArgument(Where(origin, v, key) +
                             ": unknown key (allowed: protocol, heartbeat_interval, wire_loss, "
                             "reconnect_interval, resend_request_timeout, logon_timeout, "
                             "reset_on_logon)");
    }
  }
  if (c.protocol == LinkProtocol::kDirect && c.wire_loss.num > 0) {
    return InvalidArgument(std::string(origin) +
                           ": session.wire_loss needs protocol = \"fix\" (direct links carry "
                           "no sequence numbers to lose)");
  }
  return c;
}

}  // namespace

std::string_view LinkProtocolName(LinkProtocol p) {
  return p == LinkProtocol::kFix ? "fix" : "direct";
}

Result<engine::EngineConfig> ParseEngineSection(std::string_view text, std::string_view origin) {
  Result<toml::table> root = ParseToml(text, origin);
  if (!root.ok()) return root.status();
  return engine::ParseEngineConfig(Subset(*root, {"engine", "strategy", "risk"}), origin);
}

Result<RunConfig> ParseRunConfig(std::string_view text, std::string_view origin) {
  Result<toml::table> root = ParseToml(text, origin);
  if (!root.ok()) return root.status();
  for (const auto& [key, value] : *root) {
    static constexpr std::string_view kKnown[] = {"engine",     "strategy", "risk",
                                                  "operator",   "seed",     "latency",
                                                  "rate_limit", "faults",   "slippage", "fees",
                                                  "session"};
    if (std::find(std::begin(kKnown), std::end(kKnown), key.str()) == std::end(kKnown)) {
      return InvalidArgument(std::string(origin) + ": " + std::string(key.str()) +
                             ": unknown top-level key");
    }
  }
  RunConfig rc;
  Result<engine::EngineConfig> ec =
      engine::ParseEngineConfig(Subset(*root, {"engine", "strategy", "risk"}), origin);
  if (!ec.ok()) return ec.status();
  rc.engine = std::move(*ec);
  Result<sim::Scenario> sc = sim::ParseScenario(
      Subset(*root, {"seed", "latency", "rate_limit", "faults", "slippage", "fees"}), origin);
  if (!sc.ok()) return sc.status();
  rc.scenario = std::move(*sc);
  rc.scenario.text = std::string(text);
  Result<SessionLinkConfig> session = ParseSession(*root, origin);
  if (!session.ok()) return session.status();
  rc.session = *session;
  Result<std::vector<ScheduledCommand>> ops = ParseOperators(*root, origin);
  if (!ops.ok()) return ops.status();
  rc.operators = std::move(*ops);
  return rc;
}

Result<std::string> WithEngineSelection(std::string_view text, std::string_view strategy,
                                        std::string_view bug, std::string_view origin) {
  Result<toml::table> root = ParseToml(text, origin);
  if (!root.ok()) return root.status();
  std::string lines;
  const toml::table* engine = (*root)["engine"].as_table();
  auto check = [&](std::string_view key, std::string_view want) -> Status {
    if (engine == nullptr || engine->get(key) == nullptr) {
      if (!want.empty()) lines += std::string(key) + " = \"" + std::string(want) + "\"\n";
      return Status::Ok();
    }
    std::string have = engine->get(key)->value<std::string>().value_or("");
    if (!want.empty() && have != want) {
      return InvalidArgument(std::string(origin) + ": engine." + std::string(key) + " is \"" +
                             have + "\" but the command line asks for \"" + std::string(want) +
                             "\"");
    }
    return Status::Ok();
  };
  TD_RETURN_IF_ERROR(check("strategy", strategy));
  TD_RETURN_IF_ERROR(check("bug", bug));
  std::string out(text);
  if (lines.empty()) return out;
  if (engine == nullptr) {
    if (!out.empty() && out.back() != '\n') out += '\n';
    return out + "\n[engine]  # from the command line\n" + lines;
  }
  // Insert after the `[engine]` header line.
  size_t pos = 0;
  while (pos < out.size()) {
    size_t end = out.find('\n', pos);
    if (end == std::string::npos) end = out.size();
    std::string_view line(out.data() + pos, end - pos);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.starts_with("[engine]")) {
      out.insert(std::min(end + 1, out.size()), (end == out.size() ? "\n" : "") + lines);
      return out;
    }
    pos = end + 1;
  }
  return InvalidArgument(std::string(origin) +
                         ": the [engine] table is not a plain `[engine]` header line; put "
                         "strategy and bug in it instead of using --strategy/--bug");
}

}  // namespace td::replayer
