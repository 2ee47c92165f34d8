#include "http/error_mapping.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace leadterra::http {

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return 200;
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kCsrfCheckFailed:
      return 403;
    case ErrorCode::kWorkspaceNotFound:
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kMethodNotAllowed:
      return 405;
    case ErrorCode::kInvalidState:
    case ErrorCode::kIdempotencyConflict:
      return 409;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kUnsupportedMediaType:
      return 415;
    case ErrorCode::kRateLimited:
      return 429;
    case ErrorCode::kOverloaded:
      return 503;
    case ErrorCode::kNotImplemented:
      return 501;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

std::string_view WireCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "ok";
    case ErrorCode::kInvalidArgument:
      return "invalid_request";
    case ErrorCode::kUnauthenticated:
      return "authentication_failed";
    case ErrorCode::kCsrfCheckFailed:
      return "csrf_check_failed";
    case ErrorCode::kWorkspaceNotFound:
      return "workspace_not_found";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kMethodNotAllowed:
      return "method_not_allowed";
    case ErrorCode::kInvalidState:
      return "invalid_state";
    case ErrorCode::kIdempotencyConflict:
      return "idempotency_conflict";
    case ErrorCode::kPayloadTooLarge:
      return "payload_too_large";
    case ErrorCode::kUnsupportedMediaType:
      return "unsupported_media_type";
    case ErrorCode::kRateLimited:
      return "rate_limited";
    case ErrorCode::kOverloaded:
      return "overloaded";
    case ErrorCode::kNotImplemented:
      return "not_implemented";
    case ErrorCode::kInternal:
      return "internal_error";
  }
  return "internal_error";
}

std::string ErrorBody(const Status& status, std::string_view request_id) {
  boost::json::object error;
  error["code"] = WireCodeFor(status.code());
  if (status.code() == ErrorCode::kInternal) {
    error["message"] =
        "internal error; it has been logged with request id " + std::string(request_id);
  } else {
    error["message"] = status.message();
  }
  if (!status.param().empty()) error["param"] = status.param();
  return boost::json::serialize(boost::json::object{{"error", std::move(error)}});
}

}  // namespace leadterra::http
