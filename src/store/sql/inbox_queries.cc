#include "store/sql/inbox_queries.h"

#include "domain/lead.h"
#include "domain/webhook.h"
#include "store/sql/lead_directory_queries.h"
#include "store/sql/mailbox_queries.h"
#include "store/sql/suppression_queries.h"
#include "store/sql/webhook_queries.h"

namespace leadterra::store::sql {
namespace {

// Columns of `inbound_messages i` joined with its lead, campaign and the
// message it answers, in the order ReadItem expects.
constexpr char kItemColumns[] =
    "i.id, i.kind, i.lead_id, coalesce(l.email, ''), l.first_name, l.last_name, l.company, "
    "i.campaign_id, coalesce(c.name, ''), m.step_index, i.mailbox_id, i.from_addr, i.subject, "
    "i.snippet, i.received_at, i.label, i.read_at";
constexpr char kItemJoins[] =
    " LEFT JOIN leads l ON l.workspace_id = i.workspace_id AND l.id = i.lead_id LEFT JOIN "
    "campaigns c ON c.workspace_id = i.workspace_id AND c.id = i.campaign_id LEFT JOIN messages "
    "m ON m.workspace_id = i.workspace_id AND m.id = i.message_row_id";

InboxItem ReadItem(const Statement& row) {
  InboxItem item;
  item.id = row.ColumnText(0);
  item.kind = row.ColumnText(1);
  item.lead_id = row.ColumnText(2);
  item.lead_email = row.ColumnText(3);
  item.first_name = row.ColumnOptionalText(4);
  item.last_name = row.ColumnOptionalText(5);
  item.company = row.ColumnOptionalText(6);
  item.campaign_id = row.ColumnText(7);
  item.campaign_name = row.ColumnText(8);
  if (auto step = row.ColumnOptionalInt(9)) item.step_index = static_cast<int>(*step);
  item.mailbox_id = row.ColumnText(10);
  item.from = row.ColumnText(11);
  item.subject = row.ColumnText(12);
  item.snippet = row.ColumnText(13);
  item.received_at = row.ColumnInt(14);
  item.label = row.ColumnOptionalText(15);
  item.read = !row.ColumnIsNull(16);
  return item;
}

// "Re: <subject>", without stacking prefixes.
std::string ReplySubject(std::string subject) {
  // Header-safe: a decoded subject may carry line breaks.
  for (char& c : subject) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  if (subject.size() >= 3 && (subject[0] == 'R' || subject[0] == 'r') &&
      (subject[1] == 'E' || subject[1] == 'e') && subject[2] == ':') {
    return subject;
  }
  return "Re: " + subject;
}

}  // namespace

std::optional<std::string> ArrivalLabel(domain::InboundKind kind) {
  if (kind == domain::InboundKind::kAutoReply) return "out_of_office";
  if (kind == domain::InboundKind::kUnsubscribe) return "unsubscribe";
  return std::nullopt;
}

Result<Page<InboxItem>> ListInbox(Connection& conn, const std::string& workspace_id,
                                  const InboxQuery& query) {
  // Newest first from one partial index: by label, by campaign, unread, or
  // all; the other filters check each row.
  const bool sqlite = conn.dialect() == Dialect::kSqlite;
  std::string index = "inbox_by_time";
  if (query.label) {
    index = "inbox_by_label";
  } else if (query.campaign_id) {
    index = "inbox_by_campaign";
  } else if (query.unread && *query.unread) {
    index = "inbox_unread";
  }
  std::string sql = std::string("SELECT ") + kItemColumns + " FROM inbound_messages i " +
                    (sqlite ? "INDEXED BY " + index : "") + kItemJoins +
                    " WHERE i.workspace_id = ?1 AND i." + kInboxKinds;
  if (query.campaign_id) sql += " AND i.campaign_id = ?2";
  if (query.label) sql += query.label->empty() ? " AND i.label IS NULL" : " AND i.label = ?3";
  if (query.unread) sql += *query.unread ? " AND i.read_at IS NULL" : " AND i.read_at IS NOT NULL";
  if (query.after) sql += " AND (i.received_at, i.id) < (?4, ?5)";
  sql += " ORDER BY i.received_at DESC, i.id DESC LIMIT ?6";
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare(sql));
  stmt->Bind(1, workspace_id);
  if (query.campaign_id) stmt->Bind(2, *query.campaign_id);
  if (query.label && !query.label->empty()) stmt->Bind(3, *query.label);
  if (query.after) stmt->Bind(4, query.after->first).Bind(5, query.after->second);
  stmt->Bind(6, query.limit + 1);
  Page<InboxItem> page;
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    page.items.push_back(ReadItem(*stmt));
  }
  page.TrimTo(query.limit);
  return page;
}

