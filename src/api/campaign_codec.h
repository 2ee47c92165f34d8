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

struct CampaignInput {
  std::optional<std::string> name;                 // required on create
  std::optional<std::vector<domain::Step>> steps;  // replaces all when set
  std::optional<domain::StopOnReply> stop_on_reply;
  std::optional<BounceProtectionInput> bounce_protection;
};

// POST /v1/campaigns body: `name` required.
Result<CampaignInput> ParseCampaignCreate(const boost::json::value& body);
// PATCH /v1/campaigns/:id body: every field optional.
Result<CampaignInput> ParseCampaignPatch(const boost::json::value& body);
// Parses a `sequenceSteps` array (ordered by stepNumber/stepIndex if given).
Result<std::vector<domain::Step>> ParseSteps(const boost::json::value& value);

boost::json::value CampaignToJson(const domain::Campaign& campaign);

}  // namespace leadterra::api
