#include "domain/campaign.h"

#include <cstdio>

#include "util/utf8.h"

namespace leadterra::domain {

std::string_view ToString(StopOnReply mode) {
  return mode == StopOnReply::kCompany ? "company" : "lead";
}

std::optional<StopOnReply> ParseStopOnReply(std::string_view text) {
  if (text == "lead") return StopOnReply::kLead;
  if (text == "company") return StopOnReply::kCompany;
  return std::nullopt;
}

std::string_view ToString(CampaignStatus status) {
  switch (status) {
    case CampaignStatus::kDraft:
      return "draft";
    case CampaignStatus::kRunning:
      return "running";
    case CampaignStatus::kPaused:
      return "paused";
  }
  return "draft";
}

std::optional<CampaignStatus> ParseCampaignStatus(std::string_view text) {
  if (text == "draft") return CampaignStatus::kDraft;
  if (text == "running") return CampaignStatus::kRunning;
  if (text == "paused") return CampaignStatus::kPaused;
  return std::nullopt;
}

Status ValidateCampaignName(std::string_view name, const std::string& param) {
  size_t chars = CountCodePoints(name);
  if (chars == 0) return InvalidArgument("name must not be empty", param);
  if (chars > kCampaignNameMaxChars) {
    return InvalidArgument("name must be at most 200 characters", param);
  }
  if (HasControlCharacters(name, /*allow_newlines=*/false)) {
    return InvalidArgument("name must not contain control characters", param);
  }
  return Status::Ok();
}

Status ValidateSteps(const std::vector<Step>& steps) {
  if (steps.size() > kMaxSteps) {
    return InvalidArgument("a sequence has at most 50 steps", "sequenceSteps");
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    const std::string base = "sequenceSteps[" + std::to_string(i) + "]";
    if (i == 0 && step.subject.empty()) {
      return InvalidArgument("the first step needs a subject", base + ".subject");
    }
    if (CountCodePoints(step.subject) > kStepSubjectMaxChars) {
      return InvalidArgument("subject must be at most 998 characters", base + ".subject");
    }
    if (HasControlCharacters(step.subject, /*allow_newlines=*/false)) {
      return InvalidArgument("subject must not contain control characters or line breaks",
                             base + ".subject");
    }
    if (step.body_html.empty()) {
      return InvalidArgument("bodyHtml must not be empty", base + ".bodyHtml");
    }
    if (step.body_html.size() > kStepBodyMaxBytes) {
      return InvalidArgument("bodyHtml must be at most 512 KiB", base + ".bodyHtml");
    }
    if (!(step.delay_days >= 0) || step.delay_days > kMaxDelayDays) {
      return InvalidArgument("delayDays must be a number from 0 to 365", base + ".delayDays");
    }
  }
  return Status::Ok();
}

Status Start(Campaign& campaign, const StartContext& context, int64_t now) {
  if (campaign.status == CampaignStatus::kRunning) return Status::Ok();
  if (campaign.steps.empty()) {
    return InvalidState("a campaign needs at least one sequence step to start");
  }
  if (context.require_mailbox && context.active_mailboxes < 1) {
    return InvalidState("a campaign needs at least one active mailbox to start");
  }
  campaign.status = CampaignStatus::kRunning;
  campaign.pause_reason.reset();
  if (!campaign.started_at) campaign.started_at = now;
  campaign.updated_at = now;
  return Status::Ok();
}

Status ValidateBounceProtection(const BounceProtection& protection) {
  if (!(protection.max_bounce_rate > 0 && protection.max_bounce_rate <= 1)) {
    return InvalidArgument("maxBounceRate must be above 0 and at most 1 (0.05 = 5%)",
                           "bounceProtection.maxBounceRate");
  }
  if (protection.min_sends < 1 || protection.min_sends > kMaxBounceMinSends) {
    return InvalidArgument("minSends must be from 1 to 1000000", "bounceProtection.minSends");
  }
  return Status::Ok();
}

std::optional<PauseReason> CheckBounceRate(const BounceProtection& protection, int64_t sends,
                                           int64_t bounced, int64_t now) {
  if (!protection.enabled || sends < protection.min_sends || sends <= 0) return std::nullopt;
  const double rate = static_cast<double>(bounced) / static_cast<double>(sends);
  if (rate <= protection.max_bounce_rate) return std::nullopt;
  char message[200];
  std::snprintf(message, sizeof message,
                "paused by bounce protection: %lld of %lld messages bounced (%.1f%%), over the "
                "%.1f%% limit",
                static_cast<long long>(bounced), static_cast<long long>(sends), rate * 100,
                protection.max_bounce_rate * 100);
  return PauseReason{"bounce_rate", message, now};
}

Status Pause(Campaign& campaign, int64_t now) {
  switch (campaign.status) {
    case CampaignStatus::kPaused:
      return Status::Ok();
    case CampaignStatus::kDraft:
      return InvalidState("a draft campaign cannot be paused; start it first");
    case CampaignStatus::kRunning:
      campaign.status = CampaignStatus::kPaused;
      campaign.updated_at = now;
      return Status::Ok();
  }
  return Status::Ok();
}

Status ReplaceSteps(Campaign& campaign, std::vector<Step> steps, int64_t now) {
  if (campaign.status == CampaignStatus::kRunning) {
    return InvalidState("sequence steps of a running campaign cannot change; pause it first");
  }
  LT_RETURN_IF_ERROR(ValidateSteps(steps));
  campaign.steps = std::move(steps);
  campaign.updated_at = now;
  return Status::Ok();
}

Status Rename(Campaign& campaign, std::string name, int64_t now) {
  LT_RETURN_IF_ERROR(ValidateCampaignName(name, "name"));
  campaign.name = std::move(name);
  campaign.updated_at = now;
  return Status::Ok();
}

Status CheckDeletable(const Campaign& campaign) {
  if (campaign.status == CampaignStatus::kRunning) {
    return InvalidState("a running campaign cannot be deleted; pause it first");
  }
  return Status::Ok();
}

}  // namespace leadterra::domain
