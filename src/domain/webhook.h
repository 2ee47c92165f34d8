// Webhooks: endpoints that subscribe to event types, the events themselves
// (type + a JSON payload snapshotted when the change happened), and the retry
// policy for delivering them. Pure domain logic: no I/O; payloads are built
// with util's small JSON writer, not a JSON library. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/campaign.h"
#include "util/status.h"

namespace leadterra::domain {

namespace event_type {
inline constexpr std::string_view kCampaignStarted = "campaign.started";
inline constexpr std::string_view kCampaignPaused = "campaign.paused";
inline constexpr std::string_view kMessageSent = "message.sent";
inline constexpr std::string_view kMessageBounced = "message.bounced";
inline constexpr std::string_view kMessageReplied = "message.replied";
inline constexpr std::string_view kLeadUnsubscribed = "lead.unsubscribed";
inline constexpr std::string_view kStepWinnerSelected = "step.winner_selected";
inline constexpr std::string_view kMessageOpened = "message.opened";
inline constexpr std::string_view kMessageClicked = "message.clicked";
inline constexpr std::string_view kLeadLabeled = "lead.labeled";
// Sent only by POST /v1/webhooks/:id/test, to that one endpoint.
inline constexpr std::string_view kWebhookTest = "webhook.test";
}  // namespace event_type

// The types an endpoint may subscribe to, in canonical order.
const std::vector<std::string_view>& SubscribableEventTypes();
bool IsSubscribableEventType(std::string_view type);

enum class WebhookStatus { kActive, kFailing };
std::string_view ToString(WebhookStatus status);
std::optional<WebhookStatus> ParseWebhookStatus(std::string_view text);

struct Webhook {
  std::string id;  // whk_…
  std::string workspace_id;
  std::string url;
  std::vector<std::string> events;  // canonical order, no duplicates
  std::optional<std::string> description;
  std::string secret_sealed;  // SecretBox-sealed "whsec_…"
  WebhookStatus status = WebhookStatus::kActive;
  int64_t created_at = 0;
  std::optional<int64_t> last_success_at;
  std::optional<int64_t> failing_since;  // first failure since the last success
};

inline constexpr size_t kWebhookUrlMaxBytes = 2048;
inline constexpr size_t kWebhookDescriptionMaxBytes = 500;
inline constexpr char kWebhookSecretPrefix[] = "whsec_";
inline constexpr size_t kWebhookSecretLength = 32;

// The SecretBox purpose a webhook's secret is sealed under.
inline std::string WebhookSecretPurpose(const std::string& webhook_id) {
  return "webhook-secret:" + webhook_id;
}

// An absolute http(s) URL with a host, no whitespace or control characters.
Status ValidateWebhookUrl(std::string_view url, const std::string& param);
// Sorts `events` into canonical order and drops duplicates; reports the first
// unknown type as "<param>[i]".
Status NormalizeEventTypes(std::vector<std::string>& events, const std::string& param);

// An event ready for the outbox.
struct Event {
  std::string type;
  std::string data_json;  // the "data" object
  // The lead the event is about ("" none): erasure finds its payloads by it.
  std::string lead_id = {};
};

// campaign.started / campaign.paused for a campaign that just changed status;
// nullopt for transitions that have no event.
std::optional<Event> CampaignStatusEvent(const Campaign& campaign, CampaignStatus before);

// What message events say about one message.
struct MessageFacts {
  std::string message_id;  // msg_…
  std::string campaign_id;
  std::string lead_id;
  std::string email;
  int step_index = 0;
  std::string mailbox_id;
  std::string subject;
  int smtp_code = 0;
  std::string smtp_reply;
  int64_t at = 0;          // sent or bounced
  std::string variant_id;  // "" for a step without variants
};
Event MessageSentEvent(const MessageFacts& facts);
// A message's variant as event payloads give it ("" is null).
inline std::optional<std::string> VariantIdOrNull(const std::string& variant_id) {
  return variant_id.empty() ? std::nullopt : std::optional<std::string>(variant_id);
}
Event MessageBouncedEvent(const MessageFacts& facts);
// message.opened / message.clicked (the first time a person did it; SPEC §13).
Event MessageOpenedEvent(const MessageFacts& facts);
Event MessageClickedEvent(const MessageFacts& facts, std::string_view url);
Event WebhookTestEvent(const std::string& webhook_id);

// lead.labeled: a reply in the inbox got a label (or lost it: label null).
struct LabelFacts {
  std::string inbox_id, lead_id, campaign_id, email;
  std::optional<std::string> label, previous_label;
  bool by_person = true;  // else the classifier, on arrival
  int64_t at = 0;
};
Event LeadLabeledEvent(const LabelFacts& facts);

// Who chose a step's winner: the rule (engine) or a person (PATCH).
enum class WinnerSource { kAutomatic, kManual };
// step.winner_selected for `campaign`'s step `step_number` (1-based), whose
// winner_variant_id and winner_selected_at are set.
Event StepWinnerSelectedEvent(const Campaign& campaign, int step_number, WinnerSource source);

// The JSON body POSTed for an event; identical for every attempt.
std::string EventEnvelope(const std::string& event_id, const std::string& type, int64_t created_at,
                          const std::string& data_json);

// When to retry a failed delivery: `base` doubling per failed attempt, capped
// at `max_backoff`, scaled by (1 + 0.2 * jitter) with jitter in [-1, 1], and
// never after `window` has passed since the event was created (nullopt: give
// up, the delivery has failed).
struct RetryPolicy {
  int64_t base_millis = 10'000;
  int64_t max_backoff_millis = 3'600'000;
  int64_t window_millis = 86'400'000;
};
std::optional<int64_t> NextAttemptAt(const RetryPolicy& policy, int failed_attempts,
                                     int64_t event_created_at, int64_t now, double jitter);

}  // namespace leadterra::domain
