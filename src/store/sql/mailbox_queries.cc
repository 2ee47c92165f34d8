#include "store/sql/mailbox_queries.h"

namespace leadterra::store::sql {
namespace {

using domain::Mailbox;

constexpr char kColumns[] =
    "workspace_id, id, email, from_name, smtp_host, smtp_port, smtp_username, smtp_password, "
    "smtp_security, imap_host, imap_port, imap_username, imap_password, imap_security, "
    "imap_poll_seconds, daily_limit, status, last_error, verified_at, created_at, updated_at, "
    "last_polled_at";

Mailbox ReadMailbox(const Statement& row) {
  Mailbox m;
  m.workspace_id = row.ColumnText(0);
  m.id = row.ColumnText(1);
  m.email = row.ColumnText(2);
  m.from_name = row.ColumnText(3);
  m.smtp.host = row.ColumnText(4);
  m.smtp.port = static_cast<int>(row.ColumnInt(5));
  m.smtp.username = row.ColumnText(6);
  m.smtp.password_sealed = row.ColumnText(7);
  m.smtp.security = domain::ParseSecurity(row.ColumnText(8)).value_or(domain::Security::kStartTls);
  if (!row.ColumnIsNull(9)) {
    domain::ServerSettings imap;
    imap.host = row.ColumnText(9);
    imap.port = static_cast<int>(row.ColumnInt(10));
    imap.username = row.ColumnText(11);
    imap.password_sealed = row.ColumnText(12);
    imap.security = domain::ParseSecurity(row.ColumnText(13)).value_or(domain::Security::kTls);
    m.imap = std::move(imap);
  }
  m.imap_poll_seconds = static_cast<int>(row.ColumnInt(14));
  m.daily_limit = static_cast<int>(row.ColumnInt(15));
  m.status =
      domain::ParseMailboxStatus(row.ColumnText(16)).value_or(domain::MailboxStatus::kPaused);
  m.last_error = row.ColumnText(17);
  m.verified_at = row.ColumnOptionalInt(18);
  m.created_at = row.ColumnInt(19);
  m.updated_at = row.ColumnInt(20);
  m.last_polled_at = row.ColumnOptionalInt(21);
  return m;
}

// Binds every column in kColumns order.
void BindMailbox(Statement& stmt, const Mailbox& m) {
  stmt.Bind(1, m.workspace_id)
      .Bind(2, m.id)
      .Bind(3, m.email)
      .Bind(4, m.from_name)
      .Bind(5, m.smtp.host)
      .Bind(6, m.smtp.port)
      .Bind(7, m.smtp.username)
      .Bind(8, m.smtp.password_sealed)
      .Bind(9, domain::ToString(m.smtp.security));
  if (m.imap) {
    stmt.Bind(10, m.imap->host)
        .Bind(11, m.imap->port)
        .Bind(12, m.imap->username)
        .Bind(13, m.imap->password_sealed)
        .Bind(14, domain::ToString(m.imap->security));
  } else {
    for (int i = 10; i <= 14; ++i) stmt.BindNull(i);
  }
  stmt.Bind(15, m.imap_poll_seconds)
      .Bind(16, m.daily_limit)
      .Bind(17, domain::ToString(m.status))
      .Bind(18, m.last_error)
      .Bind(19, m.verified_at)
      .Bind(20, m.created_at)
      .Bind(21, m.updated_at)
      .Bind(22, m.last_polled_at);
}

}  // namespace

Status InsertMailbox(Connection& conn, const Mailbox& mailbox) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare(std::string("INSERT INTO mailboxes(") + kColumns +
                                              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                              "?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  BindMailbox(*stmt, mailbox);
  return stmt->Run();
}

Status WriteMailbox(Connection& conn, const Mailbox& mailbox) {
  // An UPDATE (not REPLACE) so columns outside kColumns, such as the IMAP
  // cursor, keep their values.
  static const std::string sql = [] {
    std::string set;
    std::string_view columns = kColumns;
    int position = 1;
    while (!columns.empty()) {
      const size_t comma = columns.find(',');
      std::string_view column = columns.substr(0, comma);
      columns = comma == std::string_view::npos ? std::string_view() : columns.substr(comma + 2);
      if (position > 2)
        set += (set.empty() ? "" : ", ") + std::string(column) + " = ?" + std::to_string(position);
      ++position;
    }
    return "UPDATE mailboxes SET " + set + " WHERE workspace_id = ?1 AND id = ?2";
  }();
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare(sql));
  BindMailbox(*stmt, mailbox);
  return stmt->Run();
}

Result<Mailbox> LoadMailbox(Connection& conn, const std::string& workspace_id,
                            const std::string& id) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare(std::string("SELECT ") + kColumns +
                                              " FROM mailboxes WHERE workspace_id = ? AND id = ? "
                                              "AND deleted_at IS NULL"));
  stmt->Bind(1, workspace_id).Bind(2, id);
  LT_ASSIGN_OR_RETURN(bool found, stmt->Step());
  if (!found) return NotFound("mailbox not found");
  return ReadMailbox(*stmt);
}

Result<Page<Mailbox>> ListMailboxes(Connection& conn, const std::string& workspace_id,
                                    const PageRequest& page) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare(std::string("SELECT ") + kColumns +
                                              " FROM mailboxes WHERE workspace_id = ? AND id > ? "
                                              "AND deleted_at IS NULL ORDER BY id LIMIT ?"));
  stmt->Bind(1, workspace_id).Bind(2, page.after_id).Bind(3, page.limit + 1);
  Page<Mailbox> out;
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.items.push_back(ReadMailbox(*stmt));
  }
  out.TrimTo(page.limit);
  return out;
}

Status SoftDeleteMailbox(Connection& conn, const std::string& workspace_id, const std::string& id,
                         int64_t now) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("UPDATE mailboxes SET deleted_at = ?, status = "
                                              "'paused' WHERE workspace_id = ? AND id = ? AND "
                                              "deleted_at IS NULL"));
  stmt->Bind(1, now).Bind(2, workspace_id).Bind(3, id);
  LT_RETURN_IF_ERROR(stmt->Run());
  return conn.Changes() > 0 ? Status::Ok() : NotFound("mailbox not found");
}

Result<int64_t> CountActiveMailboxes(Connection& conn, const std::string& workspace_id) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("SELECT count(*) FROM mailboxes WHERE "
                                              "workspace_id = ? AND status = 'active' AND "
                                              "deleted_at IS NULL"));
  stmt->Bind(1, workspace_id);
  LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
  return row ? stmt->ColumnInt(0) : 0;
}

}  // namespace leadterra::store::sql
