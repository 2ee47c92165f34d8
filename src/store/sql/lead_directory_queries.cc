#include "store/sql/lead_directory_queries.h"

#include <algorithm>
#include <array>
#include <map>
#include <tuple>

#include "store/sql/counters.h"
#include "store/sql/lead_queries.h"

namespace leadterra::store::sql {
namespace {

// The texts a lead is found by, in rank order (a tie between two texts of
// one lead goes to the lower rank). The expressions are those the indexes
// of the migrations are built on (leads_by_name, …; the address is the
// primary key).
constexpr std::array<const char*, 4> kKeyExpressions = {
    "l.email_norm",
    "lower(trim(coalesce(l.first_name, '') || ' ' || coalesce(l.last_name, '')))",
    "lower(l.last_name)",
    "lower(l.company)",
};

// Upper bound of the texts starting with `prefix`: U+10FFFF sorts after
// every character in bytewise order (both backends compare text as bytes).
std::string PrefixEnd(const std::string& prefix) { return prefix + "\xF4\x8F\xBF\xBF"; }

struct Candidate {
  domain::Lead lead;
  std::string key;
  std::array<std::string, 4> keys;  // every key of the lead, as SQL computed them
};

bool StartsWith(const std::string& text, const std::string& prefix) {
  return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

// True when `c`, found by key `rank`, is the lead's first appearance: no key
// of it that matches sorts before this one.
bool FirstAppearance(const Candidate& c, size_t rank, const std::string& prefix) {
  for (size_t other = 0; other < c.keys.size(); ++other) {
    if (other == rank || c.keys[other].empty() || !StartsWith(c.keys[other], prefix)) continue;
    if (c.keys[other] < c.key || (c.keys[other] == c.key && other < rank)) return false;
  }
  return true;
}

// One key's matches in (key, id) order, fetched in batches. Each fetch is
// at most two plain index ranges, so both databases seek straight to the
// cursor: the rest of the cursor's own key (key = K, id > I, ordered by id),
// then the keys after it up to the end of the prefix's range. (A row-value
// bound (key, id) > (K, I) next to key >= prefix made PostgreSQL start at
// the lower of the two bounds, and SQLite does not seek on a row value over
// an expression index.)
class KeyStream {
 public:
  KeyStream(Connection& conn, const std::string& workspace_id, size_t rank,
            const std::string& prefix, std::string after_key, std::string after_id, int batch)
      : conn_(conn),
        workspace_id_(workspace_id),
        rank_(rank),
        prefix_(prefix),
        last_key_(std::move(after_key)),
        last_id_(std::move(after_id)),
        batch_(batch) {}

  // The next candidate, fetching when needed; nullptr at the end.
  Result<const Candidate*> Peek() {
    if (pos_ < rows_.size()) return &rows_[pos_];
    if (done_) return static_cast<const Candidate*>(nullptr);
    LT_RETURN_IF_ERROR(Fetch());
    if (pos_ < rows_.size()) return &rows_[pos_];
    return static_cast<const Candidate*>(nullptr);
  }
  void Pop() { ++pos_; }
  size_t rank() const { return rank_; }

 private:
  std::string Select() const {
    std::string sql = std::string("SELECT ") + kLeadColumns;
    for (const char* key : kKeyExpressions) sql += std::string(", ") + key;
    return sql + " FROM leads l WHERE l.workspace_id = ?1 AND l.deleted_at IS NULL AND ";
  }

  Status Read(Statement& stmt) {
    while (true) {
      LT_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      Candidate c;
      c.lead = ReadLead(stmt);
      for (size_t k = 0; k < c.keys.size(); ++k) {
        c.keys[k] = stmt.ColumnText(kLeadColumnCount + static_cast<int>(k));
      }
      c.key = c.keys[rank_];
      rows_.push_back(std::move(c));
    }
    return Status::Ok();
  }

  Status Fetch() {
    const std::string expr = kKeyExpressions[rank_];
    rows_.clear();
    pos_ = 0;
    const bool resume = StartsWith(last_key_, prefix_);  // else start at the prefix
    if (resume) {
      LT_ASSIGN_OR_RETURN(auto same, conn_.Prepare(Select() + expr +
                                                   " = ?2 AND l.id > ?3 ORDER BY "
                                                   "l.id LIMIT ?4"));
      same->Bind(1, workspace_id_).Bind(2, last_key_).Bind(3, last_id_).Bind(4, batch_);
      LT_RETURN_IF_ERROR(Read(*same));
    }
    const int wanted = batch_ - static_cast<int>(rows_.size());
    if (wanted > 0) {
      LT_ASSIGN_OR_RETURN(auto after,
                          conn_.Prepare(Select() + expr + (resume ? " > ?2" : " >= ?2") + " AND " +
                                        expr + " < ?3 ORDER BY " + expr + ", l.id LIMIT ?4"));
      after->Bind(1, workspace_id_)
          .Bind(2, resume ? last_key_ : prefix_)
          .Bind(3, PrefixEnd(prefix_))
          .Bind(4, wanted);
      const size_t before = rows_.size();
      LT_RETURN_IF_ERROR(Read(*after));
      done_ = static_cast<int>(rows_.size() - before) < wanted;
    }
    if (!rows_.empty()) {
      last_key_ = rows_.back().key;
      last_id_ = rows_.back().lead.id;
    }
    batch_ = std::min(batch_ * 2, 1000);
    return Status::Ok();
  }

  Connection& conn_;
  const std::string& workspace_id_;
  const size_t rank_;
  const std::string& prefix_;
  std::string last_key_, last_id_;
  int batch_;
  std::vector<Candidate> rows_;
  size_t pos_ = 0;
  bool done_ = false;
};

Result<LeadSearchPage> ListAllLeads(Connection& conn, const std::string& workspace_id,
                                    const LeadSearch& search) {
  LT_ASSIGN_OR_RETURN(auto stmt,
                      conn.Prepare(std::string("SELECT ") + kLeadColumns +
                                   " FROM leads l WHERE l.workspace_id = ? AND l.id > ? AND "
                                   "l.deleted_at IS NULL ORDER BY l.id LIMIT ?"));
  stmt->Bind(1, workspace_id).Bind(2, search.after_id).Bind(3, search.limit + 1);
  LeadSearchPage page;
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    page.items.push_back({ReadLead(*stmt), ""});
  }
  if (static_cast<int>(page.items.size()) > search.limit) {
    page.items.resize(search.limit);
    page.has_more = true;
  }
  return page;
}

// Marks every live enrollment of the lead removed (counted as the
// per-campaign DELETE counts it).
Status RemoveFromEveryCampaign(Connection& conn, const std::string& workspace_id,
                               const std::string& lead_id, int64_t now) {
  LT_ASSIGN_OR_RETURN(std::vector<std::string> campaigns,
                      CampaignIds(conn, workspace_id, /*with_deleted=*/false));
  LT_ASSIGN_OR_RETURN(auto probe, conn.Prepare("SELECT 1 FROM enrollments WHERE workspace_id = ? "
                                               "AND campaign_id = ? AND lead_id = ? AND status "
                                               "!= 'removed'"));
  for (const std::string& campaign_id : campaigns) {
    probe->Bind(1, workspace_id).Bind(2, campaign_id).Bind(3, lead_id);
    LT_ASSIGN_OR_RETURN(bool enrolled, probe->Step());
    probe->Reset();
    if (enrolled)
      LT_RETURN_IF_ERROR(RemoveEnrollment(conn, workspace_id, campaign_id, lead_id, now));
  }
  return Status::Ok();
}

Result<std::string> LiveLeadEmail(Connection& conn, const std::string& workspace_id,
                                  const std::string& lead_id, bool with_deleted) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("SELECT email_norm, deleted_at FROM leads WHERE "
                                              "workspace_id = ? AND id = ?"));
  stmt->Bind(1, workspace_id).Bind(2, lead_id);
  LT_ASSIGN_OR_RETURN(bool found, stmt->Step());
  if (!found || (!with_deleted && !stmt->ColumnIsNull(1))) return NotFound("lead not found");
  return stmt->ColumnText(0);
}

