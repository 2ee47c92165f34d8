#include "api/unsubscribe_api.h"

#include "domain/unsubscribe.h"

namespace leadterra::api {

Result<UnsubscribeView> UnsubscribeApi::Look(std::string_view token) {
  auto target = domain::ParseUnsubscribeToken(secrets_, token);
  if (!target) return NotFound("unknown unsubscribe link");
  auto lead = store_.GetLead(target->workspace_id, target->lead_id);
  if (!lead.ok()) return NotFound("unknown unsubscribe link");
  return UnsubscribeView{lead->email, false};
}

Result<UnsubscribeView> UnsubscribeApi::Confirm(std::string_view token) {
  auto target = domain::ParseUnsubscribeToken(secrets_, token);
  if (!target) return NotFound("unknown unsubscribe link");
  auto result = store_.UnsubscribeLead(target->workspace_id, target->lead_id, clock_.NowMillis());
  if (!result.ok()) {
    if (result.status().code() == ErrorCode::kNotFound) return NotFound("unknown unsubscribe link");
    return result.status();
  }
  if (!result->already && notify_) notify_();
  return UnsubscribeView{result->email, result->already};
}

}  // namespace leadterra::api
