// The database seam under the shared SQL store: a connection with cached
// prepared statements, typed binding, transactions, and a pool. SQLite
// (store/sqlite) and PostgreSQL (store/postgres) implement it, so the query
// code in store/sql is written once.
//
// SQL given to Prepare uses SQLite's parameter syntax (`?` and `?N`, 1-based);
// the PostgreSQL driver rewrites it to `$N`. Queries stick to what both
// databases accept; the few places that differ ask `dialect()`.
//
// A Connection is used by one thread at a time (the pool guarantees it).
// Errors come back as Status(kInternal) carrying the database's message for
// logs; the HTTP layer never shows it to clients.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/metrics.h"
#include "util/status.h"

namespace leadterra::store::sql {

enum class Dialect { kSqlite, kPostgres };

class Statement {
 public:
  virtual ~Statement() = default;  // implementations reset the statement for reuse

  // Positions are 1-based.
  Statement& Bind(int pos, std::string_view value) {
    BindText(pos, value);
    return *this;
  }
  Statement& Bind(int pos, int64_t value) {
    BindInt(pos, value);
    return *this;
  }
  Statement& Bind(int pos, int value) { return Bind(pos, static_cast<int64_t>(value)); }
  Statement& Bind(int pos, double value) {
    BindDouble(pos, value);
    return *this;
  }
  Statement& Bind(int pos, const std::optional<int64_t>& value) {
    return value ? Bind(pos, *value) : BindNull(pos);
  }
  Statement& Bind(int pos, const std::optional<std::string>& value) {
    return value ? Bind(pos, std::string_view(*value)) : BindNull(pos);
  }
  Statement& Bind(int pos, const char* value) { return Bind(pos, std::string_view(value)); }
  Statement& Bind(int pos, const std::string& value) { return Bind(pos, std::string_view(value)); }
  Statement& BindNull(int pos) {
    BindNullAt(pos);
    return *this;
  }

  // Advances; returns true when a row is available.
  virtual Result<bool> Step() = 0;
  // Runs a statement that returns no rows (or ignores them), then resets it.
  Status Run() {
    auto stepped = Step();
    Reset();
    return stepped.ok() ? Status::Ok() : stepped.status();
  }
  // Makes the statement ready to run again with new bindings.
  virtual void Reset() = 0;

  virtual std::string ColumnText(int col) const = 0;
  // Integers; a boolean column reads as 0 or 1.
  virtual int64_t ColumnInt(int col) const = 0;
  virtual double ColumnDouble(int col) const = 0;
  virtual bool ColumnIsNull(int col) const = 0;
  std::optional<int64_t> ColumnOptionalInt(int col) const {
    if (ColumnIsNull(col)) return std::nullopt;
    return ColumnInt(col);
  }
  std::optional<std::string> ColumnOptionalText(int col) const {
    if (ColumnIsNull(col)) return std::nullopt;
    return ColumnText(col);
  }

 protected:
  virtual void BindText(int pos, std::string_view value) = 0;
  virtual void BindInt(int pos, int64_t value) = 0;
  virtual void BindDouble(int pos, double value) = 0;
  virtual void BindNullAt(int pos) = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;

  // Runs one or more statements without parameters.
  virtual Status Exec(const std::string& sql) = 0;
  // Returns a prepared statement, cached per connection; valid until the
  // next Prepare of the same SQL on this connection.
  virtual Result<std::unique_ptr<Statement>> Prepare(const std::string& sql) = 0;
  // Runs `statements` (prepared on this connection, bound, returning no
  // rows) in order, each to completion, and resets them; stops at the first
  // error. PostgreSQL sends them all in one round trip (a pipeline).
  virtual Status RunAll(const std::vector<Statement*>& statements) {
    for (Statement* statement : statements) LT_RETURN_IF_ERROR(statement->Run());
    return Status::Ok();
  }
  // Runs `statements` (prepared on this connection, bound, returning no
  // rows) in order before whatever the transaction runs next, its COMMIT
  // included: PostgreSQL sends them in one pipeline with that next command,
  // SQLite runs them now. A failure among them fails that next command, so
  // the transaction still commits all or nothing.
  virtual Status RunLater(std::vector<std::unique_ptr<Statement>> statements) {
    for (const auto& statement : statements) LT_RETURN_IF_ERROR(statement->Run());
    return Status::Ok();
  }
  // Rows changed by the last INSERT/UPDATE/DELETE run on this connection.
  virtual int64_t Changes() const = 0;
  // PostgreSQL COPY ... FROM STDIN of `data` (COPY text format); SQLite has
  // no COPY and answers kInternal.
  virtual Status CopyIn(const std::string& copy_sql, const std::string& data) {
    return Internal("COPY is not supported by this database");
  }

