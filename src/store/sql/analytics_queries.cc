#include "store/sql/analytics_queries.h"

namespace leadterra::store::sql {

Result<std::vector<domain::ActivityRow>> ReadCampaignActivity(Connection& conn,
                                                              const std::string& workspace_id,
                                                              const std::string& campaign_id,
                                                              int64_t from, int64_t to) {
  // One range of the primary key.
  LT_ASSIGN_OR_RETURN(
      auto stmt,
      conn.Prepare("SELECT slot_start, step_number, variant_id, sent, delivered, bounced, "
                   "replied, unsubscribed, opened, clicked FROM campaign_activity WHERE "
                   "workspace_id = ? AND campaign_id = ? AND slot_start >= ? AND slot_start < ? "
                   "ORDER BY slot_start"));
  stmt->Bind(1, workspace_id).Bind(2, campaign_id).Bind(3, from).Bind(4, to);
  std::vector<domain::ActivityRow> rows;
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    domain::ActivityRow r;
    r.slot_start = stmt->ColumnInt(0);
    r.step_number = static_cast<int>(stmt->ColumnInt(1));
    r.variant_id = stmt->ColumnText(2);
    r.counts.sent = stmt->ColumnInt(3);
    r.counts.delivered = stmt->ColumnInt(4);
    r.counts.bounced = stmt->ColumnInt(5);
    r.counts.replied = stmt->ColumnInt(6);
    r.counts.unsubscribed = stmt->ColumnInt(7);
    r.counts.opened = stmt->ColumnInt(8);
    r.counts.clicked = stmt->ColumnInt(9);
    rows.push_back(std::move(r));
  }
  return rows;
}

Result<std::map<std::pair<int, std::string>, domain::ActivityCounts>> ReadVariantCounters(
    Connection& conn, const std::string& workspace_id, const std::string& campaign_id) {
  LT_ASSIGN_OR_RETURN(
      auto stmt,
      conn.Prepare("SELECT step_number, variant_id, sum(sent), sum(delivered), sum(bounced), "
                   "sum(replied), sum(unsubscribed), sum(opened), sum(clicked) FROM "
                   "variant_stats WHERE workspace_id = ? AND campaign_id = ? GROUP BY "
                   "step_number, variant_id"));
  stmt->Bind(1, workspace_id).Bind(2, campaign_id);
  std::map<std::pair<int, std::string>, domain::ActivityCounts> out;
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    domain::ActivityCounts& c = out[{static_cast<int>(stmt->ColumnInt(0)), stmt->ColumnText(1)}];
    c.sent = stmt->ColumnInt(2);
    c.delivered = stmt->ColumnInt(3);
    c.bounced = stmt->ColumnInt(4);
    c.replied = stmt->ColumnInt(5);
    c.unsubscribed = stmt->ColumnInt(6);
    c.opened = stmt->ColumnInt(7);
    c.clicked = stmt->ColumnInt(8);
  }
  return out;
}

Result<std::map<std::string, domain::ActivityCounts>> SumMailboxActivity(
    Connection& conn, const std::string& workspace_id, int64_t from, int64_t to) {
  LT_ASSIGN_OR_RETURN(auto stmt,
                      conn.Prepare("SELECT mailbox_id, sum(sent), sum(delivered), sum(bounced), "
                                   "sum(replied) FROM mailbox_activity WHERE workspace_id = ? AND "
                                   "hour_start >= ? AND hour_start < ? GROUP BY mailbox_id"));
  stmt->Bind(1, workspace_id).Bind(2, from).Bind(3, to);
  std::map<std::string, domain::ActivityCounts> out;
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    domain::ActivityCounts& c = out[stmt->ColumnText(0)];
    c.sent = stmt->ColumnInt(1);
    c.delivered = stmt->ColumnInt(2);
    c.bounced = stmt->ColumnInt(3);
    c.replied = stmt->ColumnInt(4);
  }
  return out;
}

Result<std::map<std::string, int64_t>> MailboxSendsOn(Connection& conn,
                                                      const std::string& workspace_id,
                                                      const std::string& day_key) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("SELECT mailbox_id, sent FROM mailbox_usage WHERE "
                                              "workspace_id = ? AND day = ?"));
  stmt->Bind(1, workspace_id).Bind(2, day_key);
  std::map<std::string, int64_t> out;
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out[stmt->ColumnText(0)] = stmt->ColumnInt(1);
  }
  return out;
}

}  // namespace leadterra::store::sql
