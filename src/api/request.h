// What a use case sees of an HTTP request, and what it answers: no Beast, no
// sockets. The HTTP layer fills Request after authentication and routing, and
// serializes Response.body as the whole JSON document.
#pragma once

#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace leadterra::api {

struct Request {
  std::string workspace_id;  // set for authenticated routes
  std::string key_id;
  // The dashboard session's cookie token when the request was authenticated
  // by it (empty for a Bearer key).
  std::string session_token;
  std::string request_id;
  std::map<std::string, std::string> path_params;          // ":id" -> value
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::optional<boost::json::value> body;                  // parsed JSON, if any

  const std::string& PathParam(const std::string& name) const;
};

struct Response {
  int status = 200;
  boost::json::value body;  // the whole document, e.g. {"data": …}
  // Extra response headers (Set-Cookie of the session routes). Never stored
  // for Idempotency-Key replays: only routes that skip idempotency set them.
  std::vector<std::pair<std::string, std::string>> headers;
};

// {"data": data} with the given status.
Response DataResponse(boost::json::value data, int status = 200);

}  // namespace leadterra::api
