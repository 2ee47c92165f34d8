// Lead use cases (SPEC §4): bulk upsert + enroll, list a campaign's
// enrollments, remove a lead from a campaign. Thread-safe.
#pragma once

#include <boost/json/array.hpp>
#include <cstddef>
#include <string>
#include <vector>

#include "api/request.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/ids.h"

namespace leadterra::api {

struct LeadsOptions {
  size_t max_leads_per_request = 10000;
};

class LeadsApi {
 public:
  LeadsApi(store::Store& store, const Clock& clock, IdGenerator& ids, LeadsOptions options)
      : store_(store), clock_(clock), ids_(ids), options_(options) {}

  Result<Response> BulkUpsert(const Request& request);
  Result<Response> List(const Request& request);
  Result<Response> Remove(const Request& request);
  // GET /v1/campaigns/:id/leads/:leadId/messages: what was sent to the lead
  // and what came back, oldest first.
  Result<Response> Thread(const Request& request);

 private:
  // Moves rows whose address (or domain) is suppressed from `valid` to
  // `errors` (code "suppressed"), keeping `valid_index` aligned.
  Status RefuseSuppressed(const std::string& workspace_id, std::vector<store::LeadUpsert>& valid,
                          std::vector<size_t>& valid_index, boost::json::array& errors);

 public:
 private:
  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
  LeadsOptions options_;
};

}  // namespace leadterra::api
