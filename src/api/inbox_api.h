// The reply inbox (SPEC §12): GET /v1/inbox (every reply of every campaign
// and mailbox, newest first, filtered by campaign, label and read state),
// GET /v1/inbox/summary (counts), GET/PATCH /v1/inbox/:id (the whole text;
// label and read state), and POST /v1/inbox/:id/reply, which sends an
// answer from the mailbox the reply came to and records it in the lead's
// thread. An answer is recorded before it is sent; with an Idempotency-Key a
// retried request replays the first answer instead of sending again.
// Thread-safe.
#pragma once

#include "api/request.h"
#include "delivery/answer_sender.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/ids.h"

namespace leadterra::api {

class InboxApi {
 public:
  InboxApi(store::Store& store, const Clock& clock, IdGenerator& ids,
           delivery::AnswerSender& sender)
      : store_(store), clock_(clock), ids_(ids), sender_(sender) {}

  Result<Response> List(const Request& request);
  Result<Response> Summary(const Request& request);
  Result<Response> Get(const Request& request);
  Result<Response> Patch(const Request& request);
  Result<Response> Reply(const Request& request);

 private:
  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
  delivery::AnswerSender& sender_;
};

}  // namespace leadterra::api
