// The Store implemented once in SQL over a sql::ConnectionPool; the SQLite
// and PostgreSQL backends open their pool, migrate it, and hand it here.
#pragma once

#include <memory>
#include <string>

#include "store/sql/sql_connection.h"
#include "store/store.h"

namespace leadterra::store {

struct SqlStoreOptions {
  // Length of one `delayDays` day (--day-seconds), for scheduling sends.
  int64_t day_millis = 86400LL * 1000;
  // How long claimed sends and IMAP polls stay with the process that took
  // them before another may take over (--lease-seconds).
  int64_t lease_millis = 30'000;
  std::string backend;  // names the database for logs
  // Stamped on the leases this store instance takes; empty: a random one.
  std::string lease_owner;
  // The schema version the binary's migrations end at (readiness check).
  int schema_version = 0;
};

std::unique_ptr<Store> MakeSqlStore(std::unique_ptr<sql::ConnectionPool> pool,
                                    const SqlStoreOptions& options);

}  // namespace leadterra::store
