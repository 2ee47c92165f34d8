#include "api/body.h"

namespace leadterra::api {

Result<const boost::json::value*> RequireBody(const Request& request) {
  if (!request.body) return InvalidArgument("request body is required; send a JSON object");
  return &*request.body;
}

}  // namespace leadterra::api
