// libFuzzer target for the journal read path: the input is taken as one segment file and goes
// through the same scan (segment header, block framing, checksums, chain, resync) and block
// decoding (LZ4, Cap'n Proto, record checks) that JournalReader uses. Nothing may crash, hang
// or read out of bounds, whatever the bytes; and a record is only ever yielded from a block
// that passed every check.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "journal/block.h"
#include "journal/scan.h"
#include "schema/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  td::journal::JournalScan scan;
  td::journal::Scanner scanner(&scan);
  scanner.AddSegment("seg-000000.tdj", bytes);
  std::vector<uint64_t> scratch;
  std::vector<td::Event> events;
  for (const td::journal::IndexEntry& e : scan.blocks) {
    td::journal::BlockCheck check = td::journal::CheckBlock(bytes.subspan(e.offset));
    if (check.fault != td::journal::BlockFault::kNone) __builtin_trap();  // scan said valid
    (void)td::journal::OpenBlock(check.view, &scratch, &events);
  }
  // The codec alone, on the raw bytes, as a payload of either layout and as a header.
  (void)td::schema::DecodeBlock(bytes, &events);
  (void)td::schema::DecodeBlock(bytes, td::schema::BlockLayout::kColumns, 1, &events);
  (void)td::schema::DecodeHeader(bytes);
  return 0;
}
