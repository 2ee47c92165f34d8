// Counters are changed only through deltas applied inside the transaction
// that changes the rows they count: per campaign (campaign_stats, what
// stats read) and per campaign, step, variant and 15-minute slot
// (campaign_activity, what analytics read; SPEC §10).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>

#include "domain/analytics.h"
#include "store/sql/sql_connection.h"

namespace leadterra::store::sql {

struct CounterDelta {
  int64_t queued = 0, delivered = 0, bounced = 0, unknown = 0, completed = 0, replied = 0,
          unsubscribed = 0, opened = 0, clicked = 0, machine_opened = 0, machine_clicked = 0;
};
// A campaign's counters are the sum of its rows: shard 0 is created with the
// campaign and takes every change but the sending engine's outcomes, which go
// to the sending mailbox's shard (CounterShardOf), so the transactions of
// mailboxes sending side by side do not queue for one row lock (on
// PostgreSQL; measured as the bottleneck of one node's send rate).
struct CounterKey {
  std::string workspace_id, campaign_id;
  int shard = 0;
  bool operator<(const CounterKey& o) const {
    return std::tie(workspace_id, campaign_id, shard) <
           std::tie(o.workspace_id, o.campaign_id, o.shard);
  }
};
inline constexpr int kCounterShards = 16;
// 1..kCounterShards-1 from the mailbox id, never 0 (the busiest row).
int CounterShardOf(const std::string& mailbox_id);

// Statements prepared and bound, to run together (RunAll, or
// Connection::RunLater).
using Statements = std::vector<std::unique_ptr<Statement>>;
Status RunAll(Connection& conn, const Statements& statements);

// Adds the deltas, creating a shard's row on its first use.
Status ApplyCounterDeltas(Connection& conn, const std::map<CounterKey, CounterDelta>& deltas,
                          int64_t now);

// One campaign_activity row. `step_number` is 1-based, 0 for what belongs to
// no step; `variant_id` is "" for a step without variants; `shard` as for
// CounterKey (readers add the shards up).
struct ActivityKey {
  std::string workspace_id, campaign_id;
  int64_t slot_start = 0;  // domain::ActivitySlotOf(instant)
  int step_number = 0;
  std::string variant_id;
  int shard = 0;
  bool operator<(const ActivityKey& o) const {
    return std::tie(workspace_id, campaign_id, slot_start, step_number, variant_id, shard) <
           std::tie(o.workspace_id, o.campaign_id, o.slot_start, o.step_number, o.variant_id,
                    o.shard);
  }
};

// One mailbox_activity row: a sending mailbox's hour (UTC).
struct MailboxActivityKey {
  std::string workspace_id;
  int64_t hour_start = 0;
  std::string mailbox_id;
  bool operator<(const MailboxActivityKey& o) const {
    return std::tie(workspace_id, hour_start, mailbox_id) <
           std::tie(o.workspace_id, o.hour_start, o.mailbox_id);
  }
};

// What one transaction adds to the analytics counters.
struct ActivityDeltas {
  using Field = int64_t domain::ActivityCounts::*;
  // What happened at `at` (unix millis) to a message of `campaign_id`'s
  // step `step_number` (0: no step) sent from `mailbox_id` ("" for none):
  // adds `n` to `field` of the campaign's slot row (in `shard`) and of the
  // mailbox's hour row.
  void Add(Field field, const std::string& workspace_id, const std::string& campaign_id,
           int step_number, const std::string& mailbox_id, int64_t at, int64_t n = 1, int shard = 0,
           const std::string& variant_id = std::string());

  std::map<ActivityKey, domain::ActivityCounts> campaigns;
  std::map<MailboxActivityKey, domain::ActivityCounts> mailboxes;
};

// Adds the deltas (rows are created on first use), in key order so that
// concurrent transactions lock rows in the same order.
Status ApplyActivityDeltas(Connection& conn, const ActivityDeltas& deltas);

// The statements of ApplyCounterDeltas and ApplyActivityDeltas, appended to
// `out` (none for empty deltas), for a caller that runs more with them.
Status AddCounterStatements(Connection& conn, const std::map<CounterKey, CounterDelta>& deltas,
                            int64_t now, Statements& out);
Status AddActivityStatements(Connection& conn, const ActivityDeltas& deltas, Statements& out);

}  // namespace leadterra::store::sql
