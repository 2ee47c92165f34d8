// The PostgreSQL backend: the shared SQL store over a libpq connection pool.
// Many processes on many machines may open the same database; they
// coordinate only through it (row locks, SKIP LOCKED claims with leases,
// per-workspace advisory locks).
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace leadterra::store {

struct PostgresOptions {
  int connections = 8;
  // Length of one `delayDays` day (--day-seconds), for scheduling sends.
  int64_t day_millis = 86400LL * 1000;
  // How long a node holds claimed sends and IMAP polls before another node
  // may take over its work (see SqlStoreOptions).
  int64_t lease_millis = 30'000;
};

// Connects to `url` (postgres://user:pass@host:port/db), applies migrations
// under an advisory lock, and returns the store.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url,
                                                 const PostgresOptions& options);

}  // namespace leadterra::store
