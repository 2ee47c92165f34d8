#include "store/sql/lead_queries.h"

#include <algorithm>
#include <unordered_set>

namespace leadterra::store::sql {
namespace {

using domain::EnrollmentStatus;

std::optional<std::string> OptionalText(const Statement& row, int col) {
  if (row.ColumnIsNull(col)) return std::nullopt;
  return row.ColumnText(col);
}

}  // namespace

const char kLeadColumns[] =
    "l.id, l.workspace_id, l.email, l.first_name, l.last_name, l.company, l.job_title, "
    "l.custom_fields, l.created_at, l.updated_at, l.timezone";

domain::Lead ReadLead(const Statement& row) {
  domain::Lead lead;
  lead.id = row.ColumnText(0);
  lead.workspace_id = row.ColumnText(1);
  lead.email = row.ColumnText(2);
  lead.first_name = OptionalText(row, 3);
  lead.last_name = OptionalText(row, 4);
  lead.company = OptionalText(row, 5);
  lead.job_title = OptionalText(row, 6);
  lead.custom_fields_json = row.ColumnText(7);
  lead.created_at = row.ColumnInt(8);
  lead.updated_at = row.ColumnInt(9);
  lead.timezone = OptionalText(row, 10);
  return lead;
}

namespace {

void BindOptional(Statement& stmt, int pos, const std::optional<std::string>& value) {
  if (value) {
    stmt.Bind(pos, *value);
  } else {
    stmt.BindNull(pos);
  }
}

bool IsLeadColumn(const std::string& field) {
  return field == "firstName" || field == "lastName" || field == "company" || field == "jobTitle" ||
         field == "email";
}

// SQL condition that holds when the lead lacks the field (NULL, empty or
// blank); a custom field's key is bound as parameter ?`param`.
std::string MissingCondition(Dialect dialect, const std::string& field, int param) {
  std::string expr;
  if (field == "firstName") {
    expr = "l.first_name";
  } else if (field == "lastName") {
    expr = "l.last_name";
  } else if (field == "company") {
    expr = "l.company";
  } else if (field == "jobTitle") {
    expr = "l.job_title";
  } else if (field == "email") {
    expr = "l.email";
  } else {
    const std::string key = "?" + std::to_string(param);
    expr = dialect == Dialect::kPostgres ? "(l.custom_fields::jsonb ->> " + key + ")"
                                         : "json_extract(l.custom_fields, " + key + ")";
  }
  return "coalesce(trim(" + expr + "), '') = ''";
}

// A custom field's key as MissingCondition binds it: PostgreSQL takes it as is; SQLite
// a json_extract path, quoted so any characters are safe.
std::string JsonPath(Dialect dialect, const std::string& key) {
  if (dialect == Dialect::kPostgres) return key;
  std::string path = "$.\"";
  for (char c : key) {
    if (c == '"' || c == '\\') path.push_back('\\');
    path.push_back(c);
  }
  path += "\"";
  return path;
}

Status AddToCounters(Connection& conn, const std::string& workspace_id,
                     const std::string& campaign_id, int64_t enrolled, int64_t queued,
                     int64_t now) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("UPDATE campaign_stats SET enrolled = enrolled + ?, "
                                              "queued = queued + ?, updated_at = ? WHERE "
                                              "workspace_id = ? AND campaign_id = ? AND "
                                              "shard = 0"));
  stmt->Bind(1, enrolled).Bind(2, queued).Bind(3, now).Bind(4, workspace_id).Bind(5, campaign_id);
  return stmt->Run();
}

}  // namespace

Status InsertCampaignStats(Connection& conn, const std::string& workspace_id,
                           const std::string& campaign_id, int64_t now) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("INSERT INTO campaign_stats(workspace_id, "
                                              "campaign_id, updated_at) VALUES (?, ?, ?)"));
  stmt->Bind(1, workspace_id).Bind(2, campaign_id).Bind(3, now);
  return stmt->Run();
}

