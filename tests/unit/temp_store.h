// Test helper: a fresh, empty store removed after the test. SQLite in a
// temporary directory by default; when LEADTERRA_TEST_DATABASE_URL names a
// PostgreSQL server (tests/peers/postgres_peer.py sets it), a fresh schema
// there instead, so the same tests run against both backends.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"
#include "util/ids.h"

namespace leadterra::testing {

class TempStore {
 public:
  // `open`: false leaves the database empty (not even migrated) for tests
  // that open it themselves with OpenAgain.
  explicit TempStore(int64_t day_millis = 1000, bool open = true) : open_(open) {
    const std::string suffix = std::to_string(::getpid()) + "_" + std::to_string(counter_++);
    if (const char* url = std::getenv("LEADTERRA_TEST_DATABASE_URL"); url && *url) {
      OpenPostgres(url, "t_" + suffix, day_millis);
      return;
    }
    dir_ = std::filesystem::temp_directory_path() / ("leadterra-test-" + suffix);
    std::filesystem::create_directories(dir_);
    day_millis_ = day_millis;
    if (open_) Keep(OpenAgain());
  }
  ~TempStore() {
    store_.reset();
    if (admin_) (void)admin_->Exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  store::Store& operator*() { return *store_; }
  store::Store* operator->() { return store_.get(); }
  // Creates a workspace "W" with one API key; returns the workspace's id.
  std::string AddWorkspace(IdGenerator& ids, int64_t now) {
    domain::Workspace ws{ids.Next(id_prefix::kWorkspace), "W", now, {}};
    domain::ApiKey key{ids.Next(id_prefix::kApiKey), ws.id, "k", "h" + ws.id, "p", 0, {}};
    Status created = store_->CreateWorkspace(ws, key);
    if (!created.ok()) throw std::runtime_error(created.message());
    return ws.id;
  }
  // Creates an active mailbox sam@sender.test (SMTP 127.0.0.1:2525, no
  // TLS) in `workspace_id`; returns its id.
  std::string AddMailbox(IdGenerator& ids, const std::string& workspace_id, int daily_limit) {
    domain::Mailbox m;
    m.id = ids.Next(id_prefix::kMailbox);
    m.workspace_id = workspace_id;
    m.email = "sam@sender.test";
    m.from_name = "Sam";
    m.smtp = {"127.0.0.1", 2525, "", "", domain::Security::kNone};
    m.daily_limit = daily_limit;
    Status created = store_->CreateMailbox(m);
    if (!created.ok()) throw std::runtime_error(created.message());
    return m.id;
  }
  // "postgres" or "sqlite".
  std::string backend() const { return pg_url_.empty() ? "sqlite" : "postgres"; }
  // Another store on the same database (as a second process would open it),
  // migrating it again.
  Result<std::unique_ptr<store::Store>> OpenAgain() const {
    if (!pg_url_.empty()) return store::OpenPostgresStore(pg_url_, {2, day_millis_});
    return store::OpenSqliteStore((dir_ / "test.db").string(), {2, day_millis_});
  }

 private:
  void OpenPostgres(const std::string& url, const std::string& schema, int64_t day_millis) {
    auto admin = store::postgres::PgConnection::Open(url);
    if (!admin.ok()) throw std::runtime_error(admin.status().message());
    admin_ = std::move(admin).value();
    schema_ = schema;
    Status created = admin_->Exec("CREATE SCHEMA " + schema_);
    if (!created.ok()) throw std::runtime_error(created.message());
    const char* sep = url.find('?') == std::string::npos ? "?" : "&";
    pg_url_ = url + sep + "options=-csearch_path%3D" + schema_;
    day_millis_ = day_millis;
    if (open_) Keep(OpenAgain());
  }
  void Keep(Result<std::unique_ptr<store::Store>> opened) {
    if (!opened.ok()) throw std::runtime_error(opened.status().message());
    store_ = std::move(opened).value();
  }

  static inline int counter_ = 0;
  bool open_ = true;
  std::filesystem::path dir_;
  std::unique_ptr<store::postgres::PgConnection> admin_;
  std::string schema_, pg_url_;
  int64_t day_millis_ = 1000;
  std::unique_ptr<store::Store> store_;
};

}  // namespace leadterra::testing
