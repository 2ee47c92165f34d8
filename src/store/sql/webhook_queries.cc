#include "store/sql/webhook_queries.h"

#include "store/sql/counters.h"
#include "util/ids.h"

namespace leadterra::store::sql {
namespace {

constexpr char kWebhookColumns[] =
    "workspace_id, id, url, events, description, secret, status, created_at, last_success_at, "
    "failing_since";

std::string JoinEvents(const std::vector<std::string>& events) {
  std::string out;
  for (const std::string& e : events) {
    if (!out.empty()) out.push_back(',');
    out += e;
  }
  return out;
}

std::vector<std::string> SplitEvents(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

domain::Webhook ReadWebhook(const Statement& row) {
  domain::Webhook w;
  w.workspace_id = row.ColumnText(0);
  w.id = row.ColumnText(1);
  w.url = row.ColumnText(2);
  w.events = SplitEvents(row.ColumnText(3));
  w.description = row.ColumnOptionalText(4);
  w.secret_sealed = row.ColumnText(5);
  w.status = domain::ParseWebhookStatus(row.ColumnText(6)).value_or(domain::WebhookStatus::kActive);
  w.created_at = row.ColumnInt(7);
  w.last_success_at = row.ColumnOptionalInt(8);
  w.failing_since = row.ColumnOptionalInt(9);
  return w;
}

// Adds to `out` the statement that writes `event` as `id`.
Status AddEventInsert(Connection& conn, const std::string& workspace_id, const std::string& id,
                      const domain::Event& event, int64_t now, Statements& out) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("INSERT INTO webhook_events(workspace_id, id, type, "
                                              "data, created_at, lead_id) VALUES (?, ?, ?, ?, "
                                              "?, ?)"));
  stmt->Bind(1, workspace_id).Bind(2, id).Bind(3, event.type).Bind(4, event.data_json).Bind(5, now);
  if (event.lead_id.empty()) {
    stmt->BindNull(6);
  } else {
    stmt->Bind(6, event.lead_id);
  }
  out.push_back(std::move(stmt));
  return Status::Ok();
}

// Adds to `out` the statement that queues event `event_id` for `webhook_id`.
Status AddDeliveryInsert(Connection& conn, const std::string& workspace_id,
                         const std::string& webhook_id, const std::string& event_id, int64_t now,
                         Statements& out) {
  LT_ASSIGN_OR_RETURN(auto stmt,
                      conn.Prepare("INSERT INTO webhook_deliveries(workspace_id, webhook_id, "
                                   "event_id, status, next_attempt_at, created_at) VALUES "
                                   "(?, ?, ?, 'pending', ?, ?)"));
  stmt->Bind(1, workspace_id).Bind(2, webhook_id).Bind(3, event_id).Bind(4, now).Bind(5, now);
  out.push_back(std::move(stmt));
  return Status::Ok();
}

}  // namespace

void EventOutbox::Add(const std::string& workspace_id, const domain::Event& event, int64_t now) {
  rows_.Row()
      .Add(workspace_id)
      .Add(NewIdAt(id_prefix::kEvent, now))
      .Add(event.type)
      .Add(event.data_json)
      .Add(now)
      .Add(event.lead_id);
  empty_ = false;
}

Status EventOutbox::Write() {
  if (empty_) return Status::Ok();
  const std::string events = JsonRowsSource(conn_.dialect(), 1, 6, "v");
  Statements writes;
  LT_ASSIGN_OR_RETURN(
      auto event,
      conn_.Prepare("INSERT INTO webhook_events(workspace_id, id, type, data, created_at, lead_id) "
                    "SELECT v.c1, v.c2, v.c3, v.c4, CAST(v.c5 AS BIGINT), NULLIF(v.c6, '') FROM " +
                    events +
                    " WHERE EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE s.workspace_id "
                    "= v.c1 AND s.event_type = v.c3)"));
  event->Bind(1, rows_.Json());
  writes.push_back(std::move(event));
  LT_ASSIGN_OR_RETURN(
      auto delivery,
      conn_.Prepare("INSERT INTO webhook_deliveries(workspace_id, webhook_id, event_id, status, "
                    "next_attempt_at, created_at) SELECT v.c1, s.webhook_id, v.c2, 'pending', "
                    "CAST(v.c5 AS BIGINT), CAST(v.c5 AS BIGINT) FROM " +
                    events +
                    " JOIN webhook_subscriptions s ON s.workspace_id = v.c1 AND s.event_type = "
                    "v.c3"));
  delivery->Bind(1, rows_.Json());
  writes.push_back(std::move(delivery));
  rows_ = JsonRows();
  empty_ = true;
  return conn_.RunLater(std::move(writes));
}

