#include "store/sql/counters.h"

namespace leadterra::store::sql {

Status ApplyCounterDeltas(Connection& conn, const std::map<CounterKey, CounterDelta>& deltas,
                          int64_t now) {
  LT_ASSIGN_OR_RETURN(auto stmt,
                      conn.Prepare("UPDATE campaign_stats SET queued = queued + ?, delivered = "
                                   "delivered + ?, bounced = bounced + ?, unknown = unknown + ?, "
                                   "completed = completed + ?, replied = replied + ?, "
                                   "unsubscribed = unsubscribed + ?, updated_at = ? WHERE "
                                   "workspace_id = ? AND campaign_id = ?"));
  for (const auto& [key, d] : deltas) {
    stmt->Bind(1, d.queued)
        .Bind(2, d.delivered)
        .Bind(3, d.bounced)
        .Bind(4, d.unknown)
        .Bind(5, d.completed)
        .Bind(6, d.replied)
        .Bind(7, d.unsubscribed)
        .Bind(8, now)
        .Bind(9, key.first)
        .Bind(10, key.second);
    LT_RETURN_IF_ERROR(stmt->Run());
  }
  return Status::Ok();
}

}  // namespace leadterra::store::sql
