// The webhook dispatcher: drains the event outbox. It leases due deliveries
// from the store (at most `max_per_endpoint` in flight per endpoint, so one
// slow or hanging receiver never holds up the others), POSTs each signed
// event body concurrently through one libcurl multi handle, and records every
// attempt in one transaction per batch: 2xx is delivered; a non-2xx status,
// a connection error or no answer within `timeout` is retried with the
// domain RetryPolicy until its window after the event has passed, then the
// delivery fails. Redirects are not followed.
//
// At least once: a delivery whose answer was never recorded (crash, stop)
// keeps its pending row and goes out again once its lease is released or
// expires; receivers dedupe by event id.
//
// RunOnce() delivers what is due now and waits for the answers (tests drive
// it with a fake clock); Start() runs the same work continuously on one
// background thread; Wake() makes it look for new deliveries at once.
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

#include "domain/webhook.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/secret_box.h"

namespace leadterra::webhook {

struct DispatcherOptions {
  int64_t timeout_millis = 10'000;  // per attempt, connect included
  domain::RetryPolicy retry;        // its window also decides when an endpoint is failing
  int max_in_flight = 128;
  int max_per_endpoint = 16;
  int64_t poll_millis = 200;  // how often an idle dispatcher looks for due deliveries
};

class WebhookDispatcher {
 public:
  WebhookDispatcher(store::Store& store, const Clock& clock, const SecretBox& secrets,
                    DispatcherOptions options);
  ~WebhookDispatcher();
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  // Leases every delivery due now (up to max_in_flight), sends them, waits
  // for all answers and records them. Returns how many attempts were made.
  Result<int> RunOnce();

  // Gives back leases a previous process left behind (the caller must own
  // the database alone), then dispatches on a background thread.
  void Start();
  // Aborts transfers still in flight (their deliveries stay pending) and joins.
  void Stop();
  void Wake();

 private:
  class Transfers;
  void Loop();

  store::Store& store_;
  const Clock& clock_;
  const SecretBox& secrets_;
  const DispatcherOptions options_;
  std::unique_ptr<Transfers> transfers_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> woken_{false};
  std::thread thread_;
};

}  // namespace leadterra::webhook