Status RunWith(Connection& conn, const std::string& sql, const std::string& workspace_id,
               const std::string& lead_id) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare(sql));
  stmt->Bind(1, workspace_id).Bind(2, lead_id);
  return stmt->Run();
}

// Webhook events about the lead go, with their deliveries and attempts
// (delivered or not: each carries the payload's personal data or its trace).
Status EraseEvents(Connection& conn, const std::string& workspace_id, const std::string& lead_id) {
  std::vector<std::string> events, webhooks;
  {
    LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("SELECT id FROM webhook_events WHERE workspace_id "
                                                "= ? AND lead_id = ?"));
    stmt->Bind(1, workspace_id).Bind(2, lead_id);
    while (true) {
      LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      events.push_back(stmt->ColumnText(0));
    }
  }
  if (events.empty()) return Status::Ok();
  {
    LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("SELECT id FROM webhooks WHERE workspace_id = ?"));
    stmt->Bind(1, workspace_id);
    while (true) {
      LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      webhooks.push_back(stmt->ColumnText(0));
    }
  }
  // Deliveries and attempts are keyed by endpoint first: one primary-key
  // range per (endpoint, event).
  LT_ASSIGN_OR_RETURN(auto attempts, conn.Prepare("DELETE FROM webhook_attempts WHERE "
                                                  "workspace_id = ? AND webhook_id = ? AND "
                                                  "event_id = ?"));
  LT_ASSIGN_OR_RETURN(auto deliveries, conn.Prepare("DELETE FROM webhook_deliveries WHERE "
                                                    "workspace_id = ? AND webhook_id = ? AND "
                                                    "event_id = ?"));
  LT_ASSIGN_OR_RETURN(auto event, conn.Prepare("DELETE FROM webhook_events WHERE workspace_id = ? "
                                               "AND id = ?"));
  for (const std::string& event_id : events) {
    for (const std::string& webhook_id : webhooks) {
      attempts->Bind(1, workspace_id).Bind(2, webhook_id).Bind(3, event_id);
      LT_RETURN_IF_ERROR(attempts->Run());
      deliveries->Bind(1, workspace_id).Bind(2, webhook_id).Bind(3, event_id);
      LT_RETURN_IF_ERROR(deliveries->Run());
    }
    event->Bind(1, workspace_id).Bind(2, event_id);
    LT_RETURN_IF_ERROR(event->Run());
  }
  return Status::Ok();
}

