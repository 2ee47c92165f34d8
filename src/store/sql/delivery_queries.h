// SQL queries (both backends) behind DeliveryStore, run inside the caller's transaction.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "store/sql/sql_connection.h"
#include "store/store.h"

namespace leadterra::store::sql {

// Who holds a claimed or sending message, and until when.
struct Lease {
  std::string owner;
  int64_t until = 0;
};

Result<std::vector<SendClaim>> ClaimDueSends(Connection& conn, const std::string& workspace_id,
                                             const std::string& campaign_id, int64_t now, int limit,
                                             const Lease& lease,
                                             const std::function<std::string()>& new_id);
// Makes every lead held back by delivery settings or mailbox limits due
// again at `now`, so that changed settings apply at once (the claim holds
// them again if they still must wait).
Status ReleaseHeldLeads(Connection& conn, const std::string& workspace_id, int64_t now);
// A shorter minGapSeconds applies at once: no mailbox waits longer than the
// new gap from `now`.
Status ApplyPacingGap(Connection& conn, const std::string& workspace_id, int min_gap_seconds,
                      int64_t now);
Status RecordOutcomes(Connection& conn, const std::vector<SendOutcome>& outcomes, int64_t now);
// `claimed` -> `sending` for each of `claims`, under `lease`; false for a
// claim that may no longer be sent (released, and put back in the queue).
Result<std::vector<bool>> MarkSending(Connection& conn, const std::vector<const SendClaim*>& claims,
                                      int64_t now, const Lease& lease);
// Extends `lease.owner`'s lease on `held` to `lease.until`, if it still
// holds it and the message is still claimed or sending.
Status RenewLease(Connection& conn, const HeldMessage& held, const Lease& lease);
// Resolves messages in flight whose lease ended before `now`.
Result<int64_t> ResolveInterrupted(Connection& conn, int64_t now, int64_t day_millis);
Result<std::optional<int64_t>> NextDueTime(Connection& conn);
// Gives every queued, unscheduled lead of a campaign that just started its
// first send time: max(enrolled_at, started_at) + step 1's delay.
Status ScheduleStartedCampaign(Connection& conn, const std::string& workspace_id,
                               const std::string& campaign_id, int64_t started_at,
                               int64_t day_millis);

}  // namespace leadterra::store::sql
