#include "api/idempotency.h"

#include "util/crypto.h"

namespace leadterra::api {

Status Idempotency::ValidateKey(std::string_view key) {
  if (key.empty() || key.size() > 255) {
    return InvalidArgument("Idempotency-Key must be 1 to 255 characters", "Idempotency-Key");
  }
  for (unsigned char c : key) {
    if (c < 0x21 || c > 0x7e) {
      return InvalidArgument("Idempotency-Key must be printable ASCII without spaces",
                             "Idempotency-Key");
    }
  }
  return Status::Ok();
}

Result<StoredResponse> Idempotency::Run(const std::string& workspace_id, const std::string& key,
                                        std::string_view fingerprint,
                                        const std::function<StoredResponse()>& handler) {
  const int64_t now = clock_.NowMillis();
  LT_ASSIGN_OR_RETURN(
      auto begin, store_.BeginIdempotent(workspace_id, key, Sha256Hex(fingerprint), now,
                                         now - kRetentionMillis, now - kStaleReservationMillis));
  using Outcome = store::IdempotencyStore::Outcome;
  switch (begin.outcome) {
    case Outcome::kReplay:
      return StoredResponse{begin.status, std::move(begin.body), true};
    case Outcome::kMismatch:
      return Status(ErrorCode::kIdempotencyConflict,
                    "this Idempotency-Key was already used with a different request");
    case Outcome::kInProgress:
      return Status(ErrorCode::kIdempotencyConflict,
                    "a request with this Idempotency-Key is still being processed; retry shortly");
    case Outcome::kProceed:
      break;
  }
  StoredResponse response = handler();
  if (response.status >= 500 || response.status == 429) {
    LT_RETURN_IF_ERROR(store_.ReleaseIdempotent(workspace_id, key));
  } else {
    LT_RETURN_IF_ERROR(
        store_.CompleteIdempotent(workspace_id, key, response.status, response.body));
  }
  return response;
}

}  // namespace leadterra::api
