#include <gtest/gtest.h>

#include "domain/campaign.h"

namespace leadterra::domain {
namespace {

Campaign WithSteps(int n) {
  Campaign c;
  c.id = "camp_x";
  c.name = "Q1";
  for (int i = 0; i < n; ++i) c.steps.push_back({0, i == 0 ? "Hi" : "", "<p>b</p>"});
  return c;
}

TEST(Lifecycle, StartNeedsAStep) {
  Campaign c = WithSteps(0);
  Status s = Start(c, {}, 10);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidState);
  EXPECT_EQ(c.status, CampaignStatus::kDraft);
  EXPECT_FALSE(c.started_at);
}

TEST(Lifecycle, StartNeedsAMailboxWhenRequired) {
  Campaign c = WithSteps(1);
  EXPECT_EQ(Start(c, {true, 0}, 10).code(), ErrorCode::kInvalidState);
  EXPECT_TRUE(Start(c, {true, 1}, 10).ok());
}

TEST(Lifecycle, DraftRunningPausedRunning) {
  Campaign c = WithSteps(1);
  ASSERT_TRUE(Start(c, {}, 10).ok());
  EXPECT_EQ(c.status, CampaignStatus::kRunning);
  EXPECT_EQ(c.started_at, 10);
  EXPECT_TRUE(Start(c, {}, 20).ok());  // idempotent
  EXPECT_EQ(c.updated_at, 10);
  ASSERT_TRUE(Pause(c, 30).ok());
  EXPECT_EQ(c.status, CampaignStatus::kPaused);
  EXPECT_TRUE(Pause(c, 40).ok());  // idempotent
  EXPECT_EQ(c.updated_at, 30);
  ASSERT_TRUE(Start(c, {}, 50).ok());
  EXPECT_EQ(c.status, CampaignStatus::kRunning);
  EXPECT_EQ(c.started_at, 10);  // first start is kept
}

TEST(Lifecycle, PauseOnDraftIsInvalidState) {
  Campaign c = WithSteps(1);
  EXPECT_EQ(Pause(c, 1).code(), ErrorCode::kInvalidState);
  EXPECT_EQ(c.status, CampaignStatus::kDraft);
}

TEST(Lifecycle, StepsLockedWhileRunning) {
  Campaign c = WithSteps(1);
  ASSERT_TRUE(Start(c, {}, 1).ok());
  EXPECT_EQ(ReplaceSteps(c, WithSteps(2).steps, 2).code(), ErrorCode::kInvalidState);
  EXPECT_EQ(c.steps.size(), 1u);
  EXPECT_TRUE(Rename(c, "New name", 3).ok());
  EXPECT_EQ(CheckDeletable(c).code(), ErrorCode::kInvalidState);
  ASSERT_TRUE(Pause(c, 4).ok());
  EXPECT_TRUE(ReplaceSteps(c, WithSteps(2).steps, 5).ok());
  EXPECT_EQ(c.steps.size(), 2u);
  EXPECT_TRUE(CheckDeletable(c).ok());
}

TEST(Validation, Names) {
  EXPECT_TRUE(ValidateCampaignName("VP Sales — AI Workflow Q1", "name").ok());
  EXPECT_EQ(ValidateCampaignName("", "name").param(), "name");
  EXPECT_TRUE(ValidateCampaignName(std::string(200, 'a'), "name").ok());
  EXPECT_FALSE(ValidateCampaignName(std::string(201, 'a'), "name").ok());
  // 200 multi-byte characters are fine: the limit counts characters.
  std::string accents;
  for (int i = 0; i < 200; ++i) accents += "é";
  EXPECT_TRUE(ValidateCampaignName(accents, "name").ok());
  EXPECT_FALSE(ValidateCampaignName("a\nb", "name").ok());
}

TEST(Validation, Steps) {
  std::vector<Step> steps = {{0, "", "<p>x</p>"}};
  Status s = ValidateSteps(steps);
  EXPECT_EQ(s.param(), "sequenceSteps[0].subject");
  steps = {{0, "Hi", "<p>x</p>"}, {-1, "", "<p>y</p>"}};
  EXPECT_EQ(ValidateSteps(steps).param(), "sequenceSteps[1].delayDays");
  steps = {{0, "Hi", "<p>x</p>"}, {2.5, "", ""}};
  EXPECT_EQ(ValidateSteps(steps).param(), "sequenceSteps[1].bodyHtml");
  steps = {{0, "Hi\r\nBcc: x@y", "<p>x</p>"}};
  EXPECT_EQ(ValidateSteps(steps).param(), "sequenceSteps[0].subject");
  steps = {{0, "Hi", "<p>x</p>"}, {3, "", "<p>y</p>"}};
  EXPECT_TRUE(ValidateSteps(steps).ok());
}

TEST(Status, ParsesOnlyKnownStatuses) {
  EXPECT_EQ(ParseCampaignStatus("running"), CampaignStatus::kRunning);
  EXPECT_FALSE(ParseCampaignStatus("RUNNING"));
  EXPECT_FALSE(ParseCampaignStatus("archived"));
  EXPECT_EQ(ToString(CampaignStatus::kPaused), "paused");
}

}  // namespace
}  // namespace leadterra::domain