Status CheckCampaignExists(Connection& conn, const std::string& workspace_id,
                           const std::string& campaign_id) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("SELECT 1 FROM campaigns WHERE workspace_id = ? "
                                              "AND id = ? AND deleted_at IS NULL"));
  stmt->Bind(1, workspace_id).Bind(2, campaign_id);
  LT_ASSIGN_OR_RETURN(bool found, stmt->Step());
  return found ? Status::Ok() : NotFound("campaign not found");
}

Result<std::optional<int64_t>> FirstSendAtIfRunning(Connection& conn,
                                                    const std::string& workspace_id,
                                                    const std::string& campaign_id, int64_t from,
                                                    int64_t day_millis) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("SELECT c.status, coalesce(s.delay_days, 0) FROM "
                                              "campaigns c LEFT JOIN campaign_steps s ON "
                                              "s.workspace_id = c.workspace_id AND "
                                              "s.campaign_id = c.id AND s.step_index = 0 "
                                              "WHERE c.workspace_id = ? AND c.id = ?"));
  stmt->Bind(1, workspace_id).Bind(2, campaign_id);
  LT_ASSIGN_OR_RETURN(bool found, stmt->Step());
  if (!found || stmt->ColumnText(0) != "running") return std::optional<int64_t>();
  return std::optional<int64_t>(from + DelayMillis(stmt->ColumnDouble(1), day_millis));
}

namespace {

// SQLite: each row is an INSERT ... DO NOTHING, else an UPDATE, then its
// enrollment (statements are prepared once and cheap in-process).
Result<BulkEnrollCounts> UpsertRowsOneByOne(Connection& conn, const std::string& workspace_id,
                                            const std::string& campaign_id,
                                            const std::vector<LeadUpsert>& rows, int64_t now,
                                            std::optional<int64_t> first_send_at) {
  // New leads are inserted as given. For existing ones, given fields
  // overwrite and absent ones (NULL) keep the stored value; custom fields merge
  // as an RFC 7396 patch.
  LT_ASSIGN_OR_RETURN(
      auto insert,
      conn.Prepare("INSERT INTO leads(workspace_id, email_norm, id, email, first_name, last_name, "
                   "company, job_title, custom_fields, created_at, updated_at, timezone) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11) "
                   "ON CONFLICT (workspace_id, email_norm) DO NOTHING"));
  LT_ASSIGN_OR_RETURN(
      auto update,
      conn.Prepare("UPDATE leads SET email = ?4, "
                   "first_name = coalesce(?5, first_name), last_name = coalesce(?6, last_name), "
                   "company = coalesce(?7, company), job_title = coalesce(?8, job_title), "
                   "custom_fields = CASE WHEN ?9 = '{}' THEN custom_fields "
                   "ELSE json_patch(custom_fields, ?9) END, updated_at = ?10, "
                   "timezone = coalesce(?11, timezone), deleted_at = NULL "
                   "WHERE workspace_id = ?1 AND email_norm = ?2 RETURNING id"));
  LT_ASSIGN_OR_RETURN(
      auto enroll,
      conn.Prepare("INSERT INTO enrollments(workspace_id, campaign_id, lead_id, status, "
                   "enrolled_at, next_send_at) VALUES (?, ?, ?, 'queued', ?, ?) "
                   "ON CONFLICT DO NOTHING"));
  auto bind_row = [&](Statement& stmt, const LeadUpsert& row) {
    stmt.Bind(1, workspace_id).Bind(2, row.email_normalized).Bind(4, row.email);
    BindOptional(stmt, 5, row.first_name);
    BindOptional(stmt, 6, row.last_name);
    BindOptional(stmt, 7, row.company);
    BindOptional(stmt, 8, row.job_title);
    BindOptional(stmt, 11, row.timezone);
    stmt.Bind(9, row.custom_fields_patch).Bind(10, now);
  };
  BulkEnrollCounts counts;
  std::string existing_id;
  for (const LeadUpsert& row : rows) {
    bind_row(*insert, row);
    insert->Bind(3, row.new_id);
    LT_RETURN_IF_ERROR(insert->Run());
    const std::string* lead_id = &row.new_id;
    if (conn.Changes() > 0) {
      ++counts.created;
    } else {
      bind_row(*update, row);
      LT_ASSIGN_OR_RETURN(bool returned, update->Step());
      if (!returned) return Internal("lead upsert found no row");
      existing_id = update->ColumnText(0);
      LT_RETURN_IF_ERROR(update->Run());  // drains RETURNING and resets
      lead_id = &existing_id;
      ++counts.updated;
    }
    enroll->Bind(1, workspace_id)
        .Bind(2, campaign_id)
        .Bind(3, *lead_id)
        .Bind(4, now)
        .Bind(5, first_send_at);
    LT_RETURN_IF_ERROR(enroll->Run());
    ++(conn.Changes() > 0 ? counts.enrolled : counts.already_enrolled);
  }
  return counts;
}

// Appends `value` as one COPY text-format field (\N for NULL).
void AppendCopyField(std::string& out, const std::optional<std::string>& value) {
  if (!value) {
    out += "\\N";
    return;
  }
  for (char c : *value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out.push_back(c);
    }
  }
}

