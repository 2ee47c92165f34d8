#include "store/sql/delivery_queries.h"

#include <algorithm>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "domain/ab_test.h"
#include "store/sql/bounce_protection.h"
#include "store/sql/counters.h"
#include "store/sql/json_rows.h"
#include "store/sql/lead_queries.h"
#include "store/sql/settings_queries.h"
#include "store/sql/suppression_queries.h"
#include "store/sql/webhook_queries.h"

namespace leadterra::store::sql {
namespace {

// A workspace mailbox as the claim sees it.
struct MailboxSlot {
  std::string email;
  bool active = false;
  int64_t remaining = 0;
  int64_t next_send_after = 0;  // pacing (minGapSeconds)
};

// For an UPDATE of enrollments joined to JsonRowsSource rows by key, with
// the workspace bound at ?2, the campaign at ?3 and the leads' ids at ?4
// (json_rows.h).
std::string EnrollmentKeys(Dialect dialect) {
  return PostgresOnly(dialect,
                      "enrollments.workspace_id = ?2 AND enrollments.campaign_id = ?3 AND "
                      "enrollments.lead_id" +
                          InJsonList(dialect, 4),
                      {2, 3, 4});
}

// How long a lead waits when no mailbox can take it (all paused).
constexpr int64_t kNoMailboxRetryMillis = 5 * 60 * 1000;

// Moves an active enrollment to `status` (queued with its next due time,
// completed, bounced) and counts it; leaves enrollments that stopped meanwhile
// (removed, replied) alone.
Status MoveActiveEnrollment(Connection& conn, const std::string& workspace_id,
                            const std::string& campaign_id, const std::string& lead_id,
                            std::string_view status, int step, std::optional<int64_t> next_send_at,
                            std::optional<int64_t> sent_at, CounterDelta& delta) {
  LT_ASSIGN_OR_RETURN(auto stmt,
                      conn.Prepare("UPDATE enrollments SET status = ?, current_step = ?, "
                                   "next_send_at = ?, last_sent_at = coalesce(?, last_sent_at) "
                                   "WHERE workspace_id = ? AND campaign_id = ? AND lead_id = ? AND "
                                   "status = 'active'"));
  stmt->Bind(1, status)
      .Bind(2, step)
      .Bind(3, next_send_at)
      .Bind(4, sent_at)
      .Bind(5, workspace_id)
      .Bind(6, campaign_id)
      .Bind(7, lead_id);
  LT_RETURN_IF_ERROR(stmt->Run());
  if (conn.Changes() == 0) return Status::Ok();
  if (status == "queued") ++delta.queued;
  if (status == "completed") ++delta.completed;
  return Status::Ok();
}

Result<std::map<std::string, MailboxSlot>> LoadMailboxSlots(Connection& conn,
                                                            const std::string& workspace_id,
                                                            const std::string& day_key) {
  LT_ASSIGN_OR_RETURN(
      auto stmt,
      conn.Prepare(
          "SELECT m.id, m.email, m.status, m.daily_limit, "
          "coalesce(u.sent, 0), m.next_send_after FROM mailboxes m LEFT JOIN mailbox_usage u "
          "ON u.workspace_id = m.workspace_id AND u.mailbox_id = m.id AND "
          "u.day = ? WHERE m.workspace_id = ? AND m.deleted_at IS NULL"));
  stmt->Bind(1, day_key).Bind(2, workspace_id);
  std::map<std::string, MailboxSlot> slots;
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    MailboxSlot slot;
    slot.email = stmt->ColumnText(1);
    slot.active = stmt->ColumnText(2) == "active";
    slot.remaining = std::max<int64_t>(0, stmt->ColumnInt(3) - stmt->ColumnInt(4));
    slot.next_send_after = stmt->ColumnInt(5);
    slots.emplace(stmt->ColumnText(0), std::move(slot));
  }
  return slots;
}

// The active mailbox with the most capacity left today (ties: lowest id),
// preferring one whose pacing gap has passed by `now`, so paced mailboxes
// take turns instead of one queueing every new lead.
std::map<std::string, MailboxSlot>::iterator PickMailbox(std::map<std::string, MailboxSlot>& slots,
                                                         int64_t now) {
  auto best = slots.end();
  auto better = [now](const MailboxSlot& a, const MailboxSlot& b) {
    const bool a_ready = a.next_send_after <= now, b_ready = b.next_send_after <= now;
    if (a_ready != b_ready) return a_ready;
    return a.remaining > b.remaining;
  };
  for (auto it = slots.begin(); it != slots.end(); ++it) {
    if (!it->second.active || it->second.remaining <= 0) continue;
    if (best == slots.end() || better(it->second, best->second)) best = it;
  }
  return best;
}

// Sends the workspace has made on local day `day_key`, over all mailboxes.
Result<int64_t> WorkspaceSendsOn(Connection& conn, const std::string& workspace_id,
                                 const std::string& day_key) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("SELECT coalesce(sum(sent), 0) FROM mailbox_usage "
                                              "WHERE workspace_id = ? AND day = ?"));
  stmt->Bind(1, workspace_id).Bind(2, day_key);
  LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
  return row ? stmt->ColumnInt(0) : 0;
}

// Uniform in [0, 1): the jitter added to a mailbox's pacing gap.
double RandomUnit() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

std::string DomainOf(const std::string& email) {
  size_t at = email.rfind('@');
  return at == std::string::npos ? "localhost" : email.substr(at + 1);
}

// A step's variants as the claim needs them (ids and weights in order) and
// its winner ("" none).
struct StepVariants {
  std::vector<std::string> ids;
  std::vector<int> weights;
  std::string winner;
};

