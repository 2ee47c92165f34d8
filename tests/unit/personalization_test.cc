#include "api/personalization.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "api/lead_codec.h"
#include "delivery/lead_fields.h"
#include "domain/sequence.h"

namespace leadterra::api {
namespace {

using delivery::LeadFields;
using domain::CompiledSequence;
using domain::RenderedStep;

domain::Lead MakeLead() {
  domain::Lead lead;
  lead.email = "ann@acme.io";
  lead.first_name = "Ann";
  lead.company = "Acme <Labs>";
  lead.custom_fields_json = R"({"industry":"SaaS","seats":42,"vip":true,"gone":null})";
  return lead;
}

TEST(Personalization, RendersStepsForALead) {
  CompiledSequence seq({{0, "Quick question, {{firstName}}", "<p>{{company}} / {{industry}}</p>"},
                        {3, "", "<p>{{seats}} seats, vip={{vip}}, {{gone|none}}</p>"},
                        {2, "", "<p>last</p>"}});
  LeadFields fields(MakeLead());
  RenderedStep first = seq.Render(0, fields.Lookup());
  EXPECT_EQ(first.subject, "Quick question, Ann");
  EXPECT_EQ(first.body_html, "<p>Acme &lt;Labs&gt; / SaaS</p>");
  EXPECT_TRUE(first.missing_fields.empty());
  RenderedStep second = seq.Render(1, fields.Lookup());
  EXPECT_EQ(second.subject, "Re: Quick question, Ann");
  EXPECT_EQ(second.body_html, "<p>42 seats, vip=true, none</p>");
  EXPECT_EQ(second.missing_fields, std::vector<std::string>{"gone"});
  EXPECT_EQ(seq.Render(2, fields.Lookup()).subject, "Re: Quick question, Ann");
}

TEST(Personalization, TokenUses) {
  CompiledSequence seq({{0, "Hi {{firstName|there}}", "<p>{{firstName}} {{company|you}}</p>"},
                        {1, "", "<p>{{company|you}}</p>"}});
  auto uses = seq.TokenUses();
  ASSERT_EQ(uses.size(), 2u);
  EXPECT_EQ(uses[0].name, "firstName");
  EXPECT_FALSE(uses[0].always_has_fallback);
  EXPECT_EQ(uses[1].name, "company");
  EXPECT_TRUE(uses[1].always_has_fallback);
  EXPECT_EQ(uses[1].step_numbers, (std::vector<int>{1, 2}));
}

TEST(Personalization, UnknownTokenWarnings) {
  auto warnings =
      UnknownTokenWarnings({{0, "Hi {{firstName}} {{plan}}", "<p>{{industry}}</p>"}}, {"industry"});
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].at("param").as_string(), "sequenceSteps[0].subject");
  EXPECT_EQ(warnings[0].at("code").as_string(), "unknown_token");
}

TEST(LeadCodec, ShapeErrorsAreRequestErrors) {
  struct Case {
    const char* json;
    const char* param;
  } cases[] = {
      {R"("x")", "leads[0]"},
      {R"({"email":1})", "leads[0].email"},
      {R"({"email":"a@b.co","foo":1})", "leads[0].foo"},
      {R"({"email":"a@b.co","customFields":[]})", "leads[0].customFields"},
      {R"({"email":"a@b.co","customFields":{"x":{"y":1}}})", "leads[0].customFields.x"},
      {R"({"email":"a@b.co","firstName":["A"]})", "leads[0].firstName"},
  };
  for (const Case& c : cases) {
    auto row = ParseLeadRow(boost::json::parse(c.json), "leads[0]");
    ASSERT_FALSE(row.ok()) << c.json;
    EXPECT_EQ(row.status().param(), c.param) << c.json;
  }
}

TEST(LeadCodec, ContentProblemsAreRowErrors) {
  auto missing = ParseLeadRow(boost::json::parse(R"({"firstName":"A"})"), "leads[0]");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->problem->code, "missing_email");
  auto invalid = ParseLeadRow(boost::json::parse(R"({"email":"nope"})"), "leads[0]");
  EXPECT_EQ(invalid->problem->code, "invalid_email");
  std::string big = R"({"email":"a@b.co","company":")" + std::string(501, 'x') + "\"}";
  auto too_long = ParseLeadRow(boost::json::parse(big), "leads[0]");
  EXPECT_EQ(too_long->problem->code, "field_too_long");
  auto ok = ParseLeadRow(
      boost::json::parse(R"({"email":"  Ann@X.io ","customFields":{"a":"1","b":null}})"),
      "leads[0]");
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->problem);
  EXPECT_EQ(ok->upsert.email, "Ann@X.io");
  EXPECT_EQ(ok->upsert.email_normalized, "ann@x.io");
  EXPECT_EQ(ok->custom_keys, std::vector<std::string>{"a"});
  EXPECT_EQ(ok->upsert.custom_fields_patch, R"({"a":"1","b":null})");
}

TEST(LeadCodec, ControlCharactersAreRowErrorsWithTheirParam) {
  struct Case {
    const char* json;
    const char* param;
  };
  const Case cases[] = {
      {R"({"email":"a@b.co","firstName":"A\u0000B"})", "leads[3].firstName"},
      {R"({"email":"a@b.co","lastName":"\u001b[31m"})", "leads[3].lastName"},
      {R"({"email":"a@b.co","company":"Bell\u0007"})", "leads[3].company"},
      {R"({"email":"a@b.co","jobTitle":"VP\u0085Sales"})", "leads[3].jobTitle"},
      {R"({"email":"a@b.co","firstName":"Ann\u2028Bcc"})", "leads[3].firstName"},
      {R"({"email":"a@b.co","customFields":{"note":"x\u2029y"}})", "leads[3].customFields.note"},
      {R"({"email":"a@b.co","customFields":{"bad\u0001key":"v"}})",
       "leads[3].customFields.bad\u0001key"},
      {R"({"email":"a@b.co","company":"line\nbreak"})", "leads[3].company"},
  };
  for (const Case& c : cases) {
    auto row = ParseLeadRow(boost::json::parse(c.json), "leads[3]");
    ASSERT_TRUE(row.ok()) << c.json;
    ASSERT_TRUE(row->problem) << c.json;
    EXPECT_EQ(row->problem->code, "invalid_characters") << c.json;
    EXPECT_EQ(row->problem->param, c.param) << c.json;
  }
  // Tab is free text; other non-ASCII is too.
  auto ok = ParseLeadRow(
      boost::json::parse(R"({"email":"a@b.co","company":"A\tB","firstName":"Zo\u00eb\u00a0"})"),
      "leads[0]");
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->problem);
}

}  // namespace
}  // namespace leadterra::api
