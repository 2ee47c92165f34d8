// One-click unsubscribe links (RFC 8058). A link's token names a workspace
// and a lead, and carries a MAC under a key derived from the master key, so
// it cannot be guessed or altered, needs no lookup table, and stays valid for
// as long as the master key does. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/webhook.h"
#include "util/secret_box.h"

namespace leadterra::domain {

struct UnsubscribeTarget {
  std::string workspace_id;
  std::string lead_id;
};

std::string UnsubscribeToken(const SecretBox& box, const UnsubscribeTarget& target);
// nullopt for anything this server did not issue.
std::optional<UnsubscribeTarget> ParseUnsubscribeToken(const SecretBox& box,
                                                       std::string_view token);

// The List-Unsubscribe header value: the one-click URL
// "<public_url>/u/<token>" and a mailto fallback to the sending mailbox.
std::string ListUnsubscribeHeader(std::string_view public_url, std::string_view token,
                                  std::string_view mailbox_email);
inline constexpr char kListUnsubscribePost[] = "List-Unsubscribe=One-Click";

Event LeadUnsubscribedEvent(const std::string& lead_id, const std::string& email,
                            const std::string& campaign_ids_json, int64_t at);

}  // namespace leadterra::domain
