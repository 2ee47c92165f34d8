#include "store/sqlite/sqlite_store.h"

#include "store/sql/sql_store.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_db.h"

namespace leadterra::store {

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const OpenOptions& options) {
  LT_ASSIGN_OR_RETURN(auto pool, sqlite::OpenSqlitePool(path, options.connections));
  {
    auto conn = pool->Acquire();
    LT_RETURN_IF_ERROR(sqlite::ApplyMigrations(*conn));
    // One process owns the file: whatever the last one held is its no more.
    LT_RETURN_IF_ERROR(
        conn->Exec("UPDATE messages SET lease_until = 0 WHERE status IN ('claimed', 'sending');"
                   "UPDATE webhook_deliveries SET lease_until = NULL WHERE lease_until IS NOT NULL;"
                   "UPDATE mailboxes SET imap_lease_until = 0 WHERE imap_lease_until != 0;"));
  }
  return MakeSqlStore(std::move(pool), {options.day_millis, options.lease_millis, "sqlite", ""});
}

}  // namespace leadterra::store
