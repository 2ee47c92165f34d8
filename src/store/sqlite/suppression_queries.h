// SQLite queries behind SuppressionStore, run inside the caller's transaction.
#pragma once

#include <string>

#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace leadterra::store::sqlite {

Result<UnsubscribeResult> UnsubscribeLead(Connection& conn, const std::string& workspace_id,
                                          const std::string& lead_id, int64_t now);

}  // namespace leadterra::store::sqlite
