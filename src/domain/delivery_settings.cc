#include "domain/delivery_settings.h"

#include "domain/zone_time.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>

namespace leadterra::domain {

bool IsKnownTimeZone(std::string_view name) {
  if (name.empty() || name.size() > kMaxTimeZoneChars) return false;
  if (name == "UTC") return true;
  return FindZone(name) != nullptr;
}

std::optional<int> ParseClockTime(std::string_view text, bool allow_end_of_day) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (size_t i : {0, 1, 3, 4}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (minutes > 59) return std::nullopt;
  if (hours == 24 && minutes == 0 && allow_end_of_day) return 24 * 60;
  if (hours > 23) return std::nullopt;
  return hours * 60 + minutes;
}

std::string FormatClockTime(int minutes) {
  char text[8];
  std::snprintf(text, sizeof text, "%02d:%02d", minutes / 60 % 100, minutes % 60);
  return text;
}

Status ValidateDeliverySettings(const DeliverySettings& settings) {
  if (settings.daily_limit &&
      (*settings.daily_limit < 1 || *settings.daily_limit > kMaxWorkspaceDailyLimit)) {
    return InvalidArgument("dailyLimit must be from 1 to 1000000, or null for no workspace limit",
                           "dailyLimit");
  }
  if (!IsKnownTimeZone(settings.timezone)) {
    return InvalidArgument("timezone must be an IANA time zone such as \"Europe/Berlin\"",
                           "timezone");
  }
  if (settings.min_gap_seconds < 0 || settings.min_gap_seconds > kMaxMinGapSeconds) {
    return InvalidArgument("minGapSeconds must be from 0 to 86400", "minGapSeconds");
  }
  if (settings.window) {
    const SendingWindow& w = *settings.window;
    if (w.days.empty()) {
      return InvalidArgument("sendingWindow.days needs at least one day", "sendingWindow.days");
    }
    for (size_t i = 0; i < w.days.size(); ++i) {
      if (w.days[i] < 1 || w.days[i] > 7 || (i > 0 && w.days[i] <= w.days[i - 1])) {
        return InvalidArgument("sendingWindow.days are ISO weekdays 1 (Monday) to 7 (Sunday)",
                               "sendingWindow.days[" + std::to_string(i) + "]");
      }
    }
    if (w.start_minute < 0 || w.start_minute >= 24 * 60) {
      return InvalidArgument("sendingWindow.start must be HH:MM", "sendingWindow.start");
    }
    if (w.end_minute <= w.start_minute || w.end_minute > 24 * 60) {
      return InvalidArgument(
          "sendingWindow.end must be after sendingWindow.start (HH:MM, up to 24:00)",
          "sendingWindow.end");
    }
  }
  return Status::Ok();
}

LocalDay LocalDayOf(int64_t unix_millis, std::string_view zone_name) {
  const date::time_zone* zone = FindZone(zone_name);
  const auto day = date::floor<date::days>(ToLocal(unix_millis, zone));
  const date::year_month_day ymd{day};
  char key[16];
  std::snprintf(key, sizeof key, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  LocalDay out;
  out.key = key;
  out.next_start = ToUnixMillis(LocalMillis{day + date::days{1}}, zone);
  return out;
}

int64_t NextWindowOpening(int64_t unix_millis, const SendingWindow& window,
                          std::string_view zone_name) {
  const date::time_zone* zone = FindZone(zone_name);
  const auto today = date::floor<date::days>(ToLocal(unix_millis, zone));
  // Eight days: today's window may already have closed and the same
  // weekday a week later is then the next one.
  for (int offset = 0; offset <= 7; ++offset) {
    const date::local_days day = today + date::days{offset};
    const int weekday = static_cast<int>(date::weekday{day}.iso_encoding());
    if (!std::binary_search(window.days.begin(), window.days.end(), weekday)) continue;
    const LocalMillis midnight{day};
    const int64_t opens = ToUnixMillis(midnight + std::chrono::minutes{window.start_minute}, zone);
    const int64_t closes =
        ToUnixMillis(midnight + std::chrono::minutes{window.end_minute}, zone, /*latest=*/true);
    if (unix_millis >= closes) continue;
    return std::max(unix_millis, opens);
  }
  return std::numeric_limits<int64_t>::max();
}

int64_t NextPacedSend(int64_t sent_at, int min_gap_seconds, double random_unit) {
  if (min_gap_seconds <= 0) return sent_at;
  const int64_t gap = int64_t{min_gap_seconds} * 1000;
  const int64_t jitter_room = std::min<int64_t>(gap / 5, 60'000);
  const double unit = std::clamp(random_unit, 0.0, 1.0);
  return sent_at + gap + static_cast<int64_t>(unit * static_cast<double>(jitter_room));
}

}  // namespace leadterra::domain
