// Group commit for the delivery engine's connections. Each mailbox thread
// hands over the outcomes it has not recorded yet and the claim it wants to
// send next, and waits; one waiting thread at a time commits everything
// handed over so far in a single DeliveryStore::CommitProgress transaction
// (outcomes first, then the `sending` marks), so the connections sending at
// once share one commit instead of one each. Nothing is sent before its mark
// is committed, so a crash still leaves at most the messages on the wire in
// doubt -- one per connection.
//
// The threads that commit through the queue while they send are its
// members (Join). Before it commits, a group waits -- up to `gather` -- for
// the members still busy to hand over theirs too, so a commit carries every
// connection's message instead of the half that happened to be waiting.
//
// Thread-safe. A failed transaction fails every request of its group (each
// caller gets the status); nothing of it was written.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "store/store.h"
#include "util/clock.h"
#include "util/status.h"

namespace leadterra::delivery {

class CommitQueue {
 public:
  CommitQueue(store::DeliveryStore& store, const Clock& clock,
              std::chrono::microseconds gather = std::chrono::microseconds(2000))
      : store_(store), clock_(clock), gather_(gather) {}

  // Membership of one thread, from Join until destroyed.
  class Member {
   public:
    explicit Member(CommitQueue* queue) : queue_(queue) {}
    Member(Member&& other) noexcept : queue_(other.queue_) { other.queue_ = nullptr; }
    Member(const Member&) = delete;
    ~Member();

   private:
    CommitQueue* queue_;
  };
  Member Join();

  // A request handed over (Submit) and not yet waited for. Destroying one
  // that was not waited for waits for it (the queue refers to it until then).
  class Ticket {
   public:
    Ticket(Ticket&&) noexcept;
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket();

   private:
    friend class CommitQueue;
    struct Request;
    Ticket(CommitQueue* queue, std::unique_ptr<Request> request);
    CommitQueue* queue_;
    std::unique_ptr<Request> request_;
  };

  // Hands over `outcomes` and the `sending` mark of `next` (when set) for the
  // next group, without waiting: the caller may prepare its next message
  // meanwhile. `outcomes` and `*next` must stay unchanged until Wait.
  Ticket Submit(const std::vector<store::SendOutcome>& outcomes, const store::SendClaim* next);
  // Blocks until the ticket's request is committed (committing a group
  // itself when no other thread is); returns whether `next` may be sent
  // (false when none).
  Result<bool> Wait(Ticket ticket);
  // Submit, then Wait.
  Result<bool> Commit(const std::vector<store::SendOutcome>& outcomes,
                      const store::SendClaim* next);

 private:
  using Request = Ticket::Request;
  // Waits for `request` (as Wait), leaving its result in it.
  void WaitFor(Request& request);
  // Commits `group` in one transaction; fills in each request's result
  // (under mu_).
  void CommitGroup(const std::vector<Request*>& group);

  store::DeliveryStore& store_;
  const Clock& clock_;
  const std::chrono::microseconds gather_;
  std::mutex mu_;
  std::condition_variable done_;
  std::condition_variable arrived_;  // a request came, or a member left
  std::vector<Request*> pending_;
  size_t members_ = 0;
  bool committing_ = false;
};

}  // namespace leadterra::delivery
