#include "domain/unsubscribe.h"

#include "domain/signed_token.h"
#include "util/ids.h"
#include "util/json_writer.h"
#include "util/time_format.h"

namespace leadterra::domain {
namespace {

constexpr char kPurpose[] = "unsubscribe-link";

}  // namespace

std::string UnsubscribeToken(const SecretBox& box, const UnsubscribeTarget& target) {
  const std::string payload = target.workspace_id + "." + target.lead_id;
  return SignPayload(box, kPurpose, payload);
}

std::optional<UnsubscribeTarget> ParseUnsubscribeToken(const SecretBox& box,
                                                       std::string_view token) {
  const std::optional<std::string> opened = OpenSignedPayload(box, kPurpose, token, 256);
  if (!opened) return std::nullopt;
  const std::string& payload = *opened;
  const size_t sep = payload.find('.');
  if (sep == std::string::npos) return std::nullopt;
  UnsubscribeTarget target{payload.substr(0, sep), payload.substr(sep + 1)};
  if (!IsValidId(target.workspace_id, id_prefix::kWorkspace) ||
      !IsValidId(target.lead_id, id_prefix::kLead)) {
    return std::nullopt;
  }
  return target;
}

std::string ListUnsubscribeHeader(std::string_view public_url, std::string_view token,
                                  std::string_view mailbox_email) {
  std::string base(public_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return "<" + base + "/u/" + std::string(token) + ">, <mailto:" + std::string(mailbox_email) +
         "?subject=unsubscribe>";
}

Event LeadUnsubscribedEvent(const std::string& lead_id, const std::string& email,
                            const std::string& campaign_ids_json, int64_t at) {
  return Event{std::string(event_type::kLeadUnsubscribed),
               JsonObjectWriter()
                   .String("leadId", lead_id)
                   .String("email", email)
                   .Raw("campaignIds", campaign_ids_json)
                   .String("unsubscribedAt", FormatIso8601(at))
                   .Finish(),
               lead_id};
}

}  // namespace leadterra::domain
