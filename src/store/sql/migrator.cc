#include "store/sql/migrator.h"

namespace leadterra::store::sql {

Status ApplyMigrations(Connection& conn, const std::vector<Migration>& migrations,
                       const std::string& create_table) {
  LT_RETURN_IF_ERROR(conn.Exec(create_table));
  for (const Migration& m : migrations) {
    Status status = InTransaction(conn, /*write=*/true, std::string(), [&]() -> Status {
      LT_ASSIGN_OR_RETURN(auto check,
                          conn.Prepare("SELECT 1 FROM schema_migrations WHERE version = ?"));
      check->Bind(1, m.version);
      LT_ASSIGN_OR_RETURN(bool applied, check->Step());
      check.reset();
      if (applied) return Status::Ok();
      LT_RETURN_IF_ERROR(conn.Exec(m.sql));
      LT_ASSIGN_OR_RETURN(auto record,
                          conn.Prepare("INSERT INTO schema_migrations(version) VALUES (?)"));
      record->Bind(1, m.version);
      return record->Run();
    });
    if (!status.ok()) {
      return Internal("migration " + std::to_string(m.version) + ": " + status.message());
    }
  }
  return Status::Ok();
}

}  // namespace leadterra::store::sql
