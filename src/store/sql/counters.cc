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
  LT_ASSIGN_OR_RETURN(
      auto stmt,
      conn.Prepare("INSERT INTO campaign_stats(workspace_id, campaign_id, shard, queued, "
                   "delivered, bounced, unknown, completed, replied, unsubscribed, updated_at, "
                   "opened, clicked, machine_opened, machine_clicked) SELECT v.c1, v.c2, " +
                   JsonRowsInts("v", 3, 8) + ", ?2, " + JsonRowsInts("v", 11, 4) + " FROM " +
                   JsonRowsSource(conn.dialect(), 1, 14, "v") +
                   " WHERE true "
                   "ON CONFLICT (workspace_id, campaign_id, shard) DO UPDATE SET " +
                   AddToExisting(
                       "campaign_stats",
                       {"queued", "delivered", "bounced", "unknown", "completed", "replied",
                        "unsubscribed", "opened", "clicked", "machine_opened", "machine_clicked"}) +
                   ", updated_at = excluded.updated_at"));
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
  stmt->Bind(1, rows.Json()).Bind(2, now);
  out.push_back(std::move(stmt));
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
    LT_ASSIGN_OR_RETURN(
        auto stmt,
        conn.Prepare("INSERT INTO campaign_activity(workspace_id, campaign_id, slot_start, "
                     "step_number, variant_id, shard, sent, delivered, bounced, replied, "
                     "unsubscribed, opened, clicked) SELECT v.c1, v.c2, " +
                     JsonRowsInts("v", 3, 2) + ", v.c5, " + JsonRowsInts("v", 6, 8) + " FROM " +
                     JsonRowsSource(conn.dialect(), 1, 13, "v") +
                     " WHERE true "
                     "ON CONFLICT (workspace_id, campaign_id, slot_start, step_number, variant_id, "
                     "shard) "
                     "DO UPDATE SET " +
                     AddToExisting("campaign_activity", kActivityCounts)));
    stmt->Bind(1, campaign_rows.Json());
    out.push_back(std::move(stmt));
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
    LT_ASSIGN_OR_RETURN(
        auto stmt,
        conn.Prepare(
            "INSERT INTO mailbox_activity(workspace_id, hour_start, mailbox_id, sent, "
            "delivered, bounced, replied) SELECT v.c1, " +
            JsonRowsInts("v", 2, 1) + ", v.c3, " + JsonRowsInts("v", 4, 4) + " FROM " +
            JsonRowsSource(conn.dialect(), 1, 7, "v") +
            " WHERE true "
            "ON CONFLICT (workspace_id, hour_start, mailbox_id) "
            "DO UPDATE SET " +
            AddToExisting("mailbox_activity", {"sent", "delivered", "bounced", "replied"})));
    stmt->Bind(1, mailbox_rows.Json());
    out.push_back(std::move(stmt));
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
  LT_ASSIGN_OR_RETURN(
      auto stmt,
      conn.Prepare("INSERT INTO variant_stats(workspace_id, campaign_id, step_number, "
                   "variant_id, shard, sent, delivered, bounced, replied, unsubscribed, "
                   "opened, clicked) SELECT v.c1, v.c2, " +
                   JsonRowsInts("v", 3, 1) + ", v.c4, " + JsonRowsInts("v", 5, 8) + " FROM " +
                   JsonRowsSource(conn.dialect(), 1, 12, "v") +
                   " WHERE true "
                   "ON CONFLICT (workspace_id, campaign_id, step_number, variant_id, shard) "
                   "DO UPDATE SET " +
                   AddToExisting("variant_stats", kActivityCounts)));
  stmt->Bind(1, variant_rows.Json());
  out.push_back(std::move(stmt));
  return Status::Ok();
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
