#include "api/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace leadterra::api {

int64_t RateLimiter::Acquire(const std::string& key) {
  if (rate_ <= 0) return 0;
  const int64_t now = clock_.NowMillis();
  std::lock_guard<std::mutex> lock(mu_);
  if (buckets_.size() >= kMaxBuckets && buckets_.find(key) == buckets_.end()) {
    const double refill_millis = burst_ / rate_ * 1000.0;
    for (auto b = buckets_.begin(); b != buckets_.end();) {
      if (b->second.tokens + (now - b->second.last_millis) * rate_ / 1000.0 >= burst_ ||
          now - b->second.last_millis > refill_millis) {
        b = buckets_.erase(b);
      } else {
        ++b;
      }
    }
    if (buckets_.size() >= kMaxBuckets) buckets_.clear();  // all busy: start over
  }
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!inserted && now > b.last_millis) {
    b.tokens = std::min(burst_, b.tokens + (now - b.last_millis) * rate_ / 1000.0);
    b.last_millis = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  double seconds = (1 - b.tokens) / rate_;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(seconds)));
}

}  // namespace leadterra::api
