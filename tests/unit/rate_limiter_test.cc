#include "api/rate_limiter.h"

#include <gtest/gtest.h>

namespace leadterra::api {
namespace {

TEST(RateLimiter, AllowsBurstThenRefills) {
  FakeClock clock(0);
  RateLimiter limiter(clock, /*rate=*/10, /*burst=*/5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.Acquire("k"), 0) << i;
  EXPECT_EQ(limiter.Acquire("k"), 1);  // empty: retry within a second
  clock.Advance(100);                  // 10/s -> one token
  EXPECT_EQ(limiter.Acquire("k"), 0);
  EXPECT_EQ(limiter.Acquire("k"), 1);
  clock.Advance(10'000);  // refills to the burst, not beyond
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.Acquire("k"), 0);
  EXPECT_GT(limiter.Acquire("k"), 0);
}

TEST(RateLimiter, KeysAreIndependent) {
  FakeClock clock(0);
  RateLimiter limiter(clock, 1, 1);
  EXPECT_EQ(limiter.Acquire("a"), 0);
  EXPECT_GT(limiter.Acquire("a"), 0);
  EXPECT_EQ(limiter.Acquire("b"), 0);
}

TEST(RateLimiter, RetryAfterCoversTheWait) {
  FakeClock clock(0);
  RateLimiter limiter(clock, 0.25, 1);  // one request per 4 s
  EXPECT_EQ(limiter.Acquire("a"), 0);
  EXPECT_EQ(limiter.Acquire("a"), 4);
}

TEST(RateLimiter, ZeroRateDisables) {
  FakeClock clock(0);
  RateLimiter limiter(clock, 0, 1);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(limiter.Acquire("a"), 0);
}

}  // namespace
}  // namespace leadterra::api
