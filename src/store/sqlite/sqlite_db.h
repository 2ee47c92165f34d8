// The SQLite driver behind the shared SQL store: a connection in WAL mode
// with a cache of prepared statements. Writers serialize on BEGIN IMMEDIATE,
// so the workspace lock is a no-op here.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "store/sql/sql_connection.h"

struct sqlite3;
struct sqlite3_stmt;

namespace leadterra::store::sqlite {

class SqliteConnection final : public sql::Connection {
 public:
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path);
  ~SqliteConnection() override;

  sql::Dialect dialect() const override { return sql::Dialect::kSqlite; }
  Status Exec(const std::string& sql) override;
  Result<std::unique_ptr<sql::Statement>> Prepare(const std::string& sql) override;
  int64_t Changes() const override;
  Status Begin(bool write) override { return Exec(write ? "BEGIN IMMEDIATE" : "BEGIN"); }
  Status LockWorkspace(const std::string&) override { return Status::Ok(); }

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// `size` connections to the database file at `path` (created if missing).
Result<std::unique_ptr<sql::ConnectionPool>> OpenSqlitePool(const std::string& path, int size);

}  // namespace leadterra::store::sqlite