Status EmitEvent(Connection& conn, const std::string& workspace_id, const domain::Event& event,
                 int64_t now) {
  EventOutbox outbox(conn);
  outbox.Add(workspace_id, event, now);
  return outbox.Write();
}

Result<std::string> EmitEventTo(Connection& conn, const std::string& workspace_id,
                                const std::string& webhook_id, const domain::Event& event,
                                int64_t now) {
  const std::string event_id = NewIdAt(id_prefix::kEvent, now);
  Statements writes;
  LT_RETURN_IF_ERROR(AddEventInsert(conn, workspace_id, event_id, event, now, writes));
  LT_RETURN_IF_ERROR(AddDeliveryInsert(conn, workspace_id, webhook_id, event_id, now, writes));
  LT_RETURN_IF_ERROR(RunAll(conn, writes));
  return event_id;
}

Status InsertWebhook(Connection& conn, const domain::Webhook& w) {
  LT_ASSIGN_OR_RETURN(auto stmt,
                      conn.Prepare(std::string("INSERT INTO webhooks(") + kWebhookColumns +
                                   ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt->Bind(1, w.workspace_id)
      .Bind(2, w.id)
      .Bind(3, w.url)
      .Bind(4, JoinEvents(w.events))
      .Bind(5, w.description)
      .Bind(6, w.secret_sealed)
      .Bind(7, domain::ToString(w.status))
      .Bind(8, w.created_at)
      .Bind(9, w.last_success_at)
      .Bind(10, w.failing_since);
  LT_RETURN_IF_ERROR(stmt->Run());
  LT_ASSIGN_OR_RETURN(auto subscribe,
                      conn.Prepare("INSERT INTO webhook_subscriptions(workspace_id, event_type, "
                                   "webhook_id) VALUES (?, ?, ?)"));
  for (const std::string& type : w.events) {
    subscribe->Bind(1, w.workspace_id).Bind(2, type).Bind(3, w.id);
    LT_RETURN_IF_ERROR(subscribe->Run());
  }
  return Status::Ok();
}

Result<domain::Webhook> LoadWebhook(Connection& conn, const std::string& workspace_id,
                                    const std::string& id) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare(std::string("SELECT ") + kWebhookColumns +
                                              " FROM webhooks WHERE workspace_id = ? AND id = ? "
                                              "AND deleted_at IS NULL"));
  stmt->Bind(1, workspace_id).Bind(2, id);
  LT_ASSIGN_OR_RETURN(bool found, stmt->Step());
  if (!found) return NotFound("webhook not found");
  return ReadWebhook(*stmt);
}

Result<Page<domain::Webhook>> ListWebhooks(Connection& conn, const std::string& workspace_id,
                                           const PageRequest& page) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare(std::string("SELECT ") + kWebhookColumns +
                                              " FROM webhooks WHERE workspace_id = ? AND id > ? "
                                              "AND deleted_at IS NULL ORDER BY id LIMIT ?"));
  stmt->Bind(1, workspace_id).Bind(2, page.after_id).Bind(3, page.limit + 1);
  Page<domain::Webhook> out;
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.items.push_back(ReadWebhook(*stmt));
  }
  out.TrimTo(page.limit);
  return out;
}

