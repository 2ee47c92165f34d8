// The embedded default backend: one SQLite file in WAL mode, a small pool of
// connections (readers run concurrently, writers serialize on BEGIN
// IMMEDIATE), prepared statements cached per connection, and migrations
// applied on open. One process owns the file.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace leadterra::store {

// Opens (creating if needed) the database at `path` and migrates it.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const OpenOptions& options);

}  // namespace leadterra::store
