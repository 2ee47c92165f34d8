#include "store/sql/inbound_queries.h"

#include <algorithm>
#include <map>

#include "domain/lead.h"
#include "domain/webhook.h"
#include "store/sql/bounce_protection.h"
#include "store/sql/counters.h"
#include "store/sql/inbox_queries.h"
#include "store/sql/lead_directory_queries.h"
#include "store/sql/mailbox_queries.h"
#include "store/sql/suppression_queries.h"
#include "store/sql/webhook_queries.h"
#include "util/json_writer.h"
#include "util/time_format.h"

namespace leadterra::store::sql {
namespace {

// The message we sent that an inbound message is about.
struct SentMessage {
  std::string id, campaign_id, lead_id, status, message_id_header;
  int step_index = 0;
  std::optional<int64_t> sent_at;  // when it was delivered
  std::string mailbox_id;
  std::string variant_id;
};

constexpr char kSentColumns[] =
    "m.id, m.campaign_id, m.lead_id, m.status, m.message_id_header, m.step_index, m.sent_at, "
    "m.mailbox_id, m.variant_id";

SentMessage ReadSent(const Statement& row) {
  return {row.ColumnText(0),        row.ColumnText(1), row.ColumnText(2),
          row.ColumnText(3),        row.ColumnText(4), static_cast<int>(row.ColumnInt(5)),
          row.ColumnOptionalInt(6), row.ColumnText(7), row.ColumnText(8)};
}

Result<std::optional<SentMessage>> FindByHeader(Connection& conn, const std::string& workspace_id,
                                                const std::string& header) {
  {
    LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare(std::string("SELECT ") + kSentColumns +
                                                " FROM messages m WHERE m.workspace_id = ? AND "
                                                "m.message_id_header = ? LIMIT 1"));
    stmt->Bind(1, workspace_id).Bind(2, header);
    LT_ASSIGN_OR_RETURN(bool found, stmt->Step());
    if (found) return std::optional<SentMessage>(ReadSent(*stmt));
  }
  // An answer sent from the inbox: the message it threads under.
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare(std::string("SELECT ") + kSentColumns +
                                              " FROM answers a JOIN messages m ON "
                                              "m.workspace_id = a.workspace_id AND m.id = "
                                              "a.message_row_id WHERE a.workspace_id = ? AND "
                                              "a.message_id_header = ? LIMIT 1"));
  stmt->Bind(1, workspace_id).Bind(2, header);
  LT_ASSIGN_OR_RETURN(bool found, stmt->Step());
  if (!found) return std::optional<SentMessage>();
  return std::optional<SentMessage>(ReadSent(*stmt));
}

// The latest message this mailbox sent to the lead with that address.
Result<std::optional<SentMessage>> FindByAddress(Connection& conn, const std::string& workspace_id,
                                                 const std::string& mailbox_id,
                                                 const std::string& address) {
  LT_ASSIGN_OR_RETURN(
      auto stmt,
      conn.Prepare(std::string("SELECT ") + kSentColumns +
                   " FROM leads l JOIN messages m ON m.workspace_id = l.workspace_id AND "
                   "m.lead_id = l.id WHERE l.workspace_id = ? AND l.email_norm = ? AND "
                   "m.mailbox_id = ? AND m.status IN ('delivered', 'unknown', 'bounced') "
                   "ORDER BY m.created_at DESC LIMIT 1"));
  stmt->Bind(1, workspace_id).Bind(2, domain::NormalizeEmail(address)).Bind(3, mailbox_id);
  LT_ASSIGN_OR_RETURN(bool found, stmt->Step());
  if (!found) return std::optional<SentMessage>();
  return std::optional<SentMessage>(ReadSent(*stmt));
}

Result<std::optional<SentMessage>> Match(Connection& conn, const InboundRecord& r) {
  std::vector<std::string> headers;
  if (!r.facts.original_message_id.empty()) headers.push_back(r.facts.original_message_id);
  headers.insert(headers.end(), r.facts.thread_ids.begin(), r.facts.thread_ids.end());
  for (const std::string& header : headers) {
    LT_ASSIGN_OR_RETURN(auto sent, FindByHeader(conn, r.workspace_id, header));
    if (sent) return sent;
  }
  std::string address = r.facts.from;
  if (r.kind == domain::InboundKind::kBounce || r.kind == domain::InboundKind::kDelay) {
    const domain::DsnRecipient* recipient = domain::DecisiveRecipient(r.facts);
    address = recipient ? recipient->final_recipient : "";
  }
  if (address.empty()) return std::optional<SentMessage>();
  return FindByAddress(conn, r.workspace_id, r.mailbox_id, address);
}