Status SoftDeleteWebhook(Connection& conn, const std::string& workspace_id, const std::string& id,
                         int64_t now) {
  LT_ASSIGN_OR_RETURN(auto stmt,
                      conn.Prepare("UPDATE webhooks SET deleted_at = ? WHERE "
                                   "workspace_id = ? AND id = ? AND deleted_at IS NULL"));
  stmt->Bind(1, now).Bind(2, workspace_id).Bind(3, id);
  LT_RETURN_IF_ERROR(stmt->Run());
  if (conn.Changes() == 0) return NotFound("webhook not found");
  for (const char* sql : {"DELETE FROM webhook_subscriptions WHERE workspace_id = ? AND "
                          "webhook_id = ?",
                          "DELETE FROM webhook_deliveries WHERE workspace_id = ? AND "
                          "webhook_id = ? AND status = 'pending'"}) {
    LT_ASSIGN_OR_RETURN(auto del, conn.Prepare(sql));
    del->Bind(1, workspace_id).Bind(2, id);
    LT_RETURN_IF_ERROR(del->Run());
  }
  return Status::Ok();
}

Result<Page<WebhookDelivery>> ListWebhookDeliveries(Connection& conn,
                                                    const std::string& workspace_id,
                                                    const std::string& webhook_id,
                                                    std::optional<DeliveryStatus> status,
                                                    const PageRequest& page) {
  // Only the conditions given, so each is an index range (a `? IS NULL OR`
  // form is not): the primary key walks back from the cursor; with a status
  // it is webhook_deliveries_by_status.
  const bool sqlite = conn.dialect() == Dialect::kSqlite;
  std::string sql =
      "SELECT d.event_id, e.type, d.status, d.attempts, d.created_at, d.next_attempt_at, "
      "d.delivered_at FROM webhook_deliveries d ";
  if (status && sqlite) sql += "INDEXED BY webhook_deliveries_by_status ";
  sql +=
      "JOIN webhook_events e ON e.workspace_id = d.workspace_id AND e.id = d.event_id "
      "WHERE d.workspace_id = ? AND d.webhook_id = ?";
  if (status) sql += " AND d.status = ?";
  if (!page.after_id.empty()) sql += " AND d.event_id < ?";
  sql += " ORDER BY d.event_id DESC LIMIT ?";
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare(sql));
  stmt->Bind(1, workspace_id).Bind(2, webhook_id);
  int pos = 3;
  if (status) stmt->Bind(pos++, ToString(*status));
  if (!page.after_id.empty()) stmt->Bind(pos++, page.after_id);
  stmt->Bind(pos, page.limit + 1);
  Page<WebhookDelivery> out;
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    WebhookDelivery d;
    d.webhook_id = webhook_id;
    d.event_id = stmt->ColumnText(0);
    d.event_type = stmt->ColumnText(1);
    d.status = ParseDeliveryStatus(stmt->ColumnText(2)).value_or(DeliveryStatus::kPending);
    d.attempt_count = static_cast<int>(stmt->ColumnInt(3));
    d.created_at = stmt->ColumnInt(4);
    if (d.status == DeliveryStatus::kPending) d.next_attempt_at = stmt->ColumnOptionalInt(5);
    d.delivered_at = stmt->ColumnOptionalInt(6);
    out.items.push_back(std::move(d));
  }
  stmt.reset();
  out.TrimTo(page.limit);
  if (out.items.empty()) return out;
  auto read_attempt = [](const Statement& row, int col) {
    WebhookAttempt a;
    a.attempted_at = row.ColumnInt(col);
    if (auto code = row.ColumnOptionalInt(col + 1)) a.status_code = static_cast<int>(*code);
    a.latency_ms = row.ColumnInt(col + 2);
    a.error = row.ColumnOptionalText(col + 3);
    return a;
  };
  if (!status) {
    // An unfiltered page is a contiguous run of the webhook's deliveries:
    // their attempts are one range of webhook_attempts' primary key.
    LT_ASSIGN_OR_RETURN(auto attempts,
                        conn.Prepare("SELECT event_id, attempted_at, status_code, latency_ms, "
                                     "error FROM webhook_attempts WHERE workspace_id = ? AND "
                                     "webhook_id = ? AND event_id >= ? AND event_id <= ? ORDER "
                                     "BY event_id DESC, attempt"));
    attempts->Bind(1, workspace_id)
        .Bind(2, webhook_id)
        .Bind(3, out.items.back().event_id)
        .Bind(4, out.items.front().event_id);
    size_t i = 0;
    while (true) {
      LT_ASSIGN_OR_RETURN(bool row, attempts->Step());
      if (!row) break;
      const std::string event_id = attempts->ColumnText(0);
      while (i < out.items.size() && out.items[i].event_id > event_id) ++i;
      if (i == out.items.size()) break;
      if (out.items[i].event_id == event_id) {
        out.items[i].attempts.push_back(read_attempt(*attempts, 1));
      }
    }
    return out;
  }
  LT_ASSIGN_OR_RETURN(auto attempts,
                      conn.Prepare("SELECT attempted_at, status_code, latency_ms, error FROM "
                                   "webhook_attempts WHERE workspace_id = ? AND webhook_id = ? "
                                   "AND event_id = ? ORDER BY attempt"));
  for (WebhookDelivery& d : out.items) {
    attempts->Bind(1, workspace_id).Bind(2, webhook_id).Bind(3, d.event_id);
    while (true) {
      LT_ASSIGN_OR_RETURN(bool row, attempts->Step());
      if (!row) break;
      d.attempts.push_back(read_attempt(*attempts, 0));
    }
    attempts->Reset();
  }
  return out;
}

