// Per-campaign counters (campaign_stats) are changed only through deltas
// applied inside the transaction that changes the rows they count.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "store/sql/sql_connection.h"

namespace leadterra::store::sql {

struct CounterDelta {
  int64_t queued = 0, delivered = 0, bounced = 0, unknown = 0, completed = 0, replied = 0,
          unsubscribed = 0;
};
using CounterKey = std::pair<std::string, std::string>;  // workspace, campaign

Status ApplyCounterDeltas(Connection& conn, const std::map<CounterKey, CounterDelta>& deltas,
                          int64_t now);

}  // namespace leadterra::store::sql