// The lead's inbox items leave the counts before they go.
Status UncountInbox(Connection& conn, const std::string& workspace_id, const std::string& lead_id) {
  std::vector<std::tuple<std::string, int64_t, int64_t>> counts;
  {
    LT_ASSIGN_OR_RETURN(
        auto stmt,
        conn.Prepare(std::string("SELECT coalesce(label, ''), count(*), sum(CASE WHEN read_at IS "
                                 "NULL THEN 1 ELSE 0 END) FROM inbound_messages WHERE "
                                 "workspace_id = ? AND lead_id = ? AND ") +
                     kInboxKinds + " GROUP BY coalesce(label, '')"));
    stmt->Bind(1, workspace_id).Bind(2, lead_id);
    while (true) {
      LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      counts.emplace_back(stmt->ColumnText(0), stmt->ColumnInt(1), stmt->ColumnInt(2));
    }
  }
  for (const auto& [label, total, unread] : counts) {
    LT_RETURN_IF_ERROR(AddInboxCount(conn, workspace_id, label, -total, -unread));
  }
  return Status::Ok();
}

// A send to the person the engine holds right now must not record its
// outcome after the erasure (its event would carry the address back in): a
// message only claimed goes (it was never on the wire, and without an
// enrollment it is not claimed again); one on the wire becomes `unknown`,
// counted as such, and the engine's outcome for it then changes nothing.
Status SettleInFlight(Connection& conn, const std::string& workspace_id, const std::string& lead_id,
                      int64_t now) {
  std::map<CounterKey, CounterDelta> deltas;
  {
    LT_ASSIGN_OR_RETURN(auto sending, conn.Prepare("SELECT campaign_id FROM messages WHERE "
                                                   "workspace_id = ? AND lead_id = ? AND status "
                                                   "= 'sending'"));
    sending->Bind(1, workspace_id).Bind(2, lead_id);
    while (true) {
      LT_ASSIGN_OR_RETURN(bool row, sending->Step());
      if (!row) break;
      ++deltas[{workspace_id, sending->ColumnText(0)}].unknown;
    }
  }
  LT_RETURN_IF_ERROR(RunWith(conn,
                             "DELETE FROM messages WHERE workspace_id = ?1 AND lead_id = ?2 AND "
                             "status = 'claimed'",
                             workspace_id, lead_id));
  LT_ASSIGN_OR_RETURN(auto mark, conn.Prepare("UPDATE messages SET status = 'unknown', "
                                              "updated_at = ? WHERE workspace_id = ? AND lead_id "
                                              "= ? AND status = 'sending'"));
  mark->Bind(1, now).Bind(2, workspace_id).Bind(3, lead_id);
  LT_RETURN_IF_ERROR(mark->Run());
  return ApplyCounterDeltas(conn, deltas, now);
}

}  // namespace

