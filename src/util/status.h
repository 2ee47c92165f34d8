// Status and Result<T>: the error currency of every layer.
//
// A Status is either OK or carries an ErrorCode, a human-readable message and,
// for invalid input, the `param` path of the offending field
// ("sequenceSteps[1].subject"). Result<T> holds a value or a non-OK Status.
// Neither type throws; accessing the value of a failed Result is a bug and
// aborts in debug builds. Both are cheap to move and safe to copy.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace leadterra {

// Stable error categories. The HTTP layer maps each to one status code and one
// wire code (see http/error_mapping.cc); nothing else interprets them.
enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,       // 400 invalid_request
  kUnauthenticated,       // 401 authentication_failed
  kCsrfCheckFailed,       // 403 csrf_check_failed (a cookie write without the header)
  kWorkspaceNotFound,     // 404 workspace_not_found
  kNotFound,              // 404 not_found
  kMethodNotAllowed,      // 405 method_not_allowed
  kInvalidState,          // 409 invalid_state
  kIdempotencyConflict,   // 409 idempotency_conflict
  kPayloadTooLarge,       // 413 payload_too_large
  kUnsupportedMediaType,  // 415 unsupported_media_type
  kRateLimited,           // 429 rate_limited
  kOverloaded,            // 503 overloaded
  kNotImplemented,        // 501 not_implemented (a transfer coding the server lacks)
  kInternal,              // 500 internal_error
};

class Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message, std::string param = {})
      : code_(code), message_(std::move(message)), param_(std::move(param)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // Dotted path of the offending field, empty when not about one field.
  const std::string& param() const { return param_; }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  std::string param_;
};

inline Status InvalidArgument(std::string message, std::string param = {}) {
  return Status(ErrorCode::kInvalidArgument, std::move(message), std::move(param));
}
inline Status NotFound(std::string message) {
  return Status(ErrorCode::kNotFound, std::move(message));
}
inline Status InvalidState(std::string message) {
  return Status(ErrorCode::kInvalidState, std::move(message));
}
inline Status Internal(std::string message) {
  return Status(ErrorCode::kInternal, std::move(message));
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok() && "Result needs a value or an error");
    if (status_.ok()) status_ = Internal("empty result");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace leadterra

// Propagates a non-OK Status from an expression returning Status.
#define LT_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::leadterra::Status lt_status_ = (expr); \
    if (!lt_status_.ok()) return lt_status_; \
  } while (0)

#define LT_CONCAT_INNER(a, b) a##b
#define LT_CONCAT(a, b) LT_CONCAT_INNER(a, b)
// Declares `lhs` from a Result-returning expression or returns its Status.
#define LT_ASSIGN_OR_RETURN(lhs, expr) \
  LT_ASSIGN_OR_RETURN_IMPL(LT_CONCAT(lt_result_, __LINE__), lhs, expr)
#define LT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
