// GET /v1/campaigns/:id/analytics (SPEC §10): sent, delivered, bounced,
// replied, unsubscribed, opened and clicked per hour or local day of the
// workspace's time zone, and per step (and variant) over the same range.
// Query: `from`, `to` (ISO 8601 UTC; default the 30 days up to now),
// `interval` ("hour" | "day", default "day"); at most 1,000 buckets.
// Reads maintained counters only. Thread-safe.
#pragma once

#include "api/request.h"
#include "store/store.h"
#include "util/clock.h"

namespace leadterra::api {

class AnalyticsApi {
 public:
  AnalyticsApi(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  Result<Response> Campaign(const Request& request);

 private:
  store::Store& store_;
  const Clock& clock_;
};

}  // namespace leadterra::api