Status AddInboxCount(Connection& conn, const std::string& workspace_id, const std::string& label,
                     int64_t total, int64_t unread) {
  LT_ASSIGN_OR_RETURN(auto stmt,
                      conn.Prepare("INSERT INTO inbox_counters(workspace_id, label, total, "
                                   "unread) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (workspace_id, "
                                   "label) DO UPDATE SET total = inbox_counters.total + ?3, "
                                   "unread = inbox_counters.unread + ?4"));
  stmt->Bind(1, workspace_id).Bind(2, label).Bind(3, total).Bind(4, unread);
  return stmt->Run();
}

Result<LeadSearchPage> SearchLeads(Connection& conn, const std::string& workspace_id,
                                   const LeadSearch& search) {
  if (search.prefix.empty()) return ListAllLeads(conn, workspace_id, search);
  // One ordered stream per key, merged in (key, id) order; a lead found by
  // several keys is taken at its first appearance only, so each lead comes
  // once and the (key, id) cursor resumes exactly.
  std::vector<KeyStream> streams;
  streams.reserve(kKeyExpressions.size());
  for (size_t rank = 0; rank < kKeyExpressions.size(); ++rank) {
    streams.emplace_back(conn, workspace_id, rank, search.prefix, search.after_key, search.after_id,
                         search.limit + 1);
  }
  LeadSearchPage page;
  while (true) {
    KeyStream* best = nullptr;
    const Candidate* best_row = nullptr;
    for (KeyStream& stream : streams) {
      LT_ASSIGN_OR_RETURN(const Candidate* row, stream.Peek());
      if (row == nullptr) continue;
      if (best_row == nullptr || row->key < best_row->key ||
          (row->key == best_row->key && row->lead.id < best_row->lead.id) ||
          (row->key == best_row->key && row->lead.id == best_row->lead.id &&
           stream.rank() < best->rank())) {
        best = &stream;
        best_row = row;
      }
    }
    if (best == nullptr) break;
    if (FirstAppearance(*best_row, best->rank(), search.prefix)) {
      if (static_cast<int>(page.items.size()) == search.limit) {
        page.has_more = true;
        break;
      }
      page.items.push_back({best_row->lead, best_row->key});
    }
    best->Pop();
  }
  return page;
}

