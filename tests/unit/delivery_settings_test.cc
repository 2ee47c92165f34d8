// Calendar rules of the delivery settings: local days, sending windows
// across DST changes, pacing, and validation.
#include "domain/delivery_settings.h"

#include <gtest/gtest.h>

#include <limits>

namespace leadterra::domain {
namespace {

constexpr int64_t kHour = 3600'000;

// 2026-03-08T12:00:00Z, a Sunday: New York moved to summer time (EDT, -4) at
// 07:00 UTC that day.
constexpr int64_t kNewYorkDstSunday = 1772971200000;

SendingWindow Weekdays(int start, int end) { return {{1, 2, 3, 4, 5}, start, end}; }

TEST(LocalDay, KeyAndNextMidnightFollowTheZone) {
  LocalDay utc = LocalDayOf(kNewYorkDstSunday, "UTC");
  EXPECT_EQ(utc.key, "2026-03-08");
  EXPECT_EQ(utc.next_start, kNewYorkDstSunday + 12 * kHour);
  // 23:30 UTC on the 8th is already the 9th in Tokyo.
  EXPECT_EQ(LocalDayOf(kNewYorkDstSunday + 11 * kHour + 1800'000, "Asia/Tokyo").key, "2026-03-09");
  // New York's Sunday lasts 23 hours; its next midnight is 04:00 UTC (EDT).
  LocalDay ny = LocalDayOf(kNewYorkDstSunday, "America/New_York");
  EXPECT_EQ(ny.key, "2026-03-08");
  EXPECT_EQ(ny.next_start, kNewYorkDstSunday + 16 * kHour);
  // Unknown zones count as UTC.
  EXPECT_EQ(LocalDayOf(kNewYorkDstSunday, "Mars/Olympus").next_start, utc.next_start);
}

TEST(SendingWindowRule, InsideTheWindowIsNow) {
  // Monday 2026-03-09 14:00 UTC = 10:00 EDT.
  const int64_t monday = kNewYorkDstSunday + 26 * kHour;
  EXPECT_EQ(NextWindowOpening(monday, Weekdays(9 * 60, 17 * 60), "America/New_York"), monday);
}

TEST(SendingWindowRule, WeekendWaitsForMondayInSummerTime) {
  // Sunday noon UTC: the next opening is Monday 09:00 EDT = 13:00 UTC, one
  // hour earlier in UTC than the Friday before (EST).
  EXPECT_EQ(NextWindowOpening(kNewYorkDstSunday, Weekdays(9 * 60, 17 * 60), "America/New_York"),
            kNewYorkDstSunday + 25 * kHour);
  const int64_t friday_evening = kNewYorkDstSunday - 2 * 24 * kHour + 12 * kHour;  // 19:00 EST
  EXPECT_EQ(NextWindowOpening(friday_evening, Weekdays(9 * 60, 17 * 60), "America/New_York"),
            kNewYorkDstSunday + 25 * kHour);
}

TEST(SendingWindowRule, StartInsideTheDstGapOpensWhenTheGapEnds) {
  // 02:30 does not exist in New York on 2026-03-08; the window opens at
  // 03:00 EDT = 07:00 UTC.
  const int64_t saturday_noon = kNewYorkDstSunday - 24 * kHour;
  SendingWindow sunday{{7}, 2 * 60 + 30, 4 * 60};
  EXPECT_EQ(NextWindowOpening(saturday_noon, sunday, "America/New_York"),
            kNewYorkDstSunday - 5 * kHour);
}

TEST(SendingWindowRule, ClosedTodayMovesToNextAllowedDayAndEndIsExclusive) {
  SendingWindow w = Weekdays(9 * 60, 17 * 60);
  const int64_t monday_17 = kNewYorkDstSunday + 33 * kHour;  // 17:00 EDT
  EXPECT_EQ(NextWindowOpening(monday_17 - 1, w, "America/New_York"), monday_17 - 1);
  EXPECT_EQ(NextWindowOpening(monday_17, w, "America/New_York"), monday_17 + 16 * kHour);
  SendingWindow whole_day{{1}, 0, 24 * 60};
  EXPECT_EQ(NextWindowOpening(kNewYorkDstSunday, whole_day, "UTC"), kNewYorkDstSunday + 12 * kHour);
  EXPECT_EQ(NextWindowOpening(kNewYorkDstSunday, SendingWindow{{}, 0, 60}, "UTC"),
            std::numeric_limits<int64_t>::max());
}

TEST(SendingWindowRule, RepeatedHourAtTheEndStaysInside) {
  // New York falls back on 2026-11-01: 01:00-02:00 EDT, then 01:00-02:00
  // EST again. A window ending 01:30 closes at the second 01:30 (06:30 UTC).
  const int64_t sunday_0400_utc = 1793505600000;  // 2026-11-01T04:00:00Z = 00:00 EDT
  SendingWindow w{{7}, 0, 90};
  EXPECT_EQ(NextWindowOpening(sunday_0400_utc + 2 * kHour + 20 * 60'000, w, "America/New_York"),
            sunday_0400_utc + 2 * kHour + 20 * 60'000);  // 01:20 EST: still open
  EXPECT_EQ(NextWindowOpening(sunday_0400_utc + 2 * kHour + 30 * 60'000, w, "America/New_York"),
            sunday_0400_utc + 7 * 24 * kHour + kHour);  // closed: next Sunday 00:00 EST
}

TEST(Pacing, GapPlusBoundedJitter) {
  EXPECT_EQ(NextPacedSend(1000, 0, 0.5), 1000);
  EXPECT_EQ(NextPacedSend(1000, 60, 0.0), 61'000);
  EXPECT_EQ(NextPacedSend(1000, 60, 0.999999), 1000 + 60'000 + 11'999);
  // Jitter is at most a minute however long the gap.
  EXPECT_LE(NextPacedSend(0, 3600, 1.0), 3600'000 + 60'000);
}

TEST(ClockTime, ParsesAndFormats) {
  EXPECT_EQ(ParseClockTime("09:30", false), 570);
  EXPECT_EQ(ParseClockTime("24:00", true), 1440);
  EXPECT_FALSE(ParseClockTime("24:00", false));
  EXPECT_FALSE(ParseClockTime("9:30", false));
  EXPECT_FALSE(ParseClockTime("12:60", false));
  EXPECT_FALSE(ParseClockTime("1a:00", false));
  EXPECT_EQ(FormatClockTime(570), "09:30");
  EXPECT_EQ(FormatClockTime(1440), "24:00");
}

TEST(DeliverySettingsRules, ValidationNamesTheField) {
  DeliverySettings ok;
  ok.timezone = "Europe/Berlin";
  ok.window = Weekdays(9 * 60, 17 * 60);
  EXPECT_TRUE(ValidateDeliverySettings(ok).ok());
  auto param_of = [](DeliverySettings s) { return ValidateDeliverySettings(s).param(); };
  DeliverySettings s = ok;
  s.timezone = "Europe/Atlantis";
  EXPECT_EQ(param_of(s), "timezone");
  s = ok;
  s.daily_limit = 0;
  EXPECT_EQ(param_of(s), "dailyLimit");
  s = ok;
  s.min_gap_seconds = 86401;
  EXPECT_EQ(param_of(s), "minGapSeconds");
  s = ok;
  s.window->days = {1, 1};
  EXPECT_EQ(param_of(s), "sendingWindow.days[1]");
  s = ok;
  s.window->days = {8};
  EXPECT_EQ(param_of(s), "sendingWindow.days[0]");
  s = ok;
  s.window->days.clear();
  EXPECT_EQ(param_of(s), "sendingWindow.days");
  s = ok;
  s.window->end_minute = s.window->start_minute;
  EXPECT_EQ(param_of(s), "sendingWindow.end");
  EXPECT_TRUE(IsKnownTimeZone("UTC"));
  EXPECT_TRUE(IsKnownTimeZone("America/Argentina/Buenos_Aires"));
  EXPECT_FALSE(IsKnownTimeZone(""));
  EXPECT_FALSE(IsKnownTimeZone("../../etc/passwd"));
  EXPECT_FALSE(IsKnownTimeZone(std::string(100, 'A')));
}

}  // namespace
}  // namespace leadterra::domain
