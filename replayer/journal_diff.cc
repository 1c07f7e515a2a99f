#include "replayer/journal_diff.h"

#include "journal/reader.h"

namespace td::replayer {
namespace {

std::optional<std::string> HeaderDifference(const JournalHeader& a, const JournalHeader& b) {
  if (a.format_version != b.format_version) return "header.format_version";
  if (a.schema_id != b.schema_id) return "header.schema_id";
  if (a.engine_name != b.engine_name) return "header.engine_name";
  if (a.config_text != b.config_text) return "header.config_text";
  if (a.seed != b.seed) return "header.seed";
  if (a.created != b.created) return "header.created";
  if (a.session_kind != b.session_kind) return "header.session_kind";
  if (a.instruments != b.instruments) return "header.instruments";
  return std::nullopt;
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
  if (auto where = HeaderDifference(report.header_a, report.header_b)) {
    report.first = JournalDifference{*where, 0, std::nullopt, std::nullopt};
    return report;
  }
  while (true) {
    const Event* a = (*ra)->Next();
    std::optional<Event> ea = a ? std::optional<Event>(*a) : std::nullopt;
    const Event* b = (*rb)->Next();
    TD_RETURN_IF_ERROR((*ra)->status());
    TD_RETURN_IF_ERROR((*rb)->status());
    if (!ea && b == nullptr) break;
    if (!ea || b == nullptr || !(*ea == *b)) {
      JournalDifference d;
      d.where = "record";
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
