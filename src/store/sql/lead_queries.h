// SQL queries (both backends) behind LeadStore. Each function runs on a connection the
// caller holds, inside the caller's transaction.
#pragma once

#include <string>
#include <vector>

#include "store/sql/sql_connection.h"
#include "store/store.h"

namespace leadterra::store::sql {

// Columns of `leads l` in the order ReadLead expects.
extern const char kLeadColumns[];
inline constexpr int kLeadColumnCount = 11;
domain::Lead ReadLead(const Statement& row);

Status InsertCampaignStats(Connection& conn, const std::string& workspace_id,
                           const std::string& campaign_id, int64_t now);
Status CheckCampaignExists(Connection& conn, const std::string& workspace_id,
                           const std::string& campaign_id);
Result<BulkEnrollCounts> UpsertAndEnroll(Connection& conn, const std::string& workspace_id,
                                         const std::string& campaign_id,
                                         const std::vector<LeadUpsert>& rows,
                                         const std::vector<std::string>& custom_keys, int64_t now,
                                         int64_t day_millis);
// When a lead enrolled now into the campaign would get its first step:
// `from` + step 1's delay if the campaign is running, else nullopt.
Result<std::optional<int64_t>> FirstSendAtIfRunning(Connection& conn,
                                                    const std::string& workspace_id,
                                                    const std::string& campaign_id, int64_t from,
                                                    int64_t day_millis);
using domain::DelayMillis;
Result<domain::Lead> GetLead(Connection& conn, const std::string& workspace_id,
                             const std::string& lead_id);
Result<Page<domain::Enrollment>> ListEnrollments(Connection& conn, const std::string& workspace_id,
                                                 const std::string& campaign_id,
                                                 std::optional<domain::EnrollmentStatus> status,
                                                 const PageRequest& page);
// Campaign ids of the workspace, deleted ones too when `with_deleted`: the
// outer loop of a lead's primary-key probes into enrollments (no lead-first
// index is kept, which keeps ingest cheap).
Result<std::vector<std::string>> CampaignIds(Connection& conn, const std::string& workspace_id,
                                             bool with_deleted);

Status RemoveEnrollment(Connection& conn, const std::string& workspace_id,
                        const std::string& campaign_id, const std::string& lead_id, int64_t now);
Result<CampaignCounters> GetCampaignCounters(Connection& conn, const std::string& workspace_id,
                                             const std::string& campaign_id);
Result<std::vector<std::string>> ListCustomFieldKeys(Connection& conn,
                                                     const std::string& workspace_id);
// PostgreSQL: analyzes each of `changed` (table, rows this write changed)
// whose changes since its last analysis pass autovacuum's threshold (50 rows
// + 10% of the table), instead of leaving the planner up to a minute on
// statistics that miss those rows. Run after the write commits. SQLite:
// nothing (its planner keeps no statistics unless asked).
Status RefreshStatistics(Connection& conn,
                         const std::vector<std::pair<const char*, int64_t>>& changed);
// PostgreSQL: analyzes `table`, to which a write added `rows_added`, once it
// holds more than twice the rows its statistics know of (and 50). For a table
// whose rows are mostly updated, not added, where the size is what the
// planner must not misjudge: `messages`, each row added once and updated
// twice as it is sent. SQLite: nothing.
Status RefreshStatisticsAfterGrowth(Connection& conn, const char* table, int64_t rows_added);
// After a bulk upload: `leads` and `enrollments`.
Status RefreshStatisticsAfterUpload(Connection& conn, const BulkEnrollCounts& counts);
Result<std::vector<FieldGap>> CountMissingFields(Connection& conn, const std::string& workspace_id,
                                                 const std::string& campaign_id,
                                                 const std::vector<std::string>& fields,
                                                 int samples);

}  // namespace leadterra::store::sql
