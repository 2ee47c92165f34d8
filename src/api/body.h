// Shared checks on request bodies used by every use case.
#pragma once

#include <boost/json/value.hpp>

#include "api/request.h"
#include "util/status.h"

namespace leadterra::api {

// The parsed body, or 400 when the request had none.
Result<const boost::json::value*> RequireBody(const Request& request);

}  // namespace leadterra::api
