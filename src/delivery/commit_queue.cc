#include "delivery/commit_queue.h"

namespace leadterra::delivery {

struct CommitQueue::Ticket::Request {
  const std::vector<store::SendOutcome>* outcomes = nullptr;
  const store::SendClaim* next = nullptr;
  bool waited = false;
  bool done = false;
  Status status;
  bool may_send = false;
};

CommitQueue::Ticket::Ticket(CommitQueue* queue, std::unique_ptr<Request> request)
    : queue_(queue), request_(std::move(request)) {}

CommitQueue::Ticket::Ticket(Ticket&&) noexcept = default;

CommitQueue::Ticket::~Ticket() {
  if (request_ && !request_->waited) queue_->WaitFor(*request_);
}

CommitQueue::Ticket CommitQueue::Submit(const std::vector<store::SendOutcome>& outcomes,
                                        const store::SendClaim* next) {
  auto request = std::make_unique<Request>();
  request->outcomes = &outcomes;
  request->next = next;
  std::lock_guard<std::mutex> lock(mu_);
  pending_.push_back(request.get());
  arrived_.notify_one();
  return Ticket(this, std::move(request));
}

Result<bool> CommitQueue::Wait(Ticket ticket) {
  Request& request = *ticket.request_;
  WaitFor(request);
  if (!request.status.ok()) return request.status;
  return request.may_send;
}

Result<bool> CommitQueue::Commit(const std::vector<store::SendOutcome>& outcomes,
                                 const store::SendClaim* next) {
  return Wait(Submit(outcomes, next));
}

void CommitQueue::WaitFor(Request& request) {
  request.waited = true;
  std::unique_lock<std::mutex> lock(mu_);
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
