// Webhook domain rules, the JSON writer behind event payloads, and the
// signature scheme (checked against a vector computed independently with
// Python's hmac module).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "domain/webhook.h"
#include "util/json_writer.h"
#include "webhook/signature.h"

namespace leadterra {
namespace {

using domain::RetryPolicy;

TEST(WebhookUrl, AcceptsHttpAndHttpsWithHost) {
  for (const char* url : {"http://example.com", "https://hooks.example.com/a?b=c",
                          "http://127.0.0.1:8080/x", "https://[::1]:9/x", "http://u:p@host/"}) {
    EXPECT_TRUE(domain::ValidateWebhookUrl(url, "url").ok()) << url;
  }
}

TEST(WebhookUrl, RejectsOtherSchemesMissingHostAndSpaces) {
  for (const char* url : {"ftp://example.com", "example.com/hook", "http://", "https:///path",
                          "http://:80/x", "http://exa mple.com", "http://a.com/\n", "mailto:x"}) {
    Status s = domain::ValidateWebhookUrl(url, "url");
    EXPECT_FALSE(s.ok()) << url;
    EXPECT_EQ(s.param(), "url");
  }
  EXPECT_FALSE(domain::ValidateWebhookUrl("https://a.com/" + std::string(2100, 'x'), "url").ok());
}

TEST(WebhookEvents, NormalizesOrderAndDuplicates) {
  std::vector<std::string> events = {"message.sent", "campaign.started", "message.sent"};
  ASSERT_TRUE(domain::NormalizeEventTypes(events, "events").ok());
  EXPECT_EQ(events, (std::vector<std::string>{"campaign.started", "message.sent"}));

  std::vector<std::string> bad = {"message.sent", "webhook.test"};
  Status s = domain::NormalizeEventTypes(bad, "events");
  EXPECT_EQ(s.param(), "events[1]");  // test events are not subscribable
}

TEST(WebhookEvents, CampaignTransitionsMakeEvents) {
  domain::Campaign c;
  c.id = "camp_x";
  c.name = "Q\"1";
  c.status = domain::CampaignStatus::kRunning;
  auto started = domain::CampaignStatusEvent(c, domain::CampaignStatus::kDraft);
  ASSERT_TRUE(started);
  EXPECT_EQ(started->type, "campaign.started");
  auto data = boost::json::parse(started->data_json).as_object();
  EXPECT_EQ(data["name"].as_string(), "Q\"1");
  EXPECT_EQ(data["status"].as_string(), "running");

  EXPECT_FALSE(domain::CampaignStatusEvent(c, domain::CampaignStatus::kRunning));
  c.status = domain::CampaignStatus::kPaused;
  auto paused = domain::CampaignStatusEvent(c, domain::CampaignStatus::kRunning);
  EXPECT_EQ(paused->type, "campaign.paused");
  EXPECT_EQ(boost::json::parse(paused->data_json).as_object()["reason"].as_string(), "manual");
  c.pause_reason = domain::PauseReason{"bounce_rate", "3 of 9 bounced", 0};
  auto automatic = boost::json::parse(
                       domain::CampaignStatusEvent(c, domain::CampaignStatus::kRunning)->data_json)
                       .as_object();
  EXPECT_EQ(automatic["reason"].as_string(), "bounce_rate");
  EXPECT_EQ(automatic["reasonMessage"].as_string(), "3 of 9 bounced");
}

TEST(WebhookEvents, EnvelopeCarriesMessageFacts) {
  domain::MessageFacts f{"msg_1", "camp_1", "lead_1",       "ana@x.com",   1,      "mbx_1",
                         "Hi",    550,      "no such user", 1736931600000, "var_b"};
  auto body = boost::json::parse(domain::EventEnvelope("evt_1", "message.bounced", 1736931600000,
                                                       domain::MessageBouncedEvent(f).data_json))
                  .as_object();
  EXPECT_EQ(body["id"].as_string(), "evt_1");
  EXPECT_EQ(body["createdAt"].as_string(), "2025-01-15T09:00:00Z");
  auto& data = body["data"].as_object();
  EXPECT_EQ(data["stepIndex"].as_int64(), 1);
  EXPECT_EQ(data["stepNumber"].as_int64(), 2);
  EXPECT_EQ(data["smtpCode"].as_int64(), 550);
  EXPECT_EQ(data["email"].as_string(), "ana@x.com");
  EXPECT_EQ(data["variantId"].as_string(), "var_b");
  f.variant_id.clear();
  EXPECT_TRUE(boost::json::parse(domain::MessageSentEvent(f).data_json).at("variantId").is_null());
}

TEST(JsonWriter, EscapesAndRepairsInvalidUtf8) {
  std::string text = JsonObjectWriter()
                         .String("a", "q\"\\\n\t\x01 é")
                         .String("bad", std::string("x\xff\xc3", 3))
                         .Int("n", -5)
                         .Null("z")
                         .Finish();
  auto v = boost::json::parse(text).as_object();
  EXPECT_EQ(v["a"].as_string(), "q\"\\\n\t\x01 é");
  EXPECT_EQ(v["bad"].as_string(), "x\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(v["n"].as_int64(), -5);
  EXPECT_TRUE(v["z"].is_null());
}

TEST(RetryPolicy, DoublesCapsAndStopsAtTheWindow) {
  RetryPolicy p{1000, 8000, 60000};
  EXPECT_EQ(domain::NextAttemptAt(p, 1, 0, 0, 0), 1000);
  EXPECT_EQ(domain::NextAttemptAt(p, 2, 0, 0, 0), 2000);
  EXPECT_EQ(domain::NextAttemptAt(p, 3, 0, 0, 0), 4000);
  EXPECT_EQ(domain::NextAttemptAt(p, 10, 0, 0, 0), 8000);
  EXPECT_EQ(domain::NextAttemptAt(p, 1, 0, 0, 1.0), 1200);
  EXPECT_EQ(domain::NextAttemptAt(p, 1, 0, 0, -1.0), 800);
  EXPECT_EQ(domain::NextAttemptAt(p, 10, 0, 52000, 0), 60000);
  EXPECT_FALSE(domain::NextAttemptAt(p, 10, 0, 52001, 0));
}

// Computed with: python3 -c "import hmac,hashlib;print(hmac.new(b'whsec_test',
//   b'1700000000.{\"id\":\"evt_1\"}', hashlib.sha256).hexdigest())"
constexpr char kVector[] =
    "t=1700000000,v1=c89214b5b5da833daed6f0b8c5bb6bd58cea9022bd80ccc78230f3942d632925";

TEST(Signature, MatchesAnIndependentHmac) {
  EXPECT_EQ(webhook::SignatureValue("whsec_test", R"({"id":"evt_1"})", 1700000000), kVector);
}

TEST(Signature, VerifiesAndRejects) {
  const std::string body = R"({"id":"evt_1"})";
  const std::string header = webhook::SignatureValue("whsec_test", body, 1700000000);
  EXPECT_TRUE(webhook::VerifySignature(header, "whsec_test", body, 1700000100, 300));
  EXPECT_FALSE(webhook::VerifySignature(header, "whsec_other", body, 1700000100, 300));
  EXPECT_FALSE(webhook::VerifySignature(header, "whsec_test", body + " ", 1700000100, 300));
  EXPECT_FALSE(webhook::VerifySignature(header, "whsec_test", body, 1700000400, 300));
  EXPECT_FALSE(webhook::VerifySignature("v1=abc", "whsec_test", body, 1700000000, 300));
}

}  // namespace
}  // namespace leadterra
