// Bounce protection (SPEC §6), enforced inside the transaction that counts a
// bounce: a running campaign whose hard-bounce rate passes its threshold is
// paused, with the reason on the campaign and a campaign.paused event.
#pragma once

#include <map>

#include "store/sql/counters.h"
#include "store/sql/sql_connection.h"

namespace leadterra::store::sql {

// Checks every campaign of `deltas` that gained bounces; call after
// ApplyCounterDeltas in the same transaction.
Status EnforceBounceProtection(Connection& conn, const std::map<CounterKey, CounterDelta>& deltas,
                               int64_t now);
// The rate is measured from the campaign's latest start: call when it starts
// (or resumes).
Status ResetBounceWindow(Connection& conn, const std::string& workspace_id,
                         const std::string& campaign_id);

}  // namespace leadterra::store::sql
