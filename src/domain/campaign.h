// Campaigns, their sequence steps and the lifecycle rules (draft -> running
// <-> paused). Pure domain logic: no I/O, no JSON, no SQL. Functions here are
// deterministic and thread-safe; they report broken rules as Status.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace leadterra::domain {

enum class CampaignStatus { kDraft, kRunning, kPaused };

// What a reply stops: the replier's sequence, or every queued lead of the
// campaign at the replier's email domain too.
enum class StopOnReply { kLead, kCompany };
std::string_view ToString(StopOnReply mode);
std::optional<StopOnReply> ParseStopOnReply(std::string_view text);

std::string_view ToString(CampaignStatus status);
std::optional<CampaignStatus> ParseCampaignStatus(std::string_view text);

// Pauses a running campaign whose hard-bounce rate (bounced / (delivered +
// bounced) messages) passes `max_bounce_rate` once it has made `min_sends`
// such sends: a list that bounces this much is burning the sender's domain.
struct BounceProtection {
  bool enabled = true;
  double max_bounce_rate = 0.05;
  int64_t min_sends = 50;
};
inline constexpr int64_t kMaxBounceMinSends = 1'000'000;

// Why the engine paused a campaign by itself; cleared on the next start.
struct PauseReason {
  std::string code;  // "bounce_rate"
  std::string message;
  int64_t at = 0;
};

struct Step {
  double delay_days = 0;  // from the previous step's send (step 1: enrollment/start)
  std::string subject;    // may be empty after the first step: "Re: <previous>"
  std::string body_html;
};

struct Campaign {
  std::string id;  // camp_…
  std::string workspace_id;
  std::string name;
  CampaignStatus status = CampaignStatus::kDraft;
  std::vector<Step> steps;  // in send order; index 0 is step number 1
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::optional<int64_t> started_at;  // first transition to running
  StopOnReply stop_on_reply = StopOnReply::kLead;
  BounceProtection bounce_protection;
  std::optional<PauseReason> pause_reason;  // set only by an automatic pause
};

// Params "bounceProtection.maxBounceRate" (0 < rate <= 1) and
// "bounceProtection.minSends" (1..1,000,000).
Status ValidateBounceProtection(const BounceProtection& protection);
// The reason to pause, when `bounced` of `sends` passes the threshold.
std::optional<PauseReason> CheckBounceRate(const BounceProtection& protection, int64_t sends,
                                           int64_t bounced, int64_t now);

// A step's delay in milliseconds for a given day length (--day-seconds),
// rounded to the nearest millisecond.
inline int64_t DelayMillis(double delay_days, int64_t day_millis) {
  return static_cast<int64_t>(delay_days * static_cast<double>(day_millis) + 0.5);
}

// Field limits, shared by validation and documentation.
inline constexpr size_t kCampaignNameMaxChars = 200;
inline constexpr size_t kStepSubjectMaxChars = 998;
inline constexpr size_t kStepBodyMaxBytes = 512 * 1024;
inline constexpr size_t kMaxSteps = 50;
inline constexpr double kMaxDelayDays = 365;

// Validates a name (1..200 code points, no control characters). `param` names
// the field in the error.
Status ValidateCampaignName(std::string_view name, const std::string& param);
// Validates a whole sequence; errors name "sequenceSteps[i].field".
Status ValidateSteps(const std::vector<Step>& steps);

// What start needs to know about the world outside the campaign.
struct StartContext {
  bool require_mailbox = false;  // set once mailboxes exist
  int active_mailboxes = 0;
};

// Lifecycle transitions: mutate `campaign` on success, leave it untouched and
// return kInvalidState when the rule forbids the change.
Status Start(Campaign& campaign, const StartContext& context, int64_t now);
Status Pause(Campaign& campaign, int64_t now);
Status ReplaceSteps(Campaign& campaign, std::vector<Step> steps, int64_t now);
Status Rename(Campaign& campaign, std::string name, int64_t now);
Status CheckDeletable(const Campaign& campaign);

}  // namespace leadterra::domain
