#include "http/dispatcher.h"

#include <spdlog/spdlog.h>

#include <boost/url/parse.hpp>
#include <chrono>
#include <exception>
#include <functional>

#include "api/json_input.h"
#include "api/json_output.h"
#include "http/error_mapping.h"
#include "util/metrics.h"

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

// The method as a metrics label: the standard ones, else "other".
std::string_view MetricsMethod(std::string_view method) {
  for (std::string_view known : {"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS"}) {
    if (method == known) return known;
  }
  return "other";
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

struct Dispatcher::Exchange {
  HttpRequest request;
  Respond respond;
  std::chrono::steady_clock::time_point started;
  std::string request_id;
  std::string workspace_id;
  const Route* route = nullptr;
  std::string_view route_pattern = "unmatched";  // metrics label: bounded, never the raw path
  api::Request api_request;
};

namespace {

// Runs `step`, turning an exception into a logged 500.
template <typename Step, typename OnError>
auto Guarded(Step&& step, OnError&& error) -> decltype(step()) {
  try {
    return step();
  } catch (const std::exception& e) {
    return error(Internal(std::string("unhandled exception: ") + e.what()));
  } catch (...) {
    return error(Internal("unhandled non-standard exception"));
  }
}

}  // namespace

void Dispatcher::Handle(HttpRequest request, Respond respond) {
  Run(std::move(request), std::move(respond), /*may_offload=*/true);
}

HttpResponse Dispatcher::HandleNow(HttpRequest request) {
  HttpResponse out;
  Run(
      std::move(request), [&out](HttpResponse response) { out = std::move(response); },
      /*may_offload=*/false);
  return out;
}

void Dispatcher::Run(HttpRequest request, Respond respond, bool may_offload) {
  auto exchange = std::make_shared<Exchange>();
  exchange->started = std::chrono::steady_clock::now();
  std::string_view given_id = request.Header("x-request-id");
  exchange->request_id =
      IsAcceptableRequestId(given_id) ? std::string(given_id) : ids_.Next(id_prefix::kRequest);
  exchange->request = std::move(request);
  exchange->respond = std::move(respond);
  auto error = [&](const Status& status) { return Error(status, exchange->request_id); };

  std::optional<HttpResponse> early = Guarded([&] { return Admit(*exchange); }, error);
  if (early) return Finish(*exchange, std::move(*early));

  const bool offload =
      may_offload && pool_ != nullptr &&
      (exchange->route->heavy || exchange->request.body.size() > options_.offload_body_bytes);
  if (!offload) {
    return Finish(*exchange, Guarded([&] { return Execute(*exchange); }, error));
  }
  // Work is shared by workspace; a raw route's caller is known only by its
  // credentials.
  const std::string share = !exchange->workspace_id.empty()
                                ? exchange->workspace_id
                                : "auth:" + std::to_string(std::hash<std::string_view>{}(
                                                exchange->request.Header("authorization")));
  const bool queued = pool_->TrySubmit(share, [this, exchange] {
    Finish(*exchange,
           Guarded([&] { return Execute(*exchange); },
                   [&](const Status& status) { return Error(status, exchange->request_id); }));
  });
  if (!queued) {
    HttpResponse response =
        Error(Status(ErrorCode::kOverloaded,
                     "the server is busy with heavy requests (yours or others'); retry after " +
                         std::to_string(options_.retry_after_seconds) + " s"),
              exchange->request_id);
    response.headers.emplace_back("Retry-After", std::to_string(options_.retry_after_seconds));
    Finish(*exchange, std::move(response));
  }
}

void Dispatcher::Finish(Exchange& exchange, HttpResponse response) {
  response.headers.emplace_back("X-Request-Id", exchange.request_id);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - exchange.started)
          .count();
  const std::string& target = exchange.request.target;
  std::string_view path = std::string_view(target).substr(0, target.find('?'));
  spdlog::info("request_id={} method={} path={} status={} duration_ms={:.2f} workspace={}",
               exchange.request_id, exchange.request.method, path, response.status, ms,
               exchange.workspace_id.empty() ? "-" : exchange.workspace_id);
  metrics::ObserveHttpRequest(MetricsMethod(exchange.request.method), exchange.route_pattern,
                              response.status, ms / 1000);
  Respond respond = std::move(exchange.respond);
  respond(std::move(response));
}

