// CampaignsApi::Start tells its owner (the delivery engine's Wake, in main)
// when a campaign was started, and only then.
#include "api/campaigns_api.h"

#include <gtest/gtest.h>

#include "temp_store.h"

namespace leadterra::api {
namespace {

class CampaignsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = store_.AddWorkspace(ids_, clock_.NowMillis());
    domain::Campaign c;
    c.id = ids_.Next(id_prefix::kCampaign);
    c.workspace_id = ws_;
    c.name = "C";
    c.steps = {domain::Step(0, "Hi", "<p>Hi</p>")};
    c.created_at = c.updated_at = clock_.NowMillis();
    ASSERT_TRUE(store_->CreateCampaign(c).ok());
    campaign_ = c.id;
  }

  Request StartRequest() const {
    Request r;
    r.workspace_id = ws_;
    r.path_params["id"] = campaign_;
    return r;
  }

  FakeClock clock_{1736931600000};
  IdGenerator ids_{clock_};
  leadterra::testing::TempStore store_;
  std::string ws_, campaign_;
};

TEST_F(CampaignsApiTest, AStartedCampaignWakesTheEngine) {
  int woken = 0;
  CampaignsApi campaigns(*store_, clock_, ids_, [&woken] { ++woken; });
  // Not startable yet (no mailbox): refused, and nothing to wake for.
  EXPECT_FALSE(campaigns.Start(StartRequest()).ok());
  EXPECT_EQ(woken, 0);
  store_.AddMailbox(ids_, ws_, 10);
  auto started = campaigns.Start(StartRequest());
  ASSERT_TRUE(started.ok()) << started.status().message();
  EXPECT_EQ(woken, 1);
  ASSERT_TRUE(campaigns.Pause(StartRequest()).ok());
  EXPECT_EQ(woken, 1);
}

}  // namespace
}  // namespace leadterra::api
