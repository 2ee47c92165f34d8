#include "store/postgres/pg_connection.h"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <optional>

namespace leadterra::store::postgres {
namespace {

constexpr Oid kText = 25, kInt8 = 20, kFloat8 = 701;

// libpq's message on one line, for logs.
Status Failure(std::string_view what, std::string message) {
  for (char& c : message) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  while (!message.empty() && message.back() == ' ') message.pop_back();
  return Internal(std::string(what) + ": " + message);
}

Status Error(PGconn* conn, std::string_view what) {
  return Failure(what, conn ? PQerrorMessage(conn) : "no connection");
}

Status ResultError(PGresult* result, std::string_view what) {
  return Failure(what, PQresultErrorMessage(result));
}

int64_t ParseInt(const char* text) {
  if (text[0] == 't' && text[1] == '\0') return 1;  // boolean
  if (text[0] == 'f' && text[1] == '\0') return 0;
  return std::strtoll(text, nullptr, 10);
}

class PgStatement final : public sql::Statement {
 public:
  PgStatement(PgConnection* conn, PgConnection::Prepared* prepared)
      : conn_(conn), prepared_(prepared), values_(prepared->params), types_(prepared->params, 0) {}
  ~PgStatement() override { Reset(); }

  Result<bool> Step() override {
    if (!result_) LT_RETURN_IF_ERROR(Execute());
    return ++row_ < rows_;
  }
  void Reset() override {
    if (result_) PQclear(result_);
    result_ = nullptr;
    row_ = -1;
    rows_ = 0;
    for (auto& value : values_) value.reset();
    std::fill(types_.begin(), types_.end(), 0);
  }
  std::string ColumnText(int col) const override {
    return std::string(PQgetvalue(result_, row_, col), PQgetlength(result_, row_, col));
  }
  int64_t ColumnInt(int col) const override { return ParseInt(PQgetvalue(result_, row_, col)); }
  double ColumnDouble(int col) const override {
    return std::strtod(PQgetvalue(result_, row_, col), nullptr);
  }
  bool ColumnIsNull(int col) const override { return PQgetisnull(result_, row_, col) != 0; }

  // For PgConnection::RunAll: prepares with the bound types, then queues
  // the statement in the connection's pipeline.
  Status EnsurePrepared() { return conn_->EnsurePrepared(*prepared_, types_); }
  void Send() {
    std::vector<const char*> values;
    for (const auto& value : values_) values.push_back(value ? value->c_str() : nullptr);
    PQsendQueryPrepared(conn_->raw(), prepared_->name.c_str(), static_cast<int>(values.size()),
                        values.data(), nullptr, nullptr, 0);
  }

 protected:
  void BindText(int pos, std::string_view value) override { Set(pos, std::string(value), kText); }
  void BindInt(int pos, int64_t value) override { Set(pos, std::to_string(value), kInt8); }
  void BindDouble(int pos, double value) override {
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    Set(pos, std::string(buffer, ec == std::errc() ? end : buffer), kFloat8);
  }
  void BindNullAt(int pos) override {
    if (pos >= 1 && pos <= static_cast<int>(values_.size())) values_[pos - 1].reset();
  }

 private:
  void Set(int pos, std::string value, Oid type) {
    if (pos < 1 || pos > static_cast<int>(values_.size())) return;
    values_[pos - 1] = std::move(value);
    types_[pos - 1] = type;
  }

  Status Execute() {
    LT_RETURN_IF_ERROR(conn_->EnsurePrepared(*prepared_, types_));
    std::vector<const char*> values;
    for (const auto& value : values_) values.push_back(value ? value->c_str() : nullptr);
    LT_RETURN_IF_ERROR(conn_->ExecPrepared(prepared_->name.c_str(), static_cast<int>(values.size()),
                                           values.data(), &result_));
    ExecStatusType status = PQresultStatus(result_);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      Status error = conn_->Failed(result_, "execute " + prepared_->text.substr(0, 160));
      PQclear(result_);
      result_ = nullptr;
      return error;
    }
    rows_ = PQntuples(result_);
    const char* changed = PQcmdTuples(result_);
    conn_->set_changes(changed && *changed ? std::strtoll(changed, nullptr, 10) : 0);
    return Status::Ok();
  }

