#include "delivery/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <future>

#include "delivery/ahead_worker.h"
#include "delivery/commit_queue.h"
#include "delivery/dkim_signer.h"
#include "delivery/html_to_text.h"
#include "delivery/lead_fields.h"
#include "delivery/link_rewriter.h"
#include "delivery/mailbox_transport.h"
#include "delivery/mime_builder.h"
#include "domain/lead.h"
#include "domain/sequence.h"
#include "domain/tracking.h"
#include "domain/unsubscribe.h"
#include "util/crypto.h"
#include "util/metrics.h"

namespace leadterra::delivery {

namespace {

// Opt-in tracking (SPEC §13): links of the HTML part rewritten to
// /t/c/<token>, a pixel at /t/o/<token>; the text part keeps the original
// URLs (it is made from the HTML as written).
void AddTrackingTo(const domain::TrackingSettings& tracking, const store::SendClaim& claim,
                   const SecretBox& secrets, const std::string& public_url,
                   OutgoingMessage& message) {
  message.body_text = HtmlToText(message.body_html);
  domain::TrackingTarget target;
  target.workspace_id = claim.workspace_id;
  target.message_id = claim.message_row_id;
  if (tracking.clicks) {
    message.body_html =
        RewriteLinks(message.body_html, public_url, [&](int index, const std::string& url) {
          domain::TrackingTarget link = target;
          link.kind = domain::TrackingKind::kClick;
          link.link_index = index;
          link.url = url;
          return domain::TrackingUrl(public_url, secrets, link);
        });
  }
  if (tracking.opens) {
    target.kind = domain::TrackingKind::kOpen;
    message.body_html =
        AddOpenPixel(message.body_html, domain::TrackingUrl(public_url, secrets, target));
  }
}

std::string FullName(const domain::Lead& lead) {
  std::string name = lead.first_name.value_or("");
  if (lead.last_name && !lead.last_name->empty()) {
    name += (name.empty() ? "" : " ") + *lead.last_name;
  }
  return domain::SanitizeHeaderText(name);
}

}  // namespace

// One open SMTP connection of one mailbox, plus what it needs to send.
struct DeliveryEngine::MailboxSession {
  domain::Mailbox mailbox;
  std::unique_ptr<SmtpSession> smtp;
};

// The claims of one batch that go out through one mailbox.
struct DeliveryEngine::Job {
  std::string workspace_id;
  std::string mailbox_id;
  std::vector<store::SendClaim> claims;
  std::vector<store::SendOutcome> outcomes;  // not yet committed
  TickReport report;
  Status error;

