// FIX UTCTimestamp text <-> Timestamp (ns since the Unix epoch, UTC), with exact integer calendar
// arithmetic (no libc time functions, no clock). FIX 4.4 Volume 1, "UTCTimestamp":
// YYYYMMDD-HH:MM:SS with optional .sss milliseconds (we also accept 6 or 9 fractional digits).
//
//   char buf[kUtcTimestampMillisLen];
//   FormatUtcTimestampMillis(Timestamp{ns}, buf);   // "20240102-03:04:05.678"
#pragma once

#include <cstddef>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace td::fix {

inline constexpr size_t kUtcTimestampMillisLen = 21;   // YYYYMMDD-HH:MM:SS.sss
inline constexpr size_t kUtcTimestampSecondsLen = 17;  // YYYYMMDD-HH:MM:SS

// Writes exactly kUtcTimestampMillisLen characters (truncated, not rounded, to the millisecond).
// REQUIRES: t is within years 0000..9999.
void FormatUtcTimestampMillis(Timestamp t, char* out);
// Writes exactly kUtcTimestampSecondsLen characters.
void FormatUtcTimestampSeconds(Timestamp t, char* out);

// Parses a UTCTimestamp; the error names what is wrong ("month 13 out of range").
Result<Timestamp> ParseUtcTimestamp(std::string_view text);

// Format checks used by the dictionary validator (syntax and ranges, no allocation).
bool IsUtcTimestamp(std::string_view text);
bool IsUtcTimeOnly(std::string_view text);  // HH:MM:SS[.sss]
bool IsUtcDate(std::string_view text);      // YYYYMMDD (UTCDateOnly, LocalMktDate)
bool IsMonthYear(std::string_view text);    // YYYYMM, YYYYMMDD or YYYYMMwN

}  // namespace td::fix
