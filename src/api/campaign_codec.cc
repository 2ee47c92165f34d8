#include "api/campaign_codec.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cmath>

#include "api/json_input.h"
#include "util/time_format.h"

namespace leadterra::api {
namespace {

constexpr char kStepsField[] = "sequenceSteps";

// A step as written, before ordering.
struct RawStep {
  domain::Step step;
  std::optional<int64_t> number;  // 1-based position, from stepNumber or stepIndex+1
};

Result<RawStep> ParseOneStep(const boost::json::value& value, const std::string& path) {
  LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(value, path));
  LT_RETURN_IF_ERROR(
      reader.RejectUnknown({"stepNumber", "stepIndex", "delayDays", "subject", "bodyHtml"}));
  RawStep raw;
  LT_ASSIGN_OR_RETURN(raw.step.subject, reader.RequiredString("subject"));
  LT_ASSIGN_OR_RETURN(raw.step.body_html, reader.RequiredString("bodyHtml"));
  LT_ASSIGN_OR_RETURN(std::optional<double> delay, reader.OptionalNumber("delayDays"));
  raw.step.delay_days = delay.value_or(0);
  LT_ASSIGN_OR_RETURN(std::optional<int64_t> number, reader.OptionalInteger("stepNumber"));
  LT_ASSIGN_OR_RETURN(std::optional<int64_t> index, reader.OptionalInteger("stepIndex"));
  if (number && index && *number != *index + 1) {
    return InvalidArgument("stepIndex must equal stepNumber - 1", reader.PathOf("stepIndex"));
  }
  if (number) {
    raw.number = number;
  } else if (index) {
    raw.number = *index + 1;
  }
  return raw;
}

Result<BounceProtectionInput> ParseBounceProtection(const boost::json::value& value) {
  LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(value, "bounceProtection"));
  LT_RETURN_IF_ERROR(reader.RejectUnknown({"enabled", "maxBounceRate", "minSends"}));
  BounceProtectionInput input;
  if (const boost::json::value* enabled = reader.Find("enabled")) {
    if (!enabled->is_bool()) {
      return InvalidArgument("enabled must be true or false", reader.PathOf("enabled"));
    }
    input.enabled = enabled->get_bool();
  }
  LT_ASSIGN_OR_RETURN(input.max_bounce_rate, reader.OptionalNumber("maxBounceRate"));
  LT_ASSIGN_OR_RETURN(input.min_sends, reader.OptionalInteger("minSends"));
  return input;
}

Result<CampaignInput> ParseCampaign(const boost::json::value& body, bool create) {
  LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(body, ""));
  LT_RETURN_IF_ERROR(
      reader.RejectUnknown({"name", kStepsField, "stopOnReply", "bounceProtection"}));
  CampaignInput input;
  if (create) {
    LT_ASSIGN_OR_RETURN(std::string name, reader.RequiredString("name"));
    input.name = std::move(name);
  } else {
    LT_ASSIGN_OR_RETURN(input.name, reader.OptionalString("name"));
  }
  if (input.name) LT_RETURN_IF_ERROR(domain::ValidateCampaignName(*input.name, "name"));
  if (const boost::json::value* steps = reader.Find(kStepsField)) {
    LT_ASSIGN_OR_RETURN(std::vector<domain::Step> parsed, ParseSteps(*steps));
    input.steps = std::move(parsed);
  }
  LT_ASSIGN_OR_RETURN(std::optional<std::string> stop, reader.OptionalString("stopOnReply"));
  if (stop) {
    input.stop_on_reply = domain::ParseStopOnReply(*stop);
    if (!input.stop_on_reply) {
      return InvalidArgument("stopOnReply must be lead or company", "stopOnReply");
    }
  }
  if (const boost::json::value* protection = reader.Find("bounceProtection")) {
    LT_ASSIGN_OR_RETURN(input.bounce_protection, ParseBounceProtection(*protection));
    domain::BounceProtection check;
    LT_RETURN_IF_ERROR(input.bounce_protection->ApplyTo(check));
  }
  return input;
}

// 3 -> 3, 0.5 -> 0.5 (Boost.JSON would print 3.0 as 3E0).
boost::json::value NumberToJson(double d) {
  if (std::floor(d) == d && std::fabs(d) < 9e15) return static_cast<int64_t>(d);
  return d;
}

}  // namespace