  void Count(const store::SendOutcome& o) {
    switch (o.kind) {
      case store::SendOutcome::Kind::kDelivered:
        ++report.delivered;
        break;
      case store::SendOutcome::Kind::kBounced:
        ++report.bounced;
        break;
      case store::SendOutcome::Kind::kRetry:
        ++report.retried;
        break;
    }
  }
};

DeliveryEngine::DeliveryEngine(store::Store& store, const Clock& clock, IdGenerator& ids,
                               const SecretBox& secrets, SmtpConnector& connector,
                               EngineOptions options)
    : store_(store),
      clock_(clock),
      ids_(ids),
      secrets_(secrets),
      connector_(connector),
      options_(options),
      commits_(store, clock) {}

DeliveryEngine::~DeliveryEngine() { Stop(); }

Result<int64_t> DeliveryEngine::Recover() {
  LT_ASSIGN_OR_RETURN(int64_t resolved, store_.ResolveInterrupted(clock_.NowMillis()));
  if (resolved > 0) {
    spdlog::warn(
        "delivery: {} message(s) were mid-send when their sender stopped; marked unknown "
        "and not resent",
        resolved);
  }
  return resolved;
}

Result<TickReport> DeliveryEngine::RunOnce() {
  LT_ASSIGN_OR_RETURN(std::vector<domain::Campaign> campaigns, store_.ListRunningCampaigns());
  TickReport total;
  for (const domain::Campaign& campaign : campaigns) {
    if (campaign.steps.empty()) continue;
    auto report = RunCampaign(campaign);
    if (!report.ok()) {
      spdlog::error("delivery: campaign {} tick failed: {}", campaign.id,
                    report.status().message());
      continue;
    }
    total.claimed += report->claimed;
    total.delivered += report->delivered;
    total.bounced += report->bounced;
    total.retried += report->retried;
  }
  return total;
}

Result<std::vector<store::SendClaim>> DeliveryEngine::ClaimBatch(const domain::Campaign& campaign,
                                                                 bool undecided) {
  const int64_t now = clock_.NowMillis();
  if (undecided) {
    LT_ASSIGN_OR_RETURN(std::vector<int> decided,
                        store_.SelectWinners(campaign.workspace_id, campaign.id, now));
    for (int step_number : decided) {
      spdlog::info("delivery: campaign {} step {}: A/B winner chosen", campaign.id, step_number);
    }
  }
  LT_ASSIGN_OR_RETURN(
      std::vector<store::SendClaim> claims,
      store_.ClaimDueSends(campaign.workspace_id, campaign.id, now, options_.batch_size,
                           [this] { return ids_.Next(id_prefix::kMessage); }));
  Hold(claims);
  return claims;
}

void DeliveryEngine::SendBatch(std::map<std::string, Job>& jobs, const domain::Campaign& campaign) {
  // One task per mailbox, at most max_connections at once.
  std::vector<Job*> pending;
  for (auto& [id, job] : jobs) pending.push_back(&job);
  for (size_t start = 0; start < pending.size();
       start += static_cast<size_t>(options_.max_connections)) {
    std::vector<std::future<void>> running;
    size_t end = std::min(pending.size(), start + static_cast<size_t>(options_.max_connections));
    for (size_t i = start; i < end; ++i) {
      running.push_back(std::async(
          std::launch::async, [this, job = pending[i], &campaign] { SendJob(*job, campaign); }));
    }
    for (auto& f : running) f.get();
  }
}

Result<TickReport> DeliveryEngine::RunCampaign(const domain::Campaign& campaign) {
  TickReport report;
  // Whether an A/B winner may still be chosen (SPEC §11): then the rule is
  // checked before every batch, on the outcomes of every batch before it.
  bool undecided = false;
  if (campaign.ab_test.auto_select_winner) {
    for (const domain::Step& step : campaign.steps) {
      undecided = undecided || (!step.variants.empty() && step.winner_variant_id.empty());
    }
  }
  if (Stopping()) return report;
  LT_ASSIGN_OR_RETURN(std::vector<store::SendClaim> claims, ClaimBatch(campaign, undecided));
  while (!claims.empty()) {
    const bool full = static_cast<int>(claims.size()) >= options_.batch_size;
    report.claimed += static_cast<int>(claims.size());
    std::map<std::string, Job> jobs;
    for (auto& claim : claims) {
      Job& job = jobs[claim.mailbox_id];
      job.workspace_id = claim.workspace_id;
      job.mailbox_id = claim.mailbox_id;
      job.claims.push_back(std::move(claim));
    }
    // While this batch goes out, the next one is claimed, so the mailboxes
    // do not wait for a claim between batches. (Not while an A/B winner may
    // still be chosen: that choice waits for this batch's outcomes.)
    auto sending =
        std::async(std::launch::async, [this, &jobs, &campaign] { SendBatch(jobs, campaign); });
    Result<std::vector<store::SendClaim>> next = std::vector<store::SendClaim>{};
    if (full && !undecided && !Stopping()) next = ClaimBatch(campaign, false);
    sending.get();
    // Finished or failed, the batch is no longer worked on: what a failure
    // left claimed is taken back once its lease runs out. (The claims moved
    // into the jobs.)
    for (auto& [id, job] : jobs) Release(job.claims);
    Status error = next.status();
    for (auto& [id, job] : jobs) {
      if (error.ok()) error = job.error;
      report.delivered += job.report.delivered;
      report.bounced += job.report.bounced;
      report.retried += job.report.retried;
    }
    if (next.ok() && (!error.ok() || Stopping())) {
      // Claimed ahead but not to be sent now: the next start (or the lease
      // running out) puts them back in the queue.
      Release(*next);
      next = std::vector<store::SendClaim>{};
    }
    if (!error.ok()) return error;
    if (full && undecided && !Stopping()) next = ClaimBatch(campaign, true);
    if (!next.ok()) return next.status();
    claims = std::move(*next);
  }
  return report;
}

std::unique_ptr<DeliveryEngine::MailboxSession> DeliveryEngine::TakeSession(
    const domain::Mailbox& mailbox, Status* error) {
  {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    auto it = idle_sessions_.find(mailbox.id);
    if (it != idle_sessions_.end() && it->second->mailbox.updated_at == mailbox.updated_at) {
      auto session = std::move(it->second);
      idle_sessions_.erase(it);
      return session;
    }
  }
  auto server = SmtpServerOf(mailbox, secrets_);
  if (!server.ok()) {
    *error = server.status();
    return nullptr;
  }
  auto session = std::make_unique<MailboxSession>();
  session->mailbox = mailbox;
  session->smtp = connector_.Open(*server);
  return session;
}

void DeliveryEngine::ReturnSession(std::unique_ptr<MailboxSession> session) {
  std::lock_guard<std::mutex> lock(sessions_mu_);
  idle_sessions_[session->mailbox.id] = std::move(session);
}

store::SendOutcome DeliveryEngine::Classify(const store::SendClaim& claim, const SmtpReply& reply,
                                            const domain::Campaign& campaign, std::string subject,
                                            int64_t now) const {
  store::SendOutcome o;
  o.workspace_id = claim.workspace_id;
  o.campaign_id = claim.campaign_id;
  o.lead_id = claim.lead.id;
  o.lead_email = claim.lead.email;
  o.message_row_id = claim.message_row_id;
  o.step_index = claim.step_index;
  o.mailbox_id = claim.mailbox_id;
  o.variant_id = claim.variant_id;
  o.subject = std::move(subject);
  o.smtp_code = reply.code;
  o.smtp_reply = reply.text;
  if (reply.Accepted()) {
    o.kind = store::SendOutcome::Kind::kDelivered;
    const size_t next = static_cast<size_t>(claim.step_index) + 1;
    if (next < campaign.steps.size()) {
      o.next_send_at =
          now + domain::DelayMillis(campaign.steps[next].delay_days, options_.day_millis);
    }
  } else if (reply.Permanent() || claim.attempt >= options_.max_attempts) {
    o.kind = store::SendOutcome::Kind::kBounced;
  } else {
    o.kind = store::SendOutcome::Kind::kRetry;
    int64_t delay = options_.retry_base_millis << std::min(claim.attempt - 1, 20);
    uint8_t jitter = 0;
    FillRandom(&jitter, 1);
    o.retry_at = now + delay + delay * jitter / 2550;  // up to +10%
  }
  return o;
}

bool DeliveryEngine::Commit(Job& job, const store::SendClaim* next,
                            const std::function<void()>& meanwhile) {
  if (!job.error.ok()) return false;
  CommitQueue::Ticket ticket = commits_.Submit(job.outcomes, next);
  if (meanwhile) meanwhile();
  auto may_send = commits_.Wait(std::move(ticket));
  if (!may_send.ok()) {
    job.error = may_send.status();
    return false;
  }
  for (const auto& o : job.outcomes) {
    job.Count(o);
    metrics::CountMessage(o.kind == store::SendOutcome::Kind::kDelivered ? "delivered"
                          : o.kind == store::SendOutcome::Kind::kBounced ? "bounced"
                                                                         : "deferred");
  }
  job.outcomes.clear();
  return *may_send;
}

DeliveryEngine::Composed DeliveryEngine::Compose(const MailboxSession& session,
                                                 const store::SendClaim& claim,
                                                 const domain::Campaign& campaign,
                                                 const domain::CompiledSequence& sequence,
                                                 const std::optional<DkimSigner>& dkim,
                                                 int64_t now) const {
  LeadFields fields(claim.lead);
  std::vector<std::string> variants = claim.earlier_variants;
  variants.resize(static_cast<size_t>(claim.step_index) + 1);
  variants[static_cast<size_t>(claim.step_index)] = claim.variant_id;
  domain::RenderedStep rendered = sequence.Render(claim.step_index, variants, fields.Lookup());
  OutgoingMessage message;
  message.from_name = session.mailbox.from_name;
  message.from_email = session.mailbox.email;
  message.to_name = FullName(claim.lead);
  message.to_email = claim.lead.email;
  message.subject = std::move(rendered.subject);
  message.body_html = std::move(rendered.body_html);
  if (campaign.tracking.any()) {
    AddTrackingTo(campaign.tracking, claim, secrets_, options_.public_url, message);
  }
  message.message_id = claim.message_id_header;
  message.references = claim.thread;
  message.date_millis = now;
  const std::string token = domain::UnsubscribeToken(secrets_, {claim.workspace_id, claim.lead.id});
  message.extra_headers.emplace_back(
      "List-Unsubscribe",
      domain::ListUnsubscribeHeader(options_.public_url, token, session.mailbox.email));
  message.extra_headers.emplace_back("List-Unsubscribe-Post", domain::kListUnsubscribePost);
  return {SignedMessage(dkim, BuildMessage(message), now), std::move(message.subject)};
}

void DeliveryEngine::SendJob(Job& job, const domain::Campaign& campaign) {
  auto mailbox = store_.GetMailbox(job.workspace_id, job.mailbox_id);
  Status error;
  std::unique_ptr<MailboxSession> session;
  if (mailbox.ok()) session = TakeSession(*mailbox, &error);
  if (!session) {
    SmtpReply reply{0, mailbox.ok() ? error.message() : mailbox.status().message()};
    for (const auto& claim : job.claims) {
      job.outcomes.push_back(Classify(claim, reply, campaign, "", clock_.NowMillis()));
    }
    Commit(job, nullptr);
    return;
  }
  const domain::CompiledSequence sequence(campaign.steps);
  const std::optional<DkimSigner> dkim =
      signers_.SignerFor(store_, secrets_, job.workspace_id, session->mailbox.email);
  bool connection_lost = false;
  // Connected: from here the commits wait briefly for this connection too.
  const CommitQueue::Member member = commits_.Join();
  auto compose = [&](size_t i) {
    return Compose(*session, job.claims[i], campaign, sequence, dkim, clock_.NowMillis());
  };
  // Signing costs a few hundred microseconds of CPU: with a key, each
  // message is built and signed on a helper thread, in idle CPU time, while
  // the one before it is on the wire.
  std::optional<AheadWorker<Composed>> ahead;  // after what its tasks use
  if (dkim) ahead.emplace();
  size_t ahead_index = job.claims.size();  // the claim the helper works on
  // The helper's message for claim `i`, if it was building that one.
  auto take_ahead = [&](size_t i) -> std::optional<Composed> {
    if (ahead_index != i) return std::nullopt;
    ahead_index = job.claims.size();
    return ahead->Take();
  };
  for (size_t i = 0; i < job.claims.size(); ++i) {
    const store::SendClaim& claim = job.claims[i];
    // On shutdown, finish the message on the wire and leave the rest
    // claimed: the next start puts them back in the queue.
    if (Stopping()) break;
    if (connection_lost || static_cast<size_t>(claim.step_index) >= sequence.size()) {
      take_ahead(i);  // built for nothing
      job.outcomes.push_back(Classify(claim, SmtpReply{0, "not attempted: connection lost"},
                                      campaign, "", clock_.NowMillis()));
      continue;
    }
    // The previous outcome and "this one is on the wire" land together (in
    // one transaction with the other connections' -- CommitQueue), so a
    // crash leaves at most this message in doubt. The message is built
    // (unless built ahead) while that transaction is gathered and
    // committed; it goes out only once it has.
    const int64_t now = clock_.NowMillis();
    Composed message;
    const bool may_send = Commit(job, &claim, [&] {
      std::optional<Composed> built = take_ahead(i);
      message = built ? std::move(*built) : compose(i);
    });
    if (!may_send) {
      if (!job.error.ok()) return;
      continue;  // released meanwhile: not ours to send
    }
    if (ahead && i + 1 < job.claims.size() &&
        static_cast<size_t>(job.claims[i + 1].step_index) < sequence.size()) {
      ahead->Start([&compose, next = i + 1] { return compose(next); });
      ahead_index = i + 1;
    }
    const auto smtp_started = std::chrono::steady_clock::now();
    SmtpReply reply = session->smtp->Send(session->mailbox.email, claim.lead.email, message.data);
    metrics::ObserveSmtp(
        session->mailbox.id,
        reply.code == 0     ? "error"
        : reply.Accepted()  ? "ok"
        : reply.Permanent() ? "rejected"
                            : "deferred",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - smtp_started).count());
    job.outcomes.push_back(Classify(claim, reply, campaign, std::move(message.subject), now));
    if (reply.code == 0) {
      connection_lost = true;
      spdlog::warn("delivery: mailbox {} cannot reach {}:{}: {}", session->mailbox.id,
                   session->mailbox.smtp.host, session->mailbox.smtp.port, reply.text);
    }
  }
  Commit(job, nullptr);
  if (!connection_lost) ReturnSession(std::move(session));
}

