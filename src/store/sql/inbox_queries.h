// SQL queries (both backends) behind InboxStore: the reply inbox and the
// answers sent from it. Each function runs on a connection the caller
// holds, inside the caller's transaction.
#pragma once

#include <string>
#include <vector>

#include "store/sql/sql_connection.h"
#include "store/store.h"

namespace leadterra::store::sql {

Result<Page<InboxItem>> ListInbox(Connection& conn, const std::string& workspace_id,
                                  const InboxQuery& query);
Result<InboxItem> GetInboxItem(Connection& conn, const std::string& workspace_id,
                               const std::string& id);
Result<InboxItem> UpdateInboxItem(Connection& conn, const std::string& workspace_id,
                                  const std::string& id, const InboxChange& change, int64_t now);
Result<InboxCounts> CountInbox(Connection& conn, const std::string& workspace_id);
Result<AnswerDraft> BeginAnswer(Connection& conn, const std::string& workspace_id,
                                const std::string& inbound_id, const std::string& answer_id,
                                const std::string& body_html, int64_t now);
Result<Answer> FinishAnswer(Connection& conn, const std::string& workspace_id,
                            const std::string& answer_id, const std::string& status,
                            std::optional<int64_t> smtp_code, const std::string& smtp_reply,
                            int64_t now);

// The label the classifier gives an inbound message on arrival (nullopt:
// none; a person decides).
std::optional<std::string> ArrivalLabel(domain::InboundKind kind);

}  // namespace leadterra::store::sql
