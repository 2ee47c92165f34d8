#include "store/sql/dkim_queries.h"

namespace leadterra::store::sql {
namespace {

constexpr char kDkimColumns[] =
    "workspace_id, id, domain, selector, private_key_sealed, public_key, created_at, active";

domain::DkimKeyRecord ReadDkimKey(const Statement& row) {
  domain::DkimKeyRecord key;
  key.workspace_id = row.ColumnText(0);
  key.id = row.ColumnText(1);
  key.domain = row.ColumnText(2);
  key.selector = row.ColumnText(3);
  key.private_key_sealed = row.ColumnText(4);
  key.public_key_base64 = row.ColumnText(5);
  key.created_at = row.ColumnInt(6);
  key.active = row.ColumnInt(7) != 0;
  return key;
}

}  // namespace

Status InsertDkimKey(Connection& conn, const domain::DkimKeyRecord& key) {
  LT_ASSIGN_OR_RETURN(auto exists, conn.Prepare("SELECT 1 FROM dkim_keys WHERE workspace_id = ? "
                                                "AND domain = ? AND selector = ?"));
  exists->Bind(1, key.workspace_id).Bind(2, key.domain).Bind(3, key.selector);
  LT_ASSIGN_OR_RETURN(bool taken, exists->Step());
  if (taken) {
    return InvalidState("this domain already has a key with selector '" + key.selector +
                        "'; delete it first or pick another selector");
  }
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare(std::string("INSERT INTO dkim_keys(") + kDkimColumns +
                                              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt->Bind(1, key.workspace_id)
      .Bind(2, key.id)
      .Bind(3, key.domain)
      .Bind(4, key.selector)
      .Bind(5, key.private_key_sealed)
      .Bind(6, key.public_key_base64)
      .Bind(7, key.created_at)
      .Bind(8, key.active ? 1 : 0);
  return stmt->Run();
}

Result<domain::DkimKeyRecord> LoadDkimKey(Connection& conn, const std::string& workspace_id,
                                          const std::string& id) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare(std::string("SELECT ") + kDkimColumns +
                                              " FROM dkim_keys WHERE workspace_id = ? AND id = ?"));
  stmt->Bind(1, workspace_id).Bind(2, id);
  LT_ASSIGN_OR_RETURN(bool found, stmt->Step());
  if (!found) return NotFound("DKIM key not found");
  return ReadDkimKey(*stmt);
}

Result<Page<domain::DkimKeyRecord>> ListDkimKeys(Connection& conn, const std::string& workspace_id,
                                                 const PageRequest& page) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare(std::string("SELECT ") + kDkimColumns +
                                              " FROM dkim_keys WHERE workspace_id = ? AND id > ? "
                                              "ORDER BY id LIMIT ?"));
  stmt->Bind(1, workspace_id).Bind(2, page.after_id).Bind(3, page.limit + 1);
  Page<domain::DkimKeyRecord> out;
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.items.push_back(ReadDkimKey(*stmt));
  }
  out.TrimTo(page.limit);
  return out;
}

Status DeleteDkimKey(Connection& conn, const std::string& workspace_id, const std::string& id) {
  LT_ASSIGN_OR_RETURN(auto stmt,
                      conn.Prepare("DELETE FROM dkim_keys WHERE workspace_id = ? AND id = ?"));
  stmt->Bind(1, workspace_id).Bind(2, id);
  LT_RETURN_IF_ERROR(stmt->Run());
  if (conn.Changes() == 0) return NotFound("DKIM key not found");
  return Status::Ok();
}

Result<domain::DkimKeyRecord> SetDkimKeyActive(Connection& conn, const std::string& workspace_id,
                                               const std::string& id, bool active) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("UPDATE dkim_keys SET active = ? WHERE "
                                              "workspace_id = ? AND id = ?"));
  stmt->Bind(1, active ? 1 : 0).Bind(2, workspace_id).Bind(3, id);
  LT_RETURN_IF_ERROR(stmt->Run());
  return LoadDkimKey(conn, workspace_id, id);
}

Result<std::optional<domain::DkimKeyRecord>> FindSigningKey(Connection& conn,
                                                            const std::string& workspace_id,
                                                            const std::string& domain) {
  LT_ASSIGN_OR_RETURN(auto stmt,
                      conn.Prepare(std::string("SELECT ") + kDkimColumns +
                                   " FROM dkim_keys WHERE workspace_id = ? AND "
                                   "domain = ? AND active = 1 ORDER BY id DESC LIMIT 1"));
  stmt->Bind(1, workspace_id).Bind(2, domain);
  LT_ASSIGN_OR_RETURN(bool found, stmt->Step());
  if (!found) return std::optional<domain::DkimKeyRecord>();
  return std::optional<domain::DkimKeyRecord>(ReadDkimKey(*stmt));
}

}  // namespace leadterra::store::sql
