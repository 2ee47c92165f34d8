// Applies a backend's versioned schema migrations in order. Each migration
// runs in its own transaction together with its row in schema_migrations, so
// a migration is applied once and applying the list again is a no-op.
#pragma once

#include <string>
#include <vector>

#include "store/sql/sql_connection.h"

namespace leadterra::store::sql {

struct Migration {
  int version;
  const char* sql;
};

// `create_table`: the backend's CREATE TABLE IF NOT EXISTS schema_migrations
// (version, applied_at). Callers that share a database across processes
// serialize calls themselves (PostgreSQL: a session advisory lock).
Status ApplyMigrations(Connection& conn, const std::vector<Migration>& migrations,
                       const std::string& create_table);

}  // namespace leadterra::store::sql