// Moves the enrollment from a live state (or `stopped`: a colleague's reply
// stopped it, but this lead may still answer or bounce) to `status`; returns
// the old state if it moved.
Result<std::optional<std::string>> StopEnrollment(Connection& conn, const std::string& workspace_id,
                                                  const std::string& campaign_id,
                                                  const std::string& lead_id,
                                                  std::string_view status) {
  LT_ASSIGN_OR_RETURN(auto select, conn.Prepare("SELECT status FROM enrollments WHERE "
                                                "workspace_id = ? AND campaign_id = ? AND "
                                                "lead_id = ?"));
  select->Bind(1, workspace_id).Bind(2, campaign_id).Bind(3, lead_id);
  LT_ASSIGN_OR_RETURN(bool found, select->Step());
  if (!found) return std::optional<std::string>();
  std::string before = select->ColumnText(0);
  select.reset();
  if (before != "queued" && before != "active" && before != "completed" && before != "stopped") {
    return std::optional<std::string>();
  }
  LT_ASSIGN_OR_RETURN(auto update, conn.Prepare("UPDATE enrollments SET status = ?, next_send_at "
                                                "= NULL WHERE workspace_id = ? AND campaign_id "
                                                "= ? AND lead_id = ?"));
  update->Bind(1, status).Bind(2, workspace_id).Bind(3, campaign_id).Bind(4, lead_id);
  LT_RETURN_IF_ERROR(update->Run());
  return std::optional<std::string>(before);
}

void CountLeaving(const std::string& before, CounterDelta& d) {
  if (before == "queued") --d.queued;
  if (before == "completed") --d.completed;
}

Result<std::string> LeadEmail(Connection& conn, const std::string& workspace_id,
                              const std::string& lead_id) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("SELECT email_norm FROM leads WHERE workspace_id "
                                              "= ? AND id = ?"));
  stmt->Bind(1, workspace_id).Bind(2, lead_id);
  LT_ASSIGN_OR_RETURN(bool found, stmt->Step());
  return found ? stmt->ColumnText(0) : std::string();
}

// The part of leads.email_norm after its '@', exactly as leads_by_domain
// indexes it (see the migrations).
std::string EmailDomainExpression(Dialect dialect) {
  return dialect == Dialect::kPostgres ? "substr(email_norm, strpos(email_norm, '@') + 1)"
                                       : "substr(email_norm, instr(email_norm, '@') + 1)";
}

// stopOnReply "company": the other queued leads at the replier's domain stop.
Status StopCompany(Connection& conn, const std::string& workspace_id,
                   const std::string& campaign_id, const std::string& email, CounterDelta& d) {
  LT_ASSIGN_OR_RETURN(auto mode, conn.Prepare("SELECT stop_on_reply FROM campaigns WHERE "
                                              "workspace_id = ? AND id = ?"));
  mode->Bind(1, workspace_id).Bind(2, campaign_id);
  LT_ASSIGN_OR_RETURN(bool found, mode->Step());
  if (!found || mode->ColumnText(0) != "company") return Status::Ok();
  mode.reset();
  const std::string domain(domain::EmailDomain(email));
  if (domain.empty()) return Status::Ok();
  // Queued leads wait for their next step; active ones have one on the wire
  // now (it still arrives, but nothing follows).
  // The domain's leads come from leads_by_domain (an email has one '@'), not
  // from a scan of the workspace's leads.
  LT_ASSIGN_OR_RETURN(
      auto stop,
      conn.Prepare(std::string("UPDATE enrollments SET status = 'stopped', next_send_at = NULL "
                               "WHERE workspace_id = ?1 AND campaign_id = ?2 AND status = ?4 AND "
                               "lead_id IN (SELECT id FROM leads WHERE workspace_id = ?1 AND ") +
                   EmailDomainExpression(conn.dialect()) + " = ?3)"));
  for (const char* status : {"queued", "active"}) {
    stop->Bind(1, workspace_id).Bind(2, campaign_id).Bind(3, domain).Bind(4, status);
    LT_RETURN_IF_ERROR(stop->Run());
    if (std::string_view(status) == "queued") d.queued -= conn.Changes();
  }
  return Status::Ok();
}

