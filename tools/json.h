// Readable forms of journal records and headers, for `tapedeck journal cat|info` and whoever
// else prints a journal: JSON objects, compact JSON lines, and one-line text. Stateless
// functions; safe to call from any thread.
//
// Every form shows every field of a record. Prices and money are exact decimal strings
// ("585.33"), never routed through a double. A quantity is shown in units of its instrument
// when the journal header describes the instrument ("0.015" at 3 decimals, 18 at 0 decimals),
// and as its raw integer otherwise. Enums are lower-case names, timestamps integer ns since
// the epoch, and WireMessage bytes a string with SOH (0x01) shown as '|' plus `bytes_hex`.
//
//   nlohmann::json j = EventToJson(event, &reader.header());
//   std::string line = EventToText(event, &reader.header());
//   // "seq=12 ts=1340285400000004000 l3_order instrument=1 add buy order_id=16113575
//   //  price=585.33 qty=18 exchange_ts=... receive_ts=..."
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "core/event.h"
#include "core/status.h"

namespace td::tools {

// {"seq": 12, "ts": 1340285400000004000, "kind": "l3_order", "instrument": 1, ...}.
// `header` may be null; it only supplies the quantity scale of known instruments.
nlohmann::json EventToJson(const Event& e, const JournalHeader* header = nullptr);

// The same content as EventToJson, appended to *out as one compact JSON line without the
// newline, fields in declaration order. Built without a DOM: this is `cat --json`'s hot path.
void AppendEventJsonLine(const Event& e, const JournalHeader* header, std::string* out);

// "seq=12 ts=... l3_order instrument=1 add buy ...": key=value pairs, enums bare, strings
// quoted with C-style escapes. One line: never contains a newline.
std::string EventToText(const Event& e, const JournalHeader* header = nullptr);
void AppendEventText(const Event& e, const JournalHeader* header, std::string* out);

// Every header field; schema_id as 16 hex digits, created as int ns and as UTC text.
nlohmann::json HeaderToJson(const JournalHeader& h);

// ns since the epoch as "2012-06-21T13:30:00.000000001Z" (always 9 fractional digits).
std::string FormatUtc(Timestamp ts);

// Parses a time given on the command line: integer ns since the epoch ("-5", "1340285400000")
// or ISO-8601 UTC "YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z". Integer arithmetic only. InvalidArgument
// naming the text and the problem otherwise.
Result<Timestamp> ParseTimeArg(std::string_view text);

// Exactly 16 lower-case hex digits, no prefix: how hashes and ids are shown.
std::string Hex64(uint64_t v);

}  // namespace td::tools
