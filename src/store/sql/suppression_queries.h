// SQL queries (both backends) behind SuppressionStore, run inside the caller's transaction.
#pragma once

#include <string>

#include "store/sql/sql_connection.h"
#include "store/store.h"

namespace leadterra::store::sql {

// Suppression sources of the two List-Unsubscribe methods.
inline constexpr char kUnsubscribeByLink[] = "unsubscribe_link";
inline constexpr char kUnsubscribeByEmail[] = "unsubscribe_email";

// See SuppressionStore::UnsubscribeLead; `source` is recorded on the
// suppression.
Result<UnsubscribeResult> UnsubscribeLead(Connection& conn, const std::string& workspace_id,
                                          const std::string& lead_id, int64_t now,
                                          const char* source);
Result<int64_t> AddSuppressions(Connection& conn, const std::string& workspace_id,
                                const std::vector<Suppression>& entries);
Result<Page<Suppression>> ListSuppressions(Connection& conn, const std::string& workspace_id,
                                           std::optional<bool> domains, const PageRequest& page);
Status DeleteSuppression(Connection& conn, const std::string& workspace_id,
                         const std::string& value);
// Cheap when the workspace has no suppressions at all (one index probe).
Result<std::vector<std::string>> FindSuppressed(Connection& conn, const std::string& workspace_id,
                                                const std::vector<std::string>& emails);

}  // namespace leadterra::store::sql
