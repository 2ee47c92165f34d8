#include "http/dispatcher.h"

#include <spdlog/spdlog.h>

#include <boost/url/parse.hpp>
#include <chrono>
#include <exception>

#include "api/json_input.h"
#include "api/json_output.h"
#include "http/error_mapping.h"

namespace leadterra::http {
namespace {

bool IsJsonContentType(std::string_view value) {
  std::string_view media = value.substr(0, value.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  constexpr std::string_view kJson = "application/json";
  if (media.size() != kJson.size()) return false;
  for (size_t i = 0; i < media.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(media[i])) != kJson[i]) return false;
  }
  return true;
}

bool IsAcceptableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (unsigned char c : id) {
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':')) return false;
  }
  return true;
}

struct ParsedTarget {
  std::vector<std::string> segments;
  std::vector<std::pair<std::string, std::string>> query;
};

Result<ParsedTarget> ParseTarget(const std::string& target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return InvalidArgument("request target is not a valid URL path");
  ParsedTarget out;
  for (auto segment : url->segments()) out.segments.push_back(std::string(segment));
  if (!out.segments.empty() && out.segments.back().empty()) out.segments.pop_back();
  for (auto param : url->params()) {
    out.query.emplace_back(std::string(param.key), std::string(param.value));
  }
  return out;
}

}  // namespace

HttpResponse Dispatcher::Error(const Status& status, const std::string& request_id) {
  if (status.code() == ErrorCode::kInternal) {
    spdlog::error("request_id={} internal error: {}", request_id, status.message());
  }
  HttpResponse response;
  response.status = HttpStatusFor(status.code());
  response.body = ErrorBody(status, request_id);
  return response;
}

HttpResponse Dispatcher::TransportError(const Status& status) {
  std::string request_id = ids_.Next(id_prefix::kRequest);
  HttpResponse response = Error(status, request_id);
  response.headers.emplace_back("X-Request-Id", request_id);
  spdlog::info("request_id={} status={} transport_error=\"{}\"", request_id, response.status,
               status.message());
  return response;
}

HttpResponse Dispatcher::Handle(const HttpRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  std::string_view given_id = request.Header("x-request-id");
  std::string request_id =
      IsAcceptableRequestId(given_id) ? std::string(given_id) : ids_.Next(id_prefix::kRequest);
  std::string workspace_id;
  HttpResponse response;
  try {
    response = HandleInner(request, request_id, &workspace_id);
  } catch (const std::exception& e) {
    response = Error(Internal(std::string("unhandled exception: ") + e.what()), request_id);
  } catch (...) {
    response = Error(Internal("unhandled non-standard exception"), request_id);
  }
  response.headers.emplace_back("X-Request-Id", request_id);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  std::string_view path = std::string_view(request.target).substr(0, request.target.find('?'));
  spdlog::info("request_id={} method={} path={} status={} duration_ms={:.2f} workspace={}",
               request_id, request.method, path, response.status, ms,
               workspace_id.empty() ? "-" : workspace_id);
  return response;
}

HttpResponse Dispatcher::HandleInner(const HttpRequest& request, const std::string& request_id,
                                     std::string* workspace_id) {
  auto target = ParseTarget(request.target);
  if (!target.ok()) return Error(target.status(), request_id);
  Router::Match match = router_.Find(request.method, target->segments);
  if (!match.route) {
    if (match.allowed.empty()) {
      return Error(NotFound("no route for " + request.method + " " +
                            request.target.substr(0, request.target.find('?'))),
                   request_id);
    }
    std::string allow;
    for (const auto& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
    HttpResponse response = Error(
        Status(ErrorCode::kMethodNotAllowed, request.method + " is not allowed here; use " + allow),
        request_id);
    response.headers.emplace_back("Allow", allow);
    return response;
  }
  const Route& route = *match.route;
  if (route.raw) return route.raw(request);

  api::Request api_request;
  api_request.request_id = request_id;
  api_request.path_params = std::move(match.params);
  api_request.query = std::move(target->query);

  if (route.authenticated) {
    auto principal = accounts_.Authenticate(request.Header("authorization"));
    if (!principal.ok()) {
      HttpResponse response = Error(principal.status(), request_id);
      if (principal.status().code() == ErrorCode::kUnauthenticated) {
        response.headers.emplace_back("WWW-Authenticate", "Bearer");
      }
      return response;
    }
    api_request.workspace_id = principal->workspace_id;
    api_request.key_id = principal->key_id;
    *workspace_id = principal->workspace_id;
    if (int64_t retry_after = limiter_.Acquire(principal->key_id); retry_after > 0) {
      HttpResponse response =
          Error(Status(ErrorCode::kRateLimited, "too many requests for this API key; retry after " +
                                                    std::to_string(retry_after) + " s"),
                request_id);
      response.headers.emplace_back("Retry-After", std::to_string(retry_after));
      return response;
    }
  }

  const bool has_body_method = request.method == "POST" || request.method == "PATCH";
  if (has_body_method && !request.body.empty()) {
    if (!IsJsonContentType(request.Header("content-type"))) {
      return Error(Status(ErrorCode::kUnsupportedMediaType,
                          "request body must be sent with Content-Type: application/json"),
                   request_id);
    }
    auto parsed = api::ParseJsonBody(request.body);
    if (!parsed.ok()) return Error(parsed.status(), request_id);
    api_request.body = std::move(parsed).value();
  }

  auto run = [&]() -> api::StoredResponse {
    Result<api::Response> result = route.api(api_request);
    if (!result.ok()) {
      if (result.status().code() == ErrorCode::kInternal) {
        spdlog::error("request_id={} internal error: {}", request_id, result.status().message());
      }
      return {HttpStatusFor(result.status().code()), ErrorBody(result.status(), request_id)};
    }
    return {result->status, api::ToJsonText(result->body)};
  };

  api::StoredResponse outcome;
  std::string_view idempotency_key = request.Header("idempotency-key");
  if (request.method == "POST" && !idempotency_key.empty() && !api_request.workspace_id.empty()) {
    Status valid = api::Idempotency::ValidateKey(idempotency_key);
    if (!valid.ok()) return Error(valid, request_id);
    std::string fingerprint = request.method + " " + request.target + "\n" + request.body;
    auto stored =
        idempotency_.Run(api_request.workspace_id, std::string(idempotency_key), fingerprint, run);
    if (!stored.ok()) return Error(stored.status(), request_id);
    outcome = std::move(stored).value();
  } else {
    outcome = run();
  }
  HttpResponse response;
  response.status = outcome.status;
  response.body = std::move(outcome.body);
  if (outcome.replayed) response.headers.emplace_back("Idempotent-Replayed", "true");
  return response;
}

}  // namespace leadterra::http
