// libFuzzer target: the fault-schedule fuzzer over whole simulations with FIX sessions on the
// links (replayer/fix_link.h). The input picks a scenario: the run's seed, latencies, wire
// loss, a schedule of disconnects and their down times, the venue's open-order policy, ack
// faults, fills before acks, too-late cancels, a rate limit (rejecting or queueing), the FIX
// heartbeat, the resend request timeout, reset-on-logon, how the market maker requotes
// (cancel + new, or replace) and an optional kill switch. Any
// input is valid: missing bytes read as 0. The run is a 3 s synthetic market, then 20 s
// with no market data so that everything in flight settles. Afterwards:
//  - the engine's positions are the venue's, instrument by instrument (no drift, no double
//    count, whatever was lost, resent or duplicated);
//  - the engine's open orders are the venue's working orders;
//  - the engine's FIX end read every venue reply (no decode error);
//  - after a kill switch: no open order and a flat position.
// A violation prints the scenario (TOML) and the seed, leaves the run's journal for
// `tapedeck replay` and `journal stats`, and traps; the crash input reproduces it exactly.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <system_error>

#include <unistd.h>

#include "replayer/market_source.h"
#include "replayer/simulate.h"

namespace {

using namespace td;
using namespace td::replayer;

constexpr Duration kMarket = Duration::Seconds(3);
constexpr Duration kSettle = Duration::Seconds(20);

class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t U8() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint64_t U64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | U8();
    return v;
  }
  // One of [lo, hi].
  int64_t In(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(U8()) % (hi - lo + 1); }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

std::string Scenario(Bytes& in) {
  std::string t = "seed = 1\n\n[engine]\nstrategy = \"market-maker\"\n"
                  "kill_switch_deadline = \"15s\"\nkill_switch_retry = \"100ms\"\n"
                  "request_timeout = \"500ms\"\n\n";
  t += "[strategy]\nspread_ticks = 1\nsize = 100\nmax_inventory = 1000\n";
  if (in.U8() % 2) t += "requote = \"replace\"\n";
  // A lost Logon costs the logon timeout: 1 s, so that a run with heavy wire loss still
  // logs on again within the settling time.
  t += "\n[session]\nprotocol = \"fix\"\nlogon_timeout = \"1s\"\n";
  t += "heartbeat_interval = \"" + std::to_string(in.In(1, 3)) + "s\"\n";
  if (const int64_t d = in.In(0, 60); d > 0) t += "wire_loss = \"1/" + std::to_string(d * 10) + "\"\n";
  t += "reconnect_interval = \"" + std::to_string(in.In(10, 1000)) + "ms\"\n";
  t += "resend_request_timeout = \"" + std::to_string(in.In(50, 3000)) + "ms\"\n";
  if (in.U8() % 4 == 0) t += "reset_on_logon = true\n";
  t += "\n[latency.order_entry]\nmodel = \"constant\"\nvalue = \"" +
       std::to_string(in.In(1, 250) * 100) + "us\"\n";
  t += "\n[latency.venue_response]\nmodel = \"uniform\"\nlo = \"50us\"\nhi = \"" +
       std::to_string(in.In(1, 250) * 100) + "us\"\n";
  t += "\n[latency.market_data]\nmodel = \"constant\"\nvalue = \"50us\"\n";
  t += "\n[faults]\n";
  t += std::string("disconnect_open_orders = \"") + (in.U8() % 2 ? "cancel_all" : "keep") +
       "\"\n";
  auto ack = [&](const char* key) {
    if (const int64_t d = in.In(0, 20); d > 0) {
      t += std::string(key) + " = \"1/" + std::to_string(d * 5) + "\"\n";
    }
  };
  ack("drop_ack");
  ack("duplicate_ack");
  ack("delay_ack");
  ack("cancel_too_late");
  const size_t faults_end = t.size();  // more [faults] keys go here (read last, below)
  // Disconnects at set times within the market (times in ms, ascending), so that the
  // settling time after it is quiet: random ones would go on cutting the session there.
  const int64_t disconnects = in.In(0, 8);
  int64_t at_ms = 0;
  for (int64_t i = 0; i < disconnects; ++i) {
    at_ms += in.In(1, 250) * 1'500 / 250;
    if (at_ms >= kMarket.ns / 1'000'000) break;
    t += "\n[[faults.disconnect]]\nat = \"" + std::to_string(at_ms) + "ms\"\ndown_for = \"" +
         std::to_string(in.In(1, 100) * 10) + "ms\"\n";
  }
  if (const int64_t k = in.In(0, 3); k > 0) {
    t += "\n[[operator]]\nat = \"" + std::to_string(k) + "s\"\ncommand = \"kill_switch\"\n";
  }
  // Read last, so that the inputs of the corpus keep the meaning they had before these.
  if (const int64_t d = in.In(0, 20); d > 0) {
    t.insert(faults_end, "fill_before_ack = \"1/" + std::to_string(d * 5) + "\"\n");
  }
  if (const int64_t w = in.In(0, 10); w > 0) {
    t += "\n[rate_limit]\nkind = \"sliding_window\"\nwindow = \"1s\"\nmax_weight = " +
         std::to_string(w * 10) + "\npolicy = \"" + (in.U8() % 2 ? "queue" : "reject") + "\"\n";
  }
  return t;
}

// Where each run writes its journal: the failing run's is left there for `tapedeck replay`,
// `journal stats` and `journal dump`.
std::string JournalDir() {
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp != nullptr ? tmp : "/tmp") + "/td-sim-fault-fuzzer-" +
         std::to_string(::getpid());
}

[[noreturn]] void Fail(const std::string& what, const std::string& scenario, uint64_t seed) {
  std::fprintf(stderr,
               "sim_fault_fuzzer: %s\nseed %llu (run and synthetic market), the run's journal "
               "is in %s, scenario:\n%s\n",
               what.c_str(), static_cast<unsigned long long>(seed), JournalDir().c_str(),
               scenario.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes in(data, size);
  const uint64_t seed = in.U64();
  const std::string scenario = Scenario(in);
  marketdata::SyntheticConfig sc;
  sc.duration = kMarket;
  SyntheticMarketSource source(sc, seed);
  SimulateOptions o;
  o.config_text = scenario;
  o.config_origin = "fuzz.toml";
  o.seed = seed;
  o.duration = kMarket + kSettle;
  o.out_dir = JournalDir();
  std::error_code ec;
  std::filesystem::remove_all(o.out_dir, ec);
  Result<SessionResult> run = Simulate(o, source);
  if (!run.ok()) Fail(run.status().ToString(), scenario, seed);
  const SessionResult& r = *run;

  std::map<InstrumentId, int64_t> engine, venue;
  for (const auto& p : r.engine.positions) {
    if (p.position.raw != 0) engine[p.instrument] = p.position.raw;
  }
  for (const auto& [id, q] : r.venue_holdings.positions) {
    if (q.raw != 0) venue[id] = q.raw;
  }
  if (engine != venue) Fail("the engine's positions drifted from the venue's", scenario, seed);
  if (r.engine.open_orders != r.venue_holdings.open_orders) {
    Fail("the engine has " + std::to_string(r.engine.open_orders) +
             " open orders, the venue " + std::to_string(r.venue_holdings.open_orders),
         scenario, seed);
  }
  if (r.links.fix.decode_errors != 0) Fail("venue replies the engine could not read", scenario, seed);
  if (r.engine.kill_switch_fired && (r.engine.open_orders != 0 || !engine.empty())) {
    Fail("not flat after the kill switch", scenario, seed);
  }
  return 0;
}