  PgConnection* conn_;
  PgConnection::Prepared* prepared_;
  std::vector<std::optional<std::string>> values_;
  std::vector<Oid> types_;
  PGresult* result_ = nullptr;
  int row_ = -1;
  int rows_ = 0;
};

}  // namespace

std::string RewritePlaceholders(std::string_view sql, int* params) {
  std::string out;
  out.reserve(sql.size() + 16);
  int highest = 0;
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote) {
      out.push_back(c);
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out.push_back(c);
      continue;
    }
    if (c != '?') {
      out.push_back(c);
      continue;
    }
    size_t j = i + 1;
    while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') ++j;
    int number = highest + 1;
    if (j > i + 1) std::from_chars(sql.data() + i + 1, sql.data() + j, number);
    highest = std::max(highest, number);
    out += "$" + std::to_string(number);
    i = j - 1;
  }
  *params = highest;
  return out;
}

Result<std::unique_ptr<PgConnection>> PgConnection::Open(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    Status status = Error(conn, "connect");
    PQfinish(conn);
    return status;
  }
  std::unique_ptr<PgConnection> out(new PgConnection(conn));
  LT_RETURN_IF_ERROR(out->Exec("SET client_min_messages = warning"));
  return out;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

Status PgConnection::EnsureConnected() {
  if (PQstatus(conn_) == CONNECTION_OK) return Status::Ok();
  PQreset(conn_);
  for (auto& [sql, prepared] : cache_) prepared->ready = false;
  if (PQstatus(conn_) != CONNECTION_OK) return Error(conn_, "reconnect");
  return Status::Ok();
}

Status PgConnection::Failed(PGresult* result, std::string_view what) {
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const std::string_view code = state ? state : "";
  if (code == "40P01" || code == "40001") conflicted_ = true;
  return ResultError(result, what);
}

Status PgConnection::Exec(const std::string& sql) {
  const bool ending = sql == "COMMIT" || sql == "ROLLBACK";
  if (sql == "ROLLBACK") later_.clear();
  if (begin_pending_ && later_.empty()) {
    begin_pending_ = false;
    if (ending) return Status::Ok();  // nothing ran
    return ExecNow("BEGIN; " + sql);
  }
  if (sql == "COMMIT" && !later_.empty()) {
    PGresult* result = nullptr;
    LT_RETURN_IF_ERROR(Pipeline(
        [&] { PQsendQueryParams(conn_, "COMMIT", 0, nullptr, nullptr, nullptr, nullptr, 0); }, 1,
        &result));
    const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
    Status out = ok ? Status::Ok() : Failed(result, "commit");
    PQclear(result);
    return out;
  }
  LT_RETURN_IF_ERROR(FlushPending());
  return ExecNow(sql);
}

Status PgConnection::FlushPending() {
  if (!begin_pending_ && later_.empty()) return Status::Ok();
  PGresult* failed = nullptr;
  LT_RETURN_IF_ERROR(Pipeline(nullptr, 0, &failed));
  if (!failed) return Status::Ok();
  Status error = Failed(failed, "pipelined statement");
  PQclear(failed);
  return error;
}

