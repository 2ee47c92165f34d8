// The embedded default backend: one SQLite file in WAL mode, a small pool of
// connections (readers run concurrently, writers serialize on BEGIN
// IMMEDIATE), prepared statements cached per connection, and migrations
// applied on open. One process owns the file.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace leadterra::store {

struct SqliteOptions {
  int connections = 3;
  // Length of one `delayDays` day (--day-seconds), for scheduling sends.
  int64_t day_millis = 86400LL * 1000;
  // How long claims and IMAP polls are leased (see SqlStoreOptions).
  int64_t lease_millis = 30'000;
};

// Opens (creating if needed) the database at `path` and migrates it.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const SqliteOptions& options);

}  // namespace leadterra::store