Result<InboxItem> GetInboxItem(Connection& conn, const std::string& workspace_id,
                               const std::string& id) {
  LT_ASSIGN_OR_RETURN(
      auto stmt,
      conn.Prepare(std::string("SELECT ") + kItemColumns + ", i.body_text FROM inbound_messages i" +
                   kItemJoins + " WHERE i.workspace_id = ? AND i.id = ? AND i." + kInboxKinds));
  stmt->Bind(1, workspace_id).Bind(2, id);
  LT_ASSIGN_OR_RETURN(bool found, stmt->Step());
  if (!found) return NotFound("inbox item not found");
  InboxItem item = ReadItem(*stmt);
  item.text = stmt->ColumnText(17);
  return item;
}

Result<InboxItem> UpdateInboxItem(Connection& conn, const std::string& workspace_id,
                                  const std::string& id, const InboxChange& change, int64_t now) {
  LT_ASSIGN_OR_RETURN(InboxItem before, GetInboxItem(conn, workspace_id, id));
  std::optional<std::string> label = before.label;
  bool read = before.read;
  if (change.label) label = *change.label;
  if (change.read) read = *change.read;
  if (label == before.label && read == before.read) return before;
  LT_ASSIGN_OR_RETURN(auto update, conn.Prepare("UPDATE inbound_messages SET label = ?, read_at = "
                                                "CASE WHEN ? = 1 THEN coalesce(read_at, ?) ELSE "
                                                "NULL END WHERE workspace_id = ? AND id = ?"));
  update->Bind(1, label).Bind(2, read ? 1 : 0).Bind(3, now).Bind(4, workspace_id).Bind(5, id);
  LT_RETURN_IF_ERROR(update->Run());
  update.reset();
  // The item leaves its old (label, unread) count and joins the new one.
  LT_RETURN_IF_ERROR(
      AddInboxCount(conn, workspace_id, before.label.value_or(""), -1, before.read ? 0 : -1));
  LT_RETURN_IF_ERROR(AddInboxCount(conn, workspace_id, label.value_or(""), 1, read ? 0 : 1));
  if (label != before.label) {
    domain::LabelFacts facts{id,    before.lead_id, before.campaign_id, before.lead_email,
                             label, before.label,   /*by_person=*/true, now};
    LT_RETURN_IF_ERROR(EmitEvent(conn, workspace_id, domain::LeadLabeledEvent(facts), now));
  }
  return GetInboxItem(conn, workspace_id, id);
}

Result<InboxCounts> CountInbox(Connection& conn, const std::string& workspace_id) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("SELECT label, total, unread FROM inbox_counters "
                                              "WHERE workspace_id = ?"));
  stmt->Bind(1, workspace_id);
  InboxCounts counts;
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    counts[stmt->ColumnText(0)] = {stmt->ColumnInt(1), stmt->ColumnInt(2)};
  }
  return counts;
}

