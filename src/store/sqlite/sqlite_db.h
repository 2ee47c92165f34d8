// The SQLite driver behind the shared SQL store: a connection in WAL mode
// with a cache of prepared statements. Writers serialize on BEGIN IMMEDIATE,
// so the workspace lock is a no-op here. The connections of one pool take
// turns to write through an in-process gate: a writer waits on the gate, not
// in SQLite's busy handler, which sleeps whole milliseconds between tries.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "store/sql/sql_connection.h"

struct sqlite3;
struct sqlite3_stmt;

namespace leadterra::store::sqlite {

class SqliteConnection final : public sql::Connection {
 public:
  // `write_gate`: shared by the connections that take turns to write (may
  // be null: the connection does not wait on a gate).
  static Result<std::unique_ptr<SqliteConnection>> Open(
      const std::string& path, std::shared_ptr<std::mutex> write_gate = nullptr);
  ~SqliteConnection() override;

  sql::Dialect dialect() const override { return sql::Dialect::kSqlite; }
  Status Exec(const std::string& sql) override;
  Result<std::unique_ptr<sql::Statement>> Prepare(const std::string& sql) override;
  int64_t Changes() const override;
  Status Begin(bool write) override;
  Status Commit() override;
  void Rollback() override;
  Status LockWorkspace(const std::string&) override { return Status::Ok(); }

 private:
  SqliteConnection(sqlite3* db, std::shared_ptr<std::mutex> write_gate)
      : db_(db), write_gate_(std::move(write_gate)) {}
  // Lets the next writer in once this connection's transaction has ended.
  void LeaveGate();

  sqlite3* db_;
  std::shared_ptr<std::mutex> write_gate_;
  std::unique_lock<std::mutex> writing_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// `size` connections to the database file at `path` (created if missing).
Result<std::unique_ptr<sql::ConnectionPool>> OpenSqlitePool(const std::string& path, int size);

}  // namespace leadterra::store::sqlite
