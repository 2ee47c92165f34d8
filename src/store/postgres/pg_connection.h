// The PostgreSQL driver behind the shared SQL store (libpq).
//
// Statements are prepared once per connection (named s1, s2, ...) with the
// parameter types of their first binding, and run with text parameters;
// SQLite-style `?`/`?N` placeholders become `$N`. Transactions run READ
// COMMITTED; LockWorkspace takes a transaction-scoped advisory lock, so write
// transactions of one workspace serialize across every node as they do in
// SQLite's single writer. A connection that breaks is reset on next use.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/sql/sql_connection.h"

struct pg_conn;
struct pg_result;

namespace leadterra::store::postgres {

// SQLite-style placeholders (`?`, `?N`) rewritten as `$N`, outside quoted
// text; `params` receives the number of parameters.
std::string RewritePlaceholders(std::string_view sql, int* params);

class PgConnection final : public sql::Connection {
 public:
  // `conninfo`: a postgres:// URL or key=value string, as libpq takes it.
  static Result<std::unique_ptr<PgConnection>> Open(const std::string& conninfo);
  ~PgConnection() override;

  sql::Dialect dialect() const override { return sql::Dialect::kPostgres; }
  Status Exec(const std::string& sql) override;
  Result<std::unique_ptr<sql::Statement>> Prepare(const std::string& sql) override;
  int64_t Changes() const override { return changes_; }
  // BEGIN is not sent on its own: it travels with the transaction's first
  // statement (one round trip for both), and a transaction that ran nothing
  // costs none. So do RunLater's statements, with the next statement or the
  // COMMIT.
  Status Begin(bool write) override {
    conflicted_ = false;
    begin_pending_ = true;
    later_.clear();
    return Status::Ok();
  }
  bool TransactionConflicted() const override { return conflicted_; }
  Status LockWorkspace(const std::string& workspace_id) override;

  Status CopyIn(const std::string& copy_sql, const std::string& rows) override;
  Status RunAll(const std::vector<sql::Statement*>& statements) override;
  Status RunLater(std::vector<std::unique_ptr<sql::Statement>> statements) override;

  struct Prepared {
    std::string name;
    std::string text;  // with $N placeholders
    int params = 0;
    bool ready = false;  // PQprepare done on this connection
  };
  pg_conn* raw() const { return conn_; }
  void set_changes(int64_t changes) { changes_ = changes; }
  // `what` failed with `result`; notes whether the server aborted the
  // transaction as a deadlock victim or serialization loser.
  Status Failed(pg_result* result, std::string_view what);
  // Prepares `p` on the server with these parameter types (0: inferred).
  Status EnsurePrepared(Prepared& p, const std::vector<unsigned int>& types);
  // Runs prepared statement `name` -- after what is pending (a BEGIN, the
  // RunLater statements), in one pipeline with it -- and sets `*result` to
  // its result (or to the failure of what went before it). Fails only when
  // the pipeline could not be sent.
  Status ExecPrepared(const char* name, int params, const char* const* values, pg_result** result);

 private:
  explicit PgConnection(pg_conn* conn) : conn_(conn) {}
  // Reconnects a broken connection, forgetting server-side prepared statements.
  Status EnsureConnected();

  // Runs `sql` (one or more statements, no parameters) in one round trip.
  Status ExecNow(const std::string& sql);
  // In one pipeline: what is pending (a BEGIN, the RunLater statements),
  // then the `commands` commands `send` queues. Sets `*last` to the first
  // failed result, else to the last command's (null when `commands` is 0);
  // the caller clears it. Fails only when the pipeline could not be sent.
  Status Pipeline(const std::function<void()>& send, size_t commands, pg_result** last);
  // Runs what is pending on its own.
  Status FlushPending();

  pg_conn* conn_;
  bool begin_pending_ = false;
  std::vector<std::unique_ptr<sql::Statement>> later_;  // RunLater's, not yet sent
  int64_t changes_ = 0;
  bool conflicted_ = false;
  int next_name_ = 0;
  std::unordered_map<std::string, std::unique_ptr<Prepared>> cache_;
};

// `size` connections to the database at `conninfo`.
Result<std::unique_ptr<sql::ConnectionPool>> OpenPgPool(const std::string& conninfo, int size);

}  // namespace leadterra::store::postgres
