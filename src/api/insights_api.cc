#include "api/insights_api.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/body.h"
#include "api/json_input.h"
#include "api/lead_codec.h"
#include "api/list_params.h"
#include "delivery/html_to_text.h"
#include "delivery/lead_fields.h"
#include "domain/analytics.h"
#include "domain/sequence.h"
#include "util/time_format.h"

namespace leadterra::api {
namespace {

constexpr int kLintSamples = 5;

boost::json::array Strings(const std::vector<std::string>& values) {
  boost::json::array out;
  for (const auto& v : values) out.push_back(boost::json::string(v));
  return out;
}

}  // namespace

Result<Response> InsightsApi::Preview(const Request& request) {
  LT_ASSIGN_OR_RETURN(const boost::json::value* body, RequireBody(request));
  LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(*body, ""));
  LT_RETURN_IF_ERROR(reader.RejectUnknown({"leadId", "lead", "stepNumber", "variantId"}));
  LT_ASSIGN_OR_RETURN(domain::Campaign campaign,
                      store_.GetCampaign(request.workspace_id, request.PathParam("id")));
  LT_ASSIGN_OR_RETURN(std::optional<int64_t> step_number, reader.OptionalInteger("stepNumber"));
  const int64_t step = step_number.value_or(1);
  if (campaign.steps.empty()) return InvalidState("the campaign has no sequence steps to preview");
  if (step < 1 || step > static_cast<int64_t>(campaign.steps.size())) {
    return InvalidArgument("stepNumber must be from 1 to " + std::to_string(campaign.steps.size()),
                           "stepNumber");
  }
  // The variant to show (default: the step's first); earlier steps render
  // their first variant, so an inherited "Re:" subject is the first one's.
  const domain::Step& shown = campaign.steps[static_cast<size_t>(step - 1)];
  LT_ASSIGN_OR_RETURN(std::optional<std::string> variant_id, reader.OptionalString("variantId"));
  if (variant_id && !shown.FindVariant(*variant_id)) {
    return InvalidArgument(shown.variants.empty() ? "this step has no variants"
                                                  : "variantId must be one of this step's variants",
                           "variantId");
  }
  if (!variant_id && !shown.variants.empty()) variant_id = shown.variants.front().id;
  LT_ASSIGN_OR_RETURN(std::optional<std::string> lead_id, reader.OptionalString("leadId"));
  const boost::json::value* inline_lead = reader.Find("lead");
  if (lead_id && inline_lead) return InvalidArgument("give leadId or lead, not both", "lead");
  if (!lead_id && !inline_lead) return InvalidArgument("leadId or lead is required", "leadId");

  std::optional<delivery::LeadFields> fields;
  if (lead_id) {
    auto lead = store_.GetLead(request.workspace_id, *lead_id);
    if (!lead.ok()) {
      if (lead.status().code() == ErrorCode::kNotFound) {
        return InvalidArgument("no lead with this id in the workspace", "leadId");
      }
      return lead.status();
    }
    fields.emplace(*lead);
  } else {
    LT_ASSIGN_OR_RETURN(ParsedLeadRow row, ParseLeadRow(*inline_lead, "lead"));
    if (row.problem && row.problem->code != "missing_email") {
      return InvalidArgument(row.problem->message,
                             row.problem->param.empty() ? "lead" : row.problem->param);
    }
    fields.emplace(row.upsert);
  }
  domain::CompiledSequence sequence(campaign.steps);
  std::vector<std::string> variants(static_cast<size_t>(step));
  variants.back() = variant_id.value_or("");
  domain::RenderedStep rendered =
      sequence.Render(static_cast<size_t>(step - 1), variants, fields->Lookup());
  return DataResponse(boost::json::object{
      {"stepNumber", step},
      {"variantId", variant_id ? boost::json::value(*variant_id) : boost::json::value(nullptr)},
      {"subject", rendered.subject},
      {"bodyHtml", rendered.body_html},
      {"bodyText", delivery::HtmlToText(rendered.body_html)},
      {"missingFields", Strings(rendered.missing_fields)},
  });
}

