// ISO 8601 timestamps as the API shows them: "2025-01-15T09:00:00Z" (UTC,
// second precision). Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace leadterra {

std::string FormatIso8601(int64_t unix_millis);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff]Z"; nullopt on anything else.
std::optional<int64_t> ParseIso8601(std::string_view text);

}  // namespace leadterra
