#include "util/time_format.h"

#include <gtest/gtest.h>

namespace leadterra {
namespace {

TEST(TimeFormat, FormatsUtcSeconds) {
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601(1736931600000), "2025-01-15T09:00:00Z");
  EXPECT_EQ(FormatIso8601(1736931600999), "2025-01-15T09:00:00Z");
}

TEST(TimeFormat, FormatsMailAndImapDates) {
  EXPECT_EQ(FormatRfc5322(1736931600000), "Wed, 15 Jan 2025 09:00:00 +0000");
  EXPECT_EQ(FormatRfc5322(1709251199999), "Thu, 29 Feb 2024 23:59:59 +0000");
  EXPECT_EQ(FormatImapDate(1736931600000), "15-Jan-2025");
  EXPECT_EQ(FormatImapDate(1764201600000), "27-Nov-2025");
}

TEST(TimeFormat, ParsesWhatItFormats) {
  EXPECT_EQ(ParseIso8601("2025-01-15T09:00:00Z"), 1736931600000);
  EXPECT_EQ(ParseIso8601("2025-01-15T09:00:00.250Z"), 1736931600250);
  EXPECT_EQ(ParseIso8601("2024-02-29T23:59:59Z"), 1709251199000);
}

TEST(TimeFormat, RejectsMalformed) {
  EXPECT_FALSE(ParseIso8601(""));
  EXPECT_FALSE(ParseIso8601("2025-01-15 09:00:00Z"));
  EXPECT_FALSE(ParseIso8601("2025-01-15T09:00:00"));
  EXPECT_FALSE(ParseIso8601("2025-13-15T09:00:00Z"));
  EXPECT_FALSE(ParseIso8601("2025-01-15T09:00:00.Z"));
  EXPECT_FALSE(ParseIso8601("2025-01-15T09:00:00Zjunk"));
}

}  // namespace
}  // namespace leadterra
