#include "mcp/mcp_server.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <string_view>

namespace leadterra::mcp {

const char* const kProtocolVersions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05",
                                         nullptr};

namespace {

namespace json = boost::json;
using http::HttpRequest;
using http::HttpResponse;

// JSON-RPC 2.0 error codes.
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;

bool IsSupportedVersion(std::string_view version) {
  for (const char* const* v = kProtocolVersions; *v; ++v) {
    if (version == *v) return true;
  }
  return false;
}

json::object ErrorMessage(const json::value& id, int code, std::string message) {
  return json::object{{"jsonrpc", "2.0"},
                      {"id", id},
                      {"error", json::object{{"code", code}, {"message", std::move(message)}}}};
}

json::object ResultMessage(const json::value& id, json::value result) {
  return json::object{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

HttpResponse JsonResponse(int status, const json::value& body) {
  HttpResponse response;
  response.status = status;
  response.body = json::serialize(body);
  return response;
}

HttpResponse Accepted() {
  HttpResponse response;
  response.status = 202;
  return response;
}

bool IsJson(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  if (media.size() != 16) return false;
  for (size_t i = 0; i < media.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(media[i])) != "application/json"[i]) return false;
  }
  return true;
}

// A tool result carrying an API answer (or an argument problem found before
// the call) as text and as structured content.
json::object ToolResult(const std::string& body_text, bool is_error) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body_text, ec);
  json::object result{{"content", json::array{json::object{{"type", "text"}, {"text", body_text}}}},
                      {"isError", is_error}};
  if (!ec && parsed.is_object()) result["structuredContent"] = std::move(parsed);
  return result;
}

json::object ArgumentError(const Status& status) {
  json::object error{{"code", "invalid_request"}, {"message", status.message()}};
  if (!status.param().empty()) error["param"] = status.param();
  return ToolResult(json::serialize(json::object{{"error", std::move(error)}}), true);
}

}  // namespace

struct McpServer::Context {
  const HttpRequest& request;
};

HttpResponse McpServer::Handle(const HttpRequest& request) {
  auto principal = accounts_.Authenticate(request.Header("authorization"));
  if (!principal.ok()) {
    HttpResponse response =
        JsonResponse(principal.status().code() == ErrorCode::kUnauthenticated ? 401 : 404,
                     ErrorMessage(nullptr, kInvalidRequest, principal.status().message()));
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
    return response;
  }
  std::string_view version = request.Header("mcp-protocol-version");
  if (!version.empty() && !IsSupportedVersion(version)) {
    return JsonResponse(400, ErrorMessage(nullptr, kInvalidRequest,
                                          "unsupported MCP-Protocol-Version '" +
                                              std::string(version) + "'; this server speaks " +
                                              kProtocolVersions[0] + " and earlier revisions"));
  }
  if (!IsJson(request.Header("content-type"))) {
    return JsonResponse(415, ErrorMessage(nullptr, kInvalidRequest,
                                          "send JSON-RPC messages as Content-Type: "
                                          "application/json"));
  }
  boost::system::error_code ec;
  json::value message = json::parse(request.body, ec);
  if (ec) {
    return JsonResponse(400, ErrorMessage(nullptr, kParseError, "parse error: " + ec.message()));
  }
  Context context{request};
  if (message.is_array()) {  // a batch (protocol revision 2025-03-26)
    if (message.as_array().empty()) {
      return JsonResponse(400, ErrorMessage(nullptr, kInvalidRequest, "empty batch"));
    }
    json::array replies;
    for (const auto& item : message.as_array()) {
      bool is_request = false;
      json::value reply = Dispatch(item, context, &is_request);
      if (is_request) replies.push_back(std::move(reply));
    }
    if (replies.empty()) return Accepted();
    return JsonResponse(200, replies);
  }
  bool is_request = false;
  json::value reply = Dispatch(message, context, &is_request);
  if (!is_request) return Accepted();
  return JsonResponse(200, reply);
}