// PostgreSQL: the rows go to a temporary table by COPY, then one INSERT ...
// ON CONFLICT upserts them all and one INSERT ... SELECT enrolls them: a
// handful of round trips whatever the batch size. `rows` must not repeat an
// email (one statement cannot change a row twice).
Result<BulkEnrollCounts> UpsertRowsByCopy(Connection& conn, const std::string& workspace_id,
                                          const std::string& campaign_id,
                                          const std::vector<LeadUpsert>& rows, int64_t now,
                                          std::optional<int64_t> first_send_at) {
  LT_RETURN_IF_ERROR(conn.Exec(
      "CREATE TEMP TABLE IF NOT EXISTS lead_upload (email_norm TEXT COLLATE \"C\", new_id TEXT, "
      "email TEXT, first_name TEXT, last_name TEXT, company TEXT, job_title TEXT, timezone TEXT, "
      "custom_patch TEXT) ON COMMIT DELETE ROWS"));
  std::string data;
  data.reserve(rows.size() * 128);
  for (const LeadUpsert& row : rows) {
    for (const std::optional<std::string>& field :
         {std::optional<std::string>(row.email_normalized), std::optional<std::string>(row.new_id),
          std::optional<std::string>(row.email), row.first_name, row.last_name, row.company,
          row.job_title, row.timezone, std::optional<std::string>(row.custom_fields_patch)}) {
      AppendCopyField(data, field);
      data.push_back('\t');
    }
    data.back() = '\n';
  }
  LT_RETURN_IF_ERROR(conn.CopyIn("COPY lead_upload FROM STDIN", data));
  // One statement: the upsert hands the lead ids (new or existing) straight
  // to the enrollment insert, with no second look-up in `leads`.
  LT_ASSIGN_OR_RETURN(
      auto upsert,
      conn.Prepare(
          "WITH up AS (INSERT INTO leads AS l (workspace_id, email_norm, id, email, first_name, "
          "last_name, company, job_title, custom_fields, created_at, updated_at, timezone) "
          "SELECT ?1, u.email_norm, u.new_id, u.email, u.first_name, u.last_name, u.company, "
          "u.job_title, u.custom_patch, ?3, ?3, u.timezone FROM lead_upload u "
          "ON CONFLICT (workspace_id, email_norm) DO UPDATE SET email = excluded.email, "
          "first_name = coalesce(excluded.first_name, l.first_name), "
          "last_name = coalesce(excluded.last_name, l.last_name), "
          "company = coalesce(excluded.company, l.company), "
          "job_title = coalesce(excluded.job_title, l.job_title), "
          "custom_fields = CASE WHEN excluded.custom_fields = '{}' THEN l.custom_fields ELSE "
          "jsonb_strip_nulls(l.custom_fields::jsonb || excluded.custom_fields::jsonb)::text "
          "END, updated_at = excluded.updated_at, "
          "timezone = coalesce(excluded.timezone, l.timezone), deleted_at = NULL "
          "RETURNING l.id, (xmax = 0) AS created), "
          "enrolled AS (INSERT INTO enrollments(workspace_id, campaign_id, lead_id, status, "
          "enrolled_at, next_send_at) SELECT ?1, ?2, up.id, 'queued', ?3, ?4 FROM up "
          "ON CONFLICT DO NOTHING RETURNING 1) "
          "SELECT (SELECT count(*) FROM up WHERE created), (SELECT count(*) FROM up), "
          "(SELECT count(*) FROM enrolled)"));
  upsert->Bind(1, workspace_id).Bind(2, campaign_id).Bind(3, now).Bind(4, first_send_at);
  LT_ASSIGN_OR_RETURN(bool row, upsert->Step());
  if (!row) return Internal("lead upsert returned no counts");
  BulkEnrollCounts counts;
  counts.created = upsert->ColumnInt(0);
  counts.updated = upsert->ColumnInt(1) - counts.created;
  counts.enrolled = upsert->ColumnInt(2);
  counts.already_enrolled = static_cast<int64_t>(rows.size()) - counts.enrolled;
  upsert.reset();
  LT_RETURN_IF_ERROR(conn.Exec("TRUNCATE lead_upload"));  // for the next run of this batch
  return counts;
}

}  // namespace

