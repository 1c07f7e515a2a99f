// JournalDiff: the first point where two journals differ. Headers are compared field by
// field except engine_build_id (two builds of the same engine may record the same session);
// then records pairwise in order: sequence number, time and payload, every field. A journal
// that ends first differs at the next record of the other. Memory is constant.
#pragma once

#include <optional>
#include <string>

#include "core/event.h"
#include "core/status.h"

namespace td::replayer {

struct JournalDifference {
  std::string where;          // "header.seed", "record"
  SeqNo seq = 0;              // the record's (0 for a header difference)
  std::optional<Event> a, b;  // the differing records; absent: that journal ended
};

struct DiffReport {
  uint64_t records_compared = 0;
  std::optional<JournalDifference> first;
  JournalHeader header_a, header_b;
};

Result<DiffReport> DiffJournals(const std::string& dir_a, const std::string& dir_b);

}  // namespace td::replayer
