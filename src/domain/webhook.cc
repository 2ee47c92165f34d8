#include "domain/webhook.h"

#include <algorithm>
#include <cmath>

#include "util/json_writer.h"
#include "util/time_format.h"

namespace leadterra::domain {

const std::vector<std::string_view>& SubscribableEventTypes() {
  static const std::vector<std::string_view> kTypes = {
      event_type::kCampaignStarted,    event_type::kCampaignPaused, event_type::kMessageSent,
      event_type::kMessageBounced,     event_type::kMessageReplied, event_type::kLeadUnsubscribed,
      event_type::kStepWinnerSelected, event_type::kMessageOpened,  event_type::kMessageClicked,
      event_type::kLeadLabeled};
  return kTypes;
}

bool IsSubscribableEventType(std::string_view type) {
  const auto& types = SubscribableEventTypes();
  return std::find(types.begin(), types.end(), type) != types.end();
}

std::string_view ToString(WebhookStatus status) {
  return status == WebhookStatus::kFailing ? "failing" : "active";
}

std::optional<WebhookStatus> ParseWebhookStatus(std::string_view text) {
  if (text == "active") return WebhookStatus::kActive;
  if (text == "failing") return WebhookStatus::kFailing;
  return std::nullopt;
}

Status ValidateWebhookUrl(std::string_view url, const std::string& param) {
  if (url.size() > kWebhookUrlMaxBytes) {
    return InvalidArgument("url must be at most 2048 bytes", param);
  }
  for (char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) {
      return InvalidArgument("url must not contain spaces or control characters", param);
    }
  }
  std::string_view rest;
  if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    return InvalidArgument("url must be an absolute http:// or https:// URL", param);
  }
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    host = close == std::string_view::npos ? std::string_view() : host.substr(1, close - 1);
  } else {
    host = host.substr(0, host.rfind(':'));
  }
  if (host.empty()) return InvalidArgument("url must name a host", param);
  return Status::Ok();
}

Status NormalizeEventTypes(std::vector<std::string>& events, const std::string& param) {
  for (size_t i = 0; i < events.size(); ++i) {
    if (!IsSubscribableEventType(events[i])) {
      return InvalidArgument("unknown event type '" + events[i] + "'",
                             param + "[" + std::to_string(i) + "]");
    }
  }
  std::vector<std::string> canonical;
  for (std::string_view type : SubscribableEventTypes()) {
    if (std::find(events.begin(), events.end(), type) != events.end()) {
      canonical.emplace_back(type);
    }
  }
  events = std::move(canonical);
  return Status::Ok();
}

std::optional<Event> CampaignStatusEvent(const Campaign& campaign, CampaignStatus before) {
  if (campaign.status == before) return std::nullopt;
  JsonObjectWriter data;
  data.String("campaignId", campaign.id)
      .String("name", campaign.name)
      .String("status", ToString(campaign.status));
  if (campaign.status == CampaignStatus::kRunning) {
    data.String("startedAt", FormatIso8601(campaign.updated_at));
    return Event{std::string(event_type::kCampaignStarted), data.Finish()};
  }
  if (campaign.status == CampaignStatus::kPaused) {
    data.String("pausedAt", FormatIso8601(campaign.updated_at));
    // "manual" for a pause by request; else the engine's reason code.
    data.String("reason", campaign.pause_reason ? campaign.pause_reason->code : "manual");
    if (campaign.pause_reason) data.String("reasonMessage", campaign.pause_reason->message);
    return Event{std::string(event_type::kCampaignPaused), data.Finish()};
  }
  return std::nullopt;
}

namespace {

// What every message event says; tracking events leave out the mailbox.
JsonObjectWriter MessageData(const MessageFacts& f, bool with_mailbox = true) {
  JsonObjectWriter data;
  data.String("messageId", f.message_id)
      .String("campaignId", f.campaign_id)
      .String("leadId", f.lead_id)
      .String("email", f.email)
      .Int("stepIndex", f.step_index)
      .Int("stepNumber", f.step_index + 1);
  if (with_mailbox) data.String("mailboxId", f.mailbox_id);
  data.OptionalString("variantId", VariantIdOrNull(f.variant_id));
  return data;
}

}  // namespace