Result<BulkEnrollCounts> UpsertAndEnroll(Connection& conn, const std::string& workspace_id,
                                         const std::string& campaign_id,
                                         const std::vector<LeadUpsert>& rows,
                                         const std::vector<std::string>& custom_keys, int64_t now,
                                         int64_t day_millis) {
  LT_RETURN_IF_ERROR(CheckCampaignExists(conn, workspace_id, campaign_id));
  // In a running campaign a new lead's first step is due after step 1's delay.
  LT_ASSIGN_OR_RETURN(std::optional<int64_t> first_send_at,
                      FirstSendAtIfRunning(conn, workspace_id, campaign_id, now, day_millis));
  BulkEnrollCounts counts;
  if (conn.dialect() == Dialect::kPostgres) {
    // Runs of rows without a repeated email, each upserted in one go.
    std::unordered_set<std::string> seen;
    std::vector<LeadUpsert> run;
    auto flush = [&]() -> Status {
      if (run.empty()) return Status::Ok();
      LT_ASSIGN_OR_RETURN(BulkEnrollCounts part, UpsertRowsByCopy(conn, workspace_id, campaign_id,
                                                                  run, now, first_send_at));
      counts.created += part.created;
      counts.updated += part.updated;
      counts.enrolled += part.enrolled;
      counts.already_enrolled += part.already_enrolled;
      run.clear();
      seen.clear();
      return Status::Ok();
    };
    for (const LeadUpsert& row : rows) {
      if (seen.count(row.email_normalized)) LT_RETURN_IF_ERROR(flush());
      seen.insert(row.email_normalized);
      run.push_back(row);
    }
    LT_RETURN_IF_ERROR(flush());
  } else {
    LT_ASSIGN_OR_RETURN(
        counts, UpsertRowsOneByOne(conn, workspace_id, campaign_id, rows, now, first_send_at));
  }
  if (!custom_keys.empty()) {
    LT_ASSIGN_OR_RETURN(auto key_stmt, conn.Prepare("INSERT INTO custom_field_keys(workspace_id, "
                                                    "field_key) VALUES (?, ?) "
                                                    "ON CONFLICT DO NOTHING"));
    for (const std::string& key : custom_keys) {
      key_stmt->Bind(1, workspace_id).Bind(2, key);
      LT_RETURN_IF_ERROR(key_stmt->Run());
    }
  }
  LT_RETURN_IF_ERROR(
      AddToCounters(conn, workspace_id, campaign_id, counts.enrolled, counts.enrolled, now));
  return counts;
}

