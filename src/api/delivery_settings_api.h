// Workspace delivery settings (SPEC §6): GET and PATCH /v1/settings/delivery.
// `dailyLimit` (sends per local day over all mailboxes, or null), IANA
// `timezone`, `sendingWindow` ({"days":[1..7],"start":"HH:MM","end":"HH:MM"}
// or null for any time) and `minGapSeconds` between two sends of one
// mailbox. A PATCH changes only the fields it names, validated as a whole,
// in one transaction; the engine applies the result from its next claim.
// Thread-safe.
#pragma once

#include <boost/json/fwd.hpp>

#include "api/request.h"
#include "store/store.h"
#include "util/clock.h"

namespace leadterra::api {

// Applies a PATCH body's fields to `settings` and validates the result;
// kInvalidArgument with the offending field's `param` otherwise.
Status ApplyDeliverySettingsPatch(const boost::json::value& body,
                                  domain::DeliverySettings& settings);

class DeliverySettingsApi {
 public:
  DeliverySettingsApi(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  Result<Response> Get(const Request& request);
  Result<Response> Patch(const Request& request);

 private:
  store::Store& store_;
  const Clock& clock_;
};

}  // namespace leadterra::api
