#include "store/sql/bounce_protection.h"

#include "domain/campaign.h"
#include "domain/webhook.h"
#include "store/sql/webhook_queries.h"

namespace leadterra::store::sql {

Status EnforceBounceProtection(Connection& conn, const std::map<CounterKey, CounterDelta>& deltas,
                               int64_t now) {
  for (const auto& [key, delta] : deltas) {
    if (delta.bounced <= 0) continue;
    const std::string& workspace_id = key.workspace_id;
    const std::string& campaign_id = key.campaign_id;
    // The counters are the sum of the campaign's shards (counters.h).
    LT_ASSIGN_OR_RETURN(
        auto stmt,
        conn.Prepare("SELECT c.name, c.bounce_protection, c.bounce_max_rate, c.bounce_min_sends, "
                     "(SELECT sum(s.delivered + s.bounced + s.unknown) FROM campaign_stats s "
                     "WHERE s.workspace_id = c.workspace_id AND s.campaign_id = c.id) - "
                     "c.bounce_base_sends, (SELECT sum(s.bounced) FROM campaign_stats s WHERE "
                     "s.workspace_id = c.workspace_id AND s.campaign_id = c.id) - "
                     "c.bounce_base_bounced FROM campaigns c "
                     "WHERE c.workspace_id = ? AND c.id = ? AND c.status = 'running' AND "
                     "c.deleted_at IS NULL"));
    stmt->Bind(1, workspace_id).Bind(2, campaign_id);
    LT_ASSIGN_OR_RETURN(bool running, stmt->Step());
    if (!running) continue;
    domain::Campaign campaign;
    campaign.id = campaign_id;
    campaign.workspace_id = workspace_id;
    campaign.name = stmt->ColumnText(0);
    campaign.bounce_protection = {stmt->ColumnInt(1) != 0, stmt->ColumnDouble(2),
                                  stmt->ColumnInt(3)};
    campaign.pause_reason = domain::CheckBounceRate(campaign.bounce_protection, stmt->ColumnInt(4),
                                                    stmt->ColumnInt(5), now);
    stmt.reset();
    if (!campaign.pause_reason) continue;
    LT_ASSIGN_OR_RETURN(auto pause, conn.Prepare("UPDATE campaigns SET status = 'paused', "
                                                 "updated_at = ?, pause_reason = ?, "
                                                 "pause_message = ?, pause_at = ? WHERE "
                                                 "workspace_id = ? AND id = ? AND status = "
                                                 "'running'"));
    pause->Bind(1, now)
        .Bind(2, campaign.pause_reason->code)
        .Bind(3, campaign.pause_reason->message)
        .Bind(4, now)
        .Bind(5, workspace_id)
        .Bind(6, campaign_id);
    LT_RETURN_IF_ERROR(pause->Run());
    if (conn.Changes() == 0) continue;  // paused meanwhile (another node, a user)
    campaign.status = domain::CampaignStatus::kPaused;
    campaign.updated_at = now;
    if (auto event = domain::CampaignStatusEvent(campaign, domain::CampaignStatus::kRunning)) {
      LT_RETURN_IF_ERROR(EmitEvent(conn, workspace_id, *event, now));
    }
  }
  return Status::Ok();
}

Status ResetBounceWindow(Connection& conn, const std::string& workspace_id,
                         const std::string& campaign_id) {
  LT_ASSIGN_OR_RETURN(
      auto stmt,
      conn.Prepare("UPDATE campaigns SET (bounce_base_sends, bounce_base_bounced) = (SELECT "
                   "coalesce(sum(s.delivered + s.bounced + s.unknown), 0), "
                   "coalesce(sum(s.bounced), 0) FROM campaign_stats s WHERE "
                   "s.workspace_id = campaigns.workspace_id AND s.campaign_id = campaigns.id) "
                   "WHERE workspace_id = ? AND id = ?"));
  stmt->Bind(1, workspace_id).Bind(2, campaign_id);
  return stmt->Run();
}

}  // namespace leadterra::store::sql