Status RefreshStatisticsAfterUpload(Connection& conn, const BulkEnrollCounts& counts) {
  // Without statistics (a new table: reltuples -1) or with ones that predate
  // most of its rows, the planner takes a campaign for a handful of rows and
  // picks a nested loop that rereads the workspace's leads for every
  // enrollment: lint took 2 s at 1,000 leads, 37 s at 10,000.
  return RefreshStatistics(
      conn, {{"leads", counts.created + counts.updated}, {"enrollments", counts.enrolled}});
}

namespace {

// The tables of `changed` whose statistics `stale` (rows the statistics
// know of, rows changed since they were taken, live rows now -- the last two
// as the server counted them, up to a second ago) calls stale, analyzed in
// one statement.
template <typename Stale>
Status AnalyzeStale(Connection& conn, const std::vector<std::pair<const char*, int64_t>>& changed,
                    Stale stale) {
  if (conn.dialect() != Dialect::kPostgres) return Status::Ok();
  std::string analyze;
  for (const auto& [table, rows_changed] : changed) {
    if (rows_changed == 0) continue;
    LT_ASSIGN_OR_RETURN(auto stats,
                        conn.Prepare("SELECT c.reltuples, "
                                     "coalesce(pg_stat_get_mod_since_analyze(c.oid), 0), "
                                     "coalesce(pg_stat_get_live_tuples(c.oid), 0) "
                                     "FROM pg_class c WHERE c.oid = ?::regclass"));
    stats->Bind(1, table);
    LT_ASSIGN_OR_RETURN(bool found, stats->Step());
    if (!found) continue;
    // The counters may not include this write yet; counting it twice only
    // analyzes a little early.
    if (stale(std::max(0.0, stats->ColumnDouble(0)),
              static_cast<double>(stats->ColumnInt(1) + rows_changed),
              static_cast<double>(stats->ColumnInt(2) + rows_changed))) {
      analyze += analyze.empty() ? table : std::string(", ") + table;
    }
  }
  if (analyze.empty()) return Status::Ok();
  return conn.Exec("ANALYZE " + analyze);
}

}  // namespace

Status RefreshStatistics(Connection& conn,
                         const std::vector<std::pair<const char*, int64_t>>& changed) {
  return AnalyzeStale(conn, changed, [](double known, double modified, double) {
    return modified > 50 + 0.1 * known;
  });
}

Status RefreshStatisticsAfterGrowth(Connection& conn, const char* table, int64_t rows_added) {
  return AnalyzeStale(conn, {{table, rows_added}},
                      [](double known, double, double live) { return live > 50 + 2 * known; });
}

Result<domain::Lead> GetLead(Connection& conn, const std::string& workspace_id,
                             const std::string& lead_id) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare(std::string("SELECT ") + kLeadColumns +
                                              " FROM leads l WHERE l.workspace_id = ? AND "
                                              "l.id = ? AND l.deleted_at IS NULL"));
  stmt->Bind(1, workspace_id).Bind(2, lead_id);
  LT_ASSIGN_OR_RETURN(bool found, stmt->Step());
  if (!found) return NotFound("lead not found");
  return ReadLead(*stmt);
}

