// SQL queries (both backends) behind MailboxStore, run inside the caller's transaction.
#pragma once

#include <string>

#include "store/sql/sql_connection.h"
#include "store/store.h"

namespace leadterra::store::sql {

Status InsertMailbox(Connection& conn, const domain::Mailbox& mailbox);
Status WriteMailbox(Connection& conn, const domain::Mailbox& mailbox);
Result<domain::Mailbox> LoadMailbox(Connection& conn, const std::string& workspace_id,
                                    const std::string& id);
Result<Page<domain::Mailbox>> ListMailboxes(Connection& conn, const std::string& workspace_id,
                                            const PageRequest& page);
Status SoftDeleteMailbox(Connection& conn, const std::string& workspace_id, const std::string& id,
                         int64_t now);
Result<int64_t> CountActiveMailboxes(Connection& conn, const std::string& workspace_id);

}  // namespace leadterra::store::sql
