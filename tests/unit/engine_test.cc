// The scheduler's rules on an injected clock: a sequence with day-long
// delays runs in milliseconds. SMTP here is a recording transport (the real
// libcurl path is exercised against a real SMTP server in tests/e2e).
#include "delivery/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <thread>

#include "temp_store.h"

namespace leadterra::delivery {
namespace {

constexpr int64_t kDay = 86400LL * 1000;
constexpr int64_t kStart = 1736931600000;  // 2025-01-15T09:00:00Z

// Moves one claim to `sending`, as the engine does right before its group
// goes out; whether it may be sent.
bool MarkSending(store::Store& store, const store::SendClaim& claim, int64_t now) {
  auto may_send = store.CommitProgress({}, {&claim}, now);
  return may_send.ok() && may_send->size() == 1 && (*may_send)[0];
}

struct Recorded {
  std::string from, to, data;
};

// Replies per recipient: "defer…" 451, "reject…" 550, others 250.
class RecordingConnector final : public SmtpConnector {
 public:
  std::vector<Recorded> sent;
  int opened = 0;
  std::map<std::string, int> replies;  // recipient -> forced code
  std::function<void()> before_send;   // runs before each send, if set

  std::unique_ptr<SmtpSession> Open(const SmtpServer& server) override {
    ++opened;
    struct Session final : SmtpSession {
      RecordingConnector* owner;
      SmtpReply Send(std::string_view from, std::string_view to, std::string_view data) override {
        if (owner->before_send) owner->before_send();
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
  void SetUp() override { ws_ = store_.AddWorkspace(ids_, clock_.NowMillis()); }

  std::string AddMailbox(int daily_limit) { return store_.AddMailbox(ids_, ws_, daily_limit); }

  std::string StartCampaign(std::vector<domain::Step> steps, int leads,
                            std::optional<std::string> lead_zone = std::nullopt) {
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
      row.timezone = lead_zone;
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

  void SetBounceProtection(const std::string& campaign_id, domain::BounceProtection protection) {
    auto updated = store_->UpdateCampaign(ws_, campaign_id, [&](domain::Campaign& x) {
      x.bounce_protection = protection;
      return Status::Ok();
    });
    ASSERT_TRUE(updated.ok()) << updated.status().message();
  }

  void SetDelivery(const std::function<void(domain::DeliverySettings&)>& change) {
    auto updated = store_->UpdateDeliverySettings(
        ws_,
        [&](domain::DeliverySettings& s) {
          change(s);
          return domain::ValidateDeliverySettings(s);
        },
        clock_.NowMillis());
    ASSERT_TRUE(updated.ok()) << updated.status().message();
  }

  TickReport Tick() {
    auto r = engine_.RunOnce();
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : TickReport{};
  }

  // Claims the campaign's two due leads outside the engine and puts the
  // first on the wire (`sending`); empty on failure.
  std::vector<store::SendClaim> ClaimBothAndStartTheFirst(const std::string& campaign) {
    auto claims = store_->ClaimDueSends(ws_, campaign, clock_.NowMillis(), 10,
                                        [&] { return ids_.Next(id_prefix::kMessage); });
    if (!claims.ok() || claims->size() != 2) return {};
    if (!MarkSending(*store_, (*claims)[0], clock_.NowMillis())) return {};
    return std::move(claims).value();
  }

  static std::vector<store::HeldMessage> Held(const std::vector<store::SendClaim>& claims) {
    std::vector<store::HeldMessage> held;
    for (const auto& claim : claims) held.push_back({claim.workspace_id, claim.message_row_id});
    return held;
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

TEST_F(EngineTest, ClaimsThatNeverWentOutDoNotCountAgainstTheDailyLimit) {
  AddMailbox(3);
  std::string c = StartCampaign({{0, "a", "<p>a</p>"}}, 3);
  // A sender claims all three and stops before sending any; their leases run out.
  auto claims = store_->ClaimDueSends(ws_, c, clock_.NowMillis(), 10,
                                      [&] { return ids_.Next(id_prefix::kMessage); });
  ASSERT_TRUE(claims.ok());
  ASSERT_EQ(claims->size(), 3u);
  clock_.Advance(10 * 60'000);
  ASSERT_TRUE(engine_.Recover().ok());
  // The same day, the mailbox still has its three sends.
  EXPECT_EQ(Tick().delivered, 3);
  EXPECT_EQ(Counters(c).delivered, 3);
}

TEST_F(EngineTest, LetsGoOfItsClaimsAfterEachBatch) {
  AddMailbox(1000);
  StartCampaign({{0, "a", "<p>a</p>"}}, 120);  // three batches of 50
  EXPECT_EQ(Tick().delivered, 120);
  // Nothing is held (or renewed) once the batches are done.
  EXPECT_EQ(engine_.HeldCount(), 0u);
}

TEST_F(EngineTest, ClaimsTheNextBatchWhileOneIsSent) {
  AddMailbox(1000);
  StartCampaign({{0, "a", "<p>a</p>"}}, 120);  // batches of 50, 50 and 20
  size_t most_held = 0;
  smtp_.before_send = [&] {
    // The first send waits (up to 10 s) for the second batch's claim.
    for (int i = 0; i < 1000 && most_held == 0 && engine_.HeldCount() <= 50; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    most_held = std::max(most_held, engine_.HeldCount());
  };
  EXPECT_EQ(Tick().delivered, 120);
  EXPECT_EQ(most_held, 100u);
  EXPECT_EQ(smtp_.sent.size(), 120u);
  EXPECT_EQ(engine_.HeldCount(), 0u);
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
  auto claims = store_->ClaimDueSends(ws_, c, clock_.NowMillis(), 10,
                                      [&] { return ids_.Next(id_prefix::kMessage); });
  ASSERT_EQ(claims->size(), 4u);
  ASSERT_TRUE(MarkSending(*store_, (*claims)[0], clock_.NowMillis()));
  // While the claimer's lease runs, its work is its own: nothing to resolve.
  EXPECT_EQ(*engine_.Recover(), 0);
  EXPECT_EQ(Counters(c).unknown, 0);
  // Then it is taken for dead.
  clock_.Advance(30'001);
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

TEST_F(EngineTest, RenewedLeasesKeepALiveSendersWork) {
  AddMailbox(1000);
  std::string c = StartCampaign({{0, "a", "<p>a</p>"}}, 2);
  std::vector<store::SendClaim> claims = ClaimBothAndStartTheFirst(c);
  ASSERT_EQ(claims.size(), 2u);
  // A slow SMTP server: the heartbeat renews both leases before they run out.
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(20'000);
    ASSERT_TRUE(store_->RenewLeases(Held(claims), clock_.NowMillis()).ok());
    EXPECT_EQ(*engine_.Recover(), 0);
  }
  EXPECT_TRUE(MarkSending(*store_, claims[1], clock_.NowMillis()));
  // Without a heartbeat (the process died) both are resolved.
  clock_.Advance(30'001);
  EXPECT_EQ(*engine_.Recover(), 2);
  EXPECT_EQ(Counters(c).unknown, 2);
}

TEST_F(EngineTest, HeartbeatRenewsOnlyTheBatchInFlight) {
  AddMailbox(1000);
  std::string c = StartCampaign({{0, "a", "<p>a</p>"}}, 2);
  // Claims a failed batch left behind: no sender works on them any more.
  std::vector<store::SendClaim> claims = ClaimBothAndStartTheFirst(c);
  ASSERT_EQ(claims.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    clock_.Advance(20'000);
    ASSERT_TRUE(engine_.RenewHeldLeases().ok());
  }
  // Their leases ran out: the one on the wire is unknown, the other queued again.
  EXPECT_EQ(*engine_.Recover(), 1);
  EXPECT_EQ(Counters(c).unknown, 1);
  auto tick = engine_.RunOnce();
  ASSERT_TRUE(tick.ok());
  EXPECT_EQ(tick->delivered, 1);
}

// 2025-03-29 (Saturday) 12:00 UTC; Europe/Berlin moves to summer time on
// Sunday 2025-03-30, so Monday's 09:00 is 07:00 UTC (not 08:00 as in winter).
constexpr int64_t kSaturdayBeforeDst = 1743249600000;

TEST_F(EngineTest, WindowOpensInWorkspaceZoneAcrossDstChange) {
  clock_.Set(kSaturdayBeforeDst);
  AddMailbox(1000);
  SetDelivery([](domain::DeliverySettings& s) {
    s.timezone = "Europe/Berlin";
    s.window = domain::SendingWindow{{1, 2, 3, 4, 5}, 9 * 60, 17 * 60};
  });
  std::string c = StartCampaign({{0, "a", "<p>a</p>"}}, 3);
  EXPECT_EQ(Tick().claimed, 0);
  EXPECT_EQ(Counters(c).queued, 3);
  const int64_t monday_open = 1743404400000;  // 2025-03-31T07:00:00Z
  clock_.Set(monday_open - 1);
  EXPECT_EQ(Tick().claimed, 0);
  clock_.Set(monday_open);
  EXPECT_EQ(Tick().delivered, 3);
}

TEST_F(EngineTest, WindowClosesAtEndAndHoldsUntilNextDay) {
  // kStart is Wednesday 09:00 UTC; a 09:00-09:30 window sends the first
  // batch, then nothing after 09:30 until Thursday 09:00.
  AddMailbox(1000);
  SetDelivery([](domain::DeliverySettings& s) {
    s.window = domain::SendingWindow{{1, 2, 3, 4, 5}, 9 * 60, 9 * 60 + 30};
  });
  std::string c = StartCampaign({{0, "a", "<p>a</p>"}, {0.01, "", "<p>b</p>"}}, 2);
  EXPECT_EQ(Tick().delivered, 2);
  clock_.Advance(30 * 60'000);  // 09:30: step 2 is due, the window is closed
  EXPECT_EQ(Tick().claimed, 0);
  clock_.Set(kStart + kDay - 1);
  EXPECT_EQ(Tick().claimed, 0);
  clock_.Set(kStart + kDay);
  EXPECT_EQ(Tick().delivered, 2);
  EXPECT_EQ(Counters(c).completed, 2);
}

TEST_F(EngineTest, LeadTimeZoneOverridesWorkspaceZone) {
  // 09:00 UTC is 18:00 in Tokyo: the Tokyo leads wait for 09:00 JST, which
  // is 00:00 UTC the next day, while the window is open in UTC.
  AddMailbox(1000);
  SetDelivery([](domain::DeliverySettings& s) {
    s.window = domain::SendingWindow{{1, 2, 3, 4, 5, 6, 7}, 9 * 60, 17 * 60};
  });
  std::string tokyo = StartCampaign({{0, "a", "<p>a</p>"}}, 2, "Asia/Tokyo");
  EXPECT_EQ(Tick().claimed, 0);
  const int64_t tokyo_nine = kStart + 15 * 3600'000LL;  // 2025-01-16T00:00Z
  clock_.Set(tokyo_nine - 1);
  EXPECT_EQ(Tick().claimed, 0);
  clock_.Set(tokyo_nine);
  EXPECT_EQ(Tick().delivered, 2);
  EXPECT_EQ(Counters(tokyo).delivered, 2);
}

TEST_F(EngineTest, WorkspaceDailyLimitResetsAtLocalMidnight) {
  AddMailbox(100);
  AddMailbox(100);
  SetDelivery([](domain::DeliverySettings& s) {
    s.timezone = "Asia/Tokyo";  // kStart = 18:00 JST; midnight JST = 15:00 UTC
    s.daily_limit = 3;
  });
  std::string c = StartCampaign({{0, "a", "<p>a</p>"}}, 8);
  EXPECT_EQ(Tick().delivered, 3);
  EXPECT_EQ(Counters(c).queued, 5);
  clock_.Set(kStart + 6 * 3600'000LL - 1);
  EXPECT_EQ(Tick().claimed, 0);
  clock_.Set(kStart + 6 * 3600'000LL);
  EXPECT_EQ(Tick().delivered, 3);
  clock_.Advance(kDay);
  EXPECT_EQ(Tick().delivered, 2);
}

TEST_F(EngineTest, MailboxLimitHoldsAcrossCampaignsSharingIt) {
  AddMailbox(5);
  std::string a = StartCampaign({{0, "a", "<p>a</p>"}}, 4);
  std::string b = StartCampaign({{0, "b", "<p>b</p>"}}, 4);
  Tick();
  EXPECT_EQ(Counters(a).delivered + Counters(b).delivered, 5);
  EXPECT_EQ(Counters(a).queued + Counters(b).queued, 3);
  EXPECT_EQ(smtp_.sent.size(), 5u);
}

TEST_F(EngineTest, MinGapPacesEachMailbox) {
  AddMailbox(1000);
  SetDelivery([](domain::DeliverySettings& s) { s.min_gap_seconds = 60; });
  StartCampaign({{0, "a", "<p>a</p>"}}, 3);
  EXPECT_EQ(Tick().delivered, 1);
  clock_.Advance(60'000 - 1);
  EXPECT_EQ(Tick().claimed, 0);
  clock_.Advance(1 + 12'000);  // the gap plus the largest jitter (20% of 60 s)
  EXPECT_EQ(Tick().delivered, 1);
  clock_.Advance(72'000);
  EXPECT_EQ(Tick().delivered, 1);
  EXPECT_EQ(smtp_.sent.size(), 3u);
}

TEST_F(EngineTest, ChangedSettingsReleaseHeldLeadsAtOnce) {
  AddMailbox(1000);
  SetDelivery([](domain::DeliverySettings& s) {
    s.window = domain::SendingWindow{{1, 2, 3, 4, 5}, 20 * 60, 21 * 60};
  });
  std::string c = StartCampaign({{0, "a", "<p>a</p>"}}, 2);
  EXPECT_EQ(Tick().claimed, 0);  // held until 20:00
  SetDelivery([](domain::DeliverySettings& s) { s.window.reset(); });
  EXPECT_EQ(Tick().delivered, 2);
  EXPECT_EQ(Counters(c).queued, 0);
}

TEST_F(EngineTest, BounceProtectionPausesWithReasonAndStopsTheBatch) {
  AddMailbox(1000);
  std::string c = StartCampaign({{0, "a", "<p>a</p>"}}, 6);
  SetBounceProtection(c, {true, 0.3, 8});
  EXPECT_EQ(Tick().delivered, 6);
  // Four more leads, all rejected: 1/7 and 2/8 are under the bar (or under
  // minSends), 3/9 = 33% passes 30% and pauses before the fourth goes out.
  std::vector<store::LeadUpsert> rows;
  for (int i = 0; i < 4; ++i) {
    store::LeadUpsert row;
    row.new_id = ids_.Next(id_prefix::kLead);
    row.email = row.email_normalized = "bad" + std::to_string(i) + "@x.test";
    smtp_.replies[row.email] = 550;
    rows.push_back(row);
  }
  ASSERT_TRUE(store_->UpsertAndEnroll(ws_, c, rows, {}, clock_.NowMillis()).ok());
  TickReport report = Tick();
  EXPECT_EQ(report.bounced, 3);
  auto campaign = store_->GetCampaign(ws_, c);
  ASSERT_TRUE(campaign.ok());
  EXPECT_EQ(campaign->status, domain::CampaignStatus::kPaused);
  ASSERT_TRUE(campaign->pause_reason.has_value());
  EXPECT_EQ(campaign->pause_reason->code, "bounce_rate");
  EXPECT_NE(campaign->pause_reason->message.find("3 of 9"), std::string::npos)
      << campaign->pause_reason->message;
  EXPECT_EQ(Counters(c).queued, 1);
  // Starting again clears the reason.
  ASSERT_TRUE(SetStatus(c, true).ok());
  EXPECT_FALSE(store_->GetCampaign(ws_, c)->pause_reason.has_value());
}

TEST_F(EngineTest, BounceProtectionCanBeTurnedOff) {
  AddMailbox(1000);
  std::string c = StartCampaign({{0, "a", "<p>a</p>"}}, 4);
  SetBounceProtection(c, {false, 0.01, 1});
  for (int i = 0; i < 4; ++i) smtp_.replies["lead" + std::to_string(i) + "@x.test"] = 550;
  EXPECT_EQ(Tick().bounced, 4);
  EXPECT_EQ(store_->GetCampaign(ws_, c)->status, domain::CampaignStatus::kRunning);
}

TEST_F(EngineTest, LeadUnsubscribedAfterItsClaimIsNotSent) {
  AddMailbox(1000);
  std::string c = StartCampaign({{0, "a", "<p>a</p>"}}, 2);
  auto claims = store_->ClaimDueSends(ws_, c, clock_.NowMillis(), 10,
                                      [&] { return ids_.Next(id_prefix::kMessage); });
  ASSERT_EQ(claims->size(), 2u);
  ASSERT_TRUE(store_->UnsubscribeLead(ws_, (*claims)[0].lead.id, clock_.NowMillis()).ok());
  EXPECT_FALSE(MarkSending(*store_, (*claims)[0], clock_.NowMillis()));
  EXPECT_TRUE(MarkSending(*store_, (*claims)[1], clock_.NowMillis()));
}

TEST_F(EngineTest, PacedMailboxesTakeTurnsForNewLeads) {
  AddMailbox(100);
  AddMailbox(10);
  SetDelivery([](domain::DeliverySettings& s) { s.min_gap_seconds = 600; });
  StartCampaign({{0, "a", "<p>a</p>"}}, 4);
  // The bigger mailbox sends first; the second lead goes to the idle one
  // instead of waiting ten minutes behind it.
  EXPECT_EQ(Tick().delivered, 2);
  clock_.Advance(60'000);
  EXPECT_EQ(Tick().claimed, 0);
}

TEST_F(EngineTest, ShorterGapAppliesAtOnce) {
  AddMailbox(1000);
  SetDelivery([](domain::DeliverySettings& s) { s.min_gap_seconds = 86400; });
  StartCampaign({{0, "a", "<p>a</p>"}}, 2);
  EXPECT_EQ(Tick().delivered, 1);
  SetDelivery([](domain::DeliverySettings& s) { s.min_gap_seconds = 60; });
  EXPECT_EQ(Tick().claimed, 0);
  clock_.Advance(60'000);
  EXPECT_EQ(Tick().delivered, 1);
}

TEST_F(EngineTest, BounceRateIsMeasuredFromTheLatestStart) {
  AddMailbox(1000);
  for (int i = 0; i < 2; ++i) smtp_.replies["lead" + std::to_string(i) + "@x.test"] = 550;
  std::string c = StartCampaign({{0, "a", "<p>a</p>"}}, 2);
  SetBounceProtection(c, {true, 0.5, 2});
  Tick();
  ASSERT_EQ(store_->GetCampaign(ws_, c)->status, domain::CampaignStatus::kPaused);
  // 2 of 2 bounced. Resumed, the earlier bounces no longer count: one
  // bounce in one send is under minSends (counting all, 3 of 3 would pause).
  ASSERT_TRUE(SetStatus(c, true).ok());
  std::vector<store::LeadUpsert> rows(1);
  rows[0].new_id = ids_.Next(id_prefix::kLead);
  rows[0].email = rows[0].email_normalized = "bad@x.test";
  smtp_.replies["bad@x.test"] = 550;
  ASSERT_TRUE(store_->UpsertAndEnroll(ws_, c, rows, {}, clock_.NowMillis()).ok());
  Tick();
  EXPECT_EQ(store_->GetCampaign(ws_, c)->status, domain::CampaignStatus::kRunning);
}

}  // namespace
}  // namespace leadterra::delivery