Result<Page<domain::Enrollment>> ListEnrollments(Connection& conn, const std::string& workspace_id,
                                                 const std::string& campaign_id,
                                                 std::optional<EnrollmentStatus> status,
                                                 const PageRequest& page) {
  LT_RETURN_IF_ERROR(CheckCampaignExists(conn, workspace_id, campaign_id));
  // A later state (a few percent of a campaign's leads) is read from the
  // partial status index in lead order; SQLite, which keeps no statistics,
  // would rather walk the primary key in that order and skip the others.
  const bool by_status_index = status && *status != EnrollmentStatus::kQueued;
  std::string sql =
      std::string("SELECT ") + kLeadColumns +
      ", e.status, e.current_step, e.next_send_at, e.last_sent_at, e.enrolled_at "
      "FROM enrollments e " +
      (by_status_index && conn.dialect() == Dialect::kSqlite ? "INDEXED BY enrollments_by_status "
                                                             : "") +
      "JOIN leads l ON l.workspace_id = e.workspace_id AND "
      "l.id = e.lead_id WHERE e.workspace_id = ?1 AND e.campaign_id = ?2 AND "
      // The cursor bounds both sides: a merge join then starts its walk of
      // the workspace's leads at the cursor too, not at the first lead.
      "e.lead_id > ?3 AND l.id > ?3 " +
      // The literal lets the planner use the partial status index.
      std::string(!status ? ""
                  : *status == EnrollmentStatus::kQueued
                      ? "AND e.status = ?5 "
                      : "AND e.status = ?5 AND e.status != 'queued' ") +
      "ORDER BY e.lead_id LIMIT ?4";
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare(sql));
  stmt->Bind(1, workspace_id).Bind(2, campaign_id).Bind(3, page.after_id).Bind(4, page.limit + 1);
  if (status) stmt->Bind(5, domain::ToString(*status));
  Page<domain::Enrollment> out;
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    domain::Enrollment e;
    e.lead = ReadLead(*stmt);
    e.campaign_id = campaign_id;
    e.status = domain::ParseEnrollmentStatus(stmt->ColumnText(kLeadColumnCount))
                   .value_or(EnrollmentStatus::kQueued);
    e.current_step = static_cast<int>(stmt->ColumnInt(kLeadColumnCount + 1));
    e.next_send_at = stmt->ColumnOptionalInt(kLeadColumnCount + 2);
    e.last_sent_at = stmt->ColumnOptionalInt(kLeadColumnCount + 3);
    e.enrolled_at = stmt->ColumnInt(kLeadColumnCount + 4);
    out.items.push_back(std::move(e));
  }
  out.TrimTo(page.limit);
  return out;
}

Result<std::vector<std::string>> CampaignIds(Connection& conn, const std::string& workspace_id,
                                             bool with_deleted) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare(with_deleted ? "SELECT id FROM campaigns WHERE "
                                                             "workspace_id = ?"
                                                           : "SELECT id FROM campaigns WHERE "
                                                             "workspace_id = ? AND deleted_at IS "
                                                             "NULL"));
  stmt->Bind(1, workspace_id);
  std::vector<std::string> ids;
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    ids.push_back(stmt->ColumnText(0));
  }
  return ids;
}

Status RemoveEnrollment(Connection& conn, const std::string& workspace_id,
                        const std::string& campaign_id, const std::string& lead_id, int64_t now) {
  LT_RETURN_IF_ERROR(CheckCampaignExists(conn, workspace_id, campaign_id));
  LT_ASSIGN_OR_RETURN(auto select, conn.Prepare("SELECT status FROM enrollments WHERE "
                                                "workspace_id = ? AND campaign_id = ? AND "
                                                "lead_id = ?"));
  select->Bind(1, workspace_id).Bind(2, campaign_id).Bind(3, lead_id);
  LT_ASSIGN_OR_RETURN(bool found, select->Step());
  if (!found) return NotFound("lead is not enrolled in this campaign");
  auto status = domain::ParseEnrollmentStatus(select->ColumnText(0));
  select.reset();
  if (status == EnrollmentStatus::kRemoved) return Status::Ok();
  LT_ASSIGN_OR_RETURN(auto update, conn.Prepare("UPDATE enrollments SET status = 'removed', "
                                                "next_send_at = NULL WHERE workspace_id = ? AND "
                                                "campaign_id = ? AND lead_id = ?"));
  update->Bind(1, workspace_id).Bind(2, campaign_id).Bind(3, lead_id);
  LT_RETURN_IF_ERROR(update->Run());
  const bool was_queued = status == EnrollmentStatus::kQueued;
  return AddToCounters(conn, workspace_id, campaign_id, -1, was_queued ? -1 : 0, now);
}

