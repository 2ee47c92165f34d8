#include "http/routes.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "http/unsubscribe_pages.h"
#include "util/metrics.h"

namespace leadterra::http {
namespace {

template <typename Api>
ApiHandler Bind(Api& api, Result<api::Response> (Api::*method)(const api::Request&)) {
  return [&api, method](const api::Request& request) { return (api.*method)(request); };
}

Route Authed(std::string method, std::string pattern, ApiHandler handler) {
  return Route{std::move(method), std::move(pattern), true, std::move(handler), nullptr};
}

// A route whose handler is CPU-heavy or blocks on the outside world.
Route Heavy(Route route) {
  route.heavy = true;
  return route;
}

Route Public(std::string method, std::string pattern, RawHandler handler) {
  return Route{std::move(method), std::move(pattern), false, nullptr, std::move(handler)};
}

HttpResponse Healthz(const HttpRequest&) {
  return HttpResponse{200, "application/json", {}, R"({"status":"ok"})"};
}

HttpResponse MetricsPage(const HttpRequest&) {
  return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", {}, metrics::Scrape()};
}

}  // namespace

Router BuildMetricsRouter() {
  Router router;
  router.Add(Public("GET", "/healthz", Healthz));
  router.Add(Public("GET", "/metrics", MetricsPage));
  return router;
}

Router BuildRouter(const Services& s) {
  using api::Accounts;
  using api::CampaignsApi;
  using api::DeliverySettingsApi;
  using api::DkimKeysApi;
  using api::InboxApi;
  using api::InsightsApi;
  using api::LeadDirectoryApi;
  using api::LeadsApi;
  using api::MailboxesApi;
  using api::Sessions;
  using api::SuppressionsApi;
  using api::WebhooksApi;
  Router router;
  router.Add(Public("GET", "/healthz", Healthz));
  router.Add(Public("GET", "/readyz", [ready = s.check_ready](const HttpRequest&) {
    Status status = ready ? ready() : Status::Ok();
    if (status.ok()) return HttpResponse{200, "application/json", {}, R"({"status":"ready"})"};
    boost::json::object body{{"status", "not_ready"}, {"reason", status.message()}};
    return HttpResponse{503, "application/json", {}, boost::json::serialize(body)};
  }));
  if (s.serve_metrics) router.Add(Public("GET", "/metrics", MetricsPage));
  api::UnsubscribeApi* unsubscribe = &s.unsubscribe;  // outlives the router; `s` may not
  router.Add(Public("GET", "/u/:token", [unsubscribe](const HttpRequest& request) {
    return UnsubscribeGet(*unsubscribe, request);
  }));
  router.Add(Public("POST", "/u/:token", [unsubscribe](const HttpRequest& request) {
    return UnsubscribePost(*unsubscribe, request);
  }));
  if (s.tracking) {
    TrackingPages* tracking = s.tracking;  // outlives the router
    for (const char* method : {"GET", "HEAD"}) {
      router.Add(Public(method, "/t/o/:token", [tracking](const HttpRequest& request) {
        return tracking->Handle(domain::TrackingKind::kOpen, request);
      }));
      router.Add(Public(method, "/t/c/:token", [tracking](const HttpRequest& request) {
        return tracking->Handle(domain::TrackingKind::kClick, request);
      }));
    }
  }
  router.Add(Public("GET", "/v1/openapi.json", [](const HttpRequest&) {
    return HttpResponse{200, "application/json", {}, std::string(OpenApiDocument())};
  }));

  router.Add(Route{"POST", "/v1/session", false, Bind(s.sessions, &Sessions::SignIn), nullptr});
  router.Add(Authed("GET", "/v1/session", Bind(s.sessions, &Sessions::Current)));
  router.Add(Authed("DELETE", "/v1/session", Bind(s.sessions, &Sessions::SignOut)));
  if (s.web) {
    const WebBundle* web = s.web;  // outlives the router
    // "metrics": on a server whose metrics have their own listener, the
    // API's /metrics answers 404 rather than a dashboard page; "t": a
    // tracking URL that is not one answers 404, never a page.
    router.SetPageFallback({"v1", "metrics", "t"},
                           Public("GET", "/*page", [web](const HttpRequest& request) {
                             return request.target.rfind("/assets/", 0) == 0 ? web->Asset(request)
                                                                             : web->Page(request);
                           }));
  }

  router.Add(Authed("GET", "/v1/api-keys", Bind(s.accounts, &Accounts::ListKeysEndpoint)));
  router.Add(Authed("POST", "/v1/api-keys", Bind(s.accounts, &Accounts::CreateKeyEndpoint)));
  router.Add(Authed("DELETE", "/v1/api-keys/:id", Bind(s.accounts, &Accounts::RevokeKeyEndpoint)));

  router.Add(Authed("GET", "/v1/campaigns", Bind(s.campaigns, &CampaignsApi::List)));
  router.Add(Authed("POST", "/v1/campaigns", Bind(s.campaigns, &CampaignsApi::Create)));
  router.Add(Authed("GET", "/v1/campaigns/:id", Bind(s.campaigns, &CampaignsApi::Get)));
  router.Add(Authed("PATCH", "/v1/campaigns/:id", Bind(s.campaigns, &CampaignsApi::Patch)));
  router.Add(Authed("DELETE", "/v1/campaigns/:id", Bind(s.campaigns, &CampaignsApi::Delete)));
  router.Add(Authed("POST", "/v1/campaigns/:id/start", Bind(s.campaigns, &CampaignsApi::Start)));
  router.Add(Authed("POST", "/v1/campaigns/:id/pause", Bind(s.campaigns, &CampaignsApi::Pause)));

  router.Add(
      Heavy(Authed("POST", "/v1/campaigns/:id/leads/bulk", Bind(s.leads, &LeadsApi::BulkUpsert))));
  router.Add(Authed("GET", "/v1/campaigns/:id/leads", Bind(s.leads, &LeadsApi::List)));
  router.Add(Authed("DELETE", "/v1/campaigns/:id/leads/:leadId", Bind(s.leads, &LeadsApi::Remove)));
  router.Add(
      Authed("GET", "/v1/campaigns/:id/leads/:leadId/messages", Bind(s.leads, &LeadsApi::Thread)));

  router.Add(Authed("GET", "/v1/leads", Bind(s.lead_directory, &LeadDirectoryApi::Search)));
  router.Add(Authed("GET", "/v1/leads/:id", Bind(s.lead_directory, &LeadDirectoryApi::Get)));
  router.Add(Authed("PATCH", "/v1/leads/:id", Bind(s.lead_directory, &LeadDirectoryApi::Patch)));
  router.Add(Authed("DELETE", "/v1/leads/:id", Bind(s.lead_directory, &LeadDirectoryApi::Delete)));

  router.Add(Authed("GET", "/v1/inbox", Bind(s.inbox, &InboxApi::List)));
  // Before /v1/inbox/:id, which would otherwise take "summary" for an id.
  router.Add(Authed("GET", "/v1/inbox/summary", Bind(s.inbox, &InboxApi::Summary)));
  router.Add(Authed("GET", "/v1/inbox/:id", Bind(s.inbox, &InboxApi::Get)));
  router.Add(Authed("PATCH", "/v1/inbox/:id", Bind(s.inbox, &InboxApi::Patch)));
  router.Add(Heavy(Authed("POST", "/v1/inbox/:id/reply", Bind(s.inbox, &InboxApi::Reply))));

  router.Add(Authed("POST", "/v1/campaigns/:id/preview", Bind(s.insights, &InsightsApi::Preview)));
  router.Add(Heavy(Authed("GET", "/v1/campaigns/:id/lint", Bind(s.insights, &InsightsApi::Lint))));
  router.Add(Authed("GET", "/v1/campaigns/:id/stats", Bind(s.insights, &InsightsApi::Stats)));
  router.Add(Authed("GET", "/v1/campaigns/:id/analytics",
                    Bind(s.analytics, &api::AnalyticsApi::Campaign)));
  router.Add(
      Authed("GET", "/v1/analytics/overview", Bind(s.analytics, &api::AnalyticsApi::Overview)));

  router.Add(Authed("GET", "/v1/mailboxes", Bind(s.mailboxes, &MailboxesApi::List)));
  router.Add(Authed("POST", "/v1/mailboxes", Bind(s.mailboxes, &MailboxesApi::Create)));
  router.Add(Authed("GET", "/v1/mailboxes/:id", Bind(s.mailboxes, &MailboxesApi::Get)));
  router.Add(Authed("PATCH", "/v1/mailboxes/:id", Bind(s.mailboxes, &MailboxesApi::Patch)));
  router.Add(Authed("DELETE", "/v1/mailboxes/:id", Bind(s.mailboxes, &MailboxesApi::Delete)));
  router.Add(
      Heavy(Authed("POST", "/v1/mailboxes/:id/verify", Bind(s.mailboxes, &MailboxesApi::Verify))));

  router.Add(Authed("GET", "/v1/webhooks", Bind(s.webhooks, &WebhooksApi::List)));
  router.Add(Authed("POST", "/v1/webhooks", Bind(s.webhooks, &WebhooksApi::Create)));
  router.Add(Authed("GET", "/v1/webhooks/:id", Bind(s.webhooks, &WebhooksApi::Get)));
  router.Add(Authed("DELETE", "/v1/webhooks/:id", Bind(s.webhooks, &WebhooksApi::Delete)));
  router.Add(
      Authed("GET", "/v1/webhooks/:id/deliveries", Bind(s.webhooks, &WebhooksApi::Deliveries)));
  router.Add(Authed("POST", "/v1/webhooks/:id/test", Bind(s.webhooks, &WebhooksApi::Test)));

  router.Add(Authed("GET", "/v1/suppressions", Bind(s.suppressions, &SuppressionsApi::List)));
  router.Add(Authed("POST", "/v1/suppressions", Bind(s.suppressions, &SuppressionsApi::Create)));
  router.Add(
      Authed("DELETE", "/v1/suppressions/:value", Bind(s.suppressions, &SuppressionsApi::Delete)));
  router.Add(
      Authed("GET", "/v1/settings/delivery", Bind(s.delivery_settings, &DeliverySettingsApi::Get)));
  router.Add(Authed("PATCH", "/v1/settings/delivery",
                    Bind(s.delivery_settings, &DeliverySettingsApi::Patch)));
  router.Add(Authed("GET", "/v1/dkim-keys", Bind(s.dkim_keys, &DkimKeysApi::List)));
  router.Add(Heavy(Authed("POST", "/v1/dkim-keys", Bind(s.dkim_keys, &DkimKeysApi::Create))));
  router.Add(Authed("GET", "/v1/dkim-keys/:id", Bind(s.dkim_keys, &DkimKeysApi::Get)));
  router.Add(Authed("PATCH", "/v1/dkim-keys/:id", Bind(s.dkim_keys, &DkimKeysApi::Patch)));
  router.Add(Authed("DELETE", "/v1/dkim-keys/:id", Bind(s.dkim_keys, &DkimKeysApi::Delete)));
  return router;
}

}  // namespace leadterra::http