Event MessageSentEvent(const MessageFacts& facts) {
  JsonObjectWriter data = MessageData(facts);
  data.String("subject", facts.subject).String("sentAt", FormatIso8601(facts.at));
  return Event{std::string(event_type::kMessageSent), data.Finish(), facts.lead_id};
}

Event MessageBouncedEvent(const MessageFacts& facts) {
  JsonObjectWriter data = MessageData(facts);
  data.Int("smtpCode", facts.smtp_code)
      .String("smtpReply", facts.smtp_reply)
      .String("bouncedAt", FormatIso8601(facts.at));
  return Event{std::string(event_type::kMessageBounced), data.Finish(), facts.lead_id};
}

Event StepWinnerSelectedEvent(const Campaign& campaign, int step_number, WinnerSource source) {
  const Step& step = campaign.steps.at(static_cast<size_t>(step_number - 1));
  const Variant* winner = step.FindVariant(step.winner_variant_id);
  JsonObjectWriter data;
  data.String("campaignId", campaign.id)
      .Int("stepNumber", step_number)
      .String("variantId", step.winner_variant_id)
      .String("label", winner ? winner->label : "")
      .String("selectedBy", source == WinnerSource::kAutomatic ? "rule" : "person")
      .String("selectedAt", FormatIso8601(step.winner_selected_at.value_or(campaign.updated_at)));
  return Event{std::string(event_type::kStepWinnerSelected), data.Finish()};
}

Event MessageOpenedEvent(const MessageFacts& facts) {
  JsonObjectWriter data = MessageData(facts, /*with_mailbox=*/false);
  data.String("openedAt", FormatIso8601(facts.at));
  return Event{std::string(event_type::kMessageOpened), data.Finish(), facts.lead_id};
}

Event MessageClickedEvent(const MessageFacts& facts, std::string_view url) {
  JsonObjectWriter data = MessageData(facts, /*with_mailbox=*/false);
  data.String("url", url).String("clickedAt", FormatIso8601(facts.at));
  return Event{std::string(event_type::kMessageClicked), data.Finish(), facts.lead_id};
}

Event WebhookTestEvent(const std::string& webhook_id) {
  return Event{std::string(event_type::kWebhookTest),
               JsonObjectWriter().String("webhookId", webhook_id).Finish()};
}

Event LeadLabeledEvent(const LabelFacts& facts) {
  return Event{std::string(event_type::kLeadLabeled),
               JsonObjectWriter()
                   .String("inboxId", facts.inbox_id)
                   .String("leadId", facts.lead_id)
                   .String("campaignId", facts.campaign_id)
                   .String("email", facts.email)
                   .OptionalString("label", facts.label)
                   .OptionalString("previousLabel", facts.previous_label)
                   .String("labeledBy", facts.by_person ? "person" : "rule")
                   .String("labeledAt", FormatIso8601(facts.at))
                   .Finish(),
               facts.lead_id};
}

std::string EventEnvelope(const std::string& event_id, const std::string& type, int64_t created_at,
                          const std::string& data_json) {
  return JsonObjectWriter()
      .String("id", event_id)
      .String("type", type)
      .String("createdAt", FormatIso8601(created_at))
      .Raw("data", data_json)
      .Finish();
}

std::optional<int64_t> NextAttemptAt(const RetryPolicy& policy, int failed_attempts,
                                     int64_t event_created_at, int64_t now, double jitter) {
  double backoff = static_cast<double>(policy.base_millis);
  for (int i = 1; i < failed_attempts && backoff < policy.max_backoff_millis; ++i) backoff *= 2;
  backoff = std::min(backoff, static_cast<double>(policy.max_backoff_millis));
  backoff *= 1.0 + 0.2 * std::clamp(jitter, -1.0, 1.0);
  const int64_t at = now + std::max<int64_t>(1, std::llround(backoff));
  if (at > event_created_at + policy.window_millis) return std::nullopt;
  return at;
}

}  // namespace leadterra::domain
