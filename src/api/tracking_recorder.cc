#include "api/tracking_recorder.h"

#include <spdlog/spdlog.h>

#include <map>
#include <vector>

#include "util/metrics.h"

namespace leadterra::api {
namespace {

constexpr size_t kBatch = 500;

}  // namespace

TrackingRecorder::TrackingRecorder(store::TrackingStore& store, domain::TrackingRules rules,
                                   size_t capacity)
    : store_(store), rules_(rules), capacity_(capacity) {}

TrackingRecorder::~TrackingRecorder() { Stop(); }

void TrackingRecorder::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (worker_.joinable() || stopping_) return;
  worker_ = std::thread([this] { Loop(); });
}

void TrackingRecorder::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  // Never started (or stopped mid-way): write what is left here.
  std::deque<domain::TrackingHit> rest;
  {
    std::lock_guard<std::mutex> lock(mu_);
    rest.swap(queue_);
  }
  while (!rest.empty()) Write(rest);
  idle_.notify_all();
}

bool TrackingRecorder::Enqueue(domain::TrackingHit hit) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() >= capacity_) {
      metrics::CountTrackingHit("dropped");
      return false;
    }
    queue_.push_back(std::move(hit));
  }
  wake_.notify_one();
  return true;
}

void TrackingRecorder::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return queue_.empty() && !writing_; });
}

void TrackingRecorder::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) break;
    std::deque<domain::TrackingHit> batch;
    while (!queue_.empty() && batch.size() < kBatch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    writing_ = true;
    lock.unlock();
    Write(batch);
    lock.lock();
    writing_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
}

void TrackingRecorder::Write(std::deque<domain::TrackingHit>& batch) {
  // One transaction per workspace: writers of a workspace take turns.
  std::map<std::string, std::vector<domain::TrackingHit>> by_workspace;
  while (!batch.empty() && by_workspace.size() < kBatch) {
    by_workspace[batch.front().target.workspace_id].push_back(std::move(batch.front()));
    batch.pop_front();
  }
  for (auto& [workspace_id, hits] : by_workspace) {
    Status status = store_.RecordTrackingHits(hits, rules_);
    if (!status.ok()) {
      // Transient conflicts are retried by the store; what still fails is
      // logged and dropped rather than blocking every later hit.
      spdlog::error("tracking: recording {} hit(s) of workspace {} failed: {}", hits.size(),
                    workspace_id, status.message());
      metrics::CountTrackingHit("failed");
      continue;
    }
    for (const auto& hit : hits) {
      metrics::CountTrackingHit(hit.target.kind == domain::TrackingKind::kOpen ? "open" : "click");
    }
  }
}

}  // namespace leadterra::api
