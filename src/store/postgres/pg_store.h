// The PostgreSQL backend: the shared SQL store over a libpq connection pool.
// Many processes on many machines may open the same database; they
// coordinate only through it (row locks, SKIP LOCKED claims with leases,
// per-workspace advisory locks).
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace leadterra::store {

// Connects to `url` (postgres://user:pass@host:port/db), applies migrations
// under an advisory lock, and returns the store.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url,
                                                 const OpenOptions& options);

}  // namespace leadterra::store
