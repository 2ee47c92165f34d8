// Reading untrusted JSON input. ParseJsonBody turns bytes into a value with
// depth and size limits; FieldReader walks one object, rejecting unknown
// fields and wrong types with a Status whose `param` is the field's path
// ("sequenceSteps[2].delayDays"). Nothing here throws.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace leadterra::api {

inline constexpr int kMaxJsonDepth = 32;

// Parses a request body. Invalid UTF-8, trailing garbage, comments, nesting
// deeper than kMaxJsonDepth and empty input are kInvalidArgument.
Result<boost::json::value> ParseJsonBody(std::string_view body);

// Joins a parent path and a field name: ("", "name") -> "name",
// ("sequenceSteps[0]", "subject") -> "sequenceSteps[0].subject".
std::string JoinPath(std::string_view parent, std::string_view field);
std::string IndexPath(std::string_view parent, size_t index);

// Human-readable JSON kind ("a string", "an array", ...), for messages.
std::string_view KindName(const boost::json::value& value);

class FieldReader {
 public:
  // Fails with kInvalidArgument unless `value` is an object. `path` is the
  // object's own path ("" for the body). By default an explicit null is an
  // error for every field ("must be a string, not null"); with
  // `nulls_are_absent` a null field reads as if it were not there (lead rows,
  // where spreadsheets export blanks as null).
  static Result<FieldReader> Of(const boost::json::value& value, std::string path,
                                bool nulls_are_absent = false);

  // Fails on the first field not in `allowed`.
  Status RejectUnknown(std::initializer_list<std::string_view> allowed) const;

  // The field's value, or nullptr when absent (or null with nulls_are_absent).
  const boost::json::value* Find(std::string_view name) const;
  Result<std::string> RequiredString(std::string_view name) const;
  Result<std::optional<std::string>> OptionalString(std::string_view name) const;
  Result<std::optional<double>> OptionalNumber(std::string_view name) const;
  Result<std::optional<int64_t>> OptionalInteger(std::string_view name) const;

  std::string PathOf(std::string_view name) const { return JoinPath(path_, name); }
  const std::string& path() const { return path_; }

 private:
  FieldReader(const boost::json::object* object, std::string path, bool nulls_are_absent)
      : object_(object), path_(std::move(path)), nulls_are_absent_(nulls_are_absent) {}
  Status WrongType(std::string_view name, std::string_view expected,
                   const boost::json::value& got) const;
  const boost::json::object* object_;
  std::string path_;
  bool nulls_are_absent_;
};

}  // namespace leadterra::api