domain::Event RepliedEvent(const InboundRecord& r, const SentMessage& sent,
                           const std::string& email) {
  return domain::Event{std::string(domain::event_type::kMessageReplied),
                       JsonObjectWriter()
                           .String("messageId", sent.id)
                           .String("campaignId", sent.campaign_id)
                           .String("leadId", sent.lead_id)
                           .String("email", email)
                           .Int("stepIndex", sent.step_index)
                           .Int("stepNumber", sent.step_index + 1)
                           .OptionalString("variantId", domain::VariantIdOrNull(sent.variant_id))
                           .String("inboundId", r.id)
                           .String("from", r.facts.from)
                           .String("subject", r.facts.subject)
                           .String("snippet", r.facts.snippet)
                           .OptionalString("label", std::optional<std::string>())
                           .String("repliedAt", FormatIso8601(r.received_at))
                           .Finish(),
                       sent.lead_id};
}

Status ApplyReply(Connection& conn, const InboundRecord& r, const SentMessage& sent,
                  const std::string& email, int64_t now) {
  std::map<CounterKey, CounterDelta> deltas;
  CounterDelta& d = deltas[{r.workspace_id, sent.campaign_id}];
  LT_ASSIGN_OR_RETURN(
      auto before, StopEnrollment(conn, r.workspace_id, sent.campaign_id, sent.lead_id, "replied"));
  if (!before) return Status::Ok();  // already replied, bounced, removed, …
  CountLeaving(*before, d);
  ++d.replied;
  ActivityDeltas activity;
  activity.Add(&domain::ActivityCounts::replied, r.workspace_id, sent.campaign_id,
               sent.step_index + 1, sent.mailbox_id, now, 1, 0, sent.variant_id);
  LT_RETURN_IF_ERROR(StopCompany(conn, r.workspace_id, sent.campaign_id, email, d));
  LT_RETURN_IF_ERROR(ApplyCounterDeltas(conn, deltas, now));
  LT_RETURN_IF_ERROR(ApplyActivityDeltas(conn, activity));
  return EmitEvent(conn, r.workspace_id, RepliedEvent(r, sent, email), now);
}

Status ApplyBounce(Connection& conn, const InboundRecord& r, const SentMessage& sent,
                   const domain::DsnRecipient* recipient, const std::string& email, int64_t now) {
  const std::string diagnostic = recipient ? recipient->diagnostic : "";
  const int smtp_code = domain::DiagnosticSmtpCode(diagnostic);
  LT_ASSIGN_OR_RETURN(auto mark,
                      conn.Prepare("UPDATE messages SET status = 'bounced', smtp_code = ?, "
                                   "smtp_reply = ?, updated_at = ? WHERE workspace_id = ? AND "
                                   "id = ? AND status IN ('delivered', 'unknown')"));
  mark->Bind(1, smtp_code)
      .Bind(2, diagnostic)
      .Bind(3, now)
      .Bind(4, r.workspace_id)
      .Bind(5, sent.id);
  LT_RETURN_IF_ERROR(mark->Run());
  if (conn.Changes() == 0) return Status::Ok();  // already bounced
  std::map<CounterKey, CounterDelta> deltas;
  CounterDelta& d = deltas[{r.workspace_id, sent.campaign_id}];
  ++d.bounced;
  if (sent.status == "delivered") --d.delivered;
  if (sent.status == "unknown") --d.unknown;
  // The bounce counts now; the delivery it takes back, where it was counted.
  ActivityDeltas activity;
  activity.Add(&domain::ActivityCounts::bounced, r.workspace_id, sent.campaign_id,
               sent.step_index + 1, sent.mailbox_id, now, 1, 0, sent.variant_id);
  if (sent.status == "delivered" && sent.sent_at) {
    activity.Add(&domain::ActivityCounts::delivered, r.workspace_id, sent.campaign_id,
                 sent.step_index + 1, sent.mailbox_id, *sent.sent_at, -1, 0, sent.variant_id);
  }
  LT_ASSIGN_OR_RETURN(
      auto before, StopEnrollment(conn, r.workspace_id, sent.campaign_id, sent.lead_id, "bounced"));
  if (before) CountLeaving(*before, d);
  LT_RETURN_IF_ERROR(ApplyCounterDeltas(conn, deltas, now));
  LT_RETURN_IF_ERROR(ApplyActivityDeltas(conn, activity));
  LT_RETURN_IF_ERROR(EnforceBounceProtection(conn, deltas, now));
  LT_ASSIGN_OR_RETURN(auto mailbox, conn.Prepare("SELECT mailbox_id, subject FROM messages WHERE "
                                                 "workspace_id = ? AND id = ?"));
  mailbox->Bind(1, r.workspace_id).Bind(2, sent.id);
  LT_ASSIGN_OR_RETURN(bool found, mailbox->Step());
  const domain::MessageFacts facts{sent.id,
                                   sent.campaign_id,
                                   sent.lead_id,
                                   email,
                                   sent.step_index,
                                   found ? mailbox->ColumnText(0) : r.mailbox_id,
                                   found ? mailbox->ColumnText(1) : "",
                                   smtp_code,
                                   diagnostic,
                                   now,
                                   sent.variant_id};
  mailbox.reset();
  return EmitEvent(conn, r.workspace_id, domain::MessageBouncedEvent(facts), now);
}

}  // namespace

