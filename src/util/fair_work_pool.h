// A bounded pool of worker threads for CPU-heavy request work (key
// generation, parsing and applying large bodies), shared fairly between keys
// (workspaces).
//
// Contract:
// - TrySubmit(key, task) queues `task` under `key` and returns true, or
//   returns false at once (the task is dropped, never run) when the pool
//   already holds `max_queued` tasks in all or `max_queued_per_key` tasks of
//   that key, queued or running. Callers answer 503 with Retry-After then.
// - Workers take keys in turn (round robin over the keys that have queued
//   tasks; FIFO within one key), so a key with many tasks delays another
//   key's task by at most the running tasks, never by its own backlog. The
//   pool is work-conserving: one key alone may use every worker.
// - Workers run at a lower scheduling priority (`nice`, Linux thread nice
//   value added to the process's) so that the I/O threads that answer light
//   requests win the CPU whenever they need it.
// - A task must not throw (it is caught and logged to stderr if it does).
// - Thread-safe. The destructor stops accepting work, runs every task already
//   queued, and joins the workers.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace leadterra {

struct FairWorkPoolOptions {
  int threads = 2;
  size_t max_queued = 64;          // queued + running, all keys
  size_t max_queued_per_key = 16;  // queued + running, one key
  int nice = 10;                   // added niceness of the worker threads (0 = unchanged)
};

class FairWorkPool {
 public:
  explicit FairWorkPool(FairWorkPoolOptions options);
  ~FairWorkPool();
  FairWorkPool(const FairWorkPool&) = delete;
  FairWorkPool& operator=(const FairWorkPool&) = delete;

  bool TrySubmit(const std::string& key, std::function<void()> task);

  // Tasks queued or running (for tests and metrics).
  size_t InFlight() const;

 private:
  void WorkerLoop();

  struct KeyQueue {
    std::deque<std::function<void()>> tasks;
    size_t in_flight = 0;  // queued + running
  };

  const FairWorkPoolOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<std::string, KeyQueue> keys_;
  std::deque<std::string> ready_;  // keys with queued tasks, in turn order
  size_t in_flight_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace leadterra
