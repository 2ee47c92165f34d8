// The Model Context Protocol endpoint (POST /mcp, Streamable HTTP transport
// answering with plain JSON, no sessions): JSON-RPC 2.0 `initialize` (with
// protocol version negotiation), `ping`, `tools/list` and `tools/call`;
// notifications and client responses are accepted with 202. Every POST must
// carry the same Bearer key as the API (401 otherwise). A tool call is run as
// the API request its tool maps to (tool_catalog.h), through `call_api`, so
// workspace scoping, validation, rate limits and idempotency are the API's
// own. API errors come back as tool results with `isError` and the error's
// code, message and param; malformed JSON-RPC gets a JSON-RPC error, never a
// 500. Thread-safe (the catalog is immutable).
#pragma once

#include <functional>
#include <string>

#include "api/accounts.h"
#include "http/http_types.h"
#include "http/router.h"
#include "mcp/tool_catalog.h"

namespace leadterra::mcp {

// Protocol revisions this server speaks, newest first.
extern const char* const kProtocolVersions[];

class McpServer {
 public:
  // Runs one API request on the calling thread and returns its answer.
  using CallApi = std::function<http::HttpResponse(http::HttpRequest)>;

  McpServer(const ToolCatalog& catalog, api::Accounts& accounts, CallApi call_api,
            std::string server_version)
      : catalog_(catalog),
        accounts_(accounts),
        call_api_(std::move(call_api)),
        server_version_(std::move(server_version)) {}

  http::HttpResponse Handle(const http::HttpRequest& request);

 private:
  struct Context;
  boost::json::value Dispatch(const boost::json::value& message, const Context& context,
                              bool* is_request);
  boost::json::value CallTool(const boost::json::object& params, const Context& context);

  const ToolCatalog& catalog_;
  api::Accounts& accounts_;
  CallApi call_api_;
  std::string server_version_;
};

// The route that serves `server` at POST /mcp: raw (the server checks the key
// itself and answers in JSON-RPC) and heavy (it runs on the work pool, since
// a tool call may be a bulk upload). `server` must outlive the router.
http::Route McpRoute(McpServer& server);

}  // namespace leadterra::mcp
