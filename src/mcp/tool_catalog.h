// The MCP tools: one per agent use case, each bound to one operation of the
// OpenAPI document (by operationId). A tool's input schema is generated from
// that operation's path and query parameters, its Idempotency-Key header and
// its JSON request body, with every referenced schema carried in `$defs`, so
// the API document stays the one source of truth.
//
// A tool call becomes exactly the HTTP request the operation describes:
// path parameters are substituted (under the tool's argument names, e.g.
// `campaignId` for `{id}`), query parameters go to the query string,
// `idempotencyKey` to the Idempotency-Key header, and every other argument
// into the JSON body. Immutable after Build; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace leadterra::mcp {

struct ToolDefinition {
  std::string name;         // list_campaigns
  std::string description;  // for the agent: what, when, what it returns
  std::string operation_id;
  std::string method;  // GET, POST, …
  std::string path;    // OpenAPI template: /v1/campaigns/{id}/start
  boost::json::object input_schema;
  // (OpenAPI name, argument name) of each path parameter, in path order.
  std::vector<std::pair<std::string, std::string>> path_params;
  std::vector<std::string> query_params;
  bool has_body = false;
  bool takes_idempotency_key = false;
};

// The HTTP request a call maps to.
struct MappedCall {
  std::string method;
  std::string target;  // path with substituted parameters and query string
  std::string idempotency_key;
  std::string body;  // JSON text, empty when the operation takes no body
};

class ToolCatalog {
 public:
  // Builds every tool from `openapi_json`; fails when a tool's operation is
  // missing or its parameters cannot be mapped (a unit test builds it).
  static Result<ToolCatalog> Build(std::string_view openapi_json);

  const std::vector<ToolDefinition>& tools() const { return tools_; }
  const ToolDefinition* Find(std::string_view name) const;

  // Maps `arguments` (a JSON object, or null for none) to the request, or an
  // invalid_request Status naming the argument at fault.
  static Result<MappedCall> Map(const ToolDefinition& tool, const boost::json::value& arguments);

 private:
  std::vector<ToolDefinition> tools_;
};

}  // namespace leadterra::mcp
