// The reply inbox (SPEC §12): replies, auto-replies and unsubscribe requests
// of every campaign and mailbox, newest first, with a label and a read
// state; and answers sent from it. Thread-safe; each method is one
// transaction; another workspace's ids answer kNotFound.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/mailbox.h"
#include "store/page.h"
#include "util/status.h"

namespace leadterra::store {

struct InboxItem {
  std::string id;    // inb_…
  std::string kind;  // reply | auto_reply | unsubscribe
  std::string lead_id, lead_email;
  std::optional<std::string> first_name, last_name, company;
  std::string campaign_id, campaign_name;
  std::optional<int> step_index;  // of the message it answers
  std::string mailbox_id;
  std::string from, subject, snippet;
  int64_t received_at = 0;
  std::optional<std::string> label;
  bool read = false;
  std::string text;  // the whole text: GetInboxItem only
};

struct InboxQuery {
  std::optional<std::string> campaign_id;
  // nullopt: any label; "" : unlabelled; else that label.
  std::optional<std::string> label;
  std::optional<bool> unread;
  int limit = 50;
  // Continue after this item (newest first): its received_at and id.
  std::optional<std::pair<int64_t, std::string>> after;
};

// Per label ("" = none): how many items, how many unread.
struct InboxCount {
  int64_t total = 0, unread = 0;
};
using InboxCounts = std::map<std::string, InboxCount>;

struct InboxChange {
  // Outer nullopt: unchanged; inner nullopt: clear the label.
  std::optional<std::optional<std::string>> label;
  std::optional<bool> read;
};

// What sending an answer needs, read and reserved in one transaction.
struct AnswerDraft {
  std::string answer_id;          // ans_…
  std::string message_id_header;  // "<ans_…@domain>"
  domain::Mailbox mailbox;        // the mailbox the reply came to
  std::string lead_id, lead_email, lead_name;
  std::string campaign_id;
  std::string subject;                  // "Re: …"
  std::vector<std::string> references;  // the thread, oldest first; last = the reply
  // What is quoted under the answer.
  std::string quoted_from, quoted_text;
  int64_t quoted_at = 0;
};

struct Answer {
  std::string id, inbound_id, lead_id, campaign_id, mailbox_id, subject;
  std::string status;  // sending | delivered | bounced | failed
  std::optional<int64_t> smtp_code;
  std::optional<std::string> smtp_reply;
  int64_t created_at = 0;
  std::optional<int64_t> sent_at;
};

class InboxStore {
 public:
  virtual ~InboxStore() = default;
  virtual Result<Page<InboxItem>> ListInbox(const std::string& workspace_id,
                                            const InboxQuery& query) = 0;
  virtual Result<InboxItem> GetInboxItem(const std::string& workspace_id,
                                         const std::string& id) = 0;
  // Applies `change` (counts kept); a label change writes lead.labeled.
  virtual Result<InboxItem> UpdateInboxItem(const std::string& workspace_id, const std::string& id,
                                            const InboxChange& change, int64_t now) = 0;
  virtual Result<InboxCounts> CountInbox(const std::string& workspace_id) = 0;
  // Records an answer to inbox item `inbound_id` as `sending` and returns
  // what to send. kInvalidState when the lead's address is suppressed.
  virtual Result<AnswerDraft> BeginAnswer(const std::string& workspace_id,
                                          const std::string& inbound_id,
                                          const std::string& answer_id,
                                          const std::string& body_html, int64_t now) = 0;
  // Records how the SMTP transaction ended.
  virtual Result<Answer> FinishAnswer(const std::string& workspace_id, const std::string& answer_id,
                                      const std::string& status, std::optional<int64_t> smtp_code,
                                      const std::string& smtp_reply, int64_t now) = 0;
};

}  // namespace leadterra::store
