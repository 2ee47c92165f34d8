// The scheduler's rules on an injected clock: a sequence with day-long
// delays runs in milliseconds. SMTP here is a recording transport (the real
// libcurl path is exercised against a real SMTP server in tests/e2e).
#include "delivery/engine.h"

#include <gtest/gtest.h>

#include <map>

#include "temp_store.h"

namespace leadterra::delivery {
namespace {

constexpr int64_t kDay = 86400LL * 1000;
constexpr int64_t kStart = 1736931600000;  // 2025-01-15T09:00:00Z

struct Recorded {
  std::string from, to, data;
};

// Replies per recipient: "defer…" 451, "reject…" 550, others 250.
class RecordingConnector final : public SmtpConnector {
 public:
  std::vector<Recorded> sent;
  int opened = 0;
  std::map<std::string, int> replies;  // recipient -> forced code

  std::unique_ptr<SmtpSession> Open(const SmtpServer& server) override {
    ++opened;
    struct Session final : SmtpSession {
      RecordingConnector* owner;
      SmtpReply Send(std::string_view from, std::string_view to, std::string_view data) override {
        auto it = owner->replies.find(std::string(to));
        int code = it == owner->replies.end() ? 250 : it->second;
        if (code == 250)
          owner->sent.push_back({std::string(from), std::string(to), std::string(data)});
        return SmtpReply{code, std::to_string(code)};
      }
      SmtpReply Verify() override { return {250, "ok"}; }
    };
    auto s = std::make_unique<Session>();
    s->owner = this;
    return s;
  }
};

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    domain::Workspace ws{ids_.Next(id_prefix::kWorkspace), "W", clock_.NowMillis(), {}};
    domain::ApiKey key{ids_.Next(id_prefix::kApiKey), ws.id, "k", "h" + ws.id, "p", 0, {}};
    ASSERT_TRUE(store_->CreateWorkspace(ws, key).ok());
    ws_ = ws.id;
  }

  std::string AddMailbox(int daily_limit) {
    domain::Mailbox m;
    m.id = ids_.Next(id_prefix::kMailbox);
    m.workspace_id = ws_;
    m.email = "sam@sender.test";
    m.from_name = "Sam";
    m.smtp = {"127.0.0.1", 2525, "", "", domain::Security::kNone};
    m.daily_limit = daily_limit;
    EXPECT_TRUE(store_->CreateMailbox(m).ok());
    return m.id;
  }

  std::string StartCampaign(std::vector<domain::Step> steps, int leads) {
    domain::Campaign c;
    c.id = ids_.Next(id_prefix::kCampaign);
    c.workspace_id = ws_;
    c.name = "C";
    c.steps = std::move(steps);
    c.created_at = c.updated_at = clock_.NowMillis();
    EXPECT_TRUE(store_->CreateCampaign(c).ok());
    std::vector<store::LeadUpsert> rows;
    for (int i = 0; i < leads; ++i) {
      store::LeadUpsert row;
      row.new_id = ids_.Next(id_prefix::kLead);
      row.email = "lead" + std::to_string(i) + "@x.test";
      row.email_normalized = row.email;
      row.first_name = "L" + std::to_string(i);
      rows.push_back(row);
    }
    EXPECT_TRUE(store_->UpsertAndEnroll(ws_, c.id, rows, {}, clock_.NowMillis()).ok());
    EXPECT_TRUE(SetStatus(c.id, true).ok());
    return c.id;
  }

  Status SetStatus(const std::string& id, bool run) {
    return store_
        ->UpdateCampaign(ws_, id,
                         [&](domain::Campaign& c) {
                           return run ? domain::Start(c, {true, 1}, clock_.NowMillis())
                                      : domain::Pause(c, clock_.NowMillis());
                         })
        .status();
  }

  TickReport Tick() {
    auto r = engine_.RunOnce();
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : TickReport{};
  }

  store::CampaignCounters Counters(const std::string& id) {
    return *store_->GetCampaignCounters(ws_, id);
  }