Result<std::vector<domain::Step>> ParseSteps(const boost::json::value& value) {
  if (!value.is_array()) {
    return InvalidArgument(
        std::string(kStepsField) + " must be an array, not " + std::string(KindName(value)),
        kStepsField);
  }
  const boost::json::array& array = value.get_array();
  if (array.size() > domain::kMaxSteps) {
    return InvalidArgument("a sequence has at most 50 steps", kStepsField);
  }
  std::vector<RawStep> raw;
  raw.reserve(array.size());
  for (size_t i = 0; i < array.size(); ++i) {
    LT_ASSIGN_OR_RETURN(RawStep step, ParseOneStep(array[i], IndexPath(kStepsField, i)));
    raw.push_back(std::move(step));
  }
  std::vector<domain::Step> ordered(raw.size());
  const bool numbered = !raw.empty() && raw.front().number.has_value();
  if (!numbered) {
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i].number) {
        return InvalidArgument("give stepNumber on every step or on none",
                               IndexPath(kStepsField, i) + ".stepNumber");
      }
      ordered[i] = std::move(raw[i].step);
    }
  } else {
    std::vector<bool> seen(raw.size(), false);
    for (size_t i = 0; i < raw.size(); ++i) {
      const std::string path = IndexPath(kStepsField, i) + ".stepNumber";
      if (!raw[i].number) return InvalidArgument("give stepNumber on every step or on none", path);
      int64_t n = *raw[i].number;
      if (n < 1 || n > static_cast<int64_t>(raw.size())) {
        return InvalidArgument("stepNumber must be from 1 to " + std::to_string(raw.size()), path);
      }
      if (seen[n - 1]) {
        return InvalidArgument("stepNumber " + std::to_string(n) + " appears twice", path);
      }
      seen[n - 1] = true;
      ordered[n - 1] = std::move(raw[i].step);
    }
  }
  LT_RETURN_IF_ERROR(domain::ValidateSteps(ordered));
  return ordered;
}

Result<CampaignInput> ParseCampaignCreate(const boost::json::value& body) {
  return ParseCampaign(body, /*create=*/true);
}

Result<CampaignInput> ParseCampaignPatch(const boost::json::value& body) {
  return ParseCampaign(body, /*create=*/false);
}

Status BounceProtectionInput::ApplyTo(domain::BounceProtection& protection) const {
  if (enabled) protection.enabled = *enabled;
  if (max_bounce_rate) protection.max_bounce_rate = *max_bounce_rate;
  if (min_sends) protection.min_sends = *min_sends;
  return domain::ValidateBounceProtection(protection);
}

boost::json::value CampaignToJson(const domain::Campaign& c) {
  boost::json::array steps;
  for (size_t i = 0; i < c.steps.size(); ++i) {
    const domain::Step& s = c.steps[i];
    steps.push_back(boost::json::object{
        {"stepIndex", static_cast<int64_t>(i)},
        {"stepNumber", static_cast<int64_t>(i + 1)},
        {"delayDays", NumberToJson(s.delay_days)},
        {"subject", s.subject},
        {"bodyHtml", s.body_html},
    });
  }
  boost::json::object out;
  out["id"] = c.id;
  out["name"] = c.name;
  out["status"] = domain::ToString(c.status);
  out["sequenceSteps"] = std::move(steps);
  out["stopOnReply"] = domain::ToString(c.stop_on_reply);
  out["bounceProtection"] =
      boost::json::object{{"enabled", c.bounce_protection.enabled},
                          {"maxBounceRate", NumberToJson(c.bounce_protection.max_bounce_rate)},
                          {"minSends", c.bounce_protection.min_sends}};
  if (c.pause_reason) {
    out["pauseReason"] = boost::json::object{{"code", c.pause_reason->code},
                                             {"message", c.pause_reason->message},
                                             {"at", FormatIso8601(c.pause_reason->at)}};
  } else {
    out["pauseReason"] = nullptr;
  }
  out["createdAt"] = FormatIso8601(c.created_at);
  out["updatedAt"] = FormatIso8601(c.updated_at);
  if (c.started_at) {
    out["startedAt"] = FormatIso8601(*c.started_at);
  } else {
    out["startedAt"] = nullptr;
  }
  return out;
}

}  // namespace leadterra::api
