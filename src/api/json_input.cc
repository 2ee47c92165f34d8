#include "api/json_input.h"

#include <boost/json/object.hpp>
#include <boost/json/parser.hpp>
#include <cmath>

namespace leadterra::api {

Result<boost::json::value> ParseJsonBody(std::string_view body) {
  if (body.empty()) return InvalidArgument("request body is empty; send a JSON object");
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::json::parser parser(boost::json::storage_ptr(), options);
  boost::system::error_code ec;
  parser.write(body.data(), body.size(), ec);
  if (ec) {
    if (ec == boost::json::error::too_deep) {
      return InvalidArgument("request body nests deeper than 32 levels");
    }
    return InvalidArgument("request body is not valid JSON (" + ec.message() + ")");
  }
  return parser.release();
}

std::string JoinPath(std::string_view parent, std::string_view field) {
  if (parent.empty()) return std::string(field);
  std::string out(parent);
  out.push_back('.');
  out.append(field);
  return out;
}

std::string IndexPath(std::string_view parent, size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::string_view KindName(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null:
      return "null";
    case boost::json::kind::bool_:
      return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_:
      return "a number";
    case boost::json::kind::string:
      return "a string";
    case boost::json::kind::array:
      return "an array";
    case boost::json::kind::object:
      return "an object";
  }
  return "a value";
}

Result<FieldReader> FieldReader::Of(const boost::json::value& value, std::string path,
                                    bool nulls_are_absent) {
  if (!value.is_object()) {
    std::string what = path.empty() ? "request body" : path;
    return InvalidArgument(what + " must be a JSON object, not " + std::string(KindName(value)),
                           path);
  }
  return FieldReader(&value.get_object(), std::move(path), nulls_are_absent);
}

Status FieldReader::RejectUnknown(std::initializer_list<std::string_view> allowed) const {
  for (const auto& [key, value] : *object_) {
    bool known = false;
    for (std::string_view name : allowed) known = known || key == name;
    if (!known) {
      std::string list;
      for (std::string_view name : allowed) {
        if (!list.empty()) list += ", ";
        list += name;
      }
      return InvalidArgument("unknown field '" + std::string(key) + "' (allowed: " + list + ")",
                             PathOf(key));
    }
  }
  return Status::Ok();
}

const boost::json::value* FieldReader::Find(std::string_view name) const {
  const boost::json::value* v = object_->if_contains(name);
  if (v && v->is_null() && nulls_are_absent_) return nullptr;
  return v;
}

Status FieldReader::WrongType(std::string_view name, std::string_view expected,
                              const boost::json::value& got) const {
  return InvalidArgument(std::string(name) + " must be " + std::string(expected) + ", not " +
                             std::string(KindName(got)),
                         PathOf(name));
}

Result<std::string> FieldReader::RequiredString(std::string_view name) const {
  const boost::json::value* v = Find(name);
  if (!v) return InvalidArgument(std::string(name) + " is required", PathOf(name));
  if (!v->is_string()) return WrongType(name, "a string", *v);
  return std::string(v->get_string());
}

Result<std::optional<std::string>> FieldReader::OptionalString(std::string_view name) const {
  const boost::json::value* v = Find(name);
  if (!v) return std::optional<std::string>();
  if (!v->is_string()) return WrongType(name, "a string", *v);
  return std::optional<std::string>(std::string(v->get_string()));
}

Result<std::optional<double>> FieldReader::OptionalNumber(std::string_view name) const {
  const boost::json::value* v = Find(name);
  if (!v) return std::optional<double>();
  if (!v->is_number()) return WrongType(name, "a number", *v);
  boost::system::error_code ec;
  double d = v->to_number<double>(ec);
  if (ec || !std::isfinite(d)) {
    return InvalidArgument(std::string(name) + " is out of range", PathOf(name));
  }
  return std::optional<double>(d);
}

Result<std::optional<int64_t>> FieldReader::OptionalInteger(std::string_view name) const {
  const boost::json::value* v = Find(name);
  if (!v) return std::optional<int64_t>();
  if (!v->is_number()) return WrongType(name, "an integer", *v);
  boost::system::error_code ec;
  int64_t n = v->to_number<int64_t>(ec);
  if (ec) return InvalidArgument(std::string(name) + " must be an integer", PathOf(name));
  return std::optional<int64_t>(n);
}

}  // namespace leadterra::api
