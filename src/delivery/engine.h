// The sending engine. Each tick it claims due enrollments of running
// campaigns in batches -- the next batch is claimed while one goes out --
// and sends them over one reused SMTP connection per mailbox, several
// mailboxes in parallel. Before a message goes on the wire its row is
// committed as `sending`, together with the previous message's outcome --
// delivered, bounced (5xx, or 4xx after the retry budget) or retry (4xx or
// connection failure, with exponential backoff) -- in one transaction shared
// by the connections (CommitQueue). On start it resolves messages a crash
// left in `sending` as `unknown` rather than sending them again.
//
// Time comes from the injected Clock; RunOnce() does one tick synchronously
// (tests drive it with a fake clock), Start() runs ticks on a background
// thread that sleeps until the next lead is due (at most `max_idle`), and
// Wake() cuts that sleep short. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "delivery/commit_queue.h"
#include "delivery/mailbox_transport.h"
#include "delivery/smtp_client.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/ids.h"
#include "util/secret_box.h"

namespace leadterra::domain {
class CompiledSequence;
}

namespace leadterra::delivery {

struct EngineOptions {
  int64_t day_millis = 86400LL * 1000;  // one delayDays day
  int batch_size = 200;                 // claims per transaction
  int max_connections = 8;              // SMTP connections (mailboxes) in parallel
  int max_attempts = 5;                 // tries per message before it counts as bounced
  int64_t retry_base_millis = 60'000;   // first retry delay; doubles per attempt
  int64_t max_idle_millis = 1'000;      // longest sleep between ticks
  // How often the loop resolves claims whose lease ran out (a crashed
  // process's, on a database shared by nodes).
  int64_t recover_interval_millis = 10'000;
  // How often a background thread renews this process's leases (well under
  // the store's lease length); 0: never.
  int64_t lease_renew_interval_millis = 0;
  // Base of the one-click unsubscribe links (List-Unsubscribe), e.g.
  // "https://mail.example.com"; --public-url.
  std::string public_url = "http://127.0.0.1:8080";
};

struct TickReport {
  int claimed = 0;
  int delivered = 0;
  int bounced = 0;
  int retried = 0;
};

class DeliveryEngine {
 public:
  DeliveryEngine(store::Store& store, const Clock& clock, IdGenerator& ids,
                 const SecretBox& secrets, SmtpConnector& connector, EngineOptions options);
  ~DeliveryEngine();

  // Resolves messages interrupted by a crash: those whose lease ran out (the
  // loop calls it at start and every recover_interval_millis).
  Result<int64_t> Recover();
  // Sends everything due now; returns what happened.
  Result<TickReport> RunOnce();

  // Renews the leases of the claims the engine is working on now (the
  // heartbeat thread calls it every lease_renew_interval_millis).
  Status RenewHeldLeases();
  // How many claims the engine is working on now (none between ticks).
  size_t HeldCount();

  void Start();
  // Stops claiming, lets in-flight sends finish and record, joins the thread.
  void Stop();
  void Wake();

 private:
  struct MailboxSession;
  struct Job;
  Result<TickReport> RunCampaign(const domain::Campaign& campaign);
  // Claims the campaign's next batch (choosing A/B winners first when
  // `undecided`) and holds it.
  Result<std::vector<store::SendClaim>> ClaimBatch(const domain::Campaign& campaign,
                                                   bool undecided);
  // Sends `jobs` (one per mailbox), max_connections mailboxes at a time.
  void SendBatch(std::map<std::string, Job>& jobs, const domain::Campaign& campaign);
  void SendJob(Job& job, const domain::Campaign& campaign);
  // Records `job.outcomes` and marks `next` as sending in one transaction
  // (shared with the other connections' through commits_); runs `meanwhile`
  // (when set) while the transaction is gathered and committed. Whether
  // `next` may be sent.
  bool Commit(Job& job, const store::SendClaim* next,
              const std::function<void()>& meanwhile = nullptr);
  struct Composed {
    std::string data;  // the message as sent (signed when `dkim` is set)
    std::string subject;
  };
  // The message of `claim`, rendered, built and signed.
  Composed Compose(const MailboxSession& session, const store::SendClaim& claim,
                   const domain::Campaign& campaign, const domain::CompiledSequence& sequence,
                   const std::optional<DkimSigner>& dkim, int64_t now) const;
  std::unique_ptr<MailboxSession> TakeSession(const domain::Mailbox& mailbox, Status* error);
  void ReturnSession(std::unique_ptr<MailboxSession> session);
  // Turns an SMTP reply into an outcome: delivered (with the next step's due
  // time), bounced (5xx or retry budget spent) or retry (with backoff).
  store::SendOutcome Classify(const store::SendClaim& claim, const SmtpReply& reply,
                              const domain::Campaign& campaign, std::string subject,
                              int64_t now) const;
  void Loop();
  // Whether Stop was called.
  bool Stopping();
  void RenewLoop();
  void Hold(const std::vector<store::SendClaim>& claims);
  void Release(const std::vector<store::SendClaim>& claims);

  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
  const SecretBox& secrets_;
  SmtpConnector& connector_;
  const EngineOptions options_;
  CommitQueue commits_;
  SignerCache signers_;

  std::mutex sessions_mu_;
  std::map<std::string, std::unique_ptr<MailboxSession>> idle_sessions_;  // by mailbox id

  // Claims of the batch in flight: the heartbeat renews their leases.
  std::mutex held_mu_;
  std::map<std::string, store::HeldMessage> held_;  // by message row id

  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
  std::thread renew_thread_;
};

}  // namespace leadterra::delivery
