// Suppression list use cases (SPEC §6): add addresses and whole domains the
// workspace must never mail (with a reason), list and remove them.
// Suppressed addresses are refused at enrollment (per-row errors) and leads
// already enrolled are skipped at send time (enrollment `suppressed`).
// Unsubscribe links add to the same list. Thread-safe.
#pragma once

#include "api/request.h"
#include "store/store.h"
#include "util/clock.h"

namespace leadterra::api {

inline constexpr size_t kMaxSuppressionsPerRequest = 10000;

class SuppressionsApi {
 public:
  SuppressionsApi(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  Result<Response> Create(const Request& request);
  Result<Response> List(const Request& request);
  Result<Response> Delete(const Request& request);

 private:
  store::Store& store_;
  const Clock& clock_;
};

}  // namespace leadterra::api
