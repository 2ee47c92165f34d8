#include "api/analytics_api.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <optional>

#include "domain/analytics.h"
#include "domain/delivery_settings.h"
#include "domain/mailbox.h"
#include "util/time_format.h"

namespace leadterra::api {
namespace {

struct Range {
  int64_t from = 0, to = 0;
  domain::BucketInterval interval = domain::BucketInterval::kDay;
};

// `interval` is accepted only when `with_interval`.
Result<Range> ParseRange(const Request& request, int64_t now, bool with_interval = true) {
  std::optional<int64_t> from, to;
  Range range;
  for (const auto& [name, value] : request.query) {
    if (name == "from" || name == "to") {
      std::optional<int64_t> at = ParseIso8601(value);
      if (!at) {
        return InvalidArgument(name + " must be an ISO 8601 UTC time such as 2025-01-15T09:00:00Z",
                               name);
      }
      (name == "from" ? from : to) = at;
    } else if (name == "interval" && with_interval) {
      if (value != "hour" && value != "day") {
        return InvalidArgument("interval must be \"hour\" or \"day\"", "interval");
      }
      range.interval =
          value == "hour" ? domain::BucketInterval::kHour : domain::BucketInterval::kDay;
    } else {
      return InvalidArgument("unknown query parameter '" + name + "'", name);
    }
  }
  range.to = to.value_or(now);
  range.from = from.value_or(range.to - domain::kDefaultAnalyticsRangeMillis);
  if (range.from >= range.to) return InvalidArgument("from must be before to", "from");
  return range;
}

boost::json::object CountsJson(const domain::ActivityCounts& c) {
  return boost::json::object{{"sent", c.sent},
                             {"delivered", c.delivered},
                             {"bounced", c.bounced},
                             {"replied", c.replied},
                             {"opened", c.opened},
                             {"clicked", c.clicked},
                             {"replyRate", domain::Rate(c.replied, c.delivered)}};
}

// Sends and their outcomes with the two rates: bounced / sent and
// replied / delivered.
boost::json::object HealthJson(const domain::ActivityCounts& c) {
  return boost::json::object{
      {"sent", c.sent},       {"delivered", c.delivered},
      {"bounced", c.bounced}, {"bounceRate", domain::Rate(c.bounced, c.sent)},
      {"replied", c.replied}, {"replyRate", domain::Rate(c.replied, c.delivered)},
  };
}

}  // namespace

Result<Response> AnalyticsApi::Overview(const Request& request) {
  const int64_t now = clock_.NowMillis();
  LT_ASSIGN_OR_RETURN(Range range, ParseRange(request, now, /*with_interval=*/false));
  const int64_t from = domain::ActivityHourOf(range.from);
  LT_ASSIGN_OR_RETURN(domain::DeliverySettings settings,
                      store_.GetDeliverySettings(request.workspace_id));
  LT_ASSIGN_OR_RETURN(auto activity,
                      store_.SumMailboxActivity(request.workspace_id, from, range.to));
  LT_ASSIGN_OR_RETURN(
      auto sent_today,
      store_.MailboxSendsOn(request.workspace_id, domain::LocalDayOf(now, settings.timezone).key));
  domain::ActivityCounts totals;
  for (const auto& [id, counts] : activity) totals += counts;  // deleted mailboxes too
  boost::json::array mailboxes;
  store::PageRequest page{1000, ""};
  while (true) {
    LT_ASSIGN_OR_RETURN(auto listed, store_.ListMailboxes(request.workspace_id, page));
    for (const domain::Mailbox& m : listed.items) {
      auto found = activity.find(m.id);
      boost::json::object json =
          HealthJson(found == activity.end() ? domain::ActivityCounts() : found->second);
      auto today = sent_today.find(m.id);
      json.emplace("mailboxId", m.id);
      json.emplace("email", m.email);
      json.emplace("status", domain::ToString(m.status));
      json.emplace("lastError", m.last_error.empty() ? boost::json::value(nullptr)
                                                     : boost::json::value(m.last_error));
      json.emplace("dailyLimit", m.daily_limit);
      json.emplace("sentToday", today == sent_today.end() ? 0 : today->second);
      mailboxes.push_back(std::move(json));
    }
    if (!listed.has_more || listed.items.empty()) break;
    page.after_id = listed.items.back().id;
  }
  return DataResponse(boost::json::object{
      {"from", FormatIso8601(from)},
      {"to", FormatIso8601(range.to)},
      {"timezone", settings.timezone},
      {"totals", HealthJson(totals)},
      {"mailboxes", std::move(mailboxes)},
  });
}

Result<Response> AnalyticsApi::Campaign(const Request& request) {
  LT_ASSIGN_OR_RETURN(Range range, ParseRange(request, clock_.NowMillis()));
  LT_ASSIGN_OR_RETURN(domain::Campaign campaign,
                      store_.GetCampaign(request.workspace_id, request.PathParam("id")));
  LT_ASSIGN_OR_RETURN(domain::DeliverySettings settings,
                      store_.GetDeliverySettings(request.workspace_id));
  LT_ASSIGN_OR_RETURN(
      std::vector<int64_t> starts,
      domain::BucketStarts(range.from, range.to, range.interval, settings.timezone));
  std::vector<domain::ActivityRow> rows;
  if (!starts.empty()) {
    LT_ASSIGN_OR_RETURN(rows, store_.ReadCampaignActivity(request.workspace_id, campaign.id,
                                                          starts.front(), range.to));
  }
  const domain::CampaignActivity activity = domain::AggregateActivity(starts, rows);

  boost::json::array buckets;
  buckets.reserve(starts.size());
  for (size_t i = 0; i < starts.size(); ++i) {
    const domain::ActivityCounts& c = activity.buckets[i];
    buckets.push_back(boost::json::object{
        {"start", FormatIso8601(starts[i])},
        {"sent", c.sent},
        {"delivered", c.delivered},
        {"bounced", c.bounced},
        {"replied", c.replied},
        {"unsubscribed", c.unsubscribed},
        {"opened", c.opened},
        {"clicked", c.clicked},
    });
  }
  boost::json::array steps;
  domain::ActivityCounts totals;
  for (const domain::ActivityCounts& c : activity.buckets) totals += c;
  for (size_t i = 0; i < campaign.steps.size(); ++i) {
    const int number = static_cast<int>(i) + 1;
    auto found = activity.steps.find({number, std::string()});
    boost::json::object step =
        CountsJson(found == activity.steps.end() ? domain::ActivityCounts() : found->second);
    step.emplace("stepNumber", number);
    boost::json::array variants;
    for (const domain::Variant& v : campaign.steps[i].variants) {
      auto counted = activity.steps.find({number, v.id});
      boost::json::object variant =
          CountsJson(counted == activity.steps.end() ? domain::ActivityCounts() : counted->second);
      variant.emplace("variantId", v.id);
      variant.emplace("label", v.label);
      variant.emplace("weight", v.weight);
      variant.emplace("winner", v.id == campaign.steps[i].winner_variant_id);
      variants.push_back(std::move(variant));
    }
    step.emplace("variants", std::move(variants));
    steps.push_back(std::move(step));
  }
  boost::json::object total_json = CountsJson(totals);
  total_json.emplace("unsubscribed", totals.unsubscribed);
  return DataResponse(boost::json::object{
      {"campaignId", campaign.id},
      {"interval", range.interval == domain::BucketInterval::kHour ? "hour" : "day"},
      {"timezone", settings.timezone},
      {"from", FormatIso8601(starts.empty() ? range.from : starts.front())},
      {"to", FormatIso8601(range.to)},
      {"totals", std::move(total_json)},
      {"buckets", std::move(buckets)},
      {"steps", std::move(steps)},
  });
}

}  // namespace leadterra::api
