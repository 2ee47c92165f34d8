#include "util/fair_work_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

namespace leadterra {
namespace {

// A latch the test opens to let blocked tasks finish.
class Gate {
 public:
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    ++waiting_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
  }
  void AwaitWaiters(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return waiting_ >= n; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int waiting_ = 0;
  bool open_ = false;
};

TEST(FairWorkPool, KeysTakeTurnsSoABacklogDelaysOthersByOneTask) {
  Gate gate;
  std::mutex mu;
  std::vector<std::string> order;
  {
    FairWorkPool pool({/*threads=*/1, /*max_queued=*/64, /*max_queued_per_key=*/16, /*nice=*/0});
    auto record = [&](std::string name) {
      return [&, name] {
        std::lock_guard<std::mutex> lock(mu);
        order.push_back(name);
      };
    };
    ASSERT_TRUE(pool.TrySubmit("noisy", [&] {
      gate.Wait();
      record("noisy0")();
    }));
    gate.AwaitWaiters(1);
    for (int i = 1; i <= 4; ++i)
      ASSERT_TRUE(pool.TrySubmit("noisy", record("noisy" + std::to_string(i))));
    ASSERT_TRUE(pool.TrySubmit("quiet", record("quiet1")));
    gate.Open();
  }  // the destructor runs everything queued
  const std::vector<std::string> expected = {"noisy0", "noisy1", "quiet1",
                                             "noisy2", "noisy3", "noisy4"};
  EXPECT_EQ(order, expected);
}

TEST(FairWorkPool, RefusesBeyondTheKeyShareAndTheTotal) {
  Gate gate;
  FairWorkPool pool({/*threads=*/2, /*max_queued=*/5, /*max_queued_per_key=*/3, /*nice=*/0});
  auto blocked = [&] { gate.Wait(); };
  EXPECT_TRUE(pool.TrySubmit("a", blocked));
  EXPECT_TRUE(pool.TrySubmit("a", blocked));
  EXPECT_TRUE(pool.TrySubmit("a", blocked));
  EXPECT_FALSE(pool.TrySubmit("a", blocked));  // a's share (queued + running) is full
  EXPECT_TRUE(pool.TrySubmit("b", blocked));
  EXPECT_TRUE(pool.TrySubmit("b", blocked));
  EXPECT_FALSE(pool.TrySubmit("c", blocked));  // the pool is full
  EXPECT_EQ(pool.InFlight(), 5u);
  gate.AwaitWaiters(2);
  gate.Open();
}

TEST(FairWorkPool, SharesFreeUpWhenTasksFinish) {
  FairWorkPool pool({/*threads=*/1, /*max_queued=*/2, /*max_queued_per_key=*/1, /*nice=*/0});
  std::atomic<int> ran{0};
  for (int i = 0; i < 50; ++i) {
    while (!pool.TrySubmit("a", [&] { ++ran; })) std::this_thread::yield();
  }
  while (pool.InFlight() > 0) std::this_thread::yield();
  EXPECT_EQ(ran.load(), 50);
}

TEST(FairWorkPool, ATaskThatThrowsDoesNotStopTheWorker) {
  std::atomic<int> ran{0};
  {
    FairWorkPool pool({1, 8, 8, 0});
    ASSERT_TRUE(pool.TrySubmit("a", [] { throw std::runtime_error("boom"); }));
    ASSERT_TRUE(pool.TrySubmit("a", [&] { ++ran; }));
  }
  EXPECT_EQ(ran.load(), 1);
}

}  // namespace
}  // namespace leadterra
