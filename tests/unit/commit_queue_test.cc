// CommitQueue's group commit against a real store: the members still
// sending are waited for, so one commit carries every connection's request;
// a request handed over early is committed while its thread is busy; a
// member that leaves is not waited for.
#include "delivery/commit_queue.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "temp_store.h"
#include "util/clock.h"

namespace leadterra::delivery {
namespace {

// The real store, with the size of every group it commits noted.
class CountingStore final : public store::DeliveryStore {
 public:
  explicit CountingStore(store::DeliveryStore& real) : real_(real) {}

  std::vector<size_t> Groups() {
    std::lock_guard<std::mutex> lock(mu_);
    return groups_;
  }

  Result<std::vector<domain::Campaign>> ListRunningCampaigns() override {
    return real_.ListRunningCampaigns();
  }
  Result<std::vector<store::SendClaim>> ClaimDueSends(
      const std::string& workspace_id, const std::string& campaign_id, int64_t now, int limit,
      const std::function<std::string()>& new_id) override {
    return real_.ClaimDueSends(workspace_id, campaign_id, now, limit, new_id);
  }
  Result<std::vector<bool>> CommitProgress(const std::vector<store::SendOutcome>& outcomes,
                                           const std::vector<const store::SendClaim*>& next,
                                           int64_t now) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      groups_.push_back(outcomes.size());
    }
    return real_.CommitProgress(outcomes, next, now);
  }
  Result<std::vector<int>> SelectWinners(const std::string& workspace_id,
                                         const std::string& campaign_id, int64_t now) override {
    return real_.SelectWinners(workspace_id, campaign_id, now);
  }
  Result<int64_t> ResolveInterrupted(int64_t now) override { return real_.ResolveInterrupted(now); }
  Status RenewLeases(const std::vector<store::HeldMessage>& held, int64_t now) override {
    return real_.RenewLeases(held, now);
  }
  Result<std::optional<int64_t>> NextDueTime() override { return real_.NextDueTime(); }

 private:
  store::DeliveryStore& real_;
  std::mutex mu_;
  std::vector<size_t> groups_;  // outcomes per commit
};

// An outcome whose message does not exist: the commit changes nothing, but
// the group's size shows in its outcomes.
std::vector<store::SendOutcome> OneOutcome(const std::string& id) {
  store::SendOutcome o;
  o.workspace_id = "ws_none";
  o.message_row_id = id;
  return {o};
}

class CommitQueueTest : public ::testing::Test {
 protected:
  FakeClock clock_{1'000'000};
  leadterra::testing::TempStore store_;
  CountingStore counting_{*store_};
};

TEST_F(CommitQueueTest, WaitsForTheMembersStillSending) {
  // Gathering never times out here: only the second request ends it.
  CommitQueue queue(counting_, clock_, std::chrono::hours(1));
  auto first = queue.Join();
  auto second = queue.Join();
  const auto a = OneOutcome("msg_a"), b = OneOutcome("msg_b");
  auto committed = std::async(std::launch::async, [&] { return queue.Commit(a, nullptr); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the second is still "sending"
  auto mine = queue.Commit(b, nullptr);
  ASSERT_TRUE(mine.ok()) << mine.status().message();
  ASSERT_TRUE(committed.get().ok());
  EXPECT_EQ(counting_.Groups(), std::vector<size_t>{2});
}

TEST_F(CommitQueueTest, ARequestHandedOverEarlyJoinsAGroupBeforeItsThreadWaits) {
  CommitQueue queue(counting_, clock_, std::chrono::hours(1));
  auto first = queue.Join();
  auto second = queue.Join();
  const auto a = OneOutcome("msg_a"), b = OneOutcome("msg_b");
  // The first hands its request over, then prepares its next message; the
  // second's commit takes both without waiting for the first to come back.
  CommitQueue::Ticket ticket = queue.Submit(a, nullptr);
  auto committed = std::async(std::launch::async, [&] { return queue.Commit(b, nullptr); });
  ASSERT_TRUE(committed.get().ok());
  EXPECT_EQ(counting_.Groups(), std::vector<size_t>{2});
  auto mine = queue.Wait(std::move(ticket));
  ASSERT_TRUE(mine.ok()) << mine.status().message();
  EXPECT_EQ(counting_.Groups(), std::vector<size_t>{2});
}

TEST_F(CommitQueueTest, DoesNotWaitForAMemberThatLeft) {
  CommitQueue queue(counting_, clock_, std::chrono::hours(1));
  auto first = queue.Join();
  std::future<Result<bool>> committed;
  {
    auto second = queue.Join();
    const auto a = OneOutcome("msg_a");
    committed = std::async(std::launch::async, [&queue, a] { return queue.Commit(a, nullptr); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }  // the second leaves without a request: the first commits alone
  ASSERT_TRUE(committed.get().ok());
  EXPECT_EQ(counting_.Groups(), std::vector<size_t>{1});
}

}  // namespace
}  // namespace leadterra::delivery
