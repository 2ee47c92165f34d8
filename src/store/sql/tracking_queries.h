// The SQL behind TrackingStore (store/tracking_store.h), shared by both
// backends. Runs inside the caller's transaction.
#pragma once

#include <vector>

#include "domain/tracking.h"
#include "store/sql/sql_connection.h"

namespace leadterra::store::sql {

Status RecordTrackingHits(Connection& conn, const std::vector<domain::TrackingHit>& hits,
                          const domain::TrackingRules& rules);

}  // namespace leadterra::store::sql
