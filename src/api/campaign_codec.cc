#include "api/campaign_codec.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cmath>
#include <utility>

#include "api/json_input.h"
#include "util/time_format.h"

namespace leadterra::api {
namespace {

constexpr char kStepsField[] = "sequenceSteps";

// A step as written, before ordering.
struct RawStep {
  domain::Step step;
  std::optional<std::string> winner;
  std::optional<int64_t> number;  // 1-based position, from stepNumber or stepIndex+1
};

Result<domain::Variant> ParseVariant(const boost::json::value& value, const std::string& path) {
  LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(value, path));
  // `id`, as a GET returns it, may come back in a PATCH; it is not read:
  // ids follow labels.
  LT_RETURN_IF_ERROR(reader.RejectUnknown({"id", "label", "subject", "bodyHtml", "weight"}));
  domain::Variant v;
  LT_ASSIGN_OR_RETURN(v.label, reader.RequiredString("label"));
  LT_ASSIGN_OR_RETURN(v.subject, reader.RequiredString("subject"));
  LT_ASSIGN_OR_RETURN(v.body_html, reader.RequiredString("bodyHtml"));
  LT_ASSIGN_OR_RETURN(std::optional<int64_t> weight, reader.OptionalInteger("weight"));
  if (weight && (*weight < 1 || *weight > 100)) {
    return InvalidArgument("weight must be an integer from 1 to 100", reader.PathOf("weight"));
  }
  if (weight) v.weight = static_cast<int>(*weight);
  return v;
}

Result<RawStep> ParseOneStep(const boost::json::value& value, const std::string& path) {
  LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(value, path));
  LT_RETURN_IF_ERROR(
      reader.RejectUnknown({"stepNumber", "stepIndex", "delayDays", "subject", "bodyHtml",
                            "variants", "winnerVariantId", "winnerSelectedAt"}));
  RawStep raw;
  if (const boost::json::value* variants = reader.Find("variants")) {
    if (!variants->is_array()) {
      return InvalidArgument("variants must be an array, not " + std::string(KindName(*variants)),
                             reader.PathOf("variants"));
    }
    const boost::json::array& list = variants->get_array();
    if (list.size() > domain::kMaxVariants) {
      return InvalidArgument("a step has 2 to 5 variants (or none)", reader.PathOf("variants"));
    }
    for (size_t j = 0; j < list.size(); ++j) {
      LT_ASSIGN_OR_RETURN(domain::Variant v,
                          ParseVariant(list[j], IndexPath(reader.PathOf("variants"), j)));
      raw.step.variants.push_back(std::move(v));
    }
  }
  if (raw.step.variants.empty()) {
    LT_ASSIGN_OR_RETURN(raw.step.subject, reader.RequiredString("subject"));
    LT_ASSIGN_OR_RETURN(raw.step.body_html, reader.RequiredString("bodyHtml"));
  } else {
    // With variants, the step's own subject and body are ignored.
    LT_RETURN_IF_ERROR(reader.OptionalString("subject").status());
    LT_RETURN_IF_ERROR(reader.OptionalString("bodyHtml").status());
  }
  if (const boost::json::value* winner = reader.Find("winnerVariantId")) {
    if (winner->is_null()) {
      raw.winner = std::string();
    } else if (winner->is_string()) {
      raw.winner = std::string(winner->get_string());
      if (raw.winner->empty()) {
        return InvalidArgument("winnerVariantId must be a variant id or null",
                               reader.PathOf("winnerVariantId"));
      }
    } else {
      return InvalidArgument("winnerVariantId must be a variant id or null",
                             reader.PathOf("winnerVariantId"));
    }
  }
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

Result<AbTestInput> ParseAbTest(const boost::json::value& value) {
  LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(value, "abTest"));
  LT_RETURN_IF_ERROR(
      reader.RejectUnknown({"metric", "autoSelectWinner", "minSendsPerVariant", "confidence"}));
  AbTestInput input;
  LT_ASSIGN_OR_RETURN(std::optional<std::string> metric, reader.OptionalString("metric"));
  if (metric && *metric != "replyRate") {
    return InvalidArgument("metric must be replyRate", reader.PathOf("metric"));
  }
  if (const boost::json::value* automatic = reader.Find("autoSelectWinner")) {
    if (!automatic->is_bool()) {
      return InvalidArgument("autoSelectWinner must be true or false",
                             reader.PathOf("autoSelectWinner"));
    }
    input.auto_select_winner = automatic->get_bool();
  }
  LT_ASSIGN_OR_RETURN(input.min_sends_per_variant, reader.OptionalInteger("minSendsPerVariant"));
  LT_ASSIGN_OR_RETURN(input.confidence, reader.OptionalNumber("confidence"));
  return input;
}