Result<std::vector<DispatchJob>> LeaseDueDeliveries(
    Connection& conn, int64_t now, int64_t lease_until, int limit,
    const std::function<int(const std::string&)>& room) {
  std::vector<DispatchJob> endpoints;
  {
    LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("SELECT workspace_id, id, url, secret FROM "
                                                "webhooks WHERE deleted_at IS NULL"));
    while (true) {
      LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      DispatchJob job;
      job.workspace_id = stmt->ColumnText(0);
      job.webhook_id = stmt->ColumnText(1);
      job.url = stmt->ColumnText(2);
      job.secret_sealed = stmt->ColumnText(3);
      endpoints.push_back(std::move(job));
    }
  }
  LT_ASSIGN_OR_RETURN(
      auto due, conn.Prepare(conn.SkipLocked(
                    "SELECT d.event_id, d.attempts, e.type, e.data, e.created_at FROM "
                    "webhook_deliveries d JOIN webhook_events e ON e.workspace_id = "
                    "d.workspace_id AND e.id = d.event_id WHERE d.workspace_id = ?1 AND "
                    "d.webhook_id = ?2 AND d.status = 'pending' AND d.next_attempt_at <= ?3 AND "
                    "(d.lease_until IS NULL OR d.lease_until <= ?3) ORDER BY d.next_attempt_at "
                    "LIMIT ?4",
                    "d")));
  LT_ASSIGN_OR_RETURN(auto lease,
                      conn.Prepare("UPDATE webhook_deliveries SET lease_until = ? WHERE "
                                   "workspace_id = ? AND webhook_id = ? AND event_id = ?"));
  std::vector<DispatchJob> jobs;
  for (const DispatchJob& endpoint : endpoints) {
    const int left = limit - static_cast<int>(jobs.size());
    if (left <= 0) break;
    const int take = std::min(left, room(endpoint.webhook_id));
    if (take <= 0) continue;
    due->Bind(1, endpoint.workspace_id).Bind(2, endpoint.webhook_id).Bind(3, now).Bind(4, take);
    while (true) {
      LT_ASSIGN_OR_RETURN(bool row, due->Step());
      if (!row) break;
      DispatchJob job = endpoint;
      job.event_id = due->ColumnText(0);
      job.attempts_before = static_cast<int>(due->ColumnInt(1));
      job.event_type = due->ColumnText(2);
      job.data_json = due->ColumnText(3);
      job.event_created_at = due->ColumnInt(4);
      jobs.push_back(std::move(job));
    }
    due->Reset();
  }
  for (const DispatchJob& job : jobs) {
    lease->Bind(1, lease_until)
        .Bind(2, job.workspace_id)
        .Bind(3, job.webhook_id)
        .Bind(4, job.event_id);
    LT_RETURN_IF_ERROR(lease->Run());
  }
  return jobs;
}

