#include "store/sql/counters.h"

#include <string_view>
#include <vector>

#include "store/sql/json_rows.h"

namespace leadterra::store::sql {
namespace {

// `c = table.c + excluded.c, ...`: an upsert that adds to `columns`.
std::string AddToExisting(std::string_view table, const std::vector<std::string_view>& columns) {
  std::string out;
  for (std::string_view column : columns) {
    if (!out.empty()) out += ", ";
    const std::string name(column);
    out += name + " = " + std::string(table) + "." + name + " + excluded." + name;
  }
  return out;
}

// domain::ActivityCounts' columns, in the order AddCounts writes them.
const std::vector<std::string_view> kActivityCounts = {
    "sent", "delivered", "bounced", "replied", "unsubscribed", "opened", "clicked"};

void AddCounts(JsonRows& rows, const domain::ActivityCounts& c) {
  rows.Add(c.sent)
      .Add(c.delivered)
      .Add(c.bounced)
      .Add(c.replied)
      .Add(c.unsubscribed)
      .Add(c.opened)
      .Add(c.clicked);
}

// Adds to `out` one statement that upserts `rows` into `table`: `columns`
// take the values `select` reads from the rows (`v`, `width` columns), and on
// a `key` conflict the existing row's `added` columns grow by the new ones
// (then `also`, e.g. another SET). `?1` is the rows; the caller may bind more.
Result<Statement*> AddUpsert(Connection& conn, std::string_view table, std::string_view columns,
                             const std::string& select, int width, std::string_view key,
                             const std::vector<std::string_view>& added, const JsonRows& rows,
                             Statements& out, std::string_view also = {}) {
  LT_ASSIGN_OR_RETURN(
      auto stmt,
      conn.Prepare("INSERT INTO " + std::string(table) + "(" + std::string(columns) + ") SELECT " +
                   select + " FROM " + JsonRowsSource(conn.dialect(), 1, width, "v") +
                   " WHERE true ON CONFLICT (" + std::string(key) + ") DO UPDATE SET " +
                   AddToExisting(table, added) + std::string(also)));
  stmt->Bind(1, rows.Json());
  out.push_back(std::move(stmt));
  return out.back().get();
}

}  // namespace

int CounterShardOf(const std::string& mailbox_id) {
  uint32_t hash = 2166136261u;  // FNV-1a
  for (unsigned char c : mailbox_id) hash = (hash ^ c) * 16777619u;
  return 1 + static_cast<int>(hash % (kCounterShards - 1));
}

Status AddCounterStatements(Connection& conn, const std::map<CounterKey, CounterDelta>& deltas,
                            int64_t now, Statements& out) {
  if (deltas.empty()) return Status::Ok();
  // One statement for every row (json_rows.h), in key order: transactions
  // that share rows lock them in the same order.
  JsonRows rows;
  for (const auto& [key, d] : deltas) {
    rows.Row()
        .Add(key.workspace_id)
        .Add(key.campaign_id)
        .Add(int64_t{key.shard})
        .Add(d.queued)
        .Add(d.delivered)
        .Add(d.bounced)
        .Add(d.unknown)
        .Add(d.completed)
        .Add(d.replied)
        .Add(d.unsubscribed)
        .Add(d.opened)
        .Add(d.clicked)
        .Add(d.machine_opened)
        .Add(d.machine_clicked);
  }
  LT_ASSIGN_OR_RETURN(
      Statement * stmt,
      AddUpsert(conn, "campaign_stats",
                "workspace_id, campaign_id, shard, queued, delivered, bounced, unknown, "
                "completed, replied, unsubscribed, updated_at, opened, clicked, machine_opened, "
                "machine_clicked",
                "v.c1, v.c2, " + JsonRowsInts("v", 3, 8) + ", ?2, " + JsonRowsInts("v", 11, 4), 14,
                "workspace_id, campaign_id, shard",
                {"queued", "delivered", "bounced", "unknown", "completed", "replied",
                 "unsubscribed", "opened", "clicked", "machine_opened", "machine_clicked"},
                rows, out, ", updated_at = excluded.updated_at"));
  stmt->Bind(2, now);
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

Status AddActivityStatements(Connection& conn, const ActivityDeltas& deltas, Statements& out) {
  // One statement per table for every row (json_rows.h), in key order.
  JsonRows campaign_rows;
  for (const auto& [key, c] : deltas.campaigns) {
    if (c.empty()) continue;
    campaign_rows.Row()
        .Add(key.workspace_id)
        .Add(key.campaign_id)
        .Add(key.slot_start)
        .Add(int64_t{key.step_number})
        .Add(key.variant_id)
        .Add(int64_t{key.shard});
    AddCounts(campaign_rows, c);
  }
  if (!campaign_rows.empty()) {
    LT_RETURN_IF_ERROR(
        AddUpsert(conn, "campaign_activity",
                  "workspace_id, campaign_id, slot_start, step_number, variant_id, shard, sent, "
                  "delivered, bounced, replied, unsubscribed, opened, clicked",
                  "v.c1, v.c2, " + JsonRowsInts("v", 3, 2) + ", v.c5, " + JsonRowsInts("v", 6, 8),
                  13, "workspace_id, campaign_id, slot_start, step_number, variant_id, shard",
                  kActivityCounts, campaign_rows, out)
            .status());
  }
  JsonRows mailbox_rows;
  for (const auto& [key, c] : deltas.mailboxes) {
    if (c.empty()) continue;
    mailbox_rows.Row()
        .Add(key.workspace_id)
        .Add(key.hour_start)
        .Add(key.mailbox_id)
        .Add(c.sent)
        .Add(c.delivered)
        .Add(c.bounced)
        .Add(c.replied);
  }
  if (!mailbox_rows.empty()) {
    LT_RETURN_IF_ERROR(
        AddUpsert(conn, "mailbox_activity",
                  "workspace_id, hour_start, mailbox_id, sent, delivered, bounced, "
                  "replied",
                  "v.c1, " + JsonRowsInts("v", 2, 1) + ", v.c3, " + JsonRowsInts("v", 4, 4), 7,
                  "workspace_id, hour_start, mailbox_id",
                  {"sent", "delivered", "bounced", "replied"}, mailbox_rows, out)
            .status());
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
  if (variants.empty()) return Status::Ok();
  JsonRows variant_rows;
  for (const auto& [key, c] : variants) {
    const auto& [workspace_id, campaign_id, step_number, variant_id, shard] = key;
    variant_rows.Row()
        .Add(workspace_id)
        .Add(campaign_id)
        .Add(int64_t{step_number})
        .Add(variant_id)
        .Add(int64_t{shard});
    AddCounts(variant_rows, c);
  }
  return AddUpsert(conn, "variant_stats",
                   "workspace_id, campaign_id, step_number, variant_id, shard, sent, delivered, "
                   "bounced, replied, unsubscribed, opened, clicked",
                   "v.c1, v.c2, " + JsonRowsInts("v", 3, 1) + ", v.c4, " + JsonRowsInts("v", 5, 8),
                   12, "workspace_id, campaign_id, step_number, variant_id, shard", kActivityCounts,
                   variant_rows, out)
      .status();
}

Status RunAll(Connection& conn, const Statements& statements) {
  std::vector<Statement*> raw;
  for (const auto& statement : statements) raw.push_back(statement.get());
  return conn.RunAll(raw);
}

Status ApplyCounterDeltas(Connection& conn, const std::map<CounterKey, CounterDelta>& deltas,
                          int64_t now) {
  Statements statements;
  LT_RETURN_IF_ERROR(AddCounterStatements(conn, deltas, now, statements));
  return RunAll(conn, statements);
}

Status ApplyActivityDeltas(Connection& conn, const ActivityDeltas& deltas) {
  Statements statements;
  LT_RETURN_IF_ERROR(AddActivityStatements(conn, deltas, statements));
  return RunAll(conn, statements);
}

}  // namespace leadterra::store::sql