Result<std::vector<StepVariants>> LoadStepVariants(Connection& conn,
                                                   const std::string& workspace_id,
                                                   const std::string& campaign_id) {
  std::vector<StepVariants> out;
  LT_ASSIGN_OR_RETURN(auto steps, conn.Prepare("SELECT step_index, winner_variant_id FROM "
                                               "campaign_steps WHERE workspace_id = ? AND "
                                               "campaign_id = ? ORDER BY step_index"));
  steps->Bind(1, workspace_id).Bind(2, campaign_id);
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, steps->Step());
    if (!row) break;
    const size_t index = static_cast<size_t>(steps->ColumnInt(0));
    if (index >= out.size()) out.resize(index + 1);
    out[index].winner = steps->ColumnText(1);
  }
  steps.reset();
  LT_ASSIGN_OR_RETURN(auto variants, conn.Prepare("SELECT step_index, id, weight FROM "
                                                  "campaign_step_variants WHERE workspace_id = "
                                                  "? AND campaign_id = ? ORDER BY step_index, "
                                                  "position"));
  variants->Bind(1, workspace_id).Bind(2, campaign_id);
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, variants->Step());
    if (!row) break;
    const size_t index = static_cast<size_t>(variants->ColumnInt(0));
    if (index >= out.size()) continue;
    out[index].ids.push_back(variants->ColumnText(1));
    out[index].weights.push_back(static_cast<int>(variants->ColumnInt(2)));
  }
  return out;
}

// The variant a lead gets at a step it is first claimed for: the winner once
// there is one, else one by weight (domain::AssignVariant).
std::string PickVariant(const std::vector<StepVariants>& steps, const std::string& campaign_id,
                        const std::string& lead_id, int step_index) {
  if (step_index < 0 || static_cast<size_t>(step_index) >= steps.size()) return std::string();
  const StepVariants& step = steps[static_cast<size_t>(step_index)];
  if (step.ids.empty()) return std::string();
  if (!step.winner.empty()) return step.winner;
  return step.ids[domain::AssignVariant(campaign_id, lead_id, step_index + 1, step.weights)];
}

// The claim's batched writes (ClaimDueSends): leads that wait get their new
// due time and are held; new message rows are inserted `claimed` under
// `lease`; claimed enrollments become active on their mailbox; each
// mailbox's count for `day_key` grows by its sends.
Status WriteClaimBatches(Connection& conn, const std::string& workspace_id,
                         const std::string& campaign_id, int64_t now, const Lease& lease,
                         const std::string& day_key, const JsonRows& waiting,
                         const std::vector<std::string>& waiting_ids, const JsonRows& inserts,
                         const JsonRows& activations, const std::vector<std::string>& activated_ids,
                         const std::map<std::string, int64_t>& sends_by_mailbox) {
  if (!waiting.empty()) {
    LT_ASSIGN_OR_RETURN(
        auto defer, conn.Prepare("UPDATE enrollments SET next_send_at = CAST(v.c2 AS BIGINT), "
                                 "held = 1 FROM " +
                                 JsonRowsSource(conn.dialect(), 1, 4, "v") +
                                 " WHERE enrollments.workspace_id = v.c3 AND "
                                 "enrollments.campaign_id = v.c4 AND enrollments.lead_id = v.c1 "
                                 "AND " +
                                 EnrollmentKeys(conn.dialect())));
    defer->Bind(1, waiting.Json()).Bind(2, workspace_id).Bind(3, campaign_id);
    defer->Bind(4, JsonList(waiting_ids));
    LT_RETURN_IF_ERROR(defer->Run());
  }
  if (!inserts.empty()) {
    LT_ASSIGN_OR_RETURN(
        auto insert,
        conn.Prepare("INSERT INTO messages(workspace_id, id, campaign_id, lead_id, step_index, "
                     "mailbox_id, message_id_header, status, attempts, created_at, updated_at, "
                     "lease_until, lease_owner, variant_id) SELECT ?2, v.c1, ?3, v.c2, "
                     "CAST(v.c3 AS BIGINT), v.c4, v.c5, 'claimed', 1, ?4, ?4, ?5, ?6, v.c6 FROM " +
                     JsonRowsSource(conn.dialect(), 1, 6, "v")));
    insert->Bind(1, inserts.Json()).Bind(2, workspace_id).Bind(3, campaign_id).Bind(4, now);
    insert->Bind(5, lease.until).Bind(6, lease.owner);
    LT_RETURN_IF_ERROR(insert->Run());
  }
  if (!activations.empty()) {
    LT_ASSIGN_OR_RETURN(
        auto activate,
        conn.Prepare("UPDATE enrollments SET status = 'active', mailbox_id = v.c2, next_send_at "
                     "= NULL, held = 0 FROM " +
                     JsonRowsSource(conn.dialect(), 1, 4, "v") +
                     " WHERE enrollments.workspace_id = v.c3 AND enrollments.campaign_id = v.c4 "
                     "AND enrollments.lead_id = v.c1 AND " +
                     EnrollmentKeys(conn.dialect())));
    activate->Bind(1, activations.Json()).Bind(2, workspace_id).Bind(3, campaign_id);
    activate->Bind(4, JsonList(activated_ids));
    LT_RETURN_IF_ERROR(activate->Run());
  }
  LT_ASSIGN_OR_RETURN(
      auto usage, conn.Prepare("INSERT INTO mailbox_usage(workspace_id, mailbox_id, day, sent) "
                               "VALUES (?, ?, ?, ?) ON CONFLICT (workspace_id, mailbox_id, day) DO "
                               "UPDATE SET sent = mailbox_usage.sent + excluded.sent"));
  for (const auto& [mailbox_id, sends] : sends_by_mailbox) {
    usage->Bind(1, workspace_id).Bind(2, mailbox_id).Bind(3, day_key).Bind(4, sends);
    LT_RETURN_IF_ERROR(usage->Run());
  }
  return Status::Ok();
}