Status RecordDispatchResults(Connection& conn, const std::vector<DispatchResult>& results,
                             int64_t now, int64_t failing_after) {
  LT_ASSIGN_OR_RETURN(
      auto update,
      conn.Prepare("UPDATE webhook_deliveries SET attempts = attempts + 1, status = ?, "
                   "next_attempt_at = ?, delivered_at = ?, lease_until = NULL WHERE "
                   "workspace_id = ? AND webhook_id = ? AND event_id = ? AND status = 'pending' "
                   "RETURNING attempts"));
  LT_ASSIGN_OR_RETURN(auto attempt,
                      conn.Prepare("INSERT INTO webhook_attempts(workspace_id, webhook_id, "
                                   "event_id, attempt, attempted_at, status_code, latency_ms, "
                                   "error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  LT_ASSIGN_OR_RETURN(auto succeeded,
                      conn.Prepare("UPDATE webhooks SET status = 'active', last_success_at = ?, "
                                   "failing_since = NULL WHERE workspace_id = ? AND id = ?"));
  LT_ASSIGN_OR_RETURN(
      auto failed,
      conn.Prepare(
          "UPDATE webhooks SET failing_since = coalesce(failing_since, ?1), status = "
          "CASE WHEN ?6 != 0 OR ?2 - coalesce(failing_since, ?1) >= ?3 THEN 'failing' ELSE "
          "status END WHERE workspace_id = ?4 AND id = ?5"));
  for (const DispatchResult& r : results) {
    const DispatchJob& job = r.job;
    const char* status = r.success ? "delivered" : r.retry_at ? "pending" : "failed";
    update->Bind(1, status)
        .Bind(2, r.success ? std::nullopt : r.retry_at)
        .Bind(3, r.success ? std::optional<int64_t>(r.attempt.attempted_at) : std::nullopt)
        .Bind(4, job.workspace_id)
        .Bind(5, job.webhook_id)
        .Bind(6, job.event_id);
    LT_ASSIGN_OR_RETURN(bool updated, update->Step());
    const int64_t number = updated ? update->ColumnInt(0) : 0;
    update->Reset();
    if (!updated) continue;  // deleted endpoint, or already recorded
    attempt->Bind(1, job.workspace_id)
        .Bind(2, job.webhook_id)
        .Bind(3, job.event_id)
        .Bind(4, number)
        .Bind(5, r.attempt.attempted_at)
        .Bind(6,
              r.attempt.status_code ? std::optional<int64_t>(*r.attempt.status_code) : std::nullopt)
        .Bind(7, r.attempt.latency_ms)
        .Bind(8, r.attempt.error);
    LT_RETURN_IF_ERROR(attempt->Run());
    if (r.success) {
      succeeded->Bind(1, r.attempt.attempted_at).Bind(2, job.workspace_id).Bind(3, job.webhook_id);
      LT_RETURN_IF_ERROR(succeeded->Run());
    } else {
      failed->Bind(1, r.attempt.attempted_at)
          .Bind(2, now)
          .Bind(3, failing_after)
          .Bind(4, job.workspace_id)
          .Bind(5, job.webhook_id)
          .Bind(6, r.retry_at ? 0 : 1);  // a delivery that failed for good
      LT_RETURN_IF_ERROR(failed->Run());
    }
  }
  return Status::Ok();
}

Status ReleaseDeliveryLeases(Connection& conn, const std::vector<DispatchJob>& jobs) {
  LT_ASSIGN_OR_RETURN(auto stmt,
                      conn.Prepare("UPDATE webhook_deliveries SET lease_until = NULL WHERE "
                                   "workspace_id = ? AND webhook_id = ? AND event_id = ?"));
  for (const DispatchJob& job : jobs) {
    stmt->Bind(1, job.workspace_id).Bind(2, job.webhook_id).Bind(3, job.event_id);
    LT_RETURN_IF_ERROR(stmt->Run());
  }
  return Status::Ok();
}

Result<std::optional<int64_t>> NextDeliveryDue(Connection& conn) {
  // Leases are ignored: a leased delivery is in flight and will be recorded
  // (or its lease expires), so its time is at worst an early wake-up.
  LT_ASSIGN_OR_RETURN(
      auto stmt,
      conn.Prepare("SELECT min((SELECT min(d.next_attempt_at) FROM webhook_deliveries d WHERE "
                   "d.workspace_id = w.workspace_id AND d.webhook_id = w.id AND d.status = "
                   "'pending')) FROM webhooks w WHERE w.deleted_at IS NULL"));
  LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<int64_t>();
  return stmt->ColumnOptionalInt(0);
}

}  // namespace leadterra::store::sql
