#include "store/sql/tracking_queries.h"

#include <algorithm>
#include <map>
#include <optional>

#include "store/sql/counters.h"
#include "store/sql/webhook_queries.h"

namespace leadterra::store::sql {
namespace {

// The message a hit names, as far as counting it needs.
struct Tracked {
  std::string campaign_id, lead_id, email, mailbox_id, variant_id;
  int step_index = 0;
  domain::TrackedMessage facts;
};

Result<std::optional<Tracked>> LoadTracked(Connection& conn, const std::string& workspace_id,
                                           const std::string& message_id) {
  LT_ASSIGN_OR_RETURN(
      auto stmt,
      conn.Prepare(
          "SELECT m.campaign_id, m.lead_id, l.email, m.mailbox_id, m.variant_id, "
          "m.step_index, CASE m.status WHEN 'delivered' THEN m.sent_at WHEN 'unknown' "
          "THEN m.updated_at END, coalesce(m.opened_at, m.machine_opened_at) FROM messages m "
          "JOIN leads l ON l.workspace_id = m.workspace_id AND l.id = m.lead_id "
          "WHERE m.workspace_id = ? AND m.id = ?"));
  stmt->Bind(1, workspace_id).Bind(2, message_id);
  LT_ASSIGN_OR_RETURN(bool found, stmt->Step());
  if (!found) return std::optional<Tracked>();
  Tracked t;
  t.campaign_id = stmt->ColumnText(0);
  t.lead_id = stmt->ColumnText(1);
  t.email = stmt->ColumnText(2);
  t.mailbox_id = stmt->ColumnText(3);
  t.variant_id = stmt->ColumnText(4);
  t.step_index = static_cast<int>(stmt->ColumnInt(5));
  t.facts.delivered_at = stmt->ColumnOptionalInt(6);
  t.facts.opened_before = stmt->ColumnOptionalInt(7).has_value();
  return std::optional<Tracked>(std::move(t));
}

}  // namespace

Status RecordTrackingHits(Connection& conn, const std::vector<domain::TrackingHit>& hits,
                          const domain::TrackingRules& rules) {
  std::map<CounterKey, CounterDelta> deltas;
  ActivityDeltas activity;
  for (const domain::TrackingHit& hit : hits) {
    const domain::TrackingTarget& target = hit.target;
    LT_ASSIGN_OR_RETURN(std::optional<Tracked> message,
                        LoadTracked(conn, target.workspace_id, target.message_id));
    if (!message) continue;
    const bool click = target.kind == domain::TrackingKind::kClick;
    const bool machine = domain::MachineReason(hit, message->facts, rules).has_value();
    const char* column = click ? (machine ? "machine_clicked_at" : "clicked_at")
                               : (machine ? "machine_opened_at" : "opened_at");
    // Unique per message: only the first hit of each kind sets its column.
    LT_ASSIGN_OR_RETURN(auto mark, conn.Prepare(std::string("UPDATE messages SET ") + column +
                                                " = ? WHERE workspace_id = ? AND id = ? AND " +
                                                column + " IS NULL"));
    mark->Bind(1, hit.at).Bind(2, target.workspace_id).Bind(3, target.message_id);
    LT_RETURN_IF_ERROR(mark->Run());
    if (conn.Changes() == 0) continue;
    CounterDelta& d = deltas[{target.workspace_id, message->campaign_id}];
    if (machine) {
      ++(click ? d.machine_clicked : d.machine_opened);
      continue;
    }
    ++(click ? d.clicked : d.opened);
    activity.Add(click ? &domain::ActivityCounts::clicked : &domain::ActivityCounts::opened,
                 target.workspace_id, message->campaign_id, message->step_index + 1, "", hit.at, 1,
                 0, message->variant_id);
    domain::MessageFacts facts;
    facts.message_id = target.message_id;
    facts.campaign_id = message->campaign_id;
    facts.lead_id = message->lead_id;
    facts.email = message->email;
    facts.step_index = message->step_index;
    facts.mailbox_id = message->mailbox_id;
    facts.at = hit.at;
    facts.variant_id = message->variant_id;
    LT_RETURN_IF_ERROR(EmitEvent(
        conn, target.workspace_id,
        click ? domain::MessageClickedEvent(facts, target.url) : domain::MessageOpenedEvent(facts),
        hit.at));
  }
  int64_t now = 0;
  for (const auto& hit : hits) now = std::max(now, hit.at);
  LT_RETURN_IF_ERROR(ApplyCounterDeltas(conn, deltas, now));
  return ApplyActivityDeltas(conn, activity);
}

}  // namespace leadterra::store::sql
