#include "api/campaign_codec.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include "api/json_output.h"

namespace leadterra::api {
namespace {

Result<CampaignInput> Create(std::string_view json) {
  return ParseCampaignCreate(boost::json::parse(json));
}

TEST(CampaignCodec, SeedApiReferenceBody) {
  auto input = Create(R"({"name":"VP Sales - AI workflow","sequenceSteps":[
      {"subject":"Quick question, {{firstName}}","bodyHtml":"<p>Hi {{firstName}}</p>"}]})");
  ASSERT_TRUE(input.ok()) << input.status().message();
  EXPECT_EQ(*input->name, "VP Sales - AI workflow");
  ASSERT_EQ(input->steps->size(), 1u);
  EXPECT_EQ((*input->steps)[0].delay_days, 0);
}

TEST(CampaignCodec, StepNumbersReorder) {
  auto input = Create(R"({"name":"x","sequenceSteps":[
      {"stepNumber":2,"delayDays":3,"subject":"","bodyHtml":"second"},
      {"stepNumber":1,"delayDays":0,"subject":"Hi","bodyHtml":"first"}]})");
  ASSERT_TRUE(input.ok()) << input.status().message();
  EXPECT_EQ((*input->steps)[0].body_html, "first");
  EXPECT_EQ((*input->steps)[1].delay_days, 3);
}

TEST(CampaignCodec, ErrorsNameTheField) {
  struct Case {
    const char* json;
    const char* param;
  } cases[] = {
      {R"({})", "name"},
      {R"({"name":7})", "name"},
      {R"({"name":""})", "name"},
      {R"({"name":"x","extra":1})", "extra"},
      {R"({"name":"x","sequenceSteps":{}})", "sequenceSteps"},
      {R"({"name":"x","sequenceSteps":[1]})", "sequenceSteps[0]"},
      {R"({"name":"x","sequenceSteps":[{"bodyHtml":"b"}]})", "sequenceSteps[0].subject"},
      {R"({"name":"x","sequenceSteps":[{"subject":"s"}]})", "sequenceSteps[0].bodyHtml"},
      {R"({"name":"x","sequenceSteps":[{"subject":"s","bodyHtml":"b","delayDays":"3"}]})",
       "sequenceSteps[0].delayDays"},
      {R"({"name":"x","sequenceSteps":[{"subject":"s","bodyHtml":"b","foo":1}]})",
       "sequenceSteps[0].foo"},
      {R"({"name":"x","sequenceSteps":[{"subject":"s","bodyHtml":"b","stepNumber":2}]})",
       "sequenceSteps[0].stepNumber"},
      {R"({"name":"x","sequenceSteps":[{"subject":"s","bodyHtml":"b","stepNumber":1},
          {"subject":"t","bodyHtml":"b","stepNumber":1}]})",
       "sequenceSteps[1].stepNumber"},
      {R"({"name":"x","sequenceSteps":[{"subject":"s","bodyHtml":"b","stepNumber":1},
          {"subject":"t","bodyHtml":"b"}]})",
       "sequenceSteps[1].stepNumber"},
      {R"({"name":"x","sequenceSteps":[{"subject":"s","bodyHtml":"b","stepNumber":1.5}]})",
       "sequenceSteps[0].stepNumber"},
      {R"({"name":"x","sequenceSteps":[{"subject":"s","bodyHtml":"b","stepNumber":1,
          "stepIndex":1}]})",
       "sequenceSteps[0].stepIndex"},
  };
  for (const Case& c : cases) {
    auto input = Create(c.json);
    ASSERT_FALSE(input.ok()) << c.json;
    EXPECT_EQ(input.status().code(), ErrorCode::kInvalidArgument) << c.json;
    EXPECT_EQ(input.status().param(), c.param) << c.json;
  }
}

TEST(CampaignCodec, PatchFieldsAreOptional) {
  auto input = ParseCampaignPatch(boost::json::parse("{}"));
  ASSERT_TRUE(input.ok());
  EXPECT_FALSE(input->name);
  EXPECT_FALSE(input->steps);
}

TEST(CampaignCodec, SerializesFullSteps) {
  domain::Campaign c;
  c.id = "camp_01hx4mrqpbcn7wh2gfk9yz6e3s";
  c.name = "Q1";
  c.steps = {{0, "Hi", "<p>a</p>"}, {2.5, "", "<p>b</p>"}};
  c.created_at = c.updated_at = 1736931600000;
  std::string json = ToJsonText(CampaignToJson(c));
  EXPECT_NE(json.find(R"("stepIndex":1,"stepNumber":2,"delayDays":2.5)"), std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("stepIndex":0,"stepNumber":1,"delayDays":0,)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("createdAt":"2025-01-15T09:00:00Z")"), std::string::npos);
  EXPECT_NE(json.find(R"("status":"draft")"), std::string::npos);
}

}  // namespace
}  // namespace leadterra::api