Result<std::vector<InboundMailbox>> LeaseDueInboundMailboxes(Connection& conn, int64_t now,
                                                             int64_t lease_until) {
  std::vector<std::pair<std::string, std::string>> ids;
  std::vector<PollCursor> cursors;
  {
    LT_ASSIGN_OR_RETURN(
        auto stmt,
        conn.Prepare(conn.SkipLocked(
            "SELECT workspace_id, id, coalesce(imap_cursor_account, ''), imap_uidvalidity, "
            "imap_last_uid FROM mailboxes WHERE deleted_at IS NULL AND status = 'active' AND "
            "imap_host IS NOT NULL AND imap_lease_until <= ?1 AND (last_polled_at IS NULL OR "
            "last_polled_at + imap_poll_seconds * 1000 <= ?1) ORDER BY workspace_id, id")));
    stmt->Bind(1, now);
    while (true) {
      LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      ids.emplace_back(stmt->ColumnText(0), stmt->ColumnText(1));
      cursors.push_back({stmt->ColumnText(2), stmt->ColumnOptionalInt(3), stmt->ColumnInt(4)});
    }
  }
  LT_ASSIGN_OR_RETURN(auto lease, conn.Prepare("UPDATE mailboxes SET imap_lease_until = ? WHERE "
                                               "workspace_id = ? AND id = ?"));
  std::vector<InboundMailbox> out;
  for (size_t i = 0; i < ids.size(); ++i) {
    lease->Bind(1, lease_until).Bind(2, ids[i].first).Bind(3, ids[i].second);
    LT_RETURN_IF_ERROR(lease->Run());
    LT_ASSIGN_OR_RETURN(domain::Mailbox m, LoadMailbox(conn, ids[i].first, ids[i].second));
    out.push_back({std::move(m), cursors[i]});
  }
  return out;
}

Status RecordPoll(Connection& conn, const std::string& workspace_id, const std::string& mailbox_id,
                  const PollCursor& cursor, int64_t now, const std::string& error) {
  LT_ASSIGN_OR_RETURN(
      auto stmt, conn.Prepare("UPDATE mailboxes SET imap_cursor_account = ?, imap_uidvalidity = ?, "
                              "imap_last_uid = ?, last_polled_at = ?, imap_lease_until = 0, "
                              "last_error = CASE WHEN ?5 != '' THEN "
                              "?5 WHEN last_error LIKE 'imap: %' THEN '' ELSE last_error END WHERE "
                              "workspace_id = ? AND id = ?"));
  stmt->Bind(1, cursor.account)
      .Bind(2, cursor.uidvalidity)
      .Bind(3, cursor.last_uid)
      .Bind(4, now)
      .Bind(5, error)
      .Bind(6, workspace_id)
      .Bind(7, mailbox_id);
  return stmt->Run();
}

