// Campaign use cases (SPEC §3): create, get, list, patch, delete, start and
// pause. Each method takes an authenticated Request and returns the JSON
// response or a Status for the error model. Thread-safe; all state lives in
// the store.
#pragma once

#include <functional>
#include <utility>

#include "api/request.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/ids.h"

namespace leadterra::api {

class CampaignsApi {
 public:
  // `on_started` (optional) runs after a campaign was started or resumed,
  // e.g. to wake the delivery engine instead of letting it finish its idle
  // sleep first.
  CampaignsApi(store::Store& store, const Clock& clock, IdGenerator& ids,
               std::function<void()> on_started = nullptr)
      : store_(store), clock_(clock), ids_(ids), on_started_(std::move(on_started)) {}

  Result<Response> Create(const Request& request);
  Result<Response> Get(const Request& request);
  Result<Response> List(const Request& request);
  Result<Response> Patch(const Request& request);
  Result<Response> Delete(const Request& request);
  Result<Response> Start(const Request& request);
  Result<Response> Pause(const Request& request);

 private:
  // {"data": campaign, "warnings": [...]} (warnings only when there are any).
  Result<Response> WithWarnings(const domain::Campaign& campaign, int status);
  std::function<std::string()> NewVariantId();

  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
  std::function<void()> on_started_;
};

}  // namespace leadterra::api
