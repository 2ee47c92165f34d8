// Instants and wall-clock times in an IANA time zone, through Howard
// Hinnant's date/tz. Internal to the domain library: only its .cc files
// include this (date/tz.h is heavy). Thread-safe.
#pragma once

#include <date/tz.h>

#include <chrono>
#include <cstdint>
#include <string_view>

namespace leadterra::domain {

using LocalMillis = date::local_time<std::chrono::milliseconds>;

// The zone, or nullptr for UTC (also when the database has no such zone or
// cannot be read: callers validated names, so this is a safe floor).
const date::time_zone* FindZone(std::string_view name);

// The wall-clock time of `unix_millis` in `zone` (nullptr: UTC).
LocalMillis ToLocal(int64_t unix_millis, const date::time_zone* zone);

// A local time that falls in a DST gap maps to the end of the gap; an
// ambiguous one (clocks going back) to its first occurrence, or its second
// with `latest` (a window's end, so that the repeated hour stays inside).
int64_t ToUnixMillis(LocalMillis local, const date::time_zone* zone, bool latest = false);

}  // namespace leadterra::domain
