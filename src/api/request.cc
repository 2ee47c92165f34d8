#include "api/request.h"

#include <boost/json/object.hpp>

namespace leadterra::api {

const std::string& Request::PathParam(const std::string& name) const {
  static const std::string kEmpty;
  auto it = path_params.find(name);
  return it == path_params.end() ? kEmpty : it->second;
}

Response DataResponse(boost::json::value data, int status) {
  boost::json::object doc;
  doc["data"] = std::move(data);
  return Response{status, std::move(doc), {}};
}

}  // namespace leadterra::api
