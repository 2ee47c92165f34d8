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

// Copies the database at `from` to a new file `to` with SQLite's online
// backup API, in one read transaction: a consistent snapshot even while a
// server writes to `from` (WAL lets it go on meanwhile). `to` must not exist
// (kInvalidArgument); on failure nothing is left at `to`. The master key file
// beside the database (`<from>.key`) is not copied: keep it apart.
Status BackupSqliteDatabase(const std::string& from, const std::string& to);

}  // namespace leadterra::store
