// Credentials redaction for journals and logs: a copy of raw FIX bytes with the values of
// Password (554), NewPassword (925) and RawData (96) replaced by "***", and RawDataLength (95)
// set to 3 so the redacted bytes still split into the same fields.
//
// The redacted form is for journals and logs only: its BodyLength (9) and CheckSum (10) no
// longer match the bytes, so it is never sent, and a replay that needs the original session
// bytes must re-create credentials from configuration.
//
//   journal.Append(WireMessage{conn, WireDirection::kInbound, RedactCredentials(bytes)});
#pragma once

#include <string>
#include <string_view>

namespace td::fix {

inline constexpr std::string_view kRedacted = "***";

std::string RedactCredentials(std::string_view raw);

// True when the bytes carry a field that RedactCredentials would change (a cheap pre-check).
bool HasCredentials(std::string_view raw);

}  // namespace td::fix
