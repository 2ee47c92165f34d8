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
  // GET /v1/analytics/overview?from=&to= (SPEC §10): the workspace's sent,
  // delivered, bounced and replied over the range (UTC hours; default the 30
  // days up to now) and per mailbox, with its health: status, last error,
  // daily limit and what it sent today (the workspace's local day).
  Result<Response> Overview(const Request& request);

 private:
  store::Store& store_;
  const Clock& clock_;
};

}  // namespace leadterra::api
