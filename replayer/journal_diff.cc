#include "replayer/journal_diff.h"

#include "journal/reader.h"

namespace td::replayer {
namespace {

std::vector<std::string> HeaderDifferences(const JournalHeader& a, const JournalHeader& b) {
  // Not the format version, nor the build id: how the records are stored and which build
  // stored them are not what was recorded. A format-1 golden journal and a format-2 run of
  // the same session are identical.
  std::vector<std::string> out;
  if (a.schema_id != b.schema_id) out.push_back("header.schema_id");
  if (a.engine_name != b.engine_name) out.push_back("header.engine_name");
  if (a.config_text != b.config_text) out.push_back("header.config_text");
  if (a.seed != b.seed) out.push_back("header.seed");
  if (a.created != b.created) out.push_back("header.created");
  if (a.session_kind != b.session_kind) out.push_back("header.session_kind");
  if (a.instruments != b.instruments) out.push_back("header.instruments");
  return out;
}

}  // namespace

Result<DiffReport> DiffJournals(const std::string& dir_a, const std::string& dir_b) {
  auto ra = journal::JournalReader::Open(dir_a);
  if (!ra.ok()) return ra.status();
  auto rb = journal::JournalReader::Open(dir_b);
  if (!rb.ok()) return rb.status();
  DiffReport report;
  report.header_a = (*ra)->header();
  report.header_b = (*rb)->header();
  report.header_differences = HeaderDifferences(report.header_a, report.header_b);
  while (true) {
    const Event* a = (*ra)->Next();
    std::optional<Event> ea = a ? std::optional<Event>(*a) : std::nullopt;
    const Event* b = (*rb)->Next();
    TD_RETURN_IF_ERROR((*ra)->status());
    TD_RETURN_IF_ERROR((*rb)->status());
    if (!ea && b == nullptr) break;
    if (!ea || b == nullptr || !(*ea == *b)) {
      JournalDifference d;
      d.seq = ea ? ea->seq : b->seq;
      d.a = std::move(ea);
      if (b != nullptr) d.b = *b;
      report.first = std::move(d);
      break;
    }
    ++report.records_compared;
  }
  return report;
}

}  // namespace td::replayer