// Fills each claim's thread (the Message-IDs of its lead's earlier steps that
// went out, or may have) and earlier variants, in one query for the batch; a
// first step has none.
Status LoadThreads(Connection& conn, const std::string& workspace_id,
                   const std::string& campaign_id, std::vector<SendClaim>& claims) {
  std::map<std::string, SendClaim*> later_steps;  // by lead id
  for (SendClaim& claim : claims) {
    if (claim.step_index > 0) later_steps[claim.lead.id] = &claim;
  }
  if (later_steps.empty()) return Status::Ok();
  std::vector<std::string> lead_ids;
  for (const auto& [lead_id, claim] : later_steps) lead_ids.push_back(lead_id);
  LT_ASSIGN_OR_RETURN(auto thread,
                      conn.Prepare("SELECT lead_id, message_id_header, step_index, variant_id FROM "
                                   "messages WHERE workspace_id = ?1 AND lead_id" +
                                   InJsonList(conn.dialect(), 2) +
                                   " AND campaign_id = ?3 AND status IN ('delivered', 'unknown') "
                                   "ORDER BY lead_id, step_index"));
  thread->Bind(1, workspace_id).Bind(2, JsonList(lead_ids)).Bind(3, campaign_id);
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, thread->Step());
    if (!row) break;
    SendClaim& claim = *later_steps.at(thread->ColumnText(0));
    const size_t earlier = static_cast<size_t>(thread->ColumnInt(2));
    if (earlier >= static_cast<size_t>(claim.step_index)) continue;
    claim.thread.push_back(thread->ColumnText(1));
    if (earlier >= claim.earlier_variants.size()) claim.earlier_variants.resize(earlier + 1);
    claim.earlier_variants[earlier] = thread->ColumnText(3);
  }
  thread->Reset();
  return Status::Ok();
}

}  // namespace

