// The OpenAPI document and the router must describe the same operations.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <set>

#include "delivery/smtp_client.h"
#include "http/routes.h"
#include "mcp/mcp_server.h"
#include "temp_store.h"

namespace leadterra::http {
namespace {

std::string ToOpenApiPath(const std::string& pattern) {
  std::string out;
  size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == ':') {
      size_t end = pattern.find('/', i);
      if (end == std::string::npos) end = pattern.size();
      out += "{" + pattern.substr(i + 1, end - i - 1) + "}";
      i = end;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

TEST(OpenApi, DocumentMatchesRouter) {
  FakeClock clock(0);
  IdGenerator ids(clock);
  leadterra::testing::TempStore store;
  api::Accounts accounts(*store, clock, ids);
  api::CampaignsApi campaigns(*store, clock, ids);
  api::LeadsApi leads(*store, clock, ids, {});
  api::InsightsApi insights(*store);
  api::AnalyticsApi analytics(*store, clock);
  SecretBox secrets(std::array<uint8_t, SecretBox::kKeySize>{});
  delivery::CurlSmtpConnector smtp;
  api::MailboxesApi mailboxes(*store, clock, ids, secrets, smtp);
  api::WebhooksApi webhooks(*store, clock, ids, secrets, nullptr);
  api::UnsubscribeApi unsubscribe(*store, clock, secrets, nullptr);
  api::SuppressionsApi suppressions(*store, clock);
  api::DeliverySettingsApi delivery_settings(*store, clock);
  api::DkimKeysApi dkim_keys(*store, clock, ids, secrets);
  api::Sessions sessions(*store, accounts, clock, {});
  api::LeadDirectoryApi lead_directory(*store, clock);
  delivery::AnswerSender answer_sender(*store, secrets, smtp);
  api::InboxApi inbox(*store, clock, ids, answer_sender);
  api::TrackingRecorder recorder(*store, {});
  TrackingPages tracking(secrets, recorder, clock);
  Router router = BuildRouter({accounts, campaigns, leads, insights, analytics, mailboxes, webhooks,
                               unsubscribe, suppressions, delivery_settings, dkim_keys, sessions,
                               lead_directory, inbox, nullptr, true, nullptr, &tracking});
  auto catalog = mcp::ToolCatalog::Build(OpenApiDocument());
  ASSERT_TRUE(catalog.ok()) << catalog.status().message();
  mcp::McpServer mcp_server(*catalog, accounts, nullptr, "test");
  router.Add(mcp::McpRoute(mcp_server));

  std::set<std::string> routed;
  for (const Route& r : router.routes()) routed.insert(r.method + " " + ToOpenApiPath(r.pattern));

  boost::json::value doc = boost::json::parse(OpenApiDocument());
  EXPECT_EQ(doc.at("openapi").as_string().subview().substr(0, 3), "3.1");
  std::set<std::string> documented;
  static const std::set<std::string> kMethods = {"get", "post", "patch", "delete", "put", "head"};
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const auto& [method, op] : item.as_object()) {
      if (!kMethods.count(std::string(method))) continue;
      std::string upper(method);
      for (char& c : upper) c = static_cast<char>(std::toupper(c));
      documented.insert(upper + " " + std::string(path));
    }
  }
  EXPECT_EQ(routed, documented);
}

}  // namespace
}  // namespace leadterra::http
