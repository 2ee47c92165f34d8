// Analytics buckets (SPEC §10): slots, hour and day buckets in a zone across
// DST changes and half-hour offsets, aggregation into buckets and steps.
// Expected instants were computed independently with Python's zoneinfo.
#include "domain/analytics.h"

#include <gtest/gtest.h>

namespace leadterra::domain {
namespace {

constexpr int64_t kHour = 3600'000;
constexpr int64_t kMinute = 60'000;
// Local midnights in Europe/Berlin around the spring change (2025-03-30).
constexpr int64_t kBerlinMar29 = 1743202800000;  // 2025-03-28T23:00Z
constexpr int64_t kBerlinMar30 = 1743289200000;  // 2025-03-29T23:00Z
constexpr int64_t kBerlinMar31 = 1743372000000;  // 2025-03-30T22:00Z
constexpr int64_t kBerlinApr01 = 1743458400000;  // 2025-03-31T22:00Z
// Local midnights around the autumn change (2025-10-26).
constexpr int64_t kBerlinOct26 = 1761429600000;
constexpr int64_t kBerlinOct27 = 1761519600000;

std::vector<int64_t> Starts(int64_t from, int64_t to, BucketInterval interval,
                            std::string_view zone) {
  auto starts = BucketStarts(from, to, interval, zone);
  EXPECT_TRUE(starts.ok()) << starts.status().message();
  return starts.ok() ? *starts : std::vector<int64_t>();
}

TEST(AnalyticsSlots, AreUtcQuarterHours) {
  EXPECT_EQ(ActivitySlotOf(kBerlinMar30), kBerlinMar30);
  EXPECT_EQ(ActivitySlotOf(kBerlinMar30 + 14 * kMinute + 59'999), kBerlinMar30);
  EXPECT_EQ(ActivitySlotOf(kBerlinMar30 + 15 * kMinute), kBerlinMar30 + 15 * kMinute);
  EXPECT_EQ(ActivitySlotOf(-1), -15 * kMinute);
}

TEST(AnalyticsBuckets, DaysStartAtLocalMidnightAndLast23Or25Hours) {
  EXPECT_EQ(
      Starts(kBerlinMar29 + 5 * kHour, kBerlinApr01 + kHour, BucketInterval::kDay, "Europe/Berlin"),
      (std::vector<int64_t>{kBerlinMar29, kBerlinMar30, kBerlinMar31, kBerlinApr01}));
  EXPECT_EQ(kBerlinMar31 - kBerlinMar30, 23 * kHour);
  const auto autumn =
      Starts(kBerlinOct26, kBerlinOct27 + kHour, BucketInterval::kDay, "Europe/Berlin");
  ASSERT_EQ(autumn.size(), 2u);
  EXPECT_EQ(autumn[1] - autumn[0], 25 * kHour);
  // UTC and unknown zones: midnight UTC.
  EXPECT_EQ(Starts(kBerlinMar30 + 2 * kHour, kBerlinMar30 + 3 * kHour, BucketInterval::kDay, "UTC"),
            (std::vector<int64_t>{kBerlinMar30 + kHour}));
  EXPECT_EQ(Starts(kBerlinMar30 + 2 * kHour, kBerlinMar30 + 3 * kHour, BucketInterval::kDay,
                   "Nowhere/Invalid"),
            (std::vector<int64_t>{kBerlinMar30 + kHour}));
}

TEST(AnalyticsBuckets, HoursOfADstDay) {
  EXPECT_EQ(Starts(kBerlinMar30, kBerlinMar31, BucketInterval::kHour, "Europe/Berlin").size(), 23u);
  EXPECT_EQ(Starts(kBerlinOct26, kBerlinOct27, BucketInterval::kHour, "Europe/Berlin").size(), 25u);
  for (int64_t start : Starts(kBerlinOct26, kBerlinOct27, BucketInterval::kHour, "Europe/Berlin")) {
    EXPECT_EQ(start % kHour, 0);
  }
}

TEST(AnalyticsBuckets, HalfHourZonesStartOnTheirOwnHour) {
  // Kolkata is UTC+5:30: its hours start at :30 UTC.
  const int64_t jan1_0010z = 1735690200000;
  const int64_t dec31_2330z = 1735687800000;
  EXPECT_EQ(Starts(jan1_0010z, jan1_0010z + kHour, BucketInterval::kHour, "Asia/Kolkata"),
            (std::vector<int64_t>{dec31_2330z, dec31_2330z + kHour}));
  // Its midnight is 18:30 UTC the day before.
  EXPECT_EQ(Starts(jan1_0010z, jan1_0010z + kMinute, BucketInterval::kDay, "Asia/Kolkata"),
            (std::vector<int64_t>{dec31_2330z - 5 * kHour}));
}

TEST(AnalyticsBuckets, RefusesMoreThanAThousand) {
  EXPECT_EQ(Starts(0, 1000 * kHour, BucketInterval::kHour, "UTC").size(), 1000u);
  auto too_many = BucketStarts(0, 1000 * kHour + 1, BucketInterval::kHour, "UTC");
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(too_many.status().param(), "from");
}

TEST(AnalyticsAggregate, SlotsFallIntoTheirBucketAndSteps) {
  const std::vector<int64_t> starts{kBerlinMar30, kBerlinMar31};
  auto row = [](int64_t slot, int step, std::string variant, int64_t sent, int64_t replied) {
    ActivityRow r;
    r.slot_start = slot;
    r.step_number = step;
    r.variant_id = std::move(variant);
    r.counts.sent = sent;
    r.counts.delivered = sent;
    r.counts.replied = replied;
    return r;
  };
  ActivityRow unsubscribe;
  unsubscribe.slot_start = kBerlinMar31 + 15 * kMinute;
  unsubscribe.counts.unsubscribed = 1;
  const CampaignActivity a = AggregateActivity(
      starts, {row(kBerlinMar30 - 15 * kMinute, 1, "", 100, 0),  // before the range
               row(kBerlinMar30, 1, "", 10, 1), row(kBerlinMar31 - 15 * kMinute, 2, "", 5, 0),
               row(kBerlinMar31, 1, "var_a", 7, 2), unsubscribe});
  ASSERT_EQ(a.buckets.size(), 2u);
  EXPECT_EQ(a.buckets[0].sent, 15);
  EXPECT_EQ(a.buckets[0].replied, 1);
  EXPECT_EQ(a.buckets[1].sent, 7);
  EXPECT_EQ(a.buckets[1].unsubscribed, 1);
  EXPECT_EQ(a.steps.at({1, ""}).sent, 17);
  EXPECT_EQ(a.steps.at({1, ""}).replied, 3);
  EXPECT_EQ(a.steps.at({1, "var_a"}).sent, 7);
  EXPECT_EQ(a.steps.at({2, ""}).sent, 5);
  EXPECT_EQ(a.steps.count({0, ""}), 0u);  // unsubscribes belong to no step
}

TEST(AnalyticsRates, RoundToThreeDecimalsAndNeverDivideByZero) {
  EXPECT_EQ(Rate(0, 0), 0.0);
  EXPECT_EQ(Rate(1, 3), 0.333);
  EXPECT_EQ(Rate(2, 3), 0.667);
}

}  // namespace
}  // namespace leadterra::domain
