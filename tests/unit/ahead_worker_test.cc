// AheadWorker runs each task on its helper thread and hands back its result.
#include "delivery/ahead_worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace leadterra::delivery {
namespace {

TEST(AheadWorker, RunsEachTaskOnItsThreadAndHandsBackItsResult) {
  AheadWorker<std::string> worker;
  const std::thread::id caller = std::this_thread::get_id();
  for (int i = 0; i < 100; ++i) {
    std::thread::id ran_on;
    worker.Start([&ran_on, i] {
      ran_on = std::this_thread::get_id();
      return "message " + std::to_string(i);
    });
    EXPECT_EQ(worker.Take(), "message " + std::to_string(i));
    EXPECT_NE(ran_on, caller);
  }
}

TEST(AheadWorker, TakeWaitsForATaskStillRunning) {
  AheadWorker<int> worker;
  std::atomic<bool> done{false};
  worker.Start([&done] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    done = true;
    return 7;
  });
  EXPECT_EQ(worker.Take(), 7);
  EXPECT_TRUE(done);
}

TEST(AheadWorker, DestructionWaitsForATaskNotTaken) {
  std::atomic<bool> done{false};
  {
    AheadWorker<int> worker;
    worker.Start([&done] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      done = true;
      return 1;
    });
  }
  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace leadterra::delivery
