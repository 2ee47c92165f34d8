// Timestamps as text, all in UTC: ISO 8601 as the API shows them
// ("2025-01-15T09:00:00Z", second precision), RFC 5322 for mail headers and
// IMAP's date for SEARCH. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace leadterra {

std::string FormatIso8601(int64_t unix_millis);
// "Wed, 15 Jan 2025 09:00:00 +0000" (a Date header, RFC 5322 §3.3).
std::string FormatRfc5322(int64_t unix_millis);
// "15-Jan-2025" (an IMAP SEARCH date, RFC 3501).
std::string FormatImapDate(int64_t unix_millis);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff]Z"; nullopt on anything else.
std::optional<int64_t> ParseIso8601(std::string_view text);

}  // namespace leadterra
