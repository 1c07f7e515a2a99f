// JournalDiff: where two journals differ. Headers are compared field by field except
// engine_build_id (two builds of the same engine may record the same session), and every
// differing field is listed; then, whatever the headers say (two runs of different configs
// are the usual case), the records pairwise in order: sequence number, time and payload,
// every field, up to the first that differs. A journal that ends first differs at the next
// record of the other. Memory is constant.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace td::replayer {

struct JournalDifference {
  SeqNo seq = 0;              // the record's (0 for a header difference)
  std::optional<Event> a, b;  // the differing records; absent: that journal ended
};

struct DiffReport {
  uint64_t records_compared = 0;
  std::vector<std::string> header_differences;  // "header.seed", "header.config_text", ...
  std::optional<JournalDifference> first;       // the first differing record
  bool identical() const { return header_differences.empty() && !first; }
  JournalHeader header_a, header_b;
};

Result<DiffReport> DiffJournals(const std::string& dir_a, const std::string& dir_b);

}  // namespace td::replayer
