#include "delivery/inbound_poller.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "delivery/imap_client.h"
#include "delivery/inbound_parser.h"
#include "util/metrics.h"
#include "util/time_format.h"

namespace leadterra::delivery {
namespace {

constexpr int64_t kDayMillis = 86400LL * 1000;
// A Date header further ahead than this is not believed.
constexpr int64_t kClockSkewMillis = 5 * 60 * 1000;

std::string AccountKey(const domain::ServerSettings& imap) {
  return imap.host + ":" + std::to_string(imap.port) + ":" + imap.username;
}

}  // namespace

InboundPoller::InboundPoller(store::Store& store, const Clock& clock, IdGenerator& ids,
                             const SecretBox& secrets, InboundOptions options)
    : store_(store), clock_(clock), ids_(ids), secrets_(secrets), options_(options) {}

InboundPoller::~InboundPoller() { Stop(); }

Result<int> InboundPoller::PollMailbox(const store::InboundMailbox& in) {
  const domain::Mailbox& m = in.mailbox;
  if (!m.imap) return 0;
  store::PollCursor cursor = in.cursor;
  const int64_t now = clock_.NowMillis();
  auto fail = [&](const std::string& error) -> Result<int> {
    // Only a change of state is logged; the mailbox shows the error itself.
    if (m.last_error != "imap: " + error) {
      spdlog::warn("inbound: mailbox {} ({}): {}", m.id, m.email, error);
    }
    LT_RETURN_IF_ERROR(store_.RecordPoll(m.workspace_id, m.id, cursor, now, "imap: " + error));
    return Internal(error);
  };

  SmtpServer account;
  account.host = m.imap->host;
  account.port = m.imap->port;
  account.security = m.imap->security;
  account.username = m.imap->username;
  if (!m.imap->password_sealed.empty()) {
    auto password =
        secrets_.Open(m.imap->password_sealed, domain::MailboxSecretPurpose(m.id, "imap"));
    if (!password.ok()) return fail("cannot decrypt the password (was the master key changed?)");
    account.password = *password;
  }
  ImapSession session(account);
  auto status = session.Status();
  if (!status.ok()) return fail(status.status().message());

  std::string criteria;
  const std::string key = AccountKey(*m.imap);
  if (cursor.account != key || cursor.uidvalidity != status->uidvalidity) {
    // A new account or renumbered mailbox: look at recent mail only.
    cursor = {key, status->uidvalidity, 0};
    criteria = "SINCE " + FormatImapDate(m.created_at - kDayMillis);
  } else if (status->uidnext > 0 && status->uidnext <= cursor.last_uid + 1) {
    LT_RETURN_IF_ERROR(store_.RecordPoll(m.workspace_id, m.id, cursor, now, ""));
    return 0;  // nothing new
  } else {
    criteria = "UID " + std::to_string(cursor.last_uid + 1) + ":*";
  }
  int read = 0;
  while (true) {
    auto found = session.SearchUids(criteria);
    if (!found.ok()) return fail(found.status().message());
    std::vector<int64_t> uids;
    for (int64_t uid : *found) {
      if (uid > cursor.last_uid) uids.push_back(uid);  // "n:*" always names the last message
    }
    const bool more = static_cast<int>(uids.size()) > options_.max_messages_per_poll;
    if (more) uids.resize(options_.max_messages_per_poll);
    std::vector<int64_t> unseen;
    if (!uids.empty()) {
      auto listed = session.SearchUids(criteria + " UNSEEN");
      if (!listed.ok()) return fail(listed.status().message());
      unseen = std::move(*listed);
    }
    std::vector<int64_t> restore;
    for (int64_t uid : uids) {
      auto raw = session.Fetch(uid);
      if (!raw.ok()) {
        (void)session.MarkUnseen(restore);
        return fail(raw.status().message());
      }
      if (std::binary_search(unseen.begin(), unseen.end(), uid)) restore.push_back(uid);
      ++read;
      if (Status s = Apply(m, *cursor.uidvalidity, uid, *raw, now); !s.ok()) {
        (void)session.MarkUnseen(restore);
        return s;  // storage trouble: read it again next time
      }
      cursor.last_uid = uid;
    }
    if (Status s = session.MarkUnseen(restore); !s.ok()) {
      spdlog::warn("inbound: mailbox {}: cannot restore unseen flags: {}", m.id, s.message());
    }
    LT_RETURN_IF_ERROR(store_.RecordPoll(m.workspace_id, m.id, cursor, now, ""));
    if (!more) return read;
    criteria = "UID " + std::to_string(cursor.last_uid + 1) + ":*";  // the next batch
  }
}

Status InboundPoller::Apply(const domain::Mailbox& m, int64_t uidvalidity, int64_t uid,
                            const std::string& raw, int64_t now) {
  auto facts = ParseInbound(raw);
  if (!facts.ok()) return Status::Ok();  // not a message: nothing to learn from it
  auto kind = domain::Classify(*facts);
  if (!kind) return Status::Ok();
  store::InboundRecord record;
  record.workspace_id = m.workspace_id;
  record.mailbox_id = m.id;
  record.uidvalidity = uidvalidity;
  record.uid = uid;
  record.id = ids_.Next(id_prefix::kInbound);
  record.kind = *kind;
  record.received_at = facts->date > 0 && facts->date <= now + kClockSkewMillis ? facts->date : now;
  record.facts = std::move(*facts);
  return store_.RecordInbound(record, now).status();
}

Result<std::vector<store::InboundMailbox>> InboundPoller::DueMailboxes() {
  return store_.LeaseDueInboundMailboxes(clock_.NowMillis());
}

Result<int> InboundPoller::RunOnce() {
  LT_ASSIGN_OR_RETURN(std::vector<store::InboundMailbox> due, DueMailboxes());
  for (const store::InboundMailbox& m : due) (void)PollMailbox(m);
  return static_cast<int>(due.size());
}

void InboundPoller::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (loop_.joinable()) return;
  stopping_ = false;
  for (int i = 0; i < options_.max_parallel; ++i) workers_.emplace_back([this] { Work(); });
  loop_ = std::thread([this] { Loop(); });
}

void InboundPoller::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!loop_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  loop_.join();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
  queue_.clear();
  busy_.clear();
}

void InboundPoller::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    auto due = DueMailboxes();
    lock.lock();
    if (!due.ok()) {
      spdlog::error("inbound: cannot list mailboxes: {}", due.status().message());
    } else {
      for (store::InboundMailbox& m : *due) {
        if (busy_.insert(m.mailbox.id).second) queue_.push_back(std::move(m));
      }
      cv_.notify_all();
    }
    cv_.wait_for(lock, std::chrono::milliseconds(options_.tick_millis),
                 [this] { return stopping_; });
  }
}

void InboundPoller::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    store::InboundMailbox m = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    auto read = PollMailbox(m);
    metrics::CountImapPoll(read.ok());
    if (read.ok() && *read > 0) {
      spdlog::debug("inbound: mailbox {} read {} new messages", m.mailbox.id, *read);
    }
    lock.lock();
    busy_.erase(m.mailbox.id);
  }
}

}  // namespace leadterra::delivery
