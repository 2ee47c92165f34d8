// A workspace's delivery settings (daily cap, time zone, sending window,
// pacing) and the calendar rules that apply them. Calendar arithmetic uses
// the system's IANA time zone database (Howard Hinnant's date/tz), which
// stays out of this header. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace leadterra::domain {

// Local days and hours when mail may go out. `days` are ISO weekdays
// (1 = Monday … 7 = Sunday), sorted and unique; `start_minute` <
// `end_minute`, minutes after local midnight (end 1440 = midnight).
struct SendingWindow {
  std::vector<int> days;
  int start_minute = 9 * 60;
  int end_minute = 17 * 60;
};

struct DeliverySettings {
  // Sends per local day across all of the workspace's mailboxes; nullopt:
  // only the mailboxes' own limits apply.
  std::optional<int> daily_limit;
  // IANA zone whose midnight starts a new day for every daily limit and in
  // which the window applies (unless a lead has its own zone).
  std::string timezone = "UTC";
  std::optional<SendingWindow> window;  // nullopt: any time
  // Least time between two sends of one mailbox (a small random extra is
  // added so sends do not look machine-timed). 0: no pacing.
  int min_gap_seconds = 0;
  int64_t updated_at = 0;  // 0: never changed (defaults)
};

inline constexpr int kMaxWorkspaceDailyLimit = 1'000'000;
inline constexpr int kMaxMinGapSeconds = 86'400;
inline constexpr size_t kMaxTimeZoneChars = 64;

// Whether `name` is a zone of the tz database ("Europe/Berlin", "UTC").
bool IsKnownTimeZone(std::string_view name);
// "HH:MM" (00:00 … 23:59, and 24:00 when `allow_end_of_day`) to minutes.
std::optional<int> ParseClockTime(std::string_view text, bool allow_end_of_day);
std::string FormatClockTime(int minutes);
// Checks every field; `param` names the offending one ("sendingWindow.days").
Status ValidateDeliverySettings(const DeliverySettings& settings);

// The local calendar day containing an instant.
struct LocalDay {
  std::string key;         // "YYYY-MM-DD" in the zone, the key limits count under
  int64_t next_start = 0;  // unix millis of the next local midnight (DST-correct)
};
// `zone` must be known; an unknown zone is treated as UTC.
LocalDay LocalDayOf(int64_t unix_millis, std::string_view zone);

// `unix_millis` itself when that instant is inside `window` in `zone`, else
// the next instant the window opens. A window edge that falls in a DST gap
// opens at the end of the gap. Unknown zones are treated as UTC; a window
// without days never opens (returns INT64_MAX).
int64_t NextWindowOpening(int64_t unix_millis, const SendingWindow& window, std::string_view zone);

// When a mailbox that sent at `sent_at` may send again: the gap plus up to
// 20% of it (at most 60 s) of jitter drawn from `random_unit` in [0, 1).
int64_t NextPacedSend(int64_t sent_at, int min_gap_seconds, double random_unit);

}  // namespace leadterra::domain
