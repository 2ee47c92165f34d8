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

void ActivityDeltas::Add(Field field, const std::string& workspace_id,
                         const std::string& campaign_id, int step_number,
                         const std::string& mailbox_id, int64_t at, int64_t n,
                         const std::string& variant_id) {
  campaigns[ActivityKey{workspace_id, campaign_id, domain::ActivitySlotOf(at), step_number,
                        variant_id}].*
      field += n;
  if (!mailbox_id.empty()) {
    mailboxes[MailboxActivityKey{workspace_id, domain::ActivityHourOf(at), mailbox_id}].*field += n;
  }
}

Status ApplyActivityDeltas(Connection& conn, const ActivityDeltas& deltas) {
  if (!deltas.campaigns.empty()) {
    LT_ASSIGN_OR_RETURN(
        auto stmt,
        conn.Prepare("INSERT INTO campaign_activity(workspace_id, campaign_id, slot_start, "
                     "step_number, variant_id, sent, delivered, bounced, replied, unsubscribed, "
                     "opened, clicked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                     "ON CONFLICT (workspace_id, campaign_id, slot_start, step_number, variant_id) "
                     "DO UPDATE SET sent = campaign_activity.sent + excluded.sent, "
                     "delivered = campaign_activity.delivered + excluded.delivered, "
                     "bounced = campaign_activity.bounced + excluded.bounced, "
                     "replied = campaign_activity.replied + excluded.replied, "
                     "unsubscribed = campaign_activity.unsubscribed + excluded.unsubscribed, "
                     "opened = campaign_activity.opened + excluded.opened, "
                     "clicked = campaign_activity.clicked + excluded.clicked"));
    for (const auto& [key, c] : deltas.campaigns) {
      if (c.empty()) continue;
      stmt->Bind(1, key.workspace_id)
          .Bind(2, key.campaign_id)
          .Bind(3, key.slot_start)
          .Bind(4, key.step_number)
          .Bind(5, key.variant_id)
          .Bind(6, c.sent)
          .Bind(7, c.delivered)
          .Bind(8, c.bounced)
          .Bind(9, c.replied)
          .Bind(10, c.unsubscribed)
          .Bind(11, c.opened)
          .Bind(12, c.clicked);
      LT_RETURN_IF_ERROR(stmt->Run());
    }
  }
  if (!deltas.mailboxes.empty()) {
    LT_ASSIGN_OR_RETURN(
        auto stmt,
        conn.Prepare("INSERT INTO mailbox_activity(workspace_id, hour_start, mailbox_id, sent, "
                     "delivered, bounced, replied) VALUES (?, ?, ?, ?, ?, ?, ?) "
                     "ON CONFLICT (workspace_id, hour_start, mailbox_id) "
                     "DO UPDATE SET sent = mailbox_activity.sent + excluded.sent, "
                     "delivered = mailbox_activity.delivered + excluded.delivered, "
                     "bounced = mailbox_activity.bounced + excluded.bounced, "
                     "replied = mailbox_activity.replied + excluded.replied"));
    for (const auto& [key, c] : deltas.mailboxes) {
      if (c.sent == 0 && c.delivered == 0 && c.bounced == 0 && c.replied == 0) continue;
      stmt->Bind(1, key.workspace_id)
          .Bind(2, key.hour_start)
          .Bind(3, key.mailbox_id)
          .Bind(4, c.sent)
          .Bind(5, c.delivered)
          .Bind(6, c.bounced)
          .Bind(7, c.replied);
      LT_RETURN_IF_ERROR(stmt->Run());
    }
  }
  return Status::Ok();
}

}  // namespace leadterra::store::sql
