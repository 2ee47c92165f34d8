#include "api/json_output.h"

#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>

namespace leadterra::api {
namespace {

void Write(const boost::json::value& value, std::string& out) {
  switch (value.kind()) {
    case boost::json::kind::double_: {
      double d = value.get_double();
      if (!std::isfinite(d)) {
        out += "null";
        return;
      }
      char buf[64];
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
      out.append(buf, end);
      return;
    }
    case boost::json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : value.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        Write(item, out);
      }
      out.push_back(']');
      return;
    }
    case boost::json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, item] : value.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        out += boost::json::serialize(boost::json::string_view(key));
        out.push_back(':');
        Write(item, out);
      }
      out.push_back('}');
      return;
    }
    default:
      out += boost::json::serialize(value);
  }
}

}  // namespace

std::string ToJsonText(const boost::json::value& value) {
  std::string out;
  Write(value, out);
  return out;
}

}  // namespace leadterra::api
