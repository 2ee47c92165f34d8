// Takes open and click hits off the request threads (SPEC §13): a tracking
// request only queues its hit here, and one worker writes queued hits in
// batches, a transaction per workspace per batch, through TrackingStore. The
// queue is bounded: when it is full a hit is dropped (and counted in
// /metrics) rather than letting a flood of requests grow memory; Stop()
// writes everything still queued, so a clean stop loses nothing.
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>

#include "domain/tracking.h"
#include "store/tracking_store.h"

namespace leadterra::api {

class TrackingRecorder {
 public:
  TrackingRecorder(store::TrackingStore& store, domain::TrackingRules rules,
                   size_t capacity = 100'000);
  ~TrackingRecorder();
  TrackingRecorder(const TrackingRecorder&) = delete;
  TrackingRecorder& operator=(const TrackingRecorder&) = delete;

  void Start();
  // Writes what is queued, then stops the worker. Idempotent.
  void Stop();
  // Queues a hit; false (and the hit is dropped) when the queue is full.
  bool Enqueue(domain::TrackingHit hit);
  // Blocks until every hit queued so far is written (tests, shutdown).
  void Flush();

 private:
  void Loop();
  void Write(std::deque<domain::TrackingHit>& batch);

  store::TrackingStore& store_;
  const domain::TrackingRules rules_;
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable wake_, idle_;
  std::deque<domain::TrackingHit> queue_;
  bool stopping_ = false;
  bool writing_ = false;
  std::thread worker_;
};

}  // namespace leadterra::api