  FakeClock clock_{kStart};
  IdGenerator ids_{clock_};
  leadterra::testing::TempStore store_{kDay};
  SecretBox secrets_{std::array<uint8_t, SecretBox::kKeySize>{}};
  RecordingConnector smtp_;
  EngineOptions options_{kDay, 50, 4, 3, 60'000, 1000};
  DeliveryEngine engine_{*store_, clock_, ids_, secrets_, smtp_, options_};
  std::string ws_;
};

TEST_F(EngineTest, StepsGoOutAfterTheirDelaysAndNeverTwice) {
  AddMailbox(1000);
  std::string c = StartCampaign(
      {{0, "Hi {{firstName}}", "<p>one</p>"}, {2, "", "<p>two</p>"}, {1.5, "", "<p>three</p>"}},
      10);
  EXPECT_EQ(Tick().delivered, 10);
  EXPECT_EQ(Tick().claimed, 0);  // nothing due: step 2 waits two days
  clock_.Advance(2 * kDay - 1);
  EXPECT_EQ(Tick().claimed, 0);
  clock_.Advance(1);
  EXPECT_EQ(Tick().delivered, 10);
  clock_.Advance(kDay * 3 / 2);
  EXPECT_EQ(Tick().delivered, 10);
  clock_.Advance(10 * kDay);
  EXPECT_EQ(Tick().claimed, 0);
  EXPECT_EQ(smtp_.sent.size(), 30u);
  auto counters = Counters(c);
  EXPECT_EQ(counters.delivered, 30);
  EXPECT_EQ(counters.completed, 10);
  EXPECT_EQ(counters.queued, 0);
  EXPECT_EQ(smtp_.opened, 1);  // one reused connection for the mailbox
  EXPECT_NE(smtp_.sent[10].data.find("Subject: Re: Hi L0"), std::string::npos);
}

TEST_F(EngineTest, PauseStopsAndResumeContinues) {
  AddMailbox(1000);
  std::string c = StartCampaign({{0, "a", "<p>a</p>"}, {1, "", "<p>b</p>"}}, 5);
  EXPECT_EQ(Tick().delivered, 5);
  ASSERT_TRUE(SetStatus(c, false).ok());
  clock_.Advance(3 * kDay);
  EXPECT_EQ(Tick().claimed, 0);
  ASSERT_TRUE(SetStatus(c, true).ok());
  EXPECT_EQ(Tick().delivered, 5);  // overdue steps go out on resume
  EXPECT_EQ(Counters(c).completed, 5);
}

TEST_F(EngineTest, DailyLimitHoldsAndResumesNextDay) {
  AddMailbox(3);
  std::string c = StartCampaign({{0, "a", "<p>a</p>"}}, 7);
  EXPECT_EQ(Tick().delivered, 3);
  EXPECT_EQ(Tick().claimed, 0);
  EXPECT_EQ(Counters(c).queued, 4);
  clock_.Advance(kDay);
  EXPECT_EQ(Tick().delivered, 3);
  clock_.Advance(kDay);
  EXPECT_EQ(Tick().delivered, 1);
  EXPECT_EQ(Counters(c).delivered, 7);
}

TEST_F(EngineTest, BouncesAndRetries) {
  AddMailbox(1000);
  smtp_.replies["lead0@x.test"] = 550;
  smtp_.replies["lead1@x.test"] = 451;
  smtp_.replies["lead2@x.test"] = 451;
  std::string c = StartCampaign({{0, "a", "<p>a</p>"}, {0, "", "<p>b</p>"}}, 3);
  TickReport first = Tick();
  EXPECT_EQ(first.bounced, 1);
  EXPECT_EQ(first.retried, 2);
  smtp_.replies.erase("lead1@x.test");  // recovers before the retry
  clock_.Advance(59'000);
  EXPECT_EQ(Tick().claimed, 0);  // backoff not over yet
  clock_.Advance(10'000);
  TickReport second = Tick();
  EXPECT_EQ(second.retried, 1);  // lead2 deferred again (attempt 2 of 3)
  EXPECT_GE(second.delivered, 1);
  clock_.Advance(10 * 60'000);
  Tick();  // lead2's third attempt: budget spent -> bounced
  clock_.Advance(10 * 60'000);
  Tick();
  auto counters = Counters(c);
  EXPECT_EQ(counters.bounced, 2);
  EXPECT_EQ(counters.completed, 1);
  EXPECT_EQ(counters.delivered, 2);  // lead1: both steps
}

TEST_F(EngineTest, RecoveryNeverResendsWhatWasOnTheWire) {
  AddMailbox(1000);
  std::string c = StartCampaign({{0, "a", "<p>a</p>"}, {0, "", "<p>b</p>"}}, 4);
  // Simulate a crash: claim, mark one as sending, then "restart".
  store::ClaimLimits limits{"2025-01-15", kStart + kDay};
  auto claims = store_->ClaimDueSends(ws_, c, clock_.NowMillis(), 10, limits,
                                      [&] { return ids_.Next(id_prefix::kMessage); });
  ASSERT_EQ(claims->size(), 4u);
  ASSERT_TRUE(*store_->CommitProgress({}, &(*claims)[0], clock_.NowMillis()));
  EXPECT_EQ(*engine_.Recover(), 1);
  EXPECT_EQ(Counters(c).unknown, 1);
  Tick();
  Tick();
  // Lead 0's first step is never sent (it may have arrived); everything else is.
  EXPECT_EQ(smtp_.sent.size(), 7u);
  for (const auto& r : smtp_.sent) {
    if (r.to == (*claims)[0].lead.email) {
      EXPECT_EQ(r.data.find("<p>a</p>"), std::string::npos);
    }
  }
  EXPECT_EQ(Counters(c).completed, 4);
}

}  // namespace
}  // namespace leadterra::delivery