Result<api::Principal> Dispatcher::Authenticate(const HttpRequest& request,
                                                api::Request& api_request) {
  std::string_view authorization = request.Header("authorization");
  std::string_view token = authorization.empty() && sessions_ != nullptr
                               ? api::Sessions::TokenFromCookieHeader(request.Header("cookie"))
                               : std::string_view();
  if (token.empty()) return accounts_.Authenticate(authorization);
  LT_ASSIGN_OR_RETURN(api::Principal principal, sessions_->Authenticate(token));
  const bool safe = request.method == "GET" || request.method == "HEAD";
  if (!safe && request.Header("x-requested-with") != "leadterra") {
    return Status(ErrorCode::kCsrfCheckFailed,
                  "a request authenticated by the dashboard's session cookie must send the header "
                  "'X-Requested-With: leadterra' to change anything");
  }
  api_request.session_token = std::string(token);
  return principal;
}

std::optional<HttpResponse> Dispatcher::Admit(Exchange& exchange) {
  const HttpRequest& request = exchange.request;
  const std::string& request_id = exchange.request_id;
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
  exchange.route_pattern = route.pattern;
  if (route.raw && !route.heavy) return route.raw(request);
  if (route.raw) {
    exchange.route = &route;  // a heavy raw route runs in Execute
    return std::nullopt;
  }

  api::Request& api_request = exchange.api_request;
  api_request.request_id = request_id;
  api_request.path_params = std::move(match.params);
  api_request.query = std::move(target->query);

  if (route.authenticated) {
    auto principal = Authenticate(request, api_request);
    if (!principal.ok()) {
      HttpResponse response = Error(principal.status(), request_id);
      if (principal.status().code() == ErrorCode::kUnauthenticated) {
        response.headers.emplace_back("WWW-Authenticate", "Bearer");
      }
      return response;
    }
    api_request.workspace_id = principal->workspace_id;
    api_request.key_id = principal->key_id;
    exchange.workspace_id = principal->workspace_id;
    if (int64_t retry_after = limiter_.Acquire(principal->key_id); retry_after > 0) {
      HttpResponse response =
          Error(Status(ErrorCode::kRateLimited, "too many requests for this API key; retry after " +
                                                    std::to_string(retry_after) + " s"),
                request_id);
      response.headers.emplace_back("Retry-After", std::to_string(retry_after));
      return response;
    }
  }
  exchange.route = &route;
  return std::nullopt;
}

HttpResponse Dispatcher::Execute(Exchange& exchange) {
  const HttpRequest& request = exchange.request;
  const std::string& request_id = exchange.request_id;
  const Route& route = *exchange.route;
  if (route.raw) return route.raw(request);
  api::Request& api_request = exchange.api_request;

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

  std::vector<std::pair<std::string, std::string>> extra_headers;
  auto run = [&]() -> api::StoredResponse {
    Result<api::Response> result = route.api(api_request);
    if (!result.ok()) {
      if (result.status().code() == ErrorCode::kInternal) {
        spdlog::error("request_id={} internal error: {}", request_id, result.status().message());
      }
      return {HttpStatusFor(result.status().code()), ErrorBody(result.status(), request_id)};
    }
    extra_headers = std::move(result->headers);
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
  if (!outcome.replayed) response.headers = std::move(extra_headers);
  if (outcome.replayed) response.headers.emplace_back("Idempotent-Replayed", "true");
  return response;
}

}  // namespace leadterra::http
