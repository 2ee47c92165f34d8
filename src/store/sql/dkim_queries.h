// SQL queries (both backends) behind DkimKeyStore, run inside the caller's transaction.
#pragma once

#include <optional>
#include <string>

#include "store/sql/sql_connection.h"
#include "store/store.h"

namespace leadterra::store::sql {

Status InsertDkimKey(Connection& conn, const domain::DkimKeyRecord& key);
Result<domain::DkimKeyRecord> LoadDkimKey(Connection& conn, const std::string& workspace_id,
                                          const std::string& id);
Result<Page<domain::DkimKeyRecord>> ListDkimKeys(Connection& conn, const std::string& workspace_id,
                                                 const PageRequest& page);
Result<domain::DkimKeyRecord> SetDkimKeyActive(Connection& conn, const std::string& workspace_id,
                                               const std::string& id, bool active);
Status DeleteDkimKey(Connection& conn, const std::string& workspace_id, const std::string& id);
Result<std::optional<domain::DkimKeyRecord>> FindSigningKey(Connection& conn,
                                                            const std::string& workspace_id,
                                                            const std::string& domain);

}  // namespace leadterra::store::sql
