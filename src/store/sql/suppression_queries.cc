#include "store/sql/suppression_queries.h"

#include <map>

#include "domain/lead.h"
#include "domain/unsubscribe.h"
#include "store/sql/counters.h"
#include "store/sql/lead_queries.h"
#include "store/sql/webhook_queries.h"
#include "util/json_writer.h"

namespace leadterra::store::sql {

Result<UnsubscribeResult> UnsubscribeLead(Connection& conn, const std::string& workspace_id,
                                          const std::string& lead_id, int64_t now,
                                          const char* source) {
  UnsubscribeResult out;
  std::string email_norm;
  {
    LT_ASSIGN_OR_RETURN(auto lead, conn.Prepare("SELECT email, email_norm FROM leads WHERE "
                                                "workspace_id = ? AND id = ?"));
    lead->Bind(1, workspace_id).Bind(2, lead_id);
    LT_ASSIGN_OR_RETURN(bool found, lead->Step());
    if (!found) return NotFound("lead not found");
    out.email = lead->ColumnText(0);
    email_norm = lead->ColumnText(1);
  }
  LT_ASSIGN_OR_RETURN(auto suppress,
                      conn.Prepare("INSERT INTO suppressions(workspace_id, value, kind, reason, "
                                   "source, created_at) VALUES (?, ?, 'address', 'unsubscribed', "
                                   "?, ?) ON CONFLICT DO NOTHING"));
  suppress->Bind(1, workspace_id).Bind(2, email_norm).Bind(3, source).Bind(4, now);
  LT_RETURN_IF_ERROR(suppress->Run());
  out.already = conn.Changes() == 0;
  suppress.reset();

  // Every campaign the lead is in: one primary-key probe per campaign.
  LT_ASSIGN_OR_RETURN(std::vector<std::string> campaigns,
                      CampaignIds(conn, workspace_id, /*with_deleted=*/false));
  LT_ASSIGN_OR_RETURN(auto select, conn.Prepare("SELECT status FROM enrollments WHERE "
                                                "workspace_id = ? AND campaign_id = ? AND "
                                                "lead_id = ?"));
  LT_ASSIGN_OR_RETURN(auto stop, conn.Prepare("UPDATE enrollments SET status = 'unsubscribed', "
                                              "next_send_at = NULL WHERE workspace_id = ? AND "
                                              "campaign_id = ? AND lead_id = ?"));
  std::map<CounterKey, CounterDelta> deltas;
  ActivityDeltas activity;
  std::string ids_json = "[";
  for (const std::string& campaign_id : campaigns) {
    select->Bind(1, workspace_id).Bind(2, campaign_id).Bind(3, lead_id);
    LT_ASSIGN_OR_RETURN(bool enrolled, select->Step());
    const std::string status = enrolled ? select->ColumnText(0) : "";
    select->Reset();
    if (status != "queued" && status != "active" && status != "completed" && status != "stopped") {
      continue;
    }
    stop->Bind(1, workspace_id).Bind(2, campaign_id).Bind(3, lead_id);
    LT_RETURN_IF_ERROR(stop->Run());
    CounterDelta& d = deltas[{workspace_id, campaign_id}];
    ++d.unsubscribed;
    activity.Add(&domain::ActivityCounts::unsubscribed, workspace_id, campaign_id, 0, "", now);
    if (status == "queued") --d.queued;
    if (status == "completed") --d.completed;
    out.campaign_ids.push_back(campaign_id);
    if (ids_json.size() > 1) ids_json += ",";
    AppendJsonString(ids_json, campaign_id);
  }
  ids_json += "]";
  LT_RETURN_IF_ERROR(ApplyCounterDeltas(conn, deltas, now));
  LT_RETURN_IF_ERROR(ApplyActivityDeltas(conn, activity));
  if (out.already && out.campaign_ids.empty()) return out;
  return EmitEvent(conn, workspace_id,
                   domain::LeadUnsubscribedEvent(lead_id, out.email, ids_json, now), now)
                 .ok()
             ? Result<UnsubscribeResult>(out)
             : Result<UnsubscribeResult>(Internal("cannot record the unsubscribe event"));
}

Result<int64_t> AddSuppressions(Connection& conn, const std::string& workspace_id,
                                const std::vector<Suppression>& entries) {
  LT_ASSIGN_OR_RETURN(auto insert,
                      conn.Prepare("INSERT INTO suppressions(workspace_id, value, kind, reason, "
                                   "source, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO "
                                   "NOTHING"));
  int64_t added = 0;
  for (const Suppression& e : entries) {
    insert->Bind(1, workspace_id)
        .Bind(2, e.value)
        .Bind(3, e.domain ? "domain" : "address")
        .Bind(4, e.reason)
        .Bind(5, e.source)
        .Bind(6, e.created_at);
    LT_RETURN_IF_ERROR(insert->Run());
    added += conn.Changes();
  }
  return added;
}

Result<Page<Suppression>> ListSuppressions(Connection& conn, const std::string& workspace_id,
                                           std::optional<bool> domains, const PageRequest& page) {
  // A type filter is its own index range (suppressions_by_kind), not a
  // filter over the primary key's walk: domains are few among addresses.
  std::string sql = "SELECT value, kind, reason, source, created_at FROM suppressions ";
  if (domains && conn.dialect() == Dialect::kSqlite) sql += "INDEXED BY suppressions_by_kind ";
  sql += "WHERE workspace_id = ?1 AND value > ?2 ";
  sql += domains ? "AND kind = ?4 " : "";
  sql += "ORDER BY value LIMIT ?3";
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare(sql));
  stmt->Bind(1, workspace_id).Bind(2, page.after_id).Bind(3, page.limit + 1);
  if (domains) stmt->Bind(4, *domains ? "domain" : "address");
  Page<Suppression> out;
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    const std::string kind = stmt->ColumnText(1);
    out.items.push_back({stmt->ColumnText(0), kind == "domain", stmt->ColumnText(2),
                         stmt->ColumnText(3), stmt->ColumnInt(4), kind == "address_hash"});
  }
  out.TrimTo(page.limit);
  return out;
}

