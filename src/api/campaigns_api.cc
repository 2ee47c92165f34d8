#include "api/campaigns_api.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/body.h"
#include "api/campaign_codec.h"
#include "api/list_params.h"
#include "api/personalization.h"

namespace leadterra::api {

Result<Response> CampaignsApi::Create(const Request& request) {
  LT_ASSIGN_OR_RETURN(const boost::json::value* body, RequireBody(request));
  LT_ASSIGN_OR_RETURN(CampaignInput input, ParseCampaignCreate(*body));
  domain::Campaign campaign;
  campaign.id = ids_.Next(id_prefix::kCampaign);
  campaign.workspace_id = request.workspace_id;
  campaign.name = std::move(*input.name);
  campaign.steps = input.steps.value_or(std::vector<domain::Step>{});
  campaign.created_at = campaign.updated_at = clock_.NowMillis();
  LT_RETURN_IF_ERROR(domain::CarryVariants({}, campaign.steps, input.winners, NewVariantId(),
                                           campaign.created_at));
  if (input.ab_test) LT_RETURN_IF_ERROR(input.ab_test->ApplyTo(campaign.ab_test));
  campaign.tracking.opens = input.track_opens.value_or(false);
  campaign.tracking.clicks = input.track_clicks.value_or(false);
  campaign.stop_on_reply = input.stop_on_reply.value_or(domain::StopOnReply::kLead);
  if (input.bounce_protection) {
    LT_RETURN_IF_ERROR(input.bounce_protection->ApplyTo(campaign.bounce_protection));
  }
  LT_RETURN_IF_ERROR(store_.CreateCampaign(campaign));
  return WithWarnings(campaign, 201);
}

std::function<std::string()> CampaignsApi::NewVariantId() {
  return [this] { return ids_.Next(id_prefix::kVariant); };
}

Result<Response> CampaignsApi::WithWarnings(const domain::Campaign& campaign, int status) {
  Response response = DataResponse(CampaignToJson(campaign), status);
  if (campaign.steps.empty()) return response;
  LT_ASSIGN_OR_RETURN(std::vector<std::string> known,
                      store_.ListCustomFieldKeys(campaign.workspace_id));
  boost::json::array warnings = UnknownTokenWarnings(campaign.steps, known);
  if (!warnings.empty()) response.body.as_object()["warnings"] = std::move(warnings);
  return response;
}

Result<Response> CampaignsApi::Get(const Request& request) {
  LT_ASSIGN_OR_RETURN(domain::Campaign campaign,
                      store_.GetCampaign(request.workspace_id, request.PathParam("id")));
  return DataResponse(CampaignToJson(campaign));
}

Result<Response> CampaignsApi::List(const Request& request) {
  LT_ASSIGN_OR_RETURN(ListParams params,
                      ParseListParams(request.query, id_prefix::kCampaign, {"status"}));
  std::optional<domain::CampaignStatus> status;
  if (auto it = params.filters.find("status"); it != params.filters.end()) {
    status = domain::ParseCampaignStatus(it->second);
    if (!status) return InvalidArgument("status must be draft, running or paused", "status");
  }
  LT_ASSIGN_OR_RETURN(auto page, store_.ListCampaigns(request.workspace_id, status, params.page));
  return ListResponse(page, CampaignToJson, [](const domain::Campaign& c) { return c.id; });
}

Result<Response> CampaignsApi::Patch(const Request& request) {
  LT_ASSIGN_OR_RETURN(const boost::json::value* body, RequireBody(request));
  LT_ASSIGN_OR_RETURN(CampaignInput input, ParseCampaignPatch(*body));
  const int64_t now = clock_.NowMillis();
  LT_ASSIGN_OR_RETURN(
      domain::Campaign campaign,
      store_.UpdateCampaign(
          request.workspace_id, request.PathParam("id"), [&](domain::Campaign& c) -> Status {
            if (input.steps) {
              std::vector<domain::Step> steps = *input.steps;
              LT_RETURN_IF_ERROR(
                  domain::CarryVariants(c.steps, steps, input.winners, NewVariantId(), now));
              LT_RETURN_IF_ERROR(domain::ReplaceSteps(c, std::move(steps), now));
            }
            if (input.ab_test) {
              LT_RETURN_IF_ERROR(input.ab_test->ApplyTo(c.ab_test));
              c.updated_at = now;
            }
            // Tracking may change in any state; it applies to messages built
            // from then on.
            if (input.track_opens || input.track_clicks) {
              c.tracking.opens = input.track_opens.value_or(c.tracking.opens);
              c.tracking.clicks = input.track_clicks.value_or(c.tracking.clicks);
              c.updated_at = now;
            }
            if (input.name) LT_RETURN_IF_ERROR(domain::Rename(c, *input.name, now));
            if (input.stop_on_reply && *input.stop_on_reply != c.stop_on_reply) {
              c.stop_on_reply = *input.stop_on_reply;
              c.updated_at = now;
            }
            if (input.bounce_protection) {
              LT_RETURN_IF_ERROR(input.bounce_protection->ApplyTo(c.bounce_protection));
              c.updated_at = now;
            }
            return Status::Ok();
          }));
  return WithWarnings(campaign, 200);
}

Result<Response> CampaignsApi::Delete(const Request& request) {
  const std::string& id = request.PathParam("id");
  LT_RETURN_IF_ERROR(
      store_.DeleteCampaign(request.workspace_id, id, domain::CheckDeletable, clock_.NowMillis()));
  return DataResponse(boost::json::object{{"id", id}, {"deleted", true}});
}

Result<Response> CampaignsApi::Start(const Request& request) {
  const int64_t now = clock_.NowMillis();
  LT_ASSIGN_OR_RETURN(int64_t mailboxes, store_.CountActiveMailboxes(request.workspace_id));
  const domain::StartContext context{/*require_mailbox=*/true, static_cast<int>(mailboxes)};
  LT_ASSIGN_OR_RETURN(
      domain::Campaign campaign,
      store_.UpdateCampaign(request.workspace_id, request.PathParam("id"),
                            [&](domain::Campaign& c) { return domain::Start(c, context, now); }));
  if (on_started_) on_started_();
  return DataResponse(CampaignToJson(campaign));
}

Result<Response> CampaignsApi::Pause(const Request& request) {
  const int64_t now = clock_.NowMillis();
  LT_ASSIGN_OR_RETURN(
      domain::Campaign campaign,
      store_.UpdateCampaign(request.workspace_id, request.PathParam("id"),
                            [&](domain::Campaign& c) { return domain::Pause(c, now); }));
  return DataResponse(CampaignToJson(campaign));
}

}  // namespace leadterra::api
