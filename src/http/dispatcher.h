// Turns one HttpRequest into one HttpResponse: request id, routing (404/405),
// authentication, per-key rate limiting, content-type and JSON body checks,
// Idempotency-Key replay, the handler call, the error model, and an access log
// line. Never throws: an exception escaping a handler becomes a logged 500.
// Thread-safe (shared state is the read-only router and thread-safe services).
//
// Heavy work leaves the calling (I/O) thread: a route marked `heavy`, or any
// request whose body is larger than `offload_body_bytes`, is parsed and run on
// the work pool under its workspace's fair share (util/fair_work_pool.h).
// When the pool or the workspace's share is full the answer is 503
// `overloaded` with `Retry-After`, at once. Routing, authentication and rate
// limiting always run on the calling thread. Raw routes marked heavy run on
// the pool too, keyed by their Authorization header.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api/accounts.h"
#include "api/idempotency.h"
#include "api/rate_limiter.h"
#include "api/sessions.h"
#include "http/http_types.h"
#include "http/router.h"
#include "util/fair_work_pool.h"
#include "util/ids.h"

namespace leadterra::http {

struct DispatcherOptions {
  // Bodies larger than this are parsed on the work pool whatever the route.
  size_t offload_body_bytes = 64u << 10;
  int retry_after_seconds = 1;  // in 503 overloaded answers
};

class Dispatcher {
 public:
  using Respond = std::function<void(HttpResponse)>;

  // `pool` may be null: everything then runs on the calling thread.
  // `sessions` may be null: only Bearer keys authenticate then.
  Dispatcher(const Router& router, api::Accounts& accounts, api::Sessions* sessions,
             api::RateLimiter& limiter, api::Idempotency& idempotency, IdGenerator& ids,
             FairWorkPool* pool = nullptr, DispatcherOptions options = {})
      : router_(router),
        accounts_(accounts),
        sessions_(sessions),
        limiter_(limiter),
        idempotency_(idempotency),
        ids_(ids),
        pool_(pool),
        options_(options) {}

  // Answers `request` by calling `respond` exactly once: before Handle
  // returns, or later from a work pool thread.
  void Handle(HttpRequest request, Respond respond);
  // The same on the calling thread, whatever the route (for callers that are
  // already off the I/O threads, such as the MCP endpoint's tool calls).
  HttpResponse HandleNow(HttpRequest request);

  // A response for errors found before a request could be parsed (oversized
  // or malformed HTTP), in the same error model.
  HttpResponse TransportError(const Status& status);

 private:
  struct Exchange;
  // Routing, authentication and rate limits; an early answer ends the
  // exchange, else `exchange->route` is set for Execute.
  std::optional<HttpResponse> Admit(Exchange& exchange);
  // Body checks and parsing, idempotency, and the handler itself.
  HttpResponse Execute(Exchange& exchange);
  void Finish(Exchange& exchange, HttpResponse response);
  // A Bearer key, else the dashboard's session cookie; a cookie-authenticated
  // request that may change state must carry `X-Requested-With: leadterra`
  // (403 csrf_check_failed).
  Result<api::Principal> Authenticate(const HttpRequest& request, api::Request& api_request);
  void Run(HttpRequest request, Respond respond, bool may_offload);
  HttpResponse Error(const Status& status, const std::string& request_id);

  const Router& router_;
  api::Accounts& accounts_;
  api::Sessions* sessions_;
  api::RateLimiter& limiter_;
  api::Idempotency& idempotency_;
  IdGenerator& ids_;
  FairWorkPool* pool_;
  DispatcherOptions options_;
};

}  // namespace leadterra::http