Result<CampaignInput> ParseCampaign(const boost::json::value& body, bool create) {
  LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(body, ""));
  LT_RETURN_IF_ERROR(reader.RejectUnknown(
      {"name", kStepsField, "stopOnReply", "bounceProtection", "abTest", "tracking"}));
  CampaignInput input;
  if (create) {
    LT_ASSIGN_OR_RETURN(std::string name, reader.RequiredString("name"));
    input.name = std::move(name);
  } else {
    LT_ASSIGN_OR_RETURN(input.name, reader.OptionalString("name"));
  }
  if (input.name) LT_RETURN_IF_ERROR(domain::ValidateCampaignName(*input.name, "name"));
  if (const boost::json::value* steps = reader.Find(kStepsField)) {
    LT_ASSIGN_OR_RETURN(StepsInput parsed, ParseSteps(*steps));
    input.steps = std::move(parsed.steps);
    input.winners = std::move(parsed.winners);
  }
  if (const boost::json::value* tracking = reader.Find("tracking")) {
    LT_ASSIGN_OR_RETURN(FieldReader fields, FieldReader::Of(*tracking, "tracking"));
    LT_RETURN_IF_ERROR(fields.RejectUnknown({"opens", "clicks"}));
    for (auto [name, out] :
         {std::pair{"opens", &input.track_opens}, std::pair{"clicks", &input.track_clicks}}) {
      if (const boost::json::value* flag = fields.Find(name)) {
        if (!flag->is_bool()) {
          return InvalidArgument(std::string(name) + " must be true or false", fields.PathOf(name));
        }
        *out = flag->get_bool();
      }
    }
  }
  if (const boost::json::value* ab_test = reader.Find("abTest")) {
    LT_ASSIGN_OR_RETURN(input.ab_test, ParseAbTest(*ab_test));
    domain::AbTestSettings check;
    LT_RETURN_IF_ERROR(input.ab_test->ApplyTo(check));
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

Result<StepsInput> ParseSteps(const boost::json::value& value) {
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
  domain::WinnerChoices winners(raw.size());
  const bool numbered = !raw.empty() && raw.front().number.has_value();
  if (!numbered) {
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i].number) {
        return InvalidArgument("give stepNumber on every step or on none",
                               IndexPath(kStepsField, i) + ".stepNumber");
      }
      ordered[i] = std::move(raw[i].step);
      winners[i] = std::move(raw[i].winner);
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
      winners[n - 1] = std::move(raw[i].winner);
    }
  }
  LT_RETURN_IF_ERROR(domain::ValidateSteps(ordered));
  return StepsInput{std::move(ordered), std::move(winners)};
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

Status AbTestInput::ApplyTo(domain::AbTestSettings& settings) const {
  if (auto_select_winner) settings.auto_select_winner = *auto_select_winner;
  if (min_sends_per_variant) settings.min_sends_per_variant = *min_sends_per_variant;
  if (confidence) settings.confidence = *confidence;
  return domain::ValidateAbTest(settings);
}

namespace {

boost::json::value StepToJson(const domain::Step& s, size_t index) {
  boost::json::object step{
      {"stepIndex", static_cast<int64_t>(index)},
      {"stepNumber", static_cast<int64_t>(index + 1)},
      {"delayDays", NumberToJson(s.delay_days)},
      {"subject", s.subject},
      {"bodyHtml", s.body_html},
  };
  if (!s.variants.empty()) {
    boost::json::array variants;
    for (const domain::Variant& v : s.variants) {
      variants.push_back(boost::json::object{{"id", v.id},
                                             {"label", v.label},
                                             {"subject", v.subject},
                                             {"bodyHtml", v.body_html},
                                             {"weight", v.weight}});
    }
    step["variants"] = std::move(variants);
    step["winnerVariantId"] = s.winner_variant_id.empty() ? boost::json::value(nullptr)
                                                          : boost::json::value(s.winner_variant_id);
    step["winnerSelectedAt"] = s.winner_selected_at
                                   ? boost::json::value(FormatIso8601(*s.winner_selected_at))
                                   : boost::json::value(nullptr);
  }
  return step;
}

}  // namespace

boost::json::value CampaignToJson(const domain::Campaign& c) {
  boost::json::array steps;
  for (size_t i = 0; i < c.steps.size(); ++i) steps.push_back(StepToJson(c.steps[i], i));
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
  out["tracking"] = boost::json::object{{"opens", c.tracking.opens}, {"clicks", c.tracking.clicks}};
  out["abTest"] = boost::json::object{{"metric", "replyRate"},
                                      {"autoSelectWinner", c.ab_test.auto_select_winner},
                                      {"minSendsPerVariant", c.ab_test.min_sends_per_variant},
                                      {"confidence", NumberToJson(c.ab_test.confidence)}};
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