Result<std::vector<SendClaim>> ClaimDueSends(Connection& conn, const std::string& workspace_id,
                                             const std::string& campaign_id, int64_t now, int limit,
                                             const Lease& lease,
                                             const std::function<std::string()>& new_id) {
  {
    // Pausing stops new sends at once: a campaign paused since the engine
    // listed it gets nothing claimed.
    LT_ASSIGN_OR_RETURN(auto running, conn.Prepare("SELECT 1 FROM campaigns WHERE workspace_id = ? "
                                                   "AND id = ? AND status = 'running' AND "
                                                   "deleted_at IS NULL"));
    running->Bind(1, workspace_id).Bind(2, campaign_id);
    LT_ASSIGN_OR_RETURN(bool is_running, running->Step());
    if (!is_running) return std::vector<SendClaim>{};
  }
  LT_ASSIGN_OR_RETURN(domain::DeliverySettings settings, LoadDeliverySettings(conn, workspace_id));
  const domain::LocalDay today = domain::LocalDayOf(now, settings.timezone);
  LT_ASSIGN_OR_RETURN(auto slots, LoadMailboxSlots(conn, workspace_id, today.key));
  int64_t workspace_remaining = std::numeric_limits<int64_t>::max();
  if (settings.daily_limit) {
    LT_ASSIGN_OR_RETURN(int64_t sent_today, WorkspaceSendsOn(conn, workspace_id, today.key));
    workspace_remaining = std::max<int64_t>(0, *settings.daily_limit - sent_today);
  }
  struct Due {
    domain::Lead lead;
    int step = 0;
    std::string mailbox_id;
    // The message row of this (lead, step), if one exists already.
    std::optional<std::string> message_row_id;
    std::string message_status, message_id_header, variant_id;
    int attempts = 0;
  };
  std::vector<Due> due;
  {
    // Reads at most `limit` rows from enrollments_due, then each one's
    // enrollment, lead and (if any) message row: about four seeks per
    // claimed send, so the cost
    // follows the batch (and the depth of the b-trees), not the campaign's
    // size. On SQLite at a million leads that is ~4 ms for 200 (0.8 ms at a
    // thousand), as the seeks leave the cache. It stays as one statement on
    // purpose: every claimed lead's email and fields are needed (suppression,
    // rendering), and due leads are spread over the leads table in any
    // order, so fetching them later in one IN list or join would read the
    // same pages; it would also read the leads outside the statement that
    // takes the enrollments (FOR UPDATE OF e SKIP LOCKED on PostgreSQL).
    LT_ASSIGN_OR_RETURN(
        auto stmt,
        conn.Prepare(conn.SkipLocked(
            std::string("SELECT ") + kLeadColumns +
                ", e.current_step, coalesce(e.mailbox_id, ''), m.id, m.status, "
                "m.message_id_header, m.attempts, m.variant_id FROM enrollments e JOIN leads l "
                "ON l.workspace_id = e.workspace_id AND l.id = e.lead_id LEFT JOIN messages m ON "
                "m.workspace_id = e.workspace_id AND m.campaign_id = e.campaign_id AND "
                "m.lead_id = e.lead_id AND m.step_index = e.current_step WHERE "
                "e.workspace_id = ? AND e.campaign_id = ? AND e.status = 'queued' AND "
                "e.next_send_at IS NOT NULL AND e.next_send_at <= ? "
                "ORDER BY e.next_send_at LIMIT ?",
            "e")));
    stmt->Bind(1, workspace_id).Bind(2, campaign_id).Bind(3, now).Bind(4, limit);
    while (true) {
      LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      Due d;
      d.lead = ReadLead(*stmt);
      d.step = static_cast<int>(stmt->ColumnInt(kLeadColumnCount));
      d.mailbox_id = stmt->ColumnText(kLeadColumnCount + 1);
      d.message_row_id = stmt->ColumnOptionalText(kLeadColumnCount + 2);
      if (d.message_row_id) {
        d.message_status = stmt->ColumnText(kLeadColumnCount + 3);
        d.message_id_header = stmt->ColumnText(kLeadColumnCount + 4);
        d.attempts = static_cast<int>(stmt->ColumnInt(kLeadColumnCount + 5));
        d.variant_id = stmt->ColumnText(kLeadColumnCount + 6);
      }
      due.push_back(std::move(d));
    }
  }
  if (due.empty()) return std::vector<SendClaim>{};

  // Suppressed since enrollment (an address or its domain added to the
  // list): never sent; the enrollment ends as `suppressed`.
  std::vector<std::string> due_emails;
  for (const Due& d : due) due_emails.push_back(domain::NormalizeEmail(d.lead.email));
  LT_ASSIGN_OR_RETURN(std::vector<std::string> suppressed,
                      FindSuppressed(conn, workspace_id, due_emails));
  int64_t suppressed_count = 0;
  if (!suppressed.empty()) {
    std::sort(suppressed.begin(), suppressed.end());
    LT_ASSIGN_OR_RETURN(auto stop, conn.Prepare("UPDATE enrollments SET status = 'suppressed', "
                                                "next_send_at = NULL WHERE workspace_id = ? AND "
                                                "campaign_id = ? AND lead_id = ? AND status = "
                                                "'queued'"));
    std::vector<Due> kept;
    for (Due& d : due) {
      if (!std::binary_search(suppressed.begin(), suppressed.end(),
                              domain::NormalizeEmail(d.lead.email))) {
        kept.push_back(std::move(d));
        continue;
      }
      stop->Bind(1, workspace_id).Bind(2, campaign_id).Bind(3, d.lead.id);
      LT_RETURN_IF_ERROR(stop->Run());
      suppressed_count += conn.Changes();
    }
    due = std::move(kept);
  }

  LT_ASSIGN_OR_RETURN(const std::vector<StepVariants> variants,
                      LoadStepVariants(conn, workspace_id, campaign_id));
  LT_ASSIGN_OR_RETURN(auto resend,
                      conn.Prepare("UPDATE messages SET status = 'claimed', attempts = attempts + "
                                   "1, mailbox_id = ?, updated_at = ?, lease_until = ?, "
                                   "lease_owner = ? WHERE workspace_id = ? AND id = ?"));
  LT_ASSIGN_OR_RETURN(auto skip_sent,
                      conn.Prepare("UPDATE enrollments SET current_step = ?, next_send_at = ? "
                                   "WHERE workspace_id = ? AND campaign_id = ? AND lead_id = ?"));
  LT_ASSIGN_OR_RETURN(auto pace, conn.Prepare("UPDATE mailboxes SET next_send_after = ? WHERE "
                                              "workspace_id = ? AND id = ?"));
  // What the loop decides is written in batches after it (json_rows.h): one
  // statement each for the waiting leads, the new message rows and the
  // claimed enrollments, and one per mailbox for its day's count.
  JsonRows waiting, inserts, activations;
  std::vector<std::string> waiting_ids, activated_ids;
  std::map<std::string, int64_t> sends_by_mailbox;
  auto wait_until = [&](const Due& d, int64_t later) -> Status {
    waiting.Row().Add(d.lead.id).Add(later).Add(workspace_id).Add(campaign_id);
    waiting_ids.push_back(d.lead.id);
    return Status::Ok();
  };

  std::vector<SendClaim> claims;
  for (Due& d : due) {
    // The sending window, in the lead's own zone when it has one.
    if (settings.window) {
      const std::string& zone = d.lead.timezone ? *d.lead.timezone : settings.timezone;
      const int64_t opens = domain::NextWindowOpening(now, *settings.window, zone);
      if (opens > now) {
        LT_RETURN_IF_ERROR(wait_until(d, opens));
        continue;
      }
    }
    if (workspace_remaining <= 0) {
      LT_RETURN_IF_ERROR(wait_until(d, today.next_start));
      continue;
    }
    // The lead keeps its mailbox; a new (or deleted) assignment picks the
    // active mailbox with the most room today.
    auto slot = slots.find(d.mailbox_id);
    if (slot == slots.end()) slot = PickMailbox(slots, now);
    if (slot == slots.end() || !slot->second.active || slot->second.remaining <= 0) {
      const bool any_active =
          std::any_of(slots.begin(), slots.end(), [](const auto& s) { return s.second.active; });
      const bool paused_own = slot != slots.end() && !slot->second.active;
      LT_RETURN_IF_ERROR(wait_until(
          d, (any_active && !paused_own) ? today.next_start : now + kNoMailboxRetryMillis));
      continue;
    }
    if (settings.min_gap_seconds > 0 && slot->second.next_send_after > now) {
      LT_RETURN_IF_ERROR(wait_until(d, slot->second.next_send_after));
      continue;
    }
    const std::string& mailbox_id = slot->first;

    SendClaim claim;
    claim.workspace_id = workspace_id;
    claim.campaign_id = campaign_id;
    claim.step_index = d.step;
    claim.mailbox_id = mailbox_id;
    if (d.message_row_id) {
      const std::string& status = d.message_status;
      claim.message_row_id = *d.message_row_id;
      claim.message_id_header = d.message_id_header;
      claim.attempt = d.attempts + 1;
      claim.variant_id = d.variant_id;  // a retry keeps its variant
      if (status != "retry") {
        // This step already went out (or may have): never again. Move on.
        skip_sent->Bind(1, d.step + 1)
            .Bind(2, now)
            .Bind(3, workspace_id)
            .Bind(4, campaign_id)
            .Bind(5, d.lead.id);
        LT_RETURN_IF_ERROR(skip_sent->Run());
        continue;
      }
      resend->Bind(1, mailbox_id)
          .Bind(2, now)
          .Bind(3, lease.until)
          .Bind(4, lease.owner)
          .Bind(5, workspace_id)
          .Bind(6, claim.message_row_id);
      LT_RETURN_IF_ERROR(resend->Run());
    } else {
      claim.message_row_id = new_id();
      claim.message_id_header =
          "<" + claim.message_row_id + "@" + DomainOf(slot->second.email) + ">";
      claim.variant_id = PickVariant(variants, campaign_id, d.lead.id, d.step);
      inserts.Row()
          .Add(claim.message_row_id)
          .Add(d.lead.id)
          .Add(int64_t{d.step})
          .Add(mailbox_id)
          .Add(claim.message_id_header)
          .Add(claim.variant_id);
    }
    activations.Row().Add(d.lead.id).Add(mailbox_id).Add(workspace_id).Add(campaign_id);
    activated_ids.push_back(d.lead.id);
    ++sends_by_mailbox[mailbox_id];
    --slot->second.remaining;
    --workspace_remaining;
    if (settings.min_gap_seconds > 0) {
      slot->second.next_send_after =
          domain::NextPacedSend(now, settings.min_gap_seconds, RandomUnit());
      pace->Bind(1, slot->second.next_send_after).Bind(2, workspace_id).Bind(3, mailbox_id);
      LT_RETURN_IF_ERROR(pace->Run());
    }

    claim.lead = std::move(d.lead);
    claims.push_back(std::move(claim));
  }
  LT_RETURN_IF_ERROR(WriteClaimBatches(conn, workspace_id, campaign_id, now, lease, today.key,
                                       waiting, waiting_ids, inserts, activations, activated_ids,
                                       sends_by_mailbox));
  LT_RETURN_IF_ERROR(LoadThreads(conn, workspace_id, campaign_id, claims));
  std::map<CounterKey, CounterDelta> deltas;
  deltas[{workspace_id, campaign_id}].queued =
      -static_cast<int64_t>(claims.size()) - suppressed_count;
  LT_RETURN_IF_ERROR(ApplyCounterDeltas(conn, deltas, now));
  return claims;
}

