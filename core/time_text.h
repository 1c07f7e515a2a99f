// Duration text, as written in scenario and engine configuration files and on the command
// line: a decimal number and a unit (ns, us, ms, s, m, h), such as "250us", "1.5ms", "60s",
// "5m"; a bare integer is nanoseconds. Exact, never through a double: "1.5ns" is an error (not a
// whole number of nanoseconds), as are negative values, other units, whitespace and overflow.
#pragma once

#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace td {

Result<Duration> ParseDurationText(std::string_view text);

}  // namespace td
