// Versioned schema migrations for the SQLite backend, applied in order at
// start-up; each runs in its own transaction and is recorded in
// schema_migrations, so applying twice is a no-op.
#pragma once

#include "store/sql/sql_connection.h"

namespace leadterra::store::sqlite {

Status ApplyMigrations(sql::Connection& conn);
// The version of the newest migration this binary knows.
int LatestSchemaVersion();

}  // namespace leadterra::store::sqlite