Result<InboundResult> RecordInbound(Connection& conn, const InboundRecord& r, int64_t now) {
  InboundResult result;
  {
    LT_ASSIGN_OR_RETURN(auto seen, conn.Prepare("SELECT 1 FROM inbound_messages WHERE "
                                                "workspace_id = ? AND mailbox_id = ? AND "
                                                "uidvalidity = ? AND uid = ?"));
    seen->Bind(1, r.workspace_id).Bind(2, r.mailbox_id).Bind(3, r.uidvalidity).Bind(4, r.uid);
    LT_ASSIGN_OR_RETURN(result.duplicate, seen->Step());
  }
  if (!r.facts.message_id.empty() && !result.duplicate) {
    // The same message again (copied, or the UIDs were reset): once is enough.
    LT_ASSIGN_OR_RETURN(auto same, conn.Prepare("SELECT 1 FROM inbound_messages WHERE "
                                                "workspace_id = ? AND mailbox_id = ? AND "
                                                "message_id_header = ?"));
    same->Bind(1, r.workspace_id).Bind(2, r.mailbox_id).Bind(3, r.facts.message_id);
    LT_ASSIGN_OR_RETURN(result.duplicate, same->Step());
  }
  if (result.duplicate) return result;
  LT_ASSIGN_OR_RETURN(std::optional<SentMessage> sent, Match(conn, r));
  if (!sent) return result;
  LT_ASSIGN_OR_RETURN(std::string lead_email, LeadEmail(conn, r.workspace_id, sent->lead_id));
  // An erased person's mail is not kept again.
  if (lead_email.empty()) return result;
  result.matched = true;
  result.campaign_id = sent->campaign_id;
  result.lead_id = sent->lead_id;

  const domain::DsnRecipient* recipient = domain::DecisiveRecipient(r.facts);
  domain::InboundKind kind = r.kind;
  if (kind == domain::InboundKind::kUnsubscribe) {
    // Only the lead may unsubscribe the lead: a colleague answering in the
    // thread with that subject is a reply like any other.
    if (domain::NormalizeEmail(r.facts.from) != lead_email) kind = domain::InboundKind::kReply;
  }
  LT_ASSIGN_OR_RETURN(
      auto insert,
      conn.Prepare("INSERT INTO inbound_messages(workspace_id, id, mailbox_id, uidvalidity, uid, "
                   "kind, campaign_id, lead_id, message_row_id, from_addr, subject, "
                   "message_id_header, snippet, dsn_status, smtp_code, diagnostic, received_at, "
                   "label, body_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                   "?, ?)"));
  const bool is_report =
      r.kind == domain::InboundKind::kBounce || r.kind == domain::InboundKind::kDelay;
  insert->Bind(1, r.workspace_id)
      .Bind(2, r.id)
      .Bind(3, r.mailbox_id)
      .Bind(4, r.uidvalidity)
      .Bind(5, r.uid)
      .Bind(6, domain::ToString(kind))
      .Bind(7, sent->campaign_id)
      .Bind(8, sent->lead_id)
      .Bind(9, sent->id)
      .Bind(10, r.facts.from)
      .Bind(11, r.facts.subject)
      .Bind(12, r.facts.message_id)
      .Bind(13, r.facts.snippet);
  if (is_report && recipient) {
    insert->Bind(14, recipient->status)
        .Bind(15, static_cast<int64_t>(domain::DiagnosticSmtpCode(recipient->diagnostic)))
        .Bind(16, recipient->diagnostic);
  } else {
    insert->BindNull(14).BindNull(15).BindNull(16);
  }
  const std::optional<std::string> label = ArrivalLabel(kind);
  insert->Bind(17, r.received_at).Bind(18, label).Bind(19, r.facts.text);
  LT_RETURN_IF_ERROR(insert->Run());
  insert.reset();
  if (!is_report) {
    // In the inbox: counted unread; a label the classifier gave is announced.
    LT_RETURN_IF_ERROR(AddInboxCount(conn, r.workspace_id, label.value_or(""), 1, 1));
    if (label) {
      domain::LabelFacts facts{r.id,  sent->lead_id, sent->campaign_id,   lead_email,
                               label, std::nullopt,  /*by_person=*/false, now};
      LT_RETURN_IF_ERROR(EmitEvent(conn, r.workspace_id, domain::LeadLabeledEvent(facts), now));
    }
  }

  switch (kind) {
    case domain::InboundKind::kReply:
      LT_RETURN_IF_ERROR(ApplyReply(conn, r, *sent, lead_email, now));
      break;
    case domain::InboundKind::kBounce:
      LT_RETURN_IF_ERROR(ApplyBounce(conn, r, *sent, recipient, lead_email, now));
      break;
    case domain::InboundKind::kUnsubscribe:
      LT_RETURN_IF_ERROR(
          UnsubscribeLead(conn, r.workspace_id, sent->lead_id, now, kUnsubscribeByEmail).status());
      break;
    case domain::InboundKind::kAutoReply:
    case domain::InboundKind::kDelay:
      break;  // recorded in the thread only
  }
  return result;
}

Result<std::vector<ThreadItem>> ListThread(Connection& conn, const std::string& workspace_id,
                                           const std::string& campaign_id,
                                           const std::string& lead_id) {
  {
    LT_ASSIGN_OR_RETURN(auto enrolled,
                        conn.Prepare("SELECT 1 FROM enrollments e JOIN campaigns c ON "
                                     "c.workspace_id = e.workspace_id AND c.id = e.campaign_id "
                                     "WHERE e.workspace_id = ? AND e.campaign_id = ? AND "
                                     "e.lead_id = ? AND c.deleted_at IS NULL"));
    enrolled->Bind(1, workspace_id).Bind(2, campaign_id).Bind(3, lead_id);
    LT_ASSIGN_OR_RETURN(bool found, enrolled->Step());
    if (!found) return NotFound("lead not enrolled in this campaign");
  }
  std::vector<ThreadItem> items;
  std::map<std::string, int> step_of;  // our message id -> step index
  {
    LT_ASSIGN_OR_RETURN(auto out,
                        conn.Prepare("SELECT id, step_index, subject, status, message_id_header, "
                                     "coalesce(sent_at, updated_at), smtp_code, smtp_reply, "
                                     "variant_id FROM messages WHERE workspace_id = ? AND "
                                     "lead_id = ? AND campaign_id = ?"));
    out->Bind(1, workspace_id).Bind(2, lead_id).Bind(3, campaign_id);
    while (true) {
      LT_ASSIGN_OR_RETURN(bool row, out->Step());
      if (!row) break;
      ThreadItem item;
      item.id = out->ColumnText(0);
      item.kind = "step";
      item.step_index = static_cast<int>(out->ColumnInt(1));
      item.subject = out->ColumnText(2);
      item.status = out->ColumnText(3);
      item.message_id_header = out->ColumnText(4);
      item.at = out->ColumnInt(5);
      item.smtp_code = out->ColumnOptionalInt(6);
      item.smtp_reply = out->ColumnOptionalText(7);
      item.variant_id = out->ColumnText(8);
      step_of[item.id] = *item.step_index;
      items.push_back(std::move(item));
    }
  }
  LT_ASSIGN_OR_RETURN(auto in,
                      conn.Prepare("SELECT id, kind, message_row_id, subject, from_addr, "
                                   "message_id_header, received_at, snippet, smtp_code, "
                                   "diagnostic, dsn_status FROM inbound_messages WHERE "
                                   "workspace_id = ? AND lead_id = ? AND campaign_id = ?"));
  in->Bind(1, workspace_id).Bind(2, lead_id).Bind(3, campaign_id);
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, in->Step());
    if (!row) break;
    ThreadItem item;
    item.inbound = true;
    item.id = in->ColumnText(0);
    item.kind = in->ColumnText(1);
    if (auto it = step_of.find(in->ColumnText(2)); it != step_of.end())
      item.step_index = it->second;
    item.subject = in->ColumnText(3);
    item.from = in->ColumnText(4);
    item.message_id_header = in->ColumnText(5);
    item.at = in->ColumnInt(6);
    item.snippet = in->ColumnText(7);
    item.smtp_code = in->ColumnOptionalInt(8);
    item.smtp_reply = in->ColumnOptionalText(9);
    item.dsn_status = in->ColumnOptionalText(10);
    items.push_back(std::move(item));
  }
  in.reset();
  LT_ASSIGN_OR_RETURN(auto answers,
                      conn.Prepare("SELECT id, subject, status, message_id_header, "
                                   "coalesce(sent_at, created_at), smtp_code, smtp_reply, "
                                   "message_row_id FROM answers WHERE workspace_id = ? AND "
                                   "lead_id = ? AND campaign_id = ?"));
  answers->Bind(1, workspace_id).Bind(2, lead_id).Bind(3, campaign_id);
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, answers->Step());
    if (!row) break;
    ThreadItem item;
    item.id = answers->ColumnText(0);
    item.kind = "answer";
    item.subject = answers->ColumnText(1);
    item.status = answers->ColumnText(2);
    item.message_id_header = answers->ColumnText(3);
    item.at = answers->ColumnInt(4);
    item.smtp_code = answers->ColumnOptionalInt(5);
    item.smtp_reply = answers->ColumnOptionalText(6);
    if (auto it = step_of.find(answers->ColumnText(7)); it != step_of.end())
      item.step_index = it->second;
    items.push_back(std::move(item));
  }
  std::stable_sort(items.begin(), items.end(), [](const ThreadItem& a, const ThreadItem& b) {
    return a.at != b.at ? a.at < b.at : a.id < b.id;
  });
  return items;
}

}  // namespace leadterra::store::sql