Result<CampaignCounters> GetCampaignCounters(Connection& conn, const std::string& workspace_id,
                                             const std::string& campaign_id) {
  // The sum of the campaign's shards (counters.h).
  LT_ASSIGN_OR_RETURN(auto stmt,
                      conn.Prepare("SELECT sum(enrolled), sum(queued), sum(delivered), "
                                   "sum(bounced), sum(replied), sum(unsubscribed), "
                                   "max(updated_at), sum(unknown), sum(completed), "
                                   "sum(opened), sum(clicked), sum(machine_opened), "
                                   "sum(machine_clicked) FROM campaign_stats WHERE "
                                   "workspace_id = ? AND campaign_id = ? HAVING count(*) > 0"));
  stmt->Bind(1, workspace_id).Bind(2, campaign_id);
  LT_ASSIGN_OR_RETURN(bool found, stmt->Step());
  if (!found) return NotFound("campaign not found");
  return CampaignCounters{stmt->ColumnInt(0), stmt->ColumnInt(1),  stmt->ColumnInt(2),
                          stmt->ColumnInt(3), stmt->ColumnInt(4),  stmt->ColumnInt(5),
                          stmt->ColumnInt(6), stmt->ColumnInt(7),  stmt->ColumnInt(8),
                          stmt->ColumnInt(9), stmt->ColumnInt(10), stmt->ColumnInt(11),
                          stmt->ColumnInt(12)};
}

Result<std::vector<std::string>> ListCustomFieldKeys(Connection& conn,
                                                     const std::string& workspace_id) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("SELECT field_key FROM custom_field_keys WHERE "
                                              "workspace_id = ? ORDER BY field_key"));
  stmt->Bind(1, workspace_id);
  std::vector<std::string> keys;
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    keys.push_back(stmt->ColumnText(0));
  }
  return keys;
}

