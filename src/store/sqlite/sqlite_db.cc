#include "store/sqlite/sqlite_db.h"

#include <sqlite3.h>

#include <chrono>
#include <thread>

namespace leadterra::store::sqlite {
namespace {

Status Error(sqlite3* db, std::string_view what) {
  return Internal(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "no connection"));
}

class SqliteStatement final : public sql::Statement {
 public:
  explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~SqliteStatement() override { Reset(); }

  Result<bool> Step() override {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return Error(sqlite3_db_handle(stmt_), "step");
  }
  void Reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string ColumnText(int col) const override {
    const unsigned char* text = sqlite3_column_text(stmt_, col);
    int size = sqlite3_column_bytes(stmt_, col);
    return text ? std::string(reinterpret_cast<const char*>(text), size) : std::string();
  }
  int64_t ColumnInt(int col) const override { return sqlite3_column_int64(stmt_, col); }
  double ColumnDouble(int col) const override { return sqlite3_column_double(stmt_, col); }
  bool ColumnIsNull(int col) const override {
    return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
  }

 protected:
  void BindText(int pos, std::string_view value) override {
    sqlite3_bind_text(stmt_, pos, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  }
  void BindInt(int pos, int64_t value) override { sqlite3_bind_int64(stmt_, pos, value); }
  void BindDouble(int pos, double value) override { sqlite3_bind_double(stmt_, pos, value); }
  void BindNullAt(int pos) override { sqlite3_bind_null(stmt_, pos); }

 private:
  sqlite3_stmt* stmt_;
};

}  // namespace

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(
    const std::string& path, std::shared_ptr<std::mutex> write_gate) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status status = Error(db, "open " + path);
    sqlite3_close(db);
    return status;
  }
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(db, std::move(write_gate)));
  sqlite3_busy_timeout(db, 10000);
  // Switching a new file to WAL takes an exclusive lock and answers BUSY at
  // once, without the busy handler, while another connection opens it too.
  Status wal = conn->Exec("PRAGMA journal_mode=WAL");
  for (int attempt = 0; !wal.ok() && sqlite3_errcode(db) == SQLITE_BUSY && attempt < 200;
       ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    wal = conn->Exec("PRAGMA journal_mode=WAL");
  }
  LT_RETURN_IF_ERROR(wal);
  // secure_delete: freed space is zeroed, so erased personal data (SPEC
  // §12) leaves no copy in the file's free pages.
  LT_RETURN_IF_ERROR(
      conn->Exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
                 "PRAGMA secure_delete=ON;"
                 "PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=8192;"));
  return conn;
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Status SqliteConnection::Begin(bool write) {
  if (!write) return Exec("BEGIN");
  if (write_gate_) writing_ = std::unique_lock<std::mutex>(*write_gate_);
  Status status = Exec("BEGIN IMMEDIATE");
  if (!status.ok()) LeaveGate();
  return status;
}

Status SqliteConnection::Commit() {
  Status status = Exec("COMMIT");
  // A failed COMMIT leaves the transaction open for the ROLLBACK to come.
  if (status.ok()) LeaveGate();
  return status;
}

void SqliteConnection::Rollback() {
  (void)Exec("ROLLBACK");
  LeaveGate();
}

void SqliteConnection::LeaveGate() {
  if (writing_.owns_lock()) writing_.unlock();
}

Status SqliteConnection::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err ? err : "unknown error";
    sqlite3_free(err);
    return Internal("exec: " + message + " [" + sql.substr(0, 40) + "]");
  }
  return Status::Ok();
}

Result<std::unique_ptr<sql::Statement>> SqliteConnection::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      return Error(db_, "prepare");
    }
    it = cache_.emplace(sql, stmt).first;
  }
  return std::unique_ptr<sql::Statement>(new SqliteStatement(it->second));
}

int64_t SqliteConnection::Changes() const { return sqlite3_changes64(db_); }

Result<std::unique_ptr<sql::ConnectionPool>> OpenSqlitePool(const std::string& path, int size) {
  std::vector<std::unique_ptr<sql::Connection>> connections;
  auto write_gate = std::make_shared<std::mutex>();
  for (int i = 0; i < std::max(1, size); ++i) {
    LT_ASSIGN_OR_RETURN(auto conn, SqliteConnection::Open(path, write_gate));
    connections.push_back(std::move(conn));
  }
  return std::make_unique<sql::ConnectionPool>(std::move(connections));
}

}  // namespace leadterra::store::sqlite
