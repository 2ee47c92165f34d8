#include "store/sql/session_queries.h"

namespace leadterra::store::sql {

Status InsertSession(Connection& conn, const domain::Session& s) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("INSERT INTO sessions(token_hash, workspace_id, "
                                              "key_id, created_at, last_seen_at) "
                                              "VALUES (?, ?, ?, ?, ?)"));
  stmt->Bind(1, s.token_hash)
      .Bind(2, s.workspace_id)
      .Bind(3, s.key_id)
      .Bind(4, s.created_at)
      .Bind(5, s.last_seen_at);
  return stmt->Run();
}

Result<SessionStore::SessionLookup> FindSession(Connection& conn, const std::string& token_hash) {
  LT_ASSIGN_OR_RETURN(auto stmt,
                      conn.Prepare("SELECT s.token_hash, s.workspace_id, s.key_id, s.created_at, "
                                   "s.last_seen_at, k.revoked_at IS NOT NULL FROM sessions s "
                                   "JOIN api_keys k ON k.id = s.key_id WHERE s.token_hash = ?"));
  stmt->Bind(1, token_hash);
  LT_ASSIGN_OR_RETURN(bool found, stmt->Step());
  if (!found) return NotFound("session not found");
  SessionStore::SessionLookup out;
  out.session.token_hash = stmt->ColumnText(0);
  out.session.workspace_id = stmt->ColumnText(1);
  out.session.key_id = stmt->ColumnText(2);
  out.session.created_at = stmt->ColumnInt(3);
  out.session.last_seen_at = stmt->ColumnInt(4);
  out.key_revoked = stmt->ColumnInt(5) != 0;
  return out;
}

Status TouchSession(Connection& conn, const std::string& token_hash, int64_t now) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("UPDATE sessions SET last_seen_at = ? WHERE "
                                              "token_hash = ? AND last_seen_at < ?"));
  stmt->Bind(1, now).Bind(2, token_hash).Bind(3, now);
  return stmt->Run();
}

Status DeleteSession(Connection& conn, const std::string& token_hash) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("DELETE FROM sessions WHERE token_hash = ?"));
  stmt->Bind(1, token_hash);
  return stmt->Run();
}

Status DeleteKeySessions(Connection& conn, const std::string& workspace_id,
                         const std::string& key_id) {
  LT_ASSIGN_OR_RETURN(auto stmt,
                      conn.Prepare("DELETE FROM sessions WHERE workspace_id = ? AND key_id = ?"));
  stmt->Bind(1, workspace_id).Bind(2, key_id);
  return stmt->Run();
}

Result<int64_t> DeleteIdleSessions(Connection& conn, int64_t idle_before) {
  LT_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("DELETE FROM sessions WHERE last_seen_at < ?"));
  stmt->Bind(1, idle_before);
  LT_RETURN_IF_ERROR(stmt->Run());
  return conn.Changes();
}

}  // namespace leadterra::store::sql
