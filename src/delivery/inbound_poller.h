// The inbound worker: polls the INBOX of every active mailbox that has IMAP
// settings, each on its own interval (imap.pollIntervalSeconds), reading only
// UIDs it has not read (the cursor is stored with the mailbox) and leaving
// \Seen as it was. Each new message is parsed (inbound_parser), classified
// (domain/inbound) and handed to the store, which ties it to what we sent and
// applies it. Failures (bad credentials, unreachable server) are recorded on
// the mailbox as "imap: …" with the poll time, and retried next interval.
//
// Up to `max_parallel` mailboxes are polled at once on worker threads, so a
// slow or broken mailbox holds one worker, never the others. RunOnce() polls
// every due mailbox and waits (tests); Start() polls continuously.
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"
#include "util/clock.h"
#include "util/ids.h"
#include "util/secret_box.h"

namespace leadterra::delivery {

struct InboundOptions {
  int max_parallel = 4;
  int max_messages_per_poll = 200;  // fetched per batch; the cursor is saved after each
  int64_t tick_millis = 500;        // how often due mailboxes are looked for
};

class InboundPoller {
 public:
  InboundPoller(store::Store& store, const Clock& clock, IdGenerator& ids, const SecretBox& secrets,
                InboundOptions options);
  ~InboundPoller();

  // Polls one mailbox now; returns how many new messages were read.
  Result<int> PollMailbox(const store::InboundMailbox& mailbox);
  // Polls every due mailbox (one after another); returns how many were due.
  Result<int> RunOnce();

  void Start();
  // Stops looking for due mailboxes, lets running polls finish, joins.
  void Stop();

 private:
  // Parses, classifies and hands one fetched message to the store.
  Status Apply(const domain::Mailbox& mailbox, int64_t uidvalidity, int64_t uid,
               const std::string& raw, int64_t now);
  // Mailboxes whose poll interval has passed.
  Result<std::vector<store::InboundMailbox>> DueMailboxes();
  void Loop();
  void Work();

  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
  const SecretBox& secrets_;
  const InboundOptions options_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::deque<store::InboundMailbox> queue_;
  std::set<std::string> busy_;  // mailbox ids queued or being polled
  std::thread loop_;
  std::vector<std::thread> workers_;
};

}  // namespace leadterra::delivery
