#include "util/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace leadterra {
namespace {

TEST(IdGenerator, HasPrefixAndLowercaseUlid) {
  FakeClock clock(1736931600000);
  IdGenerator ids(clock);
  std::string id = ids.Next(id_prefix::kCampaign);
  EXPECT_EQ(id.substr(0, 5), "camp_");
  EXPECT_EQ(id.size(), 5u + 26u);
  EXPECT_TRUE(IsValidId(id, id_prefix::kCampaign));
  EXPECT_FALSE(IsValidId(id, id_prefix::kLead));
}

TEST(IdGenerator, StrictlyIncreasingWithinOneMillisecond) {
  FakeClock clock(1736931600000);
  IdGenerator ids(clock);
  std::string previous = ids.Next("x_");
  for (int i = 0; i < 10000; ++i) {
    std::string next = ids.Next("x_");
    ASSERT_LT(previous, next);
    previous = next;
  }
}

TEST(IdGenerator, IncreasesEvenIfClockGoesBack) {
  FakeClock clock(1736931600000);
  IdGenerator ids(clock);
  std::string a = ids.Next("x_");
  clock.Advance(-5000);
  std::string b = ids.Next("x_");
  EXPECT_LT(a, b);
}

TEST(IdGenerator, TimePrefixOrdersAcrossMilliseconds) {
  FakeClock clock(1000);
  IdGenerator ids(clock);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    clock.Advance(1);
    EXPECT_TRUE(seen.insert(ids.Next("x_")).second);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(IsValidId, RejectsMalformed) {
  EXPECT_FALSE(IsValidId("camp_", "camp_"));
  EXPECT_FALSE(IsValidId("camp_01HX4MRQPBCN7WH2GFK9YZ6E3S", "camp_"));  // uppercase
  EXPECT_FALSE(IsValidId("camp_01hx4mrqpbcn7wh2gfk9yz6e3u", "camp_"));  // 'u' not Crockford
  EXPECT_FALSE(IsValidId("camp_81hx4mrqpbcn7wh2gfk9yz6e3s", "camp_"));  // overflows 128 bits
  EXPECT_TRUE(IsValidId("camp_01hx4mrqpbcn7wh2gfk9yz6e3s", "camp_"));
}

}  // namespace
}  // namespace leadterra
