// SQL queries (both backends) behind WebhookStore, and the outbox writer the other
// queries call inside their own transactions. All run inside the caller's
// transaction.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "domain/webhook.h"
#include "store/sql/json_rows.h"
#include "store/sql/sql_connection.h"
#include "store/store.h"

namespace leadterra::store::sql {

// Writes `event` to the outbox with one pending delivery per live endpoint of
// the workspace subscribed to its type. Writes nothing when none is. The
// writes run with the transaction's next statement (Connection::RunLater).
Status EmitEvent(Connection& conn, const std::string& workspace_id, const domain::Event& event,
                 int64_t now);
// EmitEvent for many events of one transaction: Add collects them, Write
// writes them all in two statements (the events that have subscribers, then
// their deliveries), run with the transaction's next statement. Lives no
// longer than the transaction.
class EventOutbox {
 public:
  explicit EventOutbox(Connection& conn) : conn_(conn) {}
  void Add(const std::string& workspace_id, const domain::Event& event, int64_t now);
  Status Write();

 private:
  Connection& conn_;
  JsonRows rows_;  // workspace, event id, type, data, created_at, lead id
  bool empty_ = true;
};
// Writes `event` with a delivery to `webhook_id` only; returns the event id.
Result<std::string> EmitEventTo(Connection& conn, const std::string& workspace_id,
                                const std::string& webhook_id, const domain::Event& event,
                                int64_t now);

Status InsertWebhook(Connection& conn, const domain::Webhook& webhook);
Result<domain::Webhook> LoadWebhook(Connection& conn, const std::string& workspace_id,
                                    const std::string& id);
Result<Page<domain::Webhook>> ListWebhooks(Connection& conn, const std::string& workspace_id,
                                           const PageRequest& page);
Status SoftDeleteWebhook(Connection& conn, const std::string& workspace_id, const std::string& id,
                         int64_t now);
Result<Page<WebhookDelivery>> ListWebhookDeliveries(Connection& conn,
                                                    const std::string& workspace_id,
                                                    const std::string& webhook_id,
                                                    std::optional<DeliveryStatus> status,
                                                    const PageRequest& page);

Result<std::vector<DispatchJob>> LeaseDueDeliveries(
    Connection& conn, int64_t now, int64_t lease_until, int limit,
    const std::function<int(const std::string&)>& room);
Status RecordDispatchResults(Connection& conn, const std::vector<DispatchResult>& results,
                             int64_t now, int64_t failing_after);
// Gives these leased deliveries back.
Status ReleaseDeliveryLeases(Connection& conn, const std::vector<DispatchJob>& jobs);
Result<std::optional<int64_t>> NextDeliveryDue(Connection& conn);

}  // namespace leadterra::store::sql
