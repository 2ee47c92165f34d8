// IMAP over libcurl for reading replies: one ImapSession is one logged-in
// connection to one account (curl keeps it open between commands), reading
// INBOX by UID. Messages are fetched with BODY[] (which sets \Seen), so the
// caller restores the flag on messages that were unseen. A session is used by
// one thread at a time; errors come back as kInternal with the server's
// or curl's words.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "delivery/smtp_client.h"
#include "util/status.h"

namespace leadterra::delivery {

struct ImapInboxStatus {
  int64_t uidvalidity = 0;
  int64_t uidnext = 0;
};

class ImapSession {
 public:
  explicit ImapSession(SmtpServer account);
  ~ImapSession();
  ImapSession(const ImapSession&) = delete;
  ImapSession& operator=(const ImapSession&) = delete;

  Result<ImapInboxStatus> Status();
  // UIDs of INBOX messages matching an IMAP SEARCH `criteria`
  // ("UID 42:*", "SINCE 27-Nov-2026 UNSEEN"), ascending.
  Result<std::vector<int64_t>> SearchUids(const std::string& criteria);
  // The whole raw message.
  Result<std::string> Fetch(int64_t uid);
  // Clears \Seen on `uids` (restores what reading them changed).
  leadterra::Status MarkUnseen(const std::vector<int64_t>& uids);

 private:
  // Runs a custom command against `path` and returns the untagged output.
  Result<std::string> Command(const std::string& path, const std::string& command);
  Result<std::string> Perform(const std::string& url);

  SmtpServer account_;
  void* curl_;  // CURL*
};

}  // namespace leadterra::delivery
