// The journal's sparse index (one entry per block) persisted as <dir>/index.tdx, so that a
// large journal opens without reading every block. It is a cache: written by the writer when
// it closes, trusted only while every segment file still has the size it records, and rebuilt
// by a scan otherwise (docs/journal-format.md, "Index file").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "journal/scan.h"

namespace td::journal {

inline constexpr char kIndexFileName[] = "index.tdx";

// Serialises the segments' sizes and the block entries.
std::vector<uint8_t> EncodeIndex(const std::vector<SegmentInfo>& segments,
                                 const std::vector<IndexEntry>& blocks);

struct LoadedIndex {
  std::vector<SegmentInfo> segments;  // file, file_bytes
  std::vector<IndexEntry> blocks;
};
// Corruption when the bytes are not a valid index.
Result<LoadedIndex> DecodeIndex(std::span<const uint8_t> bytes);

}  // namespace td::journal
