// JSON <-> Campaign. Parsing validates shape and domain rules and reports the
// first problem with its `param` path; serialization produces the SPEC §3
// object (full sequenceSteps array with stepIndex and stepNumber).
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/campaign.h"
#include "util/status.h"

namespace leadterra::api {

// `bounceProtection` fields present in a request; absent ones keep their value.
struct BounceProtectionInput {
  std::optional<bool> enabled;
  std::optional<double> max_bounce_rate;
  std::optional<int64_t> min_sends;
  // Applies the fields present to `protection` and validates the result.
  Status ApplyTo(domain::BounceProtection& protection) const;
};

// `abTest` fields present in a request; absent ones keep their value.
struct AbTestInput {
  std::optional<bool> auto_select_winner;
  std::optional<int64_t> min_sends_per_variant;
  std::optional<double> confidence;
  // Applies the fields present to `settings` and validates the result.
  Status ApplyTo(domain::AbTestSettings& settings) const;
};

// Parsed `sequenceSteps`: the steps (variant ids not yet given) and, per
// step, what it says about the winner.
struct StepsInput {
  std::vector<domain::Step> steps;
  domain::WinnerChoices winners;
};

struct CampaignInput {
  std::optional<std::string> name;                 // required on create
  std::optional<std::vector<domain::Step>> steps;  // replaces all when set
  domain::WinnerChoices winners;                   // with `steps`
  std::optional<AbTestInput> ab_test;
  std::optional<bool> track_opens, track_clicks;  // `tracking` fields present
  std::optional<domain::StopOnReply> stop_on_reply;
  std::optional<BounceProtectionInput> bounce_protection;
};

// POST /v1/campaigns body: `name` required.
Result<CampaignInput> ParseCampaignCreate(const boost::json::value& body);
// PATCH /v1/campaigns/:id body: every field optional.
Result<CampaignInput> ParseCampaignPatch(const boost::json::value& body);
// Parses a `sequenceSteps` array (ordered by stepNumber/stepIndex if given).
Result<StepsInput> ParseSteps(const boost::json::value& value);

boost::json::value CampaignToJson(const domain::Campaign& campaign);

}  // namespace leadterra::api
