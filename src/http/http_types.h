// Transport-neutral HTTP request/response as the dispatcher sees them. The
// Beast server converts to and from these, so nothing but server.cc compiles
// Beast.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leadterra::http {

// One element of a comma-separated header list (RFC 9110 §5.6.1): the part
// before the first ';' and the parameters after it, both trimmed of spaces
// and tabs. Empty elements are skipped.
struct HeaderListElement {
  std::string_view name;
  std::string_view params;
};
std::vector<HeaderListElement> SplitHeaderList(std::string_view value);

struct HttpRequest {
  std::string method;                                        // "GET", "POST", …
  std::string target;                                        // origin-form: "/v1/campaigns?limit=5"
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  std::string remote_address;

  // First header with this lowercase name, or "".
  std::string_view Header(std::string_view lowercase_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

}  // namespace leadterra::http
