// What a campaign will look like and how it is doing: preview (SPEC §5),
// lint (SPEC §5) and stats (SPEC §7). Stats read maintained counters, so they
// cost the same at any number of leads; lint scans the campaign's leads.
// Thread-safe.
#pragma once

#include "api/request.h"
#include "store/store.h"

namespace leadterra::api {

class InsightsApi {
 public:
  explicit InsightsApi(store::Store& store) : store_(store) {}

  Result<Response> Preview(const Request& request);
  Result<Response> Lint(const Request& request);
  Result<Response> Stats(const Request& request);

 private:
  store::Store& store_;
};

}  // namespace leadterra::api
