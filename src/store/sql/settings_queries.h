// SQL queries (both backends) behind DeliverySettingsStore, run inside the caller's
// transaction.
#pragma once

#include <string>

#include "store/sql/sql_connection.h"
#include "store/store.h"

namespace leadterra::store::sql {

// The defaults when the workspace never changed its settings.
Result<domain::DeliverySettings> LoadDeliverySettings(Connection& conn,
                                                      const std::string& workspace_id);
Status WriteDeliverySettings(Connection& conn, const std::string& workspace_id,
                             const domain::DeliverySettings& settings);

}  // namespace leadterra::store::sql
