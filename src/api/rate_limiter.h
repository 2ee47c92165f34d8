// Per-key token buckets: each key may make `rate` requests per second on
// average, with bursts of up to `burst`. In-process (one bucket per key per
// server process). Thread-safe; time comes from the injected Clock.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "util/clock.h"

namespace leadterra::api {

class RateLimiter {
 public:
  // rate <= 0 disables limiting.
  RateLimiter(const Clock& clock, double rate, double burst)
      : clock_(clock), rate_(rate), burst_(burst < 1 ? 1 : burst) {}

  // Takes one token for `key`. Returns 0 when allowed, else the whole number
  // of seconds (>= 1) after which a retry will succeed.
  int64_t Acquire(const std::string& key);

 private:
  // Buckets kept before idle (full) ones are dropped: keys such as tracking
  // tokens are many, and a full bucket is the same as no bucket.
  static constexpr size_t kMaxBuckets = 100'000;
  struct Bucket {
    double tokens;
    int64_t last_millis;
  };
  const Clock& clock_;
  const double rate_;
  const double burst_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace leadterra::api