Result<std::vector<LeadEnrollment>> ListLeadEnrollments(Connection& conn,
                                                        const std::string& workspace_id,
                                                        const std::string& lead_id) {
  LT_RETURN_IF_ERROR(LiveLeadEmail(conn, workspace_id, lead_id, false).status());
  // One primary-key probe of enrollments per campaign of the workspace
  // (CROSS JOIN: SQLite keeps campaigns as the outer loop, instead of
  // walking the workspace's enrollments).
  LT_ASSIGN_OR_RETURN(auto stmt,
                      conn.Prepare("SELECT c.id, c.name, c.status, e.status, e.current_step, "
                                   "e.next_send_at, e.last_sent_at, e.enrolled_at FROM campaigns "
                                   "c CROSS JOIN enrollments e WHERE c.workspace_id = ?1 AND "
                                   "c.deleted_at IS NULL AND e.workspace_id = c.workspace_id AND "
                                   "e.campaign_id = c.id AND e.lead_id = ?2 "
                                   "ORDER BY e.enrolled_at, c.id"));
  stmt->Bind(1, workspace_id).Bind(2, lead_id);
  std::vector<LeadEnrollment> out;
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    LeadEnrollment item;
    item.enrollment.campaign_id = stmt->ColumnText(0);
    item.campaign_name = stmt->ColumnText(1);
    item.campaign_status = stmt->ColumnText(2);
    item.enrollment.status = domain::ParseEnrollmentStatus(stmt->ColumnText(3))
                                 .value_or(domain::EnrollmentStatus::kQueued);
    item.enrollment.current_step = static_cast<int>(stmt->ColumnInt(4));
    item.enrollment.next_send_at = stmt->ColumnOptionalInt(5);
    item.enrollment.last_sent_at = stmt->ColumnOptionalInt(6);
    item.enrollment.enrolled_at = stmt->ColumnInt(7);
    out.push_back(std::move(item));
  }
  return out;
}

Result<domain::Lead> PatchLead(Connection& conn, const std::string& workspace_id,
                               const std::string& lead_id, const LeadPatch& patch, int64_t now) {
  LT_ASSIGN_OR_RETURN(domain::Lead lead, GetLead(conn, workspace_id, lead_id));
  auto apply = [](std::optional<std::string>& field,
                  const std::optional<std::optional<std::string>>& change) {
    if (change) field = *change;
  };
  apply(lead.first_name, patch.first_name);
  apply(lead.last_name, patch.last_name);
  apply(lead.company, patch.company);
  apply(lead.job_title, patch.job_title);
  apply(lead.timezone, patch.timezone);
  const std::string merged = conn.dialect() == Dialect::kPostgres
                                 ? "jsonb_strip_nulls(custom_fields::jsonb || ?6::jsonb)::text"
                                 : "json_patch(custom_fields, ?6)";
  LT_ASSIGN_OR_RETURN(
      auto update,
      conn.Prepare("UPDATE leads SET first_name = ?1, last_name = ?2, company = ?3, job_title = "
                   "?4, timezone = ?5, custom_fields = CASE WHEN ?6 = '{}' THEN custom_fields "
                   "ELSE " +
                   merged + " END, updated_at = ?7 WHERE workspace_id = ?8 AND id = ?9"));
  update->Bind(1, lead.first_name)
      .Bind(2, lead.last_name)
      .Bind(3, lead.company)
      .Bind(4, lead.job_title)
      .Bind(5, lead.timezone)
      .Bind(6, patch.custom_fields_patch)
      .Bind(7, now)
      .Bind(8, workspace_id)
      .Bind(9, lead_id);
  LT_RETURN_IF_ERROR(update->Run());
  update.reset();
  if (!patch.custom_keys.empty()) {
    LT_ASSIGN_OR_RETURN(auto key, conn.Prepare("INSERT INTO custom_field_keys(workspace_id, "
                                               "field_key) VALUES (?, ?) ON CONFLICT DO NOTHING"));
    for (const std::string& k : patch.custom_keys) {
      key->Bind(1, workspace_id).Bind(2, k);
      LT_RETURN_IF_ERROR(key->Run());
    }
  }
  return GetLead(conn, workspace_id, lead_id);
}

Status DeleteLead(Connection& conn, const std::string& workspace_id, const std::string& lead_id,
                  int64_t now) {
  LT_RETURN_IF_ERROR(LiveLeadEmail(conn, workspace_id, lead_id, false).status());
  LT_RETURN_IF_ERROR(RemoveFromEveryCampaign(conn, workspace_id, lead_id, now));
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("UPDATE leads SET deleted_at = ?, updated_at = ? "
                                              "WHERE workspace_id = ? AND id = ?"));
  stmt->Bind(1, now).Bind(2, now).Bind(3, workspace_id).Bind(4, lead_id);
  return stmt->Run();
}