Status ApplyPacingGap(Connection& conn, const std::string& workspace_id, int min_gap_seconds,
                      int64_t now) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("UPDATE mailboxes SET next_send_after = ?1 WHERE "
                                              "workspace_id = ?2 AND next_send_after > ?1"));
  stmt->Bind(1, now + int64_t{min_gap_seconds} * 1000).Bind(2, workspace_id);
  return stmt->Run();
}

Status ReleaseHeldLeads(Connection& conn, const std::string& workspace_id, int64_t now) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("UPDATE enrollments SET next_send_at = ?, held = 0 "
                                              "WHERE workspace_id = ? AND held = 1 AND status = "
                                              "'queued' AND next_send_at > ?"));
  stmt->Bind(1, now).Bind(2, workspace_id).Bind(3, now);
  return stmt->Run();
}

Status RecordOutcomes(Connection& conn, const std::vector<SendOutcome>& outcomes, int64_t now) {
  if (outcomes.empty()) return Status::Ok();
  using Kind = SendOutcome::Kind;
  // Each statement covers every outcome (json_rows.h): the message rows
  // first, then the enrollments of those that were still in flight -- an
  // outcome whose message was resolved meanwhile (e.g. after a restart)
  // changes nothing.
  struct Batch {
    JsonRows rows;
    std::vector<std::string> keys;
  };
  std::map<std::string, Batch> messages;  // by workspace
  for (const SendOutcome& o : outcomes) {
    Batch& batch = messages[o.workspace_id];
    batch.keys.push_back(o.message_row_id);
    batch.rows.Row()
        .Add(o.message_row_id)
        .Add(o.kind == Kind::kDelivered ? "delivered"
             : o.kind == Kind::kBounced ? "bounced"
                                        : "retry")
        .Add(o.subject)
        .Add(int64_t{o.smtp_code})
        .Add(o.smtp_reply)
        .Add(o.workspace_id);
  }
  LT_ASSIGN_OR_RETURN(
      auto record,
      conn.Prepare(
          "UPDATE messages SET status = v.c2, subject = v.c3, smtp_code = CAST(v.c4 AS "
          "BIGINT), smtp_reply = v.c5, updated_at = ?1, sent_at = CASE WHEN v.c2 = "
          "'delivered' THEN ?1 END FROM " +
          JsonRowsSource(conn.dialect(), 2, 6, "v") +
          " WHERE messages.workspace_id = v.c6 AND messages.id = v.c1 AND " +
          PostgresOnly(conn.dialect(),
                       "messages.workspace_id = ?3 AND messages.id" + InJsonList(conn.dialect(), 4),
                       {3, 4}) +
          " AND "
          // `|| ''`: the planners read the key (json_rows.h).
          "(messages.status || '') IN ('claimed', 'sending') RETURNING messages.id"));
  std::set<std::string> recorded;
  for (const auto& [workspace_id, batch] : messages) {
    record->Bind(1, now).Bind(2, batch.rows.Json()).Bind(3, workspace_id);
    record->Bind(4, JsonList(batch.keys));
    while (true) {
      LT_ASSIGN_OR_RETURN(bool row, record->Step());
      if (!row) break;
      recorded.insert(record->ColumnText(0));
    }
    record->Reset();
  }

  std::map<CounterKey, CounterDelta> deltas;
  ActivityDeltas activity;
  EventOutbox events(conn);
  // (workspace, campaign) -> the enrollments to move; (campaign, lead) -> the
  // outcome that moves it.
  std::map<std::pair<std::string, std::string>, Batch> enrollments;
  std::map<std::pair<std::string, std::string>, const SendOutcome*> moving;
  for (const SendOutcome& o : outcomes) {
    if (recorded.count(o.message_row_id) == 0) continue;
    CounterDelta& d = deltas[{o.workspace_id, o.campaign_id, CounterShardOf(o.mailbox_id)}];
    std::string status;
    int step = o.step_index;
    std::optional<int64_t> next_send_at;
    std::optional<int64_t> sent_at;
    switch (o.kind) {
      case Kind::kDelivered:
        ++d.delivered;
        step = o.step_index + 1;
        sent_at = now;
        next_send_at = o.next_send_at;
        status = next_send_at ? "queued" : "completed";
        break;
      case Kind::kBounced:
        ++d.bounced;
        status = "bounced";
        break;
      case Kind::kRetry:
        status = "queued";
        next_send_at = o.retry_at;
        break;
    }
    Batch& batch = enrollments[{o.workspace_id, o.campaign_id}];
    batch.keys.push_back(o.lead_id);
    batch.rows.Row()
        .Add(o.lead_id)
        .Add(status)
        .Add(int64_t{step})
        .Add(next_send_at)
        .Add(sent_at)
        .Add(o.workspace_id)
        .Add(o.campaign_id);
    moving[{o.campaign_id, o.lead_id}] = &o;
    if (o.kind != Kind::kRetry) {
      for (auto field : {&domain::ActivityCounts::sent, o.kind == Kind::kDelivered
                                                            ? &domain::ActivityCounts::delivered
                                                            : &domain::ActivityCounts::bounced}) {
        activity.Add(field, o.workspace_id, o.campaign_id, o.step_index + 1, o.mailbox_id, now, 1,
                     CounterShardOf(o.mailbox_id), o.variant_id);
      }
      const domain::MessageFacts facts{o.message_row_id, o.campaign_id, o.lead_id,   o.lead_email,
                                       o.step_index,     o.mailbox_id,  o.subject,   o.smtp_code,
                                       o.smtp_reply,     now,           o.variant_id};
      events.Add(o.workspace_id,
                 o.kind == Kind::kDelivered ? domain::MessageSentEvent(facts)
                                            : domain::MessageBouncedEvent(facts),
                 now);
    }
  }
  LT_RETURN_IF_ERROR(events.Write());
  if (!enrollments.empty()) {
    // Active enrollments move on and are counted; those that stopped
    // meanwhile (removed, replied) are left alone.
    LT_ASSIGN_OR_RETURN(
        auto move,
        conn.Prepare("UPDATE enrollments SET status = v.c2, current_step = CAST(v.c3 AS BIGINT), "
                     "next_send_at = CAST(v.c4 AS BIGINT), last_sent_at = "
                     "coalesce(CAST(v.c5 AS BIGINT), last_sent_at) FROM " +
                     JsonRowsSource(conn.dialect(), 1, 7, "v") +
                     " WHERE enrollments.workspace_id = v.c6 AND enrollments.campaign_id = v.c7 "
                     "AND enrollments.lead_id = v.c1 AND " +
                     EnrollmentKeys(conn.dialect()) +
                     " AND (enrollments.status || '') = 'active' "
                     "RETURNING enrollments.lead_id, enrollments.status"));
    for (const auto& [key, batch] : enrollments) {
      move->Bind(1, batch.rows.Json()).Bind(2, key.first).Bind(3, key.second);
      move->Bind(4, JsonList(batch.keys));
      while (true) {
        LT_ASSIGN_OR_RETURN(bool row, move->Step());
        if (!row) break;
        auto it = moving.find({key.second, move->ColumnText(0)});
        if (it == moving.end()) continue;
        const SendOutcome& o = *it->second;
        CounterDelta& d = deltas[{o.workspace_id, o.campaign_id, CounterShardOf(o.mailbox_id)}];
        const std::string status = move->ColumnText(1);
        if (status == "queued") ++d.queued;
        if (status == "completed") ++d.completed;
      }
      move->Reset();
    }
  }
  // The counters in one go: on PostgreSQL in one pipeline with the next
  // statement or the COMMIT.
  Statements counting;
  LT_RETURN_IF_ERROR(AddCounterStatements(conn, deltas, now, counting));
  LT_RETURN_IF_ERROR(AddActivityStatements(conn, activity, counting));
  LT_RETURN_IF_ERROR(conn.RunLater(std::move(counting)));
  return EnforceBounceProtection(conn, deltas, now);
}

