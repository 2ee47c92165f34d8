// Versioned schema migrations for the PostgreSQL backend. Several nodes may
// start at once: the runner holds a session advisory lock while it checks and
// applies, each migration in its own transaction, recorded in
// schema_migrations, so applying twice is a no-op.
#pragma once

#include "store/sql/sql_connection.h"

namespace leadterra::store::postgres {

Status ApplyMigrations(sql::Connection& conn);
// The version of the newest migration this binary knows.
int LatestSchemaVersion();

}  // namespace leadterra::store::postgres
