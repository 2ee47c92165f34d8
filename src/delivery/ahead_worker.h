// One helper thread that runs a task ahead of need: Start hands a task over
// and returns at once (the caller goes on, e.g. waits for the network), Take
// returns the task's result, waiting for it if it is not done yet. The
// delivery engine signs a connection's next message with it while the
// current one is on the wire.
//
// The helper runs at the lowest scheduling priority (SCHED_IDLE): it uses
// CPU time that nothing else wants, and never delays the threads a send
// waits on (SMTP exchanges, the group commit). Work it has not done by the
// time Take is called runs then, as the caller's thread idles.
//
// One owner thread calls Start and Take, alternately (Start, Take, Start,
// ...). Destruction waits for a task still running.
#pragma once

#include <pthread.h>
#include <sched.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace leadterra::delivery {

template <typename T>
class AheadWorker {
 public:
  AheadWorker() : thread_([this] { Run(); }) {}
  ~AheadWorker() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  AheadWorker(const AheadWorker&) = delete;
  AheadWorker& operator=(const AheadWorker&) = delete;

  void Start(std::function<T()> task) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      task_ = std::move(task);
    }
    cv_.notify_all();
  }

  T Take() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return result_.has_value(); });
    T out = std::move(*result_);
    result_.reset();
    return out;
  }

 private:
  void Run() {
    sched_param idle{};
    pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle);  // best effort
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return stop_ || task_ != nullptr; });
      if (task_ == nullptr) return;  // stopping, nothing left to run
      std::function<T()> task = std::move(task_);
      task_ = nullptr;
      lock.unlock();
      T result = task();
      lock.lock();
      result_ = std::move(result);
      cv_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::function<T()> task_;
  std::optional<T> result_;
  bool stop_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace leadterra::delivery