Status ReleaseClaim(Connection& conn, const std::string& workspace_id,
                    const std::string& message_row_id, int64_t now) {
  LT_ASSIGN_OR_RETURN(auto select,
                      conn.Prepare("SELECT campaign_id, lead_id, attempts, mailbox_id, updated_at "
                                   "FROM messages WHERE workspace_id = ? AND id = ? AND "
                                   "status = 'claimed'"));
  select->Bind(1, workspace_id).Bind(2, message_row_id);
  LT_ASSIGN_OR_RETURN(bool found, select->Step());
  if (!found) return Status::Ok();
  const std::string campaign_id = select->ColumnText(0);
  const std::string lead_id = select->ColumnText(1);
  const int64_t attempts = select->ColumnInt(2);
  const std::string mailbox_id = select->ColumnText(3);
  const int64_t claimed_at = select->ColumnInt(4);  // a claimed row's last change
  select.reset();
  // The claim counted as one of its mailbox's sends on the (workspace-local)
  // day it was made. It never went out, so that day's limit gets it back.
  LT_ASSIGN_OR_RETURN(domain::DeliverySettings settings, LoadDeliverySettings(conn, workspace_id));
  LT_ASSIGN_OR_RETURN(auto give_back,
                      conn.Prepare("UPDATE mailbox_usage SET sent = sent - 1 WHERE workspace_id "
                                   "= ? AND mailbox_id = ? AND day = ? AND sent > 0"));
  give_back->Bind(1, workspace_id).Bind(2, mailbox_id);
  give_back->Bind(3, domain::LocalDayOf(claimed_at, settings.timezone).key);
  LT_RETURN_IF_ERROR(give_back->Run());
  // A first attempt leaves no trace; a retry goes back to waiting as a retry.
  LT_ASSIGN_OR_RETURN(auto undo,
                      conn.Prepare(attempts <= 1 ? "DELETE FROM messages WHERE workspace_id = ? "
                                                   "AND id = ?"
                                                 : "UPDATE messages SET status = 'retry', "
                                                   "attempts = attempts - 1 WHERE "
                                                   "workspace_id = ? AND id = ?"));
  undo->Bind(1, workspace_id).Bind(2, message_row_id);
  LT_RETURN_IF_ERROR(undo->Run());
  LT_ASSIGN_OR_RETURN(auto requeue,
                      conn.Prepare("UPDATE enrollments SET status = 'queued', next_send_at = ? "
                                   "WHERE workspace_id = ? AND campaign_id = ? AND lead_id = ? "
                                   "AND status = 'active'"));
  requeue->Bind(1, now).Bind(2, workspace_id).Bind(3, campaign_id).Bind(4, lead_id);
  LT_RETURN_IF_ERROR(requeue->Run());
  if (conn.Changes() == 0) return Status::Ok();
  std::map<CounterKey, CounterDelta> deltas;
  deltas[{workspace_id, campaign_id}].queued = 1;
  return ApplyCounterDeltas(conn, deltas, now);
}