namespace {

// The next result of a pipeline, and the NULL that ends its query.
PGresult* NextPipelineResult(PGconn* conn) {
  PGresult* result = PQgetResult(conn);
  if (result) {
    while (PGresult* extra = PQgetResult(conn)) PQclear(extra);
  }
  return result;
}

bool Succeeded(const PGresult* result) {
  const ExecStatusType status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

}  // namespace

Status PgConnection::Pipeline(const std::function<void()>& send, size_t commands, PGresult** last) {
  *last = nullptr;
  LT_RETURN_IF_ERROR(EnsureConnected());
  if (PQenterPipelineMode(conn_) != 1) return Error(conn_, "pipeline");
  const bool with_begin = begin_pending_;
  begin_pending_ = false;
  std::vector<std::unique_ptr<sql::Statement>> later;
  later.swap(later_);
  if (with_begin) PQsendQueryParams(conn_, "BEGIN", 0, nullptr, nullptr, nullptr, nullptr, 0);
  for (auto& statement : later) static_cast<PgStatement*>(statement.get())->Send();
  if (send) send();
  PQpipelineSync(conn_);
  // After a failure the server skips the rest up to the sync (aborted).
  const size_t results = (with_begin ? 1 : 0) + later.size() + commands;
  PGresult* failed = nullptr;
  for (size_t i = 0; i < results; ++i) {
    PGresult* result = NextPipelineResult(conn_);
    if (!failed && !Succeeded(result)) {
      failed = result;
    } else if (!failed && commands > 0 && i + 1 == results) {
      *last = result;
    } else if (result) {
      PQclear(result);
    }
  }
  // The sync that ends the pipeline (after an error, what is left of it).
  while (PGresult* rest = PQgetResult(conn_)) {
    const bool sync = PQresultStatus(rest) == PGRES_PIPELINE_SYNC;
    PQclear(rest);
    if (sync) break;
  }
  PQexitPipelineMode(conn_);
  if (failed) *last = failed;
  return Status::Ok();
}

Status PgConnection::ExecPrepared(const char* name, int params, const char* const* values,
                                  PGresult** result) {
  if (!begin_pending_ && later_.empty()) {
    *result = PQexecPrepared(conn_, name, params, values, nullptr, nullptr, 0);
    return Status::Ok();
  }
  return Pipeline([&] { PQsendQueryPrepared(conn_, name, params, values, nullptr, nullptr, 0); }, 1,
                  result);
}

Status PgConnection::RunAll(const std::vector<sql::Statement*>& statements) {
  if (statements.empty()) return Status::Ok();
  std::vector<PgStatement*> pipeline;
  for (sql::Statement* statement : statements) {
    pipeline.push_back(static_cast<PgStatement*>(statement));
    LT_RETURN_IF_ERROR(pipeline.back()->EnsurePrepared());
  }
  PGresult* result = nullptr;
  Status out = Pipeline(
      [&] {
        for (PgStatement* statement : pipeline) statement->Send();
      },
      pipeline.size(), &result);
  if (out.ok() && result && !Succeeded(result)) out = Failed(result, "pipelined statement");
  if (result) PQclear(result);
  for (PgStatement* statement : pipeline) statement->Reset();
  return out;
}

Status PgConnection::RunLater(std::vector<std::unique_ptr<sql::Statement>> statements) {
  for (auto& statement : statements) {
    LT_RETURN_IF_ERROR(static_cast<PgStatement*>(statement.get())->EnsurePrepared());
    later_.push_back(std::move(statement));
  }
  return Status::Ok();
}

Status PgConnection::ExecNow(const std::string& sql) {
  LT_RETURN_IF_ERROR(EnsureConnected());
  PGresult* result = PQexec(conn_, sql.c_str());
  ExecStatusType status = PQresultStatus(result);
  Status out = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ? Status::Ok()
                                                                       : Failed(result, "exec");
  PQclear(result);
  return out;
}

Result<std::unique_ptr<sql::Statement>> PgConnection::Prepare(const std::string& sql) {
  LT_RETURN_IF_ERROR(EnsureConnected());
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    auto prepared = std::make_unique<Prepared>();
    prepared->name = "s" + std::to_string(++next_name_);
    prepared->text = RewritePlaceholders(sql, &prepared->params);
    it = cache_.emplace(sql, std::move(prepared)).first;
  }
  return std::unique_ptr<sql::Statement>(new PgStatement(this, it->second.get()));
}

