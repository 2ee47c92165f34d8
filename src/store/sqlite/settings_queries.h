// SQLite queries behind DeliverySettingsStore, run inside the caller's
// transaction.
#pragma once

#include <string>

#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace leadterra::store::sqlite {

// The defaults when the workspace never changed its settings.
Result<domain::DeliverySettings> LoadDeliverySettings(Connection& conn,
                                                      const std::string& workspace_id);
Status WriteDeliverySettings(Connection& conn, const std::string& workspace_id,
                             const domain::DeliverySettings& settings);

}  // namespace leadterra::store::sqlite
