// Helpers for the journal tests: temporary directories, a deterministic mix of records of
// every kind, and writing and reading whole journals.
#pragma once

#include <string>
#include <vector>

#include "core/event.h"
#include "journal/reader.h"
#include "journal/writer.h"

namespace td::journal::testing {

// A fresh empty directory under the test temp dir.
std::string MakeTempDir(const std::string& prefix);
void RemoveTree(const std::string& path);
void CopyTree(const std::string& from, const std::string& to);

// The payload for sequence number `seq` of a deterministic stream: mostly L3 market data,
// with every other kind sprinkled in (strings, snapshots, wire bytes with NULs).
Payload PayloadFor(uint64_t seq);
// Timestamp for `seq`: non-decreasing, with repeats and occasional gaps.
Timestamp TimeFor(uint64_t seq);
// The event the writer produces for `seq` (1-based).
Event EventFor(uint64_t seq);

JournalHeader TestHeader();

// Writes events 1..n with the given options; returns the directory.
void WriteJournal(const std::string& dir, uint64_t n, WriterOptions options);
// Reads every record; *status gets the reader's final status.
std::vector<Event> ReadAll(const std::string& dir, Status* status, bool skip_corrupt = false);

std::vector<uint8_t> ReadBytes(const std::string& path);
void WriteBytes(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace td::journal::testing
