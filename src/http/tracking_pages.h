// The public tracking endpoints (SPEC §13): GET|HEAD /t/o/:token answers a
// 1x1 transparent GIF, GET|HEAD /t/c/:token a 302 to the link's URL. The
// answer depends on the token alone (its MAC, checked in memory): a valid
// token gets the same answer whether or not its message still exists, and
// anything else a 404 that says nothing more. The hit is only queued
// (api::TrackingRecorder); nothing on the request thread waits for the
// database. Each token may be fetched `rate` times a second (bursts of
// `burst`); over that, the answer is the same but the hit is not queued.
#pragma once

#include "api/rate_limiter.h"
#include "api/tracking_recorder.h"
#include "domain/tracking.h"
#include "http/http_types.h"
#include "util/clock.h"
#include "util/secret_box.h"

namespace leadterra::http {

class TrackingPages {
 public:
  TrackingPages(const SecretBox& box, api::TrackingRecorder& recorder, const Clock& clock)
      : box_(box), recorder_(recorder), clock_(clock), limiter_(clock, 1.0, 10.0) {}

  HttpResponse Handle(domain::TrackingKind kind, const HttpRequest& request);

 private:
  const SecretBox& box_;
  api::TrackingRecorder& recorder_;
  const Clock& clock_;
  api::RateLimiter limiter_;
};

}  // namespace leadterra::http
