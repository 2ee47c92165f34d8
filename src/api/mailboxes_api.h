// Mailbox use cases (SPEC §6): create, list, get, edit, delete and verify
// sending mailboxes. Passwords are sealed with the SecretBox before they are
// stored and never returned (responses say `hasPassword`). Verify connects
// and authenticates for real (SMTP, and IMAP when configured) and records the
// result on the mailbox. Thread-safe.
#pragma once

#include "api/request.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/ids.h"
#include "util/secret_box.h"

namespace leadterra::delivery {
class SmtpConnector;
}

namespace leadterra::api {

class MailboxesApi {
 public:
  MailboxesApi(store::Store& store, const Clock& clock, IdGenerator& ids, const SecretBox& secrets,
               delivery::SmtpConnector& connector)
      : store_(store), clock_(clock), ids_(ids), secrets_(secrets), connector_(connector) {}

  Result<Response> Create(const Request& request);
  Result<Response> List(const Request& request);
  Result<Response> Get(const Request& request);
  Result<Response> Patch(const Request& request);
  Result<Response> Delete(const Request& request);
  Result<Response> Verify(const Request& request);

 private:
  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
  const SecretBox& secrets_;
  delivery::SmtpConnector& connector_;
};

}  // namespace leadterra::api
