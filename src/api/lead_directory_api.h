// Leads across campaigns (SPEC §12): GET /v1/leads (search by a prefix of
// the address, "first last", last name or company), GET/PATCH/DELETE
// /v1/leads/:id with every enrollment, and erasure (DELETE ?erase=true,
// GDPR Art. 17). Thread-safe.
#pragma once

#include "api/request.h"
#include "store/store.h"
#include "util/clock.h"

namespace leadterra::api {

class LeadDirectoryApi {
 public:
  LeadDirectoryApi(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  Result<Response> Search(const Request& request);
  Result<Response> Get(const Request& request);
  Result<Response> Patch(const Request& request);
  Result<Response> Delete(const Request& request);

 private:
  // The lead with its enrollments, as GET answers.
  Result<Response> LeadWithEnrollments(const std::string& workspace_id, domain::Lead lead);

  store::Store& store_;
  const Clock& clock_;
};

}  // namespace leadterra::api
