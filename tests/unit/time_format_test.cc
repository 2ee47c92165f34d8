#include "util/time_format.h"

#include <gtest/gtest.h>

namespace leadterra {
namespace {

TEST(TimeFormat, FormatsUtcSeconds) {
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601(1736931600000), "2025-01-15T09:00:00Z");
  EXPECT_EQ(FormatIso8601(1736931600999), "2025-01-15T09:00:00Z");
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
