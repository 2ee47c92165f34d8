// Idempotency-Key handling for POST requests (SPEC §1). The same key with the
// same request within 24 hours replays the first response; with a different
// request it is 409 idempotency_conflict, as is a retry while the first is
// still running. Responses with status >= 500 or 429 are not remembered, so
// the client may retry them. Thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "store/store.h"
#include "util/clock.h"
#include "util/status.h"

namespace leadterra::api {

struct StoredResponse {
  int status = 200;
  std::string body;  // serialized JSON
  bool replayed = false;
};

class Idempotency {
 public:
  static constexpr int64_t kRetentionMillis = 24LL * 3600 * 1000;
  static constexpr int64_t kStaleReservationMillis = 60LL * 1000;

  Idempotency(store::IdempotencyStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Validates the header value: 1..255 printable ASCII characters.
  static Status ValidateKey(std::string_view key);

  // Runs `handler` at most once per (workspace, key, request fingerprint).
  Result<StoredResponse> Run(const std::string& workspace_id, const std::string& key,
                             std::string_view fingerprint,
                             const std::function<StoredResponse()>& handler);

 private:
  store::IdempotencyStore& store_;
  const Clock& clock_;
};

}  // namespace leadterra::api