Status DeleteSuppression(Connection& conn, const std::string& workspace_id,
                         const std::string& value) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("DELETE FROM suppressions WHERE workspace_id = ? "
                                              "AND value = ?"));
  stmt->Bind(1, workspace_id).Bind(2, value);
  LT_RETURN_IF_ERROR(stmt->Run());
  return conn.Changes() > 0 ? Status::Ok() : NotFound("suppression not found");
}

Result<std::vector<std::string>> FindSuppressed(Connection& conn, const std::string& workspace_id,
                                                const std::vector<std::string>& emails) {
  std::vector<std::string> out;
  {
    LT_ASSIGN_OR_RETURN(auto any, conn.Prepare("SELECT 1 FROM suppressions WHERE workspace_id = "
                                               "? LIMIT 1"));
    any->Bind(1, workspace_id);
    LT_ASSIGN_OR_RETURN(bool some, any->Step());
    if (!some) return out;
  }
  LT_ASSIGN_OR_RETURN(auto probe, conn.Prepare("SELECT 1 FROM suppressions WHERE workspace_id = "
                                               "? AND value = ?"));
  auto listed = [&](std::string_view value) -> Result<bool> {
    probe->Bind(1, workspace_id).Bind(2, value);
    LT_ASSIGN_OR_RETURN(bool found, probe->Step());
    probe->Reset();
    return found;
  };
  for (const std::string& email : emails) {
    LT_ASSIGN_OR_RETURN(bool address, listed(email));
    bool domain = false, erased = false;
    if (!address) {
      LT_ASSIGN_OR_RETURN(domain, listed(domain::EmailDomain(email)));
    }
    if (!address && !domain) {
      LT_ASSIGN_OR_RETURN(erased, listed(domain::AddressHash(email)));
    }
    if (address || domain || erased) out.push_back(email);
  }
  return out;
}

}  // namespace leadterra::store::sql
