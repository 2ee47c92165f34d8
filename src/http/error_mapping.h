// The one place that maps an ErrorCode to an HTTP status and a wire code, and
// renders the SPEC §1 error document. Internal errors never expose their
// message (it may hold SQL or paths); they point at the request id instead.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace leadterra::http {

int HttpStatusFor(ErrorCode code);
std::string_view WireCodeFor(ErrorCode code);
// {"error":{"code","message","param"?}} for `status`.
std::string ErrorBody(const Status& status, std::string_view request_id);

}  // namespace leadterra::http