Result<std::vector<FieldGap>> CountMissingFields(Connection& conn, const std::string& workspace_id,
                                                 const std::string& campaign_id,
                                                 const std::vector<std::string>& fields,
                                                 int samples) {
  LT_RETURN_IF_ERROR(CheckCampaignExists(conn, workspace_id, campaign_id));
  std::vector<FieldGap> gaps;
  for (const std::string& field : fields) gaps.push_back({field, 0, {}});
  if (fields.empty()) return gaps;
  const Dialect dialect = conn.dialect();
  // The campaign's live enrollments.
  const std::string enrolled =
      "SELECT lead_id FROM enrollments WHERE workspace_id = ?1 AND campaign_id = ?2 AND "
      "status != 'removed'";
  // Probing: the campaign's leads, each looked up by (workspace_id, id) in
  // lead-id order. PostgreSQL plans this as a hash or merge join. SQLite can
  // only run it as a nested loop, and its leads are stored in email order, so
  // every enrollment costs a leads_by_id seek plus a seek at a random place
  // in the table: at a million leads these no longer stay in cache and the
  // time grows faster than the leads.
  const std::string probe =
      " FROM enrollments e JOIN leads l ON l.workspace_id = e.workspace_id AND l.id = e.lead_id "
      "WHERE e.workspace_id = ?1 AND e.campaign_id = ?2 AND e.status != 'removed'";
  // Scanning: the workspace's leads read once in table order, each checked
  // against the campaign's lead ids, which SQLite gathers in one range read
  // of enrollments into an in-memory index (the unary + keeps it from
  // probing leads_by_id with them instead). Linear in the workspace's leads,
  // so SQLite takes it only when they are not many more than the campaign's.
  const std::string scan =
      " FROM leads l WHERE l.workspace_id = ?1 AND +l.id IN (" + enrolled + ")";
  bool scanning = false;
  if (dialect == Dialect::kSqlite) {
    // The campaign's counter of live enrollments (exact; a plan choice only).
    LT_ASSIGN_OR_RETURN(auto size, conn.Prepare("SELECT enrolled FROM campaign_stats WHERE "
                                                "workspace_id = ?1 AND campaign_id = ?2 AND "
                                                "shard = 0"));
    size->Bind(1, workspace_id).Bind(2, campaign_id);
    LT_ASSIGN_OR_RETURN(bool row, size->Step());
    const int64_t campaign_leads = row ? size->ColumnInt(0) : 0;
    // Counts at most 5/4 of the campaign's leads (an index-only read).
    const int64_t bound = campaign_leads + campaign_leads / 4;
    LT_ASSIGN_OR_RETURN(auto workspace,
                        conn.Prepare("SELECT count(*) FROM (SELECT 1 FROM leads INDEXED BY "
                                     "leads_by_id WHERE workspace_id = ?1 LIMIT ?2)"));
    workspace->Bind(1, workspace_id).Bind(2, bound + 1);
    LT_ASSIGN_OR_RETURN(row, workspace->Step());
    scanning = campaign_leads > 0 && row && workspace->ColumnInt(0) <= bound;
  }
  // One pass counts every field: custom keys are parameters ?3, ?4, ...
  std::string sql = "SELECT ";
  std::vector<std::pair<int, std::string>> keys;  // parameter, json key or path
  for (size_t i = 0; i < fields.size(); ++i) {
    const int param = 3 + static_cast<int>(keys.size());
    if (!IsLeadColumn(fields[i])) keys.emplace_back(param, JsonPath(dialect, fields[i]));
    if (i > 0) sql += ", ";
    sql += "coalesce(sum(CASE WHEN " + MissingCondition(dialect, fields[i], param) +
           " THEN 1 ELSE 0 END), 0)";
  }
  {
    LT_ASSIGN_OR_RETURN(auto count, conn.Prepare(sql + (scanning ? scan : probe)));
    count->Bind(1, workspace_id).Bind(2, campaign_id);
    for (const auto& [param, key] : keys) count->Bind(param, key);
    LT_ASSIGN_OR_RETURN(bool row, count->Step());
    for (size_t i = 0; row && i < fields.size(); ++i) {
      gaps[i].missing = count->ColumnInt(static_cast<int>(i));
    }
  }
  // The first few leads (by id) missing each field that some lead misses.
  // Walking the campaign in lead-id order stops once it has them: after
  // about samples * leads / missing enrollments. A field few leads miss
  // would walk (nearly) all of them, so when scanning, such a field's
  // samples come from a scan that keeps the smallest ids instead (the + on
  // l.id keeps SQLite from ordering by walking leads_by_id).
  for (FieldGap& gap : gaps) {
    if (gap.missing == 0 || samples <= 0) continue;
    const bool rare = gap.missing < 8 * static_cast<int64_t>(samples);
    const std::string missing = " AND " + MissingCondition(dialect, gap.field, 3);
    LT_ASSIGN_OR_RETURN(
        auto sample,
        conn.Prepare(scanning && rare
                         ? "SELECT l.id" + scan + missing + " ORDER BY +l.id LIMIT ?4"
                         : "SELECT l.id" + probe + missing + " ORDER BY e.lead_id LIMIT ?4"));
    sample->Bind(1, workspace_id)
        .Bind(2, campaign_id)
        .Bind(3, IsLeadColumn(gap.field) ? std::string() : JsonPath(dialect, gap.field))
        .Bind(4, samples);
    while (true) {
      LT_ASSIGN_OR_RETURN(bool more, sample->Step());
      if (!more) break;
      gap.sample_lead_ids.push_back(sample->ColumnText(0));
    }
  }
  return gaps;
}

}  // namespace leadterra::store::sql