Status PgConnection::EnsurePrepared(Prepared& p, const std::vector<unsigned int>& types) {
  if (p.ready) return Status::Ok();
  auto prepare = [&](const std::vector<unsigned int>& with) {
    PGresult* result = PQprepare(conn_, p.name.c_str(), p.text.c_str(), p.params, with.data());
    Status out = PQresultStatus(result) == PGRES_COMMAND_OK
                     ? Status::Ok()
                     : ResultError(result, "prepare " + p.text.substr(0, 160));
    PQclear(result);
    return out;
  };
  // A parameter first bound NULL has no type; PostgreSQL infers it from its
  // context, and where the context says nothing (`? IS NULL`, unused) the
  // statement is prepared again with text. In a transaction a failed
  // statement aborts it, so the first try runs under a savepoint.
  const bool untyped = std::find(types.begin(), types.end(), 0u) != types.end();
  const bool in_transaction = PQtransactionStatus(conn_) == PQTRANS_INTRANS;
  if (untyped && in_transaction) LT_RETURN_IF_ERROR(Exec("SAVEPOINT lt_prepare"));
  Status out = prepare(types);
  if (!out.ok() && untyped) {
    if (in_transaction) LT_RETURN_IF_ERROR(Exec("ROLLBACK TO SAVEPOINT lt_prepare"));
    std::vector<unsigned int> as_text = types;
    for (unsigned int& type : as_text) {
      if (type == 0) type = kText;
    }
    out = prepare(as_text);
  }
  if (untyped && in_transaction && out.ok())
    LT_RETURN_IF_ERROR(Exec("RELEASE SAVEPOINT lt_prepare"));
  if (out.ok()) p.ready = true;
  return out;
}

Status PgConnection::LockWorkspace(const std::string& workspace_id) {
  LT_ASSIGN_OR_RETURN(auto lock, Prepare("SELECT pg_advisory_xact_lock(1, hashtext(?))"));
  lock->Bind(1, workspace_id);
  return lock->Run();
}

Status PgConnection::CopyIn(const std::string& copy_sql, const std::string& rows) {
  LT_RETURN_IF_ERROR(EnsureConnected());
  LT_RETURN_IF_ERROR(FlushPending());
  PGresult* start = PQexec(conn_, copy_sql.c_str());
  if (PQresultStatus(start) != PGRES_COPY_IN) {
    Status error = ResultError(start, "copy");
    PQclear(start);
    return error;
  }
  PQclear(start);
  constexpr size_t kChunk = 1 << 20;
  for (size_t offset = 0; offset < rows.size(); offset += kChunk) {
    const size_t size = std::min(kChunk, rows.size() - offset);
    if (PQputCopyData(conn_, rows.data() + offset, static_cast<int>(size)) != 1) {
      return Error(conn_, "copy data");
    }
  }
  if (PQputCopyEnd(conn_, nullptr) != 1) return Error(conn_, "copy end");
  Status out = Status::Ok();
  while (PGresult* result = PQgetResult(conn_)) {
    if (PQresultStatus(result) != PGRES_COMMAND_OK && out.ok()) out = Failed(result, "copy");
    PQclear(result);
  }
  return out;
}

Result<std::unique_ptr<sql::ConnectionPool>> OpenPgPool(const std::string& conninfo, int size) {
  std::vector<std::unique_ptr<sql::Connection>> connections;
  for (int i = 0; i < std::max(1, size); ++i) {
    LT_ASSIGN_OR_RETURN(auto conn, PgConnection::Open(conninfo));
    connections.push_back(std::move(conn));
  }
  return std::make_unique<sql::ConnectionPool>(std::move(connections));
}

}  // namespace leadterra::store::postgres
