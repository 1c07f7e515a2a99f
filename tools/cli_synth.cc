// `tapedeck synth --seed S --duration D [--instruments N] -o JOURNAL`: records the synthetic
// market (marketdata/synthetic.h) into a journal (session_kind "synthetic", the instruments
// SYN1..SYNn in the header, the generator's parameters as config_text, the seed) and prints a
// one-line summary. The same seed, duration and instrument count give the same records.
//
// Exit status: 0 success; 1 the journal could not be written completely; 2 usage errors (a bad
// duration, an existing non-empty journal directory).
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <string>

#include "core/time_text.h"
#include "journal/writer.h"
#include "marketdata/synthetic.h"
#include "sim-exchange/scenario.h"
#include "tools/cli_common.h"
#include "tools/commands.h"

namespace td::tools {
namespace {


struct SynthOptions {
  uint64_t seed = 1;
  std::string duration = "60s";
  uint32_t instruments = 1;
  std::string output;
};

void SynthError(std::string_view message) { PrintError("synth", message); }

int RunSynth(const SynthOptions& o) {
  Result<Duration> duration = ParseDurationText(o.duration);
  if (!duration.ok()) {
    SynthError("--duration: " + duration.status().message());
    return kExitUsage;
  }
  marketdata::SyntheticConfig config;
  config.instruments = o.instruments;
  config.duration = *duration;
  if (Status s = marketdata::ValidateSyntheticConfig(config); !s.ok()) {
    SynthError(s.message());
    return kExitUsage;
  }
  marketdata::SyntheticMarket market(config, o.seed);

  JournalHeader header;
  header.engine_name = "tapedeck synth";
  header.engine_build_id = "synthetic-v1";
  header.session_kind = "synthetic";
  header.config_text = marketdata::SyntheticConfigText(config, o.seed);
  header.seed = o.seed;
  header.created = config.start;
  header.instruments = market.instruments();
  auto writer = journal::JournalWriter::Create(o.output, header, journal::WriterOptions{});
  if (!writer.ok()) {
    SynthError(writer.status().ToString());
    return kExitUsage;
  }

  // Wall-clock time only for the throughput figure of the summary; nothing recorded uses it.
  const auto t0 = std::chrono::steady_clock::now();
  Event e;
  uint64_t written = 0;
  Timestamp first_ts, last_ts;
  while (market.Next(&e)) {
    if ((*writer)->Append(e.ts, e.payload) == 0) break;  // a write error: Close() reports it
    if (written == 0) first_ts = e.ts;
    last_ts = e.ts;
    ++written;
  }
  const Status closed = (*writer)->Close();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!closed.ok()) {
    SynthError(o.output + ": " + closed.ToString() + fmt::format(" ({} events appended)", written));
    return kExitFailed;
  }
  const marketdata::SyntheticStats& s = market.stats();
  fmt::print(
      "synth: {} events ({} adds, {} cancels, {} deletes, {} executions, {} trades, {} bursts) "
      "for {} instrument(s) over {} ({} ns of receive time), seed {}, in {:.2f} s "
      "({:.2f} M events/s) -> {}\n",
      written, s.adds, s.cancels, s.deletes, s.executions, s.trades, s.bursts, o.instruments,
      o.duration, (last_ts - first_ts).ns, o.seed, seconds,
      seconds > 0 ? static_cast<double>(written) / seconds / 1e6 : 0.0, o.output);
  return kExitOk;
}

}  // namespace

void RegisterSynthCommands(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<SynthOptions>();
  CLI::App* cmd = app.add_subcommand(
      "synth",
      "Record a seeded synthetic L3 market (SYN1..SYNn: adds, cancels, executions and trades "
      "around a random-walk fair price, with bursts) into a journal");
  cmd->add_option("--seed", o->seed, "Random seed; the same seed gives the same journal")
      ->capture_default_str();
  cmd->add_option("--duration", o->duration,
                  "Market time to generate: 60s, 5m, 1h, 250ms, or integer nanoseconds")
      ->capture_default_str();
  cmd->add_option("--instruments", o->instruments, "Number of instruments, interleaved in time")
      ->check(CLI::Range(1u, marketdata::kMaxSyntheticInstruments))
      ->capture_default_str();
  cmd->add_option("-o,--output", o->output, "The journal directory to create")->required();
  cmd->callback([o, exit_code] { *exit_code = RunSynth(*o); });
}

}  // namespace td::tools
