#include "util/fair_work_pool.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>

namespace leadterra {
namespace {

// Lowers the calling thread's priority. On Linux each thread has its own nice
// value; elsewhere this may affect the process or do nothing, which is safe.
void LowerThreadPriority(int nice) {
  if (nice <= 0) return;
#ifdef SYS_gettid
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  errno = 0;
  const int current = ::getpriority(PRIO_PROCESS, tid);
  if (errno == 0) ::setpriority(PRIO_PROCESS, tid, current + nice);
#endif
}

}  // namespace

FairWorkPool::FairWorkPool(FairWorkPoolOptions options) : options_(options) {
  const int threads = options_.threads < 1 ? 1 : options_.threads;
  workers_.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

FairWorkPool::~FairWorkPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& worker : workers_) worker.join();
}

bool FairWorkPool::TrySubmit(const std::string& key, std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || in_flight_ >= options_.max_queued) return false;
    KeyQueue& queue = keys_[key];
    if (queue.in_flight >= options_.max_queued_per_key) {
      if (queue.in_flight == 0) keys_.erase(key);
      return false;
    }
    if (queue.tasks.empty()) ready_.push_back(key);
    queue.tasks.push_back(std::move(task));
    ++queue.in_flight;
    ++in_flight_;
  }
  cv_.notify_one();
  return true;
}

size_t FairWorkPool::InFlight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_flight_;
}

void FairWorkPool::WorkerLoop() {
  LowerThreadPriority(options_.nice);
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
    if (ready_.empty()) return;  // stopping, nothing left
    std::string key = std::move(ready_.front());
    ready_.pop_front();
    KeyQueue& queue = keys_[key];
    std::function<void()> task = std::move(queue.tasks.front());
    queue.tasks.pop_front();
    // The key goes to the back of the turn order if it has more to do.
    if (!queue.tasks.empty()) ready_.push_back(key);
    lock.unlock();
    try {
      task();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "fair work pool: task threw: %s\n", e.what());
    } catch (...) {
      std::fprintf(stderr, "fair work pool: task threw\n");
    }
    task = nullptr;  // release captures outside the lock
    lock.lock();
    --in_flight_;
    auto it = keys_.find(key);
    if (it != keys_.end() && --it->second.in_flight == 0) keys_.erase(it);
  }
}

}  // namespace leadterra
