// SQL queries (both backends) behind LeadDirectoryStore: search, a lead's
// enrollments, edits, removal and erasure. Each function runs on a
// connection the caller holds, inside the caller's transaction.
#pragma once

#include <string>
#include <vector>

#include "store/sql/sql_connection.h"
#include "store/store.h"

namespace leadterra::store::sql {

Result<LeadSearchPage> SearchLeads(Connection& conn, const std::string& workspace_id,
                                   const LeadSearch& search);
Result<std::vector<LeadEnrollment>> ListLeadEnrollments(Connection& conn,
                                                        const std::string& workspace_id,
                                                        const std::string& lead_id);
Result<domain::Lead> PatchLead(Connection& conn, const std::string& workspace_id,
                               const std::string& lead_id, const LeadPatch& patch, int64_t now);
Status DeleteLead(Connection& conn, const std::string& workspace_id, const std::string& lead_id,
                  int64_t now);
Status EraseLead(Connection& conn, const std::string& workspace_id, const std::string& lead_id,
                 int64_t now);

// The inbound kinds the inbox shows, as the partial indexes name them (the
// text must match theirs for SQLite to use them).
inline constexpr char kInboxKinds[] = "kind IN ('reply', 'auto_reply', 'unsubscribe')";

// Adds `total` and `unread` (negative: takes away) to the inbox counts of
// `label` ("" = none).
Status AddInboxCount(Connection& conn, const std::string& workspace_id, const std::string& label,
                     int64_t total, int64_t unread);

}  // namespace leadterra::store::sql