void DeliveryEngine::Start() {
  thread_ = std::thread([this] { Loop(); });
  if (options_.lease_renew_interval_millis > 0) {
    renew_thread_ = std::thread([this] { RenewLoop(); });
  }
}

void DeliveryEngine::Hold(const std::vector<store::SendClaim>& claims) {
  std::lock_guard<std::mutex> lock(held_mu_);
  for (const auto& claim : claims) {
    held_[claim.message_row_id] = {claim.workspace_id, claim.message_row_id};
  }
}

void DeliveryEngine::Release(const std::vector<store::SendClaim>& claims) {
  std::lock_guard<std::mutex> lock(held_mu_);
  for (const auto& claim : claims) held_.erase(claim.message_row_id);
}

Status DeliveryEngine::RenewHeldLeases() {
  std::vector<store::HeldMessage> held;
  {
    std::lock_guard<std::mutex> lock(held_mu_);
    for (const auto& [id, message] : held_) held.push_back(message);
  }
  return store_.RenewLeases(held, clock_.NowMillis());
}

size_t DeliveryEngine::HeldCount() {
  std::lock_guard<std::mutex> lock(held_mu_);
  return held_.size();
}

void DeliveryEngine::RenewLoop() {
  std::unique_lock<std::mutex> lock(loop_mu_);
  while (!loop_cv_.wait_for(lock, std::chrono::milliseconds(options_.lease_renew_interval_millis),
                            [this] { return stopping_; })) {
    lock.unlock();
    if (Status s = RenewHeldLeases(); !s.ok()) {
      spdlog::error("delivery: renewing leases failed: {}", s.message());
    }
    lock.lock();
  }
}