Result<std::vector<bool>> MarkSending(Connection& conn, const std::vector<const SendClaim*>& claims,
                                      int64_t now, const Lease& lease) {
  if (claims.empty()) return std::vector<bool>{};
  // Only while the campaign still runs, the mailbox is still active and the
  // lead is still in the sequence: pausing, unsubscribing or suppressing
  // stops sends that were claimed but not yet on the wire. One statement for
  // the whole group (json_rows.h).
  LT_ASSIGN_OR_RETURN(
      auto stmt,
      conn.Prepare(
          "UPDATE messages SET status = 'sending', updated_at = ?1, lease_until = ?2, "
          "lease_owner = ?3 WHERE workspace_id = ?4 AND id" +
          InJsonList(conn.dialect(), 5) +
          // `|| ''`: the planners read the key (json_rows.h), not the
          // status or lease-owner indexes.
          " AND (status || '') = 'claimed' AND (lease_owner || '') = ?3 AND EXISTS (SELECT 1 "
          "FROM campaigns c "
          "WHERE c.workspace_id = ?4 AND c.id = messages.campaign_id AND c.status = 'running' "
          "AND c.deleted_at IS NULL) AND EXISTS (SELECT 1 FROM mailboxes m WHERE "
          "m.workspace_id = ?4 AND m.id = messages.mailbox_id AND m.status = 'active' AND "
          "m.deleted_at IS NULL) AND EXISTS (SELECT 1 FROM enrollments e WHERE e.workspace_id "
          "= ?4 AND e.campaign_id = messages.campaign_id AND e.lead_id = messages.lead_id AND "
          "(e.status || '') = 'active') RETURNING id"));
  std::map<std::string, std::vector<std::string>> ids_by_workspace;
  for (const SendClaim* claim : claims) {
    ids_by_workspace[claim->workspace_id].push_back(claim->message_row_id);
  }
  std::set<std::string> marked;
  for (const auto& [workspace_id, ids] : ids_by_workspace) {
    stmt->Bind(1, now).Bind(2, lease.until).Bind(3, lease.owner).Bind(4, workspace_id);
    stmt->Bind(5, JsonList(ids));
    while (true) {
      LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      marked.insert(stmt->ColumnText(0));
    }
    stmt->Reset();
  }
  std::vector<bool> may_send;
  for (const SendClaim* claim : claims) {
    may_send.push_back(marked.count(claim->message_row_id) > 0);
    if (may_send.back()) continue;
    LT_RETURN_IF_ERROR(ReleaseClaim(conn, claim->workspace_id, claim->message_row_id, now));
  }
  return may_send;
}

Status RenewLease(Connection& conn, const HeldMessage& held, const Lease& lease) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("UPDATE messages SET lease_until = ? WHERE "
                                              "workspace_id = ? AND id = ? AND lease_owner = ? "
                                              "AND status IN ('claimed', 'sending')"));
  stmt->Bind(1, lease.until).Bind(2, held.workspace_id).Bind(3, held.message_row_id);
  stmt->Bind(4, lease.owner);
  return stmt->Run();
}

