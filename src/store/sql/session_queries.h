// SQL queries (both backends) behind SessionStore, run inside the caller's
// transaction (or as single statements).
#pragma once

#include <cstdint>
#include <string>

#include "store/sql/sql_connection.h"
#include "store/store.h"

namespace leadterra::store::sql {

Status InsertSession(Connection& conn, const domain::Session& session);
Result<SessionStore::SessionLookup> FindSession(Connection& conn, const std::string& token_hash);
Status TouchSession(Connection& conn, const std::string& token_hash, int64_t now);
Status DeleteSession(Connection& conn, const std::string& token_hash);
// Every session of one key (the key was revoked: its sessions die with it).
Status DeleteKeySessions(Connection& conn, const std::string& workspace_id,
                         const std::string& key_id);
Result<int64_t> DeleteIdleSessions(Connection& conn, int64_t idle_before);

}  // namespace leadterra::store::sql
