// The route table: method + path pattern ("/v1/campaigns/:id/start") ->
// handler. Matching is exact per segment; ":name" captures one segment.
// Built once at start-up (routes.cc) and read-only afterwards, so lookups are
// thread-safe.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/request.h"
#include "http/http_types.h"
#include "util/status.h"

namespace leadterra::http {

using ApiHandler = std::function<Result<api::Response>(const api::Request&)>;
using RawHandler = std::function<HttpResponse(const HttpRequest&)>;

struct Route {
  std::string method;
  std::string pattern;
  bool authenticated = true;
  ApiHandler api;  // JSON API route (authenticated or not)
  RawHandler raw;  // or a route that renders its own response
  // Runs on the dispatcher's work pool, off the I/O threads: CPU-heavy or
  // blocking handlers (key generation, bulk parsing, outside connections).
  bool heavy = false;
};

class Router {
 public:
  void Add(Route route);
  const std::vector<Route>& routes() const { return routes_; }
  // The route for a GET no pattern matches whose first segment is none of
  // `reserved_prefixes` (the dashboard's pages: client-side routes). Paths
  // under a reserved prefix keep the API's JSON 404. Not in routes(): it is
  // not part of the API.
  void SetPageFallback(std::vector<std::string> reserved_prefixes, Route route);

  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
    std::vector<std::string> allowed;  // methods for this path when route is null
  };
  // `segments` are the decoded path segments ("/v1/x" -> {"v1","x"}).
  Match Find(const std::string& method, const std::vector<std::string>& segments) const;

 private:
  struct Compiled {
    std::vector<std::string> segments;
  };
  std::vector<Route> routes_;
  std::vector<Compiled> compiled_;
  std::vector<std::string> fallback_reserved_;
  std::optional<Route> fallback_;
};

}  // namespace leadterra::http
