// A small RAII layer over the sqlite3 C API: a connection with a cache of
// prepared statements, typed binding, and a pool of connections.
//
// A Connection is used by one thread at a time (the pool guarantees it).
// Errors come back as Status(kInternal) carrying SQLite's message for logs;
// the HTTP layer never shows it to clients.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace leadterra::store::sqlite {

class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();  // resets and clears bindings so the cached statement is reusable

  // Positions are 1-based as in SQLite.
  Statement& Bind(int pos, std::string_view value);
  Statement& Bind(int pos, int64_t value);
  Statement& Bind(int pos, int value) { return Bind(pos, static_cast<int64_t>(value)); }
  Statement& Bind(int pos, double value);
  Statement& Bind(int pos, const std::optional<int64_t>& value);
  Statement& Bind(int pos, const std::optional<std::string>& value);
  Statement& Bind(int pos, const char* value) { return Bind(pos, std::string_view(value)); }
  Statement& Bind(int pos, const std::string& value) { return Bind(pos, std::string_view(value)); }
  Statement& BindNull(int pos);

  // Advances; returns true when a row is available.
  Result<bool> Step();
  // Runs a statement that returns no rows (or ignores them), then resets it.
  Status Run();
  // Makes the statement ready to run again with new bindings.
  void Reset();

  std::string ColumnText(int col) const;
  int64_t ColumnInt(int col) const;
  double ColumnDouble(int col) const;
  std::optional<int64_t> ColumnOptionalInt(int col) const;
  std::optional<std::string> ColumnOptionalText(int col) const;
  bool ColumnIsNull(int col) const;

 private:
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const std::string& path);
  ~Connection();

  Status Exec(const std::string& sql);
  // Returns a cached prepared statement; valid until the next Prepare of the
  // same SQL on this connection.
  Result<std::unique_ptr<Statement>> Prepare(const std::string& sql);
  int64_t Changes() const;

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// Fixed-size pool. Acquire blocks until a connection is free.
class ConnectionPool {
 public:
  static Result<std::unique_ptr<ConnectionPool>> Open(const std::string& path, int size);

  class Lease {
   public:
    Lease(ConnectionPool* pool, Connection* conn) : pool_(pool), conn_(conn) {}
    Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(other.conn_) {
      other.conn_ = nullptr;
    }
    Lease(const Lease&) = delete;
    ~Lease();
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_; }

   private:
    ConnectionPool* pool_;
    Connection* conn_;
  };
  Lease Acquire();

 private:
  std::vector<std::unique_ptr<Connection>> all_;
  std::vector<Connection*> free_;
  std::mutex mu_;
  std::condition_variable cv_;
};

// Runs `body` inside BEGIN IMMEDIATE (write) or BEGIN (read) ... COMMIT,
// rolling back when `body` returns an error.
template <typename Fn>
Status InTransaction(Connection& conn, bool write, Fn&& body) {
  LT_RETURN_IF_ERROR(conn.Exec(write ? "BEGIN IMMEDIATE" : "BEGIN"));
  Status status = body();
  if (!status.ok()) {
    (void)conn.Exec("ROLLBACK");
    return status;
  }
  Status commit = conn.Exec("COMMIT");
  if (!commit.ok()) (void)conn.Exec("ROLLBACK");
  return commit;
}

}  // namespace leadterra::store::sqlite
