// Turns one HttpRequest into one HttpResponse: request id, routing (404/405),
// authentication, per-key rate limiting, content-type and JSON body checks,
// Idempotency-Key replay, the handler call, the error model, and an access log
// line. Never throws: an exception escaping a handler becomes a logged 500.
// Thread-safe (shared state is the read-only router and thread-safe services).
#pragma once

#include <cstddef>
#include <string>

#include "api/accounts.h"
#include "api/idempotency.h"
#include "api/rate_limiter.h"
#include "http/http_types.h"
#include "http/router.h"
#include "util/ids.h"

namespace leadterra::http {

class Dispatcher {
 public:
  Dispatcher(const Router& router, api::Accounts& accounts, api::RateLimiter& limiter,
             api::Idempotency& idempotency, IdGenerator& ids)
      : router_(router),
        accounts_(accounts),
        limiter_(limiter),
        idempotency_(idempotency),
        ids_(ids) {}

  HttpResponse Handle(const HttpRequest& request);

  // A response for errors found before a request could be parsed (oversized
  // or malformed HTTP), in the same error model.
  HttpResponse TransportError(const Status& status);

 private:
  HttpResponse HandleInner(const HttpRequest& request, const std::string& request_id,
                           std::string* workspace_id);
  HttpResponse Error(const Status& status, const std::string& request_id);

  const Router& router_;
  api::Accounts& accounts_;
  api::RateLimiter& limiter_;
  api::Idempotency& idempotency_;
  IdGenerator& ids_;
};

}  // namespace leadterra::http
