#include "store/sqlite/sqlite_db.h"

#include <sqlite3.h>

namespace leadterra::store::sqlite {
namespace {

Status Error(sqlite3* db, std::string_view what) {
  return Internal(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "no connection"));
}

}  // namespace

Statement::~Statement() { Reset(); }

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::Bind(int pos, std::string_view value) {
  sqlite3_bind_text(stmt_, pos, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::Bind(int pos, int64_t value) {
  sqlite3_bind_int64(stmt_, pos, value);
  return *this;
}
Statement& Statement::Bind(int pos, double value) {
  sqlite3_bind_double(stmt_, pos, value);
  return *this;
}
Statement& Statement::Bind(int pos, const std::optional<int64_t>& value) {
  return value ? Bind(pos, *value) : BindNull(pos);
}
Statement& Statement::Bind(int pos, const std::optional<std::string>& value) {
  return value ? Bind(pos, std::string_view(*value)) : BindNull(pos);
}
Statement& Statement::BindNull(int pos) {
  sqlite3_bind_null(stmt_, pos);
  return *this;
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error(sqlite3_db_handle(stmt_), "step");
}

Status Statement::Run() {
  auto stepped = Step();
  Reset();
  return stepped.ok() ? Status::Ok() : stepped.status();
}

std::string Statement::ColumnText(int col) const {
  const unsigned char* text = sqlite3_column_text(stmt_, col);
  int size = sqlite3_column_bytes(stmt_, col);
  return text ? std::string(reinterpret_cast<const char*>(text), size) : std::string();
}
int64_t Statement::ColumnInt(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::ColumnDouble(int col) const { return sqlite3_column_double(stmt_, col); }
bool Statement::ColumnIsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}
std::optional<int64_t> Statement::ColumnOptionalInt(int col) const {
  if (ColumnIsNull(col)) return std::nullopt;
  return ColumnInt(col);
}

std::optional<std::string> Statement::ColumnOptionalText(int col) const {
  if (ColumnIsNull(col)) return std::nullopt;
  return ColumnText(col);
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status status = Error(db, "open " + path);
    sqlite3_close(db);
    return status;
  }
  std::unique_ptr<Connection> conn(new Connection(db));
  sqlite3_busy_timeout(db, 10000);
  LT_RETURN_IF_ERROR(conn->Exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
      "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=8192;"));
  return conn;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Status Connection::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err ? err : "unknown error";
    sqlite3_free(err);
    return Internal("exec: " + message);
  }
  return Status::Ok();
}

Result<std::unique_ptr<Statement>> Connection::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      return Error(db_, "prepare");
    }
    it = cache_.emplace(sql, stmt).first;
  }
  return std::make_unique<Statement>(it->second);
}

int64_t Connection::Changes() const { return sqlite3_changes64(db_); }

Result<std::unique_ptr<ConnectionPool>> ConnectionPool::Open(const std::string& path, int size) {
  auto pool = std::make_unique<ConnectionPool>();
  for (int i = 0; i < std::max(1, size); ++i) {
    LT_ASSIGN_OR_RETURN(auto conn, Connection::Open(path));
    pool->free_.push_back(conn.get());
    pool->all_.push_back(std::move(conn));
  }
  return pool;
}

ConnectionPool::Lease ConnectionPool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return !free_.empty(); });
  Connection* conn = free_.back();
  free_.pop_back();
  return Lease(this, conn);
}

ConnectionPool::Lease::~Lease() {
  if (!conn_) return;
  {
    std::lock_guard<std::mutex> lock(pool_->mu_);
    pool_->free_.push_back(conn_);
  }
  pool_->cv_.notify_one();
}

}  // namespace leadterra::store::sqlite