bool DeliveryEngine::Stopping() {
  std::lock_guard<std::mutex> lock(loop_mu_);
  return stopping_;
}

void DeliveryEngine::Stop() {
  {
    std::lock_guard<std::mutex> lock(loop_mu_);
    stopping_ = true;
  }
  loop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (renew_thread_.joinable()) renew_thread_.join();
}

void DeliveryEngine::Wake() {
  {
    std::lock_guard<std::mutex> lock(loop_mu_);
    woken_ = true;
  }
  loop_cv_.notify_all();
}

void DeliveryEngine::Loop() {
  int64_t next_recovery = 0;
  while (true) {
    if (clock_.NowMillis() >= next_recovery) {
      auto recovered = Recover();
      if (!recovered.ok()) {
        spdlog::error("delivery: recovery failed: {}", recovered.status().message());
      }
      next_recovery = clock_.NowMillis() + options_.recover_interval_millis;
    }
    auto report = RunOnce();
    if (!report.ok()) spdlog::error("delivery: tick failed: {}", report.status().message());
    int64_t sleep = options_.max_idle_millis;
    if (report.ok() && report->claimed > 0) sleep = 0;
    if (sleep > 0) {
      auto next = store_.NextDueTime();
      if (next.ok() && *next) {
        sleep = std::clamp<int64_t>(**next - clock_.NowMillis(), 0, options_.max_idle_millis);
      }
    }
    std::unique_lock<std::mutex> lock(loop_mu_);
    loop_cv_.wait_for(lock, std::chrono::milliseconds(sleep),
                      [this] { return stopping_ || woken_; });
    woken_ = false;
    if (stopping_) break;
  }
  std::lock_guard<std::mutex> lock(sessions_mu_);
  idle_sessions_.clear();
}

}  // namespace leadterra::delivery