// Claimed but never attempted (the process stopped first): back to the queue.
Status ReleaseUnattemptedClaims(Connection& conn, int64_t now) {
  std::vector<std::pair<std::string, std::string>> rows;  // workspace, message id
  {
    LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare(conn.SkipLocked(
                                       "SELECT workspace_id, id FROM messages WHERE status = "
                                       "'claimed' AND lease_until < ?")));
    stmt->Bind(1, now);
    while (true) {
      LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      rows.emplace_back(stmt->ColumnText(0), stmt->ColumnText(1));
    }
  }
  for (const auto& [workspace_id, id] : rows) {
    LT_RETURN_IF_ERROR(ReleaseClaim(conn, workspace_id, id, now));
  }
  return Status::Ok();
}

Result<int64_t> ResolveInterrupted(Connection& conn, int64_t now, int64_t day_millis) {
  LT_RETURN_IF_ERROR(ReleaseUnattemptedClaims(conn, now));
  struct Interrupted {
    std::string workspace_id, id, campaign_id, lead_id;
    int step = 0;
    std::string mailbox_id, variant_id;
  };
  std::vector<Interrupted> rows;
  {
    LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare(conn.SkipLocked(
                                       "SELECT workspace_id, id, campaign_id, lead_id, "
                                       "step_index, mailbox_id, variant_id FROM messages WHERE "
                                       "status = 'sending' AND lease_until < ?")));
    stmt->Bind(1, now);
    while (true) {
      LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      rows.push_back({stmt->ColumnText(0), stmt->ColumnText(1), stmt->ColumnText(2),
                      stmt->ColumnText(3), static_cast<int>(stmt->ColumnInt(4)),
                      stmt->ColumnText(5), stmt->ColumnText(6)});
    }
  }
  LT_ASSIGN_OR_RETURN(auto mark, conn.Prepare("UPDATE messages SET status = 'unknown', "
                                              "updated_at = ? WHERE workspace_id = ? AND id = ? "
                                              "AND status = 'sending'"));
  LT_ASSIGN_OR_RETURN(auto next_step,
                      conn.Prepare("SELECT delay_days FROM campaign_steps WHERE workspace_id = ? "
                                   "AND campaign_id = ? AND step_index = ?"));
  std::map<CounterKey, CounterDelta> deltas;
  ActivityDeltas activity;
  for (const Interrupted& r : rows) {
    mark->Bind(1, now).Bind(2, r.workspace_id).Bind(3, r.id);
    LT_RETURN_IF_ERROR(mark->Run());
    if (conn.Changes() == 0) continue;
    const int shard = CounterShardOf(r.mailbox_id);
    CounterDelta& d = deltas[{r.workspace_id, r.campaign_id, shard}];
    ++d.unknown;
    activity.Add(&domain::ActivityCounts::sent, r.workspace_id, r.campaign_id, r.step + 1,
                 r.mailbox_id, now, 1, shard, r.variant_id);
    next_step->Bind(1, r.workspace_id).Bind(2, r.campaign_id).Bind(3, r.step + 1);
    LT_ASSIGN_OR_RETURN(bool more, next_step->Step());
    std::optional<int64_t> next_send_at;
    if (more) next_send_at = now + DelayMillis(next_step->ColumnDouble(0), day_millis);
    next_step->Reset();
    LT_RETURN_IF_ERROR(MoveActiveEnrollment(conn, r.workspace_id, r.campaign_id, r.lead_id,
                                            more ? "queued" : "completed", r.step + 1, next_send_at,
                                            now, d));
  }
  LT_RETURN_IF_ERROR(ApplyCounterDeltas(conn, deltas, now));
  LT_RETURN_IF_ERROR(ApplyActivityDeltas(conn, activity));
  return static_cast<int64_t>(rows.size());
}

Result<std::optional<int64_t>> NextDueTime(Connection& conn) {
  LT_ASSIGN_OR_RETURN(
      auto stmt,
      conn.Prepare("SELECT min((SELECT min(e.next_send_at) FROM enrollments e WHERE "
                   "e.workspace_id = c.workspace_id AND e.campaign_id = c.id AND "
                   "e.status = 'queued' AND e.next_send_at IS NOT NULL)) FROM campaigns c "
                   "WHERE c.status = 'running' AND c.deleted_at IS NULL"));
  LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<int64_t>();
  return stmt->ColumnOptionalInt(0);
}

Status ScheduleStartedCampaign(Connection& conn, const std::string& workspace_id,
                               const std::string& campaign_id, int64_t started_at,
                               int64_t day_millis) {
  LT_ASSIGN_OR_RETURN(auto first,
                      FirstSendAtIfRunning(conn, workspace_id, campaign_id, 0, day_millis));
  if (!first) return Status::Ok();
  const int64_t delay = *first;  // FirstSendAtIfRunning from 0 is the delay itself
  LT_ASSIGN_OR_RETURN(
      auto stmt,
      conn.Prepare("UPDATE enrollments SET next_send_at = CASE WHEN enrolled_at > ?1 THEN "
                   "enrolled_at ELSE ?1 END + ?2 "
                   "WHERE workspace_id = ?3 AND campaign_id = ?4 AND status = "
                   "'queued' AND next_send_at IS NULL"));
  stmt->Bind(1, started_at).Bind(2, delay).Bind(3, workspace_id).Bind(4, campaign_id);
  return stmt->Run();
}

}  // namespace leadterra::store::sql
