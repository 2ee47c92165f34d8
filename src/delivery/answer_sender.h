// Sends an answer a person wrote in the inbox (POST /v1/inbox/:id/reply):
// a real MIME message built with GMime (BuildMessage) from the mailbox the
// reply came to, threaded under it (In-Reply-To the reply, References the
// whole thread, "Re:" subject), the reply quoted below the answer, DKIM-
// signed when the domain has a key, and sent in one SMTP transaction on a
// connection of its own. Thread-safe; nothing throws.
#pragma once

#include <string>

#include "delivery/smtp_client.h"
#include "store/store.h"
#include "util/secret_box.h"

namespace leadterra::delivery {

class AnswerSender {
 public:
  AnswerSender(store::Store& store, const SecretBox& secrets, SmtpConnector& connector)
      : store_(store), secrets_(secrets), connector_(connector) {}

  // The SMTP outcome (code 0: the server was not reached or the mailbox's
  // password could not be opened).
  SmtpReply Send(const std::string& workspace_id, const store::AnswerDraft& draft,
                 const std::string& body_html, int64_t now_millis);

 private:
  store::Store& store_;
  const SecretBox& secrets_;
  SmtpConnector& connector_;
};

// The answer's HTML: `body_html`, then the reply it answers quoted as text.
std::string AnswerHtml(const store::AnswerDraft& draft, const std::string& body_html);

}  // namespace leadterra::delivery
