#include "http/http_types.h"

namespace leadterra::http {

std::string_view HttpRequest::Header(std::string_view lowercase_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lowercase_name) return value;
  }
  return {};
}

}  // namespace leadterra::http
