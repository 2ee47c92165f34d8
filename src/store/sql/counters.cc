#include "store/sql/counters.h"

namespace leadterra::store::sql {

int CounterShardOf(const std::string& mailbox_id) {
  uint32_t hash = 2166136261u;  // FNV-1a
  for (unsigned char c : mailbox_id) hash = (hash ^ c) * 16777619u;
  return 1 + static_cast<int>(hash % (kCounterShards - 1));
}

Status ApplyCounterDeltas(Connection& conn, const std::map<CounterKey, CounterDelta>& deltas,
                          int64_t now) {
  LT_ASSIGN_OR_RETURN(
      auto stmt,
      conn.Prepare("INSERT INTO campaign_stats(workspace_id, campaign_id, shard, queued, "
                   "delivered, bounced, unknown, completed, replied, unsubscribed, updated_at, "
                   "opened, clicked, machine_opened, machine_clicked) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                   "ON CONFLICT (workspace_id, campaign_id, shard) DO UPDATE SET "
                   "queued = campaign_stats.queued + excluded.queued, "
                   "delivered = campaign_stats.delivered + excluded.delivered, "
                   "bounced = campaign_stats.bounced + excluded.bounced, "
                   "unknown = campaign_stats.unknown + excluded.unknown, "
                   "completed = campaign_stats.completed + excluded.completed, "
                   "replied = campaign_stats.replied + excluded.replied, "
                   "unsubscribed = campaign_stats.unsubscribed + excluded.unsubscribed, "
                   "opened = campaign_stats.opened + excluded.opened, "
                   "clicked = campaign_stats.clicked + excluded.clicked, "
                   "machine_opened = campaign_stats.machine_opened + excluded.machine_opened, "
                   "machine_clicked = campaign_stats.machine_clicked + excluded.machine_clicked, "
                   "updated_at = excluded.updated_at"));
  for (const auto& [key, d] : deltas) {
    stmt->Bind(1, key.workspace_id)
        .Bind(2, key.campaign_id)
        .Bind(3, key.shard)
        .Bind(4, d.queued)
        .Bind(5, d.delivered)
        .Bind(6, d.bounced)
        .Bind(7, d.unknown)
        .Bind(8, d.completed)
        .Bind(9, d.replied)
        .Bind(10, d.unsubscribed)
        .Bind(11, now)
        .Bind(12, d.opened)
        .Bind(13, d.clicked)
        .Bind(14, d.machine_opened)
        .Bind(15, d.machine_clicked);
    LT_RETURN_IF_ERROR(stmt->Run());
  }
  return Status::Ok();
}

void ActivityDeltas::Add(Field field, const std::string& workspace_id,
                         const std::string& campaign_id, int step_number,
                         const std::string& mailbox_id, int64_t at, int64_t n, int shard,
                         const std::string& variant_id) {
  campaigns[ActivityKey{workspace_id, campaign_id, domain::ActivitySlotOf(at), step_number,
                        variant_id, shard}].*
      field += n;
  if (!mailbox_id.empty()) {
    mailboxes[MailboxActivityKey{workspace_id, domain::ActivityHourOf(at), mailbox_id}].*field += n;
  }
}

Status ApplyActivityDeltas(Connection& conn, const ActivityDeltas& deltas) {
  if (!deltas.campaigns.empty()) {
    LT_ASSIGN_OR_RETURN(
        auto stmt,
        conn.Prepare(
            "INSERT INTO campaign_activity(workspace_id, campaign_id, slot_start, "
            "step_number, variant_id, shard, sent, delivered, bounced, replied, "
            "unsubscribed, opened, clicked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (workspace_id, campaign_id, slot_start, step_number, variant_id, "
            "shard) "
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
          .Bind(6, key.shard)
          .Bind(7, c.sent)
          .Bind(8, c.delivered)
          .Bind(9, c.bounced)
          .Bind(10, c.replied)
          .Bind(11, c.unsubscribed)
          .Bind(12, c.opened)
          .Bind(13, c.clicked);
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
      if (c.empty()) continue;
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
  // Per variant, all time: what the winner rule and stats read.
  using VariantKey = std::tuple<std::string, std::string, int, std::string, int>;
  std::map<VariantKey, domain::ActivityCounts> variants;
  for (const auto& [key, c] : deltas.campaigns) {
    if (key.variant_id.empty() || c.empty()) continue;
    domain::ActivityCounts& total =
        variants[{key.workspace_id, key.campaign_id, key.step_number, key.variant_id, key.shard}];
    total += c;
  }
  if (!variants.empty()) {
    LT_ASSIGN_OR_RETURN(
        auto stmt,
        conn.Prepare("INSERT INTO variant_stats(workspace_id, campaign_id, step_number, "
                     "variant_id, shard, sent, delivered, bounced, replied, unsubscribed, "
                     "opened, clicked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                     "ON CONFLICT (workspace_id, campaign_id, step_number, variant_id, shard) "
                     "DO UPDATE SET sent = variant_stats.sent + excluded.sent, "
                     "delivered = variant_stats.delivered + excluded.delivered, "
                     "bounced = variant_stats.bounced + excluded.bounced, "
                     "replied = variant_stats.replied + excluded.replied, "
                     "unsubscribed = variant_stats.unsubscribed + excluded.unsubscribed, "
                     "opened = variant_stats.opened + excluded.opened, "
                     "clicked = variant_stats.clicked + excluded.clicked"));
    for (const auto& [key, c] : variants) {
      const auto& [workspace_id, campaign_id, step_number, variant_id, shard] = key;
      stmt->Bind(1, workspace_id)
          .Bind(2, campaign_id)
          .Bind(3, step_number)
          .Bind(4, variant_id)
          .Bind(5, shard)
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
  return Status::Ok();
}

}  // namespace leadterra::store::sql
