// Verifying and recovering a journal after a crash or damage. Verify reads every block
// (framing, checksum, hash chain, sequence continuity, decoding) and reports every bad region
// with its file and offset. Recover cuts the journal back to its longest valid prefix, so that
// it verifies clean and reads as a prefix of what was written; nothing is deleted: the bytes
// it cuts (a torn tail, or everything from a corrupt block on, with any valid blocks after it)
// are moved to <dir>/quarantine/, where they can still be salvaged. One exception keeps more:
// a damaged segment header followed by blocks that continue the journal is rebuilt from
// another segment's copy of the journal header, and those blocks stay.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "journal/scan.h"

namespace td::journal {

struct VerifyReport {
  uint64_t records = 0;         // valid records, all decoded
  uint64_t blocks = 0;          // valid blocks
  uint64_t corrupt_blocks = 0;  // bad regions (a torn tail counts as one)
  uint32_t segments = 0;
  std::vector<JournalIssue> issues;  // journal order
  // Bytes from the first bad offset to the end of the journal: what recover cuts, unless the
  // first bad region is a damaged segment header that it can rebuild (keeping the blocks).
  uint64_t truncated_bytes = 0;
  // Valid records lying after the first bad region.
  uint64_t records_after_first_bad = 0;
  // Chain hash of the last valid block before the first bad region: the journal's digest.
  uint64_t hash = 0;
  uint64_t first_seq = 0, last_seq = 0;
  int64_t first_ts = 0, last_ts = 0;

  bool clean() const { return issues.empty(); }
  // Only the end is bad: a writer stopped mid-block (crash, SIGKILL, full disk).
  bool torn_tail_only() const;
};

Result<VerifyReport> VerifyJournal(const std::string& dir);

struct RecoverReport {
  bool changed = false;
  uint64_t records_kept = 0;
  uint64_t bytes_cut = 0;
  uint64_t records_quarantined = 0;  // valid records in the cut bytes
  std::optional<JournalIssue> cut_at;
  std::vector<std::string> quarantined_files;  // paths under <dir>/quarantine/
};

Result<RecoverReport> RecoverJournal(const std::string& dir);

}  // namespace td::journal