json::value McpServer::Dispatch(const json::value& message, const Context& context,
                                bool* is_request) {
  *is_request = true;
  if (!message.is_object()) {
    return ErrorMessage(nullptr, kInvalidRequest, "a JSON-RPC message must be an object");
  }
  const json::object& m = message.as_object();
  const json::value* id = m.if_contains("id");
  const json::value* method = m.if_contains("method");
  const json::value* jsonrpc = m.if_contains("jsonrpc");
  if (!method) {
    // A response to a request of ours (we send none) or junk; nothing to answer
    // unless it is malformed and names an id.
    if (m.contains("result") || m.contains("error")) {
      *is_request = false;
      return nullptr;
    }
    return ErrorMessage(id && (id->is_string() || id->is_int64()) ? *id : json::value(nullptr),
                        kInvalidRequest, "missing method");
  }
  const bool valid_id = id && (id->is_string() || id->is_int64() || id->is_uint64());
  if (!jsonrpc || !jsonrpc->is_string() || jsonrpc->as_string() != "2.0" || !method->is_string() ||
      (id && !valid_id)) {
    return ErrorMessage(valid_id ? *id : json::value(nullptr), kInvalidRequest,
                        "not a JSON-RPC 2.0 request (jsonrpc \"2.0\", a string method and a "
                        "string or integer id)");
  }
  if (!id) {  // a notification: notifications/initialized, cancelled, …
    *is_request = false;
    return nullptr;
  }
  const std::string_view name = method->as_string();
  const json::value* raw_params = m.if_contains("params");
  if (raw_params && !raw_params->is_object()) {
    return ErrorMessage(*id, kInvalidParams, "params must be an object");
  }
  static const json::object kNoParams;
  const json::object& params = raw_params ? raw_params->as_object() : kNoParams;

  if (name == "initialize") {
    std::string version = kProtocolVersions[0];
    if (const json::value* asked = params.if_contains("protocolVersion");
        asked && asked->is_string() && IsSupportedVersion(asked->as_string())) {
      version = std::string(asked->as_string());
    }
    return ResultMessage(
        *id, json::object{
                 {"protocolVersion", version},
                 {"capabilities", json::object{{"tools", json::object{{"listChanged", false}}}}},
                 {"serverInfo",
                  json::object{
                      {"name", "leadterra"}, {"title", "Leadterra"}, {"version", server_version_}}},
                 {"instructions",
                  "Leadterra sends multi-step cold email campaigns from your own mailboxes. "
                  "Typical flow: create_campaign (steps with {{firstName}}-style tokens), "
                  "enroll_leads, lint_campaign and preview_step to check the copy, list_mailboxes "
                  "(a campaign needs an active one), start_campaign, then get_campaign_stats and "
                  "list_campaign_leads to watch replies. Errors come back as results with isError "
                  "and a code, message and param naming the field to fix."}});
  }
  if (name == "ping") return ResultMessage(*id, json::object());
  if (name == "tools/list") {
    json::array tools;
    for (const ToolDefinition& tool : catalog_.tools()) {
      tools.push_back(json::object{{"name", tool.name},
                                   {"description", tool.description},
                                   {"inputSchema", tool.input_schema}});
    }
    return ResultMessage(*id, json::object{{"tools", std::move(tools)}});
  }
  if (name == "tools/call") {
    const json::value* tool_name = params.if_contains("name");
    if (!tool_name || !tool_name->is_string()) {
      return ErrorMessage(*id, kInvalidParams, "tools/call needs params.name");
    }
    if (!catalog_.Find(tool_name->as_string())) {
      return ErrorMessage(
          *id, kInvalidParams,
          "unknown tool '" + std::string(tool_name->as_string()) + "'; tools/list names the tools");
    }
    return ResultMessage(*id, CallTool(params, context));
  }
  return ErrorMessage(*id, kMethodNotFound, "method '" + std::string(name) + "' not found");
}

json::value McpServer::CallTool(const json::object& params, const Context& context) {
  const ToolDefinition& tool = *catalog_.Find(params.at("name").as_string());
  const json::value* arguments = params.if_contains("arguments");
  auto call = ToolCatalog::Map(tool, arguments ? *arguments : json::value(nullptr));
  if (!call.ok()) return ArgumentError(call.status());

  HttpRequest inner;
  inner.method = call->method;
  inner.target = call->target;
  inner.remote_address = context.request.remote_address;
  inner.headers.emplace_back("authorization", std::string(context.request.Header("authorization")));
  if (!call->body.empty()) {
    inner.headers.emplace_back("content-type", "application/json");
    inner.body = std::move(call->body);
  }
  if (!call->idempotency_key.empty()) {
    inner.headers.emplace_back("idempotency-key", call->idempotency_key);
  }
  HttpResponse answer = call_api_(std::move(inner));
  return ToolResult(answer.body, answer.status >= 400);
}

http::Route McpRoute(McpServer& server) {
  http::Route route{"POST", "/mcp", /*authenticated=*/false, nullptr,
                    [&server](const HttpRequest& request) { return server.Handle(request); }};
  route.heavy = true;
  return route;
}

}  // namespace leadterra::mcp
