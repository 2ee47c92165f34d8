// The route table of the whole server, built in one place. Every route here
// must be described in openapi.json (a unit test compares the two).
#pragma once

#include <functional>
#include <string_view>

#include "api/accounts.h"
#include "api/analytics_api.h"
#include "api/campaigns_api.h"
#include "api/delivery_settings_api.h"
#include "api/dkim_keys_api.h"
#include "api/inbox_api.h"
#include "api/insights_api.h"
#include "api/lead_directory_api.h"
#include "api/leads_api.h"
#include "api/mailboxes_api.h"
#include "api/sessions.h"
#include "api/suppressions_api.h"
#include "api/unsubscribe_api.h"
#include "api/webhooks_api.h"
#include "http/router.h"
#include "http/tracking_pages.h"
#include "http/web_bundle.h"

namespace leadterra::http {

struct Services {
  api::Accounts& accounts;
  api::CampaignsApi& campaigns;
  api::LeadsApi& leads;
  api::InsightsApi& insights;
  api::AnalyticsApi& analytics;
  api::MailboxesApi& mailboxes;
  api::WebhooksApi& webhooks;
  api::UnsubscribeApi& unsubscribe;
  api::SuppressionsApi& suppressions;
  api::DeliverySettingsApi& delivery_settings;
  api::DkimKeysApi& dkim_keys;
  api::Sessions& sessions;
  api::LeadDirectoryApi& lead_directory;
  api::InboxApi& inbox;
  // GET /readyz: OK when the database answers at the expected schema (null:
  // always ready).
  std::function<Status()> check_ready = nullptr;
  // GET /metrics on this router (off when --metrics-listen serves it apart).
  bool serve_metrics = true;
  // The dashboard's files, served for every GET outside /v1 (null: none).
  const WebBundle* web = nullptr;
  // GET|HEAD /t/o/:token and /t/c/:token (null: no tracking routes).
  TrackingPages* tracking = nullptr;
};

// The routes of the separate metrics listener (--metrics-listen): /metrics
// and /healthz.
Router BuildMetricsRouter();

Router BuildRouter(const Services& services);

// The OpenAPI 3.1 document served at /v1/openapi.json (src/http/openapi.json,
// embedded at build time).
std::string_view OpenApiDocument();

}  // namespace leadterra::http