Result<Response> InsightsApi::Lint(const Request& request) {
  LT_RETURN_IF_ERROR(ParseListParams(request.query, "", {}).status());
  LT_ASSIGN_OR_RETURN(domain::Campaign campaign,
                      store_.GetCampaign(request.workspace_id, request.PathParam("id")));
  LT_ASSIGN_OR_RETURN(std::vector<std::string> known,
                      store_.ListCustomFieldKeys(request.workspace_id));
  LT_ASSIGN_OR_RETURN(store::CampaignCounters counters,
                      store_.GetCampaignCounters(request.workspace_id, campaign.id));
  domain::CompiledSequence sequence(campaign.steps);
  auto uses = sequence.TokenUses();
  std::vector<std::string> names;
  for (const auto& use : uses) names.push_back(use.name);
  LT_ASSIGN_OR_RETURN(
      std::vector<store::FieldGap> gaps,
      store_.CountMissingFields(request.workspace_id, campaign.id, names, kLintSamples));
  boost::json::array fields, unknown;
  bool ok = true;
  for (size_t i = 0; i < uses.size(); ++i) {
    const std::string& name = uses[i].name;
    const bool standard = domain::IsStandardField(name);
    const bool known_custom = std::binary_search(known.begin(), known.end(), name);
    const bool fallback = uses[i].always_has_fallback;
    if (!standard && !known_custom) unknown.push_back(boost::json::string(name));
    boost::json::array steps;
    for (int n : uses[i].step_numbers) steps.push_back(n);
    boost::json::array in_variants;
    for (const auto& use : uses[i].variants) {
      in_variants.push_back(
          boost::json::object{{"stepNumber", use.step_number}, {"variantId", use.variant_id}});
    }
    fields.push_back(boost::json::object{
        {"field", name},
        {"standard", standard},
        {"knownCustomField", known_custom},
        {"hasFallback", fallback},
        {"usedInSteps", std::move(steps)},
        {"usedInVariants", std::move(in_variants)},
        {"leadsMissing", gaps[i].missing},
        {"sampleLeadIds", Strings(gaps[i].sample_lead_ids)},
    });
    if (!fallback && (gaps[i].missing > 0 || (!standard && !known_custom))) ok = false;
  }
  return DataResponse(boost::json::object{
      {"campaignId", campaign.id},
      {"enrolledLeads", counters.enrolled},
      {"ok", ok},
      {"unknownTokens", std::move(unknown)},
      {"fields", std::move(fields)},
  });
}

Result<Response> InsightsApi::Stats(const Request& request) {
  LT_ASSIGN_OR_RETURN(domain::Campaign campaign,
                      store_.GetCampaign(request.workspace_id, request.PathParam("id")));
  LT_ASSIGN_OR_RETURN(store::CampaignCounters c,
                      store_.GetCampaignCounters(request.workspace_id, campaign.id));
  const double reply_rate = domain::Rate(c.replied, c.delivered);
  boost::json::object metrics{
      {"delivered", c.delivered},
      {"queued", c.queued},
      {"bounced", c.bounced},
      {"replied", c.replied},
      {"unsubscribed", c.unsubscribed},
      {"completed", c.completed},
      {"unknown", c.unknown},
      // Tracking (SPEC §13): people, unique per message; machines apart.
      {"opened", c.opened},
      {"clicked", c.clicked},
      {"openRate", domain::Rate(c.opened, c.delivered)},
      {"clickRate", domain::Rate(c.clicked, c.delivered)},
      {"machineOpened", c.machine_opened},
      {"machineClicked", c.machine_clicked},
  };
  if (reply_rate == 0) {
    metrics["replyRate"] = 0;
  } else {
    metrics["replyRate"] = reply_rate;
  }
  // Per variant, all time, with the winner marked (SPEC §11).
  LT_ASSIGN_OR_RETURN(auto by_variant,
                      store_.ReadVariantCounters(request.workspace_id, campaign.id));
  boost::json::array variants;
  for (size_t i = 0; i < campaign.steps.size(); ++i) {
    const domain::Step& step = campaign.steps[i];
    for (const domain::Variant& v : step.variants) {
      auto found = by_variant.find({static_cast<int>(i + 1), v.id});
      const domain::ActivityCounts counts =
          found == by_variant.end() ? domain::ActivityCounts() : found->second;
      variants.push_back(boost::json::object{
          {"stepNumber", static_cast<int64_t>(i + 1)},
          {"variantId", v.id},
          {"label", v.label},
          {"weight", v.weight},
          {"sent", counts.sent},
          {"delivered", counts.delivered},
          {"bounced", counts.bounced},
          {"replied", counts.replied},
          {"replyRate", domain::Rate(counts.replied, counts.delivered)},
          {"opened", counts.opened},
          {"clicked", counts.clicked},
          {"winner", v.id == step.winner_variant_id},
      });
    }
  }
  return DataResponse(boost::json::object{
      {"campaignId", campaign.id},
      {"status", domain::ToString(campaign.status)},
      {"variants", std::move(variants)},
      {"enrolledLeads", c.enrolled},
      {"metrics", std::move(metrics)},
      {"updatedAt", FormatIso8601(std::max(c.updated_at, campaign.updated_at))},
  });
}

}  // namespace leadterra::api