Status EraseLead(Connection& conn, const std::string& workspace_id, const std::string& lead_id,
                 int64_t now) {
  LT_ASSIGN_OR_RETURN(std::string email, LiveLeadEmail(conn, workspace_id, lead_id, true));
  // Counters first, as a removal counts; then the rows go.
  LT_RETURN_IF_ERROR(RemoveFromEveryCampaign(conn, workspace_id, lead_id, now));
  {
    LT_ASSIGN_OR_RETURN(std::vector<std::string> campaigns,
                        CampaignIds(conn, workspace_id, /*with_deleted=*/true));
    LT_ASSIGN_OR_RETURN(auto del, conn.Prepare("DELETE FROM enrollments WHERE workspace_id = ? "
                                               "AND campaign_id = ? AND lead_id = ?"));
    for (const std::string& campaign_id : campaigns) {
      del->Bind(1, workspace_id).Bind(2, campaign_id).Bind(3, lead_id);
      LT_RETURN_IF_ERROR(del->Run());
    }
  }
  LT_RETURN_IF_ERROR(SettleInFlight(conn, workspace_id, lead_id, now));
  // Messages stay as ids and counts (stats, the one-send guarantee); what
  // was rendered for the person goes.
  LT_RETURN_IF_ERROR(RunWith(conn,
                             "UPDATE messages SET subject = '', smtp_reply = NULL WHERE "
                             "workspace_id = ?1 AND lead_id = ?2",
                             workspace_id, lead_id));
  LT_RETURN_IF_ERROR(UncountInbox(conn, workspace_id, lead_id));
  LT_RETURN_IF_ERROR(RunWith(conn,
                             "DELETE FROM inbound_messages WHERE workspace_id = ?1 AND "
                             "lead_id = ?2",
                             workspace_id, lead_id));
  LT_RETURN_IF_ERROR(RunWith(conn, "DELETE FROM answers WHERE workspace_id = ?1 AND lead_id = ?2",
                             workspace_id, lead_id));
  LT_RETURN_IF_ERROR(EraseEvents(conn, workspace_id, lead_id));
  {
    // Stored responses of idempotent requests that named the person (an
    // import's per-row errors, an answer): a replay after erasure answers
    // as a new request would.
    const char* contains = conn.dialect() == Dialect::kPostgres ? "strpos" : "instr";
    LT_ASSIGN_OR_RETURN(
        auto stmt, conn.Prepare(std::string("DELETE FROM idempotency_keys WHERE "
                                            "workspace_id = ?1 AND (") +
                                contains + "(body, ?2) > 0 OR " + contains + "(body, ?3) > 0)"));
    stmt->Bind(1, workspace_id).Bind(2, email).Bind(3, lead_id);
    LT_RETURN_IF_ERROR(stmt->Run());
  }
  {
    LT_ASSIGN_OR_RETURN(auto plain, conn.Prepare("DELETE FROM suppressions WHERE workspace_id = ? "
                                                 "AND value = ?"));
    plain->Bind(1, workspace_id).Bind(2, email);
    LT_RETURN_IF_ERROR(plain->Run());
    LT_ASSIGN_OR_RETURN(auto hashed,
                        conn.Prepare("INSERT INTO suppressions(workspace_id, value, kind, reason, "
                                     "source, created_at) VALUES (?, ?, 'address_hash', "
                                     "'erased', 'erasure', ?) ON CONFLICT DO NOTHING"));
    hashed->Bind(1, workspace_id).Bind(2, domain::AddressHash(email)).Bind(3, now);
    LT_RETURN_IF_ERROR(hashed->Run());
  }
  return RunWith(conn, "DELETE FROM leads WHERE workspace_id = ?1 AND id = ?2", workspace_id,
                 lead_id);
}

}  // namespace leadterra::store::sql
