// Queries behind store::AnalyticsStore.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "domain/analytics.h"
#include "store/sql/sql_connection.h"

namespace leadterra::store::sql {

Result<std::vector<domain::ActivityRow>> ReadCampaignActivity(Connection& conn,
                                                              const std::string& workspace_id,
                                                              const std::string& campaign_id,
                                                              int64_t from, int64_t to);

// All-time per-variant counters (variant_stats, shards added up).
Result<std::map<std::pair<int, std::string>, domain::ActivityCounts>> ReadVariantCounters(
    Connection& conn, const std::string& workspace_id, const std::string& campaign_id);

Result<std::map<std::string, domain::ActivityCounts>> SumMailboxActivity(
    Connection& conn, const std::string& workspace_id, int64_t from, int64_t to);

Result<std::map<std::string, int64_t>> MailboxSendsOn(Connection& conn,
                                                      const std::string& workspace_id,
                                                      const std::string& day_key);

}  // namespace leadterra::store::sql
