// FIX codec throughput: frame + parse + dictionary-validate a NewOrderSingle and an
// ExecutionReport, and serialise an ExecutionReport (standard header, BodyLength, CheckSum).
// Items per second = messages per second. No allocation in the timed loops (see
// tests/fix/codec_test.cc, "...DoNotAllocateInSteadyState").
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "fix/dictionary.h"
#include "fix/framer.h"
#include "fix/message.h"
#include "fix/validator.h"
#include "fix/writer.h"

namespace {

using namespace td::fix;

std::string Fix(std::string body) {
  for (char& c : body) {
    if (c == '|') c = '\x01';
  }
  std::string m =
      "8=FIX.4.4\x01"
      "9=" +
      std::to_string(body.size()) + "\x01" + body;
  unsigned sum = 0;
  for (unsigned char c : m) sum += c;
  char cs[16];
  std::snprintf(cs, sizeof cs, "10=%03u\x01", sum % 256);
  return m + cs;
}

const std::string kNewOrderSingle =
    Fix("35=D|34=1234|49=CLIENT|52=20240102-03:04:05.678|56=VENUE|11=ORD-000001234|1=ACCT-7|"
        "21=1|55=AAPL|54=1|60=20240102-03:04:05.678|38=100|40=2|44=187.25|59=0|");

const std::string kExecutionReport =
    Fix("35=8|34=5678|49=VENUE|52=20240102-03:04:05.679|56=CLIENT|37=V-0000042|11=ORD-000001234|"
        "17=E-0000099|150=F|39=1|1=ACCT-7|55=AAPL|54=1|38=100|40=2|44=187.25|59=0|32=40|31=187.25|"
        "851=2|151=60|14=40|6=187.25|60=20240102-03:04:05.679|");

void ParseAndValidate(benchmark::State& state, const std::string& raw) {
  const Dictionary& dict = BuiltinFix44Dictionary();
  Message m;
  for (auto _ : state) {
    const Frame f = FindFrame(raw);
    const td::Status s = m.Parse(std::string_view(raw).substr(0, f.size));
    const bool rejected = Validate(dict, m).has_value();
    benchmark::DoNotOptimize(s.ok());
    benchmark::DoNotOptimize(rejected);
    if (!s.ok() || rejected) state.SkipWithError("message did not validate");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(raw.size()));
}

void BM_ParseValidateNewOrderSingle(benchmark::State& state) {
  ParseAndValidate(state, kNewOrderSingle);
}
BENCHMARK(BM_ParseValidateNewOrderSingle);

void BM_ParseValidateExecutionReport(benchmark::State& state) {
  ParseAndValidate(state, kExecutionReport);
}
BENCHMARK(BM_ParseValidateExecutionReport);

void BM_ParseOnlyExecutionReport(benchmark::State& state) {
  Message m;
  for (auto _ : state) benchmark::DoNotOptimize(m.Parse(kExecutionReport).ok());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseOnlyExecutionReport);

void BM_SerializeExecutionReport(benchmark::State& state) {
  OutMessage er(msg_type::kExecutionReport);
  MessageWriter w;
  HeaderFill h;
  h.begin_string = "FIX.4.4";
  h.sender_comp_id = "VENUE";
  h.target_comp_id = "CLIENT";
  h.sending_time = td::Timestamp{1704164645'679'000'000};
  int64_t seq = 1;
  size_t bytes = 0;
  for (auto _ : state) {
    er.Reset(msg_type::kExecutionReport);
    er.Add(37, "V-0000042").Add(11, "ORD-000001234").Add(17, seq).AddChar(150, 'F');
    er.AddChar(39, '1').Add(1, "ACCT-7").Add(55, "AAPL").AddChar(54, '1').AddDecimal(38, 100, 0);
    er.AddChar(40, '2').AddDecimal(44, 1872500, 4).AddChar(59, '0').AddDecimal(32, 40, 0);
    er.AddDecimal(31, 1872500, 4).Add(851, 2).AddDecimal(151, 60, 0).AddDecimal(14, 40, 0);
    er.AddDecimal(6, 1872500, 4).AddUtcTimestamp(60, h.sending_time);
    h.msg_seq_num = seq++;
    const std::string_view out = w.Write(er, h);
    bytes += out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_SerializeExecutionReport);

}  // namespace

BENCHMARK_MAIN();
