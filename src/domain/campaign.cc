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

namespace {

Status ValidateContent(std::string_view subject, std::string_view body_html, bool needs_subject,
                       const std::string& base) {
  if (needs_subject && subject.empty()) {
    return InvalidArgument("the first step needs a subject", base + ".subject");
  }
  if (CountCodePoints(subject) > kStepSubjectMaxChars) {
    return InvalidArgument("subject must be at most 998 characters", base + ".subject");
  }
  if (HasControlCharacters(subject, /*allow_newlines=*/false)) {
    return InvalidArgument("subject must not contain control characters or line breaks",
                           base + ".subject");
  }
  if (body_html.empty()) return InvalidArgument("bodyHtml must not be empty", base + ".bodyHtml");
  if (body_html.size() > kStepBodyMaxBytes) {
    return InvalidArgument("bodyHtml must be at most 512 KiB", base + ".bodyHtml");
  }
  return Status::Ok();
}

Status ValidateVariants(const Step& step, bool first, const std::string& base) {
  if (step.variants.size() < kMinVariants || step.variants.size() > kMaxVariants) {
    return InvalidArgument("a step has 2 to 5 variants (or none)", base + ".variants");
  }
  for (size_t j = 0; j < step.variants.size(); ++j) {
    const Variant& v = step.variants[j];
    const std::string path = base + ".variants[" + std::to_string(j) + "]";
    const size_t label_chars = CountCodePoints(v.label);
    if (label_chars == 0 || label_chars > kVariantLabelMaxChars ||
        HasControlCharacters(v.label, /*allow_newlines=*/false)) {
      return InvalidArgument("label must be 1 to 40 characters without control characters",
                             path + ".label");
    }
    for (size_t k = 0; k < j; ++k) {
      if (step.variants[k].label == v.label) {
        return InvalidArgument("label \"" + v.label + "\" is used twice in this step",
                               path + ".label");
      }
    }
    if (v.weight < 1 || v.weight > 100) {
      return InvalidArgument("weight must be an integer from 1 to 100", path + ".weight");
    }
    LT_RETURN_IF_ERROR(ValidateContent(v.subject, v.body_html, first, path));
  }
  return Status::Ok();
}

const Variant* ChosenVariant(const Step& step, std::string_view variant_id) {
  if (step.variants.empty()) return nullptr;
  const Variant* found = step.FindVariant(variant_id);
  return found ? found : &step.variants.front();
}

}  // namespace

const Variant* Step::FindVariant(std::string_view variant_id) const {
  for (const Variant& v : variants) {
    if (v.id == variant_id) return &v;
  }
  return nullptr;
}

std::string_view Step::SubjectFor(std::string_view variant_id) const {
  const Variant* v = ChosenVariant(*this, variant_id);
  return v ? std::string_view(v->subject) : std::string_view(subject);
}

std::string_view Step::BodyFor(std::string_view variant_id) const {
  const Variant* v = ChosenVariant(*this, variant_id);
  return v ? std::string_view(v->body_html) : std::string_view(body_html);
}

bool SameContent(const std::vector<Step>& a, const std::vector<Step>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].delay_days != b[i].delay_days || a[i].subject != b[i].subject ||
        a[i].body_html != b[i].body_html || a[i].variants.size() != b[i].variants.size()) {
      return false;
    }
    for (size_t j = 0; j < a[i].variants.size(); ++j) {
      const Variant& x = a[i].variants[j];
      const Variant& y = b[i].variants[j];
      if (x.id != y.id || x.label != y.label || x.subject != y.subject ||
          x.body_html != y.body_html || x.weight != y.weight) {
        return false;
      }
    }
  }
  return true;
}

Status ValidateSteps(const std::vector<Step>& steps) {
  if (steps.size() > kMaxSteps) {
    return InvalidArgument("a sequence has at most 50 steps", "sequenceSteps");
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    const std::string base = "sequenceSteps[" + std::to_string(i) + "]";
    if (step.variants.empty()) {
      LT_RETURN_IF_ERROR(ValidateContent(step.subject, step.body_html, i == 0, base));
    } else {
      LT_RETURN_IF_ERROR(ValidateVariants(step, i == 0, base));
    }
    if (!(step.delay_days >= 0) || step.delay_days > kMaxDelayDays) {
      return InvalidArgument("delayDays must be a number from 0 to 365", base + ".delayDays");
    }
  }
  return Status::Ok();
}

Status CarryVariants(const std::vector<Step>& old, std::vector<Step>& steps,
                     const WinnerChoices& choices, const std::function<std::string()>& new_id,
                     int64_t now) {
  for (size_t i = 0; i < steps.size(); ++i) {
    Step& step = steps[i];
    const Step* before = i < old.size() ? &old[i] : nullptr;
    for (Variant& v : step.variants) {
      v.id.clear();
      if (before) {
        for (const Variant& o : before->variants) {
          if (o.label == v.label) v.id = o.id;
        }
      }
      if (v.id.empty()) v.id = new_id();
    }
    const std::optional<std::string> choice = i < choices.size() ? choices[i] : std::nullopt;
    step.winner_variant_id.clear();
    step.winner_selected_at.reset();
    if (!choice) {
      if (before && !before->winner_variant_id.empty() &&
          step.FindVariant(before->winner_variant_id)) {
        step.winner_variant_id = before->winner_variant_id;
        step.winner_selected_at = before->winner_selected_at;
      }
      continue;
    }
    if (choice->empty()) continue;
    if (!step.FindVariant(*choice)) {
      return InvalidArgument("winnerVariantId must be the id of one of this step's variants",
                             "sequenceSteps[" + std::to_string(i) + "].winnerVariantId");
    }
    step.winner_variant_id = *choice;
    const bool kept = before && before->winner_variant_id == *choice;
    step.winner_selected_at = kept ? before->winner_selected_at : std::optional<int64_t>(now);
  }
  return Status::Ok();
}

std::vector<int> NewWinners(const std::vector<Step>& before, const std::vector<Step>& after) {
  std::vector<int> out;
  for (size_t i = 0; i < after.size(); ++i) {
    if (after[i].winner_variant_id.empty()) continue;
    if (i < before.size() && before[i].winner_variant_id == after[i].winner_variant_id) continue;
    out.push_back(static_cast<int>(i + 1));
  }
  return out;
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
  // Choosing a winner is the one change a running campaign's steps allow.
  if (campaign.status == CampaignStatus::kRunning && !SameContent(campaign.steps, steps)) {
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
