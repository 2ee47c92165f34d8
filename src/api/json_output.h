// Serializes a JSON value for responses. Same as boost::json::serialize except
// that non-integral numbers are written in plain decimal where that is the
// shortest exact form ("2.5", "0.121"; Boost writes "2.5E0", "1.21E-1").
#pragma once

#include <boost/json/value.hpp>
#include <string>

namespace leadterra::api {

std::string ToJsonText(const boost::json::value& value);

}  // namespace leadterra::api