  // Opens a transaction. `write`: SQLite takes the database write lock at
  // once (BEGIN IMMEDIATE); PostgreSQL runs READ COMMITTED and relies on the
  // row and advisory locks the queries take.
  virtual Status Begin(bool write) = 0;
  // Ends the transaction Begin opened, keeping (Commit) or dropping
  // (Rollback) what it wrote.
  virtual Status Commit() { return Exec("COMMIT"); }
  virtual void Rollback() { (void)Exec("ROLLBACK"); }
  // Whether the transaction Begin opened last failed because the database
  // aborted it to break a deadlock or a serialization conflict (PostgreSQL
  // 40P01/40001): nothing of it was written and running it again is safe.
  virtual bool TransactionConflicted() const { return false; }
  // Inside a write transaction: serializes it with every other write
  // transaction of the workspace, on every node, until commit. A no-op on
  // SQLite, whose writers are serialized already.
  virtual Status LockWorkspace(const std::string& workspace_id) = 0;
  // `sql` suffixed with a row lock on `table` (an alias; empty: every table
  // of the query) skipping rows other transactions hold (PostgreSQL FOR
  // UPDATE SKIP LOCKED); unchanged on SQLite, whose writers run one at a time.
  std::string SkipLocked(std::string sql, std::string_view table = {}) const {
    if (dialect() != Dialect::kPostgres) return sql;
    sql += " FOR UPDATE";
    if (!table.empty()) sql += " OF " + std::string(table);
    return sql + " SKIP LOCKED";
  }
  // `sql` suffixed with FOR UPDATE on PostgreSQL.
  std::string ForUpdate(std::string sql) const {
    if (dialect() == Dialect::kPostgres) sql += " FOR UPDATE";
    return sql;
  }
};

// Fixed-size pool. Acquire blocks until a connection is free.
class ConnectionPool {
 public:
  explicit ConnectionPool(std::vector<std::unique_ptr<Connection>> connections);

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
  Dialect dialect() const { return all_.front()->dialect(); }

 private:
  std::vector<std::unique_ptr<Connection>> all_;
  std::vector<Connection*> free_;
  std::mutex mu_;
  std::condition_variable cv_;
};

// Sleeps a few random milliseconds, more after each `attempt`, before a
// deadlock victim runs again: the transaction that won needs a moment to
// take the rows the victim let go, or the two can deadlock again at once.
void PauseBeforeRetry(int attempt);

// Runs `body` inside Begin(write) ... COMMIT, rolling back when `body`
// returns an error. A write transaction with a `workspace_id` first takes
// that workspace's lock (empty: no lock, for work spanning workspaces). A
// transaction the database aborted as a deadlock victim runs again after
// PauseBeforeRetry, up to five times in all, so `body` must not keep state
// across attempts.
template <typename Fn>
Status InTransaction(Connection& conn, bool write, const std::string& workspace_id, Fn&& body) {
  constexpr int kAttempts = 5;
  const std::string_view backend = conn.dialect() == Dialect::kSqlite ? "sqlite" : "postgres";
  const auto started = std::chrono::steady_clock::now();
  auto observe = [&] {
    metrics::ObserveStoreTransaction(
        backend, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  };
  for (int attempt = 1;; ++attempt) {
    Status status = conn.Begin(write);
    if (status.ok() && write && !workspace_id.empty()) status = conn.LockWorkspace(workspace_id);
    if (status.ok()) status = body();
    if (status.ok()) status = conn.Commit();
    if (status.ok()) {
      observe();
      return status;
    }
    conn.Rollback();
    if (attempt == kAttempts || !conn.TransactionConflicted()) {
      observe();
      return status;
    }
    metrics::CountStoreRetry(backend);
    PauseBeforeRetry(attempt);
  }
}

// SQLite: copies the WAL into the database file and truncates it to zero
// bytes, waiting (briefly, a few tries) for readers of older snapshots;
// kInternal if it could not. For erasure: the WAL keeps old page images.
Status TruncateWal(Connection& conn);

}  // namespace leadterra::store::sql
