#include "api/webhooks_api.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/body.h"
#include "api/json_input.h"
#include "api/list_params.h"
#include "util/crypto.h"
#include "util/time_format.h"

namespace leadterra::api {
namespace {

using domain::Webhook;

boost::json::value OptionalTime(const std::optional<int64_t>& t) {
  return t ? boost::json::value(FormatIso8601(*t)) : boost::json::value(nullptr);
}

boost::json::object WebhookToJson(const Webhook& w) {
  boost::json::array events;
  for (const std::string& e : w.events) events.emplace_back(e);
  boost::json::object out;
  out["id"] = w.id;
  out["url"] = w.url;
  out["events"] = std::move(events);
  out["description"] =
      w.description ? boost::json::value(*w.description) : boost::json::value(nullptr);
  out["status"] = domain::ToString(w.status);
  out["createdAt"] = FormatIso8601(w.created_at);
  out["lastSuccessAt"] = OptionalTime(w.last_success_at);
  out["failingSince"] = OptionalTime(w.failing_since);
  return out;
}

boost::json::object DeliveryToJson(const store::WebhookDelivery& d) {
  boost::json::array attempts;
  for (const store::WebhookAttempt& a : d.attempts) {
    attempts.push_back(boost::json::object{
        {"attemptedAt", FormatIso8601(a.attempted_at)},
        {"statusCode",
         a.status_code ? boost::json::value(*a.status_code) : boost::json::value(nullptr)},
        {"latencyMs", a.latency_ms},
        {"error", a.error ? boost::json::value(*a.error) : boost::json::value(nullptr)}});
  }
  boost::json::object out;
  out["eventId"] = d.event_id;
  out["eventType"] = d.event_type;
  out["webhookId"] = d.webhook_id;
  out["status"] = store::ToString(d.status);
  out["attemptCount"] = d.attempt_count;
  out["createdAt"] = FormatIso8601(d.created_at);
  out["nextAttemptAt"] = OptionalTime(d.next_attempt_at);
  out["deliveredAt"] = OptionalTime(d.delivered_at);
  const store::WebhookAttempt* last = d.attempts.empty() ? nullptr : &d.attempts.back();
  out["lastStatusCode"] = last && last->status_code ? boost::json::value(*last->status_code)
                                                    : boost::json::value(nullptr);
  out["lastError"] =
      last && last->error ? boost::json::value(*last->error) : boost::json::value(nullptr);
  out["attempts"] = std::move(attempts);
  return out;
}

Result<std::vector<std::string>> ReadEvents(const FieldReader& reader) {
  const boost::json::value* value = reader.Find("events");
  if (value == nullptr) return InvalidArgument("events is required", "events");
  if (!value->is_array()) {
    return InvalidArgument(
        "events must be an array of event types, not " + std::string(KindName(*value)), "events");
  }
  const boost::json::array& array = value->get_array();
  if (array.empty()) return InvalidArgument("events must name at least one event type", "events");
  std::vector<std::string> events;
  for (size_t i = 0; i < array.size(); ++i) {
    if (!array[i].is_string()) {
      return InvalidArgument("event types are strings", IndexPath("events", i));
    }
    events.emplace_back(array[i].get_string());
  }
  LT_RETURN_IF_ERROR(domain::NormalizeEventTypes(events, "events"));
  return events;
}

}  // namespace

Result<WebhookInput> ParseWebhookCreate(const boost::json::value& body) {
  LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(body, ""));
  LT_RETURN_IF_ERROR(reader.RejectUnknown({"url", "events", "description"}));
  WebhookInput in;
  LT_ASSIGN_OR_RETURN(in.url, reader.RequiredString("url"));
  LT_RETURN_IF_ERROR(domain::ValidateWebhookUrl(in.url, "url"));
  LT_ASSIGN_OR_RETURN(in.events, ReadEvents(reader));
  LT_ASSIGN_OR_RETURN(in.description, reader.OptionalString("description"));
  if (in.description && in.description->size() > domain::kWebhookDescriptionMaxBytes) {
    return InvalidArgument("description must be at most 500 bytes", "description");
  }
  return in;
}

Result<Response> WebhooksApi::Create(const Request& request) {
  LT_ASSIGN_OR_RETURN(const boost::json::value* body, RequireBody(request));
  LT_ASSIGN_OR_RETURN(WebhookInput in, ParseWebhookCreate(*body));
  Webhook w;
  w.url = std::move(in.url);
  w.events = std::move(in.events);
  w.description = std::move(in.description);
  w.id = ids_.Next(id_prefix::kWebhook);
  w.workspace_id = request.workspace_id;
  w.created_at = clock_.NowMillis();
  const std::string secret =
      domain::kWebhookSecretPrefix + RandomBase62(domain::kWebhookSecretLength);
  w.secret_sealed = secrets_.Seal(secret, domain::WebhookSecretPurpose(w.id));
  LT_RETURN_IF_ERROR(store_.CreateWebhook(w));
  boost::json::object out = WebhookToJson(w);
  out["secret"] = secret;
  return DataResponse(std::move(out), 201);
}

Result<Response> WebhooksApi::List(const Request& request) {
  LT_ASSIGN_OR_RETURN(ListParams params, ParseListParams(request.query, id_prefix::kWebhook, {}));
  LT_ASSIGN_OR_RETURN(auto page, store_.ListWebhooks(request.workspace_id, params.page));
  return ListResponse(page, WebhookToJson, [](const Webhook& w) { return w.id; });
}

Result<Response> WebhooksApi::Get(const Request& request) {
  LT_ASSIGN_OR_RETURN(Webhook w, store_.GetWebhook(request.workspace_id, request.PathParam("id")));
  return DataResponse(WebhookToJson(w));
}

Result<Response> WebhooksApi::Delete(const Request& request) {
  const std::string& id = request.PathParam("id");
  LT_RETURN_IF_ERROR(store_.DeleteWebhook(request.workspace_id, id, clock_.NowMillis()));
  return DataResponse(boost::json::object{{"id", id}, {"deleted", true}});
}

Result<Response> WebhooksApi::Deliveries(const Request& request) {
  LT_ASSIGN_OR_RETURN(ListParams params,
                      ParseListParams(request.query, id_prefix::kEvent, {"status"}));
  std::optional<store::DeliveryStatus> status;
  if (auto it = params.filters.find("status"); it != params.filters.end()) {
    status = store::ParseDeliveryStatus(it->second);
    if (!status) return InvalidArgument("status must be pending, delivered or failed", "status");
  }
  const std::string& id = request.PathParam("id");
  LT_RETURN_IF_ERROR(store_.GetWebhook(request.workspace_id, id).status());
  LT_ASSIGN_OR_RETURN(auto page,
                      store_.ListWebhookDeliveries(request.workspace_id, id, status, params.page));
  return ListResponse(page, DeliveryToJson,
                      [](const store::WebhookDelivery& d) { return d.event_id; });
}

Result<Response> WebhooksApi::Test(const Request& request) {
  if (request.body) {
    LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(*request.body, ""));
    LT_RETURN_IF_ERROR(reader.RejectUnknown({}));
  }
  const std::string& id = request.PathParam("id");
  const domain::Event event = domain::WebhookTestEvent(id);
  LT_ASSIGN_OR_RETURN(std::string event_id,
                      store_.EmitEventTo(request.workspace_id, id, event, clock_.NowMillis()));
  if (notify_) notify_();
  return DataResponse(
      boost::json::object{{"eventId", event_id}, {"type", event.type}, {"webhookId", id}}, 202);
}

}  // namespace leadterra::api
