#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

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
  return MakeSqlStore(std::move(pool), {options.day_millis, options.lease_millis, "sqlite", "",
                                        sqlite::LatestSchemaVersion()});
}

Status BackupSqliteDatabase(const std::string& from, const std::string& to) {
  struct stat st {};
  if (::stat(from.c_str(), &st) != 0) return InvalidArgument("no database at " + from);
  if (::stat(to.c_str(), &st) == 0) return InvalidArgument(to + " exists; back up to a new file");
  sqlite3* source = nullptr;
  sqlite3* target = nullptr;
  auto close_all = [&] {
    if (source) sqlite3_close_v2(source);
    if (target) sqlite3_close_v2(target);
  };
  auto fail = [&](const std::string& what, sqlite3* db) {
    std::string message = what + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
    close_all();
    ::unlink(to.c_str());
    return Internal(message);
  };
  if (sqlite3_open_v2(from.c_str(), &source, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    return fail("cannot open " + from, source);
  }
  sqlite3_busy_timeout(source, 10000);
  if (sqlite3_open_v2(to.c_str(), &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    return fail("cannot create " + to, target);
  }
  sqlite3_backup* backup = sqlite3_backup_init(target, "main", source, "main");
  if (!backup) return fail("cannot start the backup", target);
  int rc = SQLITE_OK;
  for (int tries = 0; tries < 400; ++tries) {
    rc = sqlite3_backup_step(backup, -1);  // every page in one read transaction
    if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    sqlite3_sleep(50);
  }
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return fail("backup failed", target);
  close_all();
  return Status::Ok();
}

}  // namespace leadterra::store