Result<AnswerDraft> BeginAnswer(Connection& conn, const std::string& workspace_id,
                                const std::string& inbound_id, const std::string& answer_id,
                                const std::string& body_html, int64_t now) {
  LT_ASSIGN_OR_RETURN(InboxItem item, GetInboxItem(conn, workspace_id, inbound_id));
  if (item.lead_email.empty()) return NotFound("inbox item not found");
  const std::string email = domain::NormalizeEmail(item.lead_email);
  LT_ASSIGN_OR_RETURN(std::vector<std::string> suppressed,
                      FindSuppressed(conn, workspace_id, {email}));
  if (!suppressed.empty()) {
    return InvalidState("the lead's address is suppressed: no mail goes to it");
  }
  auto mailbox = LoadMailbox(conn, workspace_id, item.mailbox_id);
  if (!mailbox.ok()) {
    if (mailbox.status().code() == ErrorCode::kNotFound) {
      return InvalidState("the mailbox this reply came to was deleted");
    }
    return mailbox.status();
  }
  AnswerDraft draft;
  draft.answer_id = answer_id;
  draft.mailbox = std::move(*mailbox);
  draft.message_id_header =
      "<" + answer_id + "@" + std::string(domain::MailboxDomain(draft.mailbox)) + ">";
  draft.lead_id = item.lead_id;
  draft.lead_email = item.lead_email;
  draft.lead_name = item.first_name.value_or("");
  if (item.last_name && !item.last_name->empty()) {
    draft.lead_name += (draft.lead_name.empty() ? "" : " ") + *item.last_name;
  }
  draft.campaign_id = item.campaign_id;
  draft.subject = ReplySubject(item.subject);
  draft.quoted_from = item.from;
  draft.quoted_text = item.text;
  draft.quoted_at = item.received_at;
  std::string message_row_id, reply_header;
  {
    LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("SELECT message_row_id, message_id_header FROM "
                                                "inbound_messages WHERE workspace_id = ? AND id "
                                                "= ?"));
    stmt->Bind(1, workspace_id).Bind(2, inbound_id);
    LT_ASSIGN_OR_RETURN(bool found, stmt->Step());
    if (!found) return NotFound("inbox item not found");
    message_row_id = stmt->ColumnText(0);
    reply_header = stmt->ColumnText(1);
  }
  {
    // The thread: our steps to the lead in this campaign, oldest first, then
    // the reply being answered.
    LT_ASSIGN_OR_RETURN(auto stmt,
                        conn.Prepare("SELECT message_id_header FROM messages WHERE workspace_id "
                                     "= ? AND lead_id = ? AND campaign_id = ? AND status IN "
                                     "('delivered', 'unknown') ORDER BY step_index"));
    stmt->Bind(1, workspace_id).Bind(2, item.lead_id).Bind(3, item.campaign_id);
    while (true) {
      LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      draft.references.push_back(stmt->ColumnText(0));
    }
  }
  if (!reply_header.empty()) draft.references.push_back(reply_header);
  LT_ASSIGN_OR_RETURN(
      auto insert,
      conn.Prepare("INSERT INTO answers(workspace_id, id, inbound_id, campaign_id, lead_id, "
                   "mailbox_id, message_row_id, message_id_header, subject, body_html, status, "
                   "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'sending', ?)"));
  insert->Bind(1, workspace_id)
      .Bind(2, answer_id)
      .Bind(3, inbound_id)
      .Bind(4, item.campaign_id)
      .Bind(5, item.lead_id)
      .Bind(6, item.mailbox_id)
      .Bind(7, message_row_id)
      .Bind(8, draft.message_id_header)
      .Bind(9, draft.subject)
      .Bind(10, body_html)
      .Bind(11, now);
  LT_RETURN_IF_ERROR(insert->Run());
  return draft;
}

Result<Answer> FinishAnswer(Connection& conn, const std::string& workspace_id,
                            const std::string& answer_id, const std::string& status,
                            std::optional<int64_t> smtp_code, const std::string& smtp_reply,
                            int64_t now) {
  LT_ASSIGN_OR_RETURN(auto update,
                      conn.Prepare("UPDATE answers SET status = ?, smtp_code = ?, smtp_reply = ?, "
                                   "sent_at = ? WHERE workspace_id = ? AND id = ?"));
  update->Bind(1, status)
      .Bind(2, smtp_code)
      .Bind(3, smtp_reply)
      .Bind(4, now)
      .Bind(5, workspace_id)
      .Bind(6, answer_id);
  LT_RETURN_IF_ERROR(update->Run());
  update.reset();
  LT_ASSIGN_OR_RETURN(auto read,
                      conn.Prepare("SELECT id, inbound_id, lead_id, campaign_id, mailbox_id, "
                                   "subject, status, smtp_code, smtp_reply, created_at, sent_at "
                                   "FROM answers WHERE workspace_id = ? AND id = ?"));
  read->Bind(1, workspace_id).Bind(2, answer_id);
  LT_ASSIGN_OR_RETURN(bool found, read->Step());
  if (!found) return NotFound("answer not found");
  return Answer{read->ColumnText(0), read->ColumnText(1),        read->ColumnText(2),
                read->ColumnText(3), read->ColumnText(4),        read->ColumnText(5),
                read->ColumnText(6), read->ColumnOptionalInt(7), read->ColumnOptionalText(8),
                read->ColumnInt(9),  read->ColumnOptionalInt(10)};
}

}  // namespace leadterra::store::sql
