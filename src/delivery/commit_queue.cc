#include "delivery/commit_queue.h"

namespace leadterra::delivery {

Result<bool> CommitQueue::Commit(const std::vector<store::SendOutcome>& outcomes,
                                 const store::SendClaim* next) {
  Request request;
  request.outcomes = &outcomes;
  request.next = next;
  std::unique_lock<std::mutex> lock(mu_);
  pending_.push_back(&request);
  arrived_.notify_one();
  while (!request.done) {
    if (committing_) {
      done_.wait(lock);
      continue;
    }
    // No commit running: this thread commits what is waiting (its own
    // request among it) while the others keep queueing for the next group
    // -- once the members still sending have handed theirs over, or the
    // gathering time is up.
    committing_ = true;
    const auto deadline = std::chrono::steady_clock::now() + gather_;
    while (pending_.size() < members_ &&
           arrived_.wait_until(lock, deadline) != std::cv_status::timeout) {
    }
    std::vector<Request*> group;
    group.swap(pending_);
    lock.unlock();
    CommitGroup(group);
    lock.lock();
    committing_ = false;
    done_.notify_all();
  }
  if (!request.status.ok()) return request.status;
  return request.may_send;
}

CommitQueue::Member CommitQueue::Join() {
  std::lock_guard<std::mutex> lock(mu_);
  ++members_;
  return Member(this);
}

CommitQueue::Member::~Member() {
  if (!queue_) return;
  std::lock_guard<std::mutex> lock(queue_->mu_);
  --queue_->members_;
  queue_->arrived_.notify_one();
}

void CommitQueue::CommitGroup(const std::vector<Request*>& group) {
  std::vector<store::SendOutcome> outcomes;
  std::vector<const store::SendClaim*> next;
  for (const Request* r : group) {
    outcomes.insert(outcomes.end(), r->outcomes->begin(), r->outcomes->end());
    if (r->next) next.push_back(r->next);
  }
  auto may_send = store_.CommitProgress(outcomes, next, clock_.NowMillis());
  std::lock_guard<std::mutex> lock(mu_);
  size_t k = 0;
  for (Request* r : group) {
    r->done = true;
    if (!may_send.ok()) {
      r->status = may_send.status();
    } else if (r->next) {
      r->may_send = (*may_send)[k++];
    }
  }
}

}  // namespace leadterra::delivery
