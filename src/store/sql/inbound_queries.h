// SQL queries (both backends) behind InboundStore, run inside the caller's transaction.
#pragma once

#include <string>
#include <vector>

#include "store/sql/sql_connection.h"
#include "store/store.h"

namespace leadterra::store::sql {

Result<std::vector<InboundMailbox>> LeaseDueInboundMailboxes(Connection& conn, int64_t now,
                                                             int64_t lease_until);
Status RecordPoll(Connection& conn, const std::string& workspace_id, const std::string& mailbox_id,
                  const PollCursor& cursor, int64_t now, const std::string& error);
Result<InboundResult> RecordInbound(Connection& conn, const InboundRecord& record, int64_t now);
Result<std::vector<ThreadItem>> ListThread(Connection& conn, const std::string& workspace_id,
                                           const std::string& campaign_id,
                                           const std::string& lead_id);

}  // namespace leadterra::store::sql
