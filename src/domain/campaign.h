// Campaigns, their sequence steps and the lifecycle rules (draft -> running
// <-> paused). Pure domain logic: no I/O, no JSON, no SQL. Functions here are
// deterministic and thread-safe; they report broken rules as Status.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/ab_test.h"
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

// Campaign `tracking` (SPEC §13): both off unless asked for; see
// domain/tracking.h.
struct TrackingSettings {
  bool opens = false;
  bool clicks = false;
  bool any() const { return opens || clicks; }
};

// Why the engine paused a campaign by itself; cleared on the next start.
struct PauseReason {
  std::string code;  // "bounce_rate"
  std::string message;
  int64_t at = 0;
};

// One version of a step's content (SPEC §11).
struct Variant {
  std::string id;     // var_…, stable across edits that keep the label
  std::string label;  // "A", unique within the step
  std::string subject;
  std::string body_html;
  int weight = kDefaultVariantWeight;  // 1..100, relative to the step's other variants
  static constexpr int kDefaultVariantWeight = 50;
};

struct Step {
  Step() = default;
  Step(double delay, std::string subject_text, std::string body)
      : delay_days(delay), subject(std::move(subject_text)), body_html(std::move(body)) {}

  double delay_days = 0;  // from the previous step's send (step 1: enrollment/start)
  std::string subject;    // may be empty after the first step: "Re: <previous>"
  std::string body_html;
  // None, or 2..5: then each lead gets one of them and subject/body_html
  // above are empty.
  std::vector<Variant> variants;
  std::string winner_variant_id;  // "" until a winner is chosen
  std::optional<int64_t> winner_selected_at;

  const Variant* FindVariant(std::string_view variant_id) const;
  // The content a lead with `variant_id` gets: the variant's (the first one
  // when that id is gone), or the step's own.
  std::string_view SubjectFor(std::string_view variant_id) const;
  std::string_view BodyFor(std::string_view variant_id) const;
};

// Same content (delays, subjects, bodies, variants with their ids, labels
// and weights); winners aside.
bool SameContent(const std::vector<Step>& a, const std::vector<Step>& b);

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
  AbTestSettings ab_test;
  TrackingSettings tracking;
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
inline constexpr size_t kMinVariants = 2;
inline constexpr size_t kMaxVariants = 5;
inline constexpr size_t kVariantLabelMaxChars = 40;

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

// What an edit of the steps says about winners, per step (by position):
// nullopt keeps the current winner (when its variant is still there), ""
// clears it, an id chooses that variant.
using WinnerChoices = std::vector<std::optional<std::string>>;

// Prepares `steps` to replace `old`: every variant keeps the id of the
// variant with the same label at the same position in `old` (else
// `new_id()`), and winners follow `choices`. Errors name
// "sequenceSteps[i].winnerVariantId". A winner chosen here (not kept) gets
// `now` as its time.
Status CarryVariants(const std::vector<Step>& old, std::vector<Step>& steps,
                     const WinnerChoices& choices, const std::function<std::string()>& new_id,
                     int64_t now);

// The step numbers (1-based) whose winner is set in `after` but was not (or
// was another) in `before`.
std::vector<int> NewWinners(const std::vector<Step>& before, const std::vector<Step>& after);

// Lifecycle transitions: mutate `campaign` on success, leave it untouched and
// return kInvalidState when the rule forbids the change.
Status Start(Campaign& campaign, const StartContext& context, int64_t now);
Status Pause(Campaign& campaign, int64_t now);
Status ReplaceSteps(Campaign& campaign, std::vector<Step> steps, int64_t now);
Status Rename(Campaign& campaign, std::string name, int64_t now);
Status CheckDeletable(const Campaign& campaign);

}  // namespace leadterra::domain
